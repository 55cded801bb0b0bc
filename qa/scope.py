"""Hard and soft constraints on the facts a measure is looked up in: a table the question names (公开06表,
三公经费表) and a whole the measure sits in (基本支出里，人员经费…)."""

from __future__ import annotations

import re

from core.models import Fact
from qa.resolve import meaningful_terms, norm


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def in_table(facts: list[Fact], mention: str) -> list[Fact]:
    """The facts of the table a question names — 公开06表 by its number, 三公经费表/收入决算表 as an ordered
    subsequence of a table title (from its last four characters on) — or all facts when no table matches."""
    if not mention:
        return facts
    number = re.match(r"公开0?(\d{1,2})表", mention)
    if number:
        chosen = [f for f in facts if f.table_id and re.fullmatch(rf"公开0?{number.group(1)}表", f.table_id)]
        return chosen or facts
    titles = {f.table_title for f in facts if f.kind == "cell" and f.table_title}
    for i in range(0, max(1, len(mention) - 3)):
        part = mention[i:].replace("“", "").replace("”", "").replace('"', "")
        hits = {t for t in titles if _subsequence(part, t.replace("“", "").replace("”", ""))}
        if hits:
            return [f for f in facts if f.table_title in hits]
    return facts


def inside_of(facts: list[Fact], whole: str) -> list[Fact]:
    """Facts whose table title, row path, section or sentence carries every word of `whole` the report knows."""
    terms = meaningful_terms(whole, facts)
    return [f for f in facts
            if all(t in norm(" ".join(x or "" for x in (f.table_title, f.row_path, f.section, f.sentence))) for t in terms)]
