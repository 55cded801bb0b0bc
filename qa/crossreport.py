"""Figures that combine facts: comparisons and rankings across reports, differences and sums of two measures,
per-head figures. Every operand is cited; every result is computed in `Decimal` and shown with its formula.

Across many reports the facts are not read report by report: the facts labelled with the measure come from one
indexed query (`named_groups`), and only a report where that cannot decide is ranked over all its facts. A
ranking over more than `SHOWN` reports names the first `SHOWN` and says the rest are left out."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from core.dimensions import fact_dimension
from core.models import Fact, Report
from core.numbers import fmt
from qa.resolve import (
    WEAK_LABELS,
    Scored,
    best,
    measure_terms,
    norm,
    prefer_totals,
    rank_facts,
    said,
    want_dimension,
)
from qa.structured import StructuredEngine, shown, what
from qa.understand import Question


def _money(base: Decimal, unit: str) -> str:
    if unit == "万元":
        return f"{fmt(base / 10000, 2)}万元"
    return f"{fmt(base, 2)}{unit}"


SHOWN = 10  # reports listed by name in a ranking across many (the rest are counted)
Labelled = Callable[[str, list[str]], list[Fact]]  # (label, doc_ids) → facts with that label (one indexed query)
# a fact whose label is not the measure scores at most 1 (every term) + 0.35 (the measure inside its label), + 0.3 for
# a 得分 column; one whose label *is* the measure scores 1 + 0.6 less what its qualifiers cost
_OTHERS_CAP = 1.35


def named_groups(engine: StructuredEngine, reports: list[Report], q: Question, measure: str, dim: str,
                 labelled: Labelled, offset: int = 0) -> dict[str, list[Scored]]:
    """Per report, the facts that state the measure, found without reading the reports' facts: one indexed query for
    the facts whose own label is the measure (`core.descriptors.label_of`), scored with the same `rank_facts`.

    Exact, not a shortcut: a fact labelled otherwise scores at most `_OTHERS_CAP` (+0.3 on a 得分 question), so when
    the best labelled fact of a report scores 0.05 above that, the report's winning group (the winner and its
    near-ties) holds labelled facts only — the same group `engine.find` returns. A report where that does not hold
    is not in the result, and is ranked by `engine.find` over all its facts. `offset` −1: the year before each
    report's own (its 上年 columns), as `engine.find(..., year=r.year - 1)` reads them."""
    m = norm(measure)
    if not m or m in WEAK_LABELS or q.table or q.within:
        return {}
    cap = _OTHERS_CAP + (0.3 if re.search(r"得分|总分", q.text) else 0.0) + 0.05
    terms = measure_terms(measure)
    memos: dict[str | None, dict[tuple[object, ...], tuple[float, float]]] = {}  # per budget: the same cell of many reports scores once
    by_doc: dict[str, list[Fact]] = {}
    for f in labelled(m, [r.doc_id for r in reports]):
        by_doc.setdefault(f.doc_id, []).append(f)
    out: dict[str, list[Scored]] = {}
    for r in reports:
        year = r.year + offset if offset and r.year is not None else None
        facts = engine.facts_for_year(r, year, by_doc.get(r.doc_id, []))
        if not facts:
            continue
        # every term of the measure is in these facts' labels, so each term scores fully whichever terms the
        # report's vocabulary keeps: the measure's own terms give the same scores without reading that vocabulary
        budget = engine.budget_for(r, q.budget)
        scored = rank_facts(facts, measure, q.text, dim, budget, terms=terms, memo=memos.setdefault(budget, {}))
        if scored and scored[0].score >= cap:
            out[r.doc_id] = prefer_totals(best(scored))
    return out


def collect(engine: StructuredEngine, reports: list[Report], q: Question, measure: str,
            labelled: Labelled | None = None) -> list[tuple[Report, Fact]]:
    dim = want_dimension(q.measure + q.text, "lookup") or "money"
    named = named_groups(engine, reports, q, measure, dim, labelled) if labelled and len(reports) > 1 else {}
    out = []
    for r in reports:
        group = named.get(r.doc_id) or engine.find(r, q, measure, dim)
        if group:
            out.append((r, group[0].fact))
    return out


