"""Audit rules between the narrative and the tables, and between a figure and the rate printed beside it: the
same item in narrative and table under different wording (培训费 / 培训费支出, “三公”经费 决算 / 公开07表 决算数合计);
a project's 年初预算 in the narrative against its 自评表; a money figure whose printed rate proves another unit
(`29.46元，完成年初预算的294.6%` with 年初预算10万元); a share whose named denominator does not give it while
another figure of the report does (`32.8%` is 1.64 ÷ 5, the 执行率); a scoped total (财政拨款收、支总计) whose
carry-over exceeds the report's whole carry-over."""

from __future__ import annotations

import re
from decimal import Decimal

from core.models import Fact
from core.numbers import fmt, half_unit, to_base
from qa.audit.context import Context, RuleSpec
from qa.audit.labels import MONEY, Key, canonical, cell_key, split_role, text_key, vocabulary
from qa.audit.narrative import breakdowns, wrapped
from qa.audit.paragraphs import amount_of, para_of, paragraphs


def _wan(f: Fact) -> Decimal:
    return to_base(f.value, f.unit)[0] / Decimal(10000) if f.unit in MONEY else f.value


def _cells_by_key(ctx: Context) -> dict[Key, list[Fact]]:
    if "cells_by_key" not in ctx.memo:
        out: dict[Key, list[Fact]] = {}
        for f in ctx.facts:
            if f.kind == "cell" and f.unit in MONEY and "自评" not in (f.table_id or ""):
                key = cell_key(f)
                if key:
                    out.setdefault(key, []).append(f)
        ctx.memo["cells_by_key"] = out
    cells: dict[Key, list[Fact]] = ctx.memo["cells_by_key"]
    return cells


def narrative_items_vs_tables(ctx: Context) -> None:
    """A narrative figure and the table cell(s) of the same item and role (one value in all tables) differ.
    Parts of a self-consistent narrative breakdown are skipped: their total fixes another scope."""
    cells = _cells_by_key(ctx)
    known = {k.item for k in cells}
    scoped = {p.fact_id for b in breakdowns(ctx) if b.consistent for p in b.parts}
    for t in ctx.facts:
        key = text_key(t, known)
        if key is None or t.fact_id in scoped or key not in cells or wrapped(ctx, t):
            continue
        said = _scopes(t.phrase + (t.row_label if not split_role(canonical(t.phrase))[1] else ""))
        same = [c for c in cells[key] if said <= _scopes(f"{c.table_title}{c.row_label}{c.column}")]
        values = {_wan(c) for c in same}
        tol = to_base(half_unit(t.decimals), t.unit)[0] / Decimal(10000)  # 9.38万元 is 93750元 rounded
        if len(values) != 1 or any(abs(_wan(t) - v) <= tol for v in values):
            continue
        c = same[0]
        ratio = t.value / c.value if c.value else None
        if ratio in (Decimal(10000), Decimal("0.0001")):
            ctx.add("narrative_table", "单位疑误", "high", f"「{key.item}」正文 {t.raw}{{0}} 是{c.table_id}中 "
                    f"{fmt(c.value, c.decimals)}{c.unit}{{1}} 的 {fmt(ratio, 4)} 倍：元与万元混用", [t, c])
            continue
        ctx.add("narrative_table", "表文不一致", "high",
                f"「{key.item}」{key.role}数：正文 {fmt(t.value, t.decimals)}{t.unit}{{0}} ≠ {c.table_id}"
                f"「{c.row_label or c.column}」{fmt(c.value, c.decimals)}{c.unit}{{1}}（相差 {fmt(abs(_wan(t) - _wan(c)), 2)}）",
                [t, c])


def _scopes(text: str) -> set[str]:
    return {w for w in vocabulary()["scope_words"] if w in text}


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def budget_vs_evaluation(ctx: Context) -> None:
    """A narrative `年初预算为B，支出决算为A` against the 自评表 of the same project (same 执行数 A, its name in the
    sentence) whose 年初预算数 differs."""
    rows: dict[tuple[str, str], dict[str, Fact]] = {}
    for f in ctx.facts:
        if f.kind == "cell" and "自评表" in (f.table_id or "") and f.row_label in ("年度资金总额", "合计"):
            rows.setdefault((f.table_id or "", f.row_label), {})[f.column.split("(")[0]] = f
    for para in paragraphs(ctx):
        money = [f for f in para.facts if f.unit in MONEY and not f.rate_kind]
        budget = [f for f in money if _role(f) == "年初预算"]
        spent = [f for f in money if _role(f) == "决算"]
        if len(budget) != 1 or len(spent) != 1 or spent[0].value == 0:
            continue
        b, a = budget[0], spent[0]
        sentence = para.text
        for (table, _), cols in rows.items():
            tb, ta = cols.get("年初预算数"), cols.get("全年执行数")
            name = re.search(r"[（(]([^）)]+)[）)]\s*$", table)
            if not tb or not ta or _wan(ta) != _wan(a) or not name:
                continue
            grams = _bigrams(name.group(1))
            if not grams or len(grams & _bigrams(sentence)) / len(grams) < 0.6 or _wan(tb) == _wan(b):
                continue
            ctx.add("budget_vs_evaluation", "表文不一致", "high",
                    f"「{name.group(1)}」年初预算：正文 {fmt(b.value, b.decimals)}{b.unit}{{0}}，{table}年初预算数 "
                    f"{fmt(tb.value, tb.decimals)}{{2}}（两处执行数均为 {fmt(a.value, a.decimals)}{{1}}{{3}}）", [b, a, tb, ta])


