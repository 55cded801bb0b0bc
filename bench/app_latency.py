"""Benchmark: what a user waits for. The time from `make run` (ingest the bundled reports into a fresh data dir,
then start `app.py`) to a page that answers, and question→answer latency through the app's `ask` API — one
question at a time and eight at once. Writes bench/results/app_latency.json."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "2021年醴陵市网格化中心的会议费是多少？",
    "石峰区2023年三公经费完成预算的百分之几？",
    "哪个单位的项目支出最多？",
    "荷塘区2020年基本支出占本年支出合计的比例是多少？",
    "2021年醴陵市的基本支出是多少？",
    "芦淞区2022年项目支出是多少？",
    "衡山县2023年的三公经费是多少？",
    "醴陵市网格化管理服务中心的主要职责是什么？",
]


def external_questions() -> list[str]:
    """The external set's questions about the five bundled reports (their sources are the seed files)."""
    path = ROOT / "eval" / "datasets" / "external.jsonl"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line) if line.strip() else None
        if item and not item.get("history") and all(s["doc"][:3].isdigit() and s["doc"][3] == "_" for s in item.get("sources", [])):
            out.append(item["question"])
    return out


def main() -> int:
    from gradio_client import Client

    from tests.conftest import free_port

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = dict(os.environ, QA_DATA_DIR=tmp, QA_APP__PORT=str(port), HF_HUB_OFFLINE="1")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cli.main", "ingest", str(ROOT / "data/reports")], env=env, check=True,
                       capture_output=True)
        ingested = time.perf_counter() - t0
        app = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/"
            while True:
                try:
                    with urllib.request.urlopen(url + "config", timeout=2):  # noqa: S310  (loopback)
                        break
                except OSError:
                    if app.poll() is not None or time.perf_counter() - t0 > 300:
                        print("app.py did not come up", file=sys.stderr)
                        return 1
                    time.sleep(0.2)
            ready = time.perf_counter() - t0
            client = Client(url, verbose=False)
            single = []
            for q in QUESTIONS:
                s = time.perf_counter()
                client.predict(q, "", api_name="/ask")
                single.append(time.perf_counter() - s)
            # questions written outside the team about the bundled reports, each asked once, after the first
            # (cold) question above: the p50/p95 a user sees on a warm app
            warm = []
            for q in external_questions():
                s = time.perf_counter()
                client.predict(q, "", api_name="/ask")
                warm.append(time.perf_counter() - s)

            def timed(q: str) -> float:
                s = time.perf_counter()
                Client(url, verbose=False).predict(q, "", api_name="/ask")
                return time.perf_counter() - s

            with ThreadPoolExecutor(max_workers=8) as pool:
                parallel = list(pool.map(timed, QUESTIONS))
        finally:
            app.terminate()
            app.wait(timeout=30)
    record = {
        "benchmark": "make run → usable page; question → answer through the `ask` API",
        "ingest_seconds": round(ingested, 2),
        "make_run_to_usable_page_seconds": round(ready, 2),
        "app_start_seconds": round(ready - ingested, 2),
        "answer_seconds_median": round(statistics.median(single), 3),
        "answer_seconds_max": round(max(single), 3),
        "eight_parallel_seconds_max": round(max(parallel), 3),
        "external_questions": len(warm),
        "external_answer_seconds_p50": round(statistics.median(warm), 3) if warm else None,
        "external_answer_seconds_p95": round(sorted(warm)[int(0.95 * (len(warm) - 1))], 3) if warm else None,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    out = ROOT / "bench" / "results" / "app_latency.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
