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

from qa.errors import UserError
from qa.settings import Settings


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _stores(settings: Settings) -> Any:
    from index.ingest import Stores

    return Stores(settings)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from index.ingest import Ingestor, expand_paths

    paths = [Path(p) for p in args.paths]
    for p in paths:
        if not p.exists():
            raise UserError(f"路径不存在 / path not found: {p}", "检查文件或目录名")
    files = expand_paths(paths)
    ingestor = Ingestor(_stores(settings))
    t0 = time.perf_counter()
    bar = tqdm(total=len(files), desc="导入报告 ingest", unit="file", file=sys.stderr, disable=args.json or not files)

    def progress(res: Any, n: int, total: int) -> None:
        bar.set_postfix_str(res.file[:30])
        bar.update(1)

    results = ingestor.ingest(paths, org=args.org, year=args.year, on_progress=progress)
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
                print(f"{'✓' if r.status != 'skipped' else '='} {r.status:8} {r.file}  {r.org} {r.year} {r.doc_type}"
                      f"  facts={r.facts} chunks={r.chunks} tables={r.tables}")
        ok = len(results) - len(errors)
        print(f"{ok} 个报告就绪，{len(errors)} 个失败，用时 {elapsed:.1f}s", file=sys.stderr)
    return 2 if errors else 0


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    store = _stores(settings).facts
    counts = store.fact_counts()
    docs = [r.model_dump() | {"facts": counts.get(r.doc_id, 0)} for r in store.reports()]
    if args.json:
        _print_json({"reports": docs})
    else:
        if not docs:
            print("（索引为空 / no reports ingested）")
        for d in docs:
            print(f"{d['doc_id']}  {d['year']}  {d['org']}  {d['doc_type']}  facts={d['facts']}  {d['file']}")
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
    from qa.search import Searcher

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="预决算报告问答 / grounded QA over budget reports")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="导入报告文件或目录 / ingest files or folders")
    p.add_argument("paths", nargs="+")
    p.add_argument("--org", help="覆盖识别出的单位 / override the detected 单位")
    p.add_argument("--year", type=int, help="覆盖识别出的年度 / override the detected year")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("docs", help="已导入的报告 / ingested reports")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)
    p = sub.add_parser("facts", help="事实（数字）及位置 / facts with locations")
    p.add_argument("--org")
    p.add_argument("--year", type=int)
    p.add_argument("--table")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_facts)
    p = sub.add_parser("search", help="检索 / hybrid search")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "bm25"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
        func: Callable[[argparse.Namespace, Settings], int] = args.func
        return func(args, settings)
    except UserError as exc:
        print(f"错误 / error: {exc.render()}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
