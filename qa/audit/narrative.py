"""Audit rules inside the narrative, on totals and their parts: a stated total against its named parts
(`X万元，其中：A、B、C`, the numbered items after `其中：`/`如下：`, `X中，…`, `N个网格员（城区a个，农村b个）`), sibling
counts (`专职网格员a人、兼职网格员b人` against `N个网格员`), a stated change against its parts' changes. Parts are read
in the total's unit; a sum within the printed rounding of its terms is drift (尾数差异)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from core.models import Fact
from core.numbers import fmt, half_unit, to_base
from qa.audit.context import CENT, Context, RuleSpec, Severity
from qa.audit.labels import MONEY, canonical, exhaustive, is_change, split_role, vocabulary
from qa.audit.paragraphs import Para, amount_of, paragraphs

HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*、|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+部分)")
SENT_END = "。"
_ITEM = re.compile(r"^\s*(?:\d+\s*[、.．]|[（(]\d+[)）])|[（(]项[)）]")


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


def value_in(f: Fact, unit: str) -> Decimal:
    """`f` in `unit` (both money) — or as printed for counts."""
    if f.unit in MONEY and unit in MONEY:
        return to_base(f.value, f.unit)[0] / to_base(Decimal(1), unit)[0]
    return f.value


def role_of(f: Fact) -> str | None:
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


@dataclass
class Opener:
    """Where a list of parts starts (`其中`, `如下`, `财政拨款支出预算中，`) and the totals it divides."""

    start: int
    end: int
    levels: list[Fact]
    changes: list[Fact]


_OF = re.compile(r"([\u4e00-\u9fff“”\"]{2,20}?)中[，,]")


def openers(para: Para) -> list[Opener]:
    """`total…其中` (totals in the same sentence), or `X中，` naming a figure stated earlier in the paragraph."""
    text, at = para.text, para.pos
    words = "|".join(map(re.escape, vocabulary()["list_openers"]))
    spans = [(m.start(), m.end(), "") for m in re.finditer(words, text)]
    spans += [(m.end(1), m.end(), m.group(1)) for m in _OF.finditer(text) if not m.group(1).endswith("其")]
    out = []
    for p, q, label in sorted(spans):
        start = text.rfind(SENT_END, 0, p) + 1
        mine = [f for f in para.facts if start <= at(f) and para.end_pos(f) <= p and _family(f)]
        if not mine and label:
            named = [f for f in para.facts if at(f) < start and _family(f) and not is_change(f)
                     and canonical(f.phrase) == canonical(label)]
            if named:
                t = named[-1]
                stop = text.find(SENT_END, at(t))
                mine = [t, *(f for f in para.facts if at(t) < at(f) < stop and is_change(f))]
        if mine:
            out.append(Opener(p, q, [f for f in mine if not is_change(f)], [f for f in mine if is_change(f)]))
    return out


def breakdowns(ctx: Context) -> list[Breakdown]:
    """Every `total，其中：parts`, `total…如下：` + items, `X中，parts` and `total（parts）` (cached)."""
    if "breakdowns" in ctx.memo:
        cached: list[Breakdown] = ctx.memo["breakdowns"]
        return cached
    out: list[Breakdown] = []
    for para in paragraphs(ctx):
        text, facts, at = para.text, para.facts, para.pos
        marks = openers(para)
        for i, mark in enumerate(marks):
            totals = mark.levels
            if not totals:
                continue
            dot = text.find(SENT_END, mark.start)
            end = min([*(m.start for m in marks[i + 1:]), dot if dot >= 0 else len(text)])
            inline = [f for f in facts if mark.start < at(f) < end and _family(f) and not is_change(f)]
            if inline:
                out += _match(ctx, totals, inline, facts)
            elif not text[mark.end:].strip(" ：:，,"):
                items, numbered = _following(ctx, para)
                if numbered:  # 1、… / …（项）: one figure per 科目 item
                    out += _numbered(totals, [p.facts for p in items])
                else:  # plain sentences after `其中：` — a list like any other
                    out += _match(ctx, totals, [f for p in items for f in p.facts], facts)
        for t in facts:
            out += _parenthetical(t, para)
    ctx.memo["breakdowns"] = out
    return out


def _following(ctx: Context, para: Para) -> tuple[list[Para], bool]:
    """The paragraphs with figures after one that ends with `其中：` / `如下：`, up to the next heading, and whether
    they are numbered or 科目 items (`1、…`, `…（项）`)."""
    items: list[Para] = []
    numbered = False
    for p in paragraphs(ctx):
        if p.start <= para.end:
            continue
        if HEADING.match(p.text) or p.start > para.end + 40:
            break
        numbered = numbered or bool(_ITEM.search(p.text))
        money = [f for f in p.facts if _family(f) and not is_change(f)]
        if money:
            items.append(Para(p.start, p.end, p.text, p.base, money))
    return items, numbered


def _numbered(totals: list[Fact], items: list[list[Fact]]) -> list[Breakdown]:
    """Each role's last total against one figure of that role per item: the item's explicit one (支出决算为…),
    else, for 决算, the amount printed after the item's name."""
    default = vocabulary()["default_role"]
    last: dict[str, Fact] = {}
    for t in totals:
        last[role_of(t) or default] = t
    out = []
    for role, t in last.items():
        parts = []
        for figs in items:
            same = [f for f in figs if _family(f) == _family(t) and role_of(f) == role]
            bare = [f for f in figs if _family(f) == _family(t) and role_of(f) is None]
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
        last[role_of(t)] = t
    out = []
    for role, t in last.items():
        fam = _family(t)
        mine = [p for p in parts if _family(p) == fam]
        if len(last) > 1:
            mine = [p for p in mine if role_of(p) == role]
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
        out.append((p, p.value if odd else value_in(p, unit), odd))
    return out


