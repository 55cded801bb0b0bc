"""Rates whose operands are stated elsewhere in the same section (`section_rates`). The paragraph rules
(`qa.audit.text`) recompute a rate from the figures of its own paragraph; a 三公 说明 often states this year's
amounts in one paragraph and the year-on-year changes in the next (`公务用车购置及运行维护费支出决算为 19.56 万元` …
`公务用车购置及运行维护费支出决算减少 3.59 万元，下降 15.31%`). Here the missing operand is looked up in the rate's
section (same heading path), by exactly the item the rate's amount names and the role it needs (决算 for a change,
年初预算/预算 for a completion rate), and used only when the section gives that item one value. A rate that the
paragraph rules already check (its operand is in the paragraph) is left to them."""

from __future__ import annotations

import re
from decimal import Decimal

from core.models import Fact
from core.numbers import fmt
from qa.audit.context import Context, RuleSpec
from qa.audit.paragraphs import amount_of, kind_of, para_of
from qa.audit.text import _money, _off, _outside, _para_money
from qa.resolve import norm
from qa.verify import fact_label

_CHANGE = re.compile(r"(?:增加|减少|增长|下降|降低)$")
_VERSUS = re.compile(r"数?(?:比|较)(?:上年度?|上一年度|\d{4}年度?)(?:决算数?)?(?:增加|减少|增长|下降|降低)$")
_BUDGET_COLUMNS = ("预算数", "年初预算数", "全年预算数", "预算")
_SPENT = re.compile(r"(?:支出)?决算数?$")


def _label(f: Fact) -> str:
    return re.sub(r"[为是]$", "", norm(fact_label(f)))


def _in_section(ctx: Context, rate: Fact, want: re.Pattern[str]) -> Fact | None:
    """The one value the rate's section states for an item under exactly this label (several mentions agree)."""
    hits = [f for f in ctx.facts if f.kind == "text" and f.section == rate.section and rate.section and _money(f)
            and want.fullmatch(_label(f))]
    return hits[0] if hits and len({(f.value, f.unit) for f in hits}) == 1 else None


def _in_table(ctx: Context, item: str) -> Fact | None:
    """The item's 预算数 in a table: a column headed by the item over 预算数 (`公务接待费/预算数`), or the item's
    row under a 预算数 column; one value only."""
    hits = []
    for f in ctx.facts:
        if f.kind != "cell" or not _money(f):
            continue
        segs = [norm(s) for s in f.column.split("/")]
        if segs[-1] in _BUDGET_COLUMNS and (item in segs[:-1] or norm(f.row_label) == item):
            hits.append(f)
    return hits[0] if hits and len({(f.value, f.unit) for f in hits}) == 1 else None


def section_rates(ctx: Context) -> None:
    by_id = {f.fact_id: f for f in ctx.facts}
    for rate in ctx.facts:
        amount = by_id.get(amount_of(ctx, rate) or "")
        if rate.kind != "text" or rate.unit != "%" or amount is None or not _money(amount):
            continue
        kind = kind_of(ctx, rate)
        if kind == "growth":
            _growth(ctx, rate, amount)
        elif kind == "completion":
            _completion(ctx, rate, amount)


def _growth(ctx: Context, rate: Fact, change: Fact) -> None:
    label = _label(change)
    if not _VERSUS.search(label) and not (_CHANGE.search(label) and "比" in change.sentence):
        return
    para = para_of(ctx, rate)
    stated = [f for f in _para_money(ctx, rate) if f.fact_id != change.fact_id and not _CHANGE.search(_label(f))]
    if stated:  # the paragraph states a current figure: the paragraph rule judges this rate
        return
    item = _VERSUS.sub("", label) if _VERSUS.search(label) else _CHANGE.sub("", label)
    now = _in_section(ctx, rate, re.compile(re.escape(item) + "数?")) if item else None
    if now is None or now.unit != change.unit:
        return
    down = bool(re.search(r"减少|下降|降低", label + para.text[para.end_pos(change):para.pos(rate)]))
    base = now.value + change.value if down else now.value - change.value
    if base <= 0:
        return
    expect = change.value / base * 100
    sign = "+" if down else "−"
    what = (f"增长率「{item}」：{fmt(change.value, change.decimals)}{{1}} ÷ ({fmt(now.value, now.decimals)}{{0}} {sign} "
            f"{fmt(change.value, change.decimals)}) = {fmt(expect, 2)}%，报告写作 {fmt(rate.value, rate.decimals)}%{{2}}"
            f"（本年数取自同节第{now.line}行）")
    fn = (lambda n, c: c / (n + c) * 100) if down else (lambda n, c: c / (n - c) * 100)
    _report(ctx, rate, expect, what, [now, change, rate], fn)


def _completion(ctx: Context, rate: Fact, spent: Fact) -> None:
    money = _para_money(ctx, rate)
    para = para_of(ctx, rate)
    if len(money) >= 2 and "预算" in para.text[max(0, para.pos(money[-2]) - 12):para.pos(money[-2])]:
        return  # the budget is the paragraph's figure before the amount: the paragraph rule judges this rate
    label = _label(spent)
    if not _SPENT.search(label):
        return
    item = _SPENT.sub("", label)
    budget = (_in_section(ctx, rate, re.compile(re.escape(item) + r"(?:支出)?(?:年初)?预算数?"))
              or _in_table(ctx, item)) if item else None
    if budget is None or budget.unit != spent.unit or budget.value == 0:
        return
    expect = spent.value / budget.value * 100
    where = f"{budget.table_id}" if budget.kind == "cell" else "同节"
    what = (f"完成预算「{item}」：{fmt(spent.value, spent.decimals)}{{1}} ÷ {fmt(budget.value, budget.decimals)}{{0}} = "
            f"{fmt(expect, 2)}%，报告写作 {fmt(rate.value, rate.decimals)}%{{2}}（预算数取自{where}第{budget.line}行）")
    _report(ctx, rate, expect, what, [budget, spent, rate], lambda b, s: s / b * 100)


def _report(ctx: Context, rate: Fact, expect: Decimal, what: str, facts: list[Fact], fn: object) -> None:
    if _off(expect, rate.value):
        ctx.add("section_rates", "比率不符", "medium", what, facts)
    elif _outside(rate, fn, *facts[:2]):  # type: ignore[arg-type]
        ctx.add("section_rates", "比率尾差", "low", what + "，超出四舍五入范围", facts)


RULES = [RuleSpec("section_rates", section_rates, ("rates",))]
