"""Filters parsed from a question: which 单位 (by aliases derived from the ingested names), which years,
which kinds of document. Nothing here is a hand list per report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.aliases import alias_table
from core.models import Report


@dataclass
class QueryFilters:
    orgs: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)  # the question's words that set the filters

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


def parse_filters(question: str, reports: list[Report]) -> QueryFilters:
    table = alias_table(reports)
    orgs: list[str] = []
    # longest aliases first so 石峰区网格中心 is not read as something shorter
    matched: list[str] = []
    for alias in sorted(table, key=len, reverse=True):
        if alias in question and not any(alias in m for m in matched):
            matched.append(alias)
            for org in table[alias]:
                if org not in orgs:
                    orgs.append(org)
    years = sorted({int(y) for y in re.findall(r"(20\d{2})\s*年", question)})
    matched += re.findall(r"20\d{2}\s*年度?", question)
    kinds: list[str] = []
    if "自评" in question:
        kinds.append("自评")
    if re.search(r"部门决算|决算报告|决算公开", question) and "自评" not in question:  # not 支出决算/决算数
        kinds.append("部门决算")
    if "基础数据表" in question:
        kinds.append("基础数据表")
    return QueryFilters(orgs, years, kinds, matched)


def strip_filter_words(question: str, filters: QueryFilters) -> str:
    """The question without the words that became filters (every chunk of a report carries its 单位 and year)."""
    for word in sorted(filters.matched, key=len, reverse=True):
        question = question.replace(word, " ")
    question = re.sub(r"(网格化?|管理服务)?中心的?", " ", question) if filters.orgs else question
    return question.strip() or question
