"""The data model shared by ingestion and answering (pydantic; every amount is a `Decimal`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

FactKind = Literal["cell", "text"]
RateKind = Literal["share", "growth", "completion", "execution", "rate"]


class FieldSource(BaseModel):
    """Where a metadata field was read: the line (1-based; 0 = given by hand), its text and a confidence 0–1."""

    line: int
    text: str
    confidence: float
    source: str = Field("", description="cover | label | title | heading | frequency | part title | override")


class Report(BaseModel):
    doc_id: str = Field(description="Hash of the normalised content")
    file: str = Field(description="File name as ingested")
    path: str = ""
    org: str = Field(description="单位全称")
    region: str = ""
    year: int | None = Field(None, description="Fiscal year the report is about")
    doc_type: str = Field(description="Primary kind: 部门决算 / 整体支出绩效自评报告 / 绩效评价基础数据表 …")
    parts: list[str] = Field(default_factory=list, description="Every kind of document the file contains, in order")
    n_lines: int = 0
    meta_source: dict[str, FieldSource] = Field(default_factory=dict, description="org/year/kind/region → source")
    warnings: list[str] = Field(default_factory=list, description="What was not fully understood (shown on ingest)")
    family: str = Field("", description="Report family (index/profiles/) whose tables it holds")
    tables_found: list[str] = Field(default_factory=list, description="Canonical names of the tables found by name")
    coverage: float | None = Field(None, description="Share of numeric tokens that became facts")

    @property
    def missing_metadata(self) -> list[str]:
        """单位/年度 not known: such a report is held out of the answer scope until they are set (qa docs --set),
        so an empty name never reaches a pattern and no answer says `None年`."""
        return [name for name, known in (("单位", bool(self.org.strip())), ("年度", self.year is not None)) if not known]


class Section(BaseModel):
    idx: int
    title: str
    path: list[str]
    level: int
    start: int = Field(description="First line (1-based)")
    end: int = Field(description="Last line (inclusive)")

    @property
    def path_text(self) -> str:
        return " › ".join(self.path)


class Fact(BaseModel):
    """One number with its meaning and its exact location."""

    fact_id: str
    doc_id: str
    kind: FactKind
    value: Decimal
    unit: str = Field("", description="元/万元/亿元/%/百分点/人/个/次/分 … or '' when the source gives none")
    raw: str = Field(description="The number as printed, with its unit")
    decimals: int = Field(0, description="Digits after the decimal point as printed")
    line: int
    char_start: int
    char_end: int
    page: int | None = None
    section: str = ""
    table_id: str | None = None
    table_title: str | None = None
    row_label: str = ""
    row_path: str = ""
    row_code: str | None = None
    parent_code: str | None = None
    column: str = ""
    phrase: str = Field("", description="Narrative: the phrase the figure measures")
    sentence: str = ""
    rate_kind: RateKind | None = None
    rate_of: str | None = Field(None, description="fact_id of the amount a stated share/rate belongs to")


class TableModel(BaseModel):
    doc_id: str
    table_id: str
    title: str
    unit: str = ""
    section: str = ""
    start: int
    end: int
    columns: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list, description="Cell texts, header rows first")
    n_header: int = 0
    row_lines: list[tuple[int, int]] = Field(
        default_factory=list, description="First and last source line of each row (same order as rows)"
    )


class Chunk(BaseModel):
    chunk_id: str = Field(description="Stable id doc_id:section:n")
    doc_id: str
    text: str
    org: str
    year: int | None
    doc_type: str
    section: str = ""
    table_id: str = ""
    start: int
    end: int

    def metadata(self) -> dict[str, str | int]:
        return {
            "doc_id": self.doc_id,
            "org": self.org,
            "year": self.year or 0,
            "doc_type": self.doc_type,
            "section": self.section,
            "table_id": self.table_id,
            "start": self.start,
            "end": self.end,
        }
