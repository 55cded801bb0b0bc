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
from qa.resolve import (
    Scored,
    best,
    label_of,
    local_context,
    meaningful_terms,
    norm,
    rank_facts,
    want_dimension,
)
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
        def item(f: Fact) -> bool:
            return bool(f.unit == top.unit and f.phrase and f.phrase != top.phrase and not f.rate_kind
                        and not re.search(r"预算|决算|上年|增加|减少|增长|下降|合计|总计", f.phrase))

        out = [f for f in facts if f.line == top.line and f.char_start > top.char_end and f.sentence == top.sentence
               and item(f)]
        line, ended = top.line, bool(_ENDED.search(top.sentence or ""))
        while not ended and line < top.line + 5:  # a list wrapped at the page width goes on below (a page
            line += 1                                # marker between its lines holds no figure)
            row = sorted((f for f in facts if f.line == line and f.kind == "text" and f.section == top.section),
                         key=lambda f: f.char_start)
            closing = None  # the sentence that ends on this line: its later items are still parts
            for f in row:
                if closing is not None and f.sentence != closing:
                    break
                if item(f):
                    out.append(f)
                if _ENDED.search(f.sentence or ""):
                    ended, closing = True, f.sentence
        return out
    return []


_ENDED = re.compile(r"[。！？!?]\s*$")


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
    # 都是什么车？ after 共有车辆9辆: the parts of the figure the previous answer stated come first
    anchors = engine.anchors(engine.facts_for_year(r, None), q)[:3]
    restated = [f for f in facts if anchors and f not in anchors and f.value == anchors[0].value
                and f.unit == anchors[0].unit]  # 保有量为9辆 … 共有车辆9辆，其中：…: the same figure where it is split
    cands = anchors + restated + [s.fact for s in group[:6]] + [s.fact for s in ranked[:20] if s.score >= 0.4]
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


_CHANGE = re.compile(r"增加|减少|下降|增长")
_AGAINST_YEAR = re.compile(r"与(?:20)?\d{2}年度?相比|比(?:20)?\d{2}年度?|比上一?年度?|与上一?年度?相比|较上一?年度?")


def _same_unit(cur: Fact, ch: Fact) -> bool:
    """A change in the unit of the figure — also when a line break cut its unit (165.4万 | 元 → 万)."""
    return ch.unit == cur.unit or bool(ch.unit and cur.unit.startswith(ch.unit) and cur.unit.endswith("元"))


def _subject(ch: Fact) -> str:
    """What a stated change is about: its phrase without the comparison (与2024年度相比 / 比2024年度) and 增加/减少."""
    return _CHANGE.sub("", _AGAINST_YEAR.sub("", ch.phrase)).strip("，, ")


def _opens(ch: Fact) -> bool:
    """A sentence that opens with a change and names nothing before it: `减少31.92万元，…`, `与上年相比，增加37.31万元`."""
    at = ch.sentence.find(ch.raw) if ch.raw else -1
    before = ch.sentence[:at] if at >= 0 else ch.phrase
    return not re.sub(r"[\s，,：:]", "", _CHANGE.sub("", _AGAINST_YEAR.sub("", before)))


def stated_change(facts: list[Fact], cur: Fact, window: int = 8) -> Fact | None:
    """The change the report states for `cur` against last year: in its own sentence after it
    (`X万元，比上年减少Y万元`), or in a following sentence within `window` lines that compares with a year
    (`…总计X万元。与2024年度相比，…总计减少Y万元`) and whose subject names what `cur` states."""
    after = [f for f in facts if _same_unit(cur, f) and f.rate_kind is None and _CHANGE.search(f.phrase)
             and (f.line, f.char_start) > (cur.line, cur.char_start) and f.line - cur.line <= window]
    same = [f for f in after if f.sentence == cur.sentence]
    if same:
        return same[0]
    mine = norm(cur.row_label + cur.phrase) + local_context(cur)
    nxt = [f for f in facts if (f.line, f.char_start) > (cur.line, cur.char_start) and f.sentence != cur.sentence]
    opener = min(nxt, key=lambda f: (f.line, f.char_start)) if nxt else None
    first = min((f for f in facts if f.sentence == cur.sentence and f.line == cur.line), default=cur,
                key=lambda f: f.char_start)
    if opener is not None and opener in after and not _subject(opener) and opener.line - cur.line <= 1 \
            and first is cur and _opens(opener):
        return opener  # `…总计456.9万元(…)。减少31.92万元，…`: the next sentence opens with the change, no subject
    for f in after:
        if not (_AGAINST_YEAR.search(f.sentence) or _AGAINST_YEAR.search(f.phrase)):
            continue
        terms = [t for t in meaningful_terms(_subject(f), [f]) if len(t) >= 2]
        if terms and all(t in mine for t in terms):
            return f
    return None


def _current_of(facts: list[Fact], ch: Fact, window: int = 8) -> Fact | None:
    """The figure a stated change (`“三公”经费…决算数比2024年度减少Y万元`) is the change of: the best-named
    figure for its subject among the lines just before it (not a budget, not itself a change)."""
    before = [f for f in facts if _same_unit(f, ch) and f.rate_kind is None and not _CHANGE.search(f.phrase)
              and 0 <= ch.line - f.line <= window and (f.line, f.char_start) < (ch.line, ch.char_start)]
    group = best(rank_facts(before, _subject(ch), _subject(ch), fact_dimension(ch)[1], None), 0.45)
    return group[0].fact if group else None


