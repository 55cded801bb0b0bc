"""The llm engine: llama-index's OpenAI-compatible client over retrieved chunks and facts (vLLM, Ollama,
DashScope, DeepSeek … set in settings, key from an env var). The model must cite [n]; the verifier checks every
figure; failing figures trigger one repair round with the verifier's findings, and whatever still fails is
flagged in the answer text — never shown silently. The backend (`qa.llm_backend`) times out, retries once and
raises `EngineUnavailable` with a clear message when the endpoint fails."""

from __future__ import annotations

import os
import re

from core.models import Report
from core.settings import Settings
from qa.answer_models import REFUSAL, Answer, AuditNote, Citation
from qa.contracts import Evidence
from qa.llm_backend import ChatBackend, OpenAILikeBackend
from qa.llm_program import ProgramWriter
from qa.prompts import as_data, render
from qa.understand import Question
from qa.verify import Verifier


def llm_from_settings(settings: Settings) -> LLMEngine | None:
    s = settings.llm
    if not s.base_url:
        return None
    return LLMEngine(OpenAILikeBackend(s.base_url, s.model, os.environ.get(s.api_key_env, ""), s.timeout_s,
                                       connect_timeout=s.connect_timeout_s, retries=s.retries,
                                       pause_s=s.pause_after_failure_s))


__all__ = ["ChatBackend", "LLMEngine", "OpenAILikeBackend", "llm_from_settings"]


class LLMEngine:
    def __init__(self, backend: ChatBackend, k: int = 6) -> None:
        self.backend = backend
        self.k = k

    def context(self, q: Question, scope: list[Report], asker: Evidence) -> tuple[str, list[Citation]]:
        hits = asker.retrieve(q, scope, k=self.k)
        reports = {r.doc_id: r for r in scope}
        blocks, cits = [], []
        for n, h in enumerate(hits, start=1):
            c = h.chunk
            r = reports[c.doc_id]
            where = as_data(f"{r.org} {r.year}年 {c.section} {c.table_id}".strip())
            blocks.append(f'<资料 编号="{n}" 出处="{where}">\n{as_data(c.text)}\n</资料>')
            lines = asker.lines(c.doc_id)
            cits.append(Citation(n=n, doc_id=c.doc_id, file=r.file, org=r.org, year=r.year, section=c.section,
                                 table=c.table_id or None, quote="\n".join(lines[c.start - 1:c.end]).strip(), line=c.start))
        return "\n\n".join(blocks), cits

    def answer(self, q: Question, scope: list[Report], asker: Evidence) -> Answer:
        if q.intent != "text":  # figures: the model writes a program over the facts, never a number
            return ProgramWriter(self.backend).answer(q, scope, asker)
        context, cits = self.context(q, scope, asker)
        text = self.backend.complete(render("answer", question=q.text, context=context, refusal=REFUSAL)).strip()
        if text.startswith(REFUSAL):
            return Answer(question=q.text, answer=text, has_answer=False, engine="llm")
        scope_docs = [r.doc_id for r in scope]
        # a chunk citation covers every fact in its line span
        expanded = [c.model_copy(update={"line": ln}) for c in cits for ln in range(c.line, c.line + c.quote.count("\n") + 1)]
        verifier = Verifier(asker.facts)
        report = verifier.verify(text, expanded, scope_docs)
        audit: list[AuditNote] = []
        if report.failed:
            findings = "\n".join(f"- {f.text}：{f.verdict}" + (f"，应为 {f.expected}" if f.expected else "")
                                 for f in report.failed)
            text = self.backend.complete(render("repair", question=q.text, context=context, answer=text,
                                                findings=findings)).strip()
            report = verifier.verify(text, expanded, scope_docs)
            if report.failed:
                flagged = "；".join(f"{f.text}（{'不符，应为' + f.expected if f.expected else '无来源'}）" for f in report.failed)
                note = f"⚠ 以下数字未通过核验，请勿直接采用：{flagged}"
                text = f"{text}\n\n{note}"
                audit.append(AuditNote(kind="核验未通过", message=note))
                report = verifier.verify(text, expanded, scope_docs)
        used = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
        kept = [c for c in cits if c.n in used] or cits
        return Answer(question=q.text, answer=text, has_answer=True, engine="llm", citations=kept,
                      figures=report.figures, audit=audit)
