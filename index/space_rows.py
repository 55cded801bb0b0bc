"""Tables printed with spaces (any PDF converted to text): find them and split their rows into tokens.

A PDF text layer run through an extractor gives one table row per line with cells separated by single
spaces (`2120199 7,957.59 7,957.59`), or one cell per line (`208` / `05` / `01` / `行政单位离退休` /
`821,520.00`). Empty cells vanish in both, so positions alone do not say which column a figure is in;
`index.space_columns` maps them. Here: tokens with their place in the normalised line, the kind of each
(code, number, dash, text), rows, and the extent of each table — a header band of short text lines under a
caption, then value rows, the halves of a 科目名称 wrapped above and below its code line, page breaks and
the header repeated on the next page.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from index.normalize import NormLine

_WS = re.compile(r"[ \u3000\xa0\t]+")
_NUM = re.compile(r"^[-−]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?%?$")
_GLUED = re.compile(r"^([-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?=[一二三四五六七八九十]+、|[\u4e00-\u9fff])")
_DASH = {"-", "--", "—", "——", "－", "/", "…", "……"}
_SENTENCE = re.compile(r"[。；;，,：:]\S|[。；]$")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(?:万元|元|亿元|千元)\s*$|^编制(?:部门|单位)\s*[:：]")
_UNIT_NEXT = re.compile(r"^(?:年|月|日|万|元|亿|个|人|次|名|辆|家|项|%|平方|公里|批)")
_LABEL_START = re.compile(r"^(?:[一二三四五六七八九十]+、|合计|总计|小计)")
_STOP = re.compile(r"^(注[:：]|说明[:：]|备注[:：]|填表人|第[一二三四五六七八九十]+部分)")


@dataclass
class Tok:
    line: int  # 1-based
    start: int  # offset in the normalised line
    text: str  # the normalised text
    kind: str  # code | num | dash | text
    plain: bool = False  # printed as bare digits (no separator, no decimals): can be a 科目编码


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
            out.append(Tok(line_no, ns, norm, kind, text.isdigit()))
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
    return not _SENTENCE.search(t) and t.endswith("表")


def _header_like(row: Row, text: str) -> bool:
    return row.text_only and all(len(t.text) <= 20 for t in row.toks) and len(text) <= 60 and not _SENTENCE.search(text) and not _STOP.match(text)


@dataclass
class Region:
    header: list[Row]  # header band, top to bottom
    body: list[Row]  # value rows and figure-less coded rows, wrapped name halves attached
    start: int  # first line (1-based)
    end: int  # last line (inclusive)


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


def _merge_cell_lines(rows: list[Row | None], texts: dict[int, str]) -> list[Row | None]:
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


def find_regions(raw: list[str], norm: list[NormLine], taken: set[int]) -> list[Region]:
    """Space-separated tables among lines not in `taken` (1-based line numbers of tab-separated blocks)."""
    rows: list[Row | None] = []
    for i, (r, nl) in enumerate(zip(raw, norm, strict=True)):
        toks = [] if (i + 1) in taken or "\t" in r else line_tokens(i + 1, r, nl)
        rows.append(Row(toks, [i + 1]) if toks else None)
    texts = {n: norm[n - 1].text.strip() for n in range(1, len(norm) + 1)}
    rows = _merge_cell_lines(rows, texts)
    regions: list[Region] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if row is None or not _is_value_row(row, texts):
            i += 1
            continue
        # header band: text rows straight above, up to a caption
        h = i - 1
        first = i
        if h >= 0 and _wants_upper(row) and rows[h] is not None and rows[h].text_only:  # type: ignore[union-attr]
            first = h  # the first row's name starts on the line above: not header
            h -= 1
        header: list[Row] = []
        while h >= 0 and rows[h] is not None and len(header) < 16:
            hr = rows[h]
            assert hr is not None
            text = " ".join(texts[n] for n in hr.lines)
            if is_caption(text) or not _header_like(hr, text) or (regions and hr.lines[0] <= regions[-1].end):
                break
            header.insert(0, hr)
            h -= 1
        if not header:
            i += 1
            continue
        body, j = _body(rows, first, texts, header)
        if sum(1 for r in body if r.has_value) < 2 and not (len(body) == 1 and len(header) >= 2):
            i += 1
            continue
        start = header[0].lines[0]
        end = max(n for r in body for n in r.lines)
        regions.append(Region(header, body, start, end))
        i = j
    return regions


def _is_value_row(row: Row, texts: dict[int, str]) -> bool:
    if not any(t.kind == "num" for t in row.toks):
        return False
    label = "".join(t.text for t in row.toks if t.kind == "text")
    return len(label) <= 60 and not any(_SENTENCE.search(t.text) for t in row.toks if t.kind == "text")


def _body(rows: list[Row | None], i: int, texts: dict[int, str], header: list[Row]) -> tuple[list[Row], int]:
    """Value rows from i on, with wrapped 科目名称 halves folded into their code rows; (rows, next index).
    Rows without figures (`十二、农林水支出`, `31022 无形资产购置`) stay in the table when value rows follow."""
    head_keys = {re.sub(r"\s+", "", " ".join(texts[n] for n in r.lines)) for r in header}
    body: list[Row] = []
    j = i
    blank = 0
    upper: Row | None = None  # a name's upper half, waiting for its code row
    while j < len(rows):
        row = rows[j]
        if row is None:
            blank += 1
            if blank > 3:
                break
            j += 1
            continue
        blank = 0
        text = " ".join(texts[n] for n in row.lines)
        nxt = next((r for r in rows[j + 1 : j + 3] if r is not None), None)
        if _is_value_row(row, texts):
            if upper is not None:
                k = _label_slot(row)
                row = Row(row.toks[:k] + upper.toks + row.toks[k:], row.lines + upper.lines, k + len(upper.toks))
                upper = None
            body.append(row)
            j += 1
            continue
        if upper is not None:
            break
        if re.sub(r"\s+", "", text) in head_keys:  # the header repeated after a page break
            j += 1
            continue
        if len(text) > 40 or _SENTENCE.search(text) or _STOP.match(text) or is_caption(text):
            break
        prev = body[-1] if body else None
        if row.text_only and len(text) <= 16 and prev is not None and _took_upper(prev) and prev.lines[-1] < row.lines[0]:
            k = prev.slot if prev.slot >= 0 else _label_end(prev)  # the lower half of the name above
            prev.toks[k:k] = row.toks
            prev.lines.append(row.lines[0])
            j += 1
            continue
        if row.text_only and len(text) <= 16 and nxt is not None and _is_value_row(nxt, texts) and nxt.toks[0].kind == "code":
            upper = row
            j += 1
            continue
        ahead = [r for r in rows[j + 1 : j + 9] if r is not None]
        if any(_is_value_row(r, texts) for r in ahead):
            body.append(row)  # a row with no figures
            j += 1
            continue
        break
    return body, j


def _label_at(row: Row) -> int:
    """Where a row's label goes: after its code tokens."""
    k = 0
    while k < len(row.toks) and row.toks[k].kind == "code":
        k += 1
    return k


def _label_end(row: Row) -> int:
    k = _label_at(row)
    while k < len(row.toks) and row.toks[k].kind == "text":
        k += 1
    return k


def _label_slot(row: Row) -> int:
    """Where a wrapped name belongs: after the first code that has no name (`30108 518.69 30206 电费`), else
    after the leading code."""
    for k, t in enumerate(row.toks):
        if t.kind == "code" and k + 1 < len(row.toks) and row.toks[k + 1].kind in ("num", "dash"):
            return k + 1
    return _label_at(row)


def _took_upper(row: Row) -> bool:
    """A code row whose label came from the line above and has no lower half yet."""
    return len(row.lines) == 2 and row.lines[1] < row.lines[0]


def _wants_upper(row: Row | None) -> bool:
    """A code row printed without its name: the name's halves are on the lines above and below."""
    return row is not None and row.toks[0].kind == "code" and not any(t.kind == "text" for t in row.toks)
