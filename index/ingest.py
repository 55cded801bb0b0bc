"""Ingestion into every store, idempotent and atomic per report.

Same content → skipped; a file whose content changed → the new version replaces the old one. Parsing and
embedding happen before any write and outside the service's lock; Chroma vectors are added next (invisible
until SQLite knows their ids), then SQLite rows in one transaction — the only step under the write lock. A
failure half-way rolls back SQLite and removes the vectors just added: every store stays as it was; a kill
leaves at most orphan vectors, which search ignores.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.errors import UserError
from core.lexicon import tokenize
from core.models import Report
from index.doc_check import held_warning
from index.org_names import region_of
from index.parse import PARSER_VERSION, ParsedReport, parse_file
from stores import Stores


@dataclass
class IngestResult:
    file: str
    status: str  # added | replaced | skipped | error
    doc_id: str = ""
    org: str = ""
    year: int | None = None
    doc_type: str = ""
    facts: int = 0
    chunks: int = 0
    tables: int = 0
    error: str = ""
    seconds: float = 0.0
    tables_found: list[str] = field(default_factory=list)  # canonical names (index/profiles/)
    coverage: float | None = None  # share of numeric tokens that became facts
    warnings: list[str] = field(default_factory=list)  # metadata unsure, tables missing, reader problems …
    held: bool = False  # stored, but out of the answer scope until its 单位/year is set (qa docs --set)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            out.extend(found or [p])  # an empty folder is reported, not silently dropped
        else:
            out.append(p)
    return out


@dataclass(frozen=True)
class _Job:
    path: Path
    org: str | None
    year: int | None
    kind: str | None
    max_mb: float
    max_text_mb: float
    chunk_chars: int
    table_rows: int


_Prepared = tuple["ParsedReport | None", "list[list[str]] | None", str]


def _parse_job(job: _Job) -> _Prepared:
    """Read, parse and tokenise one file — the CPU-bound part, run in a worker process for folders. Any failure
    is this file's error, never the batch's."""
    try:
        parsed = parse_file(job.path, org=job.org, year=job.year, max_mb=job.max_mb, chunk_chars=job.chunk_chars,
                            table_rows=job.table_rows, kind=job.kind, max_text_mb=job.max_text_mb)
        return parsed, [tokenize(c.text) for c in parsed.chunks], ""
    except UserError as exc:
        return None, None, exc.render()
    except Exception as exc:  # a reader or parser bug on odd input: reported for this file, the rest go on
        return None, None, failed(job.path.name, "解析失败 / could not parse", exc)


def failed(file: str, what: str, exc: BaseException) -> str:
    return f"{file}: {what} ({type(exc).__name__}: {str(exc)[:200]})\n  提示 / hint: 其余文件照常导入；请检查此文件或报告问题"


def parsed_in(pool: Executor, jobs: list[_Job]) -> Iterator[_Prepared]:
    """Each job's parse from the worker processes, in order. A worker that dies (killed, out of memory) breaks
    the pool: the file it was waiting for gets an error and the remaining files are parsed in this process."""
    futures = [pool.submit(_parse_job, job) for job in jobs]
    broken = False
    for job, future in zip(jobs, futures, strict=True):
        if broken:
            yield _parse_job(job)
            continue
        try:
            yield future.result()
        except BrokenExecutor as exc:
            broken = True
            yield None, None, failed(job.path.name, "解析进程异常退出 / the parsing process died", exc)


class StoreGuard(Protocol):
    """The readers–writer lock a service shares with its questions (qa.service.ReadWriteLock)."""

    def read(self) -> AbstractContextManager[None]: ...

    def write(self) -> AbstractContextManager[None]: ...


class _NoGuard:
    def read(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def write(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()


class Ingestor:
    def __init__(self, stores: Stores, guard: StoreGuard | None = None) -> None:
        """`guard`: taken to read (is this content already stored?) and to write (the commit) only — parsing and
        embedding run outside it, so questions never wait for them."""
        self.stores = stores
        self.settings = stores.settings
        self.guard: StoreGuard = guard or _NoGuard()

    def ingest_file(self, path: Path, org: str | None = None, year: int | None = None,
                    kind: str | None = None) -> IngestResult:
        t0 = time.perf_counter()
        return self._write(path, _parse_job(self._job(path, org, year, kind)), t0)

    def _job(self, path: Path, org: str | None, year: int | None, kind: str | None) -> _Job:
        s = self.settings
        return _Job(path, org, year, kind, s.ingest.max_file_mb, s.ingest.max_text_mb, s.chunking.max_chars,
                    s.chunking.table_rows)

    def _write(self, path: Path, prepared: _Prepared, t0: float) -> IngestResult:
        """Write one parsed report into every store, atomically (the writer: one process, one thread)."""
        parsed, tokens, error = prepared
        if parsed is None:
            return IngestResult(path.name, "error", error=error, seconds=time.perf_counter() - t0)
        rep = parsed.report
        result = IngestResult(path.name, "added", rep.doc_id, rep.org, rep.year, rep.doc_type, len(parsed.facts),
                              len(parsed.chunks), len(parsed.tables), tables_found=list(rep.tables_found),
                              coverage=rep.coverage, warnings=[w for w in (held_warning(rep), *rep.warnings) if w],
                              held=bool(rep.missing_metadata))
        store = self.stores.facts
        with self.guard.read():
            current = store.report(rep.doc_id) is not None and store.parser_version(rep.doc_id) == PARSER_VERSION
        if current:
            result.status = "skipped"
            result.seconds = time.perf_counter() - t0
            return result
        embeddings = self.stores.embedder.embed_documents([c.text for c in parsed.chunks])  # outside the lock
        return self._commit(parsed, tokens, embeddings, result, t0)

    def _old_versions(self, rep: Report) -> tuple[list[Report], list[str]]:
        """Reports this one replaces (an earlier version of the file, or the same text by an older parser)."""
        store = self.stores.facts
        stale = store.report(rep.doc_id)
        old = [r for r in store.reports_by_file(rep.file) if r.doc_id != rep.doc_id]
        if stale:  # the same text, parsed by an older parser: replaced with what this parser finds
            old.append(stale)
        return old, [cid for r in old for cid in store.chunk_ids(r.doc_id)]

    def _commit(self, parsed: ParsedReport, tokens: list[list[str]] | None, embeddings: Any, result: IngestResult,
                t0: float) -> IngestResult:
        """Vectors first, outside the write lock (ids SQLite does not know yet are invisible to search), then the
        SQLite rows in one transaction under it: a question waits only for that transaction."""
        rep = parsed.report
        store = self.stores.facts
        vectors = self.stores.vectors
        with self.guard.read():
            old, old_chunk_ids = self._old_versions(rep)
        added: list[str] = []
        try:
            added = [c.chunk_id for c in parsed.chunks]
            vectors.add(parsed.chunks, embeddings)
            with self.guard.write():
                old, old_chunk_ids = self._old_versions(rep)  # as they are now (a removal may have run meanwhile)
                with store.transaction():
                    for r in old:
                        store.delete_report(r.doc_id)
                    store.insert_report(rep, parsed.lines, parsed.sections, parsed.tables, parsed.facts,
                                        parsed.chunks, tokens or [], pages=parsed.pages, parser=PARSER_VERSION)
        except Exception:
            if added:
                # if this fails too the vectors are orphans: search ignores ids SQLite does not know
                with contextlib.suppress(Exception):  # ids the old rows (restored by the rollback) still use stay
                    still_used = set(old_chunk_ids)
                    vectors.delete([cid for cid in added if cid not in still_used])
            raise
        if old:
            result.status = "replaced"
            kept = set(added)
            with contextlib.suppress(Exception):
                vectors.delete([cid for cid in old_chunk_ids if cid not in kept])
        result.seconds = time.perf_counter() - t0
        return result

    def ingest(self, paths: Iterable[Path], org: str | None = None, year: int | None = None,
               on_progress: Callable[[IngestResult, int, int], None] | None = None,
               kind: str | None = None, workers: int | None = None) -> list[IngestResult]:
        """Ingest files and folders. With several files, parsing runs in `workers` processes (default: the
        `QA_INGEST__WORKERS` setting) while this process embeds and writes each report as its parse arrives, in
        order — each report atomic, so a killed run resumes where it stopped (finished reports are skipped)."""
        files = expand_paths(paths)
        workers = self.settings.ingest.workers if workers is None else workers
        jobs = [self._job(path, org, year, kind) for path in files]
        if workers > 1 and len(files) > 2:
            context = multiprocessing.get_context("spawn")  # the parent holds model threads: never fork it
            with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=context) as pool:
                return self._write_all(files, parsed_in(pool, jobs), on_progress)
        return self._write_all(files, map(_parse_job, jobs), on_progress)

    def _write_all(self, files: list[Path], prepared: Iterable[_Prepared],
                   on_progress: Callable[[IngestResult, int, int], None] | None) -> list[IngestResult]:
        results: list[IngestResult] = []
        last = time.perf_counter()  # a report's seconds: since the previous one was written (its parse, or the wait)
        for n, (path, job) in enumerate(zip(files, prepared, strict=True), start=1):
            try:
                res = self._write(path, job, last)
            except Exception as exc:  # a store refused this report (rolled back): the next files still go in
                res = IngestResult(path.name, "error", error=failed(path.name, "写入失败 / could not store", exc),
                                   seconds=time.perf_counter() - last)
            last = time.perf_counter()
            results.append(res)
            if on_progress:
                on_progress(res, n, len(files))
        return results

    def set_metadata(self, doc_id: str, org: str | None = None, year: int | None = None, doc_type: str | None = None,
                     region: str | None = None) -> int:
        """Correct a report's metadata after ingest: SQLite (report, chunks and their tokens) and the vectors of
        the chunks whose heading changed (re-embedded, upserted with the new metadata). Returns chunks changed."""
        if org is not None and region is None:
            region = region_of(org)
        chunks = self.stores.facts.set_metadata(doc_id, org=org, year=year, doc_type=doc_type, region=region,
                                                tokenize=tokenize)
        if chunks:
            self.stores.vectors.add(chunks, self.stores.embedder.embed_documents([c.text for c in chunks]))
        return len(chunks)

    def remove(self, doc_id: str) -> bool:
        store = self.stores.facts
        if not store.report(doc_id):
            return False
        ids = store.chunk_ids(doc_id)
        with store.transaction():
            store.delete_report(doc_id)
        self.stores.vectors.delete(ids)
        return True
