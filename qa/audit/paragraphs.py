"""Paragraphs as the narrative rules read them: lines a PDF or Word rendering wrapped (`…完成年初预算的` /
`95.45%`), even across blank lines, joined back into one text, with each fact's position in it. A line continues
the previous text line unless that one ends a sentence or clause (。；：！？), either is a table row (tabs) or the
line starts a heading or a numbered item. Facts keep their own line and offsets; only the rules' view changes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.models import Fact
from index.narrative import rate_kind
from qa.audit.context import Context

_FURNITURE = re.compile(r"^\s*(?:=+\s*page\s*\d+\s*=+|[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?)\s*$",
                        re.IGNORECASE)
_SENTENCE = re.compile(r"[。；;！？!?]")
_ENDS = re.compile(r"[。；;：:！？!?]\s*$")
_STARTS = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[、.．](?!\d)|第[一二三四五六七八九十]+部分)")


@dataclass
class Para:
    start: int
    end: int
    text: str = ""
    base: dict[int, int] = field(default_factory=dict)  # line → offset of its first character in `text`
    facts: list[Fact] = field(default_factory=list)  # text facts, in reading order

    def pos(self, f: Fact) -> int:
        return self.base[f.line] + f.char_start

    def end_pos(self, f: Fact) -> int:
        return self.base[f.line] + f.char_end

    def before(self, f: Fact) -> list[Fact]:
        return [g for g in self.facts if self.pos(g) < self.pos(f)]


def paragraphs(ctx: Context) -> list[Para]:
    if "paragraphs" in ctx.memo:
        cached: list[Para] = ctx.memo["paragraphs"]
        return cached
    paras: list[Para] = []
    prev, last = "", None
    for n, line in enumerate(ctx.lines, start=1):
        if not line.strip():
            continue
        if _FURNITURE.match(line):  # a page marker between two halves of a sentence: its own, joins nothing
            paras.append(Para(n, n, line, {n: 0}))
            continue
        joined = last is not None and prev and not _ENDS.search(prev) and "\t" not in prev and "\t" not in line \
            and not _STARTS.match(line)
        if joined and last is not None:
            p = last
            p.end = n
        else:
            p = Para(n, n)
            paras.append(p)
        p.base[n] = len(p.text)
        p.text += line
        prev, last = line, p
    by_line = {n: p for p in paras for n in p.base}
    for f in sorted(ctx.facts, key=lambda f: (f.line, f.char_start)):
        if f.kind == "text" and f.line in by_line:
            by_line[f.line].facts.append(f)
    ctx.memo["paragraphs"] = paras
    ctx.memo["para_of_line"] = by_line
    kinds: dict[str, str] = {}
    ctx.memo["rate_of"] = _rates_across_lines(paras, kinds)
    ctx.memo["rate_kind"] = kinds
    return paras


def _rates_across_lines(paras: list[Para], kinds: dict[str, str]) -> dict[str, str]:
    """A rate at the start of a wrapped line (`…265.57 万元，` / `占 1.31%`) belongs to the last amount before it
    in the same sentence of the paragraph (the extractor, reading one line, could not see it)."""
    out: dict[str, str] = {}
    for p in paras:
        for i, f in enumerate(p.facts):
            if f.unit == "%" and f.rate_kind in (None, "rate"):  # `…占本年支出合计` / `的 99.86%`
                at = p.pos(f)
                start = max((m.end() for m in _SENTENCE.finditer(p.text, 0, at)), default=0)
                kind = rate_kind(p.text[max(start, at - 24):at], "%")
                if kind and kind != f.rate_kind:
                    kinds[f.fact_id] = kind
            if (kinds.get(f.fact_id) or f.rate_kind) not in ("share", "growth", "completion") or f.rate_of:
                continue
            for g in reversed(p.facts[:i]):
                if _SENTENCE.search(p.text[p.end_pos(g):p.pos(f)]):
                    break
                if g.unit in ("万元", "元", "亿元") and not g.rate_kind:
                    out[f.fact_id] = g.fact_id
                    break
    return out


def kind_of(ctx: Context, rate: Fact) -> str | None:
    """The kind of a stated rate (share/growth/completion …), read over the paragraph when its words were on
    the previous line."""
    paragraphs(ctx)
    found: str | None = ctx.memo["rate_kind"].get(rate.fact_id) or rate.rate_kind
    return found


def amount_of(ctx: Context, rate: Fact) -> str | None:
    """The fact id of the amount a stated rate belongs to, across wrapped lines."""
    paragraphs(ctx)
    found: str | None = rate.rate_of or ctx.memo["rate_of"].get(rate.fact_id)
    return found


def para_of(ctx: Context, f: Fact) -> Para:
    paragraphs(ctx)
    by_line: dict[int, Para] = ctx.memo["para_of_line"]
    if f.line not in by_line:  # a fact on a line the view does not hold (hand-made contexts): that line alone
        text = ctx.lines[f.line - 1] if 0 < f.line <= len(ctx.lines) else ""
        by_line[f.line] = Para(f.line, f.line, text, {f.line: 0}, [f])
    return by_line[f.line]
