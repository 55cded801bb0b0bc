"""The five seed reports: metadata exactly as shared/seeds/README.md, table cells with meaning, narrative facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from index.coverage import measure

EXPECTED_META = {
    "石峰": ("株洲市石峰区网格化管理服务中心", 2023, "部门决算", ["部门决算"]),
    "荷塘": ("株洲市荷塘区网格化管理服务中心", 2020, "部门决算",
             ["部门决算", "部门决算表", "整体支出绩效自评报告", "部门整体支出绩效自评表", "项目支出绩效自评表"]),
    "芦淞": ("株洲市芦淞区网格化管理服务中心", 2022, "整体支出绩效自评报告", ["整体支出绩效自评报告"]),
    "醴陵": ("醴陵市网格化管理服务中心", 2021, "部门决算", ["部门决算", "部门决算表", "整体支出绩效评价报告", "专项资金绩效自评报告"]),
    "衡山": ("衡山县社会治理和网格化信息中心", 2023, "绩效评价基础数据表",
             ["绩效评价基础数据表", "部门整体支出绩效自评表", "项目支出绩效自评表", "整体支出绩效自评报告"]),
}


@pytest.mark.parametrize("key", list(EXPECTED_META))
def test_metadata_from_content(parsed, key: str) -> None:
    r = parsed[key].report
    org, year, kind, parts = EXPECTED_META[key]
    assert (r.org, r.year, r.doc_type, r.parts) == (org, year, kind, parts)


def _cell(p, table_id, row_label=None, column=None, code=None):
    hits = [
        f for f in p.facts
        if f.kind == "cell" and f.table_id == table_id
        and (row_label is None or f.row_label == row_label)
        and (column is None or f.column == column)
        and (code is None or f.row_code == code)
    ]
    assert len(hits) == 1, [(f.row_label, f.column, f.raw) for f in hits]
    return hits[0]


def test_side_by_side_halves_of_01(parsed) -> None:
    p = parsed["荷塘"]
    assert _cell(p, "公开01表", "总计", "收入/决算数").value == Decimal("456.90")
    assert _cell(p, "公开01表", "结余分配", "支出/决算数").value == Decimal("21.35")
    f = _cell(p, "公开01表", "八、社会保障和就业支出", "支出/决算数")
    assert (f.value, f.unit, f.line) == (Decimal("203.72"), "万元", 86)
    assert p.lines[f.line - 1][f.char_start:f.char_end] == "203.72"


def test_multi_row_headers_codes_and_parents(parsed) -> None:
    p = parsed["荷塘"]
    f = _cell(p, "公开05表", column="本年支出/基本支出", code="2013103")
    assert (f.value, f.parent_code, f.row_label) == (Decimal("84.67"), "20131", "机关服务")
    f = _cell(p, "公开03表", column="本年支出合计", code="2010399")
    assert f.row_label == "其他政府办公厅(室)及相关机构事务支出" or "其他政府办公厅" in f.row_label


def test_three_column_groups_of_06(parsed) -> None:
    p = parsed["荷塘"]
    f = _cell(p, "公开06表", code="30215")
    assert (f.row_label, f.value, f.parent_code, f.column) == ("会议费", Decimal("0.12"), "302", "决算数")
    assert _cell(p, "公开06表", code="39999").value == Decimal("0.00")
    assert _cell(p, "公开06表", "公用经费合计").value == Decimal("206.41")
    # 醴陵 writes 公用经费合计 six columns too far right; it still belongs to its label
    q = parsed["醴陵"]
    assert _cell(q, "公开06表", "公用经费合计").value == Decimal("772.12")
    assert _cell(q, "公开06表", "人员经费合计").value == Decimal("1060.26")


def test_grouped_headers_of_07_and_thousands(parsed) -> None:
    q = parsed["醴陵"]
    assert _cell(q, "公开07表", column="决算数/公务接待费").value == Decimal("1.64")
    assert _cell(q, "公开07表", column="预算数/合计").value == Decimal("5.00")
    f = _cell(q, "公开04表", "一、一般公共服务支出", "支出/合计")
    assert f.value == Decimal("2001.35") and q.lines[f.line - 1][f.char_start:f.char_end] == "2,001.35"


def test_self_evaluation_tables(parsed) -> None:
    h = parsed["衡山"]
    total = [f for f in h.facts if f.table_id == "2023年度部门整体支出绩效自评表" and f.row_label == "总分"]
    assert {(f.column, f.value) for f in total} == {("分值", Decimal("100")), ("自评得分", Decimal("98"))}
    f = next(f for f in h.facts if f.table_id and "业务经费" in f.table_id and f.row_label == "年度资金总额" and f.column == "全年预算数")
    assert (f.value, f.unit) == (Decimal("109.77"), "万元")
    g = next(f for f in h.facts if f.row_label == "其中：一般公共预算" or f.phrase == "其中：一般公共预算" or "一般公共预算" in f.phrase)
    assert g.value == Decimal("208.37")
    k = parsed["荷塘"]
    rows = {(f.row_label, f.column): f.value for f in k.facts if f.table_id == "2020年度部门整体支出绩效自评表"}
    assert rows[("统筹协调", "实际完成值")] == Decimal("16")
    assert rows[("成本控制数", "得分")] == Decimal("9")  # the source shifts this row one column right
    assert rows[("总分", "得分")] == Decimal("94")


def test_narrative_facts_with_shares(parsed) -> None:
    s = parsed["石峰"]
    by_raw = {f.raw: f for f in s.facts if f.kind == "text" and f.line == 43}
    income = by_raw["2213.7万元"]
    share = by_raw["99.61%"]
    assert income.phrase == "财政拨款收入" and share.rate_kind == "share" and share.rate_of == income.fact_id
    rate = next(f for f in s.facts if f.raw == "92.02%")
    assert rate.rate_kind == "completion"
    assert "（3）财政拨款支出决算具体情况" in rate.section


@pytest.mark.parametrize("key", ["石峰", "荷塘", "芦淞", "醴陵", "衡山"])
def test_fact_coverage_at_least_99_percent(parsed, key: str) -> None:
    cov = measure(parsed[key])
    p = parsed[key]
    for miss in cov.misses:
        print(f"MISS {p.report.file}:{miss.line} {miss.text!r} in {p.lines[miss.line - 1].strip()[:60]!r}")
    print(f"{p.report.file}: {cov.covered}/{cov.tokens} = {cov.ratio:.2%} (facts {cov.by_facts}, 行次/栏次 {cov.by_index}, 编码 {cov.by_code})")
    assert cov.tokens > 30
    assert cov.ratio >= 0.99


def test_sections_and_chunks(parsed) -> None:
    s = parsed["石峰"]
    paths = [sec.path_text for sec in s.sections]
    assert "第三部分 › 五、一般公共预算财政拨款支出决算情况说明 › （3）财政拨款支出决算具体情况" in paths
    ids = [c.chunk_id for c in parsed["荷塘"].chunks]
    assert len(ids) == len(set(ids))
    table_chunks = [c for c in parsed["荷塘"].chunks if c.table_id == "公开06表"]
    assert len(table_chunks) >= 2 and all("经济分类科目编码" in c.text for c in table_chunks)  # header repeated
