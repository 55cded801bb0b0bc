"""The seams between answering parts, as Protocols: what an engine may read (`Evidence`) and what an answering
backend must provide (`AnswerEngine`). The Asker is the production `Evidence`; unit tests pass hand-made ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from core.errors import UserError
from core.models import Fact, Report
from qa.answer_models import Answer

if TYPE_CHECKING:  # only for annotations: the search module imports the understanding layer
    from qa.search import Hit
    from qa.understand import Question


class Evidence(Protocol):
    """The facts, lines and retrieved passages of the reports in scope."""

    def facts(self, doc_ids: list[str]) -> list[Fact]: ...
    def lines(self, doc_id: str) -> list[str]: ...
    def retrieve(self, q: Question, scope: list[Report], k: int = 8) -> list[Hit]: ...


class Completer(Protocol):
    """An LLM backend: one prompt in, the model's text out (`qa.llm.ChatBackend` and its test doubles)."""

    def complete(self, prompt: str) -> str: ...


class AnswerEngine(Protocol):
    """An engine that answers a parsed question over the reports in scope from the evidence (the llm engine)."""

    def answer(self, q: Question, scope: list[Report], evidence: Evidence) -> Answer: ...


class EngineUnavailable(UserError):
    """An answering backend failed (endpoint down, timing out, replying garbage). `reason` says why in a few
    Chinese words; in `auto` the Asker answers with the rule engine instead and says so."""

    def __init__(self, reason: str, message: str, hint: str = "") -> None:
        self.reason = reason
        self.note = f"大模型服务不可用（{reason}），本回答由规则引擎给出 / LLM endpoint unavailable, answered by the rule engine"
        super().__init__(message, hint)
