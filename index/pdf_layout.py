"""PDF text layers read as printed: lines and table rows rebuilt from words and their coordinates.

Per page: ruled tables come from pdfplumber's table finder (one tab-separated row per table row); every other
word is placed by its box:
- words whose vertical extents overlap form a line; a line of numbers alone, set on its own baseline just
  above or below a line it does not overlap horizontally (some PDFs print every figure that way:
  `上海市普陀区财政局 年度收入支出总计 万元。` / `2024 2995.39`), is merged into that line by x-position;
- inside a line a gap of more than `CELL_GAP` em splits cells; consecutive multi-cell lines are a table
  without rules, and their columns come from the words' x-extents, so a row with empty cells keeps its
  values under the right headers (empty cells are written as empty tab fields);
- a page number alone in the top or bottom margin, and a margin line repeated on at least half the pages
  (a running head or foot), are furniture and dropped, so a table that continues on the next page stays
  one block;
- a page with no characters but with images is reported as a warning (`pages without text`).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from core.errors import BadReportError

CELL_GAP = 1.5  # em: a wider gap between two words on a line separates table cells
BASELINE_SHIFT = 1.0  # em: a numbers-only line whose centre is this close to another line joins it
_NUMERIC = re.compile(r"^[-+−]?[\d.,，%％]+$")
_PAGE_NUMBER = re.compile(r"^[-—–\s第]*\d{1,4}\s*(?:页|/\s*\d+)?[-—–\s]*$")


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


def _numeric(words: list[Word]) -> bool:
    return all(_NUMERIC.match(w.text) for w in words)


def _h_overlap(a: list[Word], b: list[Word]) -> bool:
    return any(x.x0 < y.x1 - 0.5 and y.x0 < x.x1 - 0.5 for x in a for y in b)


def build_lines(words: list[Word]) -> list[list[Word]]:
    """Group words into visual lines (top to bottom, each left to right), joining baseline-shifted numbers."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.mid, w.x0)):
        for line in reversed(lines[-3:]):
            top, bottom = min(x.top for x in line), max(x.bottom for x in line)
            overlap = min(bottom, w.bottom) - max(top, w.top)
            if overlap >= 0.5 * min(w.height, bottom - top) and not _h_overlap(line, [w]):
                line.append(w)
                break
        else:
            lines.append([w])
    lines.sort(key=lambda ln: min(w.mid for w in ln))
    merged: list[list[Word]] = []
    for line in lines:
        em = statistics.median(w.height for w in line)
        host = None
        if _numeric(line) and merged:
            prev = merged[-1]
            centre = statistics.median(w.mid for w in line)
            if abs(centre - statistics.median(w.mid for w in prev)) < BASELINE_SHIFT * em and not _h_overlap(prev, line):
                host = prev
        if host is not None:
            host.extend(line)
        elif merged and _numeric(merged[-1]) and len(merged) >= 1 and not _h_overlap(merged[-1], line) and abs(
            statistics.median(w.mid for w in line) - statistics.median(w.mid for w in merged[-1])
        ) < BASELINE_SHIFT * em:
            line.extend(merged.pop())  # the numbers were printed just above their sentence
            merged.append(line)
        else:
            merged.append(line)
    for line in merged:
        line.sort(key=lambda w: w.x0)
    return merged


def split_cells(line: list[Word]) -> list[list[Word]]:
    """Cells of a line: runs of words separated by gaps wider than CELL_GAP em."""
    em = statistics.median(w.height for w in line)
    cells: list[list[Word]] = [[line[0]]]
    for prev, w in zip(line, line[1:], strict=False):
        if w.x0 - prev.x1 > CELL_GAP * em:
            cells.append([w])
        else:
            cells[-1].append(w)
    return cells


def cell_text(words: list[Word]) -> str:
    em = statistics.median(w.height for w in words)
    out = words[0].text
    for prev, w in zip(words, words[1:], strict=False):
        out += (" " if w.x0 - prev.x1 > 0.2 * em else "") + w.text
    return out


def _columns(rows: list[list[list[Word]]]) -> list[list[float]]:
    """Column x-intervals of a run of multi-cell lines, seeded by its widest row."""
    widest = max(rows, key=len)
    cols = [[min(w.x0 for w in c), max(w.x1 for w in c)] for c in widest]
    order = sorted(rows, key=lambda r: (not any(_numeric(c) for c in r), -len(r)))
    for row in order:
        for c in row:
            x0, x1 = min(w.x0 for w in c), max(w.x1 for w in c)
            hits = [col for col in cols if x0 < col[1] and col[0] < x1]
            if len(hits) == 1:
                hits[0][0], hits[0][1] = min(hits[0][0], x0), max(hits[0][1], x1)
            elif not hits:  # a column the widest row leaves empty
                cols.append([x0, x1])
    return sorted(cols)


