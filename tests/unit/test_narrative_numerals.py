"""A list numeral written before a year (`4.2026年部门…`, `1.2022年预算资金…`) is not the decimal 4.2026."""

from __future__ import annotations

from decimal import Decimal

from index.narrative import find_numbers


def test_a_list_numeral_before_a_year_is_not_a_figure() -> None:
    values = [t.value for t in find_numbers("1.2022年预算资金256.14万元。")]
    assert values == [Decimal("256.14")]


def test_a_decimal_that_is_not_followed_by_a_year_is_still_a_figure() -> None:
    values = [t.value for t in find_numbers("增长1.20，支出2.2022万元。")]
    assert values == [Decimal("1.20"), Decimal("2.2022")]


def test_one_subject_counted_two_ways_names_both_counts() -> None:
    """公务接待2批次、24人次: the second count, joined by 、, is of the same subject."""
    from index.narrative import line_figures

    figs = line_figures("主要用于公务接待伙食费支出，公务接待2批次、24人次，其中：接待外宾0批次、0人次。")
    assert [(f.token.raw, f.phrase) for f in figs] == [
        ("2批次", "公务接待"), ("24人次", "公务接待"), ("0批次", "接待外宾"), ("0人次", "接待外宾")]
