"""Numbers with units, as `Decimal`: parsing printed figures and converting units (元/万元/亿元, %, 百分点)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
RATIO_UNITS = {"%", "百分点"}

# A printed number with an optional approximate marker, multiplier and unit.
NUMBER_RE = re.compile(
    r"(?P<sign>[-−])?(?P<num>\d+(?:\.\d+)?)"
    r"(?P<approx>余|多)?(?P<mult>万|亿)?(?P<approx2>余|多)?"
    r"(?P<unit>元|%|个百分点|百分点|人次|人|个|次|项|辆|台|套|篇|条|件|份|家|种|期|天|小时|分|批次|名|组|平方米|㎡|户|万)?"
)

CELL_RE = re.compile(
    r"^(?P<sign>[-−])?(?P<num>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>%|万元|亿元|元|人次|人|个|次|项|分|辆|台|套|条|件|篇|天|㎡|平方米)?$"
)


def to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("−", "-"))
    except (InvalidOperation, ValueError):
        return None


def decimals_of(num_text: str) -> int:
    return len(num_text.split(".", 1)[1]) if "." in num_text else 0


def parse_cell(text: str) -> tuple[Decimal, str, int] | None:
    """A table cell that is a number (with an optional unit): (value, unit, decimals) or None."""
    m = CELL_RE.match(text.strip())
    if not m:
        return None
    value = to_decimal(m.group("num"))
    if value is None:
        return None
    if m.group("sign"):
        value = -value
    return value, m.group("unit") or "", decimals_of(m.group("num"))


def unit_of_match(m: re.Match[str]) -> str:
    """Combine multiplier and unit of a NUMBER_RE match: 万+元 → 万元, 万+条 → 万条."""
    mult = m.group("mult") or ""
    unit = m.group("unit") or ""
    if unit == "个百分点":
        unit = "百分点"
    return mult + unit


def to_base(value: Decimal, unit: str) -> tuple[Decimal, str]:
    """Normalise to a base: money → 元, % → ratio, 百分点 → points; counts keep their unit."""
    if unit in MONEY_UNITS:
        return value * MONEY_UNITS[unit], "元"
    if unit == "%":
        return value / Decimal(100), "ratio"
    if unit.startswith("万") and len(unit) > 1:
        return value * Decimal(10000), unit[1:]
    return value, unit


def half_unit(decimals: int) -> Decimal:
    """Half a unit of the last printed digit: 2 decimals → 0.005."""
    return Decimal(5) * Decimal(10) ** (-(decimals + 1))


def fmt(value: Decimal, decimals: int = 2) -> str:
    q = Decimal(10) ** -decimals
    return f"{value.quantize(q):f}"
