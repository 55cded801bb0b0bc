"""Tables printed with spaces (any PDF converted to text): where each one is, and its rows.

A PDF text layer run through an extractor gives one table row per line with cells separated by single
spaces (`2120199 7,957.59 7,957.59`), or one cell per line (`208` / `05` / `01` / `行政单位离退休` /
`821,520.00`); `index.space_tokens` splits those into tokens and rows. Here: the extent of each table — a
header band of short text lines under a caption, then value rows, the halves of a 科目名称 wrapped above and
below its code line, rows without figures, page breaks and the header repeated on the next page. Empty
cells vanish in both layouts, so `index.space_columns` maps figures to columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.normalize import NormLine
from index.space_tokens import SENTENCE, STOP, Row, header_like, is_caption, line_tokens, merge_cell_lines


@dataclass
class Region:
    header: list[Row]  # header band, top to bottom
    body: list[Row]  # value rows and figure-less coded rows, wrapped name halves attached
    start: int  # first line (1-based)
    end: int  # last line (inclusive)


def find_regions(raw: list[str], norm: list[NormLine], taken: set[int]) -> list[Region]:
    """Space-separated tables among lines not in `taken` (1-based line numbers of tab-separated blocks)."""
    rows: list[Row | None] = []
    for i, (r, nl) in enumerate(zip(raw, norm, strict=True)):
        toks = [] if (i + 1) in taken or "\t" in r else line_tokens(i + 1, r, nl)
        rows.append(Row(toks, [i + 1]) if toks else None)
    texts = {n: norm[n - 1].text.strip() for n in range(1, len(norm) + 1)}
    rows = merge_cell_lines(rows, texts)
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
        gap = 0
        while h >= 0 and len(header) < 16:
            hr = rows[h]
            if hr is None:  # pdftotext -layout leaves blank lines inside and under the header
                gap += 1
                if gap > 2:
                    break
                h -= 1
                continue
            gap = 0
            text = " ".join(texts[n] for n in hr.lines)
            if is_caption(text) or not header_like(hr, text) or (regions and hr.lines[0] <= regions[-1].end):
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
    return len(label) <= 60 and not any(SENTENCE.search(t.text) for t in row.toks if t.kind == "text")


def _body(rows: list[Row | None], i: int, texts: dict[int, str], header: list[Row]) -> tuple[list[Row], int]:
    """Value rows from i on, with wrapped 科目名称 halves folded into their code rows; (rows, next index).
    Rows without figures (`十二、农林水支出`, `31022 无形资产购置`) stay in the table when value rows follow."""
    head_keys = {re.sub(r"\s+", "", " ".join(texts[n] for n in r.lines)) for r in header}
    # how this table wraps a long 科目名称: above and below a bare code line (some code row has no name), or
    # only onto the line below
    window = [r for r in rows[i : i + 400] if r is not None and _is_value_row(r, texts)]
    wrap_above = any(_wants_upper(r) for r in window)
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
        if len(text) > 40 or SENTENCE.search(text) or STOP.match(text) or is_caption(text):
            break
        prev = body[-1] if body else None
        if row.text_only and len(text) <= 16 and prev is not None and _took_upper(prev) and prev.lines[-1] < row.lines[0]:
            k = prev.slot if prev.slot >= 0 else _label_end(prev)  # the lower half of the name above
            prev.toks[k:k] = row.toks
            prev.lines.append(row.lines[0])
            j += 1
            continue
        below_only = (not wrap_above and row.text_only and len(text) <= 16 and prev is not None and prev.slot < 0
                      and prev.toks[0].kind == "code" and row.lines[0] == prev.lines[0] + 1)
        if below_only and prev is not None:
            prev.toks[_label_end(prev):_label_end(prev)] = row.toks  # `2080505 机关事业单位基本养老保险缴 …` / `费支出`
            prev.lines.append(row.lines[0])
            prev.slot = len(prev.toks)  # no second lower half
            j += 1
            continue
        if wrap_above and row.text_only and len(text) <= 16 and nxt is not None and _is_value_row(nxt, texts) \
                and nxt.toks[0].kind == "code":
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
