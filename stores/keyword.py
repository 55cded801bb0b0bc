"""The keyword index: bm25s over each chunk's jieba tokens (computed at ingest), plus a second bm25 over each
chunk's figure labels (row label, column, the phrase a figure measures). Rebuilt when the store's generation
changes; `allowed` restricts results to the reports a question's filters select."""

from __future__ import annotations

import threading
from typing import Any

from core.lexicon import expand_query, tokenize
from core.models import Chunk
from stores.factstore import FactStore


class KeywordIndex:
    def __init__(self, store: FactStore) -> None:
        self.store = store
        self._bm25: Any = None
        self._labels: Any = None
        self._generation: int | None = None
        self.chunks: list[Chunk] = []
        self.by_doc: dict[str, list[Chunk]] = {}
        self.by_id: dict[str, Chunk] = {}
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """(Re)build the chunk index if anything was written since it was built."""
        with self._lock:
            generation = self.store.generation()
            if self._bm25 is not None and generation == self._generation:
                return
            import bm25s

            rows = self.store.chunks()
            chunks = [c for c, _ in rows]
            corpus = [toks or ["∅"] for _, toks in rows]
            retriever = bm25s.BM25()
            if corpus:
                retriever.index(corpus, show_progress=False)
            self.chunks, self._bm25, self._labels, self._generation = chunks, retriever, None, generation
            self.by_doc = {}
            for c in chunks:
                self.by_doc.setdefault(c.doc_id, []).append(c)
            self.by_id = {c.chunk_id: c for c in chunks}

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
        if not chunks:
            return []
        toks = tokenize(expand_query(query))
        if not toks:
            return []
        docs, scores = index.retrieve([toks], k=len(chunks), show_progress=False)
        out = []
        for idx, score in zip(docs[0], scores[0], strict=True):
            chunk = chunks[int(idx)]
            if score <= 0 or (allowed is not None and chunk.doc_id not in allowed):
                continue
            out.append(chunk)
            if len(out) >= n:
                break
        return out
