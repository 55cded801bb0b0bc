"""Report text as a reader sees it, for text answers: lines a PDF or Word rendering wrapped at a fixed width
(`…宜川路街道办事处是普陀区人民政府的派出机关，受区人民` / `政府领导，…`) joined back into paragraphs, each
paragraph cut into sentences that know the lines they came from, so an answer quotes whole sentences and cites
their first line.

A line continues the previous text line when that one was cut by the page width — it does not end a sentence
(。！？；) and it is about as wide as the document's typical text line, or the line begins with what no sentence
begins with (`，` `）` `3.88%`) — and neither line is a table row (tabs) and
the line does not start a heading or numbered item, and the previous line is no numbered heading. Blank lines and page markers between two halves are skipped."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from functools import lru_cache

_ENDS = re.compile(r"[。！？!?；;]\s*$")
_STARTS = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}\s*[、.．](?!\d)|"
                     r"第[一二三四五六七八九十]+部分|[①-⑳])")
_FURNITURE = re.compile(r"^\s*(?:=+\s*page\s*\d+\s*=+|[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?)\s*$",
                        re.IGNORECASE)
# a line cannot begin with a closing mark or a bare percentage: it continues the previous line whatever its width
_CONTINUES = re.compile(r"^\s*(?:[，。、；：）)%％]|\d+(?:\.\d+)?\s*[%％])")
_CHAPTER = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+部分)")
_TOC = re.compile(r"…{2,}|\.{4,}|·{4,}")
_SENTENCE = re.compile(r"[^。！？!?；;]*(?:[。！？!?；;]+|$)")


def width(text: str) -> int:
    """Display width: a CJK or full-width character counts two, anything else one."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text.strip())


def is_table_row(line: str) -> bool:
    return "\t" in line.strip()


@dataclass
class Sentence:
    text: str
    line: int  # the line its first character is on
    para: int  # index of its paragraph


@dataclass
class Paragraph:
    start: int
    end: int
    text: str = ""
    lines: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # offset of each line's first character in text

    def line_at(self, pos: int) -> int:
        k = 0
        for i, off in enumerate(self.offsets):
            if off <= pos:
                k = i
        return self.lines[k]

    @property
    def first_line(self) -> str:
        return self.text[:self.offsets[1]] if len(self.offsets) > 1 else self.text

    @property
    def table(self) -> bool:
        return is_table_row(self.text)


def typical_width(lines: list[str]) -> int:
    """The width text lines are wrapped at: the upper quartile of the widths of the non-table text lines."""
    ws = sorted(width(x) for x in lines if x.strip() and not is_table_row(x) and width(x) >= 20)
    if len(ws) < 4:
        return max(ws, default=0)
    return int(statistics.quantiles(ws, n=4)[2])


def paragraphs(lines: list[str], start: int = 1, end: int | None = None) -> list[Paragraph]:
    """The paragraphs of lines start..end (1-based, inclusive)."""
    return [p for p in _all_paragraphs(tuple(lines)) if p.end >= start and (end is None or p.start <= end)]


@lru_cache(maxsize=32)
def _all_paragraphs(lines: tuple[str, ...]) -> list[Paragraph]:
    wrap = typical_width(list(lines))
    out: list[Paragraph] = []
    prev = ""
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or _FURNITURE.match(line):
            continue
        joined = (out and prev and not _ENDS.search(prev) and not is_table_row(prev) and not is_table_row(line)
                  and not _STARTS.match(line) and not heading(prev) and (width(prev) >= 0.8 * wrap or bool(_CONTINUES.match(line))))
        if joined:
            p = out[-1]
            p.end = n
        else:
            p = Paragraph(n, n)
            out.append(p)
        p.lines.append(n)
        p.offsets.append(len(p.text))
        p.text += line
        prev = line
    return out


def sentences(paras: list[Paragraph], first: int = 0) -> list[Sentence]:
    """The sentences of paragraphs (cut after 。！？；), each with the line it starts on."""
    out: list[Sentence] = []
    for i, p in enumerate(paras, start=first):
        pos = 0
        for m in _SENTENCE.finditer(p.text):
            s = m.group(0)
            if s.strip():
                out.append(Sentence(s.strip(), p.line_at(pos + len(s) - len(s.lstrip())), i))
            pos = m.end()
    return out


def heading(line: str) -> bool:
    """A chapter heading line (`八、政府性基金预算财政拨款收入支出决算情况说明`, `（三）…`): short, no clause
    punctuation — the text after it is not its continuation. (`3、…（类）…（款）文化` items do wrap.)"""
    text = line.strip()
    return bool(_CHAPTER.match(text)) and len(text) <= 30 and not re.search(r"[，,。；;：:]", text)


def toc_line(text: str) -> bool:
    """A table-of-contents entry (`一、部门主要职能 ……………… 3`): a pointer to a section, never its content."""
    return bool(_TOC.search(text))


def compact(text: str) -> str:
    """Text as compared: no spaces, quotes or brackets' width differences."""
    return re.sub(r"[\s“”\"'‘’「」]", "", text).replace("（", "(").replace("）", ")")
