"""The llm engine through its real client path (llama-index OpenAILike → HTTP) against a loopback server that
speaks the OpenAI chat API with scripted replies, including wrong figures: repair round, then flagging."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

pytestmark = [pytest.mark.real_model, pytest.mark.server]


class Scripted:
    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []


def serve(script: Scripted) -> HTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.prompts.append(body["messages"][-1]["content"])
            content = script.replies.pop(0) if script.replies else "报告未披露"
            data = json.dumps({
                "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body.get("model", "m"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def asker_with(ingested, server: HTTPServer):
    from qa.ask import Asker
    from qa.llm import LLMEngine, OpenAILikeBackend

    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    return Asker(ingested, LLMEngine(OpenAILikeBackend(url, "scripted", "test-key", 30)))


def ask_scripted(ingested, replies: list[str], question: str):
    script = Scripted(replies)
    server = serve(script)
    try:
        return asker_with(ingested, server).ask(question, engine="llm"), script
    finally:
        server.shutdown()


def test_wrong_figure_is_repaired_once(ingested) -> None:
    a, script = ask_scripted(ingested, ["醴陵2021年开支会议费105万元[1]。", "醴陵2021年开支会议费150万元[1]。"],
                             "醴陵2021年会议费用于什么，花了多少？")
    assert len(script.prompts) == 2
    assert "105万元" in script.prompts[1] and "150万元" in script.prompts[1]  # the verifier's findings went back
    assert a.engine == "llm" and "150万元" in a.answer
    assert [f.verdict for f in a.figures] == ["matched"]


def test_figure_still_wrong_after_repair_is_flagged_not_hidden(ingested) -> None:
    a, _ = ask_scripted(ingested, ["醴陵2021年开支会议费105万元[1]。", "醴陵2021年开支会议费105万元[1]。"],
                        "醴陵2021年会议费是多少？")
    assert "未通过核验" in a.answer and "105万元" in a.answer
    assert any(f.verdict == "mismatch" for f in a.figures) and a.audit


def test_prompt_placeholders_are_checked(tmp_path) -> None:
    from core.errors import UserError
    from qa.prompts import load_prompt

    (tmp_path / "answer.txt").write_text("问题：{question} 资料：{contxt}", encoding="utf-8")
    with pytest.raises(UserError, match="占位符"):
        load_prompt("answer", tmp_path)
    assert "{context}" in load_prompt("answer")
