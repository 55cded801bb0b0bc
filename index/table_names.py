"""Which of a family's tables a report holds, by name: parsed tables' captions (title, `公开07表` id) and, where the
parser found no table, the document's own title lines (`2026年部门收入预算总表`, `收入决算表`).

Names, synonyms and id patterns are profile data (index/profiles/); a title matches a table when, spaces and
quotes aside, it ends with one of its names (the longest wins: 财政拨款收入支出决算总表 ≠ 收入支出决算总表) and
what precedes the name is nothing, a year, or a 单位 and year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.models import TableModel
from index.org_names import is_name
from index.profiles import DocKind, Profile, TableSpec, doc_kinds, families_for, load_profiles, norm_title

_NUMBERED = re.compile(r"^(?:[-•·*]|[一二三四五六七八九十]+[、.．]|\d+(?:-\d+)?[、.．]|[（(][一二三四五六七八九十\d]+[)）]|附件)")
_YEAR_TAIL = re.compile(r"20\d{2}年度?$")
_TITLE_GAP = 8  # lines between a table's title and its first row (unit, 公开XX表, 部门： lines)
_NOTE_WINDOW = 30  # lines below a title searched for a note saying the table is empty


@dataclass
class FoundTable:
    key: str  # the table's id in its family (决算01, 公开07表, 预算05 …)
    name: str  # canonical name
    title: str  # as printed
    line: int
    parsed: bool  # a parsed table carries this name (its cells are facts)
    empty: bool = False  # the document says the table has no data (`故本表无数据`)


@dataclass
class FamilyMatch:
    family: str
    name: str
    kind: str
    found: list[FoundTable] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)  # canonical names a document of this kind holds

    @property
    def missing(self) -> list[str]:
        have = {f.name for f in self.found}
        return [n for n in self.expected if n not in have]


def _prefix_ok(prefix: str) -> bool:
    """What may stand before a table name in its title: nothing, 部门, a year, or a 单位 (and year)."""
    rest = re.sub(r"部门$", "", prefix)
    rest = _YEAR_TAIL.sub("", rest)
    return not rest or is_name(rest)


_TRAILING_NOTE = re.compile(r"[(（][^()（）]*[)）]$")


def match_title(title: str, profile: Profile) -> TableSpec | None:
    """The table a title names (`项目支出绩效自评表（社区网格化服务项目）`: the note in brackets aside)."""
    text = _TRAILING_NOTE.sub("", norm_title(title))
    best: tuple[int, TableSpec] | None = None
    for spec in profile.tables:
        for name in spec.names():
            if text.endswith(name) and _prefix_ok(text[: len(text) - len(name)]) and (best is None or len(name) > best[0]):
                best = (len(name), spec)
    return best[1] if best else None


def specs_for_title(title: str) -> list[TableSpec]:
    """The table a title names in each report family that knows it (the shipped profiles, first family first)."""
    if not title:
        return []
    return [spec for spec in (match_title(title, p) for p in load_profiles()) if spec is not None]


def match_id(table_id: str, profile: Profile) -> TableSpec | None:
    text = norm_title(table_id)
    return next((s for s in profile.tables if any(re.fullmatch(p, text) for p in s.id_patterns)), None)


def _title_lines(lines: list[str]) -> list[tuple[int, str]]:
    out = []
    for idx, raw in enumerate(lines):
        text = raw.strip()
        squeezed = re.sub(r"\s+", "", text)
        if not squeezed or len(squeezed) > 50 or "\t" in text or "…" in text or _NUMBERED.match(squeezed):
            continue
        if squeezed.endswith("表"):
            out.append((idx + 1, text))
    return out


def _stated_empty(profile: Profile, lines: list[str], title_line: int, next_title: int) -> bool:
    """A note below the title (before the next table title) says the table is empty."""
    below = "".join(re.sub(r"\s+", "", t) for t in lines[title_line : min(next_title - 1, title_line + _NOTE_WINDOW)])
    return any(note in below for note in profile.empty_table_notes)


def _match_family(profile: Profile, tables: list[TableModel], title_lines: list[tuple[int, str]],
                  lines: list[str]) -> list[FoundTable]:
    found: dict[str, FoundTable] = {}
    for t in tables:
        spec = match_title(t.title, profile) or match_id(t.table_id.split("#")[0], profile)
        if spec and spec.id not in found:
            found[spec.id] = FoundTable(spec.id, spec.name, t.title, t.start, True)
    starts = [t.start for t in tables]
    for pos, (line, text) in enumerate(title_lines):
        spec = match_title(text, profile)
        if spec and spec.id not in found:  # a parsed table just below its title holds its cells, whatever its caption
            parsed = any(0 < s - line <= _TITLE_GAP for s in starts)
            nxt = title_lines[pos + 1][0] if pos + 1 < len(title_lines) else len(lines) + 1
            found[spec.id] = FoundTable(spec.id, spec.name, text, line, parsed,
                                        empty=not parsed and _stated_empty(profile, lines, line, nxt))
    order = {s.id: n for n, s in enumerate(profile.tables)}
    return sorted(found.values(), key=lambda f: order[f.key])


def _id_hits(profile: Profile, tables: list[TableModel]) -> int:
    return sum(match_id(t.table_id.split("#")[0], profile) is not None for t in tables)


def _expected(kind: DocKind | None, profile: Profile) -> list[str]:
    if kind is None or "*" in kind.expects:
        return [s.name for s in profile.tables if not s.optional]
    return [s.name for s in profile.tables if s.id in kind.expects and not s.optional]


def identify_tables(tables: list[TableModel], lines: list[str], parts: list[str],
                    profiles: list[Profile]) -> list[FamilyMatch]:
    """For each kind the report holds, the family (of those describing that kind) whose tables it names most."""
    kinds = {k.name: k for k in doc_kinds(profiles)}
    title_lines = _title_lines(lines)
    matches: list[FamilyMatch] = []
    used: set[str] = set()
    for part in parts:
        options = [(p, _match_family(p, tables, title_lines, lines)) for p in families_for(profiles, part)]
        if not options:
            continue
        # most tables named; then the family whose table ids (公开07表) the captions use
        prof, found = max(options, key=lambda o: (len(o[1]), sum(f.parsed for f in o[1]), _id_hits(o[0], tables)))
        if prof.family in used:
            continue
        used.add(prof.family)
        matches.append(FamilyMatch(prof.family, prof.name, part, found, _expected(kinds.get(part), prof)))
    return matches
