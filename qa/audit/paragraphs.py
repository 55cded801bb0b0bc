"""Paragraphs as the narrative rules read them: lines a PDF or Word rendering wrapped (`…完成年初预算的` /
`95.45%`), even across blank lines, joined back into one text, with each fact's position in it. A line continues
the previous text line unless that one ends a sentence or clause (。；：！？), either is a table row (tabs) or the
line starts a heading or a numbered item. Facts keep their own line and offsets; only the rules' view changes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.models import Fact
from qa.audit.context import Context

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
    prev = ""
    for n, line in enumerate(ctx.lines, start=1):
        if not line.strip():
            continue
        joined = paras and prev and not _ENDS.search(prev) and "\t" not in prev and "\t" not in line \
            and not _STARTS.match(line)
        if joined:
            p = paras[-1]
            p.end = n
        else:
            p = Para(n, n)
            paras.append(p)
        p.base[n] = len(p.text)
        p.text += line
        prev = line
    by_line = {n: p for p in paras for n in p.base}
    for f in sorted(ctx.facts, key=lambda f: (f.line, f.char_start)):
        if f.kind == "text" and f.line in by_line:
            by_line[f.line].facts.append(f)
    ctx.memo["paragraphs"] = paras
    ctx.memo["para_of_line"] = by_line
    return paras


def para_of(ctx: Context, f: Fact) -> Para:
    paragraphs(ctx)
    found: Para = ctx.memo["para_of_line"][f.line]
    return found
