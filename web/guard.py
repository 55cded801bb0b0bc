"""The HTTP guard in front of every Gradio route (a pure ASGI middleware, installed through `launch(app_kwargs=…)`).

- File routes (`/gradio_api/file=…`, `/gradio_api/file/…`) serve only files inside the allowed folders (the data
  folder, Gradio's upload/cache folder); a URL (`file=http://…`), an absolute path elsewhere (`/etc/passwd`) or
  `..` is refused with 403 before Gradio sees it — Gradio itself would fetch a public URL on request.
- `/gradio_api/proxy=…` is refused: this app proxies nothing.
- A JSON request whose file objects point at a URL or outside the allowed folders is refused: Gradio would
  download such a URL while preparing an event's inputs.
- `POST /login` goes through `LoginThrottle` (per user and per client address); during a lockout the password is
  not checked and the answer is 429 with `Retry-After`.

The product runs on isolated networks: no request may make the server reach out."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from core.settings import Settings
from web.throttle import LoginThrottle

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FILE_ROUTE = re.compile(r"(?:^|/gradio_api)/(?:file=|file/)(?P<target>.*)$", re.S)  # also under a root_path
PROXY_ROUTE = re.compile(r"(?:^|/gradio_api)/proxy=")
URL_LIKE = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+\-.]*:|//|\\\\|\\/|/\\)")  # any scheme, UNC and protocol-relative
MAX_JSON_BODY = 8 * 1024 * 1024


def allowed_roots(extra: Iterable[str | Path] = ()) -> list[Path]:
    """The folders files may be served from: `extra` (the data folder) and Gradio's upload and cache folders."""
    import tempfile

    roots = [Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio"),
             Path(os.environ.get("GRADIO_EXAMPLES_CACHE", ".gradio/cached_examples")), *map(Path, extra)]
    return [Path(os.path.realpath(r)) for r in roots]


def path_allowed(target: str, roots: list[Path]) -> bool:
    """Whether `target` (as a file route or a file object names it) is a local path inside one of `roots`.
    Percent-escapes are undone twice (a doubly encoded `%252e%252e` is still `..`); URLs and `..` never pass."""
    for text in (target, unquote(target), unquote(unquote(target))):
        if not text or URL_LIKE.match(text) or "\x00" in text:
            return False
        if ".." in re.split(r"[\\/]", text):
            return False
    real = Path(os.path.realpath(unquote(target)))
    return any(real == r or r in real.parents for r in roots)


def _file_paths(value: Any) -> Iterable[str]:
    """Every `path` of a Gradio file object (`{"path": …, "meta": {"_type": "gradio.FileData"}}`) inside `value`."""
    if isinstance(value, dict):
        meta = value.get("meta")
        if isinstance(meta, dict) and meta.get("_type") == "gradio.FileData" and "path" in value:
            yield str(value.get("path") or "")
        for v in value.values():
            yield from _file_paths(v)
    elif isinstance(value, list):
        for v in value:
            yield from _file_paths(v)


class Guard:
    def __init__(self, app: ASGIApp, roots: list[Path], throttle: LoginThrottle | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.roots = roots
        self.throttle = throttle
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        if PROXY_ROUTE.search(path):
            await _refuse(send, 403, "本应用不代理任何地址 / this app proxies nothing")
            return
        route = FILE_ROUTE.search(path)
        if route and not path_allowed(route["target"], self.roots):
            await _refuse(send, 403, "不允许访问该文件 / file not allowed")
            return
        method = scope.get("method", "GET")
        if method == "POST" and self.throttle is not None and path.rstrip("/").endswith("/login"):
            await self._login(scope, receive, send)
            return
        if method == "POST" and _header(scope, b"content-type").startswith("application/json"):
            body = await _read_body(receive, MAX_JSON_BODY)
            if body is None:
                await _refuse(send, 413, "请求过大 / request too large")
                return
            try:
                paths = list(_file_paths(json.loads(body or b"null")))
            except ValueError:
                paths = []
            if any(not path_allowed(p, self.roots) for p in paths):
                await _refuse(send, 403, "文件只能来自上传 / files must come from an upload")
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.throttle is not None
        body = await _read_body(receive, 64 * 1024)
        if body is None:
            await _refuse(send, 413, "请求过大 / request too large")
            return
        form = parse_qs(body.decode("utf-8", "replace"))
        user = (form.get("username") or [""])[0]
        client = scope.get("client") or ("?", 0)
        address = str(client[0])
        left = self.throttle.begin(user, address, self.clock())
        if left > 0:
            wait = int(left) + 1
            await _refuse(send, 429, f"登录失败次数过多，请 {wait} 秒后再试 / too many failed logins, retry in {wait} s",
                          [(b"retry-after", str(wait).encode())])
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, _replay(body, receive), watch)
        if status and status[0] < 400:
            self.throttle.succeeded(user, address)


def _header(scope: Scope, name: bytes) -> str:
    for k, v in scope.get("headers", []):
        if k.lower() == name:
            return bytes(v).decode("latin-1").lower()
    return ""


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the client's own messages (a disconnect arrives when it really happens)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": message}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def guard_middleware(settings: Settings) -> Any:
    """The guard as `launch(app_kwargs={"middleware": [...]})` takes it: files from the data folder and Gradio's
    own folders, login throttling when QA_AUTH is set (`QA_APP__LOGIN_*`)."""
    from starlette.middleware import Middleware

    app = settings.app
    throttle = LoginThrottle(app.login_max_failures, app.login_lockout_s, app.login_lockout_max_s) \
        if settings.auth else None
    return Middleware(Guard, roots=allowed_roots([settings.data_dir]), throttle=throttle)
