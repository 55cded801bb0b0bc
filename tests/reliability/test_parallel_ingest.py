"""`kill -9` during a parallel folder ingest (parses in worker processes, vectors written a batch of reports at a
time, each report's rows in its own SQLite transaction): the stores hold only whole reports, the worker processes
do not outlive their writer, and a re-run ingests the rest (finished reports skipped)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPORTS, ROOT, SEEDS
from tests.reliability.store_checks import committed, whole_reports

PLACES = ["青山", "白水", "金田", "银河", "东岭"]


def _folder(folder: Path) -> int:
    """The five bundled reports and five copies under other place names (distinct contents)."""
    folder.mkdir()
    for name in SEEDS.values():
        (folder / name).write_bytes((REPORTS / name).read_bytes())
    for place, name in zip(PLACES, SEEDS.values(), strict=True):
        key = next(k for k in SEEDS if k in name)
        text = (REPORTS / name).read_text(encoding="utf-8").replace(key, place)
        (folder / name.replace(key, place)).write_text(text, encoding="utf-8")
    return len(SEEDS) + len(PLACES)




def _session(sid: int) -> list[int]:
    """Live processes of a session (the CLI started in its own: its parse workers too)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields after the name: state, ppid, pgrp, session
            pids.append(int(stat.parent.name))
    return pids


@pytest.mark.parametrize(("after", "group"), [(0, True), (3, True), (6, False)])
def test_kill_9_during_a_parallel_ingest_then_resume(after: int, group: bool, tmp_path: Path) -> None:
    """Killed once `after` reports are committed — while the next batch is parsed, embedded, written to Chroma
    or committed — the whole process group, or the writer alone (its workers must then exit by themselves)."""
    src, data = tmp_path / "in", tmp_path / "data"
    total = _folder(src)
    env = {**os.environ, "QA_DATA_DIR": str(data), "QA_INGEST__WORKERS": "2", "QA_INGEST__WRITE_BATCH": "3",
           "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "cli.main", "ingest", str(src), "--json"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    db = data / "facts.sqlite3"
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        if committed(db) >= after and len(_session(proc.pid)) > 1:  # the workers are up
            time.sleep(0.1)  # into the next batch
            break
        time.sleep(0.02)
    killed = proc.poll() is None
    if group:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert killed, "the ingest finished before it could be killed"
    for _ in range(100):  # workers whose writer died see their queue close and exit
        if not _session(proc.pid):
            break
        time.sleep(0.1)
    left = _session(proc.pid)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
    assert not left, f"parse workers outlived their writer: {left}"
    before = whole_reports(data) if db.exists() else 0
    assert before < total
    rerun = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    statuses = [r["status"] for r in json.loads(rerun.stdout)["results"]]
    assert statuses.count("skipped") == before and "error" not in statuses, statuses
    assert whole_reports(data) == total
