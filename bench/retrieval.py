"""Benchmark: retrieval quality of bm25, dense and hybrid search, embedding throughput and model size.

1. Fusion tuning on the dev split only: a grid over the dense weight and the RRF constant; the best setting
   (highest dev recall@5, then MRR) is reported next to the configured default.
2. recall@5, recall@10 and MRR for bm25 / dense / hybrid on the main split with the configured model.
3. Held-out reports: for each bundled report, a model is trained without it (same script, same seed), every
   report is indexed with that model, and the questions whose gold passages all lie in the left-out report
   are measured — the model has never seen that report's words or pairs.
4. Throughput: chunks embedded per second (documents, batch as ingestion does it) and the model's size on disk.

Writes bench/results/retrieval.json and prints a Markdown table. `--quick` skips the held-out training.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from core.settings import Settings  # noqa: E402
from eval.retrieval import gold_ranks, retrieval_items, summarize  # noqa: E402  (after sys.path)
from eval.runner import load_dataset, report_texts  # noqa: E402
from index.ingest import Ingestor, expand_paths  # noqa: E402
from qa.search import Searcher  # noqa: E402
from stores import Stores  # noqa: E402

REPORTS = ROOT / "data" / "reports"
MODES = ("bm25", "dense", "labels", "hybrid")


def open_index(data_dir: Path, model_path: Path | None, **search: Any) -> Stores:
    settings = Settings(data_dir=data_dir, embedder={"model_path": str(model_path) if model_path else None},
                        search=search)
    stores = Stores(settings)
    if not stores.facts.reports():
        ingestor = Ingestor(stores)
        for path in expand_paths([REPORTS]):
            ingestor.ingest_file(path)
    return stores


def measure(stores: Stores, items: list[dict[str, Any]], only_docs: set[str] | None = None,
            modes: tuple[str, ...] = MODES) -> dict[str, dict[str, float]]:
    texts = report_texts(stores)
    files = {r.doc_id: r.file for r in stores.facts.reports()}
    chosen = retrieval_items(items, only_docs)
    searcher = Searcher(stores)
    return {m: summarize(gold_ranks(chosen, searcher, texts, files, mode=m)) for m in modes}


def tune(data_dir: Path, model_path: Path | None, dev: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grid = []
    for rrf_k in (10, 20, 60):
        for dense_weight in (0.5, 1.0, 1.5):
            for label_weight in (0.0, 1.0, 1.5, 2.0):
                stores = open_index(data_dir, model_path, rrf_k=rrf_k, dense_weight=dense_weight,
                                    label_weight=label_weight)
                m = measure(stores, dev, modes=("hybrid",))["hybrid"]
                grid.append({"rrf_k": rrf_k, "dense_weight": dense_weight, "label_weight": label_weight, **m})
    return sorted(grid, key=lambda g: (-g["recall@5"], -g["mrr"], -g["recall@10"]))


def held_out(main: list[dict[str, Any]], tmp: Path) -> dict[str, Any]:
    from index.embed_train import train_from_files

    files = expand_paths([REPORTS])
    per_report, ranks = {}, {m: [] for m in MODES}  # type: dict[str, Any], dict[str, list[int | None]]
    for left_out in files:
        model_dir = tmp / f"model-without-{left_out.stem}"
        train_from_files(files, model_dir, exclude={left_out.name})
        stores = open_index(tmp / f"index-without-{left_out.stem}", model_dir)
        texts = report_texts(stores)
        doc_files = {r.doc_id: r.file for r in stores.facts.reports()}
        chosen = retrieval_items(main, {left_out.name})
        searcher = Searcher(stores)
        result = {}
        for m in MODES:
            r = gold_ranks(chosen, searcher, texts, doc_files, mode=m)
            ranks[m].extend(r)
            result[m] = summarize(r)
        per_report[left_out.name] = result
    return {"pooled": {m: summarize(r) for m, r in ranks.items()}, "per_report": per_report}


def throughput(stores: Stores, repeats: int = 20) -> dict[str, Any]:
    chunks = [c.text for c, _ in stores.facts.chunks()]
    emb = stores.embedder
    emb.embed_documents(chunks[:8])  # load the model outside the timing
    t0 = time.perf_counter()
    for _ in range(repeats):
        emb.embed_documents(chunks)
    seconds = time.perf_counter() - t0
    path = Path(getattr(emb, "path", ""))
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else None
    return {"chunks": len(chunks) * repeats, "seconds": round(seconds, 3),
            "chunks_per_second": round(len(chunks) * repeats / seconds), "model": emb.name,
            "model_bytes": size, "avg_chunk_chars": round(sum(map(len, chunks)) / max(len(chunks), 1))}


def table(title: str, rows: dict[str, dict[str, float]]) -> str:
    out = [f"**{title}**", "", "| mode | recall@5 | recall@10 | MRR | passages |", "|---|---|---|---|---|"]
    for m, v in rows.items():
        out.append(f"| {m} | {v['recall@5']:.3f} | {v['recall@10']:.3f} | {v['mrr']:.3f} | {v['passages']} |")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip the held-out-report training")
    args = ap.parse_args()
    main_items = load_dataset(ROOT / "eval/datasets/main.jsonl")
    dev_items = load_dataset(ROOT / "eval/datasets/dev.jsonl")
    default = Settings()
    model_path = Path(default.embedder.model_path) if default.embedder.model_path else None
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        grid = tune(tmp / "index", model_path, dev_items)
        stores = open_index(tmp / "index", model_path)
        record: dict[str, Any] = {
            "model": stores.embedder.name,
            "fusion": {"configured": {"rrf_k": default.search.rrf_k, "dense_weight": default.search.dense_weight,
                                      "bm25_weight": default.search.bm25_weight,
                                      "label_weight": default.search.label_weight},
                       "best_on_dev": grid[0], "grid_top5": grid[:5]},
            "dev": measure(stores, dev_items),
            "main": measure(stores, main_items),
            "throughput": throughput(stores),
        }
        if not args.quick:
            record["held_out"] = held_out(main_items, tmp)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "retrieval.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    print(table("main split", record["main"]))
    print(table("dev split", record["dev"]))
    if "held_out" in record:
        print(table("held-out reports (pooled)", record["held_out"]["pooled"]))
    print(json.dumps({"fusion": record["fusion"]["best_on_dev"], "throughput": record["throughput"]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
