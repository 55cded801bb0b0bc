"""Tokens of table lines printed with spaces or one cell per line: located, classified, grouped into rows.

Each whitespace-separated token keeps its place in the normalised line and a kind: `code` (科目编码, also
split as 类/款/项 `208 05 01`), `num` (a figure, with or without thousands separators), `dash` (a printed
empty cell) or `text`. A figure glued to the next label (`47,483,458一、社会保障和就业支出`) is split; a
number followed by a unit or 年 (`2024 年度`, `0.39 万元`) is sentence text, not a cell. In one-cell-per-line
text, runs of single-token lines are regrouped into rows (codes, name, figures).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from core.normalize import NormLine

_WS = re.compile(r"[ \u3000\xa0\t]+")
_ALIGNED = re.compile(r"\S {3,}\S")  # columns set with runs of spaces: positions mean something
_NUM = re.compile(r"^[-−]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?%?$")
_GLUED = re.compile(r"^([-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?=[一二三四五六七八九十]+、|[\u4e00-\u9fff])")
_DASH = {"-", "--", "—", "——", "－", "/", "…", "……"}
SENTENCE = re.compile(r"[。；;，,：:]\S|[。；]$")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(?:万元|元|亿元|千元)\s*$|^编制(?:部门|单位)\s*[:：]")
_UNIT_NEXT = re.compile(r"^(?:年|月|日|万|元|亿|个|人|次|名|辆|家|项|%|平方|公里|批)")
_LABEL_START = re.compile(r"^(?:[一二三四五六七八九十]+、|合计|总计|小计)")
STOP = re.compile(r"^(注[:：]|说明[:：]|备注[:：]|填表人|第[一二三四五六七八九十]+部分)")


@dataclass
class Tok:
    line: int  # 1-based
    start: int  # offset in the normalised line
    text: str  # the normalised text
    kind: str  # code | num | dash | text
    plain: bool = False  # printed as bare digits (no separator, no decimals): can be a 科目编码
    col: int = 0  # character column in the raw line
    width: int = 0  # characters as printed
    aligned: bool = False  # the line sets its columns with runs of spaces (pdftotext -layout): col means something


@dataclass
class Row:
    toks: list[Tok]
    lines: list[int] = field(default_factory=list)
    slot: int = -1  # where a wrapped name's lower half goes (after its upper half)

    @property
    def kinds(self) -> list[str]:
        return [t.kind for t in self.toks]

    @property
    def has_value(self) -> bool:
        return any(t.kind in ("num", "dash") for t in self.toks)

    @property
    def text_only(self) -> bool:
        return all(t.kind == "text" for t in self.toks)


def _norm_span(nl: NormLine, rs: int, re_: int) -> tuple[int, int]:
    offs = nl.offsets[: len(nl.text)]
    return bisect.bisect_left(offs, rs), bisect.bisect_left(offs, re_)


def line_tokens(line_no: int, raw: str, nl: NormLine) -> list[Tok]:
    """Whitespace-separated tokens of a raw line, located in its normalised text and classified."""
    out: list[Tok] = []
    pos = 0
    aligned = bool(_ALIGNED.search(raw.strip()))
    for part in _WS.split(raw):
        start = raw.index(part, pos) if part else pos
        pos = start + len(part)
        if not part:
            continue
        pieces = [(start, part)]
        m = _GLUED.match(part)
        if m and ("," in m.group(1) or "." in m.group(1) or len(m.group(1)) >= 4) and not _UNIT_NEXT.match(part[m.end(1):]):
            pieces = [(start, m.group(1)), (start + m.end(1), part[m.end(1):])]  # 47,483,458一、社会保障…
        for s, text in pieces:
            ns, ne = _norm_span(nl, s, s + len(text))
            norm = nl.text[ns:ne]
            if not norm.strip():
                continue
            kind = "num" if _NUM.match(text.replace("，", ",")) else "dash" if text in _DASH else "text"
            out.append(Tok(line_no, ns, norm, kind, text.isdigit(), s, len(text), aligned))
    for a, b, c in zip(out, out[1:], out[2:], strict=False):
        named = c.kind == "text" and not _LABEL_START.match(c.text) and re.fullmatch(r"\d{3}(?:\d{2}){0,2}", b.text)
        unnamed = c.kind == "num" and not re.fullmatch(r"\d+", c.text) and re.fullmatch(r"\d{5}(?:\d{2})?", b.text)
        if a.kind in ("num", "dash") and b.kind == "num" and (named or unnamed):
            b.kind = "code"  # `… 11,860.23 302 商品和服务支出 1,844.57`: the right-hand group's 科目编码
    mark_codes(out)
    for a, b in zip(out, out[1:], strict=False):
        if a.kind == "num" and b.kind == "text" and _UNIT_NEXT.match(b.text):
            a.kind = "text"  # `2024 年度…`, `0.39 万元`: a figure inside a sentence, not a cell
    return out


def mark_codes(out: list[Tok]) -> None:
    """A leading 科目编码 (2120199, or 类/款/项 split as 208 05 01) followed by a name is a code, not a figure."""
    if out and out[0].kind == "num" and re.fullmatch(r"\d{3}(?:\d{2}){0,2}", out[0].text) and len(out) > 1:
        k = 1
        if len(out[0].text) == 3:
            while k < len(out) and k < 3 and re.fullmatch(r"\d{2}", out[k].text):
                k += 1
        rest = out[k:]
        figure_next = bool(rest) and rest[0].kind in ("num", "dash") and not re.fullmatch(r"\d+", rest[0].text)
        if rest and (rest[0].kind == "text" or k > 1 or figure_next):  # `2120199 7,957.59 …` (name wrapped)
            for t in out[:k]:
                t.kind = "code"


def is_caption(text: str) -> bool:
    """A table's title (`…表`), unit line (`单位：元`) or `编制部门：…` line."""
    t = text.strip()
    if not t or len(t) > 60:
        return False
    if _UNIT_LINE.search(t):
        return True
    return not SENTENCE.search(t) and t.endswith("表")


