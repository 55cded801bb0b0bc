"""The `qa` command line: ingest, docs, facts, search (`--json` everywhere). The one place — with app.py —
where `UserError`s become a message on stderr and exit code 2."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cli.args import build_parser
from core.errors import UserError
from core.settings import Settings
from eval.runner import compare_runs, run
from index.embed_train import train_from_files
from index.ingest import Ingestor, expand_paths
from qa.answer_models import VERDICT_LABELS
from qa.ask import Asker
from qa.audit import SEVERITY_LABELS, audit_coverage
from qa.audit.export import export_findings
from qa.export import export_answer, render_text
from qa.filters import parse_filters
from qa.llm import llm_from_settings
from qa.present import comparison_figure
from qa.search import Searcher
from qa.service import QAService
from qa.verify import Verifier
from stores import Stores
from stores.model_catalog import available_models


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _stores(settings: Settings) -> Stores:
    return Stores(settings)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    paths = [Path(p) for p in args.paths]  # a missing path is that path's error line, not the batch's end
    files = expand_paths(paths)
    ingestor = Ingestor(_stores(settings))
    t0 = time.perf_counter()
    bar = tqdm(total=len(files), desc="导入报告 ingest", unit="file", file=sys.stderr, disable=args.json or not files)

    def progress(res: Any, n: int, total: int) -> None:
        bar.set_postfix_str(res.file[:30])
        bar.update(1)

    results = ingestor.ingest(paths, org=args.org, year=args.year, on_progress=progress, kind=args.kind)
    bar.close()
    elapsed = time.perf_counter() - t0
    errors = [r for r in results if r.status == "error"]
    if args.json:
        _print_json({"results": [r.__dict__ for r in results], "seconds": round(elapsed, 2),
                     "errors": len(errors)})
    else:
        for r in results:
            if r.status == "error":
                print(f"✗ {r.error}", file=sys.stderr)
            else:
                mark = "⏸" if r.held else "⚠" if r.warnings else "✓" if r.status != "skipped" else "="
                cov = f" coverage={r.coverage:.1%}" if r.coverage is not None else ""
                who = f"{r.org or '（单位未识别）'} {r.year or '（年度未识别）'}"
                print(f"{mark} {r.status:8} {r.file}  {who} {r.doc_type}"
                      f"  facts={r.facts} chunks={r.chunks} tables={r.tables} named={len(r.tables_found)}{cov}")
                for w in r.warnings:
                    print(f"    ⚠ {w}")
        ok = len(results) - len(errors)
        held = sum(r.held for r in results if r.status != "error")
        on_hold = f"（其中 {held} 个缺单位/年度，暂不参与问答）" if held else ""
        print(f"{ok} 个报告就绪{on_hold}，{len(errors)} 个失败，用时 {elapsed:.1f}s", file=sys.stderr)
    # 0: every file went in; 1: some did, some failed (see their lines); 2: none went in
    return 0 if not errors else 1 if len(errors) < len(results) else 2


def _set_metadata(args: argparse.Namespace, settings: Settings) -> int:
    from index.ingest import Ingestor

    doc_id, pairs = args.set[0], args.set[1:]
    fields: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        key = {"kind": "doc_type", "单位": "org", "年度": "year", "类型": "doc_type"}.get(key, key)
        if key not in ("org", "year", "doc_type", "region") or not value:
            raise UserError(f"无法识别 {pair!r} / expected FIELD=VALUE", "字段：org=… year=… kind=… region=…")
        if key == "year" and not value.isdigit():
            raise UserError(f"年度须为数字 / year must be a number: {value}", "例如 year=2024")
        fields[key] = int(value) if key == "year" else value
    if not fields:
        raise UserError("没有要更正的字段 / nothing to set", "例如：qa docs --set DOC_ID org=上海市普陀区财政局 year=2024")
    ingestor = Ingestor(_stores(settings))
    if not ingestor.stores.facts.report(doc_id):
        raise UserError(f"没有这份报告 / no report {doc_id}", "用 qa docs 查看 doc_id")
    n = ingestor.set_metadata(doc_id, **fields)
    report = ingestor.stores.facts.report(doc_id)
    if args.json:
        _print_json({"report": report.model_dump() if report else None, "chunks_updated": n})
    else:
        print(f"✓ {doc_id}  {' '.join(f'{k}={v}' for k, v in fields.items())}  ({n} chunks updated)")
    return 0


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    if args.set:
        return _set_metadata(args, settings)
    store = _stores(settings).facts
    counts = store.fact_counts()
    docs = [r.model_dump() | {"facts": counts.get(r.doc_id, 0), "held": bool(r.missing_metadata)}
            for r in store.reports()]
    if args.json:
        _print_json({"reports": docs})
    else:
        if not docs:
            print("（索引为空 / no reports ingested）")
        for d in docs:
            warn = f"  ⚠{len(d['warnings'])}" if d["warnings"] else ""
            held = "  ⏸ 缺单位/年度，暂不参与问答（qa docs --set）" if d["held"] else ""
            print(f"{d['doc_id']}  {d['year'] or '—'}  {d['org'] or '—'}  {d['doc_type']}  facts={d['facts']}  "
                  f"{d['file']}{warn}{held}")
    return 0


def cmd_facts(args: argparse.Namespace, settings: Settings) -> int:
    store = _stores(settings).facts
    reports = [r for r in store.reports() if (not args.org or args.org in r.org) and (not args.year or r.year == args.year)]
    if not reports:
        raise UserError("没有符合条件的报告 / no report matches", "用 qa docs 查看已导入的报告")
    by_id = {r.doc_id: r for r in reports}
    facts = store.facts([r.doc_id for r in reports], table_id=args.table)
    if args.json:
        _print_json({"facts": [f.model_dump(mode="json") | {"org": by_id[f.doc_id].org, "year": by_id[f.doc_id].year,
                                                             "file": by_id[f.doc_id].file} for f in facts]})
    else:
        for f in facts:
            where = f.table_id or f.section
            label = " / ".join(x for x in (f.row_path or f.row_label, f.column) if x) if f.kind == "cell" else f.phrase
            print(f"{by_id[f.doc_id].file}:{f.line}  {f.raw:>12}  [{where}] {label}")
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    hits, filters = Searcher(_stores(settings)).search(args.query, k=args.k, mode=args.mode)
    if args.json:
        _print_json({"query": args.query, "mode": args.mode, "filters": filters.__dict__,
                     "hits": [h.as_dict() for h in hits]})
    else:
        if filters.describe():
            print(f"过滤 / filters: {filters.describe()}")
        for n, h in enumerate(hits, start=1):
            first = h.chunk.text.split("\n", 1)
            print(f"[{n}] {h.score:.4f}  {h.chunk.chunk_id}\n    {first[0][:80]}\n    {first[-1][:120]!r}")
    return 0


def _asker(settings: Settings) -> Any:
    return Asker(_stores(settings), llm_from_settings(settings))


def _history(path: str | None) -> list[dict[str, str]]:
    if not path:
        return []
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"无法读取对话历史 {p} / cannot read history: {exc}",
                        '格式：[{"q": "问题", "a": "回答"}, ...]', file=str(p)) from exc
    if not isinstance(data, list) or not all(isinstance(t, dict) and "q" in t for t in data):
        raise UserError(f"对话历史格式不对 / bad history format: {p}", '格式：[{"q": "问题", "a": "回答"}, ...]', file=str(p))
    return data


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    answer = _asker(settings).ask(args.question, _history(args.history), engine=args.engine)
    if args.export:
        export_answer([answer], Path(args.export))
    if args.json:
        _print_json(answer.to_json())
    else:
        print(render_text(answer))
    return 0


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    text = args.answer if args.answer is not None else sys.stdin.read()
    if not text.strip():
        raise UserError("没有要核验的回答 / nothing to verify", "用 --answer 传入，或从标准输入读入")
    asker = _asker(settings)
    reports = asker.stores.facts.reports()
    filters = parse_filters(f"{args.question or ''} {text}", reports)
    scope = [r.doc_id for r in reports if filters.matches(r)] if (filters.orgs or filters.years) else [r.doc_id for r in reports]
    report = Verifier(asker.facts).verify(text, [], scope)
    if args.json:
        _print_json(report.to_json())
    else:
        for f in report.figures:
            extra = f" 应为 {f.expected}" if f.expected else f"  {f.formula}" if f.formula else ""
            print(f"{VERDICT_LABELS[f.verdict]:6} {f.text}{extra}")
    return 0 if not report.failed else 1


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.compare:
        diff = compare_runs(Path(args.compare[0]), Path(args.compare[1]))
        if args.json:
            _print_json(diff)
        else:
            for k, v in diff["metrics"].items():
                if v["delta"]:
                    print(f"{k:40} {v['a']} → {v['b']} ({v['delta']:+})")
            print(f"变好 better: {len(diff['better'])}  " + " ".join(d["id"] for d in diff["better"]))
            print(f"变差 worse:  {len(diff['worse'])}  " + " ".join(d["id"] for d in diff["worse"]))
        return 0
    if not args.dataset:
        raise UserError("缺少数据集 / missing DATASET", "qa eval eval/datasets/main.jsonl --out runs/main")
    out = Path(args.out or f"eval/runs/{Path(args.dataset).stem}")
    bar = tqdm(desc="评测 eval", unit="题", file=sys.stderr, disable=args.json)
    metrics = run(Path(args.dataset), out, _asker(settings), engine=args.engine,
                  progress=lambda it, sc: bar.update(1))
    bar.close()
    if args.json:
        _print_json(metrics)
    else:
        for k, v in metrics.items():
            print(f"{k:40} {v}")
        print(f"报告 report: {out / 'report.md'}", file=sys.stderr)
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    rep = QAService(settings).remove(args.doc_id)
    print(f"已删除 / removed: {rep.file}  {rep.org} {rep.year}")
    return 0


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    rows = QAService(settings).measure_rows(args.measure)
    if args.chart and rows:
        comparison_figure(rows, args.measure).savefig(args.chart)
    if args.json:
        _print_json({"measure": args.measure, "rows": [{"org": r.org, "year": r.year, "value": str(r.value),
                                                        "unit": r.unit, "shown": r.shown, "source": r.source}
                                                       for r in rows]})
    else:
        for r in rows:
            print(f"{r.org}  {r.year}  {r.value}{r.unit}  ← {r.source}")
        if not rows:
            print(f"（没有报告披露“{args.measure}” / no report discloses it）")
    return 0


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    rows = available_models(settings.embedder)
    if args.json:
        _print_json(rows)
        return 0
    for r in rows:
        mark = "*" if r["active"] else " "
        print(f"{mark} {r['name']:<28} {r['architecture']:<22} {r['size_mb']:>8} MB  {r['source']}  {r['path']}")
    print("* = 当前使用 / active   切换：QA_EMBEDDER__MODEL_PATH=名称或目录（更换后需重新 qa ingest）")
    return 0


def cmd_train_embedder(args: argparse.Namespace, settings: Settings) -> int:
    files = expand_paths([Path(p) for p in args.paths])
    if not files:
        raise UserError(f"没有找到训练用的报告 / no reports under {' '.join(args.paths)}", "给出报告文件或目录")
    meta = train_from_files(files, Path(args.out), exclude=set(args.exclude), seed=args.seed, dim=args.dim,
                            epochs=args.epochs, log=lambda m: print(m, file=sys.stderr))
    _print_json(meta) if args.json else print(f"已保存 / saved: {args.out}  ({meta['train_seconds']} s)")
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    found, coverage = audit_coverage(_stores(settings), args.org, args.year)
    findings = [f for f in found if not args.severity or f.severity in args.severity]
    if args.export:
        print(f"已导出 / exported: {export_findings(findings, Path(args.export))}", file=sys.stderr)
    if args.json:
        _print_json({"findings": [f.to_json() for f in findings], "count": len(findings),
                     "coverage": [c.model_dump(mode="json") for c in coverage]})
    else:
        for f in findings:
            where = "；".join(f"{c.file}:{c.line}" for c in f.citations[:3])
            print(f"[{SEVERITY_LABELS[f.severity]}] {f.kind}  {f.org} {f.year}  {f.message}\n    {where}")
        print("\n核查范围 / rules per document:")
        for c in coverage:
            print(f"  {c.org} {c.year}（{c.file}）：运行 {len(c.ran)} 条规则，{sum(1 for f in found if f.doc_id == c.doc_id)} 条发现")
            for rule, why in c.skipped.items():
                print(f"    未运行 {rule}：{why}")
        print(f"共 {len(findings)} 条 / findings", file=sys.stderr)
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "ingest": cmd_ingest,
    "docs": cmd_docs,
    "facts": cmd_facts,
    "search": cmd_search,
    "ask": cmd_ask,
    "verify": cmd_verify,
    "remove": cmd_remove,
    "compare": cmd_compare,
    "audit": cmd_audit,
    "models": cmd_models,
    "train-embedder": cmd_train_embedder,
    "eval": cmd_eval,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        return COMMANDS[args.command](args, settings)
    except UserError as exc:
        print(f"错误 / error: {exc.render()}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `qa ask … | head`: the reader left; nothing more to say
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
