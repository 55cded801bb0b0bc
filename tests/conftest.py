"""Shared fixtures: the bundled reports, parsed once, and a data dir ingested once with the real model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
CORPUS = ROOT / "data" / "corpus"  # real documents nobody here wrote (data/CORPUS.md)
RENDERINGS = ROOT / "tests" / "fixtures" / "renderings"  # pdftotext / one-cell-per-line renderings of them

SEEDS = {
    "石峰": "2023_株洲市石峰区网格化管理服务中心_部门决算.txt",
    "荷塘": "2020_株洲市荷塘区网格化管理服务中心_部门决算.txt",
    "芦淞": "2022_株洲市芦淞区网格化管理服务中心_整体支出绩效自评报告.txt",
    "醴陵": "2021_醴陵市网格化管理服务中心_部门决算.txt",
    "衡山": "2023_衡山县社会治理和网格化信息中心_绩效评价基础数据表.txt",
}


@pytest.fixture(scope="session")
def parsed():
    from index.parse import parse_file

    return {key: parse_file(REPORTS / name) for key, name in SEEDS.items()}


@pytest.fixture(scope="session")
def ingested(tmp_path_factory):
    """A data dir with the five reports ingested through the real pipeline (real model, real Chroma)."""
    from core.settings import Settings
    from index.ingest import Ingestor
    from stores import Stores

    settings = Settings(data_dir=tmp_path_factory.mktemp("qa-data"))
    stores = Stores(settings)
    results = Ingestor(stores).ingest([REPORTS])
    assert all(r.status == "added" for r in results), results
    return stores


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppProcess:
    """`python app.py` as a user starts it, on its own data dir and port; stopped at the end of the session."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        import subprocess
        import sys
        import time
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = data_dir.parent / f"app-{self.port}.log"
        full_env = os.environ | {"QA_DATA_DIR": str(data_dir), "QA_APP__PORT": str(self.port)} | (env or {})
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=full_env,
                                     stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 180:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited: {self.log.read_text(encoding='utf-8')[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "config", timeout=2):  # noqa: S310  (loopback)
                    break
            except OSError as exc:  # not up yet; 401 under auth also means it is up
                if getattr(exc, "code", None) == 401:
                    break
                time.sleep(0.5)
        else:
            self.stop()
            raise RuntimeError("app.py did not come up within 180 s")
        self.startup_seconds = time.perf_counter() - t0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()


@pytest.fixture(scope="session")
def app_data(tmp_path_factory):
    """A data dir filled by the real CLI (`qa ingest data/reports`), as `make run` does."""
    import subprocess
    import sys

    data = tmp_path_factory.mktemp("app") / "data"
    env = os.environ | {"QA_DATA_DIR": str(data)}
    subprocess.run([sys.executable, "-m", "cli.main", "ingest", str(REPORTS)], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return data


@pytest.fixture(scope="session")
def app_server(app_data):
    app = AppProcess(app_data)
    yield app
    app.stop()


CHROMIUM = Path("/usr/bin/chromium")
# flags Chromium needs as root in a container with no network (see the machine notes)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def launch_chromium():  # type: ignore[no-untyped-def]
    """Debian's Chromium under Playwright for a module's browser fixture (a generator: yield from it); skipped
    where it is absent, required under CI=true."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: .ci/run must apt-get install chromium")
        pytest.skip("Chromium not installed (/usr/bin/chromium); `apt-get install chromium fonts-noto-cjk`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()

