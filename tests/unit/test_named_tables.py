"""A table the question names, resolved with the report-family profiles (index/profiles/*.json names and
synonyms): the closest profile table the report prints, the document kinds it belongs to when all families
agree, and no constraint for a table no profile knows."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact, Report
from qa.scope import in_table, named_tables, table_kinds
from qa.understand import parse_question


def cell(fid: str, title: str) -> Fact:
    return Fact(fact_id=fid, doc_id="d", kind="cell", value=Decimal(1), raw="1", line=1, char_start=0, char_end=1,
                table_title=title, row_label="社会保障和就业支出", column="合计")


FACTS = [cell("a", "一般公共预算财政拨款支出决算表"), cell("b", "一般公共预算财政拨款基本支出决算表"),
         cell("c", "财政拨款“三公”经费支出决算表"), cell("d", "收入决算表"), cell("e", "财政拨款收入支出决算总表")]


def test_a_loose_name_picks_the_closest_profile_table() -> None:
    assert [f.fact_id for f in in_table(FACTS, "公开的一般公共预算支出决算表")] == ["a"]
    assert [f.fact_id for f in in_table(FACTS, "收入决算表")] == ["d"]
    assert [f.fact_id for f in in_table(FACTS, "三公经费表")] == ["c"]  # the budget's 三公 table is not printed here


def test_an_unknown_table_constrains_nothing() -> None:
    assert named_tables("资产负债表") == ()
    assert in_table(FACTS, "资产负债表") == FACTS


def test_kinds_only_when_the_families_agree() -> None:
    assert "部门决算" in table_kinds("收入决算表")
    assert table_kinds("三公经费表") == []  # printed in budgets and in final accounts
    assert table_kinds("基本支出预算表") == ["部门预算"]


def test_a_named_table_narrows_the_reports_by_kind() -> None:
    reports = [Report(doc_id="x", file="x.txt", org="某市某局", region="某市", year=2025, doc_type="部门决算")]
    q = parse_question("公开的一般公共预算支出决算表里社保就业支出是多少？", reports)
    assert q.table and q.kinds and "部门决算" in q.kinds
    assert parse_question("公开05表里社保就业支出是多少？", reports).kinds == []


def test_a_form_that_prints_no_unit_takes_the_unit_its_family_states() -> None:
    """绩效目标申报表 amounts are in 元 by the form's definition (department_budget profile), and the form is
    optional: a 部门预算 without one is not reported missing a table."""
    from index.parse import form_unit

    assert form_unit("财政项目支出绩效目标申报表") == "元"
    assert form_unit("部门收入预算总表") == ""  # prints 单位：万元 itself; no family default
