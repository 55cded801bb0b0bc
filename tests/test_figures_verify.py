"""Unit tests of one layer each: figure extraction and the verifier over hand-made facts (no stores)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qa.answer_models import Citation
from qa.figures import cn_to_int, extract_figures
from qa.models import Fact
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
