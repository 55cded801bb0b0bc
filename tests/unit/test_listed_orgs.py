"""Several 单位 in one question: an enumeration that lists a known 单位 makes its other items 单位 too (a bare
short head such as 城管), what is left of the list (、、这三家) and a date (截至25年8月底) leave the measure, 各…多少
asks one figure per 单位, and a one-character noun after its classifier (多少辆车) is named as the reports do."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact, Report
from qa.filters import parse_filters
from qa.resolve import rank_facts, want_dimension
from qa.understand import parse_question

REPORTS = [
    Report(doc_id="a", file="a.txt", org="上海市普陀区城市管理行政执法局", region="上海市普陀区", year=2026, doc_type="部门预算"),
    Report(doc_id="b", file="b.txt", org="上海市普陀区文化和旅游局", region="上海市普陀区", year=2026, doc_type="部门预算"),
    Report(doc_id="c", file="c.txt", org="上海市普陀区建设和管理委员会", region="上海市普陀区", year=2026, doc_type="部门预算"),
]
CITY, CULTURE, BUILD = (r.org for r in REPORTS)


def test_a_bare_head_listed_with_known_units_is_a_unit() -> None:
    assert set(parse_filters("建管委、城管、文旅局各有多少辆车？", REPORTS).orgs) == {CITY, CULTURE, BUILD}
    assert set(parse_filters("文旅局、城管分别多少？", REPORTS).orgs) == {CITY, CULTURE}  # last item, words after it


def test_a_bare_head_alone_or_in_a_list_of_topics_is_not_a_unit() -> None:
    assert parse_filters("城管方面的支出是多少？", REPORTS).orgs == []
    assert parse_filters("城管、环卫各花了多少？", REPORTS).orgs == []  # no item of the list is a known 单位


def test_list_residue_and_dates_leave_the_measure() -> None:
    q = parse_question("建管委、城管、文旅局这三家截至25年8月底各有多少辆车？", REPORTS)
    assert q.intent == "compare"
    assert q.measure == "车辆"
    assert q.years == []
    q = parse_question("文旅局、建管委各接待了多少人次？", REPORTS)
    assert "、" not in q.measure and "各" not in q.measure and "接待" in q.measure


def test_one_unit_lookup_stays_a_lookup() -> None:
    q = parse_question("文旅局有多少辆车？", REPORTS)
    assert q.intent == "lookup" and q.measure == "车辆"


def test_classifier_words_ask_for_a_count() -> None:
    assert want_dimension("各有多少辆车", "lookup") == "count"
    assert want_dimension("有几台电脑", "lookup") == "count"
    assert want_dimension("会议费多少", "lookup") == "money"


def test_the_unit_a_count_is_printed_in_names_what_is_counted() -> None:
    s = "接待批次1次、接待15人次、陪同5人。"
    facts = [Fact(fact_id=f"u{i}", doc_id="d", kind="text", value=Decimal(v), raw=v + u, unit=u, line=1,
                  char_start=a, char_end=a + 2, phrase=p, sentence=s)
             for i, (v, u, p, a) in enumerate([("1", "次", "接待批次", 4), ("15", "人次", "接待", 10), ("5", "人", "陪同", 17)])]
    ranked = rank_facts(facts, "公务接待人次", "公务接待各接待了多少人次", "人")
    assert ranked[0].fact.value == Decimal("15")
    assert ranked[0].score >= 0.55
