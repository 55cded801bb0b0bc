"""Every figure in an answer text: Arabic numbers (separators, decimals, full-width digits), Chinese numerals
(五个, 一千二百万), percentages and 百分点, 元/万元/亿元/万, negatives and ranges — each as a `Decimal` with its
unit and its base value (元, ratio, points or a count), and the span it occupies in the text.

Years, dates, citation markers [n], table names (公开06表), list numbering and 科目编码 are not figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from core.normalize import normalize_line
from core.numbers import half_unit, to_base

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10000, "亿": 100000000}

UNITS = (r"万元|亿元|元|个百分点|百分点|%|人次|人|名|个|次|项|辆|台|套|篇|条|件|份|家|种|期|天|小时|分|批次|组|"
         r"平方米|㎡|户|万(?:人次|人|个|次|项|条|件|份|家|户|篇)|万")
_ARABIC = re.compile(
    r"(?:(?<![\d)）.\]])(?P<neg>[-−负]))?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:\s*(?P<to>[~～至到])\s*(?P<num2>\d+(?:,\d{3})*(?:\.\d+)?))?"
    r"\s*(?P<approx>余|多)?(?P<unit>" + UNITS + r")?"
)
_CHINESE = re.compile(r"(?P<num>[零〇一二两三四五六七八九十百千万亿]+)(?P<unit>万元|亿元|元|人次|人|名|个|项|次|家|条|辆|台|篇|件|份|期|天)")
_SKIP_AFTER = re.compile(r"^\s*(?:年|月|日|号|季度|部分|级|类|款|表|栏|行)")
_SKIP_BEFORE = re.compile(r"(?:公开\s*|第|附件\s*|\[|编码\s*|科目\s*)$")
_LIST_MARK = re.compile(r"(?:^|[\n。；;：:\]“\"「])\s*[-•·]?\s*[（(]?\s*$")  # "…[1]2、…", "[3]- （2）", "“7、"


@dataclass
class Figure:
    text: str
    start: int
    end: int
    value: Decimal
    unit: str  # 元/万元/亿元/%/百分点/人/个 … or '' when printed bare
    decimals: int
    base: Decimal = field(default=Decimal(0))
    base_unit: str = ""
    approx: bool = False

    def __post_init__(self) -> None:
        self.base, self.base_unit = to_base(self.value, "万元" if self.unit == "万" else self.unit)
        if self.base_unit == "名":
            self.base_unit = "人"

    @property
    def tolerance(self) -> Decimal:
        """Half a unit of the last printed digit, in base units."""
        tol, _ = to_base(half_unit(self.decimals), "万元" if self.unit == "万" else self.unit)
        return abs(tol)

    @property
    def dimension(self) -> str:
        if self.base_unit == "元":
            return "money"
        if self.base_unit in ("ratio",):
            return "ratio"
        if self.base_unit == "百分点":
            return "points"
        return self.base_unit or "plain"


def cn_to_int(text: str) -> int | None:
    """一千二百万 → 12000000, 十二 → 12, 两 → 2; None when it is not a well-formed numeral."""
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None:  # two digits in a row (一二) is not a numeral we accept
                return None
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        elif ch in CN_BIG:
            section += digit or 0
            total = (total + section) * CN_BIG[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _decimals(num: str) -> int:
    return len(num.split(".", 1)[1]) if "." in num else 0


def _to_dec(num: str) -> Decimal:
    return Decimal(num.replace(",", ""))


def _skippable(text: str, start: int, end: int, unit: str) -> bool:
    before, after = text[max(0, start - 6):start], text[end:end + 4]
    if _SKIP_BEFORE.search(before):
        return True
    if re.search(r"[×*]\s*$", before) and text[start:end] in ("10000", "100"):
        return True  # the conversion constant of 万元→元 or of a percentage
    if not unit and _SKIP_AFTER.match(after):
        return True
    if not unit and re.match(r"^\s*[、.．)）]", after) and _LIST_MARK.search(before):
        return True  # list numbering: "1、" "2." at the start of a clause
    if not unit and re.match(r"^\s*[\]】]", after):
        return True  # citation marker
    return bool(not unit and re.fullmatch(r"\d{5,}", text[start:end]) and re.search(r"[（(]\s*$", before))


def extract_figures(answer: str) -> list[Figure]:
    norm = normalize_line(answer)
    text = norm.text
    out: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for m in _ARABIC.finditer(text):
        unit = m.group("unit") or ""
        if unit == "个百分点":
            unit = "百分点"
        if _skippable(text, m.start("num"), m.end(), unit):
            continue
        start, end = norm.span(m.start(), m.end())
        nums = [m.group("num")] + ([m.group("num2")] if m.group("num2") else [])
        for i, num in enumerate(nums):
            value = -_to_dec(num) if i == 0 and m.group("neg") else _to_dec(num)
            out.append(Figure(answer[start:end].strip(), start, end, value, unit, _decimals(num),
                              approx=bool(m.group("approx"))))
        taken.append((m.start(), m.end()))
    for m in _CHINESE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        n = cn_to_int(m.group("num"))
        if n is None or m.group("num") in ("一", "万") and m.group("unit") in ("个", "项", "次"):
            continue  # 一个/一项 are articles more often than counts
        start, end = norm.span(m.start(), m.end())
        out.append(Figure(answer[start:end], start, end, Decimal(n), m.group("unit"), 0))
    out.sort(key=lambda f: f.start)
    return out

