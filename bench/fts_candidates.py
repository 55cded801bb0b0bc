"""Experiment (issue 18): SQLite FTS5 over the jieba tokens of each fact's descriptor (label, local context, column,
table title, section, unit) as the candidate filter of a single-report lookup. For every lookup question of an eval
set and every report (or `--sample` reports per question), the winning group over all the report's facts is
compared with the winning group over the FTS candidates, and both are timed; the cost of building the index is
recorded per report.

    python bench/fts_candidates.py --data DATA_DIR [--dataset eval/datasets/main.jsonl] [--sample 20] [--out FILE]

The index is built in memory from the stored facts: the product does not keep one (see the README's scale section).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from core.descriptors import label_of
    from core.lexicon import tokenize
    from core.settings import Settings
    from index.chunk_tokens import TokenMemo
    from qa.resolve import best, local_context, meaningful_terms, rank_facts, want_dimension
    from qa.understand import parse_question
    from stores import Stores

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a data dir with reports ingested")
    ap.add_argument("--dataset", type=Path, default=ROOT / "eval/datasets/main.jsonl")
    ap.add_argument("--sample", type=int, default=0, help="reports per question (0: all)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    stores = Stores(Settings(data_dir=args.data))
    reports = stores.facts.reports()
    tokenize("预热")  # the dictionary loads once per process: not the index's cost
    memo = TokenMemo()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(doc, body, fact UNINDEXED)")
    counts, build = {}, 0.0
    for r in reports:  # facts are read again per question (at 1,000 reports they would not fit in memory at once)
        fs = stores.facts.facts([r.doc_id])
        counts[r.doc_id] = len(fs)
        t0 = time.perf_counter()
        rows = [(r.doc_id, " ".join(memo.tokens(" ".join([label_of(f), local_context(f), f.column, f.table_title or "",
                                                            f.section, f.unit]))), f.fact_id) for f in fs]
        db.executemany("INSERT INTO fts VALUES (?,?,?)", rows)
        build += time.perf_counter() - t0
    items = [json.loads(line) for line in args.dataset.open(encoding="utf-8") if line.strip()]
    items = [i for i in items if i.get("type") == "lookup"]
    rng = random.Random(0)
    same, diffs, t_all, t_fts, n_all, n_cand = 0, [], [], [], [], []
    for item in items:
        q = parse_question(item["question"], reports)
        if not q.measure:
            continue
        dim = want_dimension(q.measure + q.text, "lookup")
        for r in rng.sample(reports, args.sample) if 0 < args.sample < len(reports) else reports:
            fs = stores.facts.facts([r.doc_id])
            t0 = time.perf_counter()
            full = best(rank_facts(fs, q.measure, q.text, dim, q.budget))
            t_all.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            terms = meaningful_terms(q.measure, fs)
            toks = sorted({t for term in terms for t in tokenize(term)})
            match = " OR ".join('"' + t.replace('"', "") + '"' for t in toks)
            ids = {row[0] for row in db.execute("SELECT fact FROM fts WHERE fts MATCH ?",
                                                (f'doc:"{r.doc_id}" AND ({match})',))} if toks else set()
            cand = [f for f in fs if f.fact_id in ids]
            got = best(rank_facts(cand, q.measure, q.text, dim, q.budget, terms=terms))
            t_fts.append(time.perf_counter() - t0)
            n_all.append(len(fs))
            n_cand.append(len(cand))
            if [s.fact.fact_id for s in full] == [s.fact.fact_id for s in got]:
                same += 1
            else:
                diffs.append({"id": item["id"], "report": r.file, "measure": q.measure,
                              "all_facts": [s.fact.raw for s in full[:2]], "fts": [s.fact.raw for s in got[:2]]})

    def ms(xs: list[float], p: float) -> float:
        xs = sorted(xs)
        return round(xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] * 1000, 2)

    record = {"data_reports": len(reports), "lookup_questions": len(items), "pairs": same + len(diffs),
              "same_winning_group": same, "different": len(diffs), "differences": diffs[:20],
              "rank_all_facts_ms_p50_p95": [ms(t_all, 0.5), ms(t_all, 0.95)],
              "fts_then_rank_candidates_ms_p50_p95": [ms(t_fts, 0.5), ms(t_fts, 0.95)],
              "facts_per_report_p50": statistics.median(n_all), "candidates_p50": statistics.median(n_cand),
              "index_build_ms_per_report": round(build / len(reports) * 1000, 1),
              "index_rows": sum(counts.values())}
    print(json.dumps(record, ensure_ascii=False, indent=2))
    if args.out:
        args.out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
