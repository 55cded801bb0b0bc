"""The running app (`python app.py`) through its stable API: `ask` returns the `qa ask --json` shape, eight
conversations in parallel do not mix, QA_AUTH turns the login on, and it listens on 127.0.0.1."""

from __future__ import annotations

import json
import os
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import AppProcess

pytestmark = [pytest.mark.server, pytest.mark.real_model]

# eight conversations; each follow-up only makes sense with its own history
CONVERSATIONS = [
    ("2021年醴陵市网格化中心的会议费是多少？", "那培训费呢？", "醴陵市", "14.24"),
    ("2020年荷塘区的会议费是多少？", "那培训费呢？", "荷塘区", "培训费"),
    ("石峰区2023年的基本支出是多少？", "那项目支出呢？", "石峰区", "2093.41"),
    ("2021年醴陵市的基本支出是多少？", "那项目支出呢？", "醴陵市", "194.32"),
    ("2020年荷塘区的项目支出是多少？", "那基本支出呢？", "荷塘区", "389.15"),
    ("石峰区2023年的项目支出是多少？", "那基本支出呢？", "石峰区", "基本支出"),
    ("2021年醴陵市的项目支出是多少？", "和石峰比呢？", "石峰", "2093.41"),
    ("2020年荷塘区的本年支出合计是多少？", "那项目支出呢？", "荷塘区", "46.4"),
]


def _client(url: str, auth: tuple[str, str] | None = None):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    return Client(url, auth=auth, verbose=False, download_files=False)


def test_ask_api_returns_the_cli_json(app_server):
    out = _client(app_server.url).predict("2021年醴陵市网格化中心的会议费是多少？", "", api_name="/ask")
    assert set(out) >= {"question", "answer", "has_answer", "engine", "citations", "figures", "audit"}
    assert out["has_answer"] and "150" in out["answer"]
    fig = out["figures"][0]
    assert fig["verdict"] == "matched" and fig["citations"] == [1]
    assert out["citations"][0]["line"] == 380 and out["citations"][0]["org"] == "醴陵市网格化管理服务中心"
    bad = _client(app_server.url).predict("那培训费呢？", "[not json", api_name="/ask")
    assert bad["has_answer"] is False and "history" in bad["error"]


def test_eight_parallel_conversations_do_not_mix(app_server):
    def run(conv: tuple[str, str, str, str]) -> tuple[dict, dict]:
        first_q, follow_q, _, _ = conv
        client = _client(app_server.url)
        first = client.predict(first_q, "", api_name="/ask")
        history = json.dumps([{"q": first_q, "a": first["answer"]}], ensure_ascii=False)
        return first, client.predict(follow_q, history, api_name="/ask")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, CONVERSATIONS))
    assert len(results) == 8
    for (first_q, follow_q, org, expected), (first, follow) in zip(CONVERSATIONS, results, strict=True):
        assert first["question"] == first_q and follow["question"] == follow_q
        assert first["has_answer"] and follow["has_answer"], (follow_q, follow["answer"])
        assert org in follow["answer"] and expected in follow["answer"], (first_q, follow["answer"])
        assert all(f["verdict"] in ("matched", "derived") for f in follow["figures"]), follow["figures"]


def test_login_when_qa_auth_is_set(app_data):
    app = AppProcess(app_data, env={"QA_AUTH": "auditor:s3cret"})
    try:
        with pytest.raises(Exception):  # noqa: B017  (gradio_client raises different errors across versions)
            _client(app.url).predict("2021年醴陵市网格化中心的会议费是多少？", "", api_name="/ask")
        out = _client(app.url, auth=("auditor", "s3cret")).predict("2021年醴陵市网格化中心的会议费是多少？", "",
                                                                     api_name="/ask")
        assert out["has_answer"]
    finally:
        app.stop()


def test_listens_on_loopback_only(app_server):
    import socket

    assert os.environ.get("QA_APP__HOST") in (None, "127.0.0.1")
    with urllib.request.urlopen(app_server.url, timeout=5) as resp:  # noqa: S310  (loopback)
        page = resp.read().decode("utf-8")
    assert "预决算问答" in page
    hosts = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1"}
    for host in hosts:  # the machine's other addresses must not answer
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((host, app_server.port)) != 0
