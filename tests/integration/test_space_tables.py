"""Space-separated tables (PDF text run through an extractor): cells, vanished cells, wrapped names, corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.coverage import measure
from index.parse import parse_file
from index.space_columns import UNDETERMINED
from tests.conftest import CORPUS, RENDERINGS, REPORTS

# 合计 row and 类 rows complete; children print only 合计 + one part, the other cell vanished.
EXPENSE = """2023年度测试局部门决算
一般公共预算财政拨款支出决算表
单位：万元
项目
合计 基本支出 项目支出
科目编码 科目名称
合计 1,300.00 1,000.00 300.00
201 一般公共服务支出 300.00 100.00 200.00
20101 人大事务 100.00 100.00
20102 政协事务 200.00 200.00
其他城乡社区管理事务支
212 1,000.00 900.00 100.00
出
21201 城乡社区管理事务 1,000.00 900.00 100.00
注：本表反映部门本年度一般公共预算财政拨款支出情况。
"""


def _cells(parsed):  # noqa: ANN001, ANN202
    return {(f.row_code or f.row_label, f.column, str(f.value)) for f in parsed.facts if f.kind == "cell"}


def test_vanished_cells_are_placed_by_identities(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(EXPENSE, encoding="utf-8")
    parsed = parse_file(path)
    assert len(parsed.tables) == 1 and parsed.tables[0].title == "一般公共预算财政拨款支出决算表"
    cells = _cells(parsed)
    assert {("合计", "合计", "1300.00"), ("合计", "基本支出", "1000.00"), ("合计", "项目支出", "300.00")} <= cells
    # 20101 and 20102 print 合计 + one part: 201 has room for 100 in 基本支出 only once 20102 took 项目支出
    assert ("20101", "基本支出", "100.00") in cells and ("20102", "项目支出", "200.00") in cells
    # the name wrapped above and below its code line belongs to the code row
    row = next(f for f in parsed.facts if f.row_code == "212")
    assert row.row_label == "其他城乡社区管理事务支出" and row.value == 1000
    assert measure(parsed).ratio == 1.0


def test_unmappable_figures_keep_their_row_and_say_so(tmp_path: Path) -> None:
    text = EXPENSE.replace("合计 1,300.00 1,000.00 300.00\n", "").replace("201 一般公共服务支出 300.00 100.00 200.00", "201 一般公共服务支出 300.00 300.00")
    path = tmp_path / "u.txt"
    path.write_text(text, encoding="utf-8")
    cells = _cells(parse_file(path))
    assert ("201", "合计", "300.00") in cells and ("201", UNDETERMINED, "300.00") in cells
    assert not any(c[0] == "201" and c[1] in ("基本支出", "项目支出") for c in cells)  # no invented column


def test_side_by_side_rows_and_glued_income(tmp_path: Path) -> None:
    text = """2026年部门财政拨款收支预算总表
