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


def test_bi_yi_bi_compares() -> None:
    assert detect_intent("甲24年和乙25年机关运行经费比一比") == "compare"


def test_a_stated_change_does_not_answer_a_plain_amount() -> None:
    from decimal import Decimal

    from core.models import Fact
    from qa.resolve import rank_facts

    s1 = "“三公”经费财政拨款支出决算为3.04万元。"
    s2 = "2025年度“三公”经费财政拨款支出决算数比2024年度减少19.66万元。"
    amount = Fact(fact_id="c1", doc_id="c", kind="text", value=Decimal("3.04"), raw="3.04万元", unit="万元", line=1,
                  char_start=16, char_end=20, phrase="“三公”经费财政拨款支出决算", sentence=s1, decimals=2)
    change = amount.model_copy(update={"fact_id": "c2", "value": Decimal("19.66"), "line": 2, "sentence": s2,
                                       "phrase": "“三公”经费财政拨款支出决算数比2024年度减少"})
    plain = rank_facts([amount, change], "三公经费决算", "三公决算花了多少", "money")
    assert plain[0].fact is amount
    asked = rank_facts([amount, change], "三公经费决算", "三公决算比2024年度减少了多少", "money")
    assert {s.fact.fact_id for s in asked} == {"c1", "c2"}
    assert next(s for s in asked if s.fact is change).score > next(s for s in plain if s.fact is change).score


def test_in_a_budget_document_every_figure_is_a_budget() -> None:
    from decimal import Decimal

    from core.models import Fact
    from qa.resolve import ANY_BUDGET, rank_facts

    s = "（二）公务用车购置及运行费9.38万元，与2025年预算持平。"
    f = Fact(fact_id="b1", doc_id="b", kind="text", value=Decimal("9.38"), raw="9.38万元", unit="万元", line=1,
             char_start=14, char_end=18, phrase="公务用车购置及运行费", sentence=s, decimals=2)
    asked_budget = rank_facts([f], "公务用车", "三公预算公车多少", "money", "预算")[0].score
    in_budget_doc = rank_facts([f], "公务用车", "三公预算公车多少", "money", ANY_BUDGET)[0].score
    assert in_budget_doc - asked_budget >= 0.29


def test_a_figure_is_found_where_it_stands_in_its_sentence() -> None:
    from decimal import Decimal

    from core.models import Fact
    from qa.resolve import _find_figure

    s = "公务接待2批次、20人次，其中：接待外宾0批次、0人次。"
    zero = Fact(fact_id="z1", doc_id="z", kind="text", value=Decimal(0), raw="0人次", unit="人次", line=1,
                char_start=0, char_end=1, phrase="", sentence=s)
    assert _find_figure(s, zero) == s.rindex("0人次")
    twenty = zero.model_copy(update={"fact_id": "z2", "value": Decimal(20), "raw": "20人次"})
    assert _find_figure(s, twenty) == s.index("20人次")
