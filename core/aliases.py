"""单位 aliases derived from the ingested names, used by ingestion (training pairs) and question understanding.

Nothing here is a hand list per report: the generic words of 单位 names (人民政府, 街道办事处, 委员会 → 委 …) are
data in `core/data/org_words.json`; a short name such as 文旅局/规资局/建管委 is recognised as an ordered
subsequence of a 单位's own name; region aliases (石峰区, 石峰 … from 株洲市石峰区…) come from the region.

Every question reads these tables, so they are computed once per set of (单位, region) names — one ingest or
correction changes the set — and kept (a small LRU), not rebuilt per question: at 1,000 reports rebuilding them
cost ~50 ms a question."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.models import Report

_REGION_PART = re.compile(r"[\u4e00-\u9fa5]{1,6}?(?:省|自治区|市|自治州|州|盟|区|县|旗)")


def org_aliases(report: Report) -> set[str]:
    """石峰区, 石峰, 石峰区网格化管理服务中心 … from 株洲市石峰区网格化管理服务中心 (region 株洲市石峰区)."""
    org, region = report.org, report.region
    aliases = {org}
    parts = _REGION_PART.findall(region) if region else []
    if parts:
        last = parts[-1]
        aliases.add(last)
        if len(last) >= 3:
            aliases.add(last[:-1])
        aliases.add(org[len(region):] and last + org[len(region):])
    return {a for a in aliases if a and len(a) >= 2}


@lru_cache(maxsize=1)
def org_words() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "org_words.json").read_text(encoding="utf-8"))
    return data


_REGION_RUN = re.compile(r"(?:[\u4e00-\u9fa5]{1,6}?(?:省|自治区|市|自治州|州|盟|区|县|旗))+")
_CJK = re.compile(r"^[\u4e00-\u9fa5]+$")


def org_core(report: Report) -> str:
    """The 单位 name without its region and generic prefixes: 文化和旅游局, 宜川路街道办事处, 网格化管理服务中心."""
    return _org_core(report.org, report.region)


@lru_cache(maxsize=8192)
def _org_core(org: str, region: str) -> str:
    if region and org.startswith(region) and len(org) > len(region) + 1:
        core = org[len(region):]
    else:
        m = _REGION_RUN.search(org)
        core = org[m.end():] if m and len(org) - m.end() >= 3 else org
    for p in org_words()["generic_prefixes"]:
        if core.startswith(p) and len(core) > len(p) + 1:
            core = core[len(p):]
    return core


def core_parts(core: str) -> tuple[str, list[str]]:
    """(head, ways the generic suffix is written): 建设和管理 + [委员会, 委] from 建设和管理委员会."""
    head, abbrevs = _core_parts(core)
    return head, list(abbrevs)


@lru_cache(maxsize=8192)
def _core_parts(core: str) -> tuple[str, tuple[str, ...]]:
    for suffix, abbrevs in sorted(org_words()["generic_suffixes"].items(), key=lambda kv: -len(kv[0])):
        if core.endswith(suffix) and len(core) > len(suffix):
            return core[:-len(suffix)], tuple(abbrevs)
    return core, ()


def derived_aliases(report: Report) -> set[str]:
    """Every name a question may use for a 单位: the region aliases, the name without region, its head
    (宜川路, 文化和旅游) and its head with each way of writing the suffix (宜川路街道)."""
    return set(_derived_aliases(report.org, report.region))


@lru_cache(maxsize=8192)
def _derived_aliases(org: str, region: str) -> frozenset[str]:
    report = Report(doc_id="", file="", org=org, region=region, doc_type="")
    aliases = set(org_aliases(report))
    core = org_core(report)
    head, abbrevs = core_parts(core)
    aliases.add(core)
    if abbrevs:
        aliases.add(head)
        aliases |= {head + a for a in abbrevs}
    for word in org_words()["admin_words"]:  # 宜川路街道社区事务受理服务中心: 宜川路街道 names the 街道
        i = core.find(word)
        if i >= 2:
            aliases |= {core[:i + len(word)], core[:i]}
    return frozenset(a for a in aliases if len(a) >= 2)


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def names_key(reports: list[Report]) -> tuple[tuple[str, str], ...]:
    """The (单位, region) names of a set of reports, in their order (which 单位 a question names first follows
    it): what every alias table depends on (cheap to build)."""
    # a report whose 单位 is unknown has no names: an empty alias would be in every question
    return tuple(dict.fromkeys((r.org, r.region) for r in reports if r.org.strip()))


@lru_cache(maxsize=16)
def _abbreviation_index(key: tuple[tuple[str, str], ...]
                        ) -> tuple[tuple[str, tuple[tuple[int, int, str, str], ...]], ...]:
    """way of writing a suffix → (position of the 单位 in the library, of the way among its suffix's, head, org)."""
    index: dict[str, list[tuple[int, int, str, str]]] = {}
    for n, (org, region) in enumerate(key):
        head, abbrevs = _core_parts(_org_core(org, region))
        if not head:
            continue
        for j, a in enumerate(abbrevs):
            index.setdefault(a, []).append((n, j, head, org))
    return tuple((a, tuple(v)) for a, v in index.items())


def abbreviations(question: str, reports: list[Report]) -> list[tuple[str, str]]:
    """(span, org) for short names in the question: a span whose head is an ordered subsequence of a 单位's head
    (same first character) followed by a way of writing its suffix — 文旅局, 规资局, 建管委, 城管执法局, 网格中心.
    In the library's order of 单位 (the order a question's 单位 are listed in follows it)."""
    found: list[tuple[int, int, int, str, str]] = []
    for a, owners in _abbreviation_index(names_key(reports)):
        if a not in question:
            continue
        for m in re.finditer(re.escape(a), question):
            k = m.start()
            for n, j, head, org in owners:
                for i in range(max(0, k - 8), k - 1):
                    h = question[i:k]
                    if h[0] == head[0] and _CJK.match(h) and _subsequence(h, head):
                        found.append((n, j, k, question[i:m.end()], org))
                        break
    return [(span, org) for *_, span, org in sorted(found)]


def alias_table(reports: list[Report]) -> dict[str, set[str]]:
    """alias → orgs; an alias shared by several orgs (a city name) identifies none and is dropped."""
    return {a: set(orgs) for a, orgs in _alias_table(names_key(reports)).items()}


def alias_names(reports: list[Report]) -> frozenset[str]:
    """Every alias of `alias_table` (cached, not copied)."""
    return frozenset(_alias_table(names_key(reports)))


def aliases_in(question: str, reports: list[Report]) -> dict[str, set[str]]:
    """The entries of `alias_table` whose alias the question contains (without copying the whole table)."""
    return {a: set(orgs) for a, orgs in _alias_table(names_key(reports)).items() if a in question}


@lru_cache(maxsize=16)
def _alias_table(key: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for org, region in key:
        for alias in _derived_aliases(org, region):
            table.setdefault(alias, set()).add(org)
    return {a: frozenset(orgs) for a, orgs in table.items() if len(orgs) == 1}
