"""A sparse row's undetermined figures placed by what the report states elsewhere (hand-made facts)."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from index.column_evidence import place_by_statements
from index.space_columns import UNDETERMINED

COLUMNS = {"支出决算表": ["科目编码", "项目", "本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出"]}


def cell(line: int, start: int, row: str, value: str, column: str = UNDETERMINED) -> Fact:
    return Fact(fact_id=f"d:{line}:{start}", doc_id="d", kind="cell", value=Decimal(value), unit="万元", raw=value,
                decimals=2, line=line, char_start=start, char_end=start + 5, table_id="支出决算表",
                table_title="支出决算表", row_label=row, column=column)


def said(line: int, phrase: str, value: str) -> Fact:
    return Fact(fact_id=f"d:{line}:0", doc_id="d", kind="text", value=Decimal(value), unit="万元", raw=value + "万元",
                decimals=2, line=line, char_start=0, char_end=5, phrase=phrase, sentence=f"{phrase}{value}万元")


TABLE = [
    cell(10, 0, "合计", "300.00", "本年支出合计"), cell(10, 10, "合计", "100.00"), cell(10, 20, "合计", "200.00"),
    cell(11, 0, "图书馆", "30.00", "本年支出合计"), cell(11, 10, "图书馆", "20.00"), cell(11, 20, "图书馆", "10.00"),
    cell(12, 0, "行政运行", "5.00", "本年支出合计"), cell(12, 10, "行政运行", "5.00"),  # one part: which? unknown
]


def test_the_total_rows_figures_stated_in_words_fix_the_columns_of_every_row_alike() -> None:
    facts, n = place_by_statements([*TABLE, said(50, "基本支出", "100.00"), said(51, "项目支出", "200.00")], COLUMNS)
    columns = {(f.line, f.char_start): f.column for f in facts if f.kind == "cell"}
    assert n == 4
    assert columns[(10, 10)] == "基本支出" and columns[(10, 20)] == "项目支出"
    assert columns[(11, 10)] == "基本支出" and columns[(11, 20)] == "项目支出"
    assert columns[(12, 10)] == UNDETERMINED  # fewer figures than filled columns: not guessed


def test_without_a_statement_for_every_figure_nothing_is_placed() -> None:
    facts, n = place_by_statements([*TABLE, said(50, "基本支出", "100.00")], COLUMNS)
    assert n == 0 and [f.column for f in facts if f.kind == "cell"] == [f.column for f in TABLE]


SANGONG = (["合计", "因公出国（境）费", "公务用车购置及运行维护费小计", "公务用车购置费", "公务用车运行维护费", "公务接待费"],
           ["预算数", "决算数"],
           [("合计", ["因公出国（境）费", "公务用车购置及运行维护费小计", "公务接待费"]),
            ("公务用车购置及运行维护费小计", ["公务用车购置费", "公务用车运行维护费"])])


def test_a_two_level_row_places_what_every_choice_satisfying_the_sums_agrees_on() -> None:
    """31.47 19.86 30.67 19.56 30.67 19.56 0.80 0.30 under six groups × 预算数/决算数: 出国 is empty, and the third
    pair is 购置费 or 运行维护费 (either satisfies the sums): that pair stays undetermined, the rest is placed."""
    from index.column_evidence import place_by_layout

    row = [cell(20, i * 6, "", v).model_copy(update={"table_id": "三公", "table_title": "财政拨款“三公”经费支出决算表"})
           for i, v in enumerate(["31.47", "19.86", "30.67", "19.56", "30.67", "19.56", "0.80", "0.30"])]
    facts, n = place_by_layout(row, {"三公": SANGONG})
    columns = [f.column for f in facts]
    assert n == 6
    assert columns[:4] == ["合计/预算数", "合计/决算数", "公务用车购置及运行维护费小计/预算数", "公务用车购置及运行维护费小计/决算数"]
    assert columns[4:6] == [UNDETERMINED, UNDETERMINED] and columns[6:] == ["公务接待费/预算数", "公务接待费/决算数"]
    wrong = [f.model_copy(update={"value": Decimal("99")}) if i == 0 else f for i, f in enumerate(row)]
    assert place_by_layout(wrong, {"三公": SANGONG})[1] == 0  # no choice satisfies the sums: nothing placed
