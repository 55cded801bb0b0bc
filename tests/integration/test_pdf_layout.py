"""PDF text layers read as printed, radical code points folded, page markers, and the real corpus PDFs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.errors import BadReportError
from index.parse import parse_file
from index.pdf_layout import Word, build_lines, cell_text
from index.radicals import fold_radicals
from index.readers import read_document
from index.text_pages import text_pages
from tests.conftest import CORPUS
from tests.pdf_maker import Text, as_radicals, report_pdf, width, write_pdf

REPORTS = Path(__file__).resolve().parents[2] / "data" / "reports"
GHZ = CORPUS / "2024_上海市普陀区规划和自然资源局_部门决算.pdf"
TEMPLATE = CORPUS / "部门决算公开模板_上海市XX局_2024年度_九张表.pdf"


def _cell(parsed, table_word: str, code: str, column: str):
    hits = [f for f in parsed.facts if f.kind == "cell" and table_word in (f.table_title or "")
            and f.row_code == code and f.column.split("/")[-1] == column]
    return hits


def test_radicals_fold_kangxi_and_supplement() -> None:
    text, n = fold_radicals("⽀出 收⼊ ⽹格 ⻓期 ⻔户 普通文字")
    assert text == "支出 收入 网格 长期 门户 普通文字"
    assert n == 5
    assert fold_radicals("（一）２０２３年，") == ("（一）２０２３年，", 0)  # other NFKC mappings are normalize's job


def test_numbers_on_their_own_baseline_join_their_sentence(tmp_path: Path) -> None:
    size, x = 12.0, 50.0
    texts = []
    for part, shifted in (("上海市普陀区财政局", 0), (" 2024 ", 1), ("年度收入支出总计", 0), (" 2995.39 ", 1), ("万元。", 0)):
        texts.append(Text(x, 50 + 9 * shifted, part.strip(), size))  # the figures sit 3/4 of a line lower
        x += width(part, size)
    texts.append(Text(50, 80, "下一行是另一句话。", size))
    path = tmp_path / "baseline.pdf"
    write_pdf(path, [texts])
    doc = read_document(path)
    assert [ln.replace(" ", "") for ln in doc.lines] == ["上海市普陀区财政局2024年度收入支出总计2995.39万元。", "下一行是另一句话。"]
    parsed = parse_file(path)
    fig = next(f for f in parsed.facts if f.value == Decimal("2995.39"))
    assert fig.unit == "万元" and fig.page == 1 and "收入支出总计" in fig.phrase


def test_line_rebuilding_on_word_boxes() -> None:
    # numbers printed just above their sentence, and a table row below that must stay a row of its own
    words = [
        Word("2023", 60, 84, 100, 112), Word("15.5", 140, 164, 100, 112),
        Word("本单位", 20, 56, 107, 119), Word("年支出", 88, 124, 107, 119), Word("万元。", 168, 204, 107, 119),
        Word("合计", 20, 44, 140, 152), Word("10.00", 200, 230, 140, 152),
    ]
    lines = build_lines(words)
    assert [cell_text(ln).replace(" ", "") for ln in lines] == ["本单位2023年支出15.5万元。", "合计10.00"]


def _table_pdf(path: Path) -> None:
    cols = [40, 160, 260, 360]  # 项目 | 合计 | 基本支出 | 项目支出, no rules
    rows = [("项目", "合计", "基本支出", "项目支出"), ("一般公共服务支出", "120.50", "", "120.50"),
            ("教育支出", "30.00", "30.00", ""), ("合计", "150.50", "30.00", "120.50")]
    texts = [Text(40, 40, "支出决算表", 12), Text(40, 60, "单位：万元", 10)]
    for r, row in enumerate(rows):
        texts += [Text(cols[c], 90 + 18 * r, cell, 10) for c, cell in enumerate(row) if cell]
    write_pdf(path, [texts])


def test_unruled_table_columns_come_from_x_positions(tmp_path: Path) -> None:
    path = tmp_path / "table.pdf"
    _table_pdf(path)
    parsed = parse_file(path)
    cells = {(f.row_label, f.column, str(f.value)) for f in parsed.facts if f.kind == "cell"}
    assert ("一般公共服务支出", "项目支出", "120.50") in cells  # the empty 基本支出 cell did not pull it left
    assert ("教育支出", "基本支出", "30.00") in cells
    assert not any(c[:2] == ("一般公共服务支出", "基本支出") for c in cells)
    assert parsed.tables and parsed.tables[0].title == "支出决算表"


def test_table_continued_across_pages_with_running_heads_is_one_table(tmp_path: Path) -> None:
    cols = [40, 200, 300, 400]
    head = ("项目", "合计", "基本支出", "项目支出")
    body = [(f"第{n}项支出", f"{n}0.00", f"{n}0.00", "") for n in range(1, 9)]
    pages = []
    for p, rows in enumerate(([head, *body[:4]], body[4:], [])):
        texts = [Text(40, 20, "测试局2024年度部门决算", 9), Text(280, 810, f"- {p + 1} -", 9)]
        if p == 0:
            texts += [Text(40, 60, "支出决算表", 12), Text(40, 80, "单位：万元", 10)]
        texts += [Text(cols[c], 110 + 18 * r, cell, 10) for r, row in enumerate(rows) for c, cell in enumerate(row) if cell]
        if p == 2:
            texts.append(Text(40, 110, "以上为本部门决算表。", 10))
        pages.append(texts)
    path = tmp_path / "pages.pdf"
    write_pdf(path, pages)
    doc = read_document(path)
    assert not any("测试局2024年度部门决算" in ln or ln.strip().startswith("-") for ln in doc.lines)
    parsed = parse_file(path)
    assert len(parsed.tables) == 1
    cells = [f for f in parsed.facts if f.kind == "cell" and f.column == "基本支出"]
    assert [str(f.value) for f in cells] == [f"{n}0.00" for n in range(1, 9)]
    assert cells[0].page == 1 and cells[-1].page == 2


def test_pages_without_text_are_warned_and_a_scan_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pdf"
    page = [Text(40, 40, "第一页有文字，收入合计 12.00 万元，其余页是扫描件。", 10)]
    write_pdf(path, [page, [], []], images_only={1, 2})
    doc = read_document(path)
    assert doc.pages == [1] and any(w.startswith("2 pages without text") and w.endswith("2, 3") for w in doc.warnings)
    scan = tmp_path / "scan.pdf"
    write_pdf(scan, [[], []], images_only={0, 1})
    with pytest.raises(BadReportError) as err:
        read_document(scan)
    assert "scan.pdf" in str(err.value.render()) and "没有文字层" in err.value.render()


@pytest.mark.parametrize("report", ["2021_醴陵市网格化管理服务中心_部门决算.txt", "2020_株洲市荷塘区网格化管理服务中心_部门决算.txt"])
def test_browser_printed_report_reads_like_its_text(tmp_path: Path, report: str) -> None:
    src = REPORTS / report
    pdf = tmp_path / (src.stem + ".pdf")
    report_pdf(src.read_text(encoding="utf-8").split("\n"), pdf)  # every CJK glyph that has a radical twin as ⽀ …
    text, printed = parse_file(src), parse_file(pdf)
    assert any(w.startswith("radicals normalised: ") and int(w.split(": ")[1].split("（")[0]) > 500 for w in printed.warnings)
    assert [t.table_id for t in printed.tables] == [t.table_id for t in text.tables]

    def cells(p):  # noqa: ANN001, ANN202
        return {(f.table_id, f.row_label, f.column, f.value, f.unit) for f in p.facts if f.kind == "cell"}

    assert cells(printed) == cells(text)
    assert printed.report.org == text.report.org and printed.report.year == text.report.year
    assert all(f.page for f in printed.facts)


def test_text_page_markers_and_form_feeds() -> None:
    lines, pages = text_pages(["封面", "===== page 2 =====", "目录", "----- 第 3 页 -----", "正文"])
    assert lines == ["封面", "", "目录", "", "正文"] and pages == [1, 2, 2, 3, 3]
    lines, pages = text_pages(["第一页", "\f第二页", "续", "\f第三页"])
    assert lines == ["第一页", "第二页", "续", "第三页"] and pages == [1, 2, 2, 3]
    assert text_pages(["没有分页", "=====", "page 2"])[1] == [None, None, None]


@pytest.mark.skipif(not GHZ.exists(), reason="development corpus not present")
def test_real_pdf_tables_cells_and_pages() -> None:
    parsed = parse_file(GHZ)
    assert len(parsed.tables) >= 9
    # 支出决算表 as printed (pdftotext: `2120101   行政运行   1105.68   1096.91   8.77`), on page 11
    for column, value in (("本年支出合计", "1105.68"), ("基本支出", "1096.91"), ("项目支出", "8.77")):
        hits = [f for f in _cell(parsed, "支出决算表", "2120101", column) if f.table_title == "支出决算表"]
        assert [str(f.value) for f in hits] == [value] and hits[0].page == 11
    # the same row in 一般公共预算财政拨款支出决算表 (`2120101   1092.80   1084.02   8.77`)
    assert [str(f.value) for f in _cell(parsed, "一般公共预算财政拨款支出决算表", "2120101", "基本支出")] == ["1084.02"]
    assert all(f.page for f in parsed.facts)


@pytest.mark.skipif(not TEMPLATE.exists(), reason="development corpus not present")
def test_template_pdf_has_tables_and_no_amounts() -> None:
    parsed = parse_file(TEMPLATE)
    assert len(parsed.tables) >= 9
    assert not [f for f in parsed.facts if f.kind == "cell"]  # 序号 and `…` placeholder rows are not figures


def test_radical_text_file_is_found(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(as_radicals("2023年度测试中心部门决算\n一般公共预算支出合计 12.50 万元，收入 13.00 万元。\n"), encoding="utf-8")
    parsed = parse_file(path)
    assert "一般公共预算支出合计" in parsed.lines[1]
    assert any(w.startswith("radicals normalised:") for w in parsed.warnings)
    assert {str(f.value) for f in parsed.facts} >= {"12.50", "13.00"}


LOOKUPS = ["2021年醴陵市网格化中心的三公经费是多少？", "2021年醴陵市网格化中心的基本支出是多少？",
           "2021年醴陵市网格化中心的公用经费是多少？", "2021年醴陵市网格化中心的培训费是多少？",
           "2021年醴陵市网格化中心的人员经费是多少？"]


def test_browser_printed_pdf_answers_the_same_lookups(tmp_path: Path) -> None:
    """Ingested and asked like the text it was printed from: the same figures, with pages in the citations."""
    from index.ingest import Ingestor
    from qa.ask import Asker
    from tests.unit.fakes import fake_stores

    src = REPORTS / "2021_醴陵市网格化管理服务中心_部门决算.txt"
    pdf = tmp_path / "printed" / (src.stem + ".pdf")
    pdf.parent.mkdir()
    report_pdf(src.read_text(encoding="utf-8").split("\n"), pdf)
    answers = {}
    for name, path in (("text", src), ("pdf", pdf)):
        stores = fake_stores(tmp_path / f"data-{name}")
        [res] = Ingestor(stores).ingest([path])
        assert res.status == "added"
        asker = Asker(stores)
        answers[name] = [asker.ask(q, engine="structured") for q in LOOKUPS]
    for q, a_text, a_pdf in zip(LOOKUPS, answers["text"], answers["pdf"], strict=True):
        assert a_text.has_answer, q
        assert [f.value for f in a_pdf.figures] == [f.value for f in a_text.figures], (q, a_pdf.answer, a_text.answer)
