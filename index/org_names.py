"""Organisation names and years by frequency: the fallback when no title, label or heading names the 单位 / year.

`org_pattern`, `region_of` and `is_placeholder` are shared with the title-block reader (index.title_lines).
"""

from __future__ import annotations

import re
from collections import Counter

_ORG_SUFFIX = "中心|局|委员会|办公室|管理处|研究院|院|馆|站|所|队|学校|医院|协会|联合会|事务所"
_ORG_RE = re.compile(rf"[\u4e00-\u9fa5（）()]{{2,32}}?(?:{_ORG_SUFFIX})(?![\u4e00-\u9fa5]{{0,1}}(?:{_ORG_SUFFIX}))")
_REGION_RE = re.compile(
    r"^(?:[\u4e00-\u9fa5]{2,3}(?:省|自治区))?(?:[\u4e00-\u9fa5]{2,4}?(?:市|自治州|州|盟))?(?:[\u4e00-\u9fa5]{1,3}?(?:区|县|旗|市))?"
)
_PREFIX_JUNK = re.compile(r"^.*?(?:\d{4}年度?|年度|部门名称|单位名称|部门[:：]|单位[:：]|名称|关于|附件[一二三四五六七八九十\d]*)")
_GENERIC = re.compile(r"^(?:区|市|县|本|该|我|全|各|省|镇|街道|乡)")

# a whole title segment that names a body: the fallback's suffixes plus those of governments and their offices
_NAME_SUFFIX = _ORG_SUFFIX + "|办事处|人民政府|政府|街道|委|厅|署|部|处|会|社|团|园|镇|乡"
_NAME_RE = re.compile(rf"^[\u4e00-\u9fa5（）()A-Za-zＸ×]{{2,40}}(?:{_NAME_SUFFIX})$")
# a name never begins with a preposition or verb: such a segment is a sentence wrapped at a line end
_FUNCTION_WORDS = "纳入|关于|根据|依据|按照|指导|负责|欢迎|来到|包括|其中|全部|属于|通过|对于|由于"
_NOT_NAME = re.compile(rf"^(?:部门|单位|本部门|本单位|区级|市级|县级|主要职能|机构设置|{_FUNCTION_WORDS})|[，,。；;：:、“”]")
_LEADING_FUNCTION_WORDS = re.compile(rf"^(?:{_FUNCTION_WORDS})+")
_REGION_ONLY = re.compile(r"^(?:[\u4e00-\u9fa5]{2,3}(?:省|自治区))?(?:[\u4e00-\u9fa5]{2,4}?(?:市|州|盟))?(?:[\u4e00-\u9fa5]{1,3}?(?:区|县|旗))?$")
_PLACEHOLDER = re.compile(r"[XxＸｘ×]{2,}|某某|[〇○]{2,}|\*{2,}")


def is_name(text: str) -> bool:
    """The whole text is an organisation name (a title segment, not a sentence)."""
    return bool(_NAME_RE.match(text)) and not _NOT_NAME.search(text) and not _REGION_ONLY.match(text)


def is_placeholder(text: str) -> bool:
    """A template's stand-in (上海市XX局, 某某单位) rather than a real name."""
    return bool(_PLACEHOLDER.search(text))


def region_of(name: str) -> str:
    m = _REGION_RE.match(name)
    return m.group(0) if m else ""


def _org_candidates(lines: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for idx, line in enumerate(lines):
        text = line.replace("\t", " ")
        weight = 3 if idx < 40 else 1
        for m in _ORG_RE.finditer(text):
            cand = _PREFIX_JUNK.sub("", m.group(0))
            cand = re.sub(r"^(?:\d+|[一二三四五六七八九十]+)[、.]", "", cand)
            cand = _LEADING_FUNCTION_WORDS.sub("", cand)  # `纳入上海市普陀区财政局…` names 上海市普陀区财政局
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
    return best, region_of(best)


def detect_year(lines: list[str]) -> int | None:
    counts: Counter[int] = Counter()
    for idx, line in enumerate(lines):
        weight = 5 if idx < 30 else 1
        for m in re.finditer(r"(20\d{2})年度", line):
            counts[int(m.group(1))] += weight * 2
        for m in re.finditer(r"(20\d{2})年(?!度)", line):
            counts[int(m.group(1))] += weight
    return counts.most_common(1)[0][0] if counts else None
