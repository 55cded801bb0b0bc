"""Figures composed from several facts, each a small program (qa.program) over cited operands: the parts of a
measure (明细/各项), 决算 against 预算 of one measure, and last year's value derived from this year's figure and
the change the report prints with it."""

from __future__ import annotations

import re
from decimal import Decimal

from core.models import Fact, Report
from core.numbers import fmt
from qa.answer_models import AuditNote
from qa.program import Operand, Program, execute
from qa.resolve import label_of, rank_facts, want_dimension
from qa.scope import in_table
from qa.structured import RATE_TOL_PP, StructuredEngine, pct, shown, what
from qa.understand import Question
from qa.verify import fact_dimension


def _part_name(f: Fact, top: Fact) -> str:
    if f.kind == "cell" and f.line == top.line:
        segs = f.column.split("/")
        return segs[-2] if segs[-1] == "小计" and len(segs) > 1 else segs[-1]
    return f.row_label if f.kind == "cell" else label_of(f)


def _parts(top: Fact, facts: list[Fact]) -> list[Fact]:
    """The parts of one fact: rows under its 科目 code (same column), the other columns of its 合计 group in the
    same table row, or the amounts its sentence lists after it (not budgets, changes or rates)."""
    if top.kind == "cell" and top.row_code:
        return [f for f in facts if f.table_id == top.table_id and f.column == top.column
                and f.parent_code == top.row_code]
    if top.kind == "cell" and re.search(r"合计|小计$", top.column):
        prefix = top.column.rsplit("/", 1)[0] + "/" if "/" in top.column else ""
        depth = top.column.count("/")
        return [f for f in facts if f.line == top.line and f.kind == "cell" and f is not top
                and f.column.startswith(prefix) and f.table_id == top.table_id
                and ((f.column.count("/") == depth and not re.search(r"合计|小计", f.column[len(prefix):]))
                     or (f.column.count("/") == depth + 1 and f.column.endswith("小计")))]  # a subgroup's 小计
    if top.kind == "text":
        return [f for f in facts if f.line == top.line and f.char_start > top.char_end and f.unit == top.unit
                and f.sentence == top.sentence and f.phrase and f.phrase != top.phrase and not f.rate_kind
                and not re.search(r"预算|决算|上年|增加|减少|增长|下降|合计|总计", f.phrase)]
    return []


def children(engine: StructuredEngine, r: Report, q: Question) -> bool:
    """The parts of a measure (明细/各项): the rows under its 科目 code, the columns of its 合计 group in the same
    table row (“三公”经费 合计 → 公务接待费 …), or the items its sentence lists after it — each cited, and
    their sum checked against the whole."""
    group = engine.find(r, q, q.measure, want_dimension(q.measure + q.text, "lookup") or "money")
    if not group:
        return False
    facts = engine.facts_of[r.doc_id]
    top, kids = group[0].fact, []
    ranked = rank_facts(in_table(engine.facts_for_year(r, None), q.table), q.measure, q.text, "money", q.budget)
    cands = [s.fact for s in group[:6]] + [s.fact for s in ranked[:20] if s.score >= 0.4]
    for cand in cands:  # the first stating fact that has parts (a table row often does)
        found = _parts(cand, facts)
        if found:
            top, kids = cand, found
            break
    n = engine.d.cite(top)
    where = engine._org_year(r)
    if not kids:
        engine.d.say(f"{where}，{what(top)}为{shown(top)}[{n}]；报告未列出其明细。")
        engine.d.answered += 1
        return True
    parts = "、".join(f"{_part_name(f, top)}{shown(f)}[{engine.d.cite(f)}]" for f in kids)
    total = execute(Program(op="sum", operands=[Operand(value=f.value, unit=f.unit, decimals=f.decimals)
                                                for f in kids]))
    engine.d.say(f"{where}，{what(top)}为{shown(top)}[{n}]，其中：{parts}。")
    if total.value is not None and fact_dimension(top)[1] == "money" and total.value != top.value:
        engine.d.say(f"各项合计{fmt(total.value, max(f.decimals for f in kids))}{top.unit}，与{shown(top)}相差"
                   f"{fmt(abs(top.value - total.value), top.decimals)}{top.unit}。")
    engine.d.answered += 1
    return True