def _role(f: Fact) -> str | None:
    return split_role(canonical(f.phrase))[0]


def _matches(expect: Decimal, rate: Fact) -> bool:
    """`expect` (a percentage) prints as the rate at the rate's precision."""
    return abs(expect - rate.value) <= half_unit(rate.decimals) + Decimal("0.0000001")


def unit_by_rate(ctx: Context) -> None:
    """A completion rate over two money figures of different units: if the rate holds only when both are read in
    the same unit, the unit printed on one of them is a slip (元 for 万元)."""
    for rate in ctx.facts:
        if rate.kind != "text" or rate.unit != "%" or rate.rate_kind not in ("completion", "share"):
            continue
        money = [f for f in para_of(ctx, rate).before(rate) if f.unit in MONEY and not f.rate_kind]
        if len(money) < 2 or money[-1].unit == money[-2].unit:
            continue
        den, num = money[-2], money[-1]
        if den.value == 0:
            continue
        proper = to_base(num.value, num.unit)[0] / to_base(den.value, den.unit)[0] * 100
        as_printed = num.value / den.value * 100
        if _matches(as_printed, rate) and not _matches(proper, rate):
            ctx.add("unit_by_rate", "单位疑误", "high",
                    f"{num.raw}{{1}} 与 {den.raw}{{0}} 之比为 {fmt(proper, 4)}%，而报告写作 {fmt(rate.value, rate.decimals)}%{{2}}；"
                    f"{fmt(num.value, num.decimals)} ÷ {fmt(den.value, den.decimals)} = {fmt(as_printed, 2)}% 正是所写比率，"
                    f"故 {num.raw} 应为 {fmt(num.value, num.decimals)}{den.unit}", [den, num, rate])


def share_denominators(ctx: Context) -> None:
    """`A占X的R%`: when X's figure does not give R (or X names no figure), look for the figure that does — the
    amount over another named total, or the item's 决算 over its 预算 (then R is an 执行率, not a share)."""
    by_id = {f.fact_id: f for f in ctx.facts}
    money = [f for f in ctx.facts if f.unit in MONEY and not f.rate_kind and f.value > 0]
    for rate in ctx.facts:
        if rate.kind != "text" or rate.rate_kind != "share" or rate.value <= 0:
            continue
        named = re.sub(r"^.*?占|的?比例?$|的$", "", rate.phrase)
        want = canonical(named)
        if len(want) < 2:
            continue
        amount = by_id.get(amount_of(ctx, rate) or "")
        if amount is None:
            _orphan_share(ctx, rate, want, money)
            continue
        if _denominator_named_nearby(ctx, rate, amount, want):
            continue  # `stated_rates` recomputes it
        stated = [f for f in money if f.fact_id != amount.fact_id and len(_label(f)) >= 4 and _label(f) in want]
        if not stated:
            continue
        den = max(stated, key=lambda f: len(_label(f)))
        if _matches(_wan(amount) / _wan(den) * 100, rate) and rate.value <= 100:
            continue
        alt = [f for f in money if f.fact_id not in (amount.fact_id, den.fact_id)
               and _matches(_wan(amount) / _wan(f) * 100, rate)]
        if not alt:
            continue
        other = max(alt, key=lambda f: (f.kind == "text" or f.row_label in ("合计", "总计"),
                                         len(_bigrams(_label(f)) & _bigrams(want))))
        said = f"“占{named}的{fmt(rate.value, rate.decimals)}%”"
        if rate.value > 100:
            ctx.add("share_denominator", "比率不符", "medium",
                    f"{said}{{2}}：占比超过100%，部分大于整体——{_label(amount)} {fmt(amount.value, amount.decimals)}{{0}} 超过了"
                    f" {_where(other)} {fmt(other.value, other.decimals)}{{1}}", [amount, other, rate])
            continue
        head = (f"{said}{{3}}：{fmt(amount.value, amount.decimals)}{{0}} ÷ {_label(den)} {fmt(den.value, den.decimals)}{{1}}"
                f" = {fmt(_wan(amount) / _wan(den) * 100, 2)}%；所写比率是 {fmt(amount.value, amount.decimals)} ÷")
        ctx.add("share_denominator", "比率不符", "medium",
                f"{head} {_where(other)} {fmt(other.value, other.decimals)}{{2}}", [amount, den, other, rate])


