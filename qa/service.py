"""The services the web app (and the CLI) call: one object per data directory that answers, ingests, removes,
compares and exports, safe to share between the app's worker threads.

Questions run concurrently; ingestion and removal take the write side of a readers–writer lock, so a question
never sees a report half-written and the caches are dropped only when no question is using them."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.dimensions import fact_dimension
from core.errors import UserError
from core.lexicon import tokenizer
from core.models import Fact, Report, TableModel
from core.settings import Settings
from index.doc_check import held_warning
from index.ingest import Ingestor, IngestResult
from qa.answer_models import Answer
from qa.ask import Asker
from qa.audit import Coverage, Finding, ordered
from qa.audit.export import export_findings
from qa.contracts import AnswerEngine
from qa.crossreport import named_groups
from qa.export import FORMATS, export_answer, export_name, findings_name
from qa.filters import QueryFilters
from qa.lazy import PerDoc
from qa.llm import llm_from_settings
from qa.resolve import want_dimension
from qa.structured import Draft, StructuredEngine, shown, what
from qa.understand import Question, canonical
from qa.unsaid import load_tagger
from stores import Stores


class ReadWriteLock:
    """Many readers or one writer; a waiting writer keeps new readers out so it is not starved."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


@dataclass
class MeasureRow:
    """One value of a measure in the comparison view: a report (and year) with its cited source fact."""

    org: str
    year: int
    value: Decimal
    unit: str
    shown: str
    source: str
    fact: Fact


