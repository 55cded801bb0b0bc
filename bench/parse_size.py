"""Benchmark: parse time against file size, up to the text limit (`QA_INGEST__MAX_TEXT_MB`).

Three shapes of .txt built from a bundled report, each at several sizes: `report` (the report repeated, as a long
file of ordinary lines), `long_line` (one narrative line of figures and commas, no full stop — the look-back case)
and `one_line` (the whole report joined into one line — a file without line breaks). Each case is read and
parsed in a fresh process (`index.parse.parse_file`), which reports its CPU seconds, wall seconds and peak
memory; the record shows CPU seconds per MB, which stays about constant when parsing is linear. A file over the
limit is refused before parsing starts (its refusal time is recorded), and `--ingest` ingests one file at the
limit end to end (parse, embed, store) with the real embedder.

    python bench/parse_size.py [--sizes 0.25 0.5 1 2 4] [--shapes report long_line one_line] [--ingest]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

BASE = ROOT / "data" / "reports" / "2021_醴陵市网格化管理服务中心_部门决算.txt"
SENTENCE = "本年度开支会议费150.00万元，比上年增加12.50万元，增长8.3%，培训费14.24万元，"


def make_text(shape: str, mb: float) -> str:
    """About `mb` MB (UTF-8) of text of one shape."""
    target = int(mb * 1048576)
    base = BASE.read_text(encoding="utf-8")
    if shape == "report":
        unit, joiner = base, "\n"
    elif shape == "one_line":
        unit, joiner = " ".join(base.splitlines()), " "
    elif shape == "long_line":
        head = "\n".join(base.splitlines()[:40]) + "\n"
        n = (target - len(head.encode())) // len(SENTENCE.encode()) + 1
        return head + SENTENCE * max(n, 1) + "\n"
    else:
        raise SystemExit(f"unknown shape {shape}")
    n = max(1, round(target / len((unit + joiner).encode())))
    return joiner.join([unit] * n) + "\n"


def parse_once(path: str) -> dict[str, float | int | str]:
    """In this (fresh) process: parse one file; CPU and wall seconds, peak RSS and what it found."""
    from core.errors import UserError
    from core.settings import Settings
    from index.parse import parse_file

    s = Settings().ingest
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        parsed = parse_file(Path(path), max_mb=s.max_file_mb, max_text_mb=s.max_text_mb)
        outcome: dict[str, float | int | str] = {"facts": len(parsed.facts), "chunks": len(parsed.chunks),
                                                 "lines": len(parsed.lines)}
    except UserError as exc:
        outcome = {"refused": exc.render().splitlines()[0]}
    outcome.update(cpu_s=round(time.process_time() - cpu, 2), wall_s=round(time.perf_counter() - wall, 2),
                   peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    return outcome


def ingest_once(path: str, data_dir: str) -> dict[str, float | int | str]:
    """In this (fresh) process: ingest one file end to end into a fresh data dir with the real embedder."""
    os.environ["QA_DATA_DIR"] = data_dir
    from core.settings import Settings
    from index.ingest import Ingestor
    from stores import Stores

    stores = Stores(Settings())
    stores.embedder.embed_query("预热")  # the model load is not the file's
    stores.vectors.ids()
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu, wall = time.process_time(), time.perf_counter()
    [res] = Ingestor(stores).ingest([Path(path)], workers=1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"status": res.status, "error": res.error[:200], "facts": res.facts, "chunks": res.chunks,
            "cpu_s": round(time.process_time() - cpu, 2), "wall_s": round(time.perf_counter() - wall, 2),
            "rss_before_mb": round(base_rss, 1), "peak_rss_mb": round(peak, 1),
            "added_rss_mb": round(peak - base_rss, 1)}


def in_child(func: str, *args: str) -> dict[str, float | int | str]:
    out = subprocess.run([sys.executable, __file__, "--child", func, *args], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    result: dict[str, float | int | str] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.5, 1, 2, 4])
    ap.add_argument("--shapes", nargs="+", default=["report", "long_line", "one_line"])
    ap.add_argument("--over", type=float, default=40, help="size (MB) of the file that must be refused at once")
    ap.add_argument("--ingest", action="store_true", help="also ingest one file at the largest size end to end")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "parse_size.json"))
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        func, *rest = args.child
        print(json.dumps(parse_once(*rest) if func == "parse" else ingest_once(*rest), ensure_ascii=False))
        return 0
    from core.settings import Settings

    limit = Settings().ingest.max_text_mb
    cases = []
    with tempfile.TemporaryDirectory(prefix="qa-parse-size-") as tmp:
        for shape in args.shapes:
            for mb in args.sizes:
                path = Path(tmp) / f"{shape}_{mb:g}MB.txt"
                path.write_text(make_text(shape, min(mb, 0.99 * limit)), encoding="utf-8")  # "4 MB": just under it
                size_mb = path.stat().st_size / 1048576
                res = in_child("parse", str(path))
                res.update(shape=shape, size_mb=round(size_mb, 3))
                if "cpu_s" in res and "refused" not in res:
                    res["cpu_s_per_mb"] = round(float(res["cpu_s"]) / size_mb, 2)
                print(json.dumps(res, ensure_ascii=False), flush=True)
                cases.append(res)
                path.unlink()
        big = Path(tmp) / f"over_{args.over:g}MB.txt"
        with big.open("w", encoding="utf-8") as f:
            chunk = make_text("report", 1)
            for _ in range(int(args.over)):
                f.write(chunk)
        refused = in_child("parse", str(big))
        refused["size_mb"] = round(big.stat().st_size / 1048576, 1)
        big.unlink()
        print(json.dumps(refused, ensure_ascii=False), flush=True)
        ingest = None
        if args.ingest:
            path = Path(tmp) / f"ingest_{max(args.sizes):g}MB.txt"
            path.write_text(make_text("report", min(max(args.sizes), 0.99 * limit)), encoding="utf-8")
            ingest = in_child("ingest", str(path), str(Path(tmp) / "data"))
            ingest["size_mb"] = round(path.stat().st_size / 1048576, 3)
            print(json.dumps(ingest, ensure_ascii=False), flush=True)
    per_shape = {}
    for shape in args.shapes:
        rates = [float(c["cpu_s_per_mb"]) for c in cases if c["shape"] == shape and "cpu_s_per_mb" in c
                 and float(c["size_mb"]) >= 0.5]  # below that, start-up costs dominate
        if rates:
            per_shape[shape] = {"cpu_s_per_mb_min": min(rates), "cpu_s_per_mb_max": max(rates),
                                "cpu_s_per_mb_median": statistics.median(rates),
                                "max_over_min": round(max(rates) / min(rates), 2)}
    record = {
        "what": "parse time against size (each case in a fresh process; CPU seconds, which other load on the "
                "machine does not inflate as it does wall time)",
        "limit_text_mb": limit,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_avg": [round(x, 2) for x in os.getloadavg()]},
        "linearity": per_shape,
        "cases": cases,
        "over_limit": refused,
        "ingest_at_limit": ingest,
    }
    Path(args.out).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(per_shape, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
