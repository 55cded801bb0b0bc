"""The keyword index: bm25s over each chunk's jieba tokens (computed at ingest), plus a second bm25 over each
chunk's figure labels (row label, column, the phrase a figure measures).

Rebuilt when the store's generation changes, and saved beside the SQLite store under that generation, so a new
process loads it instead of indexing every chunk again. `allowed` restricts a query to the reports a question's
filters select *before* ranking (a weight mask over the chunks), and only the top `n` are ranked."""

from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np

from core.lexicon import expand_query, tokenize
from core.models import Chunk
from stores.factstore import FactStore


class KeywordIndex:
    def __init__(self, store: FactStore, folder: Path | None = None) -> None:
        self.store = store
        self.folder = folder  # where the built index is saved per generation (None: memory only)
        self._bm25: Any = None
        self._labels: Any = None
        self._generation: int | None = None
        self.chunks: list[Chunk] = []
        self.by_doc: dict[str, list[Chunk]] = {}
        self.by_id: dict[str, Chunk] = {}
        self._rows: dict[str, list[int]] = {}  # doc_id → chunk positions (the weight mask of a filtered query)
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """(Re)build the chunk index if anything was written since it was built."""
        with self._lock:
            generation = self.store.generation()
            if self._bm25 is not None and generation == self._generation:
                return
            import bm25s

            chunks = self.store.chunk_models()
            retriever = self._load(generation, len(chunks))
            if retriever is None:  # the tokens are read only to build (a saved index needs none)
                corpus = [toks or ["∅"] for toks in self.store.chunk_tokens()]
                if len(corpus) != len(chunks):  # written in between (another process): read both at once
                    rows = self.store.chunks()
                    chunks, corpus = [c for c, _ in rows], [toks or ["∅"] for _, toks in rows]
                retriever = bm25s.BM25()
                if corpus:
                    retriever.index(corpus, show_progress=False)
                    self._save(retriever, generation)
                del corpus
            self.chunks, self._bm25, self._labels, self._generation = chunks, retriever, None, generation
            self.by_doc = {}
            for c in chunks:
                self.by_doc.setdefault(c.doc_id, []).append(c)
            self.by_id = {c.chunk_id: c for c in chunks}
            self._rows = {}
            for i, c in enumerate(chunks):
                self._rows.setdefault(c.doc_id, []).append(i)

    def _path(self, generation: int) -> Path | None:
        return self.folder / f"bm25-g{generation}" if self.folder else None

    def _load(self, generation: int, n_chunks: int) -> Any:
        import bm25s

        path = self._path(generation)
        if path is None or not (path / "params.index.json").exists():
            return None
        try:
            retriever = bm25s.BM25.load(str(path), show_progress=False)
        except (OSError, ValueError):
            return None
        return retriever if getattr(retriever, "scores", {}).get("num_docs") == n_chunks else None

    def _save(self, retriever: Any, generation: int) -> None:
        path = self._path(generation)
        if path is None:
            return
        with contextlib.suppress(OSError):
            for old in path.parent.glob("bm25-g*"):
                shutil.rmtree(old, ignore_errors=True)
            retriever.save(str(path), show_progress=False)

    def _label_index(self) -> Any:
        """bm25 over each chunk's figure labels: ranks the passages that *state* a measure's figure above those
        that merely mention its name."""
        self.refresh()
        with self._lock:
            if self._labels is not None:
                return self._labels
            import bm25s

            facts_by_doc: dict[str, list[Any]] = {}
            for f in self.store.facts():
                facts_by_doc.setdefault(f.doc_id, []).append(f)
            corpus = []
            for c in self.chunks:
                labels = []
                for f in facts_by_doc.get(c.doc_id, []):
                    if not c.start <= f.line <= c.end or (c.table_id and f.table_id != c.table_id):
                        continue
                    if c.table_id and f.row_label and f.row_label not in c.text:
                        continue
                    labels += [f.row_label, f.column, f.phrase]
                corpus.append(tokenize(" ".join(x for x in labels if x)) or ["∅"])
            labels_index = bm25s.BM25()
            if corpus:
                labels_index.index(corpus, show_progress=False)
            self._labels = labels_index
            return labels_index

    def bm25(self, query: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        self.refresh()
        return self._lexical(self._bm25, query, allowed, n)

    def labels(self, query: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        return self._lexical(self._label_index(), query, allowed, n)

    def _lexical(self, index: Any, query: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        chunks = self.chunks
        if not chunks or (allowed is not None and not allowed):
            return []
        toks = tokenize(expand_query(query))
        if not toks:
            return []
        mask = None
        if allowed is not None:  # filtered before ranking: chunks of other reports score 0
            mask = np.zeros(len(chunks), dtype=np.float32)
            for doc_id in allowed:
                for i in self._rows.get(doc_id, ()):
                    mask[i] = 1.0
        docs, scores = index.retrieve([toks], k=min(n, len(chunks)), show_progress=False, weight_mask=mask)
        return [chunks[int(i)] for i, score in zip(docs[0], scores[0], strict=True) if score > 0]
