"""Fakes for unit tests of one layer, injected the way production wires the real parts: a deterministic
embedder in `Stores(_embedder=…)` and a scripted chat backend in `LLMEngine(backend)`."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from core.settings import Settings
from qa.llm import ChatBackend
from stores import Stores
from stores.embedder import Embedder


class FakeEmbedder(Embedder):
    """Hashed character bigrams into 64 dimensions, normalised: the same text always gets the same vector and
    texts sharing words are close — enough for a store round trip, no model loaded."""

    name = "fake-bigram-64"

    def _vector(self, text: str) -> list[float]:
        v = [0.0] * 64
        for a, b in zip(text, text[1:], strict=False):
            v[int(hashlib.md5((a + b).encode()).hexdigest(), 16) % 64] += 1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class ScriptedBackend(ChatBackend):
    """Replies in order; records every prompt it was sent."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []

    def complete(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.replies.pop(0) if self.replies else "报告未披露"


def fake_stores(data_dir: Path) -> Stores:
    return Stores(Settings(data_dir=data_dir), _embedder=FakeEmbedder())


REPORT = """某市某区示例服务中心2023年度部门决算

一、收入支出决算总体情况说明
2023年度收入总计1200.50万元，支出总计1100.25万元。
二、“三公”经费支出情况说明
2023年度“三公”经费支出12.34万元，其中公务接待费2.34万元，公务用车运行维护费10.00万元。
会议费支出3.21万元，比上年增加1.21万元。
"""
