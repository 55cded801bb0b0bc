"""The eval report: Markdown with every metric defined, failures listed, and charts (accuracy by type, verifier
confusion matrix, latency distribution) as PNG files beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa.present import pyplot

DEFINITIONS = {
    "accuracy": "题目判对的比例（数值题：所有标准数字都出现在回答中；拒答题：回答拒答；文字题：要点召回≥0.5）",
    "numeric_accuracy": "标准数字被回答命中的比例：单位换算后相等，误差不超过标准数字末位的半个单位",
    "numeric_accuracy_lookup": "查数题（lookup）中全部标准数字命中的题目比例",
    "numeric_accuracy_compute_compare": "计算题与比较题（compute/compare）中全部标准数字命中的题目比例",
    "citation_precision": "引用正确的比例：引用的原文行包含标准引文（或位于其所在行内）",
    "citation_recall": "标准引文被至少一条引用覆盖的比例",
    "refusal_precision": "拒答中确属不可回答的比例",
    "refusal_recall": "不可回答的题目被拒答的比例",
    "key_point_recall": "文字题要点在回答中出现的平均比例",
    "retrieval_recall@5": "混合检索前5个片段覆盖标准引文所在行的比例",
    "retrieval_recall@10": "混合检索前10个片段覆盖标准引文所在行的比例",
    "retrieval_mrr": "混合检索中标准引文首次出现名次的倒数平均（未进前10记0）",
    "answers_with_figures_all_cited": "含数字的回答中，每个数字都有引用支持的比例",
    "latency_p50_s": "单题回答耗时中位数（秒）",
    "latency_p95_s": "单题回答耗时95分位（秒）",
}


def bar_chart(path: Path, data: dict[str, float | None], title: str) -> None:
    plt = pyplot()
    keys = [k for k, v in data.items() if v is not None]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(keys, [data[k] or 0 for k in keys], color="#3a7bd5")
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    for i, k in enumerate(keys):
        ax.text(i, (data[k] or 0) + 0.02, f"{data[k]:.0%}", ha="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency_chart(path: Path, latencies: list[float]) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist([x * 1000 for x in latencies], bins=30, color="#5aa469")
    ax.set_xlabel("ms")
    ax.set_title("latency distribution")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def confusion_chart(path: Path, matrix: dict[str, dict[str, int]]) -> None:
    plt = pyplot()
    rows = list(matrix)
    cols = ["flagged", "passed"]
    fig, ax = plt.subplots(figsize=(5, 0.5 + 0.45 * len(rows)))
    data = [[matrix[r].get(c, 0) for c in cols] for r in rows]
    ax.imshow(data, cmap="Blues")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    for i, row in enumerate(data):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center")
    ax.set_title("verifier: planted class × verdict")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(out: Path, metrics: dict[str, Any], rows: list[dict[str, Any]], latencies: list[float]) -> Path:
    bar_chart(out / "accuracy_by_type.png", metrics["accuracy_by_type"], "accuracy by type")
    latency_chart(out / "latency.png", latencies)
    lines = [f"# 评测报告 / eval report — {metrics.get('dataset')}", "",
             f"引擎 engine: `{metrics.get('engine')}`，题目数 items: {metrics['items']}", "",
             "| 指标 metric | 值 value | 定义 definition |", "|---|---|---|"]
    for k, v in metrics.items():
        if k in ("accuracy_by_type", "dataset", "engine", "items"):
            continue
        lines.append(f"| {k} | {v} | {DEFINITIONS.get(k, '')} |")
    lines += ["", "## 按题型 accuracy by type", "", "![accuracy](accuracy_by_type.png)", ""]
    lines += [f"- {t}: {v}" for t, v in metrics["accuracy_by_type"].items()]
    lines += ["", "## 耗时 latency", "", "![latency](latency.png)", "", "## 错题 failures", ""]
    for r in rows:
        if not r["score"]["correct"]:
            ans = r["response"]["answer"].replace("\n", " ")[:160]
            lines.append(f"- `{r['id']}` ({r['type']}) {r['score']['why']} — {ans}")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
