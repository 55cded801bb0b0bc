"""Audit rules over the tables: 科目 hierarchy (类 = Σ款, 款 = Σ项 by 科目编码), 合计/总计 rows, total columns
(本年支出合计 = 基本支出 + 项目支出 + …, 小计 = its group), 人员经费/公用经费合计 in 公开06表, the same item
across 公开01–05表, and the 自评表 arithmetic (执行率 = 执行数 ÷ 全年预算数, 得分 = 分值 × 执行率, points per
一级指标 and the total against 100)."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from core.models import Fact
from core.numbers import fmt
from qa.audit.context import Context, RuleSpec

_ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")
_GROUP_POINTS = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]")
_TOTAL_COL = re.compile(r"(?:^|/)(?:本年(?:收入|支出)合计|合计|小计)$")


def _cells(ctx: Context) -> dict[tuple[str, str], list[Fact]]:
    groups: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in ctx.facts:
        if f.kind == "cell" and f.table_id and f.unit in ("万元", "元", ""):
            groups[(f.table_id, f.column)].append(f)
    return groups


def hierarchy(ctx: Context) -> None:
    for (table, column), facts in _cells(ctx).items():
        by_code: dict[str, list[Fact]] = defaultdict(list)
        for f in facts:
            if f.row_code:
                by_code[f.row_code].append(f)
        for code, parents in by_code.items():
            children = [f for f in facts if f.parent_code == code]
            if len(parents) == 1 and children:
                p = parents[0]
                ctx.sum_check("hierarchy", "层级合计不符", p, sorted(children, key=lambda f: f.line),
                              f"{table}「{column}」{code} {p.row_label} 应等于下级科目之和")


def total_rows(ctx: Context) -> None:
    """合计 row = Σ top-level coded rows (公开02/03/05/06); 公开01/04表: 本年合计 = Σ numbered rows, 总计 both halves."""
    for (table, column), facts in _cells(ctx).items():
        totals = [f for f in facts if f.row_label in ("合计", "总计") and not f.row_code]
        tops = [f for f in facts if f.row_code and not f.parent_code and len(f.row_code) == 3]
        if len(totals) == 1 and tops and table != "公开06表":
            ctx.sum_check("total_row", "合计行不符", totals[0], tops, f"{table}「{column}」合计行应等于各类科目之和")
        ordered = sorted(facts, key=lambda f: f.line)
        year_total = [f for f in ordered if re.fullmatch(r"本年(?:收入|支出)合计", f.row_label)]
        if len(year_total) == 1:
            t = year_total[0]
            items = [f for f in ordered if f.line < t.line and _ORDINAL.match(f.row_label)]
            ctx.sum_check("total_row", "合计行不符", t, items, f"{table}「{column}」{t.row_label}应等于各项之和")
            grand = [f for f in ordered if f.row_label == "总计"]
            if len(grand) == 1:
                rest = [f for f in ordered if t.line < f.line < grand[0].line and re.search(r"结转|结余", f.row_label)]
                ctx.sum_check("total_row", "合计行不符", grand[0], [t, *rest], f"{table}「{column}」总计应等于本年合计加结转结余")
    grands = defaultdict(list)
    for f in ctx.facts:
        if f.kind == "cell" and f.row_label == "总计" and f.table_id in ("公开01表", "公开04表"):
            grands[f.table_id].append(f)
    for table, pair in grands.items():
        if len(pair) == 2 and pair[0].value != pair[1].value:
            a, b = pair
            ctx.add("grand_totals", "合计行不符", "high",
                    f"{table} 收入总计 {fmt(a.value, a.decimals)}{{0}} ≠ 支出总计 {fmt(b.value, b.decimals)}{{1}}", [a, b])


def staff_public(ctx: Context) -> None:
    """The 基本支出 table (the one holding 人员经费合计, whatever it is called: 公开06表 or its name):
    人员经费合计 = 301 + 303, 公用经费合计 = 302 + 307 + 310 + 399 (the other classes)."""
    holders = {f.table_id for f in ctx.facts if f.kind == "cell" and f.row_label == "人员经费合计"}
    facts = [f for f in ctx.facts if f.kind == "cell" and f.table_id in holders]
    tops = {f.row_code: f for f in facts if f.row_code and len(f.row_code) == 3}
    for label, codes in (("人员经费合计", ("301", "303")), ("公用经费合计", ("302", "307", "309", "310", "312", "399"))):
        total = [f for f in facts if f.row_label == label]
        parts = [tops[c] for c in codes if c in tops]
        if len(total) == 1 and parts:
            ctx.sum_check("staff_public", "合计行不符", total[0], parts, f"{total[0].table_id} {label}应等于" + "、".join(
                f"{p.row_code}{p.row_label}" for p in parts) + "之和")


def total_columns(ctx: Context) -> None:
    rows: dict[tuple[str, int, str], dict[str, Fact]] = defaultdict(dict)
    for f in ctx.facts:  # by row label too: a two-sided table (收入 | 支出) prints two rows on one line
        if f.kind == "cell" and f.table_id and f.column:
            rows[(f.table_id, f.line, f.row_label)][f.column] = f
    for (table, _, _), cells in rows.items():
        for col, total in cells.items():
            if not _TOTAL_COL.search(col):
                continue
            prefix = col.rsplit("/", 1)[0] if "/" in col else ""
            parts = []
            for other, f in cells.items():
                if other == col or (prefix and not other.startswith(prefix + "/")):
                    continue
                if f.char_start < total.char_start:
                    continue  # parts follow their total; a figure before it is the other side's (收入 | 支出)
                segs = other[len(prefix) + 1:].split("/") if prefix else other.split("/")
                if len(segs) == 1 or (len(segs) == 2 and segs[1] in ("小计", "合计")):
                    parts.append(f)
            if len(parts) >= 2:
                ctx.sum_check("total_column", "列合计不符", total, parts, f"{table}「{total.row_label or '数据'}」行 {col}应等于各列之和")


def cross_tables(ctx: Context) -> None:
    def one(table: str, label: str, column: str) -> Fact | None:
        hits = [f for f in ctx.facts if f.kind == "cell" and f.table_id == table and f.row_label == label
                and f.column == column]
        return hits[0] if len(hits) == 1 else None

    # the identities between the nine tables are profile data (qa.audit.identities); here only
    # the 部门决算 against its attached 绩效自评表: the year's spending is the self-evaluation's 全年执行数
    spent = one("公开01表", "本年支出合计", "支出/决算数")
    evals = [f for f in ctx.facts if f.kind == "cell" and "整体支出绩效自评表" in (f.table_id or "")
             and f.row_label in ("合计", "年度资金总额") and f.column == "全年执行数"]
    if spent and len(evals) == 1 and evals[0].value != spent.value:
        e = evals[0]
        ctx.add("cross_table", "表间不一致", "high", f"公开01表本年支出合计 {fmt(spent.value, spent.decimals)}{{0}} ≠ "
                f"{e.table_id}全年执行数 {fmt(e.value, e.decimals)}{{1}}", [spent, e])


def self_evaluation(ctx: Context) -> None:
    """自评表 rows: 执行率 = 全年执行数 ÷ 全年预算数; 得分 = 分值 × 执行率; 一级指标 points; 总分."""
    by_table: dict[str, list[Fact]] = defaultdict(list)
    for f in ctx.facts:
        if f.kind == "cell" and f.table_id and "自评表" in f.table_id:
            by_table[f.table_id].append(f)
    for table, facts in by_table.items():
        rows: dict[str, dict[str, Fact]] = defaultdict(dict)
        for f in facts:
            rows[f.row_label].setdefault(f.column.split("(")[0], f)
        for label, cols in rows.items():
            budget, spent, rate = cols.get("全年预算数"), cols.get("全年执行数"), cols.get("执行率")
            if budget and spent and rate:
                if budget.value == 0:
                    ctx.add("self_eval", "零基数比率", "low", f"{table}「{label}」全年预算数为0{{0}}，执行率无定义，"
                            f"表中却写 {fmt(rate.value, rate.decimals)}%{{1}}", [budget, rate])
                else:
                    expect = spent.value / budget.value * 100
                    if abs(expect - rate.value) > Decimal("0.5") and abs(expect - rate.value) > expect / 100:
                        ctx.add("self_eval", "自评表计算不符", "medium",
                                f"{table}「{label}」执行率：{fmt(spent.value, spent.decimals)}{{1}} ÷ "
                                f"{fmt(budget.value, budget.decimals)}{{0}} = {fmt(expect, 2)}% ≠ 表中 "
                                f"{fmt(rate.value, rate.decimals)}%{{2}}", [budget, spent, rate])
        _points(ctx, table, sorted(facts, key=lambda f: f.line))


def _points(ctx: Context, table: str, facts: list[Fact]) -> None:
    total_pts = [f for f in facts if f.row_label.startswith("总分") and f.column.startswith("分值")]
    total_got = [f for f in facts if f.row_label.startswith("总分") and "得分" in f.column]
    groups: list[tuple[Fact, list[Fact]]] = []
    loose: list[Fact] = []
    for f in facts:
        if f.row_label.startswith("总分"):
            break
        if f.row_label.startswith("其中"):
            continue  # 其中：当年财政拨款 repeats part of the row above
        m = _GROUP_POINTS.search(ctx.lines[f.line - 1])
        if f.column == "一级指标" or (m and m.start() <= f.char_start < m.end()):
            groups.append((f, []))
        elif f.column.startswith("分值"):
            (groups[-1][1] if groups else loose).append(f)
    for head, items in groups:
        if items:
            ctx.sum_check("self_eval_points", "自评表计算不符", head, items, f"{table} 一级指标分值应等于其下指标分值之和")
    all_items = loose + [f for _, items in groups for f in items]
    if len(total_pts) == 1 and all_items:
        t = total_pts[0]
        ctx.sum_check("self_eval_points", "自评表计算不符", t, all_items, f"{table} 总分的分值应等于各指标分值之和")
        if t.value != 100:
            ctx.add("self_eval_points", "自评表计算不符", "medium", f"{table} 总分分值为 {fmt(t.value, t.decimals)}{{0}}，不是100", [t])
    got = [f for f in facts if "得分" in f.column and not f.row_label.startswith(("总分", "其中"))]
    if len(total_got) == 1 and got:
        ctx.sum_check("self_eval_points", "自评表计算不符", total_got[0], got, f"{table} 总分的得分应等于各项得分之和")


RULES = [RuleSpec("hierarchy", hierarchy, ("coded_rows",)), RuleSpec("total_rows", total_rows, ("cells",)),
         RuleSpec("staff_public", staff_public, ("staff_rows",)), RuleSpec("total_columns", total_columns, ("cells",)),
         RuleSpec("cross_tables", cross_tables, ("table:公开01表",)),
         RuleSpec("self_evaluation", self_evaluation, ("self_eval",))]
