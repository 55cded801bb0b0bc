"""Prompt templates live as files in prompts/; loading one checks that its placeholders are exactly the ones
the caller fills, so a typo in a template fails at load time, not as a silent hole in a prompt."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from core.errors import UserError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
EXPECTED = {
    "answer": {"question", "context", "refusal"},
    "repair": {"question", "context", "answer", "findings"},
    "program": {"question", "context", "facts", "error"},
}


@cache
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> str:
    path = directory / f"{name}.txt"
    if not path.exists():
        raise UserError(f"提示词文件不存在 / prompt not found: {path}", "检查 prompts/ 目录", file=str(path))
    text = path.read_text(encoding="utf-8")
    found = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    want = EXPECTED.get(name)
    if want is not None and found != want:
        raise UserError(f"提示词 {path.name} 的占位符不对 / placeholders {sorted(found)} != {sorted(want)}",
                        "改正模板中的 {占位符}", file=str(path))
    return text


def as_data(text: str) -> str:
    """Document text for a prompt's evidence block: angle brackets made full-width, so no text inside a report can
    close the block it sits in (`</资料>`) or pose as prompt markup (`<|im_start|>system`)."""
    return text.replace("<", "＜").replace(">", "＞")


def render(name: str, **values: str) -> str:
    return load_prompt(name).format(**values)
