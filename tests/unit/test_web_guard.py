"""The HTTP guard (web/guard.py) and the login throttle (web/throttle.py) over a fake ASGI app: file routes,
file objects that name URLs, and login bursts — sequential and parallel."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlencode

from web.guard import Guard, path_allowed
from web.throttle import LoginThrottle


class Inner:
    """The app behind the guard: counts calls; `/login` accepts one password."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        body = b""
        while True:
            m = await receive()
            body += m.get("body", b"")
            if not m.get("more_body"):
                break
        self.calls.append(scope["path"])
        status = 200
        if scope["path"] == "/login":
            status = 200 if b"password=right" in body else 400
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def call(app, path: str, method: str = "GET", body: bytes = b"", ctype: str = "", client: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    scope = {"type": "http", "path": path, "method": method, "client": (client, 1234),
             "headers": [(b"content-type", ctype.encode())] if ctype else []}
    sent: list[dict] = []

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(m):  # type: ignore[no-untyped-def]
        sent.append(m)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"])


def test_path_allowed_only_inside_roots(tmp_path: Path):
    root = tmp_path / "uploads"
    (root / "abc").mkdir(parents=True)
    roots = [root.resolve()]
    assert path_allowed(str(root / "abc" / "报告.docx"), roots)
    for bad in ("http://1.1.1.1/x", "https://example.org/a.txt", "//1.1.1.1/x", "file:///etc/passwd", "/etc/passwd",
                str(root / ".." / "secret"), f"{root}/abc/%2e%2e/%2e%2e/x", f"{root}/abc/%252e%252e/x", "",
                "C:\\Windows\\win.ini", "\\\\server\\share"):
        assert not path_allowed(bad, roots), bad


def test_guard_refuses_file_routes_and_proxy_before_the_app(tmp_path: Path):
    inner = Inner()
    guard = Guard(inner, [tmp_path.resolve()])
    for path in ("/gradio_api/file=http://1.1.1.1/x", "/gradio_api/file=/etc/passwd", "/gradio_api/file/etc/passwd",
                 f"/gradio_api/file={tmp_path}/../x", "/gradio_api/proxy=http://1.1.1.1/x"):
        assert call(guard, path)[0] == 403, path
    assert inner.calls == []
    assert call(guard, "/qa/gradio_api/file=/etc/passwd")[0] == 403  # under a root_path too
    assert call(guard, f"/gradio_api/file={tmp_path}/a.txt")[0] == 200
    assert call(guard, "/gradio_api/info")[0] == 200
    assert call(guard, "/assets/file/x.js")[0] == 200  # other routes are Gradio's own business


def test_guard_refuses_file_objects_naming_urls(tmp_path: Path):
    inner = Inner()
    guard = Guard(inner, [tmp_path.resolve()])

    def join(path: str) -> int:
        body = json.dumps({"data": [[{"path": path, "meta": {"_type": "gradio.FileData"}}]], "fn_index": 3}).encode()
        return int(call(guard, "/gradio_api/queue/join", "POST", body, "application/json")[0])

    assert join("http://1.1.1.1/x.txt") == 403
    assert join("/etc/passwd") == 403
    assert join(str(tmp_path / "up" / "a.txt")) == 200  # an uploaded file passes, its body intact
    assert inner.calls == ["/gradio_api/queue/join"]


def login(guard: Guard, user: str, password: str, client: str = "10.0.0.1") -> tuple[int, dict]:
    body = urlencode({"username": user, "password": password}).encode()
    return call(guard, "/login", "POST", body, "application/x-www-form-urlencoded", client)


def test_login_lockout_refuses_even_the_right_password():
    now = [1000.0]
    inner = Inner()
    guard = Guard(inner, [], LoginThrottle(max_failures=3, lockout_s=10, max_lockout_s=100), clock=lambda: now[0])
    assert [login(guard, "u", "wrong")[0] for _ in range(5)] == [400, 400, 400, 429, 429]
    status, headers = login(guard, "u", "right")
    assert status == 429 and int(headers[b"retry-after"]) >= 10
    assert len(inner.calls) == 3  # the locked-out attempts were never checked
    assert login(guard, "other", "right", client="10.0.0.1")[0] == 429  # the address is locked too
    assert login(guard, "u", "right", client="10.9.9.9")[0] == 429  # and the user from anywhere
    now[0] += 11
    assert login(guard, "u", "right")[0] == 200
    assert login(guard, "u", "wrong")[0] == 400  # a success clears the count


def test_throttle_backoff_doubles_and_is_capped():
    t = LoginThrottle(max_failures=2, lockout_s=5, max_lockout_s=30)
    assert [t.lockout_for(n) for n in (1, 2, 3, 4, 5, 9)] == [0.0, 5.0, 10.0, 20.0, 30.0, 30.0]
    now = 0.0
    for _ in range(2):
        assert t.begin("u", "a", now) == 0
    assert t.begin("u", "a", now) == 5  # locked: refused without counting
    now += 5.1
    assert t.begin("u", "a", now) == 0  # third failure → 10 s
    assert 9.9 < t.wait("u", "a", now) <= 10


def test_parallel_burst_is_cut_off_when_attempts_start():
    """Attempts count when they begin, so 30 started together are not all checked before the first fails."""
    t = LoginThrottle(max_failures=5, lockout_s=30)
    admitted = sum(t.begin("u", "a", 0.0) == 0 for _ in range(30))
    assert admitted == 5


def test_throttle_memory_is_bounded():
    t = LoginThrottle(max_failures=5, max_entries=100)
    for i in range(1000):
        t.begin(f"user{i}", f"10.0.{i // 250}.{i % 250}", float(i))
    assert len(t._entries) <= 100
