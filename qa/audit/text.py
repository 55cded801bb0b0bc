"""Audit rules over the narrative (情况说明, 自评报告): every share, completion rate and growth rate the text prints
is recomputed from the figures it names (0.5 pp / 1% relative tolerance, the named denominator respected, a zero
base reported as an undefined rate); impossible years (`203年`) and a title year that differs from the
report's year."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from itertools import product

from core.models import Fact
from core.numbers import fmt, half_unit
from qa.audit.context import Context, RuleSpec
from qa.audit.paragraphs import amount_of, kind_of, para_of
from qa.resolve import norm
from qa.verify import fact_label

_TOL_PP = Decimal("0.5")


def _money(f: Fact) -> bool:
    return f.unit in ("万元", "元", "亿元") and f.rate_kind is None


def _off(expect: Decimal, stated: Decimal) -> bool:
    diff = abs(expect - stated)
    return diff > _TOL_PP and diff > abs(expect) / 100


def _outside(rate: Fact, fn: Callable[..., Decimal], *inputs: Fact) -> bool:
    """The printed rate cannot come from the printed inputs: every input within half a unit of its last printed
    digit, the rate within half a unit of its own, and still no overlap (45.2% for 173.59 ÷ 380.00 = 45.68%)."""
    spans = [(f.value - half_unit(f.decimals), f.value + half_unit(f.decimals)) for f in inputs]
    try:
        corners = [fn(*c) for c in product(*spans)]
    except (ArithmeticError, ValueError):
        return False
    lo, hi = min(corners), max(corners)
    tol = half_unit(rate.decimals)
    return rate.value + tol < lo or rate.value - tol > hi


def _rounding(ctx: Context, rate: Fact, expect: Decimal, what: str, facts: list[Fact]) -> None:
    ctx.add("stated_rate", "比率尾差", "low", f"{what} = {fmt(expect, 2)}%，报告写作 {fmt(rate.value, rate.decimals)}%"
            f"{{{len(facts) - 1}}}，超出四舍五入范围", facts)


def _para_money(ctx: Context, rate: Fact) -> list[Fact]:
    """Money figures before the rate in its paragraph (a wrapped sentence is one paragraph)."""
    return [f for f in para_of(ctx, rate).before(rate) if _money(f)]


def _named(ctx: Context, name: str) -> Fact | None:
    """The fact the text names as a denominator (占本年支出合计的…): a table cell with that exact label first."""
    want = norm(name)
    cells = [f for f in ctx.facts if _money(f) and f.kind == "cell" and norm(fact_label(f)) == want]
    texts = [f for f in ctx.facts if _money(f) and f.kind == "text" and norm(fact_label(f)).endswith(want)]
    found = cells or texts
    return found[0] if found else None


def stated_rates(ctx: Context) -> None:
    by_id = {f.fact_id: f for f in ctx.facts}
    for rate in ctx.facts:
        kind = kind_of(ctx, rate)
        if rate.kind != "text" or rate.unit != "%" or kind not in ("share", "completion", "growth"):
            continue
        amount = by_id.get(amount_of(ctx, rate) or "")
        money = _para_money(ctx, rate)
        if kind == "share":
            _share(ctx, rate, amount, money)
        elif kind == "completion":
            _completion(ctx, rate, money)
        else:
            _growth(ctx, rate, amount, money)


def _check(ctx: Context, rate: Fact, num: Fact, den: Fact, kind_word: str, expect_of: str) -> None:
    if den.value == 0:
        if num.value == 0 or rate.value != 0:
            ctx.add("stated_rate", "零基数比率", "low",
                    f"{kind_word}的基数为0{{1}}，比率无定义，报告写作 {fmt(rate.value, rate.decimals)}%{{2}}",
                    [num, den, rate])
        return
    expect = num.value / den.value * 100
    if not _off(expect, rate.value) and num.unit == den.unit and _outside(rate, lambda n, d: n / d * 100, num, den):
        _rounding(ctx, rate, expect, f"{kind_word}：{expect_of.format(n=fmt(num.value, num.decimals), d=fmt(den.value, den.decimals))}",
                  [num, den, rate])
    elif _off(expect, rate.value):
        ctx.add("stated_rate", "比率不符", "medium",
                f"{kind_word}：{expect_of.format(n=fmt(num.value, num.decimals), d=fmt(den.value, den.decimals))}"
                f" = {fmt(expect, 2)}%，报告写作 {fmt(rate.value, rate.decimals)}%{{2}}", [num, den, rate])


def _share(ctx: Context, rate: Fact, amount: Fact | None, money: list[Fact]) -> None:
    """占X的R%: X named → the figure so labelled in the same sentence, else the table cell; unnamed → the total
    the sentence opens with (the nearest earlier figure that is not itself a part with a share)."""
    if amount is None or not _money(amount):
        return
    phrase = rate.phrase
    if "占" not in phrase:  # the words were on the previous line: read them in the paragraph
        para = para_of(ctx, rate)
        head = para.text[:para.pos(rate)]
        cut = max(head.rfind(c) for c in "，,；;。")
        phrase = re.sub(r"\s+", "", head[cut + 1:]) if "占" in head[cut + 1:] else phrase
    named = re.sub(r"^.*?占|的?比例?$|的$", "", phrase)
    para = para_of(ctx, rate)
    at = para.pos
    before = [f for f in money if f.fact_id != amount.fact_id and at(f) < at(amount)]
    if named:
        want = norm(named)
        same = [f for f in before if norm(fact_label(f)).endswith(want)]
        den = same[-1] if same else _named(ctx, named)
    else:
        parts = {amount_of(ctx, f) for f in ctx.facts if kind_of(ctx, f) == "share"}
        earlier = [f for f in ctx.facts if f.kind == "text" and _money(f) and f.fact_id not in parts
                   and ((amount.line - 2 <= f.line < amount.line and re.search(r"合计|总计|总额", fact_label(f)))
                        or (f.line in para.base and at(f) < at(amount)
                            and not re.match(r"\s*[，,]?\s*占", para.text[para.end_pos(f):])))]  # a part, its % lost
        den = max(earlier, key=lambda f: (f.line, f.char_start)) if earlier else None
    if den is None or den.fact_id == amount.fact_id:
        return
    _check(ctx, rate, amount, den, f"占比「{fact_label(amount)}」", "{n}{{0}} ÷ {d}{{1}}")


def _completion(ctx: Context, rate: Fact, money: list[Fact]) -> None:
    """预算为B万元，支出决算为A万元，完成预算的R%: the last two money figures before the rate."""
    if len(money) < 2:
        return
    budget, spent = money[-2], money[-1]
    para = para_of(ctx, rate)
    if "预算" not in para.text[max(0, para.pos(budget) - 12):para.pos(budget)]:
        return
    _check(ctx, rate, spent, budget, f"完成预算「{fact_label(spent) or '支出决算'}」", "{n}{{0}} ÷ {d}{{1}}")


def _growth(ctx: Context, rate: Fact, change: Fact | None, money: list[Fact]) -> None:
    """与上年相比增加C万元，增长G%: G = C ÷ (本年 − C), 本年 being the figure the sentence is about."""
    if change is None or not _money(change):
        return
    para = para_of(ctx, rate)
    line, at = para.text, para.pos
    current = [f for f in money if at(f) < at(change) and f.fact_id != change.fact_id
               and not re.search(r"(?:增加|减少|增长|下降|降低)\s*$", line[max(0, at(f) - 4):at(f)])]
    if not current:
        return
    now = current[-1]
    text = line[para.end_pos(now):at(change)]
    if "上年" not in text and "预算" not in text:  # 比上年 / 比年初预算数 增加C万元
        return
    down = "减少" in text[-8:] or "下降" in line[para.end_pos(change):at(rate)]
    base = now.value + change.value if down else now.value - change.value
    if base == 0 or now.value == 0:
        return
    expect = change.value / base * 100
    if not _off(expect, rate.value) and _outside(rate, (lambda n, c: c / (n + c) * 100) if down else
                                                (lambda n, c: c / (n - c) * 100), now, change):
        sign = "+" if down else "−"
        _rounding(ctx, rate, expect, f"增长率「{fact_label(now)}」：{fmt(change.value, change.decimals)}{{1}} ÷ "
                  f"({fmt(now.value, now.decimals)}{{0}} {sign} {fmt(change.value, change.decimals)})", [now, change, rate])
    elif _off(expect, rate.value):
        sign = "+" if down else "−"
        base_word = "上年" if "上年" in text else "预算"
        hint = (f"（所写比率是 {fmt(change.value, change.decimals)} ÷ {fmt(now.value, now.decimals)}，以本年数为基数，"
                f"而非{base_word}数）" if not _off(change.value / now.value * 100, rate.value) else "")
        ctx.add("stated_rate", "比率不符", "medium",
                f"增长率「{fact_label(now)}」：{fmt(change.value, change.decimals)}{{1}} ÷ ({fmt(now.value, now.decimals)}"
                f"{{0}} {sign} {fmt(change.value, change.decimals)}) = {fmt(expect, 2)}%，报告写作 "
                f"{fmt(rate.value, rate.decimals)}%{{2}}{hint}", [now, change, rate])


_BAD_YEAR = re.compile(r"(?<![\d.])(\d{3})\s*年(?:度)?")
_TITLE_YEAR = re.compile(r"(20\d{2})\s*年度?.{0,20}(?:部门决算|整体支出绩效|绩效自评|绩效评价)")


def years(ctx: Context) -> None:
    year = ctx.report.year
    for n, line in enumerate(ctx.lines, start=1):
        for m in _BAD_YEAR.finditer(line):
            if m.group(1).startswith(("20", "19", "0")):
                ctx.add("years", "年份错误", "medium", f"第{n}行的“{m.group(0)}”不是有效年份", [], extra_lines=[n])
        if year and n <= 15:
            for m in _TITLE_YEAR.finditer(line):
                if int(m.group(1)) != year:
                    ctx.add("years", "年份错误", "medium", f"标题年份 {m.group(1)} 与报告年度 {year} 不一致",
                            [], extra_lines=[n])


RULES = [RuleSpec("stated_rates", stated_rates, ("rates",)), RuleSpec("years", years, ("lines",))]
