"""Question understanding over hand-made reports (no stores): 单位 by aliases derived from the names, years
(also relative to the conversation), the intent and the measure."""

from __future__ import annotations

import pytest

from core.models import Report
from qa.understand import parse_question

REPORTS = [
    Report(doc_id="a", file="a.txt", org="株洲市石峰区网格化管理服务中心", region="株洲市石峰区", year=2023,
           doc_type="部门决算"),
    Report(doc_id="b", file="b.txt", org="醴陵市网格化管理服务中心", region="醴陵市", year=2021, doc_type="部门决算"),
]
SHIFENG, LILING = REPORTS[0].org, REPORTS[1].org


@pytest.mark.parametrize(("text", "orgs", "years", "intent", "measure"), [
    ("2023年石峰区的会议费是多少？", [SHIFENG], [2023], "lookup", "会议费"),
    ("石峰三公经费占支出合计的比例是多少？", [SHIFENG], [], "share", "三公经费"),
    ("哪个单位的项目支出最多？", [], [], "rank_max", "项目支出"),
    ("醴陵的主要职责有哪些？", [LILING], [], "text", "职责"),
    ("醴陵2021年人员经费和公用经费一共多少", [LILING], [2021], "sum", "人员经费"),
    # the asking words go whole (预算执行率, a precision request), a filler inside a word stays (实有人数)
    ("石峰一般公共预算年初预算执行率精确到两位小数是多少？", [SHIFENG], [], "execution", "一般公共预算"),
    ("石峰实有人数是多少？", [SHIFENG], [], "lookup", "实有人数"),
    ("石峰政府采购里中小企业预留的占多大比例？", [SHIFENG], [], "share", "政府采购里中小企业预留"),
    ("石峰会议费年初预算有多少没花出去？", [SHIFENG], [], "budget_diff", "会议费"),  # unspent: final vs budget
    ("石峰的公务用车都是什么车？", [SHIFENG], [], "children", "公务用车"),  # the parts of a listed whole
])
def test_filters_intent_and_measure(text: str, orgs: list[str], years: list[int], intent: str, measure: str) -> None:
    q = parse_question(text, REPORTS)
    assert q.orgs == orgs
    assert q.years == years
    assert q.intent == intent
    assert measure in q.measure


def test_share_keeps_its_denominator_and_sum_its_second_measure() -> None:
    assert "支出合计" in parse_question("石峰三公经费占支出合计的比例是多少？", REPORTS).denominator
    assert "公用经费" in parse_question("醴陵2021年人员经费和公用经费一共多少", REPORTS).second


def test_ranking_spans_every_report() -> None:
    assert parse_question("哪个单位的项目支出最多？", REPORTS).all_orgs


def test_an_unknown_unit_is_not_replaced_by_a_known_one() -> None:
    q = parse_question("长沙市天心区的会议费是多少？", REPORTS)
    assert q.orgs == [] and q.unknown_orgs


def test_follow_ups_keep_what_they_do_not_name() -> None:
    first = parse_question("2023年石峰区的会议费是多少？", REPORTS)
    prev_year = parse_question("那上一年呢？", REPORTS, first)
    assert (prev_year.orgs, prev_year.years, prev_year.measure) == ([SHIFENG], [2022], "会议费")
    other = parse_question("那培训费呢？", REPORTS, first)
    assert (other.orgs, other.years) == ([SHIFENG], [2023]) and "培训费" in other.measure


def test_an_asking_word_is_never_a_denominator() -> None:
    """占多大比例 names no whole: 多大 is how it asks, not what the share is of."""
    q = parse_question("石峰政府采购里中小企业预留的占多大比例？", REPORTS)
    assert "多大" not in q.denominator and "多大" not in q.measure
