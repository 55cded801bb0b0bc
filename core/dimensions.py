"""The dimension of a fact's value (money in 元, ratio, a count unit): what may be compared with what."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from core.numbers import to_base


def fact_dimension(fact: Fact) -> tuple[Decimal, str]:
    base, unit = to_base(fact.value, fact.unit)
    if unit == "元":
        return base, "money"
    if unit == "ratio":
        return base, "ratio"
    return base, {"名": "人", "": "plain"}.get(unit, unit)