def compare(engine: StructuredEngine, reports: list[Report], q: Question, labelled: Labelled | None = None) -> bool:
    rows = collect(engine, reports, q, q.measure, labelled)
    if not rows:
        return False
    d = engine.d
    found = {r.doc_id for r, _ in rows}
    missing = [r for r in reports if r.doc_id not in found]
    if q.intent in ("rank_max", "rank_min") or (q.intent == "compare" and len(rows) > 2):
        rows.sort(key=lambda rf: fact_dimension(rf[1])[0], reverse=q.intent != "rank_min")
    d.say(f"{said(q.measure, [f for _, f in rows] + engine.facts_of[rows[0][0].doc_id])}：")
    items = []
    for r, f in rows[:SHOWN]:
        n = d.cite(f)
        items.append(f"{r.org}（{r.year}年）{shown(f)}[{n}]")
    # no count in words: every figure of an answer is verified against the reports, and a count of reports is not in them
    more = f"；其余披露该项的报告从略（按{'从少到多' if q.intent == 'rank_min' else '从多到少'}列出）" if len(rows) > SHOWN else ""
    d.say("；".join(items) + more + "。")
    if q.intent in ("rank_max", "rank_min", "diff") or len(rows) >= 2:
        top_r, top_f = rows[0]
        if q.intent in ("rank_max", "rank_min"):
            word = "最多" if q.intent == "rank_max" else "最少"
            d.say(f"{word}的是{top_r.org}（{top_r.year}年），{shown(top_f)}。")
        elif len(rows) == 2:
            (ra, fa), (rb, fb) = rows
            a, _ = fact_dimension(fa)
            b, _ = fact_dimension(fb)
            hi, lo = ((ra, fa, a), (rb, fb, b)) if a >= b else ((rb, fb, b), (ra, fa, a))
            d.say(f"{hi[0].org}比{lo[0].org}多{_money(hi[2] - lo[2], fa.unit)}"
                  f"（{shown(hi[1])} − {shown(lo[1])}）。")
    if missing:
        names = "、".join(f"{r.org}（{r.year}年）" for r in missing[:SHOWN])
        d.say("未披露该项的报告：" + names + ("等" if len(missing) > SHOWN else "") + "。")
    return True


def two_measures(engine: StructuredEngine, r: Report, q: Question) -> bool:
    """差/和 of two measures in one report: 基本支出比项目支出多多少、货物和服务支出合计."""
    a = engine.find(r, q, q.measure, "money")
    # an elliptical second measure (货物支出和服务支出) borrows the first one's leading words
    options = [q.second] + [q.measure[:i] + q.second for i in range(2, len(q.measure))]
    found = [(g[0].score + (0.05 if opt != q.second else 0), g) for opt in options
             if (g := engine.find(r, q, opt, "money"))]
    b = max(found, key=lambda x: x[0])[1] if found else []
    if not a or not b:
        return False
    fa, fb = a[0].fact, b[0].fact
    va, vb = fact_dimension(fa)[0], fact_dimension(fb)[0]
    na, nb = engine.d.cite(fa), engine.d.cite(fb)
    where = f"{r.org}{r.year}年"
    if q.intent == "sum":
        engine.d.say(f"{where}{what(fa)}{shown(fa)}[{na}] + {what(fb)}{shown(fb)}[{nb}] = {_money(va + vb, fa.unit)}。")
    else:
        hi, lo, nh, nl = (fa, fb, na, nb) if va >= vb else (fb, fa, nb, na)
        engine.d.say(f"{where}{what(hi)}{shown(hi)}[{nh}] − {what(lo)}{shown(lo)}[{nl}] = "
                     f"{_money(abs(va - vb), fa.unit)}。")
    return True


def per_head(engine: StructuredEngine, r: Report, q: Question) -> bool:
    group = engine.find(r, q, q.measure.replace("人均", ""), "money")
    if not group:
        return False
    amount = group[0].fact
    facts = engine.facts_of[r.doc_id]
    heads = [f for f in facts if f.line == amount.line and f.unit in ("人", "人次", "名") and f.char_start > amount.char_start]
    if not heads or heads[0].value == 0:
        return False
    h = heads[0]
    base = fact_dimension(amount)[0]
    na, nh = engine.d.cite(amount), engine.d.cite(h)
    engine.d.say(f"{r.org}{r.year}年{what(amount)}{shown(amount)}[{na}]，{h.phrase or '人数'}{shown(h)}[{nh}]，"
                 f"人均{fmt(base / h.value, 2)}元（{fmt(base, 0)}元 ÷ {fmt(h.value, 0)}{h.unit}）。")
    return True
