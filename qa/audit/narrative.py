"""Audit rules inside the narrative: a stated total against its named parts (`X万元，其中：A、B、C`, numbered items
after `其中：`, `N个网格员（城区a个，农村b个）`, sibling counts `专职网格员a人、兼职网格员b人` against `N个网格员`);
comparison words (`决算数小于年初预算数`, `与上年持平`) against the figures they describe; the same item stated
twice with two values. Parts are read in the total's unit; a sum off by ≤ 0.01 per part is rounding drift."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from core.models import Fact
from core.numbers import fmt, to_base
from qa.audit.context import CENT, Context, RuleSpec, Severity
from qa.audit.labels import MONEY, canonical, exhaustive, is_change, split_role, text_key, vocabulary
from qa.audit.paragraphs import Para, amount_of, paragraphs

_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*、|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+部分)")
_SENT_END = "。"


@dataclass
class Breakdown:
    total: Fact
    parts: list[Fact]
    exhaustive: bool
    consistent: bool = True


def _family(f: Fact) -> str | None:
    if f.rate_kind or f.unit in ("%", "百分点"):
        return None
    if f.unit in MONEY:
        return "money"
    return "count" if f.unit in vocabulary()["count_units"] else (f.unit or None)


def _value(f: Fact, unit: str) -> Decimal:
    """`f` in `unit` (both money) — or as printed for counts."""
    if f.unit in MONEY and unit in MONEY:
        return to_base(f.value, f.unit)[0] / to_base(Decimal(1), unit)[0]
    return f.value


def _role(f: Fact) -> str | None:
    return split_role(canonical(f.phrase))[0]


def _shared(ctx: Context, f: Fact, facts: list[Fact]) -> bool:
    return any(g.rate_kind == "share" and amount_of(ctx, g) == f.fact_id for g in facts)


_TITLE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十]+部分)")


def wrapped(ctx: Context, f: Fact) -> bool:
    """The figure's phrase starts a line that continues a long unfinished previous line (a 科目 name cut by
    wrapping: `…（款）一般行政` / `管理事务（项）8.43 万元`), so the label is only the tail of the real name."""
    text = ctx.lines[f.line - 1]
    if f.line < 2 or len(text[:f.char_start].strip()) > len(f.phrase) + 2:
        return False
    prev = next((ctx.lines[n - 1].strip() for n in range(f.line - 1, 0, -1) if ctx.lines[n - 1].strip()), "")
    return len(prev) >= 20 and not re.search(r"[。：:；;！？!?）)]$", prev) and not _TITLE.match(prev)


def breakdowns(ctx: Context) -> list[Breakdown]:
    """Every `total，其中：parts`, `total…如下：` + items and `total（parts）` in the narrative (cached)."""
    if "breakdowns" in ctx.memo:
        cached: list[Breakdown] = ctx.memo["breakdowns"]
        return cached
    out: list[Breakdown] = []
    openers = "|".join(map(re.escape, vocabulary()["list_openers"]))
    for para in paragraphs(ctx):
        text, facts, at = para.text, para.facts, para.pos
        marks = [(m.start(), m.end()) for m in re.finditer(openers, text)]
        for i, (p, q) in enumerate(marks):
            sent_start = text.rfind(_SENT_END, 0, p) + 1
            totals = [f for f in facts if sent_start <= at(f) and para.end_pos(f) <= p and _family(f)
                      and not is_change(f)]
            if not totals:
                continue
            dot = text.find(_SENT_END, p)
            end = min([*(m for m, _ in marks[i + 1:]), dot if dot >= 0 else len(text)])
            inline = [f for f in facts if p < at(f) < end and _family(f) and not is_change(f)]
            if inline:
                out += _match(ctx, totals, inline, facts)
            elif not text[q:].strip(" ：:，,"):
                out += _numbered(totals, _following(ctx, para))
        for t in facts:
            out += _parenthetical(t, para)
    ctx.memo["breakdowns"] = out
    return out


def _following(ctx: Context, para: Para) -> list[list[Fact]]:
    """The figures of each item paragraph after a paragraph that ends with `其中：` / `如下：`, to the next heading."""
    items: list[list[Fact]] = []
    for p in paragraphs(ctx):
        if p.start <= para.end:
            continue
        if _HEADING.match(p.text) or p.start > para.end + 40:
            break
        money = [f for f in p.facts if _family(f) and not is_change(f)]
        if money:
            items.append(money)
    return items


def _numbered(totals: list[Fact], items: list[list[Fact]]) -> list[Breakdown]:
    """Each role's last total against one figure of that role per item: the item's explicit one (支出决算为…),
    else, for 决算, the amount printed after the item's name."""
    default = vocabulary()["default_role"]
    last: dict[str, Fact] = {}
    for t in totals:
        last[_role(t) or default] = t
    out = []
    for role, t in last.items():
        parts = []
        for figs in items:
            same = [f for f in figs if _family(f) == _family(t) and _role(f) == role]
            bare = [f for f in figs if _family(f) == _family(t) and _role(f) is None]
            if same:
                parts.append(same[-1])
            elif role == default and bare:
                parts.append(bare[0])
        if parts:
            out.append(Breakdown(t, parts, True))
    return out


