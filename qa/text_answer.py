"""Text questions without an LLM, tried in order from the most specific reading to the most general: the list of
a report's tables (`要附哪几张表`), the reason the report gives for the item asked about (`为什么…少花`), a whole
section of an asked kind (职责, 内设机构, 问题, 措施), a titled block about a named project (`…这个项目什么情况`).
The first that finds its answer wins; none → ('', []) and the caller falls back to sentence retrieval."""

from __future__ import annotations

from core.models import Report
from qa.answer_models import Citation
from qa.reasons import reason_answer
from qa.sections_answer import section_answer
from qa.subjects import subject_answer
from qa.table_list import tables_answer


def text_answer(question: str, reports: list[Report], lines_for: dict[str, list[str]], focus: str = ""
                ) -> tuple[str, list[Citation]]:
    for answer in (lambda: tables_answer(question, reports, lines_for),
                   lambda: reason_answer(question, reports, lines_for),
                   lambda: section_answer(question, reports, lines_for, focus=focus),
                   lambda: subject_answer(question, reports, lines_for)):
        text, citations = answer()
        if text:
            return text, citations
    return "", []