def _where(f: Fact) -> str:
    return f"{f.table_id}「{_label(f)}」" if f.kind == "cell" else f"「{_label(f)}」"


def _label(f: Fact) -> str:
    if f.kind == "cell":
        return canonical(f.row_label if f.row_label not in ("合计", "") else f.column.split("/")[-1])
    return canonical(f.phrase or f.row_label)


def _denominator_named_nearby(ctx: Context, rate: Fact, amount: Fact, want: str) -> bool:
    """The sentence names its denominator before the amount, or a table row carries exactly that label."""
    para = para_of(ctx, rate)
    same = [f for f in para.before(amount) if f.unit in MONEY and not f.rate_kind and _label(f).endswith(want)]
    return bool(same) or any(f.kind == "cell" and canonical(f.row_label) == want for f in ctx.facts)


def _orphan_share(ctx: Context, rate: Fact, want: str, money: list[Fact]) -> None:
    """`“三公”经费预算总额仅占全部预算的32.8%` with no figure in the sentence: the item before 占 is found in the
    report; if its 决算 ÷ 预算 gives the rate, the rate is that item's 执行率."""
    para = para_of(ctx, rate)
    line, at = para.text, para.pos(rate)
    start = max(line.rfind(c, 0, at) for c in "。；;，,") + 1
    head = line[start:at]
    if "占" not in head:
        return
    subject = canonical(head.split("占")[0])
    role, item = split_role(subject)
    item = canonical(item)
    if len(item) < 2:
        return
    facts = [f for f in money if (k := text_key(f) or cell_key(f)) and item in k.item]
    budgets = [f for f in facts if ((text_key(f) or cell_key(f)) or Key("", "")).role.endswith("预算")]
    spent = [f for f in facts if ((text_key(f) or cell_key(f)) or Key("", "")).role == "决算"]
    for b in budgets:
        for a in spent:
            if _matches(_wan(a) / _wan(b) * 100, rate):
                ctx.add("share_denominator", "比率不符", "medium",
                        f"“{head.strip()}{fmt(rate.value, rate.decimals)}%”{{2}}：{fmt(rate.value, rate.decimals)}% = "
                        f"{item}决算 {fmt(a.value, a.decimals)}{{1}} ÷ 预算 {fmt(b.value, b.decimals)}{{0}}，是执行率，"
                        f"不是{item}{role or ''}占{want}的比例（按此比例{want}只有 "
                        f"{fmt(_wan(b) / rate.value * 100, 2)}万元）", [b, a, rate])
                return


def scoped_carryover(ctx: Context) -> None:
    """财政拨款收、支总计 − 财政拨款收入 is the 财政拨款 carry-over; it cannot exceed 收、支总计 − 收入合计 (all of
    the carry-over). When it does, the scoped total was copied from the whole (it includes 其他收入)."""
    for spec in vocabulary()["scoped_totals"]:
        keyed = [(f, k) for f in ctx.facts if f.kind == "text" and (k := text_key(f))]

        def first(item: str, scoped: bool, keyed: list[tuple[Fact, Key]] = keyed,
                  scope: str = spec["scope"]) -> Fact | None:
            hits = [f for f, key in keyed if key.item.endswith(item) and (scope in key.item) == scoped and f.value > 0]
            return hits[0] if hits else None

        total, scoped_total = first(spec["total"], False), first(spec["total"], True)
        income = next((x for x in (first(i, False) for i in spec["income"]) if x), None)
        scoped_income = next((x for x in (first(i, True) for i in spec["scoped_income"]) if x), None)
        if not (total and scoped_total and income and scoped_income):
            continue
        whole = _wan(total) - _wan(income)
        part = _wan(scoped_total) - _wan(scoped_income)
        if part <= whole:
            continue
        ctx.add("scoped_carryover", "表述与数字不符", "high",
                f"{spec['scope']}{spec['total']} {fmt(scoped_total.value, scoped_total.decimals)}{{0}} − "
                f"{canonical(scoped_income.phrase)} {fmt(scoped_income.value, scoped_income.decimals)}{{1}} = {fmt(part, 2)}，"
                f"多于全部结转结余 {fmt(total.value, total.decimals)}{{2}} − {fmt(income.value, income.decimals)}{{3}} = "
                f"{fmt(whole, 2)}：{spec['scope']}{spec['total']}不可能是 {fmt(scoped_total.value, scoped_total.decimals)}"
                f"（它等于全部收支总计，含非{spec['scope']}收入）", [scoped_total, scoped_income, total, income])


RULES = [RuleSpec("narrative_items_vs_tables", narrative_items_vs_tables, ("narrative", "cells")),
         RuleSpec("budget_vs_evaluation", budget_vs_evaluation, ("narrative", "self_eval")),
         RuleSpec("unit_by_rate", unit_by_rate, ("rates",)), RuleSpec("share_denominators", share_denominators, ("rates",)),
         RuleSpec("scoped_carryover", scoped_carryover, ("narrative",))]
