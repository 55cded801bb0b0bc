"""单位 aliases derived from the ingested names (石峰区, 石峰 … from 株洲市石峰区网格化管理服务中心): used by ingestion
(training pairs) and by question understanding alike."""

from __future__ import annotations

import re

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


def alias_table(reports: list[Report]) -> dict[str, set[str]]:
    """alias → orgs; an alias shared by several orgs (a city name) identifies none and is dropped."""
    table: dict[str, set[str]] = {}
    for r in reports:
        for alias in org_aliases(r):
            table.setdefault(alias, set()).add(r.org)
    return {a: orgs for a, orgs in table.items() if len(orgs) == 1}
