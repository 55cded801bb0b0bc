"""Metadata from the cover / labels / title lines, report-family profiles and table identification — over
hand-made lines and hand-made profiles (the real documents are in test_corpus_metadata.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.errors import UserError
from core.models import Chunk, Report, TableModel
from index.doc_check import table_warnings
from index.metadata import detect_metadata, detect_parts
from index.profiles import PROFILE_DIR, load_profiles
from index.table_names import FamilyMatch, FoundTable, identify_tables, match_title
from index.title_lines import parse_title
from stores.factstore import FactStore


def _profile(family: str):
    return next(p for p in load_profiles() if p.family == family)


# -- metadata ----------------------------------------------------------------------------------------------
def test_cover_spanning_lines_gives_full_name_year_and_kind_with_their_line() -> None:
    lines = ["", "某省江南市北湖区人民政府", "丙路街道办事处", "2025 年度部门决算", "目 录", "第一部分 概况"]
    meta = detect_metadata(lines)
    assert (meta.org, meta.year, meta.doc_type) == ("某省江南市北湖区人民政府丙路街道办事处", 2025, "部门决算")
    assert meta.region == "某省江南市北湖区"
    src = meta.sources["org"]
    assert src.line == 2 and src.source == "cover" and src.confidence >= 0.9
    assert "丙路街道办事处" in src.text
    assert meta.warnings == []


def test_cover_name_below_the_title_and_a_sealed_label() -> None:
    meta = detect_metadata(["2024年度部门决算", "江南市北湖区财政局", "二〇二五年九月", "目录"])
    assert (meta.org, meta.year, meta.doc_type) == ("江南市北湖区财政局", 2024, "部门决算")
    assert meta.sources["org"].line == 2
    lines = ["2023年度项目支出绩效自评表", "正文" * 30, "填报单位（盖章）：江南市北湖区文化馆"]
    meta = detect_metadata(lines)
    assert (meta.org, meta.doc_type) == ("江南市北湖区文化馆", "项目支出绩效自评表")
    assert meta.sources["org"].source == "label" and meta.sources["org"].line == 3


def test_cover_whose_year_sits_on_its_own_baseline() -> None:
    meta = detect_metadata(["江南市北湖区财政局 年度部门决算", "2024", "目录"])
    assert (meta.org, meta.year, meta.doc_type) == ("江南市北湖区财政局", 2024, "部门决算")
    assert meta.sources["year"].line == 2 and meta.warnings == []


def test_a_banner_above_the_cover_is_not_the_org() -> None:
    meta = detect_metadata(["欢迎来到北湖县政协网站", "北湖县政协办公室", "2023年度部门决算", "发布时间：2024-05-01", "目录"])
    assert (meta.org, meta.year, meta.doc_type) == ("北湖县政协办公室", 2023, "部门决算")
    assert meta.sources["org"].line == 2


def test_budget_cover_names_the_region_and_labels_the_department() -> None:
    lines = ["江南市北湖区2026年区级部门预算", "预算主管部门：江南市北湖区文化和旅游局", "===== page 2 =====", "目 录"]
    meta = detect_metadata(lines)
    assert (meta.org, meta.year, meta.doc_type, meta.region) == ("江南市北湖区文化和旅游局", 2026, "部门预算", "江南市北湖区")
    assert meta.sources["org"].line == 2 and meta.sources["year"].line == 1


@pytest.mark.parametrize("sentence", [
    "纳入江南市北湖区财政局 2024 年度部门决算",  # a sentence wrapped just after the kind words
    "指导混合所有制改革工作部门决算",
    "欢迎来到甲县政协网站2024年部门预算",
])
def test_a_sentence_is_never_a_title(sentence: str) -> None:
    from index.profiles import kind_words

    parsed = parse_title(sentence, kind_words(load_profiles()))
    assert parsed is None or parsed.org == ""


def test_without_a_title_the_guess_is_marked_uncertain() -> None:
    lines = ["一、基本情况", "纳入江南市北湖区财政局 2024 年度部门决算编制范围的单位包括：江南市北湖区财政局（本级）。",
             "项目支出需要填报基本支出以外的所有项目支出情况。", "江南市北湖区财政局负责全区财政收支。"]
    meta = detect_metadata(lines)
    assert not meta.org.startswith(("纳入", "项目支出"))
    assert meta.sources["org"].confidence < 0.7
    assert any(w.startswith("单位不确定") for w in meta.warnings)
    assert any(w.startswith("文档类型未识别") for w in meta.warnings)


def test_template_placeholder_is_kept_as_printed_but_flagged() -> None:
    meta = detect_metadata(["  甲市 XX 局", "2024 年度部门决算", "目   录"])
    assert meta.org == "甲市XX局" and meta.year == 2024 and meta.doc_type == "部门决算"
    assert meta.sources["org"].confidence < 0.5
    assert any("占位符" in w and "placeholder" in w for w in meta.warnings)


def test_table_title_lines_and_name_headings_when_there_is_no_cover() -> None:
    lines = ["第一部分", "江南市北湖区网格化管理服务中心", "单位概况", "一、职责", "负责全区网格化工作。"]
    lines += ["正文。"] * 20 + ["江南市北湖区网格化管理服务中心 2023 年度部门决算表", "收入支出决算总表", "单位：万元"]
    meta = detect_metadata(lines)
    assert (meta.org, meta.year, meta.doc_type) == ("江南市北湖区网格化管理服务中心", 2023, "部门决算")
    assert meta.sources["year"].source == "title" and meta.sources["year"].line == 26
    assert meta.warnings == []


def test_a_name_heading_broken_over_two_lines_is_read_whole() -> None:
    meta = detect_metadata(["江南市北湖区规划和自然", "  资源局", "单位概况", "一、主要职能", "负责规划和自然资源管理。"])
    assert meta.org == "江南市北湖区规划和自然资源局" and meta.sources["org"].source == "heading"
    assert meta.sources["org"].confidence >= 0.7


def test_label_with_the_name_in_the_next_cell() -> None:
    lines = ["附件一", "", "2023年度部门整体支出绩效评价基础数据表", "\t财政供养人员情况", "\t预算部门、单位名称",
             "\t甲县社会治理中心", "\t编制数\t10"]
    meta = detect_metadata(lines)
    assert (meta.org, meta.year, meta.doc_type) == ("甲县社会治理中心", 2023, "绩效评价基础数据表")
    assert meta.sources["org"].source in ("label", "cover") and meta.sources["org"].line == 5
    assert "甲县社会治理中心" in meta.sources["org"].text


def test_overrides_win_and_say_so() -> None:
    meta = detect_metadata(["甲市XX局", "2024 年度部门决算"], org="江南市北湖区财政局", year=2023, kind="部门预算")
    assert (meta.org, meta.year, meta.doc_type, meta.region) == ("江南市北湖区财政局", 2023, "部门预算", "江南市北湖区")
    assert all(meta.sources[f].source == "override" and meta.sources[f].confidence == 1.0 for f in ("org", "year", "kind"))
    assert not any("占位符" in w for w in meta.warnings)


def test_doc_kinds_are_profile_data() -> None:
    lines = ["2020年度部门决算", "正文" * 30, "部门决算表", "收入支出决算总表", "x" * 50, "2020年度部门整体支出绩效自评表",
             "\t项目\t分值" * 10]
    assert detect_parts(lines) == ["部门决算", "部门决算表", "部门整体支出绩效自评表"]


# -- profiles ----------------------------------------------------------------------------------------------
def test_shipped_profiles_load_and_define_each_kind_once() -> None:
    profiles = load_profiles()
    assert {"final_accounts", "final_accounts_hunan", "department_budget", "performance"} <= {p.family for p in profiles}
    final = _profile("final_accounts")
    assert len(final.tables) == 9 and final.identities
    assert final.table("财政拨款三公经费支出决算表") is final.table("财政拨款“三公”经费支出决算表")


@pytest.mark.parametrize(("title", "family", "key"), [
    ("财政拨款收入支出决算总表", "final_accounts", "决算04"),  # the longest name wins over 收入支出决算总表
    ("收入支出决算总表", "final_accounts", "决算01"),
    ("一般公共预算财政拨款“三公”经费支出决算表", "final_accounts", "决算07"),
    ("江南市北湖区财政局 2024 年度 收入决算表", "final_accounts", "决算02"),
    ("2026年部门“三公”经费和机关运行经费预算表", "department_budget", "预算09"),
    ("2026年部门收入预算总表", "department_budget", "预算02"),
    ("2023年度项目支出绩效自评表（业务经费）", "performance", "自评_项目"),
])
def test_table_titles_map_to_canonical_tables(title: str, family: str, key: str) -> None:
    spec = match_title(title, _profile(family))
    assert spec is not None and spec.id == key


def test_a_sentence_ending_in_a_table_name_is_not_a_title() -> None:
    assert match_title("本表反映部门本年度的收入支出决算总表", _profile("final_accounts")) is None


def _table(title: str, table_id: str, start: int) -> TableModel:
    return TableModel(doc_id="d", table_id=table_id, title=title, start=start, end=start + 3)


def test_identification_uses_parsed_captions_then_title_lines_and_skips_the_contents() -> None:
    lines = ["目录", "一、收入支出决算总表", "二、收入决算表", "", "收入支出决算总表", "收入 支出", "收入决算表", "x"]
    tables = [_table("收入支出决算总表", "公开01表", 5)]
    (match,) = identify_tables(tables, lines, ["部门决算"], load_profiles())
    assert match.family == "final_accounts_hunan"  # the captions use 公开XX表 ids
    assert [(f.name, f.parsed, f.line) for f in match.found] == [("收入支出决算总表", True, 5), ("收入决算表", False, 7)]
    assert len(match.missing) == 7
    warnings = table_warnings("部门决算", [match])
    assert any("2/9" in w for w in warnings) and any("收入决算表" in w and "no cells parsed" in w for w in warnings)


def test_a_table_parsed_under_another_caption_counts_as_parsed_below_its_title() -> None:
    lines = ["收入决算表", "单位：万元", "项目\t合计", "合计\t1.00"]
    (match,) = identify_tables([_table("表格1", "表格1", 3)], lines, ["部门决算"], load_profiles())
    assert [(f.name, f.parsed) for f in match.found] == [("收入决算表", True)]


def test_a_table_the_document_says_is_empty_is_not_a_parsing_gap() -> None:
    lines = ["国有资本经营预算财政拨款收入支出决算表", "单位：万元", "项目 合计",
             "说明：本单位本年度没有国有资本经营预算财政拨款收入和支出，故本表无数据。", "收入决算表", "单位：万元", "x"]
    (match,) = identify_tables([], lines, ["部门决算"], load_profiles())
    assert [(f.name, f.empty) for f in match.found] == [("收入决算表", False), ("国有资本经营预算财政拨款收入支出决算表", True)]
    warnings = table_warnings("部门决算", [match])
    assert any("收入决算表" in w and "no cells parsed" in w for w in warnings)
    assert not any("国有资本经营" in w and "no cells parsed" in w for w in warnings)


def test_none_of_the_tables_found_is_a_warning() -> None:
    match = FamilyMatch("final_accounts", "x", "部门决算", [], ["a", "b"])
    assert table_warnings("部门决算", [match]) == ["部门决算但未按名称找到其 2 张表中的任何一张 / 部门决算 but none of its 2 tables was found"]
    ok = FamilyMatch("f", "x", "部门决算", [FoundTable("1", "a", "a", 1, True), FoundTable("2", "b", "b", 9, True)], ["a", "b"])
    assert table_warnings("部门决算", [ok]) == []


def test_adding_a_family_is_adding_a_file(tmp_path: Path) -> None:
    for f in PROFILE_DIR.iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "state_assets.toml").write_text('''
family = "state_assets"
name = "国有资产报告"
applies_to = ["国有资产报告"]
identities = ["资产负债表.资产总计 = 资产负债表.负债合计 + 资产负债表.净资产合计"]

[[doc_kinds]]
name = "国有资产报告"
order = 95
part_pattern = "国有资产报告$"
title_words = ["国有资产报告"]

[[tables]]
id = "资产01"
name = "资产负债表"

[[tables]]
id = "资产02"
name = "固定资产明细表"
synonyms = ["固定资产情况表"]
''', encoding="utf-8")
    profiles = load_profiles(tmp_path)
    lines = ["江南市北湖区财政局", "2024年度国有资产报告", "目录", "正文" * 30, "资产负债表", "1\t2", "2024年固定资产情况表", "3\t4"]
    meta = detect_metadata(lines, profiles=profiles)
    assert (meta.org, meta.year, meta.doc_type) == ("江南市北湖区财政局", 2024, "国有资产报告")
    (match,) = identify_tables([], lines, meta.parts, profiles)
    assert match.family == "state_assets" and [f.key for f in match.found] == ["资产01", "资产02"]
    assert detect_metadata(lines).doc_type != "国有资产报告"  # the shipped profiles do not know it


def test_a_bad_profile_is_refused_naming_its_file(tmp_path: Path) -> None:
    bad = {"family": "x", "name": "x", "applies_to": ["部门决算"], "tables": [{"id": "t1", "name": "甲表"}],
           "identities": ["甲表.合计 = 乙表.合计"]}
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(UserError, match="bad.json"):
        load_profiles(tmp_path)


# -- correcting metadata after ingest ------------------------------------------------------------------------
def test_set_metadata_updates_report_chunks_and_warnings(tmp_path: Path) -> None:
    store = FactStore(tmp_path / "facts.sqlite")
    report = Report(doc_id="d1", file="a.txt", org="甲市XX局", year=2024, doc_type="部门决算",
                    warnings=["单位「甲市XX局」是模板占位符 / placeholder", "部门决算但未按名称找到其 9 张表中的任何一张"])
    chunk = Chunk(chunk_id="d1:s:0", doc_id="d1", text="甲市XX局 2024年 概况\n正文", org="甲市XX局", year=2024,
                  doc_type="部门决算", start=1, end=2)
    with store.transaction():
        store.insert_report(report, ["x"], [], [], [], [chunk], [["正文"]])
    changed = store.set_metadata("d1", org="江南市北湖区财政局", year=2023, region="江南市北湖区", tokenize=lambda t: t.split())
    assert [c.chunk_id for c in changed] == ["d1:s:0"]
    got = store.report("d1")
    assert got is not None and (got.org, got.year, got.region) == ("江南市北湖区财政局", 2023, "江南市北湖区")
    assert got.meta_source["org"].source == "corrected"
    assert got.warnings == ["部门决算但未按名称找到其 9 张表中的任何一张"]
    ((stored, tokens),) = store.chunks()
    assert stored.org == "江南市北湖区财政局" and stored.year == 2023 and stored.text.startswith("江南市北湖区财政局 2023年 概况")
    assert tokens[0] == "江南市北湖区财政局"
    with pytest.raises(KeyError):
        store.set_metadata("nope", org="x")


def test_identities_are_data_read_as_signed_cell_references() -> None:
    from index.profiles import parse_identity

    assert parse_identity("甲表.合计.本年收入合计 = 乙表.本年收入合计 + 丙表.x - 丁表.y") == [
        (1, "甲表", ["合计", "本年收入合计"]), (-1, "乙表", ["本年收入合计"]), (-1, "丙表", ["x"]), (1, "丁表", ["y"])]
    terms = _profile("final_accounts").identity_terms()
    assert [(s, t.id, p) for s, t, p in terms[0]] == [(1, "决算01", ["本年收入合计"]), (-1, "决算02", ["合计", "本年收入合计"])]


def test_reader_warnings_flow_into_the_report_first() -> None:
    from index.parse import parse_document
    from index.readers import RawDocument

    raw = RawDocument("scan.pdf", ["江南市北湖区财政局", "2024年度部门决算", "目录", "收入支出决算总表", "本年收入合计\t10.00"])
    setattr(raw, "warnings", ["3 页没有文字层 / 3 pages without text"])  # noqa: B010  (what a reader sets)
    rep = parse_document(raw).report
    assert rep.warnings[0] == "3 页没有文字层 / 3 pages without text"
    assert (rep.org, rep.year, rep.doc_type) == ("江南市北湖区财政局", 2024, "部门决算")
    assert rep.family == "final_accounts" and rep.tables_found == ["收入支出决算总表"]
    assert rep.coverage is not None
