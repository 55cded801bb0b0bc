"""The keyword index filters by report before ranking and is saved per store generation (a new process loads it);
a folder ingested with parallel parsing gives the same reports as one parsed in this process."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest import Ingestor
from stores.keyword import KeywordIndex
from tests.unit.fakes import REPORT, fake_stores


def _reports(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"202{i}_示例{i}服务中心_部门决算.txt"
        text = REPORT.replace("某区示例", f"某区示例{i}").replace("2023", f"202{i}")
        if i == 0:  # only the first report speaks of 差旅费, many times: it would rank first for that word
            text += "差旅费支出1.00万元，差旅费主要用于出差。差旅费。差旅费。\n"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture()
def stores(tmp_path: Path):
    stores = fake_stores(tmp_path / "data")
    Ingestor(stores).ingest(_reports(tmp_path / "in", 3), workers=1)
    return stores


def test_filtered_before_ranking(stores) -> None:
    index = stores.keyword
    docs = {r.file: r.doc_id for r in stores.facts.reports()}
    first = next(d for f, d in docs.items() if f.startswith("2020"))
    others = {d for d in docs.values() if d != first}
    assert index.bm25("差旅费", None, 5)[0].doc_id == first
    hits = index.bm25("差旅费 会议费", others, 5)
    assert hits and all(c.doc_id in others for c in hits)
    assert index.bm25("差旅费", set(), 5) == []


def test_saved_index_is_loaded_by_a_new_reader(stores) -> None:
    stores.keyword.refresh()
    fresh = KeywordIndex(stores.facts, stores.keyword.folder)
    assert fresh._load(stores.facts.generation(), len(stores.facts.chunks())) is not None
    fresh.refresh()
    assert [c.chunk_id for c in fresh.bm25("会议费", None, 3)] == [c.chunk_id for c in stores.keyword.bm25("会议费", None, 3)]


def test_parallel_parsing_gives_the_same_reports(tmp_path: Path) -> None:
    paths = _reports(tmp_path / "in", 4)
    serial = Ingestor(fake_stores(tmp_path / "a")).ingest(paths, workers=1)
    parallel = Ingestor(fake_stores(tmp_path / "b")).ingest(paths, workers=2)
    assert [(r.file, r.status, r.doc_id, r.facts, r.chunks) for r in parallel] == \
        [(r.file, r.status, r.doc_id, r.facts, r.chunks) for r in serial]
    assert all(r.status == "added" for r in parallel)


def test_a_saved_index_is_loaded_without_reading_tokens(stores, monkeypatch) -> None:
    stores.keyword.refresh()  # built and saved (reads the tokens)
    fresh = KeywordIndex(stores.facts, stores.keyword.folder)

    def no_tokens() -> list[list[str]]:
        raise AssertionError("a saved index needs no tokens (at 1,000 reports they took ~400 MB)")

    monkeypatch.setattr(stores.facts, "chunk_tokens", no_tokens)
    monkeypatch.setattr(stores.facts, "chunks", no_tokens)
    fresh.refresh()
    assert fresh.bm25("会议费", None, 3)
