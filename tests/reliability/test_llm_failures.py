"""Failing LLM endpoints, through the real client path (llama-index OpenAILike → openai → HTTP) against loopback
servers that fail the way office networks do: HTTP 500, a reply that is not JSON, a refused connection, a server
that accepts and never answers. Each must end in one clear Chinese/English `UserError` after one retry, within the
timeouts; in `auto` the rule engine answers instead and the answer says so; `qa ask --engine llm` prints the
message (no traceback) and exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.errors import UserError
from tests.conftest import ROOT, free_port


class Failing:
    """A loopback endpoint that fails in one way (`mode`) and counts the requests it got."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests = 0
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                owner.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if owner.mode == "hang":
                    owner.release.wait(60)  # accepts, reads, never answers
                    return
                status, body, kind = {
                    "500": (500, b'{"error": {"message": "boom"}}', "application/json"),
                    "garbage": (200, "<html><body>网关错误页</body></html>".encode(), "text/html"),
                    "badjson": (200, b'{"choices": [', "application/json"),
                }[owner.mode]
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failing(request: pytest.FixtureRequest):  # noqa: ANN201
    servers: list[Failing] = []

    def make(mode: str) -> Failing:
        servers.append(Failing(mode))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def backend(url: str, timeout: float = 2.0, pause_s: float = 0.0):  # noqa: ANN201
    from qa.llm import OpenAILikeBackend

    return OpenAILikeBackend(url, "scripted", "test-key", timeout, connect_timeout=1.0, retries=1, pause_s=pause_s)


def fails_clearly(b, words: str) -> UserError:  # noqa: ANN001
    with pytest.raises(UserError) as info:
        b.complete("你好")
    err = info.value
    text = err.render()
    assert "大模型服务不可用" in text and "LLM endpoint unavailable" in text and words in text, text
    assert err.hint, "a hint says what to check"
    assert "Traceback" not in text
    return err


@pytest.mark.parametrize(("mode", "words"), [("500", "HTTP 500"), ("garbage", "JSON"), ("badjson", "JSON")])
def test_a_failing_reply_is_retried_once_then_a_clear_error(failing, mode: str, words: str) -> None:
    server = failing(mode)
    fails_clearly(backend(server.url), words)
    assert server.requests == 2  # the request and one retry, no more


def test_a_refused_connection_is_a_clear_error_at_once() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    t0 = time.perf_counter()
    fails_clearly(backend(url), "无法连接")
    assert time.perf_counter() - t0 < 5


def test_a_server_that_never_answers_times_out(failing) -> None:
    server = failing("hang")
    t0 = time.perf_counter()
    fails_clearly(backend(server.url, timeout=1.0), "秒内没有回复")
    took = time.perf_counter() - t0
    assert took < 8, f"two read timeouts of 1 s and a pause should end well within 8 s, took {took:.1f} s"
    assert server.requests == 2


def test_after_a_failure_questions_do_not_wait_for_it_again(failing) -> None:
    server = failing("500")
    b = backend(server.url, pause_s=30)
    fails_clearly(b, "HTTP 500")
    t0 = time.perf_counter()
    fails_clearly(b, "HTTP 500")
    assert server.requests == 2 and time.perf_counter() - t0 < 0.1


def test_settings_carry_the_timeouts_to_the_backend() -> None:
    from core.settings import LLMSettings, Settings
    from qa.llm import llm_from_settings

    for name in ("timeout_s", "connect_timeout_s", "retries", "pause_after_failure_s"):
        assert LLMSettings.model_fields[name].description
    engine = llm_from_settings(Settings(llm=LLMSettings(base_url="http://127.0.0.1:9/v1", timeout_s=7,
                                                        connect_timeout_s=3, retries=0)))
    assert engine is not None
    b = engine.backend
    assert (b.read_s, b.connect_s, b.retries) == (7, 3, 0)  # type: ignore[attr-defined]


@pytest.mark.real_model
def test_auto_answers_with_the_rule_engine_and_says_so(ingested, failing) -> None:
    from qa.ask import Asker
    from qa.llm import LLMEngine

    server = failing("500")
    asker = Asker(ingested, LLMEngine(backend(server.url)))
    a = asker.ask("醴陵2021年的会议主要是做什么的？", engine="auto")  # a text question: the LLM's in auto
    assert server.requests == 2
    assert a.has_answer and a.engine == "extractive"
    assert "大模型服务不可用（HTTP 500）" in a.answer and "规则引擎" in a.answer
    assert any(n.kind == "大模型不可用" for n in a.audit)
    b = asker.ask("醴陵2021年网格员人均通讯补贴是多少？", engine="auto")  # a figure the rule engine cannot find
    assert server.requests == 4 and not b.has_answer
    assert b.answer.startswith("报告未披露") and "大模型服务不可用（HTTP 500）" in b.answer
    with pytest.raises(UserError, match="大模型服务不可用"):  # asked for the LLM by name: the error, not a fallback
        asker.ask("醴陵2021年的会议主要是做什么的？", engine="llm")


@pytest.mark.real_model
def test_cli_prints_the_message_not_a_traceback(ingested) -> None:
    env = os.environ | {"QA_DATA_DIR": str(ingested.settings.data_dir), "PYTHONPATH": str(ROOT),
                        "QA_LLM__BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "QA_LLM__CONNECT_TIMEOUT_S": "1"}
    done = subprocess.run([sys.executable, "-m", "cli.main", "ask", "醴陵2021年的会议主要是做什么的？", "--engine", "llm"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "大模型服务不可用（无法连接" in done.stderr and "Traceback" not in done.stderr
