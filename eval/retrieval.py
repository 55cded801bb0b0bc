"""Retrieval metrics: recall@k and MRR of the gold passages, for any search mode (bm25, dense, hybrid).

A gold passage is a dataset item's `sources[].quote`; it is found at rank r when the r-th hit's line span
covers one of the quote's occurrences in the same report. Items that must refuse, have no sources or depend
on conversation history are left out (retrieval there is not about one passage). `only_docs` keeps the
items whose gold passages all lie in the named report files — the held-out-report measurement.
"""

from __future__ import annotations

from typing import Any

from eval.scorers import gold_refuses, quote_lines


def retrieval_items(items: list[dict[str, Any]], only_docs: set[str] | None = None) -> list[dict[str, Any]]:
    out = []
    for it in items:
        if gold_refuses(it) or not it.get("sources") or it.get("history"):
            continue
        if only_docs is not None and not all(s["doc"] in only_docs for s in it["sources"]):
            continue
        out.append(it)
    return out


def gold_ranks(items: list[dict[str, Any]], searcher: Any, texts: dict[str, str], files: dict[str, str],
               mode: str = "hybrid", depth: int = 10) -> list[int | None]:
    """Rank (1-based) at which each gold passage is first retrieved, None when not in the top `depth`.

    `files` maps doc_id → file name; `texts` maps file name → text."""
    ranks: list[int | None] = []
    for it in items:
        found, _ = searcher.search(it["question"], k=depth, mode=mode)
        for s in it["sources"]:
            docs = [s["doc"]] if s["doc"] in texts else list(texts)
            where = {d: quote_lines(texts[d], s["quote"]) for d in docs}
            rank = None
            for r, h in enumerate(found, start=1):
                spans = where.get(files.get(h.chunk.doc_id, ""), [])
                if any(a <= h.chunk.end and b >= h.chunk.start for a, b in spans):
                    rank = r
                    break
            ranks.append(rank)
    return ranks


def summarize(ranks: list[int | None], ks: tuple[int, ...] = (5, 10)) -> dict[str, float]:
    if not ranks:
        return {**{f"recall@{k}": 0.0 for k in ks}, "mrr": 0.0, "passages": 0}
    out: dict[str, float] = {f"recall@{k}": round(sum(1 for r in ranks if r and r <= k) / len(ranks), 4) for k in ks}
    out["mrr"] = round(sum(1 / r for r in ranks if r) / len(ranks), 4)
    out["passages"] = len(ranks)
    return out


def retrieval_metrics(items: list[dict[str, Any]], searcher: Any, texts: dict[str, str], files: dict[str, str],
                      mode: str = "hybrid", only_docs: set[str] | None = None) -> dict[str, float]:
    chosen = retrieval_items(items, only_docs)
    return summarize(gold_ranks(chosen, searcher, texts, files, mode=mode))
