"""Parts against their whole over the changes the report states: `财政拨款支出预算X万元，比上年增加A万元。财政拨款支出
预算中，一般公共预算…比上年减少B万元；政府性基金…增加C万元；…` — the asked change of the whole is stated as
printed, and the parts' stated changes are summed (signed, as a `qa.program` sum) and checked against it: equal,
a rounding difference, or a contradiction the answer says (`相差2000万元`)."""

from __future__ import annotations

import re
from decimal import Decimal

from core.models import Fact, Report
from core.numbers import fmt
from qa.answer_models import AuditNote
from qa.listops import tolerance
from qa.program import Operand, Program, execute
from qa.resolve import label_of, norm, rank_facts
from qa.structured import StructuredEngine, shown, what
from qa.understand import Question

_CHANGE = re.compile(r"增加|减少|增长|下降")
_DOWN = re.compile(r"减少|下降")
_ASKS_AMOUNT = re.compile(r"(?:多|少|增加|减少|涨|降|变化|变动)了?多少(?:钱|万元)?(?![百分%])")
_END = re.compile(r"[。！？!?]\s*$")


def _is_change(f: Fact) -> bool:
    return bool(_CHANGE.search(f.phrase))


def _own_change(facts: list[Fact], f: Fact) -> Fact | None:
    """The change its own sentence states right after a figure (`X万元，比上年减少Y万元`)."""
    after = [g for g in facts if g.sentence == f.sentence and g.line >= f.line and g.unit == f.unit
             and (g.line, g.char_start) > (f.line, f.char_start) and _is_change(g) and not g.rate_kind]
    nxt = [g for g in facts if g.sentence == f.sentence and (g.line, g.char_start) > (f.line, f.char_start)
           and not _is_change(g) and g.unit == f.unit]
    if not after or (nxt and (nxt[0].line, nxt[0].char_start) < (after[0].line, after[0].char_start)):
        return None  # another figure comes first: the change is that one's
    return after[0]


def named_parts(whole: Fact, facts: list[Fact], window: int = 4) -> list[Fact]:
    """The figures of a passage that opens with the whole's own words and 中 (`财政拨款支出预算中，…`), in the
    lines after it up to the end of that sentence run; not changes, not rates."""
    name = norm(whole.phrase)
    if len(name) < 2:
        return []
    opener = next((f for f in facts if whole.line < f.line <= whole.line + window and f.kind == "text"
                   and norm(f.sentence).startswith(name + "中")), None)
    if opener is None:
        return []
    out: list[Fact] = []
    for line in range(opener.line, opener.line + window):
        row = sorted((f for f in facts if f.line == line and f.kind == "text"), key=lambda f: f.char_start)
        for f in row:
            if line == opener.line and f.char_start < opener.char_start:
                continue
            if f.unit == whole.unit and not _is_change(f) and not f.rate_kind:
                out.append(f)
        if row and _END.search(row[-1].sentence or ""):
            break
    return out


def change_of_parts(engine: StructuredEngine, r: Report, q: Question) -> bool:
    """`X比上年多了多少`: the whole's stated change, and the sum of its parts' stated changes beside it."""
    if q.intent != "growth" or not _ASKS_AMOUNT.search(q.text) or re.search(r"率|百分|%|几成", q.text):
        return False
    facts = engine.facts_for_year(r, None)
    ranked = rank_facts(facts, q.measure, q.text, "money", engine.budget_for(r, q.budget))
    for s in ranked[:8]:
        whole = s.fact
        if s.score < 0.45 or _is_change(whole):
            continue
        ch = _own_change(facts, whole)
        parts = named_parts(whole, facts) if ch is not None else []
        changes = [_own_change(facts, p) for p in parts]
        if ch is None or len(parts) < 2 or any(c is None for c in changes):
            continue
        _say(engine, r, whole, ch, parts, [c for c in changes if c is not None])
        return True
    return False


def _signed(c: Fact) -> Decimal:
    return -c.value if _DOWN.search(c.phrase) else c.value


def _say(engine: StructuredEngine, r: Report, whole: Fact, ch: Fact, parts: list[Fact], changes: list[Fact]) -> None:
    d = engine.d
    stated = _signed(ch)
    d.say(f"{engine._org_year(r)}，{what(whole)}为{shown(whole)}[{d.cite(whole)}]，{ch.phrase}{shown(ch)}[{d.cite(ch)}]。")
    d.answered += 1
    items = "；".join(f"{label_of(p) or p.phrase}{shown(p)}[{d.cite(p)}]，{c.phrase}{shown(c)}[{d.cite(c)}]"
                     for p, c in zip(parts, changes, strict=True))
    decimals = max(c.decimals for c in [*changes, ch])
    res = execute(Program(op="sum", operands=[Operand(value=_signed(c), unit=c.unit, decimals=c.decimals)
                                              for c in changes]))
    assert res.value is not None
    total = res.value
    word = "增加" if total >= 0 else "减少"
    # the formula as printed changes: increases first, then each decrease subtracted (no negative figures)
    signed = sorted(changes, key=lambda c: _signed(c) < 0)
    formula = "".join((" − " if _signed(c) < 0 else " + " if i else "") + shown(c) for i, c in enumerate(signed))
    if signed and _signed(signed[0]) < 0:
        formula = "−" + formula.lstrip(" −")
    d.say(f"其中：{items}；各分项变动合计{word}{fmt(abs(total), decimals)}{ch.unit}（{formula} = "
          f"{fmt(total, decimals)}{ch.unit}）")
    diff = total - stated
    if diff == 0:
        d.say("，与总数所列变动一致。")
        return
    gap = f"{fmt(abs(diff), decimals)}{ch.unit}"
    if abs(diff) <= tolerance([*changes, ch]):
        d.say(f"。与总数所列变动相差{gap}，属尾数差异。")
        return
    msg = (f"注意：总数所列{ch.phrase}{shown(ch)}，而各分项变动合计{word}{fmt(abs(total), decimals)}{ch.unit}。"
           f"两者相差{gap}，数据不一致，请核实。")
    d.say("。" + msg)
    d.audit.append(AuditNote(kind="数据不一致", message=msg, citations=[d.cite(ch), *(d.cite(c) for c in changes)]))
