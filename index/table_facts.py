"""Turn a table block into cells with meaning: header bands, column labels, side-by-side groups, row codes.

A header band is the run of non-value rows above value rows; column labels join the band's rows top to bottom
(`本年支出/基本支出`), a merged header spreading right over the columns below it. When the band's most specific
row repeats its first label (`项目 … 项目`, `经济分类科目编码 ×3`) the table holds side-by-side groups, and a
value belongs to the group of the nearest row label on its left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from core.numbers import parse_cell
from index.blocks import Block, Caption, Cell

DASHES = {"——", "—", "-", "--", "/", "－", "…", "……"}
_PLACEHOLDER = set("…。.·— ")
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_MEASURE = re.compile(r"(数|值|率|分|额|合计|小计|金额|\)|费)$")
_TEXT_COLUMN = re.compile(r"偏差|原因|备注|说明|措施|等级")
_UNIT_IN_LABEL = re.compile(r"[（(](万元|元|亿元|人|㎡|平方米|个|次)[)）]")


def label_key(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


@dataclass
class CellValue:
    cell: Cell
    value: Decimal
    unit: str
    decimals: int
    column: str
    row_label: str
    row_path: str
    row_code: str | None
    parent_code: str | None


@dataclass
class ParsedTable:
    caption: Caption
    columns: list[str]
    rows: list[list[str]]
    n_header: int
    values: list[CellValue] = field(default_factory=list)
    index_cells: list[Cell] = field(default_factory=list)  # 行次/栏次 numbers: table furniture
    code_cells: list[tuple[Cell, str]] = field(default_factory=list)
    text_cells: list[tuple[Cell, str, str, str]] = field(default_factory=list)  # (cell, column, row_label, unit)
    attributes: dict[str, str] = field(default_factory=dict)


def _is_number(cell: Cell) -> bool:
    return bool(cell.text) and parse_cell(cell.text) is not None


def _is_index_row(row: list[Cell]) -> bool:
    texts = [c.text for c in row if c.text]
    if not texts:
        return False
    if label_key(texts[0]) in {"栏次", "行次"}:
        return True
    if len(texts) >= 3 and all(t.isdigit() for t in texts):
        nums = [int(t) for t in texts]
        return nums == list(range(nums[0], nums[0] + len(nums)))
    return False


def _is_kv_row(row: list[Cell]) -> bool:
    texts = [c.text for c in row if c.text]
    return 2 <= len(texts) <= 4 and len(row) >= 2 and bool(re.search(r"(名称|单位|部门)$", row[0].text or "")) and not any(
        _is_number(c) for c in row
    )


def _band_labels(band: list[list[Cell]], width: int) -> list[str]:
    grid = [[c.text for c in row] + [""] * (width - len(row)) for row in band]
    # realign a top row of group labels to where the row below repeats its first label (预算数 | 决算数)
    if len(grid) >= 2:
        top, below = grid[0], grid[1]
        top_pos = [i for i, t in enumerate(top) if t]
        first = next((t for t in below if t), "")
        rep = [i for i, t in enumerate(below) if t and label_key(t) == label_key(first)]
        if len(top_pos) >= 2 and len(rep) == len(top_pos) and rep != top_pos:
            labels = [top[i] for i in top_pos]
            grid[0] = [""] * width
            for pos, lab in zip(rep, labels, strict=True):
                grid[0][pos] = lab
    # spread merged labels right over the columns that have a label below them
    for r in range(len(grid) - 1):
        for c in range(1, width):
            if not grid[r][c] and grid[r][c - 1] and any(grid[rr][c] for rr in range(r + 1, len(grid))):
                # stop at the start of the next group in the row below
                if any(grid[rr][c] and label_key(grid[rr][c]) == label_key(grid[rr][0] or "¤") for rr in range(r + 1, len(grid))):
                    continue
                grid[r][c] = grid[r][c - 1]
    labels = []
    for c in range(width):
        parts: list[str] = []
        for r in range(len(grid)):
            t = label_key(grid[r][c])
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        labels.append("/".join(parts))
    return labels


def _groups(band: list[list[Cell]], width: int) -> list[int]:
    """Start columns of side-by-side groups, from the band's most specific row."""
    for row in reversed(band):
        texts = [label_key(c.text) for c in row]
        if not texts or not texts[0]:
            continue
        starts = [i for i, t in enumerate(texts) if t == texts[0]]
        if len(starts) >= 2:
            return starts
        break
    return [0]


