"""Hybrid retrieval: bm25 over jieba tokens, dense vectors from Chroma and — for questions about figures — the
passages holding the facts the question's measure resolves to, fused by weighted reciprocal rank and restricted
to the reports a question's 单位/year/type filters select."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.errors import UserError
from core.models import Chunk, Fact
from qa.filters import QueryFilters, parse_filters, strip_filter_words
from qa.resolve import budget_of, norm, rank_facts, want_dimension
from qa.understand import detect_intent, parse_question
from stores import Stores

MODES = ("hybrid", "dense", "bm25", "labels")
TEXT_BONUS = 0.05
# above this many reports in scope the figure ranking reads only the facts labelled with the measure (one indexed
# query) instead of scoring every fact of every report (~15 ms a report)
FIGURE_SCAN_LIMIT = 20
DENSE_AMONG_LIMIT = 4000  # chunks of the allowed reports ranked from their vectors read by id (else a filtered query)
DENSE_FILTER_SLOW = 5000  # from this many chunks a filtered Chroma query is slower than reading the allowed vectors
# How a question asks (compare, rank, list) — not what it is about; dropped before searching.
_ASKING = re.compile(
    "哪个单位|哪家单位|哪个|各单位|各个单位|分别|最多|最少|最大|最小|最高|最低|谁多|谁少|谁高|谁低|比较|对比|"
    "排序|排名|相差|多多少|少多少|差多少|是多少|有多少|多少|给|按|呢|吗|？|\\?"
)


@dataclass
class Hit:
    chunk: Chunk
    score: float
    bm25_rank: int | None = None
    dense_rank: int | None = None
    label_rank: int | None = None

    def as_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "chunk_id": c.chunk_id, "score": round(self.score, 6), "bm25_rank": self.bm25_rank,
            "dense_rank": self.dense_rank, "label_rank": self.label_rank, "org": c.org, "year": c.year, "doc_type": c.doc_type,
            "section": c.section, "table_id": c.table_id, "lines": [c.start, c.end], "text": c.text,
        }


class Searcher:
    """Hybrid search over the shared stores: the keyword index and fact repository are the stores' own, so every
    reader sees the same, current data."""

    def __init__(self, stores: Stores) -> None:
        self.stores = stores

    def _keyword_index(self) -> None:
        self.stores.keyword.refresh()

    def labels(self, query: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        return self.stores.keyword.labels(query, allowed, n)

    def figures(self, question: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        """The passages holding the facts the structured engine would answer from: the question's measure (and
        its second measure or denominator) resolved against each report's facts, each chunk ranked by its best
        fact. Falls back to the label ranking when the question names no measure. Over more than
        `FIGURE_SCAN_LIMIT` reports only the facts labelled with the measure are ranked."""
        self._keyword_index()  # the chunks by report; the label index is built only if the fallback needs it
        reports = [r for r in self.stores.facts.reports() if allowed is None or r.doc_id in allowed]
        q = parse_question(question, reports)
        measures = [m for m in (q.measure, q.second, q.denominator) if len(m) >= 2]
        if not measures:
            return self.labels(question, allowed, n)
        best_of: dict[str, float] = {}
        budget_words = [m for m in (q.denominator, q.second) if "预算" in m]
        rate = q.intent in ("share", "execution", "growth")  # its operands are amounts; its printed rate counts too
        labelled: dict[str, dict[str, list[Fact]]] = {}
        many = len(reports) > FIGURE_SCAN_LIMIT
        if many:  # many reports: the facts labelled with each measure, one query each
            ids = [r.doc_id for r in reports] if allowed is not None else None
            for m in measures:
                for f in self.stores.facts.facts_labelled(norm(m), ids):
                    labelled.setdefault(m, {}).setdefault(f.doc_id, []).append(f)
            reports = [r for r in reports if any(r.doc_id in by_doc for by_doc in labelled.values())]
        for r in reports:
            everything = self._facts_of(r.doc_id) if not many else []
            for m in measures:
                facts = labelled.get(m, {}).get(r.doc_id, []) if many else everything
                dims = [want_dimension(m, "lookup") or "money", "ratio"] if rate else [want_dimension(m + q.text, "lookup")]
                # 预算 named only for the denominator (占全年预算数的比例) does not make the numerator a budget
                budget = budget_of(m) if m != q.measure or budget_words else q.budget
                for dim in dims if m == q.measure else dims[:1]:
                    for scored in rank_facts(facts, m, q.text, dim, budget):  # all: a row's many cells must not
                        if scored.score <= 0.3:                                    # crowd out its sentence
                            break
                        # a sentence that states the figure in words reads better than a table cell with the
                        # same score: narrative first on ties
                        score = scored.score + (TEXT_BONUS if scored.fact.kind == "text" else 0.0)
                        for c in self._chunks_at(scored.fact):
                            best_of[c.chunk_id] = max(best_of.get(c.chunk_id, 0.0), score)
        by_id = self.stores.keyword.by_id
        order = sorted(best_of, key=lambda cid: -best_of[cid])
        return [by_id[cid] for cid in order if best_of[cid] > 0.3][:n]

    def _facts_of(self, doc_id: str) -> list[Fact]:
        return self.stores.repository.facts([doc_id])

    def _chunks_at(self, fact: Fact) -> list[Chunk]:
        return [c for c in self.stores.keyword.by_doc.get(fact.doc_id, []) if c.start <= fact.line <= c.end
                and (not c.table_id or c.table_id == fact.table_id)]

    def bm25(self, query: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        return self.stores.keyword.bm25(query, allowed, n)

    def dense(self, query: str, allowed: set[str] | None, n: int) -> list[Chunk]:
        self._keyword_index()
        by_id = self.stores.keyword.by_id
        where = {"doc_id": {"$in": sorted(allowed)}} if allowed else None
        if allowed is not None and not allowed:
            return []
        emb = self.stores.embedder.embed_query(query)
        large = len(self.stores.keyword.chunks) > DENSE_FILTER_SLOW
        among = [c.chunk_id for d in allowed for c in self.stores.keyword.by_doc.get(d, [])] if allowed and large else []
        if among and len(among) <= DENSE_AMONG_LIMIT:  # a few reports of many: their vectors by id, ranked here
            hits = self.stores.vectors.query_among(emb, sorted(among), n)
        else:
            hits = self.stores.vectors.query(emb, n, where)
        return [by_id[cid] for cid, _ in hits if cid in by_id]  # ids unknown to SQLite are orphans

    def search(self, query: str, k: int | None = None, mode: str = "hybrid",
               filters: QueryFilters | None = None) -> tuple[list[Hit], QueryFilters]:
        if mode not in MODES:
            raise UserError(f"未知检索模式 {mode} / unknown mode", f"可选：{', '.join(MODES)}")
        s = self.stores.settings.search
        k = k or s.k
        stored = self.stores.facts.reports()
        if not stored:
            raise UserError("索引为空，还没有导入任何报告 / the index is empty", "先运行：qa ingest data/reports")
        reports = [r for r in stored if not r.missing_metadata]  # held reports (单位/年度 unknown) are not searched
        filters = filters if filters is not None else parse_filters(query, reports)
        allowed = {r.doc_id for r in reports if filters.matches(r)} \
            if (filters.orgs or filters.years or filters.kinds or len(reports) < len(stored)) else None
        about_figures = detect_intent(query) != "text"
        question = query
        query = strip_filter_words(query, filters) if filters.matched else query
        query = _ASKING.sub(" ", query).strip() or query
        ranked: dict[str, Hit] = {}
        lists: list[tuple[str, list[Chunk], float]] = []
        if mode in ("hybrid", "bm25"):
            lists.append(("bm25", self.bm25(query, allowed, s.candidates), s.bm25_weight))
        if mode in ("hybrid", "dense"):
            lists.append(("dense", self.dense(query, allowed, s.candidates), s.dense_weight))
        if mode == "labels" or (mode == "hybrid" and s.label_weight and about_figures):
            lists.append(("labels", self.figures(question, allowed, s.candidates), s.label_weight))
        for name, chunks, weight in lists:
            for rank, chunk in enumerate(chunks, start=1):
                hit = ranked.setdefault(chunk.chunk_id, Hit(chunk, 0.0))
                hit.score += weight / (s.rrf_k + rank)
                if name == "bm25":
                    hit.bm25_rank = rank
                elif name == "dense":
                    hit.dense_rank = rank
                else:
                    hit.label_rank = rank
        hits = sorted(ranked.values(), key=lambda h: -h.score)
        if s.diversify and len(allowed if allowed is not None else reports) > 1:
            hits = interleave_reports(hits)
        return hits[:k], filters


def interleave_reports(hits: list[Hit]) -> list[Hit]:
    """Round-robin over reports in score order: a question spanning several reports (哪个单位…, 醴陵和荷塘…)
    sees each report's best passage before any report's second best."""
    by_doc: dict[str, list[Hit]] = {}
    for h in hits:
        by_doc.setdefault(h.chunk.doc_id, []).append(h)
    out: list[Hit] = []
    depth = 0
    while len(out) < len(hits):
        out.extend(group[depth] for group in by_doc.values() if depth < len(group))
        depth += 1
    return out
