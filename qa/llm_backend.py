"""The OpenAI-compatible chat backend (llama-index's OpenAILike over the openai client) with the failures an office
network produces turned into one clear error: a connect timeout and a read timeout (a server that accepts and never
answers fails after `QA_LLM__TIMEOUT_S`), one retry of what may pass on a second try (timeout, refused connection,
HTTP 5xx/429, a reply that is not the chat JSON), then `EngineUnavailable` — a `UserError` in Chinese and English
naming the endpoint, with a hint. In `auto` the Asker answers with the rule engine instead and says so; for
`pause_s` after a failure the backend fails at once, so questions do not each wait out the timeout again."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

from qa.contracts import EngineUnavailable

RETRY_PAUSE_S = 0.5


class ChatBackend(ABC):
    @abstractmethod
    def complete(self, prompt: str) -> str: ...


@dataclass(frozen=True)
class Failure:
    zh: str
    en: str
    retry: bool
    hint: str = ""


def classify(exc: BaseException, read_s: float, connect_s: float) -> Failure:
    """What went wrong with one request, in words a user can act on, and whether a second try may pass."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return Failure(f"{read_s:g} 秒内没有回复", f"no reply within {read_s:g} s", True,
                       "服务过载或挂起：稍后再试，或调大 QA_LLM__TIMEOUT_S")
    if isinstance(exc, openai.APIConnectionError):
        return Failure("无法连接", f"cannot connect (connect timeout {connect_s:g} s)", True,
                       "检查服务是否已启动、QA_LLM__BASE_URL 的地址和端口是否正确")
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if code in (401, 403):
            return Failure(f"HTTP {code}，密钥被拒绝", f"HTTP {code}, key refused", False,
                           "检查 QA_LLM__API_KEY_ENV 指向的环境变量中的密钥")
        if code == 404:
            return Failure("HTTP 404，地址或模型不存在", "HTTP 404, no such path or model", False,
                           "检查 QA_LLM__BASE_URL（通常以 /v1 结尾）和 QA_LLM__MODEL")
        return Failure(f"HTTP {code}", f"HTTP {code}", code >= 500 or code == 429, "服务端出错：查看大模型服务的日志")
    if isinstance(exc, (openai.APIResponseValidationError, ValueError, TypeError, KeyError, AttributeError,
                        IndexError)):
        return Failure("回复不是有效的 JSON 对话结果", "the reply is not an OpenAI chat JSON", True,
                       "确认 QA_LLM__BASE_URL 指向 OpenAI 兼容接口（/v1），而不是网页或代理的错误页")
    return Failure(f"{type(exc).__name__}", f"{type(exc).__name__}: {exc}", False)


class OpenAILikeBackend(ChatBackend):
    def __init__(self, base_url: str, model: str, api_key: str, timeout: float, connect_timeout: float = 5.0,
                 retries: int = 1, pause_s: float = 0.0) -> None:
        import httpx
        from llama_index.llms.openai_like import OpenAILike  # lazy: only when an endpoint is configured
        from openai import OpenAI

        self.base_url = base_url
        self.read_s, self.connect_s, self.retries = timeout, connect_timeout, max(0, retries)
        self.pause_s = pause_s
        self._down: tuple[float, EngineUnavailable] | None = None  # (when, error) of the last failure
        client = OpenAI(api_key=api_key or "none", base_url=base_url, max_retries=0,
                        timeout=httpx.Timeout(timeout, connect=connect_timeout))
        self.llm = OpenAILike(model=model, api_base=base_url, api_key=api_key or "none", timeout=timeout,
                              is_chat_model=True, max_retries=0, temperature=0.0, openai_client=client)

    def complete(self, prompt: str) -> str:
        from llama_index.core.llms import ChatMessage

        if self._down is not None and time.monotonic() - self._down[0] < self.pause_s:
            raise self._down[1]  # it failed moments ago: do not make every question wait for it again
        failure: Failure | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(RETRY_PAUSE_S)
            try:
                reply = self.llm.chat([ChatMessage(role="user", content=prompt)])
                content = reply.message.content
                if content is None:
                    raise ValueError("no content")
                self._down = None
                return str(content)
            except Exception as exc:  # noqa: BLE001 - every client failure becomes one clear error below
                failure = classify(exc, self.read_s, self.connect_s)
                if not failure.retry:
                    break
        assert failure is not None
        tries = "" if not failure.retry else f"，已重试 {self.retries} 次 / retried {self.retries}x"
        error = EngineUnavailable(failure.zh, f"大模型服务不可用（{failure.zh}{tries}） / LLM endpoint unavailable "
                                  f"({failure.en}): {self.base_url}", failure.hint or "检查大模型服务，或改用 --engine structured")
        self._down = (time.monotonic(), error)
        raise error
