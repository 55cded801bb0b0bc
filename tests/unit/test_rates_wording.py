"""几成 asks a rate (执行了几成 → execution, 占几成 → share), and the whole a part sits in (基本支出里，人员经费占几成)
is the share's denominator when none is named."""

from __future__ import annotations

from core.models import Report
from qa.understand import detect_intent, parse_question

REPORTS = [Report(doc_id="a", file="a.txt", org="某市文化和旅游局", region="某市", year=2025, doc_type="部门决算")]


def test_ji_cheng_is_a_rate() -> None:
    assert detect_intent("那预算完成了几成？") == "execution"
    assert detect_intent("这一项预算执行了几成？") == "execution"
    assert detect_intent("人员经费占几成？") == "share"
    assert detect_intent("人员经费是多少？") == "lookup"


def test_the_whole_named_before_is_the_denominator() -> None:
    q = parse_question("基本支出里人员经费占几成？", REPORTS)
    assert q.intent == "share" and q.denominator == "基本支出" and "人员经费" in q.measure
    assert "成" not in q.measure
    q = parse_question("人员经费占支出合计的比例是多少？", REPORTS)
    assert q.denominator == "支出合计"


def test_a_rate_of_another_amount_found_by_words_is_not_the_reports_rate() -> None:
    from decimal import Decimal

    from core.models import Fact
    from qa.structured import Draft, StructuredEngine

    r = REPORTS[0]
    s1 = "基本支出9800.36万元，其中：人员经费8055.07万元，公用经费1745.29万元。"
    s2 = "本年支出合计中，基本支出里的人员经费支出占36.93%。"

    def f(fid: str, value: str, unit: str, phrase: str, sentence: str, at: int, line: int, **kw) -> Fact:
        return Fact(fact_id=fid, doc_id="a", kind="text", value=Decimal(value), raw=value + unit, unit=unit,
                    line=line, char_start=at, char_end=at + len(value), phrase=phrase, sentence=sentence,
                    decimals=2, **kw)

    facts = [f("r1", "9800.36", "万元", "基本支出", s1, 4, 1), f("r2", "8055.07", "万元", "人员经费", s1, 23, 1),
             f("r3", "1745.29", "万元", "公用经费", s1, 40, 1),
             f("r4", "36.93", "%", "人员经费支出占", s2, 20, 2, rate_kind="share")]
    d = Draft(reports={"a": r}, lines_for={"a": [s1, s2]})
    q = parse_question("基本支出里人员经费占几成？", REPORTS)
    assert StructuredEngine({"a": facts}, d).rate(r, q)
    assert "82.19%" in d.text and "36.93" not in d.text and not d.audit
