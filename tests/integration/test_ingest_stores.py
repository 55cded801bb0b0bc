"""Ingestion into the real stores (real sentence-transformers model, real embedded Chroma, SQLite):
idempotent, replaces changed content, atomic under an injected failure, bad files reported per file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli.main import main
from core.settings import Settings
from index.ingest import Ingestor
from qa.search import Searcher
from stores import Stores
from tests.conftest import REPORTS, SEEDS

pytestmark = pytest.mark.real_model


def _counts(stores: Stores) -> tuple[int, int, int, int]:
    c = stores.facts.conn
    return (
        c.execute("SELECT COUNT(*) FROM reports").fetchone()[0],
        c.execute("SELECT COUNT(*) FROM facts").fetchone()[0],
        c.execute("SELECT COUNT(*) FROM chunks").fetchone()[0],
        stores.vectors.count(),
    )


def test_ingested_stores_agree(ingested: Stores) -> None:
    n_reports, n_facts, n_chunks, n_vectors = _counts(ingested)
    assert n_reports == 5 and n_facts > 1000 and n_chunks == n_vectors
    assert ingested.vectors.name.startswith("reports-") and len(ingested.vectors.name) == len("reports-") + 10


def test_idempotent_and_replace_changed(tmp_path: Path) -> None:
    stores = Stores(Settings(data_dir=tmp_path / "d"))
    src = tmp_path / "in"
    src.mkdir()
    target = src / SEEDS["石峰"]
    shutil.copy(REPORTS / SEEDS["石峰"], target)
    ing = Ingestor(stores)
    assert [r.status for r in ing.ingest([src])] == ["added"]
    before = _counts(stores)
    assert [r.status for r in ing.ingest([src])] == ["skipped"]
    assert _counts(stores) == before
    target.write_text(target.read_text(encoding="utf-8").replace("2222.46万元", "2222.47万元", 1), encoding="utf-8")
    res = ing.ingest([src])
    assert [r.status for r in res] == ["replaced"]
    assert _counts(stores)[0] == 1 and _counts(stores)[3] == before[3]
    assert any(str(f.value) == "2222.47" for f in stores.facts.facts())


def test_report_stored_by_an_older_parser_is_parsed_again(tmp_path: Path) -> None:
    """Unchanged text is skipped only when the stored facts come from this parser; otherwise it is replaced,
    with the same chunk ids and exactly one vector per chunk."""
    stores = Stores(Settings(data_dir=tmp_path / "d"))
    ing = Ingestor(stores)
    assert [r.status for r in ing.ingest([REPORTS / SEEDS["石峰"]])] == ["added"]
    before = _counts(stores)
    doc_id = stores.facts.reports()[0].doc_id
    with stores.facts.transaction() as conn:  # as if an older release had written it
        conn.execute("UPDATE reports SET parser = 0 WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM facts WHERE doc_id = ? AND kind = 'text'", (doc_id,))
    assert _counts(stores)[1] < before[1]
    assert [r.status for r in ing.ingest([REPORTS / SEEDS["石峰"]])] == ["replaced"]
    assert _counts(stores) == before
    assert stores.vectors.ids() == set(stores.facts.chunk_ids(doc_id))
    assert [r.status for r in ing.ingest([REPORTS / SEEDS["石峰"]])] == ["skipped"]


def test_failure_half_way_leaves_every_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stores = Stores(Settings(data_dir=tmp_path / "d"))
    ing = Ingestor(stores)
    ing.ingest([REPORTS / SEEDS["芦淞"]])
    before = _counts(stores)
    vectors = stores.vectors
    real_add = type(vectors).add

    def half_then_fail(self, chunks, embeddings, batch=256):  # half the vectors land, then the disk "fills"
        half = len(chunks) // 2
        real_add(self, chunks[:half], embeddings[:half])
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(type(vectors), "add", half_then_fail)
    with pytest.raises(RuntimeError, match="injected"):
        ing.ingest_file(REPORTS / SEEDS["荷塘"])
    assert _counts(stores) == before
    known = {cid for r in stores.facts.reports() for cid in stores.facts.chunk_ids(r.doc_id)}
    assert stores.vectors.ids() == known


def test_cli_batch_with_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "d"))
    src = tmp_path / "batch"
    src.mkdir()
    shutil.copy(REPORTS / SEEDS["芦淞"], src / SEEDS["芦淞"])
    (src / "empty.txt").write_bytes(b"")
    (src / "scan.pdf").write_bytes(b"%PDF-1.4\n%%EOF")
    (src / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    code = main(["ingest", str(src), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # some went in, some failed (2: none went in)
    status = {r["file"]: r["status"] for r in out["results"]}
    assert status[SEEDS["芦淞"]] == "added"
    errors = {r["file"]: r["error"] for r in out["results"] if r["status"] == "error"}
    assert set(errors) == {"empty.txt", "scan.pdf", "notes.doc"}
    assert all(name in msg for name, msg in errors.items())
    assert main(["docs", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)["reports"]
    assert [d["org"] for d in docs] == ["株洲市芦淞区网格化管理服务中心"]


def test_hybrid_search_with_filters(ingested: Stores) -> None:
    searcher = Searcher(ingested)
    hits, filters = searcher.search("2021年醴陵市网格化中心的会议费是多少？", k=5)
    assert filters.orgs == ["醴陵市网格化管理服务中心"] and filters.years == [2021]
    assert hits and all(h.chunk.org == "醴陵市网格化管理服务中心" for h in hits)
    assert any("会议费" in h.chunk.text for h in hits[:3])
    hits, filters = searcher.search("石峰区三公经费", k=5, mode="bm25")
    assert filters.orgs == ["株洲市石峰区网格化管理服务中心"]
    assert "三公" in hits[0].chunk.text
    dense, _ = searcher.search("衡山县 项目支出", k=3, mode="dense")
    assert dense and all(h.dense_rank is not None and h.chunk.org.startswith("衡山县") for h in dense)


def test_cli_search_and_facts_json(ingested: Stores, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QA_DATA_DIR", str(ingested.settings.data_dir))
    assert main(["search", "荷塘区 委托业务费", "-k", "5", "--mode", "bm25", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["filters"]["orgs"] == ["株洲市荷塘区网格化管理服务中心"]
    assert any(h["table_id"] == "公开06表" for h in res["hits"])
    assert main(["search", "荷塘区2020年委托业务费是多少", "-k", "3", "--mode", "labels", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["hits"]
    assert figures and all(h["label_rank"] for h in figures) and any("180.61" in h["text"] for h in figures)
    assert main(["facts", "--org", "荷塘", "--table", "公开06表", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    fee = next(f for f in facts if f["row_code"] == "30227")
    assert fee["value"] == "180.61" and fee["unit"] == "万元" and fee["file"] == SEEDS["荷塘"]
    assert main(["facts", "--org", "不存在的单位"]) == 2


def test_a_question_over_several_reports_sees_each_reports_best_passage_first(ingested: Stores) -> None:
    hits, filters = Searcher(ingested).search("醴陵和荷塘的本年收入合计相差多少？", k=6)
    assert len(filters.orgs) == 2
    first_two = {h.chunk.org for h in hits[:2]}
    assert len(first_two) == 2, [h.chunk.org for h in hits]
    assert all("收入" in h.chunk.text for h in hits[:2])


def test_figure_labels_rank_the_passage_that_states_the_figure(ingested: Stores) -> None:
    searcher = Searcher(ingested)
    hits, _ = searcher.search("醴陵2021年政府采购支出总额是多少", k=3, mode="labels")
    assert any("279.86" in h.chunk.text for h in hits), [h.chunk.text[:80] for h in hits]
    hybrid, _ = searcher.search("醴陵2021年政府采购支出总额是多少", k=5)
    assert any(h.label_rank for h in hybrid)
    text_q, _ = searcher.search("醴陵2021年部门职责是什么", k=5)
    assert not any(h.label_rank for h in text_q)  # not a question about figures: labels stay out


def test_figure_ranking_resolves_the_measure_like_the_answering_engine(ingested: Stores) -> None:
    """The figure ranking finds what the structured engine answers from: a narrative sentence whose row of
    table cells scores the same (many cells must not crowd it out), and for a share the amounts, not rates."""
    searcher = Searcher(ingested)
    hits, _ = searcher.search("荷塘2020年社会保障和就业支出多少？", k=10, mode="labels")
    assert any("社会保障和就业支出203.72万元" in h.chunk.text for h in hits)
    share, _ = searcher.search("衡山2023年项目支出占全年预算数的比例？", k=5, mode="labels")
    assert any("557.70" in h.chunk.text and "459.09" in h.chunk.text for h in share)


def test_measure_words_are_not_document_filters(ingested: Stores) -> None:
    """公用经费决算 names a measure; only 部门决算/决算报告 picks a document type."""
    hits, filters = Searcher(ingested).search("衡山2023年公用经费决算比上年增长多少？", k=5)
    assert not filters.kinds and hits and all(h.chunk.org.startswith("衡山县") for h in hits)
    _, typed = Searcher(ingested).search("醴陵2021年部门决算中的会议费", k=5)
    assert typed.kinds == ["部门决算"]


def test_problem_question_is_text_even_when_it_names_budget_execution(ingested: Stores) -> None:
    hits, _ = Searcher(ingested).search("衡山县中心预算执行中存在哪些问题？", k=5)
    assert not any(h.label_rank for h in hits)
    assert any("存在的问题" in h.chunk.section for h in hits[:2])
