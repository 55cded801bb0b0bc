"""Unit tests of one layer each: figure extraction and the verifier over hand-made facts (no stores)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.figures import cn_to_int, extract_figures
from core.models import Fact
from qa.answer_models import Citation
from qa.verify import Verifier


def fact(fid: str, value: str, unit: str = "万元", label: str = "", line: int = 1, kind: str = "text") -> Fact:
    return Fact(fact_id=f"d:{line}:{fid}", doc_id="d", kind=kind, value=Decimal(value), unit=unit,
                raw=value + (unit if kind == "text" else ""), decimals=len(value.split(".")[1]) if "." in value else 0,
                line=line, char_start=0, char_end=1, phrase=label, row_label=label)


FACTS = [
    fact("a", "2033.15", label="支出合计", line=1),
    fact("b", "1838.83", label="基本支出", line=1),
    fact("c", "90.44", "%", label="占", line=4),
    fact("d", "150", label="开支会议费", line=2),
    fact("e", "140", "人", label="人数", line=2),
    fact("f", "0", label="公务接待费", line=3),
]


def verifier() -> Verifier:
    return Verifier(lambda docs: FACTS)


def cite(n: int, line: int) -> Citation:
    return Citation(n=n, doc_id="d", file="f.txt", org="某中心", year=2021, quote="…", line=line)


@pytest.mark.parametrize("text,value,unit", [
    ("会议费150万元", "150", "万元"), ("占９０．４４％", "90.44", "%"), ("增长1.5个百分点", "1.5", "百分点"),
    ("共五个组室", "5", "个"), ("一千二百万元", "12000000", "元"), ("2,001.35万元", "2001.35", "万元"),
    ("下降-3.2%", "-3.2", "%"), ("约1.2亿元", "1.2", "亿元"),
])
def test_extracts_figures_with_units(text: str, value: str, unit: str) -> None:
    figs = extract_figures(text)
    assert [(f.value, f.unit) for f in figs] == [(Decimal(value), unit)]


def test_skips_years_dates_markers_and_list_numbers() -> None:
    text = "1、截至2021年12月31日，见公开06表[2]，会议费150万元。"
    assert [f.text for f in extract_figures(text)] == ["150万元"]


def test_ranges_and_formula_operators() -> None:
    assert [f.value for f in extract_figures("10至20万元")] == [Decimal(10), Decimal(20)]
    assert [f.value for f in extract_figures("1838.83−194.32=1644.51万元")] == [
        Decimal("1838.83"), Decimal("194.32"), Decimal("1644.51")]


def test_chinese_numerals() -> None:
    assert cn_to_int("一千二百万") == 12000000 and cn_to_int("十二") == 12 and cn_to_int("两") == 2
    assert cn_to_int("一二") is None


def test_matched_within_half_unit_and_unit_conversion_is_derived() -> None:
    r = verifier().verify("会议费150万元[1]，合1500000元[1]。", [cite(1, 2)], ["d"])
    assert [f.verdict for f in r.figures] == ["matched", "derived"]
    assert "单位换算" in (r.figures[1].formula or "")


def test_share_is_derived_with_formula_and_operands() -> None:
    r = verifier().verify("基本支出占支出合计的90.44%[1]。", [cite(1, 1)], ["d"])
    (f,) = r.figures
    assert f.verdict == "derived" and "1838.83" in (f.formula or "") and "2033.15" in (f.formula or "")
    assert len(f.fact_ids) == 2


def test_per_head_is_derived() -> None:
    r = verifier().verify("人均会议费10714.29元[1]。", [cite(1, 2)], ["d"])
    assert r.figures[0].verdict == "derived"


def test_mismatch_returns_the_expected_value() -> None:
    r = verifier().verify("基本支出1883.83万元[1]。", [cite(1, 1)], ["d"])
    (f,) = r.figures
    assert f.verdict == "mismatch" and f.expected == "1838.83万元"


def test_wrong_unit_is_not_matched() -> None:
    r = verifier().verify("开支会议费150元[1]。", [cite(1, 2)], ["d"])
    assert r.figures[0].verdict == "mismatch"


def test_invented_figure_is_unsupported() -> None:
    r = verifier().verify("另有专项结余482.40万元。", [], ["d"])
    assert r.figures[0].verdict == "unsupported"


def test_zero_denominator_never_yields_a_rate() -> None:
    r = verifier().verify("公务接待费完成预算的100%[1]。", [cite(1, 3)], ["d"])
    assert r.figures[0].verdict in ("unsupported", "mismatch")


def test_markers_after_a_full_stop_cite_the_sentence_before_them() -> None:
    """Quoted passages are cited as `…。[1]…。[2]`: a figure belongs to the marker after its own sentence."""
    r = verifier().verify("开支会议费150万元。[1]本年支出合计2033.15万元。[2]", [cite(1, 2), cite(2, 1)], ["d"])
    assert [(f.text, f.verdict, f.citations) for f in r.figures] == [
        ("150万元", "matched", [1]), ("2033.15万元", "matched", [2])]


def test_list_number_after_a_marker_is_not_a_figure() -> None:
    assert [f.text for f in extract_figures("下一步改进措施[1]2.应加强绩效评价，减少0.5万元[2]")] == ["0.5万元"]


def test_figure_quoted_verbatim_is_matched_to_the_quote() -> None:
    """A figure with no fact behind it (a Chinese numeral in prose) is still sourced when quoted verbatim."""
    c = Citation(n=1, doc_id="d", file="f.txt", org="某中心", year=2021, line=9,
                 quote="与综合治理、综合执法、便民服务、市场监管四个牵头部门的人员对接")
    r = verifier().verify("原文：市场监管四个牵头部门[1]", [c], ["d"])
    assert r.figures[0].verdict == "matched" and r.figures[0].citations == [1]
    planted = verifier().verify("原文：市场监管五个牵头部门[1]", [c], ["d"])
    assert planted.figures[0].verdict != "matched"


def test_formula_operands_are_used_even_when_a_label_is_named() -> None:
    """`完成预算的比例为X%（a ÷ b）` names a rate label; the cited operands still derive X."""
    facts = [fact("x", "435.55", label="全年执行数", line=7), fact("y", "96.18", label="年初预算数", line=7),
             fact("z", "0", "%", label="完成预算", line=8)]
    v = Verifier(lambda docs: facts)
    r = v.verify("部门整体支出完成预算的比例为452.85%（435.55万元 ÷ 96.18万元，[1]）。", [cite(1, 7)], ["d"])
    assert r.figures[0].verdict == "derived" and r.figures[0].citations == [1]


def test_a_count_of_the_items_cited_one_by_one_is_derived_from_them() -> None:
    cits = [cite(n, n) for n in (1, 2, 3)]
    answer = "某中心，报告所列下属单位共3家（按所列序号逐项计数）：甲[1]；乙[2]；丙[3]。"
    [check] = [c for c in verifier().verify(answer, cits, ["d"]).figures if c.unit == "家"]
    assert check.verdict == "derived" and check.citations == [1, 2, 3] and "共3家" in (check.formula or "")
    wrong = "某中心，报告所列下属单位共4家：甲[1]；乙[2]；丙[3]。"
    [check] = [c for c in verifier().verify(wrong, cits, ["d"]).figures if c.unit == "家"]
    assert check.verdict != "derived", "four claimed, three cited: not a count of them"


def test_the_difference_between_the_parts_sum_and_their_whole_is_derived() -> None:
    parts = [fact("p", "85.30", label="人员经费", line=7), fact("q", "11.56", label="公用经费", line=7),
             fact("w", "96.85", label="基本支出", line=8)]
    v = Verifier(lambda docs: parts)
    answer = "人员经费85.30万元[1]、公用经费11.56万元[2]。报告所列基本支出为96.85万元[3]。各项之和比总数多0.01万元，属尾数差异。"
    checks = v.verify(answer, [cite(1, 7), cite(2, 7), cite(3, 8)], ["d"]).figures
    [gap] = [c for c in checks if c.text == "0.01万元"]
    assert gap.verdict == "derived" and gap.citations
    wrong = answer.replace("0.01万元", "0.05万元")
    [gap] = [c for c in v.verify(wrong, [cite(1, 7), cite(2, 7), cite(3, 8)], ["d"]).figures if c.text == "0.05万元"]
    assert gap.verdict != "derived"


def test_a_figure_in_the_quoted_sentence_of_a_cited_fact_is_matched_and_cited() -> None:
    sentence = "全年受理事项3.2万件，办结3.1万件，回访1200条"
    said = [fact(fid, v, u, label=lab, line=9).model_copy(update={"sentence": sentence})
            for fid, v, u, lab in [("s1", "3.2", "万件", "受理事项"), ("s2", "3.1", "万件", "办结"), ("s3", "1200", "条", "回访")]]
    other = fact("o", "1200", "条", label="回访", line=30)
    v = Verifier(lambda docs: [*said, other])
    answer = f"受理事项为3.2万件[1]。报告原文：“{sentence}”[1]。"
    checks = {c.text: c for c in v.verify(answer, [cite(1, 9).model_copy(update={"fact_id": "d:9:s1"})], ["d"]).figures}
    assert checks["1200条"].verdict == "matched" and checks["1200条"].citations == [1]
    assert checks["1200条"].fact_ids == ["d:9:s3"]


def test_a_difference_of_two_scores_is_derived() -> None:
    scores = [fact("x", "99.38", "分", label="平均得分", line=3), fact("y", "99.33", "分", label="平均得分", line=5)]
    v = Verifier(lambda docs: scores)
    [gap] = [c for c in v.verify("甲99.38分[1]；乙99.33分[2]。甲比乙多0.05分。", [cite(1, 3), cite(2, 5)], ["d"]).figures
             if c.text == "0.05分"]
    assert gap.verdict == "derived" and gap.citations == [1, 2]
