"""The program an LLM writes is checked before anything runs: JSON only, known ops, only the fact ids it was
shown, the right number of operands, no extra keys (a number slipped in as an "answer" is an error)."""

from __future__ import annotations

import pytest

from qa.llm_program import parse_reply

IDS = {"F1", "F2", "F3"}


def test_a_valid_program_in_a_code_fence() -> None:
    reply = parse_reply('```json\n{"programs": [{"op": "ratio", "operands": ["F1", "F2"], "label": "执行率"}]}\n```', IDS)
    assert reply.programs[0].op == "ratio" and reply.programs[0].operands == ["F1", "F2"]


def test_a_refusal_is_a_valid_reply() -> None:
    assert parse_reply('{"refuse": "资料中没有人数"}', IDS).refuse == "资料中没有人数"


@pytest.mark.parametrize(("text", "why"), [
    ("会议费是150万元", "JSON"),
    ('{"programs": [{"op": "average", "operands": ["F1", "F2"]}]}', "invalid"),
    ('{"programs": [{"op": "lookup", "operands": ["F9"]}]}', "F9"),
    ('{"programs": [{"op": "lookup", "operands": ["150"]}]}', "150"),
    ('{"programs": [{"op": "ratio", "operands": ["F1"]}]}', "ratio"),
    ('{"programs": [{"op": "lookup", "operands": ["F1"]}], "answer": "999万元"}', "invalid"),
    ('{"programs": []}', "refuse"),
])
def test_invalid_programs_are_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_reply(text, IDS)
