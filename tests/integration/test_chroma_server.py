"""Scale-out mode: a real Chroma server (`chroma run`) on loopback, used through `QA_CHROMA__HOST`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.settings import ChromaSettings, Settings
from index.ingest import Ingestor
from qa.search import Searcher
from stores import Stores
from tests.conftest import REPORTS, SEEDS

pytestmark = [pytest.mark.server, pytest.mark.real_model]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def chroma_server(tmp_path: Path):
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_search_through_chroma_server(tmp_path: Path, chroma_server: int) -> None:
    settings = Settings(data_dir=tmp_path / "d", chroma=ChromaSettings(host="127.0.0.1", port=chroma_server))
    stores = Stores(settings)
    res = Ingestor(stores).ingest([REPORTS / SEEDS["醴陵"]])
    assert [r.status for r in res] == ["added"]
    assert not settings.chroma_path.exists()  # nothing embedded: vectors live in the server
    assert stores.vectors.count() == res[0].chunks
    hits, _ = Searcher(stores).search("醴陵 公务接待费", k=5, mode="dense")
    assert hits and all(h.chunk.org == "醴陵市网格化管理服务中心" for h in hits)


def test_unreachable_server_is_a_user_error(tmp_path: Path) -> None:
    from core.errors import UserError

    settings = Settings(data_dir=tmp_path / "d", chroma=ChromaSettings(host="127.0.0.1", port=_free_port()))
    with pytest.raises(UserError, match="Chroma"):
        _ = Stores(settings).vectors
