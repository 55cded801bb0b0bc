"""The app as an office relies on it, probed through the real process (`python app.py`) and a real browser:

1. fresh library state — an upload or removal in one browser session shows in another on its next action,
   and on any new page load (status line, 报告库, filters, removal choices);
2. removal — nothing pre-selected; 删除报告 asks `确认删除《…》？` and only 确认删除 removes;
3. login throttling with QA_AUTH — a burst of wrong passwords is cut off after a few checks and the right
   password right after is refused during the lockout, accepted once it has passed;
4. file routes — `file=http://…`, `/etc/passwd`, `..` (also percent-encoded), `proxy=…` and a file object
   naming a URL are refused with or without QA_AUTH, and the process attempts no non-loopback connection
   (every `socket.connect` / `getaddrinfo` is logged by an audit hook, and its sockets are sampled in /proc);
5. layout at 1440 px and 390 px — evidence right under the answer on a phone, tables scroll inside their box,
   full numbers in the comparison, a readable chart (screenshots saved under the test's tmp folder);
6. an upload mixing a PNG with a report — the PNG named with a Chinese message, the report ingested."""

from __future__ import annotations

import ast
import ipaddress
import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REPORTS, SEEDS, AppProcess, launch_chromium

pytestmark = [pytest.mark.server, pytest.mark.real_model]

HOOK = '''import os, sys
_log = os.environ.get("QA_TEST_CONNECT_LOG")
def _hook(event, args):
    if _log and event in ("socket.connect", "socket.getaddrinfo"):
        target = args[1] if event == "socket.connect" else args[:2]
        with open(_log, "a", encoding="utf-8") as f:
            f.write(repr((event, target)) + "\\n")
if _log:
    sys.addaudithook(_hook)
'''
HOSTILE = ["file=http://1.1.1.1/x", "file=https://1.1.1.1/x", "file=//1.1.1.1/x", "file=/etc/passwd",
           "file=/tmp/gradio/../../etc/passwd", "file=%2e%2e/%2e%2e/%2e%2e/etc/passwd",
           "file=%252e%252e/%252e%252e/etc/passwd", "file/etc/passwd", "file=../../../../etc/passwd",
           "proxy=http://1.1.1.1/x"]


# -- helpers ---------------------------------------------------------------------------------------------
def _copy_data(app_data: Path, dest: Path) -> Path:
    shutil.copytree(app_data, dest)
    return dest


def _start(data: Path, tmp: Path, env: dict[str, str] | None = None) -> tuple[AppProcess, Path]:
    """The app with an audit hook (a sitecustomize on PYTHONPATH) logging every connect/getaddrinfo target."""
    hook_dir = tmp / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = tmp / f"connects-{data.name}.log"
    path = os.pathsep.join(x for x in (str(hook_dir), os.environ.get("PYTHONPATH", "")) if x)
    return AppProcess(data, env={"PYTHONPATH": path, "QA_TEST_CONNECT_LOG": str(log), **(env or {})}), log


def _get(url: str, cookie: str = "") -> int:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310  (loopback)
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _post(url: str, data: bytes, ctype: str, cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": ctype} | ({"Cookie": cookie} if cookie else {})
    req = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310  (loopback)
            return int(resp.status), dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), dict(exc.headers), exc.read()


def _login(app: AppProcess, user: str, password: str) -> tuple[int, dict[str, str], bytes]:
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    return _post(app.url + "login", body, "application/x-www-form-urlencoded")


