"""Ingestion into every store, idempotent and atomic per report.

Same content → skipped; a file whose content changed → the new version replaces the old one. Parsing and
embedding happen before any write and outside the service's lock; Chroma vectors are added next (invisible
until SQLite knows their ids), then SQLite rows in one transaction — the only step under the write lock. A
failure half-way rolls back SQLite and removes the vectors just added: every store stays as it was; a kill
leaves at most orphan vectors, which search ignores. A folder is parsed in worker processes
(`QA_INGEST__WORKERS`) while this process, the one writer, embeds and writes the reports in batches
(`QA_INGEST__WRITE_BATCH`): one embedding call and one Chroma write per batch, each report's rows on their own.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.lexicon import tokenize
from core.models import Report
from index.chunk_tokens import chunk_tokens
from index.doc_check import held_warning
from index.ingest_result import IngestResult, NoGuard, StoreGuard, expand_paths, failed
from index.org_names import region_of
from index.parse import PARSER_VERSION, ParsedReport, parse_file
from stores import Stores


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
    is this file's error, never the batch's. What the writer does not store (normalised lines, cell spans) is
    dropped here: it need not cross to the writer process."""
    try:
        parsed = parse_file(job.path, org=job.org, year=job.year, max_mb=job.max_mb, chunk_chars=job.chunk_chars,
                            table_rows=job.table_rows, kind=job.kind, max_text_mb=job.max_text_mb)
        parsed.norm, parsed.index_cells, parsed.code_cells = [], [], []
        return parsed, chunk_tokens([c.text for c in parsed.chunks]), ""
    except UserError as exc:
        return None, None, exc.render()
    except Exception as exc:  # a reader or parser bug on odd input: reported for this file, the rest go on
        return None, None, failed(job.path.name, "解析失败 / could not parse", exc)


