"""Report audit: where a budget report contradicts itself. Runs every rule (`qa.audit_tables`,
`qa.audit_text`) over a report's facts and returns findings with kind, severity, a Chinese explanation with the
arithmetic, and every location involved cited like answers are. All arithmetic in `Decimal`.

A sum that is off by no more than one cent per addend is rounding drift (`尾数差异`, low severity), never mixed
with real errors. `notes_for` tells `qa ask` which findings touch the facts an answer cites."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from qa.answer_models import AuditNote, Citation
from qa.models import Fact, Report
from qa.numbers import fmt
from qa.structured import Draft

Severity = Literal["high", "medium", "low"]
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
CENT = Decimal("0.01")


class Finding(BaseModel):
    id: str = Field(description="Stable: hash of the rule and the facts involved")
    kind: str = Field(description="层级合计不符 / 合计行不符 / 列合计不符 / 表间不一致 / 表文不一致 / 比率不符 / 零基数比率 / "
                                  "单位疑误 / 年份错误 / 自评表计算不符 / 尾数差异")
    severity: Severity
    rule: str
    doc_id: str
    file: str
    org: str
    year: int | None
    message: str
    citations: list[Citation] = Field(default_factory=list)
    fact_ids: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        for c in data["citations"]:
            for k in ("fact_id", "char_start", "char_end"):
                c.pop(k, None)
        return data


@dataclass
class Context:
    """What a rule sees: one report, its facts, lines and tables, and a way to record findings."""

    report: Report
    facts: list[Fact]
    lines: list[str]
    tables: list[Any]
    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: str, kind: str, severity: Severity, message: str, facts: Iterable[Fact],
            extra_lines: Iterable[int] = ()) -> None:
        facts = list(facts)
        draft = Draft(reports={self.report.doc_id: self.report}, lines_for={self.report.doc_id: self.lines})
        marks = [draft.cite(f) for f in facts]
        for line in extra_lines:
            draft.citations.append(Citation(
                n=len(draft.citations) + 1, doc_id=self.report.doc_id, file=self.report.file, org=self.report.org,
                year=self.report.year, quote=self.lines[line - 1].strip(), line=line))
        text = message.format(*[f"[{m}]" for m in marks]) if "{" in message else message
        key = f"{rule}|{self.report.doc_id}|" + "|".join(sorted(f.fact_id for f in facts)) + \
            "|".join(map(str, extra_lines))
        self.findings.append(Finding(
            id=hashlib.sha1(key.encode()).hexdigest()[:12], kind=kind, severity=severity, rule=rule,
            doc_id=self.report.doc_id, file=self.report.file, org=self.report.org, year=self.report.year,
            message=text, citations=draft.citations, fact_ids=[f.fact_id for f in facts]))

    def sum_check(self, rule: str, kind: str, total: Fact, parts: list[Fact], what: str) -> None:
        """`total` should equal the sum of `parts`; off by ≤ 1 cent per part is rounding drift."""
        if not parts:
            return
        s = sum((p.value for p in parts), Decimal(0))
        diff = abs(s - total.value)
        if diff == 0:
            return
        places = max([total.decimals, *[p.decimals for p in parts]])
        shown = " + ".join(f"{fmt(p.value, p.decimals)}{{{i + 1}}}" for i, p in enumerate(parts))
        arithmetic = f"{shown} = {fmt(s, places)} ≠ {fmt(total.value, total.decimals)}{{0}}"
        drift = diff <= CENT * len(parts) and places >= 2
        severity: Severity = "low" if drift else ("high" if diff >= Decimal(1) else "medium")
        message = f"{what}：{arithmetic}（相差 {fmt(diff, places)}）"
        self.add(rule, "尾数差异" if drift else kind, severity, message, [total, *parts])


Rule = Callable[[Context], None]


def rules() -> list[tuple[str, Rule]]:
    from qa import audit_tables, audit_text

    return [*audit_tables.RULES, *audit_text.RULES]


def audit_report(report: Report, facts: list[Fact], lines: list[str], tables: list[Any]) -> list[Finding]:
    ctx = Context(report, facts, lines, tables)
    for _, rule in rules():
        rule(ctx)
    seen: set[str] = set()
    unique = []
    for f in ctx.findings:
        if f.id not in seen:
            seen.add(f.id)
            unique.append(f)
    return unique


def audit(stores: Any, org: str | None = None, year: int | None = None) -> list[Finding]:
    out: list[Finding] = []
    for r in stores.facts.reports():
        if (org and org not in r.org) or (year and r.year != year):
            continue
        out += audit_report(r, stores.facts.facts([r.doc_id]), stores.facts.lines(r.doc_id),
                            stores.facts.tables(r.doc_id))
    return ordered(out)


def ordered(findings: list[Finding]) -> list[Finding]:
    """By 单位, then severity (high first), kind and first location."""
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(findings, key=lambda f: (f.org, order[f.severity], f.kind, f.citations[0].line if f.citations else 0))


def notes_for(findings: list[Finding], citations: list[Citation]) -> list[AuditNote]:
    """Findings that involve a fact (or a line) an answer cites, as audit notes for the answer."""
    cited_facts = {c.fact_id for c in citations if c.fact_id}
    cited_lines = {(c.doc_id, c.line) for c in citations}
    notes = []
    for f in findings:
        if cited_facts & set(f.fact_ids) or any((c.doc_id, c.line) in cited_lines for c in f.citations
                                                if not c.fact_id):
            notes.append(AuditNote(kind=f"报告核查·{f.kind}", message=f"{f.org}{f.year}年：{_strip_marks(f.message)}"))
    return notes


def _strip_marks(message: str) -> str:
    return re.sub(r"\[\d+\]", "", message)
