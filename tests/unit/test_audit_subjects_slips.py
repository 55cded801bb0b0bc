"""The same 科目 across tables (`subject_columns`, columns named by the family profile), a rate whose operands are
stated elsewhere in its section (`section_rates`) and text slips (`text_slips`): each fires on hand-made facts
and lines with the defect and stays silent on the consistent version."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact, Report
from qa.audit import Context
from qa.audit.subjects import subject_columns

REPORT = Report(doc_id="d", file="t.txt", org="测试单位", year=2024, doc_type="部门决算")


def cell(table: str, line: int, label: str, column: str, value: str, code: str | None = None) -> Fact:
    return Fact(fact_id=f"d:{line}:{column}:{label}:{value}", doc_id="d", kind="cell", value=Decimal(value), unit="万元",
                raw=value, decimals=len(value.split(".")[1]) if "." in value else 0, line=line, char_start=0,
                char_end=len(value), table_id=table, table_title=table, row_label=label, row_code=code, column=column)


def run(rule, facts: list[Fact], lines: list[str] | None = None, report: Report = REPORT) -> list:  # type: ignore[no-untyped-def]
    ctx = Context(report, facts, (lines or []) + ["x"] * 60, [])
    rule(ctx)
    return ctx.findings


def _tables(total: str, spent: str, fiscal: str) -> list[Fact]:
    return [cell("收入支出决算总表", 1, "九、卫生健康支出", "支出/决算数", total),
            cell("收入支出决算总表", 2, "本年支出合计", "支出/决算数", "300.00"),
            cell("支出决算表", 10, "卫生健康支出", "本年支出合计", spent, "210"),
            cell("支出决算表", 10, "卫生健康支出", "基本支出", spent, "210"),
            cell("支出决算表", 11, "行政单位医疗", "本年支出合计", spent, "2101101"),
            # the 财政拨款 总表 of a PDF whose left half is empty: columns left blank, both the same value
            cell("财政拨款收入支出决算总表", 20, "九、卫生健康支出", "", fiscal),
            cell("财政拨款收入支出决算总表", 20, "九、卫生健康支出", "", fiscal),
            cell("一般公共预算财政拨款支出决算表", 30, "卫生健康支出", "合计", spent, "210")]


def test_same_subject_in_two_tables_must_agree():
    [drift] = run(subject_columns, _tables("236.63", "236.64", "236.64"))
    assert drift.kind == "尾数差异" and drift.severity == "low"
    assert "210 卫生健康支出" in drift.message and "236.63[1]" in drift.message and "236.64[2]" in drift.message
    assert [c.line for c in drift.citations] == [1, 10]
    found = run(subject_columns, _tables("236.64", "236.64", "226.64"))
    assert [(f.kind, f.severity) for f in found] == [("表间不一致", "high")]
    assert "一般公共预算财政拨款支出" in found[0].message and [c.line for c in found[0].citations] == [20, 30]


def test_same_subject_silent_when_consistent_or_not_comparable():
    assert run(subject_columns, _tables("236.64", "236.64", "236.64")) == []
    # 基本支出 of the 支出决算表 is not a column the profile compares with the 总表
    other = [cell("收入支出决算总表", 1, "九、卫生健康支出", "支出/决算数", "236.64"),
             cell("支出决算表", 10, "卫生健康支出", "基本支出", "200.00", "210")]
    assert run(subject_columns, other) == []
    # blank-column cells that disagree (合计 ≠ 一般公共预算 when a fund is there too) are not guessed
    ambiguous = [cell("财政拨款收入支出决算总表", 20, "十九、住房保障支出", "", "1181.78"),
                 cell("财政拨款收入支出决算总表", 20, "十九、住房保障支出", "", "1076.78"),
                 cell("一般公共预算财政拨款支出决算表", 30, "住房保障支出", "合计", "1076.78", "221")]
    assert run(subject_columns, ambiguous) == []


def test_same_subject_in_a_budget_with_year_prefixed_table_names():
    budget = Report(doc_id="d", file="b.txt", org="测试单位", year=2026, doc_type="部门预算")
    facts = [cell("2026年部门财务收支预算总表", 1, "一、社会保障和就业支出", "预算数", "100.00"),
             cell("2026年部门支出预算总表", 5, "社会保障和就业支出", "合计", "110.00", "208")]
    [f] = run(subject_columns, facts, report=budget)
    assert f.kind == "表间不一致" and "本年支出预算" in f.message
    facts[1] = cell("2026年部门支出预算总表", 5, "社会保障和就业支出", "合计", "100.00", "208")
    assert run(subject_columns, facts, report=budget) == []
