"""Audit rules on what the narrative says about its own figures: comparison words (`决算数小于年初预算数`,
`与上年持平`) against the figures they describe; a 科目 item's amount against its own `支出决算`; the same item and
role stated twice with two values (parts of a breakdown keep their total's scope and are left out)."""

from __future__ import annotations

import re

from core.models import Fact
from core.numbers import fmt
from qa.audit.context import CENT, Context, RuleSpec
from qa.audit.labels import MONEY, is_change, text_key, vocabulary
from qa.audit.narrative import HEADING, SENT_END, breakdowns, role_of, value_in, wrapped
from qa.audit.paragraphs import Para, paragraphs

_RELATION = re.compile(r"决算数?\s*(大于|小于|等于|高于|低于|超过)\s*(?:年初)?预算数?")
_FLAT = re.compile(r"(?:与|比)[^，,。；;]{0,15}?持平")
_CHANGED = re.compile(r"(增加|减少|增长|下降)的(?:主要)?原因")


def stated_comparisons(ctx: Context) -> None:
    """`决算数大于/小于/等于预算数` against the two figures of the sentence; `与上年持平` next to a change."""
    for para in paragraphs(ctx):
        text, facts, at = para.text, para.facts, para.pos
        for m in _RELATION.finditer(text):
            start = text.rfind(SENT_END, 0, m.start()) + 1
            money = [f for f in facts if start <= at(f) < m.start() and f.unit in MONEY and not is_change(f)]
            budget = [f for f in money if (role_of(f) or "").endswith("预算")]
            spent = [f for f in money if role_of(f) == "决算"]
            if not budget or not spent:
                continue
            b, a = budget[-1], spent[-1]
            if a.unit != b.unit:
                continue  # a unit slip makes every comparison moot; `unit_by_rate` reports it
            av, bv = value_in(a, "万元"), value_in(b, "万元")
            actual = "大于" if av > bv else "小于" if av < bv else "等于"
            said = {"高于": "大于", "超过": "大于", "低于": "小于"}.get(m.group(1), m.group(1))
            if said != actual:
                ctx.add("stated_comparison", "表述与数字不符", "medium",
                        f"文中说“{m.group(0)}”，但决算 {fmt(a.value, a.decimals)}{a.unit}{{1}} {actual}预算 "
                        f"{fmt(b.value, b.decimals)}{b.unit}{{0}}", [b, a], extra_lines=[_line_at(para, m.start())])
        for m in _FLAT.finditer(text):
            stop = re.search(r"[。；;]", text[m.end():])  # the clause `持平` speaks of (a list part ends at ；)
            end = m.end() + stop.start() if stop else -1
            rest = text[m.end(): end if end >= 0 else len(text)]
            change = [f for f in facts if m.end() <= at(f) and (end < 0 or at(f) < end) and is_change(f) and f.value != 0]
            reason = _CHANGED.search(rest) or re.search(r"(增加|减少|增长|下降)\s*持平$", m.group(0))
            if change or reason:
                line = _line_at(para, m.start())
                what = (f"却有变动 {fmt(change[0].value, change[0].decimals)}{change[0].unit}{{0}}" if change
                        else f"又说“{reason.group(0) if reason else ''}”")
                ctx.add("stated_comparison", "表述与数字不符", "low", f"第{line}行说“{m.group(0)}”，{what}",
                        change[:1], extra_lines=[] if change else [line])


def _line_at(para: Para, pos: int) -> int:
    return max((n for n, b in para.base.items() if b <= pos), default=para.start)


_ITEM_AMOUNT = re.compile(r"[（(]项[)）]\s*$")


def item_amounts(ctx: Context) -> None:
    """A 科目 item printed with its amount (`15、…（项）269.85 万元，主要用于:`) and, in the same numbered item,
    its `支出决算为 269.86 万元`: the two must be one figure."""
    blocks: list[list[tuple[Para, Fact]]] = [[]]
    for para in paragraphs(ctx):
        if HEADING.match(para.text) or re.match(r"^\s*\d+\s*[、.．]", para.text):
            blocks.append([])
        blocks[-1] += [(para, f) for f in para.facts if f.unit in MONEY and not f.rate_kind and not is_change(f)]
    for block in blocks:
        named = [f for p, f in block if _ITEM_AMOUNT.search(p.text[:p.pos(f)])]
        spent = [f for _, f in block if role_of(f) == "决算" and f not in named]
        if len(named) != 1 or not spent or value_in(spent[-1], "万元") == value_in(named[0], "万元"):
            continue
        a, b = named[0], spent[-1]
        diff = abs(value_in(a, "万元") - value_in(b, "万元"))
        ctx.add("item_amounts", "前后不一致", "low" if diff <= CENT else "high",  # one figure: no rounding excuse
                f"同一科目项前后两个数：项名后 {fmt(a.value, a.decimals)}{a.unit}{{0}}，支出决算 "
                f"{fmt(b.value, b.decimals)}{b.unit}{{1}}（相差 {fmt(diff, 2)}）", [a, b])


def same_item(ctx: Context) -> None:
    """The same item (same role) stated as a level in two places of the narrative with two values. Parts of a
    breakdown are left out: their scope is their total's (财政拨款基本支出 vs 基本支出)."""
    parts = {p.fact_id for b in breakdowns(ctx) for p in b.parts}
    generic = set(vocabulary().get("generic_items", []))
    groups: dict[tuple[str, str], list[Fact]] = {}
    for f in ctx.facts:
        key = text_key(f)
        if key and f.fact_id not in parts and len(key.item) >= 4 and key.item not in generic and f.value != 0 \
                and not wrapped(ctx, f):
            groups.setdefault((key.item, key.role), []).append(f)
    for (item, role), facts in groups.items():
        values = sorted({value_in(f, "万元") for f in facts})
        if len(values) < 2:
            continue
        a = next(f for f in facts if value_in(f, "万元") == values[0])
        b = next(f for f in facts if value_in(f, "万元") == values[-1])
        diff = values[-1] - values[0]
        ctx.add("same_item", "前后不一致", "low" if diff <= CENT else "high",  # one figure: no rounding excuse
                f"「{item}」{role}数前后不一致：第{a.line}行 {fmt(a.value, a.decimals)}{a.unit}{{0}}，第{b.line}行 "
                f"{fmt(b.value, b.decimals)}{b.unit}{{1}}（相差 {fmt(diff, 2)}）", [a, b])


RULES = [RuleSpec("stated_comparisons", stated_comparisons, ("narrative",)), RuleSpec("same_item", same_item, ("narrative",)),
         RuleSpec("item_amounts", item_amounts, ("narrative",))]
