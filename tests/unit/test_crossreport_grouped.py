"""Ranking across reports from the facts labelled with the measure (one indexed query), over hand-made facts: the
group it picks per report is the one the full per-report ranking picks, a report where labelled facts cannot
decide is ranked over all its facts, reports it decides are never read whole, and the fact store finds facts
by label (also in a store written before labels were kept)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from core.descriptors import label_of
from core.models import Fact, Report
from qa.crossreport import collect, compare, named_groups
from qa.lazy import PerDoc
from qa.structured import Draft, StructuredEngine
from qa.understand import Question
from stores.factstore import FactStore


def text(doc: str, fid: str, phrase: str, value: str, sentence: str = "") -> Fact:
    return Fact(fact_id=f"{doc}-{fid}", doc_id=doc, kind="text", value=Decimal(value), unit="万元", raw=value + "万元",
                decimals=2, line=int(fid[1:]), char_start=0, char_end=4, phrase=phrase,
                sentence=sentence or f"{phrase}{value}万元。")


def cell(doc: str, fid: str, row: str, column: str, value: str) -> Fact:
    return Fact(fact_id=f"{doc}-{fid}", doc_id=doc, kind="cell", value=Decimal(value), unit="万元", raw=value,
                decimals=2, line=int(fid[1:]), char_start=0, char_end=4, table_id="公开08表",
                table_title="支出决算表", row_label=row, column=column)


def report(doc: str, org: str) -> Report:
    return Report(doc_id=doc, file=f"{doc}.txt", org=org, year=2023, doc_type="部门决算")


REPORTS = [report("a", "甲中心"), report("b", "乙中心"), report("c", "丙中心")]
FACTS = {
    # a: the measure is a fact's own label (narrative and the table's 合计 row under the 项目支出 column)
    "a": [text("a", "f1", "项目支出", "120.50"), cell("a", "f2", "合计", "项目支出", "120.50"),
          cell("a", "f3", "一般公共服务支出", "项目支出", "80.00"), text("a", "f4", "基本支出", "300.00")],
    # b: no fact is labelled 项目支出; the measure sits inside a longer label
    "b": [text("b", "f1", "项目支出合计", "95.00"), text("b", "f2", "基本支出", "210.00")],
    # c: the only labelled fact is part of a budget (a final figure is asked): labels cannot decide
    "c": [text("c", "f1", "项目支出", "70.00", "预算收入456.90万元，其中项目支出70.00万元。"),
          text("c", "f2", "本年项目支出决算", "66.00")],
}
Q = Question(text="哪个单位的项目支出最多？", intent="rank_max", measure="项目支出", all_orgs=True)


def labelled(label: str, doc_ids: list[str]) -> list[Fact]:
    return [f for d in doc_ids for f in FACTS[d] if label_of(f) == label]


def engine(loaded: list[str] | None = None) -> StructuredEngine:
    def load(doc_id: str) -> list[Fact]:
        if loaded is not None:
            loaded.append(doc_id)
        return FACTS[doc_id]

    return StructuredEngine(PerDoc(load, FACTS), Draft(reports={r.doc_id: r for r in REPORTS},
                                                       lines_for={d: [] for d in FACTS}))


def test_labelled_groups_are_the_groups_the_full_ranking_picks() -> None:
    e = engine()
    groups = named_groups(e, REPORTS, Q, "项目支出", "money", labelled)
    assert set(groups) == {"a"}  # b has no labelled fact, c's labelled fact is outscored by the penalty it pays
    full = e.find(REPORTS[0], Q, "项目支出", "money")
    assert [s.fact.fact_id for s in groups["a"]] == [s.fact.fact_id for s in full]


def test_undecided_reports_are_ranked_over_all_their_facts() -> None:
    fast = [(r.doc_id, f.fact_id) for r, f in collect(engine(), REPORTS, Q, "项目支出", labelled)]
    slow = [(r.doc_id, f.fact_id) for r, f in collect(engine(), REPORTS, Q, "项目支出")]
    assert fast == slow and len(fast) == 3


def test_a_report_decided_by_its_labels_is_not_read_whole() -> None:
    loaded: list[str] = []
    collect(engine(loaded), REPORTS, Q, "项目支出", labelled)
    assert "a" not in loaded and {"b", "c"} <= set(loaded)


def test_a_ranking_over_many_reports_names_the_first_ten_and_leaves_the_rest_out() -> None:
    reports = [report(f"r{i}", f"第{i}中心") for i in range(14)]
    facts = {r.doc_id: [text(r.doc_id, "f1", "项目支出", f"{100 + i}.00")] for i, r in enumerate(reports)}
    e = StructuredEngine(PerDoc(lambda d: facts[d], facts), Draft(reports={r.doc_id: r for r in reports}))
    assert compare(e, reports, Q, lambda label, ids: [f for d in ids for f in facts[d] if label_of(f) == label])
    assert "其余披露该项的报告从略" in e.d.text and "最多的是第13中心" in e.d.text
    assert len(e.d.citations) == 10 and "第3中心" not in e.d.text


def test_the_fact_store_finds_facts_by_label_also_in_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "facts.sqlite3"
    store = FactStore(path)
    with store.transaction():
        for r in REPORTS:
            store.insert_report(r, [], [], [], FACTS[r.doc_id], [], [])
    assert {f.fact_id for f in store.facts_labelled("项目支出")} == {"a-f1", "a-f2", "c-f1"}
    assert [f.fact_id for f in store.facts_labelled("项目支出", ["c"])] == ["c-f1"]
    # a store written before labels were kept: no label column, no label version
    store.conn.execute("DROP INDEX facts_label")
    store.conn.execute("ALTER TABLE facts DROP COLUMN label")
    store.conn.execute("DELETE FROM meta WHERE key = 'label_version'")
    store.conn.close()
    reopened = FactStore(path)
    assert {f.fact_id for f in reopened.facts_labelled("项目支出")} == {"a-f1", "a-f2", "c-f1"}
    assert reopened.facts(["a"])[0].value == Decimal("120.50")


def test_facts_read_together_share_one_copy_of_their_sentence(tmp_path: Path) -> None:
    store = FactStore(tmp_path / "facts.sqlite3")
    said = "第一中心项目支出120.50万元，基本支出30.00万元。"
    facts = [text("a", f"f{i}", p, v).model_copy(update={"sentence": said, "section": "说明 › 支出"})
             for i, (p, v) in enumerate([("项目支出", "120.50"), ("基本支出", "30.00")])]
    with store.transaction():
        store.insert_report(REPORTS[0], [], [], [], facts, [], [])
    first, second = store.facts(["a"])
    assert first.sentence == said and first.sentence is second.sentence and first.section is second.section
