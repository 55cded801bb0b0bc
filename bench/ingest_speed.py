"""Benchmark: time `qa ingest data/reports` into a fresh data dir (target ≤ 60 s on 2 cores) and record it."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QA_DATA_DIR=tmp, HF_HUB_OFFLINE="1")
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "cli.main", "ingest", str(ROOT / "data/reports"), "--json"],
                             env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - t0
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return 1
    data = json.loads(out.stdout)
    record = {
        "benchmark": "ingest data/reports (fresh index, includes model load)",
        "wall_seconds": round(seconds, 2),
        "ingest_seconds": data["seconds"],
        "reports": len(data["results"]),
        "facts": sum(r["facts"] for r in data["results"]),
        "chunks": sum(r["chunks"] for r in data["results"]),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "target_seconds": 60,
    }
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "ingest_speed.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0 if seconds <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
