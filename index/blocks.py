"""Find table blocks in normalised lines and split them into rows of located cells.

Two layouts: one row per line with tab-separated cells (公开01–09表), and one cell per line with a leading
tab, rows separated by blank lines, a cell's text continuing on following lines (the 绩效自评表 file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Fragment:
    line: int  # 1-based
    start: int  # offset in the normalised line
    text: str


@dataclass
class Cell:
    frags: list[Fragment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(f.text for f in self.frags).strip()

    @property
    def line(self) -> int:
        return self.frags[0].line if self.frags else 0


@dataclass
class Block:
    start: int  # first line (1-based)
    end: int  # last line (inclusive)
    layout: str  # "tabs" | "cells"
    rows: list[list[Cell]]


def _is_tabular(line: str) -> bool:
    return "\t" in line


def _cell_per_line(lines: list[str]) -> bool:
    tab_lines = [ln for ln in lines if _is_tabular(ln)]
    single = sum(1 for ln in tab_lines if ln.startswith("\t") and ln.count("\t") == 1)
    return bool(tab_lines) and single >= 0.6 * len(tab_lines)


def _split_tabs(line_no: int, text: str) -> list[Cell]:
    cells: list[Cell] = []
    pos = 0
    for part in text.split("\t"):
        lead = len(part) - len(part.lstrip())
        cells.append(Cell([Fragment(line_no, pos + lead, part.strip())]) if part.strip() else Cell([]))
        pos += len(part) + 1
    return cells


def find_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    i, n = 0, len(lines)
    while i < n:
        if not _is_tabular(lines[i]):
            i += 1
            continue
        start = i
        j = i
        last_tab = i
        while j < n:
            if _is_tabular(lines[j]):
                last_tab = j
                j += 1
                continue
            if not lines[j].strip():
                j += 1
                continue
            # a text line: in the cell-per-line layout it continues a cell when no blank line separates
            # it from the cell above, or when the text run runs straight into the next cell
            k = j
            while k < n and lines[k].strip() and not _is_tabular(lines[k]):
                k += 1
            touches_above = j > 0 and lines[j - 1].strip() != "" and _is_tabular(lines[j - 1])
            touches_below = k < n and _is_tabular(lines[k])
            if not touches_below and k - j <= 8 and not re.match(r"(注|说明|填表人|附件)", lines[j].strip()):
                b = k
                while b < n and not lines[b].strip():
                    b += 1
                touches_below = b < n and lines[b].startswith("\t") and b - k <= 2
            if (touches_above or touches_below) and _cell_per_line(lines[start : last_tab + 1]):
                j = k
                continue
            break
        end = last_tab
        segment = lines[start : end + 1]
        if _cell_per_line(segment):
            rows = _rows_cell_per_line(lines, start, end)
            layout = "cells"
        else:
            rows = [_split_tabs(idx + 1, lines[idx]) for idx in range(start, end + 1) if lines[idx].strip()]
            layout = "tabs"
        rows = [r for r in rows if any(c.text for c in r)]
        if rows:
            blocks.append(Block(start + 1, end + 1, layout, rows))
        i = end + 1
    return blocks


def _rows_cell_per_line(lines: list[str], start: int, end: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    blank_run = False
    for idx in range(start, end + 1):
        line = lines[idx]
        if _is_tabular(line):
            if blank_run and row:
                rows.append(row)
                row = []
            blank_run = False
            for part in line.split("\t")[1:] if line.startswith("\t") else line.split("\t"):
                offset = line.find(part) if part else 0
                row.append(Cell([Fragment(idx + 1, offset, part.strip())] if part.strip() else []))
        elif not line.strip():
            blank_run = True
        else:
            if row:
                row[-1].frags.append(Fragment(idx + 1, len(line) - len(line.lstrip()), line.strip()))
            blank_run = False
    if row:
        rows.append(row)
    return rows


_TABLE_ID = re.compile(r"公开\s*(\d{1,2})\s*表")
_UNIT = re.compile(r"单位\s*[:：]\s*(万元|元|亿元|千元)")


@dataclass
class Caption:
    table_id: str | None
    title: str
    unit: str


def caption_for(lines: list[str], block_start: int, floor: int) -> Caption:
    """Title, 公开XX表 id and unit from the lines just above a block (not above `floor`, a line number)."""
    table_id: str | None = None
    title = ""
    unit = ""
    seen = 0
    idx = block_start - 2
    while idx >= max(floor, 0) and seen < 8:
        text = lines[idx].strip()
        idx -= 1
        if not text:
            continue
        seen += 1
        if text.startswith("注") or len(text) > 60:
            break
        if table_id is None and (m := _TABLE_ID.search(text)):
            table_id = f"公开{int(m.group(1)):02d}表"
        if not unit and (m := _UNIT.search(text)):
            unit = m.group(1)
        bare = _UNIT.sub("", _TABLE_ID.sub("", text))
        bare = re.sub(r"部门[:：].*$|_+", "", bare).strip()
        if not title and bare.endswith("表") and len(bare) >= 4:
            title = bare
    return Caption(table_id, title, unit)
