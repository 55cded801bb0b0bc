"""Report audit: where a budget report contradicts itself. Runs every rule (`qa.audit.tables`,
`qa.audit.text`) over a report's facts and returns findings with kind, severity, a Chinese explanation with the
arithmetic, and every location involved cited like answers are. All arithmetic in `Decimal`.

A sum that is off by no more than one cent per addend is rounding drift (`尾数差异`, low severity), never mixed
with real errors. `notes_for` tells `qa ask` which findings touch the facts an answer cites."""

from __future__ import annotations

import re
from typing import Any

from core.models import Fact, Report
from qa.answer_models import AuditNote, Citation
from qa.audit import tables as table_rules
from qa.audit import text as text_rules
from qa.audit.context import Context, Finding, Rule


def rules() -> list[tuple[str, Rule]]:
    return [*table_rules.RULES, *text_rules.RULES]


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