def stated_parts(ctx: Context) -> None:
    """A stated total against the sum of its named parts (more than the total always; less when the list is
    exhaustive: numbered items, a known partition, parentheses, or every part with its share)."""
    for b in breakdowns(ctx):
        t = b.total
        unit = t.unit
        read = _reading(b)
        s = sum((v for _, v, _ in read), Decimal(0))
        diff = s - value_in(t, unit)
        if diff == 0 or (diff < 0 and not b.exhaustive):
            continue
        places = max([t.decimals, *[p.decimals for p in b.parts]])
        printed = sum((half_unit(f.decimals) for f in [t, *b.parts]), Decimal(0))  # every term's own rounding
        drift = abs(diff) <= max(CENT * len(b.parts) if places >= 2 else Decimal(0), printed)
        shown = " + ".join(f"{fmt(v, p.decimals)}{{{i + 1}}}" + (f"（原文 {p.raw}，按{unit}计）" if odd else "")
                           for i, (p, v, odd) in enumerate(read))
        what = canonical(t.phrase or t.row_label) or "合计"
        b.consistent = drift  # within rounding the breakdown still fixes its parts' scope
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


_DOWN = re.compile(r"减少|下降|降低|减")


def _signed(f: Fact) -> Decimal:
    return -value_in(f, "万元") if _DOWN.search(f.phrase) else value_in(f, "万元")


def change_parts(ctx: Context) -> None:
    """A stated change (`比上年减少3.59万元，其中：A减少3.59万元；B增加0.3万元`) against the signed sum of the
    parts' changes."""
    for para in paragraphs(ctx):
        text, at = para.text, para.pos
        changes = [f for f in para.facts if f.unit in MONEY and not f.rate_kind and is_change(f)]
        marks = openers(para)
        for i, mark in enumerate(marks):
            dot = text.find(SENT_END, mark.start)
            end = min([*(m.start for m in marks[i + 1:]), dot if dot >= 0 else len(text)])
            parts = [f for f in changes if mark.start < at(f) < end]
            if not mark.changes or len(parts) < 2:
                continue
            t = mark.changes[-1]
            total, s = _signed(t), sum((_signed(f) for f in parts), Decimal(0))
            if total == s:
                continue
            shown = " ".join(f"{'−' if _signed(f) < 0 else '+'}{fmt(f.value, f.decimals)}{{{i + 1}}}"
                             for i, f in enumerate(parts))
            ctx.add("change_parts", "分项合计不符", "medium",
                    f"总变动 {'−' if total < 0 else '+'}{fmt(t.value, t.decimals)}{t.unit}{{0}}，而所列各项变动 {shown} = "
                    f"{fmt(s, 2).replace('-', '−')}{t.unit}，即{'减少' if s < 0 else '增加'}{fmt(abs(s), 2)}{t.unit}"
                    f"（相差 {fmt(abs(total - s), 2)}{t.unit}）", [t, *parts])


RULES = [RuleSpec("stated_parts", stated_parts, ("narrative",)), RuleSpec("count_parts", count_parts, ("counts",)),
         RuleSpec("change_parts", change_parts, ("narrative",))]