def _remote_addresses(pid: int) -> set[str]:
    """Remote ends of the process's TCP sockets (its fds' inodes matched in /proc/<pid>/net/tcp{,6})."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    out = set()
    for name in ("tcp", "tcp6"):
        table = Path(f"/proc/{pid}/net/{name}")
        if not table.exists():
            continue
        for row in table.read_text().splitlines()[1:]:
            cols = row.split()
            if len(cols) > 9 and cols[9] in inodes:
                raw = bytes.fromhex(cols[2].split(":")[0])
                # /proc prints each 32-bit word in host (little-endian) order
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                out.add(str(ipaddress.ip_address(words)))
    return out


def _is_local(host: object) -> bool:
    if host is None or host == "" or (isinstance(host, str) and (host.startswith("/") or host == "localhost")):
        return True  # an unbound name, a Unix socket path, the loopback name
    try:
        ip = ipaddress.ip_address(str(host))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or ip.is_unspecified or bool(mapped and mapped.is_loopback)


def _outbound(log: Path, seen: set[str]) -> list[str]:
    """Non-loopback targets in the audit log, and non-loopback remote ends the /proc sampling saw."""
    bad = []
    for line in (log.read_text(encoding="utf-8").splitlines() if log.exists() else []):
        _, target = ast.literal_eval(line)
        host = target[0] if isinstance(target, tuple) and target else target
        if not _is_local(host):
            bad.append(line)
    return bad + sorted(a for a in seen if not _is_local(a))


class SocketWatch:
    """Samples the process's remote TCP addresses every 20 ms while the `with` block runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self._stop = pid, threading.Event()
        self.seen: set[str] = set()

    def __enter__(self) -> SocketWatch:
        def run() -> None:
            while not self._stop.is_set():
                self.seen |= _remote_addresses(self.pid)
                time.sleep(0.02)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _probe_file_routes(app: AppProcess, log: Path, cookie: str = "") -> None:
    base = app.url + "gradio_api/"
    with SocketWatch(app.proc.pid) as watch:
        codes = {route: _get(base + route, cookie) for route in HOSTILE}
        payload = json.dumps({"data": [[{"path": "http://1.1.1.1/x.txt", "meta": {"_type": "gradio.FileData"}}]],
                              "fn_index": 0, "session_hash": "probe"}).encode()
        codes["queue/join FileData url"] = _post(base + "queue/join", payload, "application/json", cookie)[0]
        time.sleep(0.5)  # a connection the requests set off would show by now
    logged = log.read_text(encoding="utf-8") if log.exists() else ""
    assert "127.0.0.1" in logged, "the audit hook logged nothing: the probe cannot see connections"
    assert _outbound(log, watch.seen) == [], f"non-loopback connections: {_outbound(log, watch.seen)}"
    assert all(code in (403, 404) for code in codes.values()), codes


# -- fixtures ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(app_data, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rel-app")
    proc, log = _start(_copy_data(app_data, tmp / "data"), tmp)
    proc.connect_log = log  # type: ignore[attr-defined]
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def auth_app(app_data, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rel-auth")
    env = {"QA_AUTH": "auditor:s3cret", "QA_APP__LOGIN_MAX_FAILURES": "5", "QA_APP__LOGIN_LOCKOUT_S": "3"}
    proc, log = _start(_copy_data(app_data, tmp / "data"), tmp, env)
    proc.connect_log = log  # type: ignore[attr-defined]
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    yield from launch_chromium()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    out = Path(os.environ.get("QA_TEST_OUTPUT", tmp_path_factory.mktemp("screenshots")))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _page(browser, app: AppProcess, width: int = 1400, height: int = 1000):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")  # as in the office
    pg = ctx.new_page()
    pg.goto(app.url)
    pg.wait_for_selector("#question textarea", timeout=60_000)
    pg.wait_for_function("/报告 \\d+ 份/.test(document.querySelector('#status')?.innerText || '')", timeout=60_000)
    return pg


def _status_count(pg) -> int:  # type: ignore[no-untyped-def]
    import re

    m = re.search(r"报告 (\d+) 份", pg.locator("#status").inner_text())
    assert m, pg.locator("#status").inner_text()
    return int(m.group(1))


def _wait_count(pg, n: int) -> None:  # type: ignore[no-untyped-def]
    pg.wait_for_function(f"(document.querySelector('#status')?.innerText || '').includes('报告 {n} 份')",
                         timeout=60_000)


# -- 4. file routes and outbound connections ----------------------------------------------------------------
def test_file_routes_refused_and_no_outbound_connection(app):
    _probe_file_routes(app, app.connect_log)


def test_file_routes_refused_under_auth_even_when_logged_in(auth_app):
    status, headers, _ = _login(auth_app, "auditor", "s3cret")
    assert status == 200, status
    cookie = "; ".join(c.split(";")[0] for k, c in headers.items() if k.lower() == "set-cookie")
    assert cookie
    _probe_file_routes(auth_app, auth_app.connect_log, cookie)


# -- 3. login throttling ----------------------------------------------------------------------------------------
def test_login_burst_is_throttled_and_lockout_refuses_the_right_password(auth_app):
    time.sleep(0.1)
    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(lambda i: _login(auth_app, "auditor", f"wrong{i}")[0], range(30)))
    checked = codes.count(400)
    assert checked <= 5 and codes.count(429) >= 25, codes
    status, headers, body = _login(auth_app, "auditor", "s3cret")
    assert status == 429, (status, body)  # the right password, during the lockout: not even checked
    assert "秒后再试" in body.decode("utf-8") and int(headers.get("retry-after") or headers.get("Retry-After") or 0) > 0
    assert _login(auth_app, "someone-else", "x")[0] == 429  # the address is locked out too
    time.sleep(3.5)  # the first lockout (QA_APP__LOGIN_LOCKOUT_S=3) has passed
    assert _login(auth_app, "auditor", "s3cret")[0] == 200


