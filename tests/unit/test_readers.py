"""Reading every supported format, normalisation, and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import BadReportError
from core.normalize import normalize_line
from index.parse import parse_file
from index.readers import read_document

TEXT = "2023年度株洲市测试区网格化管理服务中心部门决算\n第三部分\n一、收入决算情况说明\n2023年度收入合计１，２３４．５０万元，其中：财政拨款收入 1,000.00 万元，占81.01%。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"r_{encoding}.txt"
    path.write_bytes(TEXT.encode(encoding))
    parsed = parse_file(path)
    assert parsed.report.org == "株洲市测试区网格化管理服务中心"
    assert parsed.report.year == 2023
    values = {(str(f.value), f.unit) for f in parsed.facts}
    assert ("1234.50", "万元") in values and ("1000.00", "万元") in values and ("81.01", "%") in values


def test_normalisation_keeps_offsets() -> None:
    line = "合计\t2,001.35\t１２．５％\t2020 年度 12 次"
    nl = normalize_line(line)
    assert nl.text == "合计\t2001.35\t12.5%\t2020年度12次"
    i = nl.text.index("2001.35")
    s, e = nl.span(i, i + len("2001.35"))
    assert line[s:e] == "2,001.35"


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("2022年度株洲市样例区网格化管理服务中心部门决算")
    d.add_paragraph("收入支出决算总表")
    d.add_paragraph("单位：万元")
    t = d.add_table(rows=3, cols=3)
    for r, row in enumerate([["项目", "行次", "决算数"], ["一、财政拨款收入", "1", "88.80"], ["总计", "2", "88.80"]]):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    d.add_paragraph("本年收入合计88.8万元。")
    path = tmp_path / "r.docx"
    d.save(str(path))
    parsed = parse_file(path)
    cells = [f for f in parsed.facts if f.kind == "cell"]
    assert {(f.row_label, f.column, str(f.value), f.unit) for f in cells} >= {("一、财政拨款收入", "决算数", "88.80", "万元")}
    assert parsed.tables[0].title == "收入支出决算总表"
    assert any(f.kind == "text" and str(f.value) == "88.8" for f in parsed.facts)


def test_xlsx_each_sheet_a_table(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "公开01表"
    ws.append(["2021年度醴陵市样例中心部门决算"])
    ws.append(["单位：万元"])
    ws.append(["项目", "决算数"])
    ws.append(["基本支出", 12.5])
    ws.append(["项目支出", 7.25])
    path = tmp_path / "r.xlsx"
    wb.save(str(path))
    parsed = parse_file(path)
    got = {(f.row_label, str(f.value)) for f in parsed.facts if f.kind == "cell"}
    assert ("基本支出", "12.5") in got and ("项目支出", "7.25") in got


def _pdf(path: Path, text: str | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(8.27, 11.69))
    if text is None:
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow([[0, 1], [1, 0]])
        ax.axis("off")
    else:
        fig.text(0.1, 0.9, text)
    fig.savefig(str(path), format="pdf")
    plt.close(fig)


def test_pdf_text_with_page_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    _pdf(path, "Total budget 2,345.60 and rate 12.5%")
    doc = read_document(path)
    assert any("2,345.60" in line for line in doc.lines)
    assert doc.pages and doc.pages[0] == 1


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.txt", b"", "文件为空"),
        ("binary.txt", bytes(range(256)) * 20, "二进制"),
        ("report.doc", b"whatever", "不支持"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "损坏"),
        ("broken.xlsx", b"garbage", "损坏"),
        ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
    ],
)
def test_bad_input_names_file_and_problem(tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadReportError) as err:
        read_document(path)
    assert name in err.value.render() and needle in err.value.render()


def test_scanned_pdf_and_oversized(tmp_path: Path) -> None:
    scanned = tmp_path / "scan.pdf"
    _pdf(scanned, None)
    with pytest.raises(BadReportError, match="文字层"):
        read_document(scanned)
    big = tmp_path / "big.txt"
    big.write_text("收入" * 400000, encoding="utf-8")
    with pytest.raises(BadReportError, match="过大"):
        read_document(big, max_mb=1)
