"""Map the figures of space-separated table rows to their columns, saying so when that cannot be known.

Empty cells vanish when a PDF table becomes text, so `201 207.40 207.40` under `合计 基本支出 项目支出`
does not say whether 207.40 is 基本 or 项目. Columns come from the header line with the most column labels
(a label wrapped above and below it counts as one more column, position unknown; a group label before the
first 合计 is not a column; a second 项目/科目 word starts a side-by-side group). A row's figures are placed:
- by character position under the header labels when the text keeps columns aligned with runs of spaces
  (pdftotext -layout) and each figure is clearly nearest one label;
- by position when there are exactly as many as columns;
- the first is the 合计 column when the header starts with 合计/总计/小计 and the row states one figure, or
  its first figure equals the sum of the others;
- by identity with the row's parent (科目编码 prefix, or the 合计 row for 类 rows): a child's figure can
  only be in a column where the parent still has room for it and has a figure at all, and a parent's
  figure equals the sum of its children's in the same column;
- otherwise the figure keeps its row label and goes to the column `列未定` (column not determined).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from core.normalize import NormLine
from index.blocks import Block, Cell, Fragment
from index.space_rows import Region, find_regions
from index.space_tokens import Row, Tok

UNDETERMINED = "列未定"
_NAME_WORD = re.compile(r"科目|编码|^项\s*目$|^(?:类|款|项|栏次|行次|序号|单位名称|名称|功能分类|经济分类)$")
_TOTAL = re.compile(r"合计|总计|小计")
_LIST = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.、])|(?:合计|总计)$")
_EXTRA = -1  # a wrapped column label whose position is unknown


@dataclass
class SpaceBlock(Block):
    extra_codes: list[Cell] = field(default_factory=list)  # 科目编码 of rows without figures


@dataclass
class _Group:
    name: Tok | None
    cols: list[list[Tok]]
    extra: list[Tok] = field(default_factory=list)

    @property
    def total_first(self) -> bool:
        return bool(self.cols) and bool(_TOTAL.search("".join(t.text for t in self.cols[0])))


def _header_groups(header: list[Row]) -> list[_Group]:
    def words(r: Row) -> list[Tok]:
        return [t for t in r.toks if t.kind == "text" and not _NAME_WORD.search(t.text)]

    main = max(reversed(header), key=lambda r: len(words(r)))  # ties: the most specific (lowest) row
    groups: list[_Group] = [_Group(None, [])]
    seen: set[str] = set()  # name words of the current group: one repeated starts the group beside it
    for t in main.toks:
        if t.kind != "text":
            continue
        if _NAME_WORD.search(t.text):
            key = re.sub(r"\s", "", t.text)
            if groups[-1].cols and key in seen:
                groups.append(_Group(t, []))
                seen = set()
            elif groups[-1].name is None and key in ("项目", "科目名称"):
                groups[-1].name = t
            seen.add(key)
            continue
        groups[-1].cols.append([t])
    for g in groups:  # a group label before its first 合计 (`支出预算 合计 基本支出 …`) is not a column
        first_total = next((i for i, c in enumerate(g.cols) if _TOTAL.search(c[0].text)), 0)
        g.cols = g.cols[first_total:]
    groups = [g for g in groups if g.cols]
    if not groups:
        return []
    # labels wrapped over three lines: as many pieces just above as just below the main line finish its
    # last columns
    at = header.index(main)
    above = words(header[at - 1]) if at > 0 else []
    below = words(header[at + 1]) if at + 1 < len(header) else []
    last = groups[-1]
    if 2 <= len(above) == len(below) <= len(last.cols):  # `一般公共 …` / `预算财政 …` / `拨款 …`
        for col, top, bottom in zip(last.cols[-len(above):], above, below, strict=True):
            col.insert(0, top)
            col.append(bottom)
        return groups
    if len(groups) == 1:
        others = [r for r in header if r is not main and words(r)]
        ups = [r for r in others if r.lines[0] < main.lines[0]]
        downs = [r for r in others if r.lines[0] > main.lines[0]]
        if ups and downs and len(words(ups[-1])) == 1 and len(words(downs[0])) == 1:
            groups[0].extra = words(ups[-1]) + words(downs[0])  # 对附属单位补 / 助支出
    return [g for g in groups if g.cols]


@dataclass
class _Placed:
    row: Row
    codes: list[list[Tok]]  # per group
    labels: list[list[Tok]]  # per group
    certain: list[dict[int, Tok]]  # per group: column index → token
    open: list[list[tuple[Tok, set[int]]]]  # per group: undetermined figures with their candidate columns


def _value(t: Tok) -> Decimal:
    try:
        return Decimal(t.text.replace(",", "").rstrip("%"))
    except Exception:
        return Decimal(0)


def _segments(row: Row, multi: bool) -> list[tuple[list[Tok], list[Tok], list[Tok]]]:
    """(code, label, figures) runs of a row: a side-by-side table has one per side."""
    segs: list[tuple[list[Tok], list[Tok], list[Tok]]] = []
    for t in row.toks:
        if t.kind == "code":
            if not segs or segs[-1][1] or segs[-1][2]:
                segs.append(([], [], []))
            segs[-1][0].append(t)
        elif t.kind == "text":
            if not segs or segs[-1][2]:
                segs.append(([], [], []))
            segs[-1][1].append(t)
        else:
            if not segs:
                segs.append(([], [], []))
            segs[-1][2].append(t)
    if multi and len(segs) == 1 and len(segs[0][1]) >= 2:
        code, label, vals = segs[0]
        cut = next((i for i in range(1, len(label)) if _LIST.search(label[i].text)), None)
        if cut is not None:  # `二、政府性基金预算 二、卫生健康支出 1,439,040 …`: two labels, one per side
            segs = [(code, label[:cut], []), ([], label[cut:], vals)]
    return segs


def _by_position(g: _Group, vals: list[Tok]) -> dict[int, Tok] | None:
    """Columns from character positions when the text keeps them (space-aligned): each figure under the
    nearest header label, clearly nearer than to the next one, in header order."""
    cols = dict(enumerate(g.cols))
    if g.extra:
        cols[_EXTRA] = g.extra
    if not all(t.aligned for t in vals) or not all(any(t.aligned for t in col) for col in g.cols):
        return None
    centre = {j: sum(t.col + t.width / 2 for t in col) / len(col) for j, col in cols.items()}
    out: dict[int, Tok] = {}
    last = -1.0
    for v in vals:
        vc = v.col + v.width / 2
        near = sorted((abs(vc - c), j) for j, c in centre.items())
        if near[0][0] > 8 or (len(near) > 1 and near[1][0] - near[0][0] < 3) or centre[near[0][1]] <= last:
            return None
        out[near[0][1]] = v
        last = centre[near[0][1]]
    return out


def _place_group(g: _Group, vals: list[Tok]) -> tuple[dict[int, Tok], list[tuple[Tok, set[int]]]]:
    c = len(g.cols)
    every = set(range(c)) | ({_EXTRA} if g.extra else set())
    if not vals:
        return {}, []
    placed = _by_position(g, vals)
    if placed is not None:
        return placed, []
    if len(vals) == c and not g.extra:
        return dict(enumerate(vals)), []
    nums = [_value(t) for t in vals]
    if g.total_first and (len(vals) == 1 or abs(nums[0] - sum(nums[1:])) <= Decimal("0.011") * len(nums)):
        parts = vals[1:]
        if len(parts) == c - 1 and not g.extra:
            return dict(enumerate(vals)), []
        cands = every - {0}
        return {0: vals[0]}, [(t, _order(cands, i, len(parts), c, bool(g.extra))) for i, t in enumerate(parts)]
    return {}, [(t, set(every)) for t in vals]


def _order(cands: set[int], i: int, m: int, c: int, extra: bool) -> set[int]:
    """Figures keep the header's order: the i-th of m parts is in columns 1+i … c-m+i."""
    if extra:
        return set(cands)
    return {j for j in cands if 1 + i <= j <= c - m + i}


