"""Hybrid retrieval: bm25 over jieba tokens and dense vectors from Chroma, fused by reciprocal rank,
restricted to the reports a question's 单位/year/type filters select."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from index.ingest import Stores
from index.lexicon import expand_query, tokenize
from qa.errors import UserError
from qa.filters import QueryFilters, parse_filters, strip_filter_words
from qa.models import Chunk

MODES = ("hybrid", "dense", "bm25")


@dataclass
class Hit:
    chunk: Chunk
    score: float
    bm25_rank: int | None = None
    dense_rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "chunk_id": c.chunk_id, "score": round(self.score, 6), "bm25_rank": self.bm25_rank,
            "dense_rank": self.dense_rank, "org": c.org, "year": c.year, "doc_type": c.doc_type,
            "section": c.section, "table_id": c.table_id, "lines": [c.start, c.end], "text": c.text,
        }


class Searcher:
    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        self._bm25: Any = None
        self._bm25_version: tuple[int, str] | None = None
        self._chunks: list[Chunk] = []

    def _keyword_index(self) -> None:
        version = self.stores.facts.version()
        if self._bm25 is not None and version == self._bm25_version:
            return
        import bm25s

        rows = self.stores.facts.chunks()
        self._chunks = [c for c, _ in rows]
        corpus = [toks or ["∅"] for _, toks in rows]
        retriever = bm25s.BM25()
        if corpus:
            retriever.index(corpus, show_progress=False)
        self._bm25, self._bm25_version = retriever, version

    def bm25(self, query: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        self._keyword_index()
        if not self._chunks:
            return []
        toks = tokenize(expand_query(query))
        if not toks:
            return []
        docs, scores = self._bm25.retrieve([toks], k=len(self._chunks), show_progress=False)
        out = []
        for idx, score in zip(docs[0], scores[0], strict=True):
            chunk = self._chunks[int(idx)]
            if score <= 0 or (allowed is not None and chunk.doc_id not in allowed):
                continue
            out.append(chunk)
            if len(out) >= n:
                break
        return out

    def dense(self, query: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        self._keyword_index()
        by_id = {c.chunk_id: c for c in self._chunks}
        where = {"doc_id": {"$in": sorted(allowed)}} if allowed else None
        if allowed is not None and not allowed:
            return []
        emb = self.stores.embedder.embed_query(query)
        hits = self.stores.vectors.query(emb, n, where)
        return [by_id[cid] for cid, _ in hits if cid in by_id]  # ids unknown to SQLite are orphans

    def search(self, query: str, k: int | None = None, mode: str = "hybrid",
               filters: QueryFilters | None = None) -> tuple[list[Hit], QueryFilters]:
        if mode not in MODES:
            raise UserError(f"未知检索模式 {mode} / unknown mode", f"可选：{', '.join(MODES)}")
        s = self.stores.settings.search
        k = k or s.k
        reports = self.stores.facts.reports()
        if not reports:
            raise UserError("索引为空，还没有导入任何报告 / the index is empty", "先运行：qa ingest data/reports")
        filters = filters if filters is not None else parse_filters(query, reports)
        allowed = {r.doc_id for r in reports if filters.matches(r)} if (filters.orgs or filters.years or filters.kinds) else None
        query = strip_filter_words(query, filters) if filters.matched else query
        ranked: dict[str, Hit] = {}
        lists: list[tuple[str, list[Chunk], float]] = []
        if mode in ("hybrid", "bm25"):
            lists.append(("bm25", self.bm25(query, allowed, s.candidates), s.bm25_weight))
        if mode in ("hybrid", "dense"):
            lists.append(("dense", self.dense(query, allowed, s.candidates), s.dense_weight))
        for name, chunks, weight in lists:
            for rank, chunk in enumerate(chunks, start=1):
                hit = ranked.setdefault(chunk.chunk_id, Hit(chunk, 0.0))
                hit.score += weight / (s.rrf_k + rank)
                if name == "bm25":
                    hit.bm25_rank = rank
                else:
                    hit.dense_rank = rank
        hits = sorted(ranked.values(), key=lambda h: -h.score)[:k]
        return hits, filters
