"""Benchmark: ingest the development corpus of real documents (data/corpus: the seven documents the corpus README says to
ingest) plus the five bundled reports into a fresh data dir with `qa ingest --json`, and record documents/s, peak
memory of the ingesting process and, per document, 单位/year/kind, tables found by name, facts, numeric coverage
and warnings. Writes bench/results/corpus_ingest.json.

    python bench/corpus_ingest.py [--corpus data/corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the corpus README's "What to ingest": one copy of each document (not the .json sources, the *.pdf.txt
# renderings or alt_extraction/)
CORPUS_FILES = [
    "2025_上海市普陀区宜川路街道_部门决算.txt",
    "2025_上海市普陀区文化和旅游局_部门决算.txt",
    "2024_上海市普陀区规划和自然资源局_部门决算.pdf",
    "2026_上海市普陀区建设和管理委员会_部门预算.txt",
    "2026_上海市普陀区城市管理行政执法局_部门预算.txt",
    "2026_上海市普陀区文化和旅游局_部门预算.txt",
    "部门决算公开模板_上海市XX局_2024年度_九张表.pdf",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/corpus_ingest.json")
    args = ap.parse_args()
    files = [args.corpus / f for f in CORPUS_FILES if (args.corpus / f).exists()]
    if not files:
        print(f"no corpus documents under {args.corpus}", file=sys.stderr)
        return 1
    paths = [*map(str, files), str(ROOT / "data/reports")]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QA_DATA_DIR=tmp, HF_HUB_OFFLINE="1")
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "cli.main", "ingest", *paths, "--json"], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if not out.stdout.strip():
        print(out.stderr[-3000:], file=sys.stderr)
        return 1
    data = json.loads(out.stdout)
    docs = [{k: r.get(k) for k in ("file", "status", "org", "year", "doc_type", "tables", "tables_found", "facts",
                                   "coverage", "warnings", "seconds")} for r in data["results"]]
    record = {
        "benchmark": "qa ingest: corpus documents + bundled reports (fresh index, includes model load)",
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "documents": len(docs), "wall_seconds": round(seconds, 2), "documents_per_s": round(len(docs) / seconds, 3),
        "peak_rss_mb": round(peak_mb), "errors": data.get("errors"), "per_document": docs,
    }
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for d in docs:
        cov = d["coverage"]
        print(f"{d['file'][:40]:42} {d['org'] or '':28} {d['year']} {d['doc_type']:8} tables={d['tables']} "
              f"named={len(d['tables_found'] or [])} facts={d['facts']} "
              f"coverage={'' if cov is None else f'{cov * 100:.1f}%'} warnings={len(d['warnings'] or [])}")
    print(f"{len(docs)} documents in {seconds:.1f} s ({record['documents_per_s']}/s), peak RSS {record['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
