"""Paragraphs as the narrative rules read them: lines a PDF or Word rendering wrapped (`…完成年初预算的` /
`95.45%`), even across blank lines, joined back into one text, with each fact's position in it. A line continues
the previous text line unless that one ends a sentence or opens a list (。：！？) or is a short numbered title, either
is a table row (tabs), or the line starts a heading or a numbered item; page markers are skipped over. Facts keep their own line and offsets; only the rules' view changes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.models import Fact
from core.normalize import normalize_line
from index.narrative import line_figures
from qa.audit.context import Context

_FURNITURE = re.compile(r"^\s*(?:=+\s*page\s*\d+\s*=+|[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?)\s*$",
                        re.IGNORECASE)
_ENDS = re.compile(r"[。：:！？!?]\s*$")
_STARTS = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[、.．](?!\d)|第[一二三四五六七八九十]+部分)")


def _title(line: str) -> bool:
    """A heading line (`（一）财政拨款支出决算总体情况`): numbered, short, no clause punctuation — never continued."""
    text = line.strip()
    return bool(_STARTS.match(text)) and len(text) <= 25 and not re.search(r"[，,。；;]", text)


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
            and not _STARTS.match(line) and not _title(prev)
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
    return paras


def reread(ctx: Context) -> list[Fact]:
    """The facts with phrase, subject, rate kind and rate owner read again over their paragraph, where a line
    break had cut them (`…完成年初预算的` / `95.45%`; `…其他` / `住房保障支出（项）135.00 万元`). Ids, lines and
    offsets stay, so findings and citations are unchanged; the extractor is the same (`index.narrative`)."""
    paras = paragraphs(ctx)
    update: dict[str, dict[str, object]] = {}
    for p in paras:
        if p.start == p.end or not p.facts:
            continue
        norm = normalize_line(p.text)  # as the index reads a line (full-width forms, spaces in `265.57 万元`)
        figs = line_figures(norm.text)
        raw = [norm.span(fig.token.start, fig.token.end)[0] for fig in figs]
        at = {p.pos(f): f for f in p.facts}
        for i, fig in enumerate(figs):
            f = at.get(raw[i])
            if f is None:
                continue
            owner = raw[fig.rate_of_index] if fig.rate_of_index is not None else None
            change: dict[str, object] = {}
            if f.line != p.start or not f.phrase:
                change.update(phrase=fig.phrase, row_label=fig.subject, sentence=fig.sentence)
            if fig.token.unit != f.unit and fig.token.unit.startswith(f.unit):  # `122.43`|`万元`, `14107.46 万`|`元`
                change["unit"] = fig.token.unit
            if fig.rate_kind != f.rate_kind:
                change["rate_kind"] = fig.rate_kind
            if owner is not None and owner in at and at[owner].fact_id != f.rate_of:
                change["rate_of"] = at[owner].fact_id
            if change:
                update[f.fact_id] = change
    if not update:
        return ctx.facts
    return [f.model_copy(update=update[f.fact_id]) if f.fact_id in update else f for f in ctx.facts]


def kind_of(ctx: Context, rate: Fact) -> str | None:
    """The kind of a stated rate (share/growth/completion …) — after `reread`, as the paragraph gives it."""
    return rate.rate_kind


def amount_of(ctx: Context, rate: Fact) -> str | None:
    """The fact id of the amount a stated rate belongs to — after `reread`, across wrapped lines."""
    return rate.rate_of


def para_of(ctx: Context, f: Fact) -> Para:
    paragraphs(ctx)
    by_line: dict[int, Para] = ctx.memo["para_of_line"]
    if f.line not in by_line:  # a fact on a line the view does not hold (hand-made contexts): that line alone
        text = ctx.lines[f.line - 1] if 0 < f.line <= len(ctx.lines) else ""
        by_line[f.line] = Para(f.line, f.line, text, {f.line: 0}, [f])
    return by_line[f.line]