def _roles(labels: list[str], starts: list[int], width: int) -> dict[int, str]:
    roles: dict[int, str] = {}
    for c in range(width):
        lab = labels[c] if c < len(labels) else ""
        last = lab.split("/")[-1] if lab else ""
        if "编码" in lab:
            roles[c] = "code"
        elif "科目名称" in last or last in {"项目", "项目名称"} or (c in starts and last.startswith("项目")):
            roles[c] = "name"
        elif "行次" in last or "栏次" in last or last == "序号":
            roles[c] = "index"
        else:
            roles[c] = "value"
    return roles


def _group_of(col: int, starts: list[int]) -> int:
    g = 0
    for i, s in enumerate(starts):
        if col >= s:
            g = i
    return g


def _unit_from(text: str) -> str:
    m = _UNIT_IN_LABEL.search(text)
    return m.group(1) if m else ""


def parse_table(block: Block, caption: Caption) -> ParsedTable:
    width = max(len(r) for r in block.rows)
    table = ParsedTable(caption, [], [[c.text for c in r] for r in block.rows], 0)
    band: list[list[Cell]] = []
    band_closed = True
    labels: list[str] = [""] * width
    starts = [0]
    roles: dict[int, str] = {}
    band_unit = ""
    path_fill: list[str] = [""] * width
    first_value_seen = False
    for row in block.rows:
        if _is_index_row(row):
            table.index_cells.extend(c for c in row if c.text and c.text.isdigit())
            continue
        has_number = any(_is_number(c) for c in row)
        if _is_kv_row(row):
            texts = [c.text for c in row if c.text]
            table.attributes[texts[0]] = texts[1]
            continue
        long_text = any(len(c.text) > 40 for c in row)
        n_text = sum(1 for c in row if c.text)
        continuation = first_value_seen and not row[0].text  # a merged cell from above: not a new header
        placeholder = all(set(c.text) <= _PLACEHOLDER for c in row if c.text)  # `… …`, `。。。` (a template's rows)
        if not has_number and n_text >= 2 and not long_text and not continuation and not placeholder:
            if band_closed:
                band = []
                band_closed = False
            band.append(row)
            table.text_cells.extend((c, "", c.text, "") for c in row if re.search(r"\d", c.text))
            continue
        if not has_number:
            if band and not band_closed and n_text == 1 and not first_value_seen:
                band.append(row)  # a lone label row inside the header (科目名称)
            elif long_text:
                band_closed = True
            self_text = [(c, "") for c in row if c.text]
            for c, _ in self_text:  # "项目支出：459.09" in a 万元 table: the unit is the table's
                table.text_cells.append((c, "", "", band_unit or caption.unit))
            continue
        # a value row: (re)compute the band's labels when it changed
        if not band_closed:
            labels = _band_labels(band, width)
            starts = _groups(band, width)
            roles = _roles(labels, starts, width)
            band_unit = next((u for r in band for c in r if (u := _unit_from(c.text))), "")
            band_closed = True
            path_fill = [""] * width
            if not first_value_seen:
                table.columns = labels
                table.n_header = block.rows.index(band[-1]) + 1
        first_value_seen = True
        cells = list(row)
        if block.layout == "cells" and len(cells) < width and band:
            cells = [Cell([])] * (len(band[-1]) - len(cells)) + cells  # short rows align right (总分 …)
        cells = _align(cells, labels, starts)
        _value_row(table, cells, labels, starts, roles, band_unit or caption.unit, path_fill)
    if not table.columns:
        table.columns = labels
    return table


