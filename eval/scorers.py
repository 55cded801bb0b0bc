"""Small deterministic scorers, one per metric (each defined in the report):

- numeric: a gold figure counts as answered when a figure in the answer equals it after unit normalisation,
  within half a unit of the gold figure's last digit;
- citations: a citation is correct when its passage (the cited line) contains the gold quote, or lies inside
  the lines the quote spans;
- refusal: the answer refuses (`has_answer=false`) exactly when the item is unanswerable;
- key points: the share of an item's key points present in the answer text;
- retrieval: a gold passage is retrieved when a hit's line span covers the quote's lines in the same report."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from core.figures import extract_figures
from core.numbers import half_unit, to_base

REFUSAL_TYPES = {"unanswerable"}


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def gold_refuses(item: dict[str, Any]) -> bool:
    return item["type"] in REFUSAL_TYPES or bool(item.get("refuse"))


def gold_value(value: Any) -> str:
    """A gold figure as text: a dataset written by hand may give `value` as a JSON number (12.5) or a string."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"gold value must be a number or a numeric string, not {value!r}")
    if isinstance(value, float):
        return repr(value) if "e" not in repr(value) else format(Decimal(repr(value)), "f")
    return str(value).replace(",", "").strip()


def _gold_base(value: Any, unit: str) -> tuple[Decimal, str, Decimal]:
    value = gold_value(value)
    v = Decimal(value)
    decimals = len(value.split(".", 1)[1]) if "." in value else 0
    base, bunit = to_base(v, unit)
    tol, _ = to_base(half_unit(decimals), unit)
    return base, {"名": "人", "ratio": "ratio"}.get(bunit, bunit), abs(tol)


def numbers_hit(item: dict[str, Any], answer: str) -> list[bool]:
    figures = extract_figures(answer)
    hits = []
    for g in item.get("numbers", []):
        base, unit, tol = _gold_base(g["value"], g["unit"])
        ok = False
        for f in figures:
            funit = {"名": "人"}.get(f.base_unit, f.base_unit)
            same = funit == unit or (unit in ("个", "人", "名", "分", "") and funit in ("", unit))
            if same and abs(f.base - base) <= tol:
                ok = True
                break
        hits.append(ok)
    return hits


def quote_lines(text: str, quote: str) -> list[tuple[int, int]]:
    """1-based (first, last) line spans of every occurrence of quote in text."""
    spans = []
    start = text.find(quote)
    while start >= 0:
        first = text.count("\n", 0, start) + 1
        last = first + quote.count("\n")
        spans.append((first, last))
        start = text.find(quote, start + 1)
    return spans


def citation_correct(citation: dict[str, Any], item: dict[str, Any], texts: dict[str, str]) -> bool:
    for s in item.get("sources", []):
        if citation.get("file") != s["doc"] and s["doc"] in texts:
            continue
        if compact(s["quote"]) and compact(s["quote"]) in compact(citation.get("quote", "")):
            return True
        text = texts.get(citation.get("file", ""), "")
        if any(a <= citation.get("line", -1) <= b for a, b in quote_lines(text, s["quote"])):
            return True
    return False


def source_cited(source: dict[str, Any], citations: list[dict[str, Any]], texts: dict[str, str]) -> bool:
    item = {"sources": [source]}
    return any(citation_correct(c, item, texts) for c in citations)


def key_point_recall(item: dict[str, Any], answer: str) -> float | None:
    points = item.get("key_points") or []
    if not points:
        return None
    a = _plain_figures(compact(answer))
    return sum(_plain_figures(compact(p)) in a for p in points) / len(points)


def _plain_figures(text: str) -> str:
    """Figures without thousands separators: 115,649 and 115649 are one figure."""
    return re.sub(r"(?<=\d)[,，](?=\d{3}(?!\d))", "", text)


def score_item(item: dict[str, Any], response: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    answer = response.get("answer", "")
    refused = not response.get("has_answer", True)
    hits = numbers_hit(item, answer) if not refused else [False] * len(item.get("numbers", []))
    cits = response.get("citations", [])
    correct_cits = [citation_correct(c, item, texts) for c in cits]
    sources_hit = [source_cited(s, cits, texts) for s in item.get("sources", [])]
    kp = key_point_recall(item, answer) if not refused else 0.0 if item.get("key_points") else None
    if gold_refuses(item):
        correct, why = refused, "refused" if refused else "answered an unanswerable question"
    elif refused:
        correct, why = False, "refused an answerable question"
    elif item["type"] == "text":
        correct = (kp or 0) >= 0.5
        why = f"key points {kp:.2f}" if kp is not None else "no key points"
    else:
        correct = all(hits) and (kp is None or kp >= 0.5 or item["type"] != "inconsistency")
        missing = [gold_value(g["value"]) + g["unit"] for g, h in zip(item.get("numbers", []), hits, strict=True) if not h]
        why = "all gold figures present" if correct else f"missing {', '.join(missing)}" if missing else "key points missing"
    unsupported = [f for f in response.get("figures", []) if f.get("verdict") in ("mismatch", "unsupported")]
    return {
        "correct": correct, "why": why, "refused": refused, "numbers_hit": hits,
        "citations_correct": correct_cits, "sources_hit": sources_hit, "key_point_recall": kp,
        "figures_flagged": len(unsupported), "figures": len(response.get("figures", [])),
        "figures_cited": sum(1 for f in response.get("figures", []) if f.get("citations")),
    }
