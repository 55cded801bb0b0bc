"""Columns of a sparse table row placed by what the report states elsewhere.

A text rendering drops empty cells, so under `本年支出合计 基本支出 项目支出 上缴上级支出 经营支出 …` the row
`合计 20,323.21 14,107.46 6,215.76` does not say which two of the five part columns hold 14,107.46 and
6,215.76 (`index.space_columns` leaves them `列未定`). The report usually says it in words or in another table:
`基本支出14,107.46万元`, `项目支出6,215.76万元`. When every undetermined figure of the table's 合计 row is stated
elsewhere under exactly one of the table's column names — in the row's order — those are the table's filled
columns. An empty cell is empty in the 合计 row too (the 合计 row sums its column), so every other row with as
many undetermined figures as the 合计 row has them in the same columns, in order; a row with fewer is left
undetermined. Nothing is guessed: without a statement for each figure, the table is left as it was.

A two-level header the family describes (三公 table: groups × 预算数/决算数) is placed by the family's sums instead
(`place_by_layout`): only what every sum-satisfying choice agrees on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from itertools import combinations

from core.models import Fact
from index.space_columns import UNDETERMINED

_TOTAL_ROW = re.compile(r"^(?:合计|总计)$")
_NAME_COLUMN = re.compile(r"科目|编码|^项\s*目$|名称|功能分类|经济分类|栏次|行次")
_NOISE = re.compile(r"[\s“”\"（）()、，,：:]")


def _plain(text: str) -> str:
    return _NOISE.sub("", text or "")


def place_by_statements(facts: list[Fact], columns_of: dict[str, list[str]]) -> tuple[list[Fact], int]:
    """`facts` with undetermined cells given their column where the report's own statements fix it, and how
    many were placed. `columns_of` maps a table id to its header's column names."""
    rows: dict[tuple[str, int], list[Fact]] = defaultdict(list)
    for f in facts:
        if f.kind == "cell" and f.column == UNDETERMINED and f.table_id:
            rows[(f.table_id, f.line)].append(f)
    if not rows:
        return facts, 0
    by_value: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    known: dict[tuple[str, int], set[str]] = defaultdict(set)  # determined columns of each table row
    for f in facts:
        if not (f.kind == "cell" and f.column == UNDETERMINED):
            by_value[(str(f.value), f.unit)].append(f)
            if f.kind == "cell" and f.table_id:
                known[(f.table_id, f.line)].add(f.column)
    placed: dict[str, str] = {}
    for table_id in {t for t, _ in rows}:
        table_rows = {line: sorted(fs, key=lambda f: f.char_start) for (t, line), fs in rows.items() if t == table_id}
        filled = _filled_columns(table_id, table_rows, columns_of.get(table_id, []), by_value, known)
        if not filled:
            continue
        for cells in table_rows.values():
            if len(cells) == len(filled):
                placed.update({c.fact_id: name for c, name in zip(cells, filled, strict=True)})
    if not placed:
        return facts, 0
    return [f.model_copy(update={"column": placed[f.fact_id]}) if f.fact_id in placed else f for f in facts], len(placed)


def _filled_columns(table_id: str, table_rows: dict[int, list[Fact]], columns: list[str],
                    by_value: dict[tuple[str, str], list[Fact]], known: dict[tuple[str, int], set[str]]
                    ) -> list[str]:
    """The table's filled part columns, in order, when each undetermined figure of its 合计 row is stated
    elsewhere under exactly one column name that is not yet a determined column of that row."""
    totals = [cells for cells in table_rows.values() if cells and _TOTAL_ROW.match(_plain(cells[0].row_label))]
    if len(totals) != 1:
        return []
    cells = totals[0]
    names = [c for c in columns if c and c != UNDETERMINED and not _NAME_COLUMN.search(c)]
    taken = known.get((table_id, cells[0].line), set())
    # columns keep their order: each figure's column lies after the row's determined ones and the previous figure's
    at = max((i + 1 for i, c in enumerate(names) if c in taken), default=0)
    filled: list[str] = []
    for cell in cells:
        stated = [f for f in by_value.get((str(cell.value), cell.unit), [])
                  if f.doc_id == cell.doc_id and f.table_id != table_id]
        said = _plain(" ".join(f.phrase or f.row_label or "" for f in stated if f.kind == "text")
                      + " " + " ".join(f"{f.row_label} {f.column}" for f in stated if f.kind == "cell"))
        hits = [i for i in range(at, len(names)) if _plain(names[i]) and _plain(names[i]) in said]
        if len(hits) != 1:
            return []
        filled.append(names[hits[0]])
        at = hits[0] + 1
    return filled


def place_by_layout(facts: list[Fact], layouts: dict[str, tuple[list[str], list[str], list[tuple[str, list[str]]]]]
                    ) -> tuple[list[Fact], int]:
    """A row of figures under a two-level header (groups × 预算数/决算数, as the 三公 table) whose empty groups
    the rendering dropped: every order-keeping choice of filled groups is tried against the family's totals
    (合计 = 因公出国 + 公务用车小计 + 公务接待费, empty groups as 0); a figure whose column is the same in every
    choice that satisfies them all is placed there (公务接待费/决算数), the others stay undetermined.
    `layouts` maps a table id to (groups, sub-columns, totals as (whole, parts))."""
    rows: dict[tuple[str, int], list[Fact]] = defaultdict(list)
    for f in facts:  # undetermined, or placed by position under a bare 预算数/决算数 that lost its group
        if f.kind == "cell" and f.table_id in layouts and (f.column == UNDETERMINED
                                                           or f.column in layouts[f.table_id][1]):
            rows[(f.table_id, f.line)].append(f)
    placed: dict[str, str] = {}
    for (table_id, _), cells in rows.items():
        groups, subs, totals = layouts[table_id]
        cells.sort(key=lambda f: f.char_start)
        if not subs or len(cells) % len(subs) or len(cells) // len(subs) > len(groups):
            continue
        k = len(cells) // len(subs)
        chosen = []
        for filled in combinations(range(len(groups)), k):
            value = {groups[g]: [cells[i * len(subs) + j].value for j in range(len(subs))] for i, g in enumerate(filled)}
            zero = [Decimal(0)] * len(subs)
            ok = all(abs(value.get(whole, zero)[j] - sum((value.get(p, zero)[j] for p in parts), Decimal(0)))
                     <= Decimal("0.01") * len(parts) for whole, parts in totals for j in range(len(subs)))
            if ok:
                chosen.append(filled)
        if not chosen:
            continue
        for i in range(k):
            at = {c[i] for c in chosen}
            if len(at) == 1:
                group = groups[at.pop()]
                for j in range(len(subs)):
                    placed[cells[i * len(subs) + j].fact_id] = f"{group}/{subs[j]}"
    if not placed:
        return facts, 0
    return [f.model_copy(update={"column": placed[f.fact_id]}) if f.fact_id in placed else f for f in facts], len(placed)
