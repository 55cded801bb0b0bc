"""When the LLM endpoint fails (`EngineUnavailable`: down, timing out, replying garbage): asked for by name
(`--engine llm`) the error is the answer; in `auto` the rule engine answers instead and the answer says so — after
its text, so the figures' positions hold, and as an audit note."""

from __future__ import annotations

from collections.abc import Callable

from qa.answer_models import Answer, AuditNote
from qa.contracts import EngineUnavailable

NOTE_LINE = "\n⚠ "  # how notes follow an answer's verified text (`qa.ask.AUDIT_LINE`)


def attempt(run: Callable[[], Answer], engine: str) -> tuple[Answer | None, EngineUnavailable | None]:
    """The LLM engine's answer, or (in auto) why its endpoint failed, for the rule engine to answer instead."""
    try:
        return run(), None
    except EngineUnavailable as exc:
        if engine == "llm":
            raise
        return None, exc


def fallback_note(answer: Answer, down: EngineUnavailable | None) -> Answer:
    """An answer the rule engine gave because the LLM endpoint failed, saying so."""
    if down is None:
        return answer
    return answer.model_copy(update={"answer": f"{answer.answer}{NOTE_LINE}{down.note}",
                                     "audit": [*answer.audit, AuditNote(kind="大模型不可用", message=down.note)]})
