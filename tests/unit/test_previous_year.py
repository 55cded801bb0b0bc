"""Last year's value from next year's report: the change the report states with a figure is found in the figure's
own sentence, in a following sentence that compares with a year (与2024年度相比…), or — asked from the change's
side — with its figure in the lines before it. Hand-made facts; no ingested report."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from qa.composed import _current_of, _pairs, stated_change
from qa.resolve import rank_facts


def fact(fid: str, value: str, line: int, phrase: str, sentence: str, unit: str = "万元", at: int = 0,
         rate: str | None = None) -> Fact:
    return Fact(fact_id=fid, doc_id="d", kind="text", value=Decimal(value), raw=value + unit, unit=unit, line=line,
                char_start=at, char_end=at + len(value), phrase=phrase, sentence=sentence, rate_kind=rate,
                decimals=len(value.split(".")[1]) if "." in value else 0)


S1 = "某单位2025年度收入支出总计20323.21万元。"
S2 = "与2024年度相比，收入支出总计减少959.49万元，下降4.51%。"
S3 = "基本支出1000.00万元。"


def test_change_in_the_next_sentence_that_compares_with_a_year() -> None:
    cur = fact("a", "20323.21", 1, "某单位2025年度收入支出总计", S1, at=14)
    ch = fact("b", "959.49", 2, "收入支出总计减少", S2, at=0)
    rate = fact("c", "4.51", 2, "下降", S2, unit="%", at=13, rate="growth")
    other = fact("d", "1000.00", 3, "基本支出", S3)
    facts = [cur, ch, rate, other]
    assert stated_change(facts, cur) is ch
    assert stated_change(facts, other) is None  # nothing after it compares with a year


def test_a_change_about_another_measure_is_not_taken() -> None:
    cur = fact("a2", "500.00", 1, "基本支出", "基本支出500.00万元。")
    ch = fact("b2", "20.00", 2, "项目支出增加", "与2024年度相比，项目支出增加20.00万元。")
    assert stated_change([cur, ch], cur) is None


def test_a_unit_cut_by_a_line_break_is_the_same_unit() -> None:
    s = "机关运行经费支出816.16万元，比2024年度减少165.4万"
    cur = fact("a3", "816.16", 1, "机关运行经费支出", s, at=8)
    ch = fact("b3", "165.4", 1, "比2024年度减少", s, unit="万", at=30)
    assert stated_change([cur, ch], cur) is ch


def test_from_the_change_back_to_its_figure() -> None:
    s1 = "“三公”经费财政拨款支出年初预算为11.49万元，支出决算为3.04万元，其中：公务接待费支出决算为0.40万元。"
    s2 = "2025年度“三公”经费财政拨款支出决算数比2024年度减少19.66万元。"
    budget = fact("p", "11.49", 1, "“三公”经费财政拨款支出年初预算", s1, at=17)
    final = fact("f", "3.04", 2, "支出决算", s1, at=30)
    part = fact("g", "0.40", 3, "公务接待费支出决算", s1, at=52)
    ch = fact("c", "19.66", 5, "“三公”经费财政拨款支出决算数比2024年度减少", s2, at=30)
    facts = [budget, final, part, ch]
    assert _current_of(facts, ch) is final
    pairs = _pairs(facts, rank_facts(facts, "三公经费支出", "三公经费支出", "money"))
    assert pairs and pairs[0] == (final, ch)
    far = fact("c2", "19.66", 40, "“三公”经费财政拨款支出决算数比2024年度减少", s2, at=30)
    assert _current_of([budget, final, part, far], far) is None  # too far from any figure


def test_a_next_sentence_that_opens_with_the_change_continues_the_figure() -> None:
    s1 = "2020年度收、支总计456.9万元(收入总计含年初结转和结余0万元)。"
    s2 = "减少31.92万元,减少6.5%,主要是因为本年度在职人员减少1人。"
    cur = fact("o1", "456.9", 1, "收、支总计", s1, at=13)
    inner = fact("o2", "0", 1, "收入总计含年初结转和结余", s1, at=34)
    ch = fact("o3", "31.92", 1, "减少", s2, at=50)
    assert stated_change([cur, inner, ch], cur) is ch
    assert stated_change([cur, inner, ch], inner) is None  # the change continues the sentence's first figure only


def test_a_next_sentence_that_compares_without_a_subject() -> None:
    s1 = "2021年度收、支总计2035.21万元。"
    s2 = "与上年相比，增加37.31万元，增长1.87%。"
    cur = fact("p1", "2035.21", 1, "收、支总计", s1, at=12)
    ch = fact("p2", "37.31", 2, "与上年相比，增加", s2, at=8)
    ch = ch.model_copy(update={"raw": "37.31万元"})
    assert stated_change([cur, ch], cur) is ch


def test_how_much_less_than_last_year_is_the_stated_change() -> None:
    from core.models import Report
    from qa.composed import change_amount
    from qa.structured import Draft, StructuredEngine
    from qa.understand import parse_question

    r = Report(doc_id="d", file="d.txt", org="某局", region="某市", year=2025, doc_type="部门决算")
    s = "机关运行经费支出166.45万元，比2024年度减少22.50万元，下降11.91%。"
    facts = [fact("q1", "166.45", 1, "机关运行经费支出", s, at=8), fact("q2", "22.50", 1, "比2024年度减少", s, at=28),
             fact("q3", "11.91", 1, "下降", s, unit="%", at=40, rate="growth")]
    d = Draft(reports={"d": r}, lines_for={"d": [s]})
    engine = StructuredEngine({"d": facts}, d)
    assert change_amount(engine, r, parse_question("某局25年机关运行经费比上年少了多少？", [r]))
    assert "22.50万元" in d.text and "11.91%" in d.text
    d2 = Draft(reports={"d": r}, lines_for={"d": [s]})
    assert not change_amount(StructuredEngine({"d": facts}, d2), r,
                             parse_question("某局25年机关运行经费比上年下降了百分之多少？", [r]))
    d3 = Draft(reports={"d": r}, lines_for={"d": [s]})
    assert not change_amount(StructuredEngine({"d": facts}, d3), r,
                             parse_question("某局25年机关运行经费与上年相比增长多少？", [r]))  # may ask the rate