def _place(row: list[list[Word]], cols: list[list[float]]) -> list[str]:
    slots: list[list[str]] = [[] for _ in cols]
    for c in row:
        x0, x1 = min(w.x0 for w in c), max(w.x1 for w in c)
        best = max(range(len(cols)), key=lambda i: (min(x1, cols[i][1]) - max(x0, cols[i][0]),
                                                    -abs((x0 + x1) / 2 - (cols[i][0] + cols[i][1]) / 2)))
        slots[best].append(cell_text(c))
    return [" ".join(s) for s in slots]


def _run_end(cells: list[list[list[Word]]], i: int) -> int:
    """End (exclusive) of the table run starting at line i: multi-cell lines, with up to two single-cell
    lines between them (a wrapped header label, `科目名称` under `科目编码`)."""
    if len(cells[i]) < 2:
        return i
    j = end = i + 1
    while j < len(cells):
        if len(cells[j]) >= 2:
            end = j = j + 1
        elif j - end < 2:
            j += 1
        else:
            break
    return end if sum(len(c) >= 2 for c in cells[i:end]) >= 2 else i


MARGIN = 0.07  # of the page height: the band at the top and bottom where running heads and folios sit


def layout_lines(words: list[Word], page_height: float) -> list[tuple[float, str, bool]]:
    """(top, text, in the top/bottom margin) of each line of a region; table rows without rules come out
    tab-separated; a page number alone in the margin is dropped."""
    lines = build_lines(words)
    out: list[tuple[float, str, bool]] = []
    cells = [split_cells(ln) for ln in lines]
    i = 0
    while i < len(lines):
        j = _run_end(cells, i)
        if j - i >= 2:  # a run of multi-cell lines: a table without rules
            cols = _columns(cells[i:j])
            for k in range(i, j):
                out.append((min(w.top for w in lines[k]), "\t".join(_place(cells[k], cols)), False))
            i = j
            continue
        line = lines[i]
        text = cell_text(line)
        top = min(w.top for w in line)
        margin = top < MARGIN * page_height or max(w.bottom for w in line) > (1 - MARGIN) * page_height
        if not (margin and _PAGE_NUMBER.match(text)):
            out.append((top, text, margin))
        i += 1
    return out


def _running(pages: list[list[tuple[float, list[str], bool]]]) -> set[str]:
    """Margin lines repeated on at least half the pages (and 3): running heads and feet, digits aside."""
    seen: dict[str, int] = {}
    for page in pages:
        for key in {_running_key(b[1][0]) for b in page if b[2]}:
            seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n >= 3 and n >= len(pages) / 2}


def _running_key(text: str) -> str:
    return re.sub(r"\d+|\s+", "", text)


def _words(region: object) -> list[Word]:
    raw = region.extract_words(keep_blank_chars=False, use_text_flow=False)  # type: ignore[attr-defined]
    return [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in raw if w.get("upright", True)]


def _table_cell(text: str | None) -> str:
    parts = [p.strip() for p in (text or "").replace("\t", " ").splitlines() if p.strip()]
    return " ".join(parts)


def read_pdf_pages(path: Path) -> tuple[list[str], list[int | None], list[str]]:
    """Lines, the page of each line and warnings (pages without text) of a PDF."""
    import pdfplumber

    per_page: list[list[tuple[float, list[str], bool]]] = []
    numbers: list[int] = []
    no_text: list[int] = []
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:
        raise BadReportError(f"PDF 文件已损坏或无法打开 / corrupt .pdf ({type(exc).__name__})", file=path.name) from None
    with pdf:
        for pno, page in enumerate(pdf.pages, start=1):
            try:
                if not page.chars:
                    if page.images:
                        no_text.append(pno)
                    continue
                blocks: list[tuple[float, list[str], bool]] = []
                outside = page
                for t in page.find_tables():
                    rows = ["\t".join(_table_cell(c) for c in row) for row in t.extract()]
                    blocks.append((t.bbox[1], ["", *rows, ""], False))
                    outside = outside.outside_bbox(t.bbox)
                words = _words(outside)
                if words:
                    blocks.extend((top, [text], margin) for top, text, margin in layout_lines(words, float(page.height)))
            except Exception as exc:
                raise BadReportError(f"PDF 第 {pno} 页无法解析 / page {pno} unreadable ({type(exc).__name__})", file=path.name) from None
            per_page.append(sorted(blocks, key=lambda b: b[0]))
            numbers.append(pno)
    running = _running(per_page)
    lines: list[str] = []
    pages: list[int | None] = []
    for pno, blocks in zip(numbers, per_page, strict=True):
        for _, block_lines, margin in blocks:
            if margin and _running_key(block_lines[0]) in running:
                continue  # a running head or foot: furniture, and it would split a table continued here
            lines.extend(block_lines)
            pages.extend([pno] * len(block_lines))
    warnings = []
    if no_text:
        shown = ", ".join(map(str, no_text[:20])) + (" …" if len(no_text) > 20 else "")
        warnings.append(f"{len(no_text)} pages without text（无文字层，可能是扫描页）: {shown}")
    return lines, pages, warnings
