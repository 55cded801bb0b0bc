"""Report metadata from the content: 单位 (full name + region), fiscal year and document kinds."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_ORG_SUFFIX = "中心|局|委员会|办公室|管理处|研究院|院|馆|站|所|队|学校|医院|协会|联合会|事务所"
_ORG_RE = re.compile(rf"[\u4e00-\u9fa5（）()]{{2,32}}?(?:{_ORG_SUFFIX})(?![\u4e00-\u9fa5]{{0,1}}(?:{_ORG_SUFFIX}))")
_REGION_RE = re.compile(
    r"^(?:[\u4e00-\u9fa5]{2,3}(?:省|自治区))?(?:[\u4e00-\u9fa5]{2,4}?(?:市|自治州|州|盟))?(?:[\u4e00-\u9fa5]{1,3}?(?:区|县|旗|市))?"
)
_PREFIX_JUNK = re.compile(r"^.*?(?:\d{4}年度?|年度|部门名称|单位名称|部门[:：]|单位[:：]|名称|关于|附件[一二三四五六七八九十\d]*)")
_GENERIC = re.compile(r"^(?:区|市|县|本|该|我|全|各|省|镇|街道|乡)")

# kinds of document, most specific first; the first that appears (with content after it) is the primary kind
KINDS = [
    ("绩效评价基础数据表", re.compile(r"绩效评价基础数据表$")),
    ("部门整体支出绩效自评表", re.compile(r"整体支出绩效自评表$")),
    ("项目支出绩效自评表", re.compile(r"项目支出绩效自评表$")),
    ("专项资金绩效自评报告", re.compile(r"专项资金绩效自评报告$")),
    ("整体支出绩效自评报告", re.compile(r"整体支出绩效自评报告$")),
    ("整体支出绩效评价报告", re.compile(r"整体支出绩效评价报告$")),
    ("部门决算表", re.compile(r"^(?:部门决算表|收入支出决算总表)$")),
    ("部门决算", re.compile(r"部门决算(?:情况说明)?$")),
    ("部门预算", re.compile(r"部门预算$")),
]


@dataclass
class ReportMeta:
    org: str
    region: str
    year: int | None
    doc_type: str
    parts: list[str]


def _org_candidates(lines: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for idx, line in enumerate(lines):
        text = line.replace("\t", " ")
        weight = 3 if idx < 40 else 1
        for m in _ORG_RE.finditer(text):
            cand = _PREFIX_JUNK.sub("", m.group(0))
            cand = re.sub(r"^(?:\d+|[一二三四五六七八九十]+)[、.]", "", cand)
            if len(cand) >= 4:
                found[cand] += weight
    return found


def detect_org(lines: list[str]) -> tuple[str, str]:
    """The most cited organisation name, counted together with its shorter forms (石峰区… ⊂ 株洲市石峰区…)."""
    cands = _org_candidates(lines)
    if not cands:
        return "", ""
    scores: dict[str, float] = {}
    for name in cands:
        score: float = sum(n for other, n in cands.items() if name.endswith(other) and len(other) >= 6 or other == name)
        region = _REGION_RE.match(name)
        if region and region.group(0) and not _GENERIC.match(name):
            score *= 1.5
        scores[name] = score
    best = max(scores, key=lambda n: (scores[n], len(n)))
    region_m = _REGION_RE.match(best)
    return best, region_m.group(0) if region_m else ""


def detect_year(lines: list[str]) -> int | None:
    counts: Counter[int] = Counter()
    for idx, line in enumerate(lines):
        weight = 5 if idx < 30 else 1
        for m in re.finditer(r"(20\d{2})年度", line):
            counts[int(m.group(1))] += weight * 2
        for m in re.finditer(r"(20\d{2})年(?!度)", line):
            counts[int(m.group(1))] += weight
    return counts.most_common(1)[0][0] if counts else None


def detect_parts(lines: list[str]) -> list[str]:
    """Kinds of document present, in order; a title only counts when real content follows it."""
    titles: list[tuple[int, str]] = []
    for idx, line in enumerate(lines):
        text = re.sub(r"\s+", "", line)
        if not text or len(text) > 60:
            continue
        for kind, pattern in KINDS:
            if pattern.search(text):
                titles.append((idx, kind))
                break
    parts: list[str] = []
    for pos, (idx, kind) in enumerate(titles):
        nxt = titles[pos + 1][0] if pos + 1 < len(titles) else len(lines)
        body = "".join(line.strip() for line in lines[idx + 1 : nxt])
        after = next((line.strip() for line in lines[idx + 1 : idx + 6] if line.strip()), "")
        if re.fullmatch(r"[（(]?(?:详见|见)附件\S{0,4}[)）]?", after):
            continue  # a reference to an attachment that is not included
        if len(body) < 40 and pos + 1 < len(titles) and kind != "部门决算":
            continue  # a table-of-contents line
        if kind not in parts:
            parts.append(kind)
    if "部门决算表" in parts and "部门决算" not in parts:
        parts.insert(parts.index("部门决算表"), "部门决算")
    return parts


def detect_metadata(lines: list[str], org: str | None = None, year: int | None = None) -> ReportMeta:
    found_org, region = detect_org(lines)
    if org:
        region_m = _REGION_RE.match(org)
        found_org, region = org, region_m.group(0) if region_m else ""
    parts = detect_parts(lines)
    return ReportMeta(
        org=found_org,
        region=region,
        year=year if year is not None else detect_year(lines),
        doc_type=parts[0] if parts else "其他",
        parts=parts,
    )
