"""Filters parsed from a question: which 单位 (by aliases derived from the ingested names), which years
(2023年, 23年), which kinds of document. Nothing here is a hand list per report: the generic words of 单位
names (人民政府, 街道办事处, 委员会 → 委 …) are data in `qa/data/org_words.json`, and a short name such as
文旅局/规资局/建管委 is recognised as an ordered subsequence of a 单位's own name."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from qa.models import Report

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
        for alias in derived_aliases(r):
            table.setdefault(alias, set()).add(r.org)
    return {a: orgs for a, orgs in table.items() if len(orgs) == 1}


@dataclass
class QueryFilters:
    orgs: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)  # the question's words that set the filters
    mentions: list[str] = field(default_factory=list)  # words naming 单位 (also ambiguous ones: 网格中心)

    def matches(self, report: Report) -> bool:
        if self.orgs and report.org not in self.orgs:
            return False
        if self.years and report.year not in self.years:
            return False
        return not self.kinds or any(k in p for k in self.kinds for p in [report.doc_type, *report.parts])

    def describe(self) -> str:
        bits = []
        if self.orgs:
            bits.append("单位=" + "、".join(self.orgs))
        if self.years:
            bits.append("年度=" + "、".join(map(str, self.years)))
        if self.kinds:
            bits.append("类型=" + "、".join(self.kinds))
        return "；".join(bits)


YEAR_WORD = re.compile(r"(?<![\d.])(20\d{2}|\d{2})\s*年(?:度)?(?!\s*\d{1,2}\s*月)(?!代)")


def years_in(text: str) -> list[int]:
    """Fiscal years a text names: 2023年, 2023年度, and the short 23年 officials type (not 25年8月, a date)."""
    out = []
    for m in YEAR_WORD.finditer(text):
        y = int(m.group(1))
        y = y + 2000 if y < 100 else y
        if 2000 <= y <= 2060:
            out.append(y)
    return out


def parse_filters(question: str, reports: list[Report]) -> QueryFilters:
    table = alias_table(reports)
    spans: dict[str, set[str]] = {a: set(o) for a, o in table.items() if a in question}
    for span, org in abbreviations(question, reports):
        spans.setdefault(span, set()).add(org)
    orgs: list[str] = []
    # longest names first so 石峰区网格中心 is not read as something shorter
    matched: list[str] = []
    mentions: list[str] = []
    for alias in sorted(spans, key=len, reverse=True):
        if any(alias in m for m in mentions):
            continue
        mentions.append(alias)
        if len(spans[alias]) != 1:
            continue  # 网格中心 names a 单位 but not which one
        matched.append(alias)
        for org in spans[alias]:
            if org not in orgs:
                orgs.append(org)
    years = sorted(set(years_in(question)))
    matched += [m.group(0) for m in YEAR_WORD.finditer(question)]
    kinds: list[str] = []
    if "自评" in question:
        kinds.append("自评")
    if re.search(r"部门决算|决算报告|决算公开", question) and "自评" not in question:  # not 支出决算/决算数
        kinds.append("部门决算")
    if "基础数据表" in question:
        kinds.append("基础数据表")
    return QueryFilters(orgs, years, kinds, matched, mentions)


def strip_filter_words(question: str, filters: QueryFilters) -> str:
    """The question without the words that became filters (every chunk of a report carries its 单位 and year)."""
    for word in sorted({*filters.matched, *filters.mentions}, key=len, reverse=True):
        question = question.replace(word, " ")
    return question.strip() or question