# -- 1, 2, 6. two sessions, removal with confirmation, mixed upload ---------------------------------------------
@pytest.mark.browser
def test_two_sessions_see_uploads_and_removals(app, browser, shots, tmp_path):
    good = tmp_path / "2019_株洲市测试区网格化管理服务中心_部门决算.txt"
    good.write_text((REPORTS / SEEDS["荷塘"]).read_text(encoding="utf-8").replace("2020", "2019")
                    .replace("荷塘区", "测试区"), encoding="utf-8")
    png = tmp_path / "扫描页.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    a, b = _page(browser, app), _page(browser, app)
    before = _status_count(a)
    assert _status_count(b) == before
    # session A uploads a report and a PNG together: the PNG is named, the report goes in
    a.get_by_role("tab", name="报告库").click()
    a.locator("#upload input[type=file]").set_input_files([str(good), str(png)])
    a.wait_for_timeout(1500)
    a.click("#ingest")
    a.locator("#ingest-log").get_by_text(good.name).wait_for(timeout=180_000)
    log = a.locator("#ingest-log").inner_text()
    assert png.name in log and "不支持的文件类型" in log, log
    assert "added" in log, log
    assert a.get_by_text("Invalid file type").count() == 0  # Gradio's English refusal of the whole upload
    assert png.stem in a.locator("#upload").inner_text()  # the upload box took the PNG with the report
    _wait_count(a, before + 1)
    # session B, opened before the upload, sees it on its next action (a tab change)
    b.get_by_role("tab", name="报告库").click()
    _wait_count(b, before + 1)
    assert good.name in b.locator("#library-table").inner_text()
    b.get_by_role("tab", name="问答").click()
    b.click("#filters button, #filters .label-wrap")
    b.locator("#f-org input").click()
    assert b.get_by_role("option", name="株洲市测试区网格化管理服务中心").count() == 1
    b.keyboard.press("Escape")
    # a page opened now shows the library as stored
    c = _page(browser, app)
    assert _status_count(c) == before + 1
    # removal in B: nothing pre-selected, a confirmation naming the report, cancel keeps it
    b.get_by_role("tab", name="报告库").click()
    assert b.locator("#remove-pick input").input_value() == ""
    b.click("#remove")
    b.get_by_text("请先选择要删除的报告").wait_for(timeout=30_000)  # a Chinese message, nothing removed
    assert not b.locator("#remove-confirm").is_visible()
    assert _status_count(b) == before + 1
    b.locator("#remove-pick input").click()
    b.get_by_role("option", name=good.name).click()
    b.click("#remove")
    b.locator("#remove-confirm").wait_for(state="visible", timeout=30_000)
    assert f"确认删除《{good.name}》？" in b.locator("#remove-confirm").inner_text()
    b.screenshot(path=str(shots / "rel-remove-confirm.png"), full_page=True)
    b.click("#remove-no")
    b.locator("#remove-confirm").wait_for(state="hidden", timeout=30_000)
    b.get_by_role("tab", name="问答").click()
    b.get_by_role("tab", name="报告库").click()
    b.wait_for_timeout(800)
    assert good.name in b.locator("#library-table").inner_text() and _status_count(b) == before + 1
    b.locator("#remove-pick input").click()
    b.get_by_role("option", name=good.name).click()
    b.click("#remove")
    b.click("#remove-yes")
    b.get_by_text(f"已删除：{good.name}").wait_for(timeout=60_000)
    _wait_count(b, before)
    assert good.name not in b.locator("#library-table").inner_text()
    # session A sees the removal on its next action (a question)
    a.get_by_role("tab", name="问答").click()
    a.fill("#question textarea", "2021年醴陵市网格化中心的会议费是多少？")
    a.click("#send")
    _wait_count(a, before)
    for pg in (a, b, c):
        pg.context.close()


# -- 5. layout at 1440 and 390 px ------------------------------------------------------------------------------
WIDEST = """(sel) => { const vw = document.documentElement.clientWidth; let worst = null;
  for (const el of document.querySelectorAll(sel)) { const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1 && !worst) worst = el.tagName + '#' + el.id + '.' + el.className + ' ' + r.right; }
  return worst; }"""
