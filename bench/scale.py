"""Benchmark: a province's worth of reports. Generates N synthetic reports from the five bundled ones (each with a
distinct place name, a shifted fiscal year and every 万元 amount scaled by a known factor — deterministic),
ingests them through the app's service object and records ingest reports/s, disk, peak RSS, and p50/p95 of a
lookup, a rate, a cross-report ranking and a search, beside raw Chroma and raw bm25 queries over the same data
(their ratio is the product's overhead). Every checked lookup must give the base figure × the report's factor.

    python bench/scale.py --sizes 5 200 1000 [--queries 20] [--out bench/results/scale.json] [--work DIR]

Runs of other sizes already in --out are kept. With --work the generated reports and data dirs are kept and
reused (ingest once, measure many times; the recorded ingest figures are those of the first run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# the distinctive place name of each bundled report, replaced by a synthetic one
PLACES = {"石峰": "区", "荷塘": "区", "芦淞": "区", "醴陵": "市", "衡山": "县"}
SYLLABLES = "青白金银东西南北安平和泰康宁兴华明光新永长福丰乐嘉瑞"
AMOUNT = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?![\d%％])")
YEAR = re.compile(r"(?<!\d)(20[12]\d)(?=\s*年)")


def place_name(i: int) -> str:
    n = len(SYLLABLES)
    return SYLLABLES[i % n] + SYLLABLES[(i // n) % n] + SYLLABLES[(i // (n * n) + 7) % n]


def factor(i: int) -> Decimal:
    return Decimal(100 + 7 * (i % 13)) / Decimal(100)  # 1.00 … 1.84


def synthesize(i: int, base: Path) -> tuple[str, str, int, Decimal]:
    """Report i from a bundled one: (file name, text, year shift, amount factor)."""
    text = base.read_text(encoding="utf-8")
    old = next(p for p in PLACES if p in base.name)
    new = place_name(i)
    shift = i // len(PLACES) % 4
    f = factor(i)

    def scale(m: re.Match[str]) -> str:
        value = Decimal(m.group(1).replace(",", "") + "." + m.group(2)) * f
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    text = AMOUNT.sub(scale, text.replace(old, new))
    text = YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    year = int(base.name[:4]) + shift
    name = re.sub(r"^\d{4}", str(year), base.name).replace(old, new)
    return name, text, shift, f


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def timed(fn, n: int) -> dict[str, float]:  # noqa: ANN001
    times = []
    for k in range(n):
        t0 = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - t0)
    return {"p50_ms": round(statistics.median(times) * 1000, 1), "p95_ms": round(percentile(times, 0.95) * 1000, 1)}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(n: int, work: Path, through: str = "service") -> tuple[list[dict[str, object]], dict[str, object]]:
    """The N synthetic reports and their ingest — through the service's upload path (`service`, one file at a time)
    or `qa ingest DIR`'s (`folder`: parsing in worker processes, one writer). Done once per work dir: a kept work
    dir is reused with its recorded ingest figures; a killed build resumes (finished reports are skipped) and
    says so (`ingest_resumed`: its rate is then not the rate of one run)."""
    from core.settings import Settings
    from index.ingest import Ingestor
    from qa.service import QAService

    bases = sorted((ROOT / "data/reports").glob("*.txt"))
    folder, data = work / f"reports-{n}", work / f"data-{n}"
    done = data / "bench-ingest.json"
    if done.exists():
        saved = json.loads(done.read_text(encoding="utf-8"))
        return saved["meta"], saved["ingest"]
    resumed = data.exists()
    folder.mkdir(parents=True, exist_ok=True)
    meta: list[dict[str, object]] = []
    for i in range(n):
        base = bases[i % len(bases)]
        name, text, shift, f = synthesize(i, base) if i >= len(bases) else (base.name, base.read_text("utf-8"), 0, Decimal(1))
        (folder / name).write_text(text, encoding="utf-8")
        meta.append({"i": i, "base": base.name, "file": name, "shift": shift, "factor": str(f)})
    service = QAService(Settings(data_dir=data))
    t0 = time.perf_counter()
    files = sorted(folder.iterdir())
    results = service.ingest(files) if through == "service" else Ingestor(service.stores).ingest(files)
    ingest_s = time.perf_counter() - t0
    errors = [r.file for r in results if r.status == "error"]
    disk = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    ingest = {"ingest_through": through, "ingest_seconds": round(ingest_s, 1),
              "ingest_reports_per_s": round(n / ingest_s, 2), "ingest_resumed": resumed,
              "ingest_errors": errors, "disk_mb": round(disk / 1e6, 1), "ingest_peak_rss_mb": round(rss_mb(), 0),
              "load_average_1min": round(os.getloadavg()[0], 1)}
    done.write_text(json.dumps({"meta": meta, "ingest": ingest}, ensure_ascii=False), encoding="utf-8")
    return meta, ingest


def run_size(n: int, queries: int, work: Path) -> dict[str, object]:
    from core.settings import Settings
    from qa.service import QAService

    bases = sorted((ROOT / "data/reports").glob("*.txt"))
    meta, ingest = build(n, work)
    service = QAService(Settings(data_dir=work / f"data-{n}"))
    t0 = time.perf_counter()
    service.warm_up()  # what the app does at start: the model, the keyword index, the tokenizer and tagger
    warm_s = time.perf_counter() - t0

    # answers that are known: the 醴陵-family 三公经费 (base figure × factor) of report k, its completion rate (a
    # ratio of two scaled figures: the same in every copy), and the largest 项目支出 (max of base figure × factor)
    family = [m for m in meta if "醴陵" in str(m["base"])]
    base_answer = service.ask("2021年醴陵市网格化中心的三公经费是多少？", engine="structured")
    base_value = next(Decimal(str(f.value)) for f in base_answer.figures)
    base_rate = service.ask("2021年醴陵市网格化中心三公经费完成预算的百分之几？", engine="structured")
    rate_text = next(f.text for f in base_rate.figures if f.unit == "%")
    wrong: list[str] = []

    def place_of(m: dict[str, object]) -> str:
        return "醴陵" if int(str(m["i"])) < len(bases) else place_name(int(str(m["i"])))

    def lookup(k: int) -> None:
        m = family[k % len(family)]
        a = service.ask(f"{2021 + int(str(m['shift']))}年{place_of(m)}市网格化中心的三公经费是多少？", engine="structured")
        expect = (base_value * Decimal(str(m["factor"]))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if not any(Decimal(str(f.value)) == expect for f in a.figures):
            wrong.append(f"lookup {m['file']}: expected {expect}, got {a.answer[:80]}")

    def rate(k: int) -> None:
        m = family[(k + 1) % len(family)]  # not the report the lookups just read
        a = service.ask(f"{2021 + int(str(m['shift']))}年{place_of(m)}市网格化中心三公经费完成预算的百分之几？",
                        engine="structured")
        if rate_text not in a.answer:
            wrong.append(f"rate {m['file']}: expected {rate_text}, got {a.answer[:80]}")

    # the largest 项目支出: each base report's own figure (ranked among the five originals) × the copies' factors
    from qa.crossreport import collect
    from qa.structured import Draft, StructuredEngine
    from qa.understand import parse_question

    originals = [r for r in service.stores.facts.reports() if r.file in {b.name for b in bases}]
    q_rank = parse_question("哪个单位的项目支出最多？", originals)
    engine = StructuredEngine({r.doc_id: service.asker.facts([r.doc_id]) for r in originals},
                              Draft(reports={r.doc_id: r for r in originals}))
    per_base = {r.file: f.value for r, f in collect(engine, originals, q_rank, q_rank.measure)}
    top = max((per_base[str(m["base"])] * Decimal(str(m["factor"]))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
              for m in meta if str(m["base"]) in per_base)

    def rank(k: int) -> None:
        a = service.ask("哪个单位的项目支出最多？", engine="structured")
        said_top = a.answer.split("最多的是", 1)[-1]
        if f"{top}万元" not in said_top:
            wrong.append(f"rank: expected {top}, got {said_top[:80]}")

    searcher = service.asker.searcher()
    store = service.stores

    def search(k: int) -> None:
        searcher.search(f"{place_of(family[(k + 2) % len(family)])}市网格化中心的会议费")

    emb = store.embedder.embed_query("会议费")

    def raw_chroma(k: int) -> None:
        store.vectors.query(emb, 10)

    store.keyword.refresh()

    def raw_bm25(k: int) -> None:
        store.keyword._bm25.retrieve([["会议费"]], k=10, show_progress=False)

    record: dict[str, object] = {
        "reports": n, **ingest, "warm_up_seconds": round(warm_s, 1),
        # the first question about a report audits it (its findings are said with the answer): timed apart
        "lookup_first_ask": timed(lookup, queries), "lookup": timed(lookup, queries), "rate": timed(rate, queries),
        "rank_first_ask": timed(rank, 1), "rank": timed(rank, queries),
        "search": timed(search, queries), "raw_chroma": timed(raw_chroma, queries), "raw_bm25": timed(raw_bm25, queries),
        "checked_answers": 4 * queries + 1, "wrong_answers": wrong[:10], "wrong_count": len(wrong),
        "peak_rss_mb": round(rss_mb(), 0),
    }
    return record


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 200, 1000])
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/scale.json")
    ap.add_argument("--work", type=Path, help="keep the generated reports and data dirs here and reuse them "
                                              "(default: a temporary folder, removed afterwards)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process (peak RSS is per process)
    ap.add_argument("--build", type=int, help=argparse.SUPPRESS)  # generate and ingest one size, in this process
    ap.add_argument("--through", choices=["service", "folder"], default="service",
                    help="ingest through the service's upload path (default) or qa ingest DIR's parallel one")
    args = ap.parse_args()
    if args.one or args.build:
        assert args.work is not None
        if args.build:
            build(args.build, args.work, args.through)
        else:
            print(json.dumps(run_size(args.one, args.queries, args.work), ensure_ascii=False), flush=True)
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="qa-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.out.read_text(encoding="utf-8")).get("runs", []) if args.out.exists() else []
    runs = {int(r["reports"]): r for r in previous}
    try:
        for n in args.sizes:
            # ingest in one process, answer in another: the answering process's peak RSS is its own
            for step in (["--build", str(n), "--through", args.through],
                         ["--one", str(n), "--queries", str(args.queries)]):
                proc = subprocess.run([sys.executable, __file__, *step, "--work", str(work)],
                                      capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    print(proc.stderr[-3000:], file=sys.stderr)
                    return 1
            record = json.loads(proc.stdout.strip().splitlines()[-1])
            print(json.dumps(record, ensure_ascii=False), flush=True)
            runs[n] = record
            out = {"machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
                   "runs": [runs[k] for k in sorted(runs)]}
            args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
