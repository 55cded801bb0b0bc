"""The cross-table identities of a report family (`收入支出决算总表.本年收入合计 = 收入决算表.合计.本年收入合计`,
`…基本支出 = 人员经费合计 + 公用经费合计`), read from the family's profile (index/profiles/), checked on the
document's cells. The same rule runs on Hunan `公开01–09表` and on the Shanghai table names: a table is found by
its id, its id patterns, its name or a synonym. An identity whose cells cannot all be found is recorded as not
checked, with the reason, for the runner's coverage."""

from __future__ import annotations

import re
from decimal import Decimal

from core.models import Fact
from core.numbers import fmt
from index.profiles import Profile, TableSpec, families_for, load_profiles, norm_title
from qa.audit.context import CENT, Context, RuleSpec

_NUMBERING = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*")


def _in_table(f: Fact, spec: TableSpec) -> bool:
    names = spec.names()
    tid = f.table_id or ""
    return (tid == spec.id or norm_title(tid) in names or norm_title(f.table_title or "") in names
            or any(re.fullmatch(p, norm_title(tid)) for p in spec.id_patterns))


def _same(a: str, b: str) -> bool:
    return norm_title(_NUMBERING.sub("", a)) == norm_title(_NUMBERING.sub("", b))


def _column_is(column: str, want: str) -> bool:
    return _same(column, want) or _same(column.split("/")[-1], want) or _same(column, want.split("/")[-1])


def resolve(ctx: Context, spec: TableSpec, path: list[str]) -> tuple[Fact | None, str]:
    """The one cell a term names (row, then column if given), or None with why."""
    cells = [f for f in ctx.facts if f.kind == "cell" and _in_table(f, spec)]
    if not cells:
        return None, f"{spec.name} not found / 未找到{spec.name}"
    row = [f for f in cells if norm_title(f.row_label) == norm_title(path[0])] or \
        [f for f in cells if _same(f.row_label, path[0])]
    if len(path) > 1:
        row = [f for f in row if _column_is(f.column, path[1])]
    if not row:
        return None, f"{spec.name}「{'.'.join(path)}」 not found / 表中未找到该行列"
    if len({f.value for f in row}) > 1:
        return None, f"{spec.name}「{'.'.join(path)}」 ambiguous / 有多个不同取值"
    return row[0], ""


def _profiles(ctx: Context) -> list[Profile]:
    """The families of the document's kinds whose tables it holds: matched by table id or id pattern first
    (公开07表), else by name; the best-matching families only, so one identity is not checked twice."""
    kinds = [ctx.report.doc_type, *ctx.report.parts]
    tables = {(f.table_id or "", f.table_title or "") for f in ctx.facts if f.kind == "cell"}
    scored: list[tuple[int, Profile]] = []
    for kind in dict.fromkeys(kinds):
        for prof in families_for(load_profiles(), kind):
            score, ids = 0, 0
            for spec in prof.tables:
                by_id = any(tid == spec.id or any(re.fullmatch(p, norm_title(tid)) for p in spec.id_patterns)
                            for tid, _ in tables)
                by_name = any(norm_title(tid) in spec.names() or norm_title(title) in spec.names() for tid, title in tables)
                score += 10 if by_id else 1 if by_name else 0
                ids += by_id
            if any(spec.id_patterns for spec in prof.tables) and not ids:
                continue  # a family that names its tables by caption (公开07表) is recognised by those captions
            if score and all(p is not prof for _, p in scored):
                scored.append((score, prof))
    best = max((s for s, _ in scored), default=0)
    return [p for s, p in scored if s == best]


def profile_identities(ctx: Context) -> None:
    unchecked: dict[str, str] = ctx.memo.setdefault("unchecked", {})
    for prof in _profiles(ctx):
        for text, terms in zip(prof.identities, prof.identity_terms(), strict=True):
            cells: list[tuple[int, Fact]] = []
            why = ""
            for sign, spec, path in terms:
                cell, why = resolve(ctx, spec, path)
                if cell is None:
                    break
                cells.append((sign, cell))
            if why:
                unchecked[f"{prof.family}: {text}"] = why
                continue
            diff = sum((sign * c.value for sign, c in cells), Decimal(0))
            if diff == 0:
                continue
            left = [c for s, c in cells if s > 0]
            right = [c for s, c in cells if s < 0]
            shown = " + ".join(f"{fmt(c.value, c.decimals)}{{{len(left) + i}}}" for i, c in enumerate(right))
            lhs = " + ".join(f"{fmt(c.value, c.decimals)}{{{i}}}" for i, c in enumerate(left))
            drift = abs(diff) <= CENT * len(cells)
            ctx.add("profile_identity", "尾数差异" if drift else "表间不一致", "low" if drift else "high",
                    f"{text}：{lhs} ≠ {shown}" + (f" = {fmt(sum((c.value for c in right), Decimal(0)), 2)}" if len(right) > 1
                                                  else "") + f"（相差 {fmt(abs(diff), 2)}）", [*left, *right])


def profile_bounds(ctx: Context) -> None:
    """The family's inequalities: a figure of a wider scope below one it contains (三公 公务接待费 0.30 below
    the 基本支出 table's 公务接待费 8.31) is a contradiction between the two tables."""
    for prof in _profiles(ctx):
        for text, terms in zip(prof.bounds, prof.identity_terms(bounds=True), strict=True):
            cells = []
            for sign, spec, path in terms:
                cell, _ = resolve(ctx, spec, path)
                if cell is None:
                    break
                cells.append((sign, cell))
            else:
                diff = sum((sign * c.value for sign, c in cells), Decimal(0))
                if diff >= -CENT * len(cells):
                    continue
                left = [c for s, c in cells if s > 0]
                right = [c for s, c in cells if s < 0]
                lhs = " + ".join(f"{fmt(c.value, c.decimals)}{{{i}}}" for i, c in enumerate(left))
                rhs = " + ".join(f"{fmt(c.value, c.decimals)}{{{len(left) + i}}}" for i, c in enumerate(right))
                ctx.add("profile_bound", "表间不一致", "high", f"{text.replace('..', '.')}：{lhs} < {rhs}（相差 {fmt(abs(diff), 2)}）",
                        [*left, *right])


RULES = [RuleSpec("profile_identities", profile_identities, ("cells",)),
         RuleSpec("profile_bounds", profile_bounds, ("cells",))]