def _resolve(placed: list[_Placed], g: int, total_row: int | None) -> None:
    """Pin undetermined figures by the parent/child identities (a few passes until nothing changes)."""
    parent: dict[int, int] = {}
    last: dict[str, int] = {}
    for i, p in enumerate(placed):
        code = "".join(t.text for t in p.codes[g])
        if code:
            up = code[:-2] if len(code) in (5, 7) else None
            if up in last:
                parent[i] = last[up]
            elif len(code) == 3 and total_row is not None:
                parent[i] = total_row
            last[code] = i
    children: dict[int, list[int]] = {}
    for ch, par in parent.items():
        children.setdefault(par, []).append(ch)
    for _ in range(4):
        changed = False
        for par, chs in children.items():
            pc = placed[par].certain[g]
            complete = not placed[par].open[g] and bool(pc)
            room = {j: _value(t) - sum((_value(placed[c].certain[g][j]) for c in chs if j in placed[c].certain[g]), Decimal(0))
                    for j, t in pc.items()}
            tol = Decimal("0.011") * (len(chs) + 1)
            for c in chs:
                still = []
                for tok, cands in placed[c].open[g]:
                    v = _value(tok)
                    keep = {j for j in cands if (j in room and v <= room[j] + tol) or (j not in room and not complete)}
                    if v == 0 or not keep:
                        keep = cands
                    if len(keep) == 1:
                        j = keep.pop()
                        placed[c].certain[g][j] = tok
                        if j in room:
                            room[j] -= v
                        changed = True
                    else:
                        still.append((tok, keep))
                placed[c].open[g] = still
            if all(not placed[c].open[g] for c in chs) and placed[par].open[g]:
                sums: dict[int, Decimal] = {}
                for c in chs:
                    for j, t in placed[c].certain[g].items():
                        sums[j] = sums.get(j, Decimal(0)) + _value(t)
                still = []
                for tok, cands in placed[par].open[g]:
                    hit = {j for j in cands if j in sums and abs(sums[j] - _value(tok)) <= tol and j not in pc}
                    if len(hit) == 1:
                        pc[hit.pop()] = tok
                        changed = True
                    else:
                        still.append((tok, cands))
                placed[par].open[g] = still
        if not changed:
            break


