"""Filters parsed from a question: which 单位 (by aliases derived from the ingested names), which years
(2023年, 23年), which kinds of document. Nothing here is a hand list per report: the generic words of 单位
names (人民政府, 街道办事处, 委员会 → 委 …) are data in `core/data/org_words.json` (core.aliases), and a short name such as
文旅局/规资局/建管委 is recognised as an ordered subsequence of a 单位's own name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.aliases import abbreviations, aliases_in, core_parts, org_core
from core.models import Report


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
    spans: dict[str, set[str]] = aliases_in(question, reports)  # the alias table is cached per set of names
    for span, org in abbreviations(question, reports):
        spans.setdefault(span, set()).add(org)
    for span, org in listed_heads(question, spans, reports):
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


_LIST = re.compile(r"[\u4e00-\u9fa5]{2,16}(?:、[\u4e00-\u9fa5]{2,16})+")


def listed_heads(question: str, spans: dict[str, set[str]], reports: list[Report]) -> list[tuple[str, str]]:
    """Items of an enumeration (甲、乙、丙) that lists a known 单位 are 单位 too: an item named by a bare short
    head — 城管 for 城市管理行政执法局: an ordered subsequence of one 单位's head, same first character — is
    read as that 单位 (alone, such a short word is not: 城管 may be a topic)."""
    heads = {r.org: core_parts(org_core(r))[0] for r in reports}
    out: list[tuple[str, str]] = []
    for m in _LIST.finditer(question):
        items = m.group(0).split("、")
        known = [any(a in item for a in spans) for item in items]
        if not any(known):
            continue
        for i, item in enumerate(items):
            if known[i]:
                continue
            # the first item may carry words before it, the last the words after it
            cands = ([item[j:] for j in range(len(item) - 1)] if i == 0 else
                     [item[:j] for j in range(len(item), 1, -1)] if i == len(items) - 1 else [item])
            for c in cands:
                hits = {org for org, head in heads.items() if head and 2 <= len(c) <= len(head)
                        and c[0] == head[0] and _subsequence(c, head)}
                if len(hits) == 1:
                    out.append((c, hits.pop()))
                    break
    return out


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def strip_filter_words(question: str, filters: QueryFilters) -> str:
    """The question without the words that became filters (every chunk of a report carries its 单位 and year)."""
    for word in sorted({*filters.matched, *filters.mentions}, key=len, reverse=True):
        question = question.replace(word, " ")
    return question.strip() or question
