"""Report audit: where a budget report contradicts itself. Runs every rule (`qa.audit.tables`,
`qa.audit.text`) over a report's facts and returns findings with kind, severity, a Chinese explanation with the
arithmetic, and every location involved cited like answers are. All arithmetic in `Decimal`.

A sum that is off by no more than one cent per addend is rounding drift (`尾数差异`, low severity), never mixed
with real errors. `notes_for` tells `qa ask` which findings touch the facts an answer cites."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from core.models import Fact, Report
from index.space_columns import UNDETERMINED
from qa.answer_models import AuditNote, Citation
from qa.audit import crosscheck, identities, narrative, section_rates, slips, statements, subjects
from qa.audit import instructions as instruction_rules
from qa.audit import tables as table_rules
from qa.audit import text as text_rules
from qa.audit.context import Context, Finding, RuleSpec
from qa.audit.labels import MONEY
from qa.audit.paragraphs import reread


def rules() -> list[RuleSpec]:
    return [*table_rules.RULES, *identities.RULES, *subjects.RULES, *text_rules.RULES, *section_rates.RULES, *slips.RULES, *narrative.RULES, *statements.RULES, *crosscheck.RULES,
            *instruction_rules.RULES]


class Coverage(BaseModel):
    """Which rules ran on one document and which could not, with the reason (silence is not “no problems”)."""

    doc_id: str
    file: str
    org: str
    year: int | None
    ran: list[str] = Field(default_factory=list)
    skipped: dict[str, str] = Field(default_factory=dict, description="rule → why it could not run")


def missing(ctx: Context, need: str) -> str | None:
    """Why `need` is not met by this document, or None when it is."""
    cells = [f for f in ctx.facts if f.kind == "cell"]
    text = [f for f in ctx.facts if f.kind == "text"]
    if need.startswith("table:"):
        table = need.split(":", 1)[1]
        return None if any(f.table_id == table for f in cells) else f"{table} not found / 未找到{table}"
    checks = {
        "cells": (bool(cells), "no parsed table / 未解析出表格"),
        "coded_rows": (any(f.row_code for f in cells), "no table rows with 科目编码 / 表中无科目编码行"),
        "staff_rows": (any(f.row_label == "人员经费合计" for f in cells), "no 基本支出表 (人员经费合计) found / 未找到基本支出表"),
        "self_eval": (any("自评表" in (f.table_id or "") for f in cells), "no 自评表 found / 未找到自评表"),
        "narrative": (any(f.unit in MONEY for f in text), "no narrative money figures / 正文无金额"),
        "rates": (any(f.rate_kind for f in text), "no stated rates in the narrative / 正文无比率"),
        "counts": (any(f.unit in ("人", "名", "个") for f in text), "no counts in the narrative / 正文无人数、个数"),
        "lines": (bool(ctx.lines), "no text / 无文本"),
    }
    ok, reason = checks[need]
    return None if ok else reason


def audit_with_coverage(report: Report, facts: list[Fact], lines: list[str],
                        tables: list[Any]) -> tuple[list[Finding], Coverage]:
    tops = {(f.table_id, f.row_code) for f in facts if f.kind == "cell" and f.row_code and len(f.row_code) == 3}
    unplaced = [f for f in facts if f.kind == "cell" and (f.column == UNDETERMINED or _is_code(f, tops))]
    ctx = Context(report, [f for f in facts if f not in unplaced], lines, tables)
    ctx.facts = reread(ctx)  # wrapped lines read as paragraphs (same ids and locations)
    ctx.memo.clear()
    ctx.memo["partial_tables"] = {f.table_id for f in unplaced}
    cov = Coverage(doc_id=report.doc_id, file=report.file, org=report.org, year=report.year)
    if unplaced:  # a figure without its column cannot be put in any sum: said, not guessed
        cov.skipped["cells_without_column"] = (f"{len(unplaced)} table figures whose column could not be determined "
                                               f"(or that are 科目编码) were not checked / {len(unplaced)} 个列未定或为"
                                               f"科目编码的表格数字未核查")
    for spec in rules():
        reasons = [r for r in (missing(ctx, n) for n in spec.needs) if r]
        if reasons:
            cov.skipped[spec.name] = "；".join(reasons)
            continue
        spec.fn(ctx)
        cov.ran.append(spec.name)
    cov.skipped.update(ctx.memo.get("unchecked", {}))  # parts of a rule that could not run (an identity's table)
    seen: set[str] = set()
    unique = []
    for f in ctx.findings:
        if f.id not in seen:
            seen.add(f.id)
            unique.append(f)
    return unique, cov


def _is_code(f: Fact, tops: set[tuple[str | None, str]]) -> bool:
    """A 科目编码 read as a value (`30218` beside 专用材料费 in a three-group 基本支出表): an integer of 5 or 7
    digits printed without decimals that starts with one of the table's class codes (302 …)."""
    digits = str(int(f.value)) if f.decimals == 0 and f.value == f.value.to_integral() and f.value > 0 else ""
    return len(digits) in (5, 7) and (f.table_id, digits[:3]) in tops


def audit_report(report: Report, facts: list[Fact], lines: list[str], tables: list[Any]) -> list[Finding]:
    return audit_with_coverage(report, facts, lines, tables)[0]


def audit_coverage(stores: Any, org: str | None = None,
                   year: int | None = None) -> tuple[list[Finding], list[Coverage]]:
    out: list[Finding] = []
    covs: list[Coverage] = []
    for r in stores.facts.reports():
        if (org and org not in r.org) or (year and r.year != year):
            continue
        found, cov = audit_with_coverage(r, stores.facts.facts([r.doc_id]), stores.facts.lines(r.doc_id),
                                         stores.facts.tables(r.doc_id))
        out += found
        covs.append(cov)
    return ordered(out), covs


def audit(stores: Any, org: str | None = None, year: int | None = None) -> list[Finding]:
    return audit_coverage(stores, org, year)[0]


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
