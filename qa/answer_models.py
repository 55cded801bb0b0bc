"""The answer contract (DESIGN.md): citations, figures with verdicts, refusal as data.

`qa ask --json` prints `Answer.to_json()`; `qa verify --json` prints `VerificationReport.to_json()`. A refusal is
an Answer with `has_answer=False` whose text starts with `REFUSAL` — "unsure" is data, not an exception."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

REFUSAL = "报告未披露"
QUOTE_LEAD = "报告原文："  # an answer quotes the sentence its figure is printed in: 报告原文：“…”[n]
Verdict = Literal["matched", "derived", "mismatch", "unsupported"]
VERDICT_LABELS = {"matched": "✓ 原文", "derived": "✓ 计算", "mismatch": "✗ 不符", "unsupported": "? 无来源"}


class Citation(BaseModel):
    n: int
    doc_id: str
    file: str
    org: str
    year: int | None
    section: str = ""
    table: str | None = None
    row: str = ""
    column: str = ""
    quote: str = Field(description="The source line the figure or sentence comes from")
    line: int
    page: int | None = Field(None, description="Page of the source (PDF, or a text file with page breaks)")
    fact_id: str | None = None
    char_start: int | None = None
    char_end: int | None = None

    def label(self) -> str:
        where = self.table or self.section
        cell = " / ".join(x for x in (self.row, self.column) if x)
        page = f" · 第{self.page}页" if self.page else ""
        return f"{self.org} {self.year or ''}年 · {where}" + (f" · {cell}" if cell else "") + f"{page} · 第{self.line}行"


class FigureCheck(BaseModel):
    text: str
    value: Decimal
    unit: str
    verdict: Verdict
    formula: str | None = None
    expected: str | None = None
    citations: list[int] = Field(default_factory=list, description="Numbers of the citations that support it")
    fact_ids: list[str] = Field(default_factory=list)
    start: int = 0
    end: int = 0

    @property
    def ok(self) -> bool:
        return self.verdict in ("matched", "derived")


class AuditNote(BaseModel):
    kind: str
    message: str
    citations: list[int] = Field(default_factory=list)


class Answer(BaseModel):
    question: str
    answer: str
    has_answer: bool
    engine: str
    citations: list[Citation] = Field(default_factory=list)
    figures: list[FigureCheck] = Field(default_factory=list)
    audit: list[AuditNote] = Field(default_factory=list)
    filters: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"seconds", "filters"})
        for c in data["citations"]:
            for k in ("fact_id", "char_start", "char_end"):
                c.pop(k, None)
        for f in data["figures"]:
            for k in ("fact_ids", "start", "end"):
                f.pop(k, None)
        data["filters"] = self.filters
        data["seconds"] = round(self.seconds, 4)
        return data


class VerificationReport(BaseModel):
    answer: str
    figures: list[FigureCheck]
    citations: list[Citation] = Field(default_factory=list)

    @property
    def failed(self) -> list[FigureCheck]:
        return [f for f in self.figures if not f.ok]

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "figures": [f.model_dump(mode="json", exclude={"fact_ids", "start", "end"}) for f in self.figures],
            "citations": [c.model_dump(mode="json", exclude={"fact_id", "char_start", "char_end"}) for c in self.citations],
            "ok": not self.failed,
        }
