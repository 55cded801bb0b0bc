"""`部门决算公开要附哪几张表？` — the tables a report of the asked kind holds, by the names its report family's
profile gives them (index/profiles/*.json), each cited at the first line that names it (the 目录 or the table's
own title). Which words ask for the table list is data (`qa/data/text_sections.json`, `_tables`)."""

from __future__ import annotations

import re
from typing import Any

from core.models import Report
from index.profiles import TableSpec, families_for, load_profiles, norm_title
from qa.answer_models import Citation
from qa.sections_answer import raw_data

_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．]|公开\d+表)\s*")


def spec() -> dict[str, Any]:
    data: dict[str, Any] = raw_data()["_tables"]
    return data


def asks_tables(question: str) -> bool:
    return any(w in question for w in spec()["ask"])


def located(report: Report, lines: list[str]) -> list[tuple[TableSpec, int]]:
    """(table, first line naming it) for every table of the report's family that one of its lines names."""
    titles = [_ORDINAL.sub("", norm_title(x.strip())) for x in lines]
    out: list[tuple[TableSpec, int]] = []
    for prof in families_for(load_profiles(), report.doc_type):
        for table in prof.tables:
            names = set(table.names())
            at = next((i + 1 for i, t in enumerate(titles) if t in names or any(t.endswith(n) and len(t) - len(n) < 30
                                                                                 and "表" not in t[:-len(n)] for n in names)), None)
            if at is not None:
                out.append((table, at))
        if out:
            break
    return out


def tables_answer(question: str, reports: list[Report], lines_for: dict[str, list[str]]) -> tuple[str, list[Citation]]:
    """('据…，…所附的表是：收入支出决算总表[1]、…', citations) or ('', []) when the question does not ask for the table list or no
    report in scope names its family's tables. Of equally complete reports, the latest year's."""
    if not asks_tables(question):
        return "", []
    best: tuple[Report, list[tuple[TableSpec, int]]] | None = None
    for r in reports:
        found = located(r, lines_for.get(r.doc_id, []))
        if found and (best is None or (len(found), r.year or 0) > (len(best[1]), best[0].year or 0)):
            best = (r, found)
    if best is None:
        return "", []
    r, found = best
    citations: list[Citation] = []
    items = []
    for i, (table, ln) in enumerate(found, start=1):
        citations.append(Citation(n=i, doc_id=r.doc_id, file=r.file, org=r.org, year=r.year, table=table.name,
                                  quote=lines_for[r.doc_id][ln - 1].strip(), line=ln))
        items.append(f"{table.name}[{i}]")
    return f"据{r.org}{r.year or ''}年{r.doc_type}，{r.doc_type}所附的表是：" + "、".join(items) + "。", citations