def _cell(toks: list[Tok]) -> Cell:
    return Cell([Fragment(t.line, t.start, t.text) for t in toks])


def _synthetic(line: int, text: str) -> Cell:
    return Cell([Fragment(line, 0, text)])  # a header label the table implies (no digits: never a fact)


def build_block(region: Region) -> SpaceBlock | None:
    groups = _header_groups(region.header)
    if not groups:
        return None
    multi = len(groups) > 1
    placed: list[_Placed] = []
    extra_codes: list[Cell] = []
    for row in region.body:
        segs = _segments(row, multi)
        if not any(v for _, _, v in segs):
            extra_codes += [_cell(c) for c, _, _ in segs if c]
            continue
        codes: list[list[Tok]] = [[] for _ in groups]
        labels: list[list[Tok]] = [[] for _ in groups]
        certain: list[dict[int, Tok]] = [{} for _ in groups]
        opened: list[list[tuple[Tok, set[int]]]] = [[] for _ in groups]
        side_known = True
        if len(segs) == len(groups):
            targets = list(range(len(groups)))
        elif multi and len(segs) == 1:
            fit = [k for k, gr in enumerate(groups) if len(gr.cols) + len(gr.extra) >= len(segs[0][2])]
            side_known = len(fit) == 1
            targets = [fit[0] if side_known else 0]
        else:
            segs = [([t for c, _, _ in segs[:1] for t in c], [t for _, lab, _ in segs for t in lab], [t for _, _, v in segs for t in v])]
            targets = [0]
            side_known = not multi
        for (code, label, vals), k in zip(segs, targets, strict=True):
            codes[k] += code
            labels[k] += label
            cer, ope = _place_group(groups[k], vals)
            if not side_known:  # which side of the table the figures are on: not determined
                cer, ope = {}, [(t, set()) for t in vals]
            for j, t in cer.items():
                certain[k].setdefault(j, t)
            opened[k] += ope
        placed.append(_Placed(row, codes, labels, certain, opened))
    total_row = next((i for i, p in enumerate(placed) if not p.codes[0] and _TOTAL.search("".join(t.text for t in p.labels[0]))), None)
    for g in range(len(groups)):
        _resolve(placed, g, total_row)
    return _assemble(region, groups, placed, extra_codes)


def _assemble(region: Region, groups: list[_Group], placed: list[_Placed], extra_codes: list[Cell]) -> SpaceBlock:
    head_line = region.header[-1].lines[0]
    coded = [any(p.codes[k] for p in placed) for k in range(len(groups))]
    n_open = max((sum(len(o) for o in p.open) for p in placed), default=0)
    header: list[Cell] = []
    for k, g in enumerate(groups):
        if coded[k]:
            header.append(_synthetic(head_line, "科目编码"))
        header.append(_synthetic(head_line, "项目"))
        header += [_cell(col) for col in g.cols]
        if g.extra:
            header.append(_cell(g.extra))
    header += [_synthetic(head_line, UNDETERMINED) for _ in range(n_open)]
    rows: list[list[Cell]] = [header]
    for p in placed:
        cells: list[Cell] = []
        for k, g in enumerate(groups):
            if coded[k]:
                cells.append(_cell(p.codes[k]) if p.codes[k] else Cell([]))
            cells.append(_cell(p.labels[k]) if p.labels[k] else Cell([]))
            for j in range(len(g.cols)):
                cells.append(_cell([p.certain[k][j]]) if j in p.certain[k] else Cell([]))
            if g.extra:
                cells.append(_cell([p.certain[k][_EXTRA]]) if _EXTRA in p.certain[k] else Cell([]))
        opened = [t for o in p.open for t, _ in o]
        cells += [_cell([t]) for t in opened] + [Cell([])] * (n_open - len(opened))
        rows.append(cells)
    return SpaceBlock(region.start, region.end, "tabs", rows, extra_codes)


def space_blocks(raw: list[str], norm: list[NormLine], taken: set[int]) -> list[SpaceBlock]:
    """Blocks (header + value rows of located cells) of the space-separated tables in a document."""
    out = []
    for region in find_regions(raw, norm, taken):
        block = build_block(region)
        if block is not None:
            out.append(block)
    return out