def _match(ctx: Context, totals: list[Fact], parts: list[Fact], line_facts: list[Fact]) -> list[Breakdown]:
    """Each role's last total gets the parts of its role (预算 … 实际支出 …); one role: the last total, all."""
    last: dict[str | None, Fact] = {}
    for t in totals:
        last[_role(t)] = t
    out = []
    for role, t in last.items():
        fam = _family(t)
        mine = [p for p in parts if _family(p) == fam]
        if len(last) > 1:
            mine = [p for p in mine if _role(p) == role]
        if len(mine) < 2:
            continue
        labels = [p.phrase for p in mine]
        full = exhaustive(t.phrase or t.row_label, labels) or all(_shared(ctx, p, line_facts) for p in mine)
        out.append(Breakdown(t, mine, full))
    return out


def _parenthetical(total: Fact, para: Para) -> list[Breakdown]:
    text, end = para.text, para.end_pos(total)
    m = re.match(r"\s*[\u4e00-\u9fff]{0,8}[（(]([^）)]*)[）)]", text[end:])
    if not m or "含" in m.group(1) or not _family(total):
        return []
    lo, hi = end + m.start(1), end + m.end(1)
    parts = [f for f in para.facts if lo <= para.pos(f) < hi and _family(f) == _family(total)]
    return [Breakdown(total, parts, True)] if len(parts) >= 2 else []


def _reading(b: Breakdown) -> list[tuple[Fact, Decimal, bool]]:
    """Each part in the total's unit; a money part whose unit is unlike the total's and every sibling's is read
    as printed in the common unit (29.46元 among 万元 figures is a unit slip, reported by `unit_by_rate`)."""
    unit = b.total.unit
    out = []
    for p in b.parts:
        odd = p.unit in MONEY and p.unit != unit and all(q.unit == unit for q in b.parts if q is not p)
        out.append((p, p.value if odd else _value(p, unit), odd))
    return out


def stated_parts(ctx: Context) -> None:
    """A stated total against the sum of its named parts (more than the total always; less when the list is
    exhaustive: numbered items, a known partition, parentheses, or every part with its share)."""
    for b in breakdowns(ctx):
        t = b.total
        unit = t.unit
        read = _reading(b)
        s = sum((v for _, v, _ in read), Decimal(0))
        diff = s - _value(t, unit)
        if diff == 0 or (diff < 0 and not b.exhaustive):
            continue
        b.consistent = False
        places = max([t.decimals, *[p.decimals for p in b.parts]])
        drift = abs(diff) <= CENT * len(b.parts) and places >= 2
        shown = " + ".join(f"{fmt(v, p.decimals)}{{{i + 1}}}" + (f"（原文 {p.raw}，按{unit}计）" if odd else "")
                           for i, (p, v, odd) in enumerate(read))
        what = canonical(t.phrase or t.row_label) or "合计"
        severity: Severity = "low" if drift else ("high" if abs(diff) >= 1 else "medium")
        ctx.add("stated_parts", "尾数差异" if drift else "分项合计不符", severity,
                f"「{what}」{fmt(t.value, t.decimals)}{t.unit}{{0}} 应等于所列各项之和：{shown} = "
                f"{fmt(s, places)} {'>' if diff > 0 else '<'} {fmt(t.value, t.decimals)}（相差 {fmt(abs(diff), places)}）",
                [t, *b.parts])


def _count_noun(f: Fact, para: Para) -> str:
    m = re.match(r"\s*([\u4e00-\u9fff]{2,8}?)(?=[（(，,、；;。\s]|$)", para.text[para.end_pos(f):])
    return m.group(1) if m else ""


