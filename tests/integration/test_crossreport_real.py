"""Rankings and comparisons across the bundled reports: answered from the facts labelled with the measure (one
indexed query) they say exactly what ranking every report over all its facts says — same figures, same
citations, same wording."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.real_model

QUESTIONS = [
    "哪个单位的项目支出最多？", "哪个单位的基本支出最少？", "哪个单位的本年支出合计最多？", "各单位的会议费分别是多少？",
    "哪个单位的培训费最高？", "比较各单位的三公经费", "哪个单位的公务接待费最多？", "各单位人员经费排名",
]


@pytest.fixture(scope="module")
def asker(ingested):
    from qa.ask import Asker

    return Asker(ingested)


@pytest.mark.parametrize("question", QUESTIONS)
def test_labelled_ranking_says_what_the_full_ranking_says(asker, monkeypatch, question: str) -> None:
    fast = asker.ask(question, engine="structured")
    # every report ranked over all its facts: the labelled query finds nothing
    monkeypatch.setattr(asker.stores.facts, "facts_labelled", lambda label, doc_ids=None: [])
    slow = asker.ask(question, engine="structured")
    assert fast.answer == slow.answer
    assert [(c.doc_id, c.fact_id) for c in fast.citations] == [(c.doc_id, c.fact_id) for c in slow.citations]
    assert [f.verdict for f in fast.figures] == [f.verdict for f in slow.figures]


@pytest.mark.parametrize("measure", ["本年支出合计", "三公经费", "项目支出", "会议费", "培训费", "基本支出"])
def test_comparison_view_rows_are_the_same_from_the_labelled_query(ingested, monkeypatch, measure: str) -> None:
    from qa.service import QAService

    service = QAService(stores=ingested)
    fast = [(r.org, r.year, r.value, r.fact.fact_id) for r in service.measure_rows(measure)]
    monkeypatch.setattr(ingested.facts, "facts_labelled", lambda label, doc_ids=None: [])
    slow = [(r.org, r.year, r.value, r.fact.fact_id) for r in service.measure_rows(measure)]
    assert fast == slow and fast
