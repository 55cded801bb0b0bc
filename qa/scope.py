"""Hard and soft constraints on the facts a measure is looked up in: a table the question names (公开06表,
三公经费表, 公开的一般公共预算支出决算表) and a whole the measure sits in (基本支出里，人员经费…).

A named table is resolved with the report-family profiles (index/profiles/*.json: each table's name and
synonyms), not with table names in code: the mention is matched to the profile tables whose names hold it as an
ordered subsequence, the closest first, and a report's tables are known by the profile name their title carries."""

from __future__ import annotations

import re
from functools import lru_cache

from core.models import Fact
from index.profiles import load_profiles, norm_title
from qa.resolve import meaningful_terms, norm


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@lru_cache(maxsize=1)
def _table_names() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(table key, one of its names, the document kinds of its family) for every table of every profile."""
    out = []
    for p in load_profiles():
        for t in p.tables:
            out += [(f"{p.family}:{t.id}", n, tuple(p.applies_to)) for n in t.names()]
    return tuple(out)


@lru_cache(maxsize=256)
def named_tables(mention: str) -> tuple[tuple[int, str], ...]:
    """(cost, table key) of the profile tables a mention may name, cheapest first: the mention from its i-th
    character on (公开的… drops its first words) is an ordered subsequence of a name; the cost counts the skipped
    characters twice and the characters the name adds once."""
    m = norm_title(mention)
    best: dict[str, int] = {}
    for key, name, _ in _table_names():
        for i in range(0, max(1, len(m) - 3)):
            if _subsequence(m[i:], name):
                cost = 2 * i + len(name) - len(m[i:])
                best[key] = min(cost, best.get(key, cost))
                break
    return tuple(sorted((c, k) for k, c in best.items()))


def table_kinds(mention: str) -> list[str]:
    """The document kinds a named table belongs to, when every profile table it may name agrees (收入决算表 →
    部门决算); none when families differ (三公经费表 is in the budget and the final accounts)."""
    keys = {k for _, k in named_tables(mention)}
    kinds = {kinds for key, _, kinds in _table_names() if key in keys}
    return list(next(iter(kinds))) if len(kinds) == 1 else []


def _key_of(title: str) -> str | None:
    """The profile table a printed title is: the longest profile name the title holds."""
    t = norm_title(title)
    hits = [(len(name), key) for key, name, _ in _table_names() if name in t]
    return max(hits)[1] if hits else None


def in_table(facts: list[Fact], mention: str) -> list[Fact]:
    """The facts of the table a question names — 公开06表 by its number; a name by the report-family profiles
    (the cheapest profile table this report prints); else as an ordered subsequence of a printed title (from its
    last four characters on) — or all facts when no table matches."""
    if not mention:
        return facts
    number = re.match(r"公开0?(\d{1,2})表", mention)
    if number:
        chosen = [f for f in facts if f.table_id and re.fullmatch(rf"公开0?{number.group(1)}表", f.table_id)]
        return chosen or facts
    titles = {f.table_title for f in facts if f.kind == "cell" and f.table_title}
    keys = {t: _key_of(t) for t in titles}
    for _, key in named_tables(mention):
        hits = {t for t, k in keys.items() if k == key}
        if hits:
            return [f for f in facts if f.table_title in hits]
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
