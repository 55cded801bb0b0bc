"""The LLM writes programs, never numbers: for a figure question the model is shown the question, the context the
conversation fixed (单位, year, measure) and the top fact descriptors (F1 … Fn), and must return a JSON program
over those ids (`{"programs": [{"op": "ratio", "operands": ["F3", "F7"], "label": "…"}]}` or `{"refuse": "…"}`).

The reply is schema-checked (unknown keys, unknown ops, ids that were not shown, wrong arity are errors); one retry
carries the validation error back; a second failure is no answer. The executor (`qa.program.execute`) computes
every value in Decimal from the cited facts and the verifier checks the figures, so a number the model writes —
or one an injected instruction in a report asks for — never reaches the user."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.dimensions import fact_dimension
from core.models import Fact, Report
from core.numbers import fmt
from qa.answer_models import REFUSAL, Answer
from qa.contracts import Completer, Evidence
from qa.program import Op, Operand, Program, execute
from qa.prompts import as_data, render
from qa.resolve import rank_facts, want_dimension
from qa.structured import Draft, shown, what
from qa.understand import Question
from qa.verify import Verifier

ARITY = {"lookup": (1, 1), "convert": (1, 1), "diff": (2, 2), "ratio": (2, 2), "growth": (2, 2), "per_head": (2, 2),
         "prev_year": (2, 2), "sum": (2, 12), "max": (2, 30), "min": (2, 30)}
MAX_FACTS = 30


class ProgramSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    op: Op
    operands: list[str] = Field(min_length=1, max_length=30)
    label: str = Field("", max_length=80, description="What the program computes, in words")
    sign: Literal[1, -1] = 1


class ProgramReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programs: list[ProgramSpec] = Field(default_factory=list, max_length=4)
    refuse: str | None = Field(None, max_length=200)


def parse_reply(text: str, shown_ids: set[str]) -> ProgramReply:
    """The model's reply as a checked program; ValueError (with a message for the retry) when it is not one."""
    m = re.search(r"\{.*\}", text, flags=re.S)
    if not m:
        raise ValueError("回复中没有 JSON 对象 / no JSON object in the reply")
    try:
        reply = ProgramReply.model_validate(json.loads(m.group(0)))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ValueError(f"JSON 不符合格式 / invalid program: {exc}") from None
    if not reply.programs and not reply.refuse:
        raise ValueError("programs 为空且没有 refuse / neither programs nor refuse")
    for p in reply.programs:
        lo, hi = ARITY[p.op]
        if not lo <= len(p.operands) <= hi:
            raise ValueError(f"{p.op} 需要 {lo}–{hi} 个操作数 / {p.op} takes {lo}–{hi} operands, got {len(p.operands)}")
        unknown = [x for x in p.operands if x not in shown_ids]
        if unknown:
            raise ValueError(f"操作数必须是上面列出的事实编号 / operands must be listed fact ids, not {unknown}")
    return reply


def candidates(q: Question, scope: list[Report], evidence: Evidence) -> list[Fact]:
    """The facts shown to the model: those the resolver ranks best for the question's measures, then the facts
    on the lines of the passages retrieval finds."""
    facts = evidence.facts([r.doc_id for r in scope])
    out: list[Fact] = []
    for m in [x for x in (q.measure, q.second, q.denominator) if x]:
        out += [s.fact for s in rank_facts(facts, m, q.text, want_dimension(m + q.text, q.intent))[:10] if s.score > 0.3]
    for hit in evidence.retrieve(q, scope, k=4):
        c = hit.chunk
        out += [f for f in facts if f.doc_id == c.doc_id and c.start <= f.line <= c.end][:8]
    seen: dict[str, Fact] = {}
    for f in out:
        seen.setdefault(f.fact_id, f)
    return list(seen.values())[:MAX_FACTS]


def describe_facts(facts: list[Fact], reports: dict[str, Report]) -> str:
    rows = []
    for i, f in enumerate(facts, start=1):
        r = reports.get(f.doc_id)
        who = f"{r.org} {r.year}年" if r else f.doc_id
        said = f" | 原文：{f.sentence[:80]}" if f.kind == "text" and f.sentence else ""
        rows.append(as_data(f"F{i} | {who} | {what(f)} | {shown(f)}{said}"))
    return "\n".join(rows)


def _operand(f: Fact, n: int, money_in_wan: bool) -> Operand:
    base, dim = fact_dimension(f)
    if dim == "money" and money_in_wan:  # operands of one program in one unit: 万元
        return Operand(value=base / 10000, unit="万元", decimals=max(f.decimals, 2), label=what(f), fact_id=f.fact_id,
                       citation=n)
    return Operand(value=f.value, unit=f.unit, decimals=f.decimals, label=what(f), fact_id=f.fact_id, citation=n)


def _show(value: Decimal, unit: str) -> str:
    return f"{fmt(value * 100, 2)}%" if unit == "ratio" else f"{fmt(value, 2)}{unit}"


class ProgramWriter:
    """An LLM backend used to write programs (see module docstring)."""

    def __init__(self, backend: Completer) -> None:
        self.backend = backend

    def answer(self, q: Question, scope: list[Report], evidence: Evidence) -> Answer:
        reports = {r.doc_id: r for r in scope}
        facts = candidates(q, scope, evidence)
        ids = {f"F{i}": f for i, f in enumerate(facts, start=1)}
        context = "；".join(x for x in ("单位=" + "、".join(q.orgs) if q.orgs else "", "年度=" + "、".join(map(str, q.years))
                                        if q.years else "", f"指标={q.measure}" if q.measure else "") if x)
        values = {"question": q.text, "context": context or "无", "facts": describe_facts(facts, reports)}
        error = ""
        reply: ProgramReply | None = None
        for _ in range(2):  # one retry, with the validation error
            text = self.backend.complete(render("program", **values, error=error))
            try:
                reply = parse_reply(text, set(ids))
                break
            except ValueError as exc:
                error = f"上一次的回复无效：{exc}。请只输出符合格式的 JSON。"
        if reply is None:
            return Answer(question=q.text, answer=f"{REFUSAL}：大模型两次都没有给出可执行的计算（已按格式要求重试一次），"
                          "为避免给出未经核验的数字，此问不作答。", has_answer=False, engine="llm")
        if reply.refuse or not reply.programs:
            return Answer(question=q.text, answer=f"{REFUSAL}：{reply.refuse or '资料中没有可用的事实'}", has_answer=False,
                          engine="llm")
        draft = Draft(reports=reports, lines_for={r.doc_id: evidence.lines(r.doc_id) for r in scope})
        for spec in reply.programs:
            used = [ids[x] for x in spec.operands]
            money = {fact_dimension(f)[1] for f in used} == {"money"}
            operands = [_operand(f, draft.cite(f), money and spec.op != "convert") for f in used]
            result = execute(Program(op=spec.op, operands=operands, sign=spec.sign))
            if result.value is None:
                draft.say(f"{spec.label or spec.op}：分母为零，无法计算。")
                continue
            marks = "".join(f"[{o.citation}]" for o in operands)
            label = spec.label or " / ".join(o.label for o in operands[:1])
            formula = f"{result.formula} = " if result.derived else ""
            draft.say(f"{label}：{formula}{_show(result.value, result.unit)}{marks}。")
        report = Verifier(evidence.facts).verify(draft.text, draft.citations, list(reports))
        return Answer(question=q.text, answer=draft.text, has_answer=True, engine="llm", citations=draft.citations,
                      figures=report.figures)