def count_parts(ctx: Context) -> None:
    """`N个网格员` against a run of sibling counts in the same paragraph (`专职网格员a人、兼职网格员b人`)."""
    units = set(vocabulary()["count_units"])
    for para in paragraphs(ctx):
        counts = [f for f in para.facts if f.unit in units]
        for t in counts:
            noun = _count_noun(t, para)
            if len(noun) < 2:
                continue
            runs: list[list[Fact]] = [[]]
            for f in counts:
                label = canonical(f.phrase)
                if f is t or not label.endswith(noun) or label == noun:
                    runs.append([])
                    continue
                prev = runs[-1][-1] if runs[-1] else None
                sep = para.text[para.end_pos(prev):para.pos(f)] if prev else ""
                if prev and (re.search(r"\d", sep) or len(sep) > len(f.phrase) + 4):
                    runs.append([])
                runs[-1].append(f)
            for run in (r for r in runs if len(r) >= 2):
                s = sum((f.value for f in run), Decimal(0))
                if s == t.value:
                    continue
                shown = " + ".join(f"{canonical(f.phrase)} {fmt(f.value, 0)}{{{i + 1}}}" for i, f in enumerate(run))
                ctx.add("count_parts", "分项合计不符", "medium",
                        f"「{noun}」{fmt(t.value, 0)}{t.unit}{{0}}，而 {shown} = {fmt(s, 0)}（相差 {fmt(abs(s - t.value), 0)}）",
                        [t, *run])


_RELATION = re.compile(r"决算数?\s*(大于|小于|等于|高于|低于|超过)\s*(?:年初)?预算数?")
_FLAT = re.compile(r"与上年(?:数据)?(?:相比)?持平")
_CHANGED = re.compile(r"(增加|减少|增长|下降)的(?:主要)?原因")


def stated_comparisons(ctx: Context) -> None:
    """`决算数大于/小于/等于预算数` against the two figures of the sentence; `与上年持平` next to a change."""
    for para in paragraphs(ctx):
        text, facts, at = para.text, para.facts, para.pos
        for m in _RELATION.finditer(text):
            start = text.rfind(_SENT_END, 0, m.start()) + 1
            money = [f for f in facts if start <= at(f) < m.start() and f.unit in MONEY and not is_change(f)]
            budget = [f for f in money if (_role(f) or "").endswith("预算")]
            spent = [f for f in money if _role(f) == "决算"]
            if not budget or not spent:
                continue
            b, a = budget[-1], spent[-1]
            if a.unit != b.unit:
                continue  # a unit slip makes every comparison moot; `unit_by_rate` reports it
            av, bv = _value(a, "万元"), _value(b, "万元")
            actual = "大于" if av > bv else "小于" if av < bv else "等于"
            said = {"高于": "大于", "超过": "大于", "低于": "小于"}.get(m.group(1), m.group(1))
            if said != actual:
                ctx.add("stated_comparison", "表述与数字不符", "medium",
                        f"文中说“{m.group(0)}”，但决算 {fmt(a.value, a.decimals)}{a.unit}{{1}} {actual}预算 "
                        f"{fmt(b.value, b.decimals)}{b.unit}{{0}}", [b, a], extra_lines=[_line_at(para, m.start())])
        for m in _FLAT.finditer(text):
            end = text.find(_SENT_END, m.end())
            rest = text[m.end(): end if end >= 0 else len(text)]
            change = [f for f in facts if m.end() <= at(f) and (end < 0 or at(f) < end) and is_change(f) and f.value != 0]
            reason = _CHANGED.search(rest)
            if change or reason:
                line = _line_at(para, m.start())
                what = (f"却有变动 {fmt(change[0].value, change[0].decimals)}{change[0].unit}{{0}}" if change
                        else f"又说“{reason.group(0) if reason else ''}”")
                ctx.add("stated_comparison", "表述与数字不符", "low", f"第{line}行说“{m.group(0)}”，{what}",
                        change[:1], extra_lines=[] if change else [line])


def _line_at(para: Para, pos: int) -> int:
    return max((n for n, b in para.base.items() if b <= pos), default=para.start)


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
        values = sorted({_value(f, "万元") for f in facts})
        if len(values) < 2:
            continue
        a = next(f for f in facts if _value(f, "万元") == values[0])
        b = next(f for f in facts if _value(f, "万元") == values[-1])
        diff = values[-1] - values[0]
        drift = diff <= CENT
        ctx.add("same_item", "尾数差异" if drift else "前后不一致", "low" if drift else "high",
                f"「{item}」{role}数前后不一致：第{a.line}行 {fmt(a.value, a.decimals)}{a.unit}{{0}}，第{b.line}行 "
                f"{fmt(b.value, b.decimals)}{b.unit}{{1}}（相差 {fmt(diff, 2)}）", [a, b])


RULES = [RuleSpec("stated_parts", stated_parts, ("narrative",)), RuleSpec("count_parts", count_parts, ("counts",)),
         RuleSpec("stated_comparisons", stated_comparisons, ("narrative",)), RuleSpec("same_item", same_item, ("narrative",))]
