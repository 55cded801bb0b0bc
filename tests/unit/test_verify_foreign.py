"""`qa verify` on text the product did not write (no citations): a correct derived figure with no formula beside it
is found from the facts the sentence names and prints; a wrong one is not; a figure the report states twice,
differently, is matched to the statement that has its value."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from qa.verify import Verifier


def text(fid: str, phrase: str, value: str, unit: str = "万元", line: int = 1) -> Fact:
    return Fact(fact_id=fid, doc_id="d", kind="text", value=Decimal(value), unit=unit, raw=value + unit,
                decimals=len(value.split(".")[1]) if "." in value else 0, line=line, char_start=0, char_end=4,
                phrase=phrase, sentence=phrase + value + unit)


def cell(fid: str, row: str, column: str, value: str) -> Fact:
    return Fact(fact_id=fid, doc_id="d", kind="cell", value=Decimal(value), unit="万元", raw=value, decimals=2,
                line=9, char_start=0, char_end=4, table_id="公开05表", row_label=row, column=column)


FACTS = [
    text("a", "三公经费支出", "1.64"), text("b", "三公财政拨款支出预算", "5"),
    text("c", "机关运行经费支出", "206.41"), text("d", "比上年决算数减少", "173.59"),
    text("e", "基本支出", "1838.83"), cell("f", "合计", "本年支出/基本支出", "1832.39"),
    text("g", "人员经费", "1060.26"),
]


def verdicts(answer: str) -> dict[str, str]:
    report = Verifier(lambda ids: FACTS).verify(answer, [], ["d"])
    return {f.text: f.verdict for f in report.figures}


def test_a_rate_derived_from_the_facts_the_sentence_names() -> None:
    assert verdicts("2021年三公经费预算执行率约32.80%。")["32.80%"] == "derived"
    assert verdicts("2021年三公经费预算执行率约40.00%。")["40.00%"] != "derived"


def test_a_decline_from_the_amounts_the_sentence_prints() -> None:
    v = verdicts("机关运行经费206.41万元，比上年减少173.59万元，下降约45.68%。")
    assert v["45.68%"] == "derived" and v["206.41万元"] == "matched"
    assert verdicts("机关运行经费206.41万元，比上年减少173.59万元，下降约47.00%。")["47.00%"] != "derived"


def test_a_figure_the_report_states_twice_is_not_a_mismatch() -> None:
    assert verdicts("基本支出1832.39万元。")["1832.39万元"] == "matched"
    assert verdicts("基本支出1800.00万元。")["1800.00万元"] == "mismatch"


def test_a_plain_match_beats_a_sum_with_zero() -> None:
    assert verdicts("其中人员经费1060.26万元。")["1060.26万元"] == "matched"
