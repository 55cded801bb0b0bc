"""The answering side of the app without the widgets: a question asked with the conversation and filters
(errors as a Chinese/English message for the chat, never Gradio's bare `Error`), the `ask` API's JSON, and the
audit tab's table and summary."""

from __future__ import annotations

import json
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

from core.errors import UserError
from qa.answer_models import Answer
from qa.audit import SEVERITY_LABELS, Coverage, Finding
from qa.filters import QueryFilters

Ask = Callable[..., Answer]


def history_turns(answers: list[Answer]) -> list[dict[str, str]]:
    return [{"q": a.question, "a": a.answer} for a in answers]


def query_filters(orgs: list[str] | None, years: list[str] | None, kinds: list[str] | None) -> QueryFilters:
    return QueryFilters(orgs=list(orgs or []), years=[int(y) for y in years or []], kinds=list(kinds or []))


def ask_or_error(ask: Ask, message: str, answers: list[Answer], engine: str,
                 filters: QueryFilters) -> tuple[Answer | None, str]:
    """The answer, or the message to show instead: a UserError's own, or for a bug its type (logged)."""
    try:
        return ask(message, history_turns(answers), engine, filters), ""
    except UserError as exc:
        return None, f"⚠ {exc.render()}"
    except Exception as exc:  # noqa: BLE001  (a bug: said in the chat and logged, the session goes on)
        traceback.print_exc()
        return None, f"⚠ 内部错误，问题未能回答 / internal error: {type(exc).__name__}: {exc}"


def api_json(ask: Ask, question: str, history: str) -> dict[str, Any]:
    """The same JSON as `qa ask --json`; `history` is JSON: [{"q": "...", "a": "..."}, ...]."""
    try:
        turns = json.loads(history) if history.strip() else []
        return ask(question, turns).to_json()
    except (UserError, json.JSONDecodeError) as exc:
        message = exc.render() if isinstance(exc, UserError) else f"history 不是合法 JSON / bad history: {exc}"
        return {"question": question, "error": message, "has_answer": False}


def audit_rows(found: list[Finding]) -> list[list[str]]:
    return [[SEVERITY_LABELS[f.severity], f.kind, f.org, str(f.year or ""), f.message,
             "；".join(f"{c.file}:{c.line}" for c in f.citations[:4])] for f in found]


def audit_summary(found: list[Finding], coverage: list[Coverage]) -> str:
    """Counts by kind, then per report the rules that could not run (silence is not “no problems”)."""
    summary = f"共 {len(found)} 条：" + "，".join(f"{k} {n}" for k, n in Counter(f.kind for f in found).most_common())
    notes = []
    for cov in coverage:
        if cov.skipped:
            why = "；".join(f"{rule}（{reason}）" for rule, reason in cov.skipped.items())
            notes.append(f"- {cov.org} {cov.year}年：运行 {len(cov.ran)} 条规则，未能运行 {len(cov.skipped)} 项：{why}")
    if notes:
        summary += "\n\n**未能核查的部分**（没有发现问题不等于没有问题）：\n" + "\n".join(notes)
    return summary
