"""`qa eval`: run a dataset through `qa ask` (any engine), score every item, aggregate metrics, write
`metrics.json`, `results.jsonl` and a Markdown report with charts; `--compare A B` diffs two runs item by item.
A planted-error dataset (items with `mutations`) measures the verifier instead."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from core.errors import UserError
from eval.planted import run_planted
from eval.report import write_report
from eval.retrieval import retrieval_metrics
from eval.scorers import gold_refuses, score_item


def load_dataset(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise UserError(f"数据集不存在 / dataset not found: {path}", "检查路径，例如 eval/datasets/main.jsonl")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}:{n} 不是合法的 JSON / invalid JSON: {exc}", "每行一个 JSON 对象") from exc
    return items


def report_texts(stores: Any) -> dict[str, str]:
    """file name → text, for matching gold quotes (any report in the corpus, whatever its doc name)."""
    out = {}
    for r in stores.facts.reports():
        out[r.file] = "\n".join(stores.facts.lines(r.doc_id))
    return out


FIGURE_TYPES = ("lookup", "compute", "compare", "followup", "inconsistency")


def _pct(xs: list[bool]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def aggregate(items: list[dict[str, Any]], scores: list[dict[str, Any]], latencies: list[float],
              retrieval: dict[str, float]) -> dict[str, Any]:
    by_type: dict[str, list[bool]] = defaultdict(list)
    for it, sc in zip(items, scores, strict=True):
        by_type[it["type"]].append(sc["correct"])
    numeric = [h for it, sc in zip(items, scores, strict=True) if not gold_refuses(it) for h in sc["numbers_hit"]]
    num_items = {t: [all(sc["numbers_hit"]) and not sc["refused"] for it, sc in zip(items, scores, strict=True)
                     if it["type"] in ts and it.get("numbers")]
                 for t, ts in {"lookup": ("lookup",), "compute_compare": ("compute", "compare"),
                               "followup": ("followup",)}.items()}
    cits = [c for sc in scores for c in sc["citations_correct"]]
    srcs = [s for it, sc in zip(items, scores, strict=True) if not gold_refuses(it) for s in sc["sources_hit"]]
    gold_ref = [gold_refuses(it) for it in items]
    pred_ref = [sc["refused"] for sc in scores]
    tp = sum(g and p for g, p in zip(gold_ref, pred_ref, strict=True))
    kps = [sc["key_point_recall"] for sc in scores if sc["key_point_recall"] is not None]
    with_figs = [sc for sc in scores if sc["figures"]]
    lat = sorted(latencies)
    pairs = list(zip(items, scores, strict=True))
    figure_items = [(it, sc) for it, sc in pairs if it["type"] in FIGURE_TYPES and it.get("numbers") and not gold_refuses(it)]
    text_kps = [sc["key_point_recall"] for it, sc in pairs if it["type"] == "text" and sc["key_point_recall"] is not None]
    answerable = [sc for it, sc in pairs if not gold_refuses(it)]
    return {
        "items": len(items),
        # the headline figures (the issue tracker's definitions): over figure questions with gold numbers
        "main_figure_right": _pct([bool(sc["numbers_hit"]) and sc["numbers_hit"][0] and not sc["refused"]
                                   for _, sc in figure_items]),
        "all_figures_present": _pct([all(sc["numbers_hit"]) and not sc["refused"] for _, sc in figure_items]),
        "text_key_points": round(statistics.mean(text_kps), 4) if text_kps else None,
        "unanswerable_refused": _pct([sc["refused"] for it, sc in pairs if gold_refuses(it)]),
        "answerable_refused": _pct([sc["refused"] for sc in answerable]),
        "accuracy": _pct([sc["correct"] for sc in scores]),
        "accuracy_by_type": {t: _pct(v) for t, v in sorted(by_type.items())},
        "numeric_accuracy": _pct(numeric),
        "numeric_accuracy_lookup": _pct(num_items["lookup"]),
        "numeric_accuracy_compute_compare": _pct(num_items["compute_compare"]),
        "numeric_accuracy_followup": _pct(num_items["followup"]),
        "citation_precision": _pct(cits),
        "citation_recall": _pct(srcs),
        "refusal_precision": round(tp / sum(pred_ref), 4) if sum(pred_ref) else None,
        "refusal_recall": round(tp / sum(gold_ref), 4) if sum(gold_ref) else None,
        "key_point_recall": round(statistics.mean(kps), 4) if kps else None,
        "answers_with_figures_all_cited": _pct([sc["figures_cited"] == sc["figures"] for sc in with_figs]),
        "figures_flagged_by_verifier": sum(sc["figures_flagged"] for sc in scores),
        **retrieval,
        "latency_p50_s": round(lat[len(lat) // 2], 4) if lat else None,
        "latency_p95_s": round(lat[min(len(lat) - 1, int(len(lat) * 0.95))], 4) if lat else None,
    }


def retrieval_recall(items: list[dict[str, Any]], asker: Any, texts: dict[str, str]) -> dict[str, float]:
    """recall@5/@10 and MRR of gold passages for the hybrid search the app uses."""
    files = {r.doc_id: r.file for r in asker.stores.facts.reports()}
    m = retrieval_metrics(items, asker.searcher(), texts, files)
    return {"retrieval_recall@5": m["recall@5"], "retrieval_recall@10": m["recall@10"], "retrieval_mrr": m["mrr"]}


def run(dataset: Path, out: Path, asker: Any, engine: str = "auto", progress: Any = None) -> dict[str, Any]:
    items = load_dataset(dataset)
    if items and "mutations" in items[0]:
        return run_planted(items, out, asker)
    texts = report_texts(asker.stores)
    out.mkdir(parents=True, exist_ok=True)
    scores, latencies, rows = [], [], []
    for it in items:
        t0 = time.perf_counter()
        try:
            response = asker.ask(it["question"], it.get("history"), engine=engine).to_json()
        except UserError as exc:
            response = {"question": it["question"], "answer": f"错误：{exc.message}", "has_answer": False,
                        "engine": engine, "citations": [], "figures": [], "audit": []}
        latencies.append(time.perf_counter() - t0)
        sc = score_item(it, response, texts)
        scores.append(sc)
        rows.append({"id": it["id"], "type": it["type"], "response": response, "score": sc})
        if progress:
            progress(it, sc)
    metrics = aggregate(items, scores, latencies, retrieval_recall(items, asker, texts))
    metrics.update({"dataset": str(dataset), "engine": engine})
    (out / "results.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    write_report(out, metrics, rows, latencies)
    return metrics


def compare_runs(a: Path, b: Path) -> dict[str, Any]:
    def load(d: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        if not (d / "results.jsonl").exists():
            raise UserError(f"{d} 中没有 results.jsonl / not an eval run", "先运行 qa eval DATASET --out DIR")
        rows = [json.loads(x) for x in (d / "results.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        return json.loads((d / "metrics.json").read_text(encoding="utf-8")), {r["id"]: r for r in rows}

    ma, ra = load(a)
    mb, rb = load(b)
    better = [i for i in rb if i in ra and rb[i]["score"]["correct"] and not ra[i]["score"]["correct"]]
    worse = [i for i in rb if i in ra and not rb[i]["score"]["correct"] and ra[i]["score"]["correct"]]
    deltas = {k: {"a": ma[k], "b": mb.get(k), "delta": round(mb[k] - ma[k], 4)}
              for k in ma if isinstance(ma[k], int | float) and isinstance(mb.get(k), int | float)}
    return {"better": [{"id": i, "why": rb[i]["score"]["why"]} for i in better],
            "worse": [{"id": i, "why": rb[i]["score"]["why"], "before": ra[i]["score"]["why"]} for i in worse],
            "metrics": deltas}