class QAService:
    def __init__(self, settings: Settings | None = None, stores: Stores | None = None,
                 llm: AnswerEngine | None = None) -> None:
        self.settings = settings or Settings()
        self.stores = stores or Stores(self.settings)
        self.asker = Asker(self.stores, llm if llm is not None else llm_from_settings(self.settings))
        self.lock = ReadWriteLock()
        self._ingest_lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the embedding model, the vector store (importing Chroma takes seconds), the keyword index, the domain
        tokenizer and the part-of-speech tagger before the first user waits for them."""
        with self.lock.read():
            self.stores.embedder.embed_query("预热")
            self.stores.vectors.count()
            self.stores.keyword.refresh()
            tokenizer()
            load_tagger()

    # -- what the user sees about the system ----------------------------------------------------------
    def status(self) -> dict[str, str]:
        emb = self.settings.embedder.resolved_model_path().name
        emb = f"{emb}（本项目训练）" if (self.settings.embedder.resolved_model_path() / "training.json").exists() else emb
        llm = f"{self.settings.llm.model} @ {self.settings.llm.base_url}" if self.settings.llm.base_url else "未配置"
        store = f"Chroma 服务 {self.settings.chroma.host}:{self.settings.chroma.port}" if self.settings.chroma.host \
            else f"Chroma 嵌入式 {self.settings.chroma_path}"
        return {"engine": self.settings.app.engine, "embedder": emb, "llm": llm, "store": store,
                "collection": self.settings.collection_name()}

    def reports(self) -> list[Report]:
        with self.lock.read():
            return self.stores.facts.reports()

    def report_rows(self) -> list[dict[str, Any]]:
        return self.library()[1]

    def library(self) -> tuple[list[Report], list[dict[str, Any]]]:
        """The reports and their library rows, read together under one lock: what a page shows of the library
        (status line, 报告库, filters, removal choices) comes from one consistent snapshot of the store."""
        with self.lock.read():
            reports = self.stores.facts.reports()
            counts = self.stores.facts.fact_counts()
        rows = [{"doc_id": r.doc_id, "file": r.file, "org": r.org, "year": r.year, "doc_type": r.doc_type,
                 "parts": "、".join(r.parts), "lines": r.n_lines, "facts": counts.get(r.doc_id, 0),
                 "tables_found": "、".join(r.tables_found),
                 "coverage": "" if r.coverage is None else f"{r.coverage * 100:.1f}%",
                 "warnings": "；".join(w for w in (held_warning(r), *r.warnings) if w)} for r in reports]
        return reports, rows

    def set_metadata(self, doc_id: str, org: str | None = None, year: int | None = None,
                     doc_type: str | None = None) -> Report:
        """Correct a report's 单位/year/kind after ingest (SQLite, chunks and their vectors); answers scope by the
        corrected values at once."""
        with self.lock.write():
            if self.stores.facts.report(doc_id) is None:
                raise UserError(f"报告不存在 / no such report: {doc_id}", "用 qa docs 查看已导入报告的 doc_id")
            if year is not None and not 1990 <= year <= 2100:
                raise UserError(f"年度不合理 / implausible year: {year}", "年度应为四位数，例如 2025")
            Ingestor(self.stores).set_metadata(doc_id, org=org or None, year=year, doc_type=doc_type or None)
            report = self.stores.facts.report(doc_id)
            assert report is not None
            return report

    # -- answering ----------------------------------------------------------------------------------------
    def ask(self, question: str, history: list[dict[str, str]] | None = None, engine: str | None = None,
            filters: QueryFilters | None = None) -> Answer:
        with self.lock.read():
            return self.asker.ask(question, history, engine or self.settings.app.engine, filters)

    def tables_of(self, doc_id: str) -> list[TableModel]:
        with self.lock.read():
            return self.stores.facts.tables(doc_id)

    def lines_of(self, doc_id: str) -> list[str]:
        with self.lock.read():
            return self.asker.lines(doc_id)

    # -- the report library -------------------------------------------------------------------------------
    def ingest(self, paths: list[Path], on_progress: Callable[[IngestResult, int, int], None] | None = None
               ) -> list[IngestResult]:
        """Ingest files, one result per file: a bad file (unreadable, wrong type, broken) is reported in its result
        and the others still go in. Reading, parsing and embedding run outside the readers–writer lock; its write
        side is held only while a report is committed to the stores, so questions never wait for a parse."""
        with self._ingest_lock:  # one ingestion at a time (the stores have one writer)
            ingestor = Ingestor(self.stores, guard=self.lock)
            return ingestor.ingest(list(paths), on_progress=on_progress, workers=1)

    def remove(self, doc_id: str) -> Report:
        with self.lock.write():
            report = self.stores.facts.report(doc_id)
            if report is None:
                raise UserError(f"报告不存在 / no such report: {doc_id}", "用 qa docs 查看已导入报告的 doc_id")
            Ingestor(self.stores).remove(doc_id)
            self.asker.forget(doc_id)
            return report

    # -- comparison view ----------------------------------------------------------------------------------
    def measure_rows(self, measure: str) -> list[MeasureRow]:
        """A measure (本年支出合计, 三公经费 …) in every report, and in the previous-year columns they print."""
        measure = measure.strip()
        if not measure:
            raise UserError("请选择或输入一个指标 / no measure given", "例如：本年支出合计、三公经费、项目支出")
        q = Question(text=measure, measure=canonical(measure), intent="lookup")
        dim = want_dimension(measure, "lookup") or "money"
        rows: list[MeasureRow] = []
        with self.lock.read():
            reports = [r for r in self.stores.facts.reports() if r.year is not None and not r.missing_metadata]
            # the facts labelled with the measure, in every report at once; a report they cannot decide is read whole
            engine = StructuredEngine(PerDoc(lambda d: self.asker.facts([d]), [r.doc_id for r in reports]), Draft())
            named = {offset: named_groups(engine, reports, q, q.measure, dim, self.stores.facts.facts_labelled, offset)
                     if len(reports) > 1 else {} for offset in (0, -1)}
            for r in reports:
                assert r.year is not None
                for year in (r.year, r.year - 1):
                    if any(x.org == r.org and x.year == year for x in rows):
                        continue  # a year's own report wins over the next report's 上年 column
                    group = named[year - r.year].get(r.doc_id) or \
                        engine.find(r, q, q.measure, dim, year if year != r.year else None)
                    if group:
                        f = group[0].fact
                        base, kind = fact_dimension(f)
                        value, unit = (base / 10000, "万元") if kind == "money" else (f.value, f.unit)
                        rows.append(MeasureRow(r.org, year, value, unit, shown(f),
                                               f"{r.file} 第{f.line}行 {what(f)}", f))
        rows.sort(key=lambda x: (x.org, x.year))
        return rows

    # -- report audit ---------------------------------------------------------------------------------------
    def findings(self, orgs: list[str] | None = None, severities: list[str] | None = None) -> list[Finding]:
        with self.lock.read():  # the Asker audits each report once and keeps it for answers' notes too
            found = ordered([f for r in self.stores.facts.reports() for f in self.asker.findings(r.doc_id)])
        return [f for f in found if (not orgs or f.org in orgs) and (not severities or f.severity in severities)]

    def audit_coverage(self, orgs: list[str] | None = None) -> list[Coverage]:
        """Per report, the audit rules that ran and those that could not (silence is not “no problems”)."""
        with self.lock.read():
            covs = [self.asker.audit_coverage(r.doc_id) for r in self.stores.facts.reports()
                    if not orgs or r.org in orgs]
        return [c for c in covs if c is not None]

    def export_findings(self, findings: list[Finding], fmt: str) -> Path:
        if not findings:
            raise UserError("没有可导出的核查结果 / nothing to export", "先运行核查或放宽筛选")
        folder = Path(tempfile.mkdtemp(prefix="qa-audit-"))
        suffix = fmt if fmt.startswith(".") else f".{fmt}"
        return export_findings(findings, folder / findings_name([f.org for f in findings], suffix))

    # -- export ---------------------------------------------------------------------------------------------
    def export(self, answers: list[Answer], fmt: str) -> Path:
        suffix = fmt if fmt.startswith(".") else f".{fmt}"
        if suffix not in FORMATS:
            raise UserError(f"不支持的导出格式 {fmt} / unsupported format", f"可选：{', '.join(FORMATS)}")
        if not answers:
            raise UserError("还没有可导出的回答 / nothing to export", "先提一个问题")
        folder = Path(tempfile.mkdtemp(prefix="qa-export-"))
        return export_answer(answers, folder / export_name(answers, suffix))
