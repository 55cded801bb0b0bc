"""A folder ingested in parallel — parses in worker processes, one writer writing the vectors of several reports
at once — stores what a serial ingest stores; a parse worker that dies, or a report a store refuses, is that
file's error and the others go in; chunk tokens computed piece by piece are `tokenize`'s."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from core.lexicon import tokenize
from index.chunk_tokens import TokenMemo
from index.ingest import Ingestor
from index.ingest import _parse_job as _real_parse
from index.parse import parse_file
from stores import Stores
from tests.conftest import CORPUS, REPORTS, SEEDS
from tests.unit.fakes import fake_stores


def _copy(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(REPORTS / name, folder / name)
    return [folder / name for name in names]


def _rows(stores: Stores) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row but the insert times and generation stamps, sorted: what two ingests must agree on."""
    conn = sqlite3.connect(stores.settings.sqlite_path)
    out = {}
    for table, skip in (("reports", {"ingested_at", "stamp"}), ("facts", set()), ("chunks", set()),
                        ("tables", set()), ("sections", set())):
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skip]
        quoted = ",".join(f'"{c}"' for c in cols)
        out[table] = sorted(conn.execute(f"SELECT {quoted} FROM {table}").fetchall(), key=repr)
    conn.close()
    return out


def _counting_adds(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = type(stores.vectors).add

    def add(self, chunks, embeddings, batch=256):
        calls.append(len(chunks))
        return real(self, chunks, embeddings)

    monkeypatch.setattr(type(stores.vectors), "add", add)
    return calls


def test_parallel_batched_ingest_stores_what_a_serial_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _copy(tmp_path / "in", [SEEDS["醴陵"], SEEDS["荷塘"], SEEDS["芦淞"]])
    serial, parallel = fake_stores(tmp_path / "a"), fake_stores(tmp_path / "b")
    Ingestor(serial).ingest(files, workers=1)
    calls = _counting_adds(parallel, monkeypatch)
    results = Ingestor(parallel).ingest(files, workers=2)
    assert [r.status for r in results] == ["added"] * 3
    assert len(calls) == 1 and calls[0] == sum(r.chunks for r in results)  # one Chroma write for the batch
    assert _rows(parallel) == _rows(serial)
    assert parallel.vectors.ids() == serial.vectors.ids()
    # the folder's keyword index is built and saved by the ingest: a reader loads it for this generation
    assert parallel.keyword._generation == parallel.facts.generation() and parallel.keyword._bm25 is not None
    again = Ingestor(parallel).ingest(files, workers=2)
    assert [r.status for r in again] == ["skipped"] * 3


def test_the_same_report_twice_in_a_batch_is_stored_once(tmp_path: Path) -> None:
    files = _copy(tmp_path / "in", [SEEDS["石峰"], SEEDS["芦淞"]])
    twin = tmp_path / "in" / ("copy_" + SEEDS["石峰"])
    shutil.copy(files[0], twin)
    stores = fake_stores(tmp_path / "d")
    results = Ingestor(stores).ingest([*files, twin], workers=2)
    assert sorted(r.status for r in results) == ["added", "added", "skipped"]
    assert len(stores.facts.reports()) == 2


def test_a_batch_whose_vectors_fail_names_the_file_at_fault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _copy(tmp_path / "in", [SEEDS["石峰"], SEEDS["芦淞"], SEEDS["衡山"]])
    stores = fake_stores(tmp_path / "d")
    bad = parse_file(files[1]).report.doc_id
    real = type(stores.vectors).add

    def refuse_one(self, chunks, embeddings, batch=256):
        if any(c.doc_id == bad for c in chunks):
            raise RuntimeError("vector refused (injected)")
        return real(self, chunks, embeddings)

    monkeypatch.setattr(type(stores.vectors), "add", refuse_one)
    results = Ingestor(stores).ingest(files, workers=2)
    assert [r.status for r in results] == ["added", "error", "added"]
    assert files[1].name in results[1].error and "injected" in results[1].error
    known = {cid for r in stores.facts.reports() for cid in stores.facts.chunk_ids(r.doc_id)}
    assert stores.vectors.ids() == known  # the refused report left no vector behind


def test_a_report_sqlite_refuses_in_a_batch_is_that_files_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _copy(tmp_path / "in", [SEEDS["石峰"], SEEDS["芦淞"], SEEDS["衡山"]])
    stores = fake_stores(tmp_path / "d")
    real = type(stores.facts).insert_report

    def refuse_second(self, report, *args, **kwargs):
        if report.file == files[1].name:
            raise sqlite3.OperationalError("disk I/O error (injected)")
        return real(self, report, *args, **kwargs)

    monkeypatch.setattr(type(stores.facts), "insert_report", refuse_second)
    results = Ingestor(stores).ingest(files, workers=2)
    assert [r.status for r in results] == ["added", "error", "added"]
    assert files[1].name in results[1].error and "injected" in results[1].error
    known = {cid for r in stores.facts.reports() for cid in stores.facts.chunk_ids(r.doc_id)}
    assert stores.vectors.ids() == known


def test_a_store_failing_before_a_batch_is_written_goes_on_one_by_one(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite busy once while a batch is checked (another process writing): the batch's reports are written one
    by one instead of the whole ingest stopping."""
    files = _copy(tmp_path / "in", [SEEDS["石峰"], SEEDS["芦淞"], SEEDS["衡山"]])
    stores = fake_stores(tmp_path / "d")
    real = type(stores.facts).report
    calls = {"n": 0}

    def busy_once(self, doc_id):
        calls["n"] += 1
        if calls["n"] == 2:
            raise sqlite3.OperationalError("database is locked (injected)")
        return real(self, doc_id)

    monkeypatch.setattr(type(stores.facts), "report", busy_once)
    results = Ingestor(stores).ingest(files, workers=2)
    assert [r.status for r in results] == ["added"] * 3
    assert len(stores.facts.reports()) == 3


def _dies_on_hengshan(job):
    """A parse that kills its worker process (as the OOM killer would) on one file; run here, it parses."""
    if multiprocessing.parent_process() is not None and "衡山" in job.path.name:
        os._exit(3)
    return _real_parse(job)


def test_a_parse_worker_that_dies_on_a_file_is_that_files_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real worker process dies while it parses one file: that file is named in an error line, every other
    file of the folder goes in (parsed in this process once the pool is broken)."""
    import index.ingest as ingest

    files = _copy(tmp_path / "in", sorted(SEEDS.values()))
    stores = fake_stores(tmp_path / "d")
    real = ingest.parsed_in
    monkeypatch.setattr(ingest, "_parse_job", _dies_on_hengshan)  # what the workers run (pickled by name)
    monkeypatch.setattr(ingest, "parsed_in", lambda pool, jobs, ahead=None: real(pool, jobs, ahead=1))
    results = Ingestor(stores).ingest(files, workers=2)
    errors = [r for r in results if r.status == "error"]
    assert [r.file for r in errors] == [SEEDS["衡山"]], results
    assert SEEDS["衡山"] in errors[0].error and "解析进程" in errors[0].error
    assert len(stores.facts.reports()) == len(files) - 1


@pytest.mark.parametrize("folder", [REPORTS, CORPUS])
def test_tokens_piece_by_piece_are_tokenizes(folder: Path) -> None:
    memo = TokenMemo()
    for path in sorted(folder.glob("*.txt"))[:3]:
        for chunk in parse_file(path).chunks:
            assert memo.tokens(chunk.text) == tokenize(chunk.text)
    assert memo.hits > memo.misses  # the pieces recur


def test_token_memo_segments_each_piece_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import index.chunk_tokens as chunk_tokens

    text = "一般公共服务支出\t123.45 万元\n行政运行　 \r\n三公经费 ΑΣ ΣΑ,İx  合计"
    memo = TokenMemo()
    assert memo.tokens(text) == tokenize(text)
    seen: list[str] = []

    def counted(piece: str) -> list[str]:
        seen.append(piece)
        return tokenize(piece)

    monkeypatch.setattr(chunk_tokens, "tokenize", counted)
    assert memo.tokens(text + " 新词") == tokenize(text + " 新词") and seen == ["新词"]