def against_budget(engine: StructuredEngine, r: Report, q: Question) -> bool:
    """决算 − 预算 of one measure (比年初预算多花/超出/节约了多少), as a diff program over two cited facts."""
    budget = "年初预算" if "年初" in q.text else "预算"
    final = engine.find(r, q, q.measure, "money", budget="")
    found = engine.find(r, q, q.measure + budget, "money", budget=budget)
    change = [s.fact for s in found if re.search(r"增加|减少|增长|下降|超", s.fact.phrase)]
    planned = [s.fact for s in found if s.fact not in change]
    if not final or not (planned or change):
        return False
    fa = final[0].fact
    if not planned:  # the report states the change itself (比年初预算数增加191.34万元): cite it as printed
        ch = change[0]
        engine.d.say(f"{engine._org_year(r)}，{what(fa)}为{shown(fa)}[{engine.d.cite(fa)}]，报告所列{what(ch)}为"
                   f"{shown(ch)}[{engine.d.cite(ch)}]（即{budget}约{fmt(fa.value - ch.value, ch.decimals)}{ch.unit}"
                   f"，{shown(fa)} − {shown(ch)}）。")
        rates = [f for f in engine.facts_of[r.doc_id] if f.line == ch.line and f.unit == "%"
                 and 0 < f.char_start - ch.char_end < 20]
        base = fa.value - ch.value
        if rates and base:
            stated = rates[0]
            value = ch.value / base
            engine.d.say(f"报告写增长{shown(stated)}[{engine.d.cite(stated)}]；按其数据，增长率 = {shown(ch)} ÷ "
                       f"({shown(fa)} − {shown(ch)}) = {pct(value, 1)}。")
            if abs(value - stated.value / 100) > max(RATE_TOL_PP, abs(value) * Decimal("0.01")):
                msg = (f"注意：报告所列{shown(stated)}与按其数据计算的{pct(value, 1)}不一致"
                       f"（{shown(stated)}是以本年数{shown(fa)}为分母算的），请核实。"
                       if abs(ch.value / fa.value - stated.value / 100) <= RATE_TOL_PP else
                       f"注意：报告所列{shown(stated)}与按其数据计算的{pct(value, 1)}不一致，请核实。")
                engine.d.say(msg)
                engine.d.audit.append(AuditNote(kind="比率不符", message=msg, citations=[engine.d.cite(stated)]))
        return True
    fb = planned[0]
    a = Operand(value=fa.value, unit=fa.unit, decimals=fa.decimals, citation=engine.d.cite(fa))
    b = Operand(value=fb.value, unit=fb.unit, decimals=fb.decimals, citation=engine.d.cite(fb))
    if fa.unit != fb.unit or fa.fact_id == fb.fact_id:
        return False
    res = execute(Program(op="diff", operands=[a, b]))
    assert res.value is not None
    word = "超出" if res.value >= 0 else "少于"
    engine.d.say(f"{engine._org_year(r)}，{what(fa)}为{shown(fa)}[{a.citation}]，{what(fb)}为{shown(fb)}"
               f"[{b.citation}]，决算{word}{budget}{fmt(abs(res.value), max(fa.decimals, fb.decimals))}{fa.unit}"
               f"（{res.formula}）。")
    return True


def previous_year_value(engine: StructuredEngine, r: Report, q: Question, year: int, dim: str | None) -> Fact | None:
    """Last year's value derived from this year's figure and the change the report states with it
    (`…X万元，比上年增加/减少Y万元` → X ∓ Y), shown as a derived figure with its formula."""
    if r.year is None or year != r.year - 1:
        return None
    facts = engine.facts_for_year(r, None)
    for s in rank_facts(facts, q.measure, q.text, dim or "money", q.budget)[:6]:
        cur = s.fact
        if s.score < 0.45 or cur.unit == "%" or re.search(r"增加|减少|增长|下降", cur.phrase):
            continue
        changes = [f for f in facts if f.line == cur.line and f.char_start > cur.char_start and f.unit == cur.unit
                   and re.search(r"增加|减少|下降|增长", f.phrase)]
        if not changes:
            continue
        ch = changes[0]
        sign = -1 if re.search(r"减少|下降", ch.phrase) else 1
        a = Operand(value=cur.value, unit=cur.unit, decimals=cur.decimals, citation=engine.d.cite(cur))
        b = Operand(value=ch.value, unit=ch.unit, decimals=ch.decimals, citation=engine.d.cite(ch))
        res = execute(Program(op="prev_year", operands=[a, b], sign=sign))
        assert res.value is not None
        decimals = max(cur.decimals, ch.decimals)
        word = "减少" if sign < 0 else "增加"
        engine.d.say(f"{r.org}{year}年{label_of(cur)}约为{fmt(res.value, decimals)}{cur.unit}（由{r.year}年报告推算："
                   f"{r.year}年{what(cur)}{shown(cur)}[{a.citation}]，比上年{word}{shown(ch)}[{b.citation}]，"
                   f"{res.formula} = {fmt(res.value, decimals)}{cur.unit}）。")
        return cur
    return None