def _align(cells: list[Cell], labels: list[str], starts: list[int]) -> list[Cell]:
    """Repair rows the source shifted: numbers that land in a text column (偏差原因…) move left;
    a 总分 row's two numbers go to the 分值 and 得分 columns."""
    if len(starts) > 1:
        return cells
    nums = [i for i, c in enumerate(cells) if _is_number(c)]
    if not nums:
        return cells
    last = nums[-1]
    label = labels[last].split("/")[-1] if last < len(labels) else ""
    if (last >= len(labels) or _TEXT_COLUMN.search(label)) and not cells[0].text:
        shift = 1
        return cells[shift:] + [Cell([])] * shift
    first_text = next((c.text for c in cells if c.text), "")
    score_cols = [i for i, lab in enumerate(labels) if re.search(r"(分值|得分)", lab.split("/")[-1])]
    if label_key(first_text) == "总分" and len(nums) == 2 and len(score_cols) == 2 and nums != score_cols:
        out = [c if not _is_number(c) else Cell([]) for c in cells] + [Cell([])] * max(0, max(score_cols) + 1 - len(cells))
        out[score_cols[0]], out[score_cols[1]] = cells[nums[0]], cells[nums[1]]
        return out
    return cells


def _value_row(
    table: ParsedTable,
    cells: list[Cell],
    labels: list[str],
    starts: list[int],
    roles: dict[int, str],
    unit: str,
    path_fill: list[str],
) -> None:
    n_groups = len(starts)
    group_label: list[str] = [""] * n_groups
    group_code: list[str | None] = [None] * n_groups
    group_path: list[str] = [""] * n_groups
    first_num = next((i for i, c in enumerate(cells) if _is_number(c) and roles.get(i) not in ("code", "index", "name")), len(cells))
    # forward-fill hierarchical row labels (一级指标/二级指标/三级指标) left of the first value
    for i in range(min(first_num, len(cells)) if n_groups == 1 else 0):
        lab = labels[i].split("/")[-1] if i < len(labels) else ""
        if cells[i].text and not _CODE.match(cells[i].text) and not _is_number(cells[i]) and not _MEASURE.search(lab):
            path_fill[i] = cells[i].text
            for j in range(i + 1, len(path_fill)):
                path_fill[j] = ""
    for i, cell in enumerate(cells):
        g = _group_of(i, starts)
        role = roles.get(i, "value")
        text = cell.text
        if not text or text in DASHES:
            continue
        if (role == "code" and _CODE.match(text)) or (i == starts[g] and _CODE.match(text) and role != "value"):
            group_code[g] = text
            table.code_cells.append((cell, text))
            continue
        if role == "index" or (role == "name" and text.isdigit() and len(text) <= 2):
            table.index_cells.append(cell)
            continue
        if not _is_number(cell):
            if role in ("name", "code") or (i < first_num and not _MEASURE.search(labels[i].split("/")[-1] if i < len(labels) else "")):
                group_label[g] = text.rstrip(":：")
                group_path[g] = (" / ".join(p for p in path_fill[: i + 1] if p) if n_groups == 1 else "") or text
            table.text_cells.append((cell, labels[i] if i < len(labels) else "", text, unit))
            continue
        parsed = parse_cell(text)
        assert parsed is not None
        value, cell_unit, decimals = parsed
        gg = g
        if not group_label[g] and not group_code[g] and n_groups > 1:
            # a value whose own group has no label belongs to the nearest labelled group on its left
            gg = max((k for k in range(g) if group_label[k] or group_code[k]), default=g)
        column = labels[i] if i < len(labels) else ""
        if gg != g:
            column = next((labels[c] for c in range(starts[gg], starts[gg + 1]) if roles.get(c) == "value"), column)
        col_unit = _unit_from(column)
        last = column.split("/")[-1]
        if not cell_unit:
            if col_unit or (not column and _unit_from(group_label[gg])):
                cell_unit = col_unit or _unit_from(group_label[gg])
            elif re.search(r"分值|得分|总分", last):
                cell_unit = "分"
            elif re.search(r"人数|编制数", last):
                cell_unit = "人"
            else:
                cell_unit = unit
        row_label = group_label[gg]
        if not row_label and gg == 0 and not group_code[gg]:
            row_label = next((c.text.rstrip(":：") for c in reversed(cells[:i]) if c.text and not _is_number(c)), "")
        code = group_code[gg]
        table.values.append(
            CellValue(
                cell=cell,
                value=value,
                unit=cell_unit,
                decimals=decimals,
                column=column,
                row_label=row_label,
                row_path=group_path[gg] or row_label,
                row_code=code,
                parent_code=code[:-2] if code and len(code) in (5, 7) else None,
            )
        )
