"""Answering: understand the question (with the conversation), pick the engine, answer, verify every figure.

`auto` answers figures with the structured engine, other questions with the LLM when one is configured, else
extractively; when nothing in the reports holds the answer the result is a refusal (`has_answer=False`) that
says what *is* available — never another year's or another 单位's figure."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from core.errors import UserError
from core.models import Fact, Report
from index.instructions import instructed, masked, scan
from qa.answer_models import REFUSAL, Answer, AuditNote, Citation
from qa.audit import Coverage, Finding, notes_for
from qa.audit.run import audit_with_coverage
from qa.composed import against_budget, children
from qa.contracts import AnswerEngine, EngineUnavailable
from qa.crossreport import compare, per_head, two_measures
from qa.extractive import extract
from qa.fallback import attempt, fallback_note
from qa.filters import QueryFilters
from qa.lazy import PerDoc
from qa.listops import list_program
from qa.program import split_asks
from qa.resolve import norm, said, vocabulary
from qa.search import Hit, Searcher
from qa.structured import Draft, StructuredEngine, once_quoted
from qa.text_answer import text_answer
from qa.understand import Question, parse_question
from qa.verify import Verifier
from stores import Stores

ENGINES = ("auto", "structured", "llm", "extractive")
AUDIT_LINE = "\n⚠ "  # an audit finding about the cited facts, appended after the verified text


class Asker:
    def __init__(self, stores: Stores, llm: AnswerEngine | None = None) -> None:
        self.stores = stores
        self.llm = llm
        self._searcher = Searcher(stores)

    # -- data access: the stores' one fact repository (bounded, invalidated when a report is rewritten) ----
    def facts(self, doc_ids: list[str]) -> list[Fact]:
        return self.stores.repository.facts(doc_ids)

    def lines(self, doc_id: str) -> list[str]:
        """A report's lines as engines may read them: lines that instruct rather than report (index.instructions)
        are empty, so no engine quotes or reads them; the audit reads the lines as printed."""
        repo = self.stores.repository
        raw = repo.lines(doc_id)
        if not repo.derived(doc_id, "instructed", lambda: instructed(self.stores.facts.report(doc_id))):
            return raw  # the ingest found none (its warning says so when it did): nothing to scan
        answerable: list[str] = repo.derived(doc_id, "answerable_lines", lambda: masked(raw, scan(raw)))
        return answerable

    def searcher(self) -> Searcher:
        return self._searcher

    # -- the entry point --------------------------------------------------------------------------------
    def forget(self, doc_id: str) -> None:
        """Drop a removed report's cached facts, lines and findings at once (the repository would on its next look)."""
        self.stores.repository.forget(doc_id)

    def ask(self, question: str, history: list[dict[str, str]] | None = None, engine: str = "auto",
            filters: QueryFilters | None = None) -> Answer:
        """Answer `question` in the conversation `history`; `filters` (单位/年度/类型 picked in the UI) narrow
        the reports the question may be answered from."""
        if engine not in ENGINES:
            raise UserError(f"未知引擎 {engine} / unknown engine", f"可选：{', '.join(ENGINES)}")
        question = question.strip()
        if not question:
            raise UserError("问题为空 / empty question", "请输入一个关于报告的问题")
        t0 = time.perf_counter()
        stored = self.stores.facts.reports()
        if not stored:
            raise UserError("索引为空，还没有导入任何报告 / the index is empty", "先运行：qa ingest data/reports")
        reports = [r for r in stored if not r.missing_metadata]  # held: 单位/年度 unknown until set by hand
        if not reports:
            raise UserError("库中报告都缺少单位或年度，暂不参与问答 / every report lacks its 单位 or year",
                            "用 qa docs --set DOC_ID org=单位全称 year=年度 补全")
        chosen = filters.describe() if filters else ""
        if filters and chosen:
            reports = [r for r in reports if filters.matches(r)]
            if not reports:
                return Answer(question=question, answer=f"{REFUSAL}：筛选条件（{chosen}）下没有报告。",
                              has_answer=False, engine="structured", filters=f"筛选：{chosen}")
        prev: Question | None = None
        after = ""  # the previous answer: its figures say what a follow-up is about
        cited: list[str] = []  # … and, when the previous answer is ours, the fact it answered with
        for turn in history or []:
            for clause in split_asks(turn.get("q", ""), self.known_name(reports)):
                prev = parse_question(clause, reports, prev)
            after = (turn.get("a", "") or "").split(AUDIT_LINE, 1)[0]
        answers = []
        # several asks → several programs (the LLM engine, when it answers, reads the question whole)
        llm_reads = engine == "llm" or (engine == "auto" and self.llm is not None)
        for clause in [question] if llm_reads else split_asks(question, self.known_name(reports)):
            q = parse_question(clause, reports, prev)
            q.after = after if prev is not None else ""
            q.after_facts = cited if prev is not None else []
            q.after_orgs = list(prev.orgs) if prev is not None else []
            answers.append(self._answer(q, reports, engine))
            prev = q
            if answers[-1].has_answer:
                after = answers[-1].answer.split(AUDIT_LINE, 1)[0]
                cited = [c.fact_id for c in answers[-1].citations if c.fact_id][:1]
        answer = answers[0] if len(answers) == 1 else self.merge(question, answers)
        if chosen:
            answer.filters = f"筛选：{chosen}；{answer.filters}"
        answer.seconds = time.perf_counter() - t0
        return answer

    def _answer(self, q: Question, reports: list[Report], engine: str) -> Answer:
        scope, refusal = self.scope(q, reports)
        if refusal:
            return Answer(question=q.text, answer=refusal, has_answer=False, engine="structured",
                          filters=describe(q))
        draft = Draft(reports={r.doc_id: r for r in reports}, lines_for=PerDoc(self.lines, [r.doc_id for r, _ in scope]))
        used = ""  # the engine that answers: structured (figures), else extractive below
        down: EngineUnavailable | None = None  # the LLM endpoint failed in auto: the rule engine answers, and says so
        if engine in ("auto", "structured") and q.intent != "text":
            ok = self.structured(q, scope, draft)
            used = "structured"
            if not ok and engine == "auto" and self.llm is not None:
                answer, down = attempt(lambda: self._llm_answer(q, scope), engine)
                if answer is not None:
                    return answer
            if not ok:
                return fallback_note(self.refuse(q, scope, "structured"), down)
        elif engine == "llm" or (engine == "auto" and self.llm is not None):
            answer, down = attempt(lambda: self._llm_answer(q, scope), engine)
            if answer is not None:
                return answer
        if used != "structured":
            used = "extractive"
            lines_for = {r.doc_id: self.lines(r.doc_id) for r, _ in scope}
            text, cits = text_answer(q.text, [r for r, _ in scope], lines_for, focus=q.measure)
            if not text:
                hits = self.retrieve(q, [r for r, _ in scope])
                text, cits = extract(q.text, hits, draft.reports, lines_for, focus=q.measure)
            if not text:
                return fallback_note(self.refuse(q, scope, "extractive"), down)
            draft.say(text)
            draft.citations = cits
        docs = [r.doc_id for r, _ in scope]
        if used == "structured" and len(docs) > 1 and cross_report(q):
            docs = sorted({c.doc_id for c in draft.citations})  # a figure per report: checked against its own report
        answer = self.finish(q, draft.text, draft.citations, docs, used, draft.audit)
        answer.has_answer = not draft.refused or draft.answered > 0
        return fallback_note(answer, down)

    def _llm_answer(self, q: Question, scope: list[tuple[Report, int | None]]) -> Answer:
        if self.llm is None:
            raise UserError("未配置大模型接口 / no LLM endpoint configured",
                            "设置 QA_LLM__BASE_URL 与 QA_LLM__MODEL，或用 --engine extractive")
        return self.finish_answer(q, self.llm.answer(q, [r for r, _ in scope], self), scope)

    def known_name(self, reports: list[Report]) -> Callable[[str], bool]:
        """Whether the reports print a phrase as one name (社会保障和就业支出), so `X和Y` is not two asks."""
        text: list[str] = []  # read on the first call only: most questions never ask (it reads every report)

        def known(phrase: str) -> bool:
            if not text:
                text.append("|".join(vocabulary(self.facts([r.doc_id])) for r in reports))
            return norm(phrase) in text[0]

        return known

    def merge(self, question: str, answers: list[Answer]) -> Answer:
        """One answer from the answers to each ask: citations renumbered and shared, figures verified again."""
        citations: list[Citation] = []
        texts: list[str] = []
        notes: list[AuditNote] = []
        for a in answers:
            mapping: dict[int, int] = {}
            for c in a.citations:
                same = next((x for x in citations if (x.doc_id, x.line, x.fact_id) == (c.doc_id, c.line, c.fact_id)), None)
                if same is None:
                    same = c.model_copy(update={"n": len(citations) + 1})
                    citations.append(same)
                mapping[c.n] = same.n
            texts.append(renumber(a.answer, mapping))
            notes += [n.model_copy(update={"citations": [mapping.get(x, x) for x in n.citations]}) for n in a.audit
                      if all(n.message != o.message for o in notes)]
        answered = [a for a in answers if a.has_answer]
        if not answered:
            return answers[0].model_copy(update={"question": question})
        bodies = once_quoted([t.split(AUDIT_LINE, 1)[0] for t in texts])
        text = "".join(t if t.endswith(("。", "）", "]")) else t + "。" for t in bodies if t)
        report = Verifier(self.facts).verify(text, citations, sorted({c.doc_id for c in citations}))
        text += "".join(AUDIT_LINE + line for line in dict.fromkeys(x for t in texts for x in t.split(AUDIT_LINE)[1:]))
        return Answer(question=question, answer=text, has_answer=True, engine=answered[0].engine,
                      citations=citations, figures=report.figures, audit=notes,
                      filters="；".join(dict.fromkeys(a.filters for a in answers if a.filters)))

    def _page(self, doc_id: str, line: int) -> int | None:
        """The page a line is printed on (stored per line at ingest; for a report stored before that, the page of
        the nearest fact at or above it)."""
        def read() -> tuple[list[int | None], list[tuple[int, int]]]:
            by_fact = sorted({(f.line, f.page) for f in self.facts([doc_id]) if f.page})
            return self.stores.facts.pages(doc_id), by_fact

        per_line, by_fact = self.stores.repository.derived(doc_id, "pages", read)
        if 0 < line <= len(per_line) and per_line[line - 1]:
            return per_line[line - 1]
        before = [p for ln, p in by_fact if ln <= line]
        return before[-1] if before else None

    def finish_answer(self, q: Question, answer: Answer, scope: list[tuple[Report, int | None]]) -> Answer:
        """An engine's own Answer through the one `finish` every engine shares: verified again, the audit notes
        of the cited facts attached, the filters said."""
        if not answer.has_answer:
            return answer.model_copy(update={"filters": describe(q)})
        return self.finish(q, answer.answer, answer.citations, [r.doc_id for r, _ in scope], answer.engine, answer.audit)

    def finish(self, q: Question, text: str, citations: list[Citation], scope_docs: list[str], engine: str,
               audit: list[Any] | None = None) -> Answer:
        citations = [c if c.page or not self._page(c.doc_id, c.line) else
                     c.model_copy(update={"page": self._page(c.doc_id, c.line)}) for c in citations]
        report = Verifier(self.facts).verify(text, citations, scope_docs)
        notes = list(audit or [])
        cited = sorted({c.doc_id for c in citations})
        found = []
        for note in notes_for([f for d in cited for f in self.findings(d)], citations):
            if all(note.message != n.message for n in notes):
                notes.append(note)
                found.append(note)
        # the report's own contradictions about the cited facts are said in the answer, not only beside it
        text += "".join(f"{AUDIT_LINE}{n.kind}：{n.message}" for n in found[:3])
        return Answer(question=q.text, answer=text, has_answer=True, engine=engine, citations=citations,
                      figures=report.figures, audit=notes, filters=describe(q))

    def _audited(self, doc_id: str) -> tuple[list[Finding], Coverage | None]:
        """The audit of one report, run once per version of it: its findings and which rules ran."""
        def run() -> tuple[list[Finding], Coverage | None]:
            report = self.stores.facts.report(doc_id)
            if report is None:
                return [], None
            return audit_with_coverage(report, self.facts([doc_id]), self.stores.repository.lines(doc_id),
                                       self.stores.facts.tables(doc_id))

        audited: tuple[list[Finding], Coverage | None] = self.stores.repository.derived(doc_id, "audit", run)
        return audited

    def findings(self, doc_id: str) -> list[Finding]:
        """The audit findings of one report, so answers can mention those they touch."""
        return self._audited(doc_id)[0]

    def audit_coverage(self, doc_id: str) -> Coverage | None:
        """Which audit rules ran on the report and which could not, with the reason."""
        return self._audited(doc_id)[1]

    def retrieve(self, q: Question, scope: list[Report], k: int = 8) -> list[Hit]:
        """Passages for the parsed question: its scope as filters, and the measure the conversation fixed when a
        follow-up's words do not say it (`那上一年呢？` searches for the previous turn's measure)."""
        filters = QueryFilters(orgs=sorted({r.org for r in scope}), years=sorted({r.year for r in scope if r.year}))
        query = q.text if not q.measure or q.measure in q.text else f"{q.measure} {q.text}"
        hits, _ = self.searcher().search(query, k=k, filters=filters)
        return [h for h in hits if h.chunk.doc_id in {r.doc_id for r in scope}]

    # -- scope and refusal ----------------------------------------------------------------------------
    def scope(self, q: Question, reports: list[Report]) -> tuple[list[tuple[Report, int | None]], str]:
        if q.unknown_orgs and not q.orgs:
            names = "、".join(q.unknown_orgs)
            return [], f"{REFUSAL}：库中没有{names}的报告。{available(reports)}"
        cands = [r for r in reports if not q.orgs or r.org in q.orgs]
        if q.kinds:
            kinded = [r for r in cands if any(k in p for k in q.kinds for p in [r.doc_type, *r.parts])]
            cands = kinded or cands
        if not q.years:
            return [(r, None) for r in cands], ""
        out: list[tuple[Report, int | None]] = []
        for y in q.years:
            exact = [r for r in cands if r.year == y]
            out += [(r, None) for r in exact]
            if not exact and q.intent in ("lookup", "compare", "convert"):
                out += [(r, y) for r in cands if r.year == y + 1]
        if not out:
            who = "、".join(q.orgs) or "任何单位"
            years = "、".join(str(y) for y in q.years)
            return [], f"{REFUSAL}：库中没有{who}{years}年度的报告。{available(cands or reports)}"
        return out, ""

    def structured(self, q: Question, scope: list[tuple[Report, int | None]], draft: Draft) -> bool:
        engine = StructuredEngine(PerDoc(lambda d: self.facts([d]), [r.doc_id for r, _ in scope]), draft)
        reports = [r for r, _ in scope]
        if cross_report(q) and len(reports) > 1:
            return compare(engine, reports, q, self.stores.facts.facts_labelled)
        ok = False
        for r, year in scope:
            if year is None and list_program(engine, r, q, self.stores.facts.tables):
                ok = True  # a list the question names (the report's own year): its parts' sum, its rows' count, a rate
            elif q.intent in ("diff", "sum") and q.second:
                ok = two_measures(engine, r, q) or ok
            elif q.intent == "per_head":
                ok = per_head(engine, r, q) or ok
            elif q.intent == "convert":
                ok = engine.convert(r, q) or ok
            elif q.intent == "children":
                ok = children(engine, r, q) or ok
            elif q.intent == "budget_diff":
                ok = against_budget(engine, r, q) or ok
            elif q.intent in ("share", "execution", "growth"):
                ok = engine.rate(r, q) or ok
            else:
                ok = engine.lookup(r, q, year) is not None or ok
        return ok

    def refuse(self, q: Question, scope: list[tuple[Report, int | None]], engine: str) -> Answer:
        where = "、".join(f"{r.org}{r.year}年{r.doc_type}" for r, _ in scope)
        shown_measure = said(q.measure, self.facts([r.doc_id for r, _ in scope])) if q.measure else ""
        what = f"“{shown_measure}”" if shown_measure else "该问题的答案"
        text = f"{REFUSAL}：{where}中未找到{what}。"
        return Answer(question=q.text, answer=text, has_answer=False, engine=engine, filters=describe(q))


def cross_report(q: Question) -> bool:
    """A question answered with one figure per report (ranking, comparison, difference across reports)."""
    return q.intent in ("rank_max", "rank_min", "compare") or (q.intent == "diff" and not q.second)


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Citation markers [n] rewritten through mapping (markers it does not know stay)."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", text)


def available(reports: list[Report]) -> str:
    return "库中现有：" + "；".join(f"{r.org}{r.year}年{r.doc_type}" for r in reports) + "。"


def describe(q: Question) -> str:
    bits = []
    if q.orgs:
        bits.append("单位=" + "、".join(q.orgs))
    if q.years:
        bits.append("年度=" + "、".join(map(str, q.years)))
    bits.append(f"类型={q.intent}")
    if q.measure:
        bits.append(f"指标={q.measure}")
    return "；".join(bits)