def header_like(row: Row, text: str) -> bool:
    return row.text_only and all(len(t.text) <= 20 for t in row.toks) and len(text) <= 60 and not SENTENCE.search(text) and not STOP.match(text)


CELL_RUN = 8  # this many single-token lines in a row (blank lines aside): one cell per line


def _cell_runs(rows: list[Row | None]) -> set[int]:
    """Indexes of rows inside runs of at least CELL_RUN single-token lines."""
    out: set[int] = set()
    run: list[int] = []
    for i, row in enumerate([*rows, Row([Tok(0, 0, "", "text")] * 2)]):
        if row is None:
            continue
        if len(row.toks) == 1 or all(t.kind in ("num", "dash") for t in row.toks):  # two figures on one line
            run.append(i)
            continue
        if len(run) >= CELL_RUN:
            out.update(run)
        run = []
    return out


def merge_cell_lines(rows: list[Row | None], texts: dict[int, str]) -> list[Row | None]:
    """One-cell-per-line text: consecutive single-token lines form a row — 科目编码 parts (`208` `05` `01`), a
    name, then figures; the next code or name after a figure starts the next row. Captions stay lines of their
    own. Only long runs of single-token lines are read this way: a short one is a header band or a wrapped name."""
    out: list[Row | None] = []
    cur: Row | None = None
    phase = ""
    runs = _cell_runs(rows)

    def flush() -> None:
        nonlocal cur
        if cur:
            mark_codes(cur.toks)
            out.append(cur)
        cur = None

    for i, row in enumerate(rows):
        if row is None or i not in runs or is_caption(texts[row.lines[0]]):
            flush()
            out.append(row)
            phase = ""
            continue
        tok = row.toks[0]
        if len(row.toks) > 1:  # figures only
            kind = "figs"
        elif tok.plain and (len(tok.text) in (3, 5, 7) or (len(tok.text) == 2 and phase == "code")):
            kind = "code"
        else:
            kind = "label" if tok.kind == "text" else "figs"
        if cur is not None and ((kind == "code" and phase != "code") or (kind == "label" and phase == "figs")):
            flush()
        if cur is None:
            cur = Row([], [])
        cur.toks += row.toks
        cur.lines.append(tok.line)
        phase = kind
    flush()
    return out
