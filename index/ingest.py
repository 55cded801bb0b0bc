"""Ingestion into every store, idempotent and atomic per report.

Same content → skipped; a file whose content changed → the new version replaces the old one. Parsing and
embedding happen before any write; SQLite rows are written in one transaction and Chroma vectors inside it,
so a failure half-way rolls back SQLite and removes the vectors just added: every store stays as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.embedder import Embedder, SentenceTransformerEmbedder
from index.factstore import FactStore
from index.lexicon import tokenize
from index.parse import PARSER_VERSION, ParsedReport, parse_file
from index.vectorstore import ChromaStore
from qa.errors import UserError
from qa.settings import Settings


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
    warnings: list[str] = field(default_factory=list)  # read, but not all as printed (radicals, pages without text)


@dataclass
class Stores:
    """The stores of one data directory, opened lazily (the embedding model loads only when needed)."""

    settings: Settings
    _facts: FactStore | None = None
    _vectors: ChromaStore | None = None
    _embedder: Embedder | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def facts(self) -> FactStore:
        if self._facts is None:
            self._facts = FactStore(self.settings.sqlite_path)
        return self._facts

    @property
    def vectors(self) -> ChromaStore:
        if self._vectors is None:
            self._vectors = ChromaStore(self.settings)
        return self._vectors

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(self.settings.embedder)
        return self._embedder


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

    def parse(self, path: Path, org: str | None, year: int | None) -> ParsedReport:
        return parse_file(path, org=org, year=year, max_mb=self.settings.ingest.max_file_mb,
                          chunk_chars=self.settings.chunking.max_chars, table_rows=self.settings.chunking.table_rows)

    def ingest_file(self, path: Path, org: str | None = None, year: int | None = None) -> IngestResult:
        import time

        t0 = time.perf_counter()
        try:
            parsed = self.parse(path, org, year)
        except UserError as exc:
            return IngestResult(path.name, "error", error=exc.render(), seconds=time.perf_counter() - t0)
        rep = parsed.report
        result = IngestResult(path.name, "added", rep.doc_id, rep.org, rep.year, rep.doc_type, len(parsed.facts),
                              len(parsed.chunks), len(parsed.tables), warnings=list(parsed.warnings))
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
               on_progress: Callable[[IngestResult, int, int], None] | None = None) -> list[IngestResult]:
        files = expand_paths(paths)
        results: list[IngestResult] = []
        for n, path in enumerate(files, start=1):
            res = self.ingest_file(path, org, year)
            results.append(res)
            if on_progress:
                on_progress(res, n, len(files))
        return results

    def remove(self, doc_id: str) -> bool:
        store = self.stores.facts
        if not store.report(doc_id):
            return False
        ids = store.chunk_ids(doc_id)
        with store.transaction():
            store.delete_report(doc_id)
        self.stores.vectors.delete(ids)
        return True
