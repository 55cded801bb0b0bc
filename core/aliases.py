"""单位 aliases derived from the ingested names, used by ingestion (training pairs) and question understanding.

Nothing here is a hand list per report: the generic words of 单位 names (人民政府, 街道办事处, 委员会 → 委 …) are
data in `core/data/org_words.json`; a short name such as 文旅局/规资局/建管委 is recognised as an ordered
subsequence of a 单位's own name; region aliases (石峰区, 石峰 … from 株洲市石峰区…) come from the region."""

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
    org, region = report.org, report.region
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
    for suffix, abbrevs in sorted(org_words()["generic_suffixes"].items(), key=lambda kv: -len(kv[0])):
        if core.endswith(suffix) and len(core) > len(suffix):
            return core[:-len(suffix)], list(abbrevs)
    return core, []


def derived_aliases(report: Report) -> set[str]:
    """Every name a question may use for a 单位: the region aliases, the name without region, its head
    (宜川路, 文化和旅游) and its head with each way of writing the suffix (宜川路街道)."""
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
    return {a for a in aliases if len(a) >= 2}


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def abbreviations(question: str, reports: list[Report]) -> list[tuple[str, str]]:
    """(span, org) for short names in the question: a span whose head is an ordered subsequence of a 单位's head
    (same first character) followed by a way of writing its suffix — 文旅局, 规资局, 建管委, 城管执法局, 网格中心."""
    out: list[tuple[str, str]] = []
    for r in reports:
        if not r.org.strip():
            continue
        head, abbrevs = core_parts(org_core(r))
        if not head or not abbrevs:
            continue
        for a in abbrevs:
            for m in re.finditer(re.escape(a), question):
                k = m.start()
                for i in range(max(0, k - 8), k - 1):
                    h = question[i:k]
                    if h[0] == head[0] and _CJK.match(h) and _subsequence(h, head):
                        out.append((question[i:m.end()], r.org))
                        break
    return out


def alias_table(reports: list[Report]) -> dict[str, set[str]]:
    """alias → orgs; an alias shared by several orgs (a city name) identifies none and is dropped."""
    table: dict[str, set[str]] = {}
    for r in reports:
        if not r.org.strip():
            continue  # a report whose 单位 is unknown has no names: an empty alias would be in every question
        for alias in derived_aliases(r):
            table.setdefault(alias, set()).add(r.org)
    return {a: orgs for a, orgs in table.items() if len(orgs) == 1}