def _exit_with_parent() -> None:
    """In a parse worker: exit when the writer process dies (killed with -9, say). The pool's queues are held
    open by every worker, so without this a worker would wait on them forever, holding its memory."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def parsed_in(pool: Executor, jobs: list[_Job], ahead: int | None = None) -> Iterator[_Prepared]:
    """Each job's parse from the worker processes, in order. At most `ahead` parses are submitted and not yet
    taken (all when None): a finished parse is held only until the writer takes it, so memory does not grow with
    the folder. A worker that dies (killed, out of memory) breaks the pool: the file it was waiting for gets an
    error and the remaining files are parsed in this process."""
    limit = max(1, ahead or len(jobs))
    waiting: deque[Future[_Prepared]] = deque()
    submitted = 0
    broken = False
    for k, job in enumerate(jobs):
        prepared: _Prepared | None = None
        if not broken:
            try:
                while submitted < len(jobs) and len(waiting) < limit:
                    waiting.append(pool.submit(_parse_job, jobs[submitted]))
                    submitted += 1
            except BrokenExecutor:  # a submit refused: the pool knows a worker died
                broken = True
            if k < submitted:
                try:
                    prepared = waiting.popleft().result()
                except BrokenExecutor as exc:
                    broken = True
                    prepared = None, None, failed(job.path.name, "解析进程异常退出 / the parsing process died", exc)
        yield prepared if prepared is not None else _parse_job(job)


class Ingestor:
    def __init__(self, stores: Stores, guard: StoreGuard | None = None) -> None:
        """`guard`: taken to read (is this content already stored?) and to write (the commit) only — parsing and
        embedding run outside it, so questions never wait for them."""
        self.stores = stores
        self.settings = stores.settings
        self.guard: StoreGuard = guard or NoGuard()

    def ingest_file(self, path: Path, org: str | None = None, year: int | None = None,
                    kind: str | None = None) -> IngestResult:
        t0 = time.perf_counter()
        return self._write(path, _parse_job(self._job(path, org, year, kind)), t0)

    def _job(self, path: Path, org: str | None, year: int | None, kind: str | None) -> _Job:
        s = self.settings
        return _Job(path, org, year, kind, s.ingest.max_file_mb, s.ingest.max_text_mb, s.chunking.max_chars,
                    s.chunking.table_rows)

    def _checked(self, path: Path, prepared: _Prepared, t0: float) -> IngestResult:
        """The result of one parsed file before any write: `error` (not parsed), `skipped` (this content, by this
        parser, is stored) or `added` (to write)."""
        parsed, _, error = prepared
        if parsed is None:
            return IngestResult(path.name, "error", error=error, seconds=time.perf_counter() - t0)
        rep = parsed.report
        result = IngestResult(path.name, "added", rep.doc_id, rep.org, rep.year, rep.doc_type, len(parsed.facts),
                              len(parsed.chunks), len(parsed.tables), tables_found=list(rep.tables_found),
                              coverage=rep.coverage, warnings=[w for w in (held_warning(rep), *rep.warnings) if w],
                              held=bool(rep.missing_metadata))
        store = self.stores.facts
        with self.guard.read():
            if store.report(rep.doc_id) is not None and store.parser_version(rep.doc_id) == PARSER_VERSION:
                result.status = "skipped"
                result.seconds = time.perf_counter() - t0
        return result

    def _write(self, path: Path, prepared: _Prepared, t0: float) -> IngestResult:
        """Write one parsed report into every store, atomically (the writer: one process, one thread)."""
        result = self._checked(path, prepared, t0)
        parsed, tokens, _ = prepared
        if result.status != "added" or parsed is None:
            return result
        embeddings = self.stores.embedder.embed_documents([c.text for c in parsed.chunks])  # outside the lock
        return self._commit(parsed, tokens, embeddings, result, t0)

    def _write_batch(self, items: list[tuple[Path, _Prepared]], t0: float) -> list[IngestResult]:
        """Several parsed reports: their vectors in one embedding call and one Chroma write, then each report's
        rows in its own SQLite transaction (a report that fails there is that file's error). A batch whose vectors
        cannot be written is written report by report, so the error names the file at fault."""
        results = [self._checked(path, prepared, t0) for path, prepared in items]
        todo: dict[int, ParsedReport] = {}
        for i, (res, (_, (parsed, _, _))) in enumerate(zip(results, items, strict=True)):
            if res.status == "added" and any(results[j].doc_id == res.doc_id for j in todo):
                res.status = "skipped"  # the same content twice in one batch: stored once
            elif res.status == "added" and parsed is not None:
                todo[i] = parsed
        chunks = [c for parsed in todo.values() for c in parsed.chunks]
        written = False
        if len(todo) > 1:
            try:
                self.stores.vectors.add(chunks, self.stores.embedder.embed_documents([c.text for c in chunks]))
                written = True
            except Exception:
                with contextlib.suppress(Exception):  # vectors the stored rows use stay
                    with self.guard.read():
                        used = {cid for parsed in todo.values() for cid in self._old_versions(parsed.report)[1]}
                    self.stores.vectors.delete([c.chunk_id for c in chunks if c.chunk_id not in used])
        for i, parsed in todo.items():
            path, prepared = items[i]
            try:
                results[i] = (self._commit(parsed, prepared[1], None, results[i], t0) if written
                              else self._write(path, prepared, t0))
            except Exception as exc:  # a store refused this report (rolled back): the next ones still go in
                results[i] = IngestResult(path.name, "error", error=failed(path.name, "写入失败 / could not store", exc))
        return results

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
        SQLite rows in one transaction under it: a question waits only for that transaction. `embeddings` None:
        the vectors were written already (with their batch)."""
        rep = parsed.report
        store = self.stores.facts
        vectors = self.stores.vectors
        with self.guard.read():
            old, old_chunk_ids = self._old_versions(rep)
        added: list[str] = []
        try:
            added = [c.chunk_id for c in parsed.chunks]
            if embeddings is not None:
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
        `QA_INGEST__WORKERS` setting) while this process embeds and writes the reports as their parses arrive, in
        order and in batches — each report atomic, so a killed run resumes where it stopped (finished reports are
        skipped)."""
        files = expand_paths(paths)
        workers = self.settings.ingest.workers if workers is None else workers
        jobs = [self._job(path, org, year, kind) for path in files]
        if workers > 1 and len(files) > 2:
            batch = self.settings.ingest.write_batch
            context = multiprocessing.get_context("spawn")  # the parent holds model threads: never fork it
            with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=context,
                                     initializer=_exit_with_parent) as pool:
                try:
                    results = self._write_all(files, parsed_in(pool, jobs, ahead=batch + 2 * workers), on_progress, batch)
                except BaseException:  # Ctrl-C: the parses not started are dropped, not waited for
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
            if any(r.status in ("added", "replaced") for r in results):
                # a folder's keyword index is built and saved here, once: the answering processes load it instead
                # of each building it on its first question (at 1,000 reports ~3 s and ~400 MB at its peak)
                self.stores.keyword.refresh()
            return results
        return self._write_all(files, map(_parse_job, jobs), on_progress)

    def _write_one(self, path: Path, prepared: _Prepared, t0: float) -> IngestResult:
        try:
            return self._write(path, prepared, t0)
        except Exception as exc:  # a store refused this report (rolled back): the next files still go in
            return IngestResult(path.name, "error", error=failed(path.name, "写入失败 / could not store", exc))

    def _write_all(self, files: list[Path], prepared: Iterable[_Prepared],
                   on_progress: Callable[[IngestResult, int, int], None] | None, batch: int = 1) -> list[IngestResult]:
        """Write the parses as they arrive, `batch` at a time; the progress advances per report."""
        results: list[IngestResult] = []
        pending: list[tuple[Path, _Prepared]] = []
        last = time.perf_counter()  # a report's seconds: since the previous one was written (its parse, or the wait)
        for n, (path, job) in enumerate(zip(files, prepared, strict=True), start=1):
            pending.append((path, job))
            if len(pending) < batch and n < len(files):
                continue
            written: list[IngestResult] = []
            if len(pending) > 1:
                with contextlib.suppress(Exception):  # the store failed outside one report's write: one by one
                    written = self._write_batch(pending, last)
            if not written:
                written = [self._write_one(p, prepared_one, last) for p, prepared_one in pending]
            seconds = (time.perf_counter() - last) / len(pending)
            for res in written:
                res.seconds = seconds
                results.append(res)
                if on_progress:
                    on_progress(res, len(results), len(files))
            pending = []
            last = time.perf_counter()
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