编制部门：测试局 单位：元
项目 预算数 项目 合计 一般公共预算 政府性基金预算
一、一般公共预算 47,483,458一、社会保障和就业支出 6,397,096 6,397,096
二、政府性基金预算 二、卫生健康支出 1,439,040 1,439,040
收入总计 47,483,458 支出总计 47,483,458 47,483,458
"""
    path = tmp_path / "b.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path)
    cells = _cells(parsed)
    assert ("一、一般公共预算", "预算数", "47483458") in cells
    assert ("一、社会保障和就业支出", "合计", "6397096") in cells
    assert ("二、卫生健康支出", "合计", "1439040") in cells
    assert ("收入总计", "预算数", "47483458") in cells and ("支出总计", "合计", "47483458") in cells
    # 合计 = one part, and the header has two parts: which one is not printed
    assert ("支出总计", UNDETERMINED, "47483458") in cells
    assert all(f.unit == "元" for f in parsed.facts if f.kind == "cell")


def test_seed_reports_are_unchanged_by_space_tables() -> None:
    seed = REPORTS / "2021_醴陵市网格化管理服务中心_部门决算.txt"
    parsed = parse_file(seed)
    assert [t.table_id for t in parsed.tables] == [f"公开{n:02d}表" for n in range(1, 10)]


CORPUS_DOCS = [  # (file, tables found today: the nine 决算 tables; 预算 tables but the 三公 one-liners)
    ("2025_上海市普陀区宜川路街道_部门决算.txt", 9), ("2025_上海市普陀区文化和旅游局_部门决算.txt", 9),
    ("2026_上海市普陀区建设和管理委员会_部门预算.txt", 10), ("2026_上海市普陀区城市管理行政执法局_部门预算.txt", 9),
    ("2026_上海市普陀区文化和旅游局_部门预算.txt", 7),
    ("alt_extraction/2026_上海市普陀区城市管理行政执法局_部门预算.cells.txt", 6),
    ("alt_extraction/2026_上海市普陀区建设和管理委员会_部门预算.cells.txt", 7),
    ("alt_extraction/2026_上海市普陀区文化和旅游局_部门预算.cells.txt", 5),
]


@pytest.mark.skipif(not CORPUS.exists(), reason="development corpus not present")
@pytest.mark.parametrize(("name", "n_tables"), CORPUS_DOCS)
def test_corpus_text_tables_parse(name: str, n_tables: int) -> None:
    parsed = parse_file((RENDERINGS if name.startswith("alt_extraction/") else CORPUS) / name)
    cov = measure(parsed)
    assert cov.ratio >= 0.98, [(t.line, t.text) for t in cov.misses[:20]]
    assert len(parsed.tables) >= n_tables
    assert all(f.page for f in parsed.facts)  # `===== page N =====` markers give every fact its page


@pytest.mark.skipif(not CORPUS.exists(), reason="development corpus not present")
def test_corpus_cells_at_their_row_and_column() -> None:
    parsed = parse_file(CORPUS / "2025_上海市普陀区宜川路街道_部门决算.txt")
    cells = _cells(parsed)
    # 一般公共预算财政拨款支出决算表: `2010507 专项普查活动 39.99 39.99` — 项目支出 (支出决算表: 39.99 0.00 39.99)
    assert ("2010507", "项目支出", "39.99") in cells
    # 基本支出表, right-hand side with a wrapped name: `30113 住房公积金 431.39 30212 13.24`
    row = next(f for f in parsed.facts if f.row_code == "30212")
    assert row.row_label == "因公出国（境）费用" and str(row.value) == "13.24" and row.column == "决算数"
    budget = parse_file(CORPUS / "2026_上海市普陀区城市管理行政执法局_部门预算.txt")
    # `212 01 04 城管执法 33,775,592 22,783,399 10,992,193` (类/款/项 split)
    hits = {(f.table_title, f.column, str(f.value)) for f in budget.facts if f.row_code == "2120104"}
    assert ("2026年部门支出预算总表", "基本支出", "22783399") in hits


@pytest.mark.skipif(not CORPUS.exists(), reason="development corpus not present")
def test_pdftotext_layout_rendering_reads_with_pages() -> None:
    """`pdftotext -layout` output: columns as runs of spaces, blank lines between rows, form feeds between pages."""
    parsed = parse_file(RENDERINGS / "2024_上海市普陀区规划和自然资源局_部门决算.pdf.txt")
    assert measure(parsed).ratio >= 0.98 and len(parsed.tables) >= 9
    row = {(f.column, str(f.value), f.page) for f in parsed.facts if f.row_code == "2120101" and f.table_title == "支出决算表"}
    # as printed: `2120101   行政运行   1105.68   1096.91   8.77` under 本年支出合计 / 基本支出 / 项目支出 — the
    # character columns of the figures put them under their labels
    assert row == {("本年支出合计", "1105.68", 11), ("基本支出", "1096.91", 11), ("项目支出", "8.77", 11)}
    # 收入决算表 prints 2 figures under 7 labels: `合计   9746.50   9746.50` → 本年收入合计, 财政拨款收入
    total = {(f.column, str(f.value)) for f in parsed.facts if f.row_label == "合计" and f.table_title == "收入决算表"}
    assert total == {("本年收入合计", "9746.50"), ("财政拨款收入", "9746.50")}