SCROLLS = """(sel) => { const root = document.querySelector(sel); const box = root.getBoundingClientRect();
  const vp = [...root.querySelectorAll('*')].find(e => e.scrollWidth > e.clientWidth + 2 &&
      ['auto', 'scroll'].includes(getComputedStyle(e).overflowX));
  const ths = root.querySelectorAll('th'); const last = ths[ths.length - 1];
  if (!vp) { const r = last.getBoundingClientRect(); return {scrolls: false, fits: r.right <= box.right + 1}; }
  vp.scrollLeft = vp.scrollWidth; const r = last.getBoundingClientRect(); const v = vp.getBoundingClientRect();
  return {scrolls: true, fits: r.right <= v.right + 1 && r.right > v.left, boxRight: box.right}; }"""


def _no_overflow(pg) -> None:  # type: ignore[no-untyped-def]
    vw = pg.evaluate("document.documentElement.clientWidth")
    assert pg.evaluate("document.documentElement.scrollWidth") <= vw + 1
    assert pg.evaluate(WIDEST, "#evidence, #figures, .scroll-table, #compare-plot img") is None


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 390])
def test_layout(app, browser, shots, width):
    pg = _page(browser, app, width=width, height=900)
    n = pg.locator("#chatbot .v").count()
    pg.fill("#question textarea", "荷塘区2020年三公经费是多少？")
    pg.click("#send")
    pg.wait_for_function(f"document.querySelectorAll('#chatbot .v').length > {n}", timeout=60_000)
    pg.locator("#evidence td.cell").first.wait_for(state="attached", timeout=30_000)
    pg.wait_for_timeout(500)
    chat, ev = pg.locator("#chatbot").bounding_box(), pg.locator("#evidence").bounding_box()
    if width <= 400:  # a phone: the evidence right under the answer (only the question box between them)
        assert 0 <= ev["y"] - (chat["y"] + chat["height"]) <= 250, (chat, ev)
    else:  # a desktop: beside it
        assert ev["x"] >= chat["x"] + chat["width"] - 1 and abs(ev["y"] - chat["y"]) < 120, (chat, ev)
    _no_overflow(pg)
    for block in pg.locator("#evidence .scroll-x").all():
        assert block.evaluate("e => e.scrollWidth <= e.clientWidth + 1 || getComputedStyle(e).overflowX == 'auto'")
    pg.screenshot(path=str(shots / f"rel-chat-{width}.png"), full_page=True)

    pg.get_by_role("tab", name="指标对比").click()
    pg.locator("#measure input").fill("三公经费")
    pg.keyboard.press("Enter")
    pg.click("#compare-go")
    pg.wait_for_function("(document.querySelector('#compare-table')?.innerText || '').includes('荷塘区')",
                         timeout=60_000)
    img = pg.locator("#compare-plot img").first
    img.wait_for(timeout=30_000)
    pg.wait_for_timeout(500)
    cells = [c.strip() for c in pg.locator("#compare-table td, #compare-table .body-cell").all_inner_texts()]
    assert "2.00" in cells and "2." not in cells and "0.00" in cells and "0" not in cells, cells  # all decimals
    _no_overflow(pg)
    from qa.present import CHART_DPI, CHART_FONT_PT

    scale = img.evaluate("e => e.clientWidth / e.naturalWidth")
    assert scale * CHART_FONT_PT * CHART_DPI / 72 >= 9, scale  # labels at least ~9 px on screen
    assert img.evaluate("e => e.clientWidth <= e.parentElement.getBoundingClientRect().width + 1")
    assert pg.evaluate(SCROLLS, "#compare-table")["fits"]
    pg.screenshot(path=str(shots / f"rel-compare-{width}.png"), full_page=True)

    for tab, table in (("报告库", "#library-table"), ("报告核查", "#audit-table")):
        pg.get_by_role("tab", name=tab).click()
        if tab == "报告核查":
            pg.click("#audit-go")
            pg.wait_for_function("(document.querySelector('#audit-summary')?.innerText || '').includes('共')",
                                 timeout=60_000)
        pg.wait_for_function(f"document.querySelectorAll('{table} th').length > 3", timeout=30_000)
        pg.wait_for_timeout(500)
        _no_overflow(pg)
        got = pg.evaluate(SCROLLS, table)
        assert got["fits"], (tab, got)  # the last column can be brought into view inside the table's box
        pg.screenshot(path=str(shots / f"rel-{'library' if tab == '报告库' else 'audit'}-{width}.png"),
                      full_page=True)
    pg.context.close()
