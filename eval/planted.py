"""The planted-error set for the verifier: correct answers from the main dataset, each mutated once per error
class — digit swap, 元↔万元, another report's figure, a miscomputed share, an invented figure — with the expected
verdict of every figure. `python -m eval.planted` regenerates eval/datasets/planted.jsonl (deterministic);
`qa eval eval/datasets/planted.jsonl` measures recall per class and the false-flag rate on correct figures."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.figures import Figure, extract_figures
from eval.report import bar_chart, confusion_chart
from qa.answer_models import Citation
from qa.verify import Verifier

CLASSES = ("digit_swap", "unit", "other_report", "wrong_share", "invented")
ROOT = Path(__file__).resolve().parent.parent


def _stable(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def _gold_figures(item: dict[str, Any]) -> list[Figure]:
    gold = {(g["value"], g["unit"]) for g in item.get("numbers", [])}
    return [f for f in extract_figures(item["answer"])
            if any(Decimal(v) == f.value and (u == f.unit or not u) for v, u in gold)]


def _swap(num: str) -> str | None:
    digits = [i for i in range(len(num) - 1) if num[i].isdigit() and num[i + 1].isdigit() and num[i] != num[i + 1]]
    if not digits:
        return None
    i = digits[0]
    return num[:i] + num[i + 1] + num[i] + num[i + 2:]


def mutate(item: dict[str, Any], cls: str, pool: dict[str, list[tuple[str, str]]]) -> tuple[str, int, str] | None:
    """(mutated answer, start of the mutated figure, its text) or None when the class does not apply."""
    text = item["answer"]
    figs = _gold_figures(item)
    if cls == "invented":
        value = f"{(_stable(item['id']) % 90000) / 100 + 100:.2f}"
        extra = f"此外，另有专项结余{value}万元。"
        return text + extra, len(text) + extra.index(value), value + "万元"
    if not figs:
        return None
    f = figs[0]
    num = re.search(r"\d[\d,]*(?:\.\d+)?", text[f.start:f.end])
    if num is None:
        return None
    n0, n1 = f.start + num.start(), f.start + num.end()
    if cls == "digit_swap":
        new = _swap(num.group(0))
        return (text[:n0] + new + text[n1:], f.start, new) if new else None
    if cls == "unit":
        if f.unit == "万元":
            return text[:n1] + text[n1:].replace("万元", "元", 1), f.start, num.group(0) + "元"
        return None
    if cls == "wrong_share":
        if f.unit != "%":
            return None
        decimals = len(num.group(0).split(".")[1]) if "." in num.group(0) else 0
        new = f"{Decimal(num.group(0)) + Decimal('3.17'):.{decimals}f}"
        return text[:n0] + new + text[n1:], f.start, new + "%"
    if cls == "other_report":
        doc = item["sources"][0]["doc"] if item.get("sources") else ""
        others = [v for d, vals in pool.items() if d != doc for v, u in vals if u == f.unit and Decimal(v) != f.value]
        if not others:
            return None
        new = sorted(set(others))[_stable(item["id"]) % len(set(others))]
        return text[:n0] + new + text[n1:], f.start, new + f.unit
    return None


def make(main: Path, out: Path) -> int:
    items = [json.loads(x) for x in main.read_text(encoding="utf-8").splitlines() if x.strip()]
    items = [i for i in items if i["type"] in ("lookup", "compute", "compare") and i.get("numbers") and i.get("sources")]
    pool: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i in items:
        for g in i["numbers"]:
            pool[i["sources"][0]["doc"]].append((g["value"], g["unit"]))
    rows = []
    for it in items:
        base = {"question": it["question"], "sources": it["sources"]}
        rows.append({"id": f"{it['id']}-ok", **base, "answer": it["answer"], "mutations": []})
        for cls in CLASSES:
            m = mutate(it, cls, pool)
            if m:
                text, start, fig = m
                rows.append({"id": f"{it['id']}-{cls}", **base, "answer": text,
                             "mutations": [{"class": cls, "start": start, "figure": fig, "expected": "error"}]})
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def citations_for(item: dict[str, Any], stores: Any) -> tuple[list[Citation], list[str]]:
    cits: list[Citation] = []
    docs = []
    for s in item.get("sources", []):
        for r in stores.facts.reports_by_file(s["doc"]):
            lines = stores.facts.lines(r.doc_id)
            text = "\n".join(lines)
            pos = text.find(s["quote"])
            if pos < 0:
                continue
            line = text.count("\n", 0, pos) + 1
            for ln in range(line, line + s["quote"].count("\n") + 1):
                cits.append(Citation(n=len(cits) + 1, doc_id=r.doc_id, file=r.file, org=r.org, year=r.year,
                                     quote=lines[ln - 1], line=ln))
            docs.append(r.doc_id)
    return cits, docs


def run_planted(items: list[dict[str, Any]], out: Path, asker: Any) -> dict[str, Any]:
    verifier = Verifier(asker.facts)
    out.mkdir(parents=True, exist_ok=True)
    matrix: dict[str, dict[str, int]] = defaultdict(lambda: {"flagged": 0, "passed": 0})
    rows = []
    for it in items:
        cits, docs = citations_for(it, asker.stores)
        report = verifier.verify(it["answer"], cits, docs)
        planted = {m["start"]: m for m in it["mutations"]}
        for f in report.figures:
            m = next((m for s, m in planted.items() if f.start <= s < f.end or s == f.start), None)
            cls = m["class"] if m else "correct"
            matrix[cls]["flagged" if not f.ok else "passed"] += 1
        rows.append({"id": it["id"], "figures": [f.model_dump(mode="json") for f in report.figures]})
    recall: dict[str, float | None] = {c: round(v["flagged"] / (v["flagged"] + v["passed"]), 4) for c, v in matrix.items() if c != "correct"}
    ok = matrix["correct"]
    errors = [v for c, v in matrix.items() if c != "correct"]
    metrics = {
        "items": len(items),
        "verifier_recall_by_class": recall,
        "verifier_recall": round(sum(v["flagged"] for v in errors) / max(1, sum(v["flagged"] + v["passed"] for v in errors)), 4),
        "verifier_false_flag_rate": round(ok["flagged"] / max(1, ok["flagged"] + ok["passed"]), 4),
        "verifier_precision": round(sum(v["flagged"] for v in errors) / max(1, sum(v["flagged"] for v in errors) + ok["flagged"]), 4),
        "confusion": {k: dict(v) for k, v in matrix.items()},
    }
    (out / "results.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    confusion_chart(out / "verifier_confusion.png", {k: dict(v) for k, v in matrix.items()})
    bar_chart(out / "verifier_recall.png", dict(recall), "verifier recall by planted class")
    lines = ["# 核验器评测 / verifier eval", "", "| 指标 | 值 |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in metrics.items() if k != "confusion"]
    lines += ["", "召回 recall：被植入的错误数字被判为 mismatch/unsupported 的比例；误报 false flags：正确数字被判为",
              "mismatch/unsupported 的比例。", "", "![confusion](verifier_confusion.png)", "![recall](verifier_recall.png)"]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return metrics


if __name__ == "__main__":
    n = make(ROOT / "eval/datasets/main.jsonl", ROOT / "eval/datasets/planted.jsonl")
    print(f"{n} planted items", file=sys.stderr)
