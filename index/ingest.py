"""Ingestion into every store, idempotent and atomic per report.

Same content → skipped; a file whose content changed → the new version replaces the old one. Parsing and
embedding happen before any write; SQLite rows are written in one transaction and Chroma vectors inside it,
so a failure half-way rolls back SQLite and removes the vectors just added: every store stays as it was.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UserError
from core.lexicon import tokenize
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


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")))
        else:
            out.append(p)
    return out


class Ingestor:
    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        self.settings = stores.settings

    def parse(self, path: Path, org: str | None, year: int | None, kind: str | None = None) -> ParsedReport:
        return parse_file(path, org=org, year=year, max_mb=self.settings.ingest.max_file_mb,
                          chunk_chars=self.settings.chunking.max_chars, table_rows=self.settings.chunking.table_rows,
                          kind=kind)

    def ingest_file(self, path: Path, org: str | None = None, year: int | None = None,
                    kind: str | None = None) -> IngestResult:
        t0 = time.perf_counter()
        try:
            parsed = self.parse(path, org, year, kind)
        except UserError as exc:
            return IngestResult(path.name, "error", error=exc.render(), seconds=time.perf_counter() - t0)
        rep = parsed.report
        result = IngestResult(path.name, "added", rep.doc_id, rep.org, rep.year, rep.doc_type, len(parsed.facts),
                              len(parsed.chunks), len(parsed.tables), tables_found=list(rep.tables_found),
                              coverage=rep.coverage, warnings=list(rep.warnings))
        store = self.stores.facts
        stale = store.report(rep.doc_id)
        if stale and store.parser_version(rep.doc_id) == PARSER_VERSION:
            result.status = "skipped"
            result.seconds = time.perf_counter() - t0
            return result
        old = [r for r in store.reports_by_file(rep.file) if r.doc_id != rep.doc_id]
        if stale:  # the same text, parsed by an older parser: replaced with what this parser finds
            old.append(stale)
        old_chunk_ids = [cid for r in old for cid in store.chunk_ids(r.doc_id)]
        tokens = [tokenize(c.text) for c in parsed.chunks]
        embeddings = self.stores.embedder.embed_documents([c.text for c in parsed.chunks])
        vectors = self.stores.vectors
        added: list[str] = []
        try:
            with store.transaction():
                for r in old:
                    store.delete_report(r.doc_id)
                store.insert_report(rep, parsed.lines, parsed.sections, parsed.tables, parsed.facts, parsed.chunks, tokens,
                                    parser=PARSER_VERSION)
                added = [c.chunk_id for c in parsed.chunks]
                vectors.add(parsed.chunks, embeddings)
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
               kind: str | None = None) -> list[IngestResult]:
        files = expand_paths(paths)
        results: list[IngestResult] = []
        for n, path in enumerate(files, start=1):
            res = self.ingest_file(path, org, year, kind)
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
