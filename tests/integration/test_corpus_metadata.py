"""Real documents: 单位 / year / kind and the tables found by name on every file of the shared development corpus
(documents no one here wrote) and on the five bundled reports, whose metadata must not change."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.normalize import normalize_line
from index.metadata import detect_metadata
from index.parse import parse_file
from tests.conftest import CORPUS, RENDERINGS, REPORTS, SEEDS

# 单位, year, kind as the corpus README (written outside the team) gives them
CORPUS_META = {
    "2025_上海市普陀区宜川路街道_部门决算.txt": ("上海市普陀区人民政府宜川路街道办事处", 2025, "部门决算"),
    "2025_上海市普陀区文化和旅游局_部门决算.txt": ("上海市普陀区文化和旅游局", 2025, "部门决算"),
    "2024_上海市普陀区规划和自然资源局_部门决算.pdf": ("上海市普陀区规划和自然资源局", 2024, "部门决算"),
    "2026_上海市普陀区建设和管理委员会_部门预算.txt": ("上海市普陀区建设和管理委员会", 2026, "部门预算"),
    "2026_上海市普陀区城市管理行政执法局_部门预算.txt": ("上海市普陀区城市管理行政执法局", 2026, "部门预算"),
    "2026_上海市普陀区文化和旅游局_部门预算.txt": ("上海市普陀区文化和旅游局", 2026, "部门预算"),
}
TEMPLATE = "部门决算公开模板_上海市XX局_2024年度_九张表.pdf"

BUNDLED_META = {
    "石峰": ("株洲市石峰区网格化管理服务中心", 2023, "部门决算"),
    "荷塘": ("株洲市荷塘区网格化管理服务中心", 2020, "部门决算"),
    "芦淞": ("株洲市芦淞区网格化管理服务中心", 2022, "整体支出绩效自评报告"),
    "醴陵": ("醴陵市网格化管理服务中心", 2021, "部门决算"),
    "衡山": ("衡山县社会治理和网格化信息中心", 2023, "绩效评价基础数据表"),
}

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} not present")


def _pdf_ok() -> bool:
    try:
        import pdfplumber  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def corpus_parsed():
    out = {}
    for name in [*CORPUS_META, TEMPLATE]:
        if name.endswith(".pdf") and not _pdf_ok():
            continue
        out[name] = parse_file(CORPUS / name)
    return out


@needs_corpus
@pytest.mark.parametrize("name", list(CORPUS_META))
def test_corpus_metadata_is_right_and_sure(corpus_parsed, name: str) -> None:
    if name not in corpus_parsed:
        pytest.skip("pdfplumber not installed")
    rep = corpus_parsed[name].report
    assert (rep.org, rep.year, rep.doc_type) == CORPUS_META[name]
    assert rep.region == "上海市普陀区"
    for fld in ("org", "year", "kind"):
        assert rep.meta_source[fld].confidence >= 0.9 and rep.meta_source[fld].line >= 1, (fld, rep.meta_source)
    assert not any(w.startswith(("单位", "年度", "文档类型")) for w in rep.warnings), rep.warnings


@needs_corpus
@pytest.mark.parametrize("name", list(CORPUS_META))
def test_corpus_documents_name_all_nine_tables(corpus_parsed, name: str) -> None:
    if name not in corpus_parsed:
        pytest.skip("pdfplumber not installed")
    from index.profiles import load_profiles

    rep = corpus_parsed[name].report
    optional = {s.name for p in load_profiles() for s in p.tables if s.optional}  # forms some reports attach
    assert len([t for t in rep.tables_found if t not in optional]) == 9, rep.tables_found
    assert rep.family == ("department_budget" if rep.doc_type == "部门预算" else "final_accounts")
    assert rep.coverage is not None


@needs_corpus
def test_pdf_text_layer_gives_the_same_metadata_as_the_pdf() -> None:
    """The `pdftotext -layout` rendering (cover split over lines, indented table titles)."""
    lines = (RENDERINGS / "2024_上海市普陀区规划和自然资源局_部门决算.pdf.txt").read_text("utf-8").splitlines()
    meta = detect_metadata([normalize_line(line).text for line in lines])
    assert (meta.org, meta.year, meta.doc_type) == CORPUS_META["2024_上海市普陀区规划和自然资源局_部门决算.pdf"]
    assert meta.sources["org"].line == 1 and meta.warnings == []


@needs_corpus
def test_template_does_not_invent_an_org(corpus_parsed) -> None:
    if TEMPLATE not in corpus_parsed:
        pytest.skip("pdfplumber not installed")
    rep = corpus_parsed[TEMPLATE].report
    assert rep.org == "上海市XX局" and rep.year == 2024 and rep.doc_type == "部门决算"
    assert rep.meta_source["org"].confidence < 0.5
    assert any("占位符" in w for w in rep.warnings)
    assert len(rep.tables_found) == 9


@pytest.mark.parametrize("key", list(SEEDS))
def test_bundled_reports_keep_their_metadata(parsed, key: str) -> None:
    rep = parsed[key].report
    assert (rep.org, rep.year, rep.doc_type) == BUNDLED_META[key]
    assert rep.meta_source["org"].confidence >= 0.7
    assert not any(w.startswith(("单位", "年度", "文档类型")) for w in rep.warnings), rep.warnings


def test_bundled_final_accounts_with_tables_name_all_nine(parsed) -> None:
    for key in ("荷塘", "醴陵"):
        rep = parsed[key].report
        assert rep.family == "final_accounts_hunan"
        assert len([n for n in rep.tables_found if "绩效" not in n]) == 9
    assert any("none of its 9 tables" in w for w in parsed["石峰"].report.warnings)  # its text holds no table


@pytest.mark.real_model
def test_cli_ingest_warns_and_docs_set_corrects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`qa ingest` prints ⚠ and its warnings (JSON too); `qa docs --set` corrects the 单位 and the answer scope."""
    import json
    import shutil

    from cli.main import main

    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "d"))
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(REPORTS / SEEDS["醴陵"], src / SEEDS["醴陵"])
    (src / "template.txt").write_text("  上海市 XX 局\n2024 年度部门决算\n目 录\n第一部分 上海市 XX 局概况\n", "utf-8")
    assert main(["ingest", str(src)]) == 0
    out = capsys.readouterr().out
    assert "✓ added    " + SEEDS["醴陵"] in out and "named=9" in out
    assert "⚠ added    template.txt  上海市XX局 2024 部门决算" in out and "占位符" in out
    assert main(["ingest", str(src), "--json", "--kind", "部门决算"]) == 0
    results = {r["file"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert any("none of its 9 tables" in w for w in results["template.txt"]["warnings"])
    assert results[SEEDS["醴陵"]]["warnings"] == [] and len(results[SEEDS["醴陵"]]["tables_found"]) == 9
    doc_id = results["template.txt"]["doc_id"]
    assert main(["docs", "--set", doc_id, "org=上海市普陀区财政局", "year=2023"]) == 0
    capsys.readouterr()
    assert main(["docs", "--json"]) == 0
    docs = {d["doc_id"]: d for d in json.loads(capsys.readouterr().out)["reports"]}
    fixed = docs[doc_id]
    assert (fixed["org"], fixed["year"], fixed["region"]) == ("上海市普陀区财政局", 2023, "上海市普陀区")
    assert fixed["meta_source"]["org"]["source"] == "corrected" and not any("占位符" in w for w in fixed["warnings"])
    from core.settings import Settings
    from qa.search import Searcher
    from stores import Stores

    hits, filters = Searcher(Stores(Settings())).search("上海市普陀区财政局 2023年 概况", k=3)
    assert filters.orgs and hits and all(h.chunk.doc_id == doc_id for h in hits)
    assert hits[0].chunk.text.startswith("上海市普陀区财政局 2023年")
    assert main(["docs", "--set", doc_id, "colour=red"]) == 2