def _pairs(facts: list[Fact], ranked: list[Scored]) -> list[tuple[Fact, Fact]]:
    """(this year's figure, the change stated for it), from the best-ranked facts for the measure: a figure
    with a change after it, or a change (compared with a year) with its figure before it."""
    out: list[tuple[Fact, Fact]] = []
    for s in ranked:
        f = s.fact
        if s.score < 0.45 or f.unit == "%":
            continue
        if not _CHANGE.search(f.phrase):
            ch = stated_change(facts, f)
            if ch is not None:
                out.append((f, ch))
        elif _AGAINST_YEAR.search(f.phrase + f.sentence):
            cur = _current_of(facts, f)
            if cur is not None:
                out.append((cur, f))
    return out


def previous_year_value(engine: StructuredEngine, r: Report, q: Question, year: int, dim: str | None) -> Fact | None:
    """Last year's value derived from this year's figure and the change the report states with it
    (`…X万元，比上年增加/减少Y万元`, or `与2024年度相比，…减少Y万元` in the next sentence) → X ∓ Y, shown as a
    derived figure with its formula."""
    if r.year is None or year != r.year - 1:
        return None
    facts = engine.facts_for_year(r, None)
    ranked = rank_facts(facts, q.measure, q.text + " 上年", dim or "money", q.budget)  # a change is asked for
    for cur, ch in _pairs(facts, ranked[:8]):
        sign = -1 if re.search(r"减少|下降", ch.phrase) else 1
        value = ch.value
        a = Operand(value=cur.value, unit=cur.unit, decimals=cur.decimals, citation=engine.d.cite(cur))
        b = Operand(value=value, unit=cur.unit, decimals=ch.decimals, citation=engine.d.cite(ch))
        res = execute(Program(op="prev_year", operands=[a, b], sign=sign))
        assert res.value is not None
        if res.value < 0:
            continue  # a change larger than the figure belongs to another measure
        decimals = max(cur.decimals, ch.decimals)
        word = "减少" if sign < 0 else "增加"
        subject = re.sub(r"^.*?(?:20)?\d{2}年度?", "", _subject(ch))
        name = (subject if len(norm(subject)) >= 4 else "") or re.sub(r"^.*?(?:20)?\d{2}年度?", "", label_of(cur).replace(norm(r.org), "")) or label_of(cur)
        engine.d.say(f"{r.org}{year}年{name}约为{fmt(res.value, decimals)}{cur.unit}（由{r.year}年报告推算："
                   f"{r.year}年{what(cur)}{shown(cur)}[{a.citation}]，比上年{word}{fmt(value, ch.decimals)}{cur.unit}"
                   f"[{b.citation}]，{res.formula} = {fmt(res.value, decimals)}{cur.unit}）。")
        return cur
    return None


_ASKS_AMOUNT = re.compile(r"(?:多|少|增加|减少|涨|降)了?多少(?:钱|万元)?(?![百分%])")  # 增长多少 may ask a rate


def change_amount(engine: StructuredEngine, r: Report, q: Question) -> bool:
    """`比上年少了多少`: the change the report states as an amount (比2024年度减少3.59万元), cited with the rate it
    prints beside it — a growth question that asks how much, not which rate."""
    if not _ASKS_AMOUNT.search(q.text) or re.search(r"率|百分|%|几成", q.text):
        return False
    facts = engine.facts_for_year(r, None)
    changes = [f for f in facts if f.rate_kind is None and f.unit in ("元", "万元", "亿元", "万")
               and _CHANGE.search(f.phrase)]
    group = best(rank_facts(changes, q.measure, q.text + " 上年", None, None), 0.4)  # 22.50万 | 元: a cut unit
    if not group:
        return False
    ch = group[0].fact
    n = engine.d.cite(ch)
    goes_on = not re.search(r"[。；;！？!?]\s*$", ch.sentence or "")  # wrapped: the sentence ends on the next line
    at = (ch.sentence or "").find(ch.raw) if ch.raw else -1
    rest = ch.sentence[at + len(ch.raw):] if at >= 0 else ""  # the sentence after the change, across a wrap
    rates = [f for f in facts if f.unit == "%" and (
        (f.sentence == ch.sentence and f.line == ch.line and f.char_start > ch.char_start)
        or (f.line == ch.line + 1 and f.section == ch.section and f.rate_kind == "growth"
            and (goes_on or bool(f.raw and f.raw in rest))))]
    rate = f"，{rates[0].phrase}{shown(rates[0])}[{engine.d.cite(rates[0])}]" if rates else ""
    unit = "万元" if ch.unit == "万" else ch.unit  # a 万元 cut by a line break
    engine.d.say(f"{engine._org_year(r)}，{what(ch)}{fmt(ch.value, ch.decimals)}{unit}[{n}]{rate}。")
    engine.d.answered += 1
    return True
