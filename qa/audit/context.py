"""What an audit rule sees and records: the report in a `Context`, and each contradiction as a `Finding`
(kind, severity, Chinese explanation with the arithmetic, cited locations). Rules import this module, not the
runner, so the audit package has no import cycle."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.models import Fact, Report
from core.numbers import fmt
from qa.answer_models import Citation
from qa.structured import Draft

Severity = Literal["high", "medium", "low"]
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
CENT = Decimal("0.01")


class Finding(BaseModel):
    id: str = Field(description="Stable: hash of the rule and the facts involved")
    kind: str = Field(description="层级合计不符 / 合计行不符 / 列合计不符 / 表间不一致 / 表文不一致 / 比率不符 / 零基数比率 / "
                                  "单位疑误 / 年份错误 / 自评表计算不符 / 科目名称不符 / 文字疏漏 / 尾数差异 / 疑似指令文本")
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
    memo: dict[str, Any] = field(default_factory=dict)  # derived data rules share (parsed breakdowns …)

    def add(self, rule: str, kind: str, severity: Severity, message: str, facts: Iterable[Fact],
            extra_lines: Iterable[int] = ()) -> None:
        facts = list(facts)
        draft = Draft(reports={self.report.doc_id: self.report}, lines_for={self.report.doc_id: self.lines})
        marks = [draft.cite(f) for f in facts]
        for line in extra_lines:
            draft.citations.append(Citation(
                n=len(draft.citations) + 1, doc_id=self.report.doc_id, file=self.report.file, org=self.report.org,
                year=self.report.year, quote=self.lines[line - 1].strip(), line=line))
        text = with_units(message, facts).format(*[f"[{m}]" for m in marks]) if "{" in message else message
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
        if s < total.value and total.table_id in self.memo.get("partial_tables", set()) and diff > CENT * len(parts):
            return  # some of this table's figures have no column: a missing part cannot be told from a wrong total
        places = max([total.decimals, *[p.decimals for p in parts]])
        shown = " + ".join(f"{fmt(p.value, p.decimals)}{{{i + 1}}}" for i, p in enumerate(parts))
        unit = total.unit.replace("{", "").replace("}", "")  # a computed value is said with its unit too
        arithmetic = f"{shown} = {fmt(s, places)}{unit} ≠ {fmt(total.value, total.decimals)}{{0}}"
        drift = diff <= CENT * len(parts) and places >= 2
        severity: Severity = "low" if drift else ("high" if diff >= Decimal(1) else "medium")
        message = f"{what}：{arithmetic}（相差 {fmt(diff, places)}{unit}）"
        self.add(rule, "尾数差异" if drift else kind, severity, message, [total, *parts])


Rule = Callable[[Context], None]


@dataclass(frozen=True)
class RuleSpec:
    """A rule and what it needs to run: `needs` names requirements (`narrative`, `rates`, `cells`, `self_eval`,
    `table:公开06表` …) that `qa.audit.run` checks per document, so a rule that could not run says why."""

    name: str
    fn: Rule
    needs: tuple[str, ...] = ()



def with_units(message: str, facts: list[Fact]) -> str:
    """A value printed bare right before its citation mark gets the unit of the fact it cites (2213.7{1} →
    2213.7万元[2]), so a note read on its own says 万元/%/人 — unless the message says it converted the value
    (`29.46{3}（原文 29.46元，按万元计）`)."""
    def unit(m: re.Match[str]) -> str:
        i = int(m.group(1)) if m.group(1) else next(counter)
        u = facts[i].unit if i < len(facts) else ""
        return (u.replace("{", "").replace("}", "") if u and not m.group(2) else "") + "{" + m.group(1) + "}"

    counter = itertools.count()
    return re.sub(r"(?<=\d)\{(\d*)\}(?=(（原文)?)", unit, message)
