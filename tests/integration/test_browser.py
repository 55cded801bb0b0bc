"""End-to-end in a real browser (Debian's Chromium driven by Playwright): ask, see the figure with its verdict
and citation, open the evidence (a table cell highlighted), filter, upload (a bad file reported, the good one
ingested), remove, compare, export a .docx and read it back. Screenshots go to the test's output folder, and
no request may leave 127.0.0.1 (the app must work on an isolated network).

Without /usr/bin/chromium the tests skip locally; under CI (`CI=true`, where `.ci/run` installs it) they fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REPORTS, SEEDS, launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.real_model]

LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    out = Path(os.environ.get("QA_TEST_OUTPUT", tmp_path_factory.mktemp("screenshots")))
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    yield from launch_chromium()


@pytest.fixture
def page(browser, app_server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = ctx.new_page()
    outside: list[str] = []
    pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith(LOCAL) else None)
    pg.goto(app_server.url)
    pg.wait_for_selector("#question textarea", timeout=60_000)
    # the library (status line, filters, removal choices) is read when the page loads
    pg.wait_for_function("/报告 \\d+ 份/.test(document.querySelector('#status')?.innerText || '')", timeout=60_000)
    yield pg
    ctx.close()
    assert outside == [], f"the page fetched from outside 127.0.0.1: {outside[:5]}"


def ask(pg, question: str) -> str:
    n = pg.locator("#chatbot .v").count()
    pg.fill("#question textarea", question)
    pg.click("#send")
    pg.wait_for_function(f"document.querySelectorAll('#chatbot .v').length > {n}", timeout=60_000)
    pg.wait_for_timeout(300)
    return str(pg.locator("#chatbot").inner_text())


def download(pg, button: str, file_box: str, path: Path) -> Path:
    """Click an export button, then the link the file box shows, and save what the browser downloads."""
    pg.click(button)
    link = pg.locator(f"{file_box} a").first
    link.wait_for(timeout=30_000)
    with pg.expect_download() as dl:
        link.click()
    dl.value.save_as(str(path))
    return path


def test_question_answer_verdict_citation(page, shots):
    text = ask(page, "2021年醴陵市网格化中心的会议费是多少？")
    assert "150万元" in text and "[1]" in text and "✓ 原文" in text
    evidence = page.locator("#evidence")
    assert "醴陵市网格化管理服务中心" in evidence.inner_text() and "第380行" in evidence.inner_text()
    assert page.locator("#evidence mark").first.inner_text().replace(" ", "") == "150万元"
    assert "✓ 原文" in page.locator("#figures").inner_text()
    page.screenshot(path=str(shots / "01-answer.png"), full_page=True)


def test_open_evidence_shows_the_table_with_the_cell(page, shots):
    ask(page, "荷塘区2020年基本支出占本年支出合计的比例是多少？")
    assert page.locator("#chatbot .v-calc").count() >= 1  # the recomputed share: ✓ 计算
    text = ask(page, "荷塘区2020年三公经费是多少？")
    assert "2.00万元" in text
    first = page.locator("#evidence details").first
    if first.get_attribute("open") is None:
        first.locator("summary").click()
    cell = page.locator("#evidence td.cell").first
    cell.wait_for(state="visible")
    assert cell.inner_text().strip() == "2.00"
    assert "公开07表" in page.locator("#evidence").inner_text()
    page.screenshot(path=str(shots / "02-evidence-table.png"), full_page=True)


def test_filter_by_org_applies_to_the_answer(page, shots):
    page.click("#filters button, #filters .label-wrap")
    page.locator("#f-org input").click()
    page.get_by_role("option", name="醴陵市网格化管理服务中心").click()
    page.keyboard.press("Escape")
    text = ask(page, "会议费是多少？")
    assert "醴陵市网格化管理服务中心" in text and "筛选：单位=醴陵市网格化管理服务中心" in text
    page.screenshot(path=str(shots / "03-filter.png"), full_page=True)


def test_export_docx_opens_in_python_docx(page, shots, tmp_path):
    from docx import Document

    ask(page, "2021年醴陵市网格化中心的会议费是多少？")
    page.get_by_label(".docx").check()
    doc = Document(str(download(page, "#export-one", "#download", tmp_path / "answer.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "会议费" in text and "醴陵市网格化管理服务中心" in text and "第380行" in text
    assert "150万元" in cells and "✓ 原文" in cells
    page.screenshot(path=str(shots / "04-export.png"), full_page=True)


def test_upload_reports_bad_file_and_remove(page, shots, tmp_path):
    good = tmp_path / "2019_测试上传_部门决算.txt"
    text = (REPORTS / SEEDS["荷塘"]).read_text(encoding="utf-8")
    good.write_text(text.replace("2020", "2019"), encoding="utf-8")
    bad = tmp_path / "扫描件.pdf"
    bad.write_bytes(b"%PDF-1.4 not really a pdf")
    page.get_by_role("tab", name="报告库").click()
    page.locator("#upload input[type=file]").set_input_files([str(good), str(bad)])
    page.wait_for_timeout(1500)
    page.click("#ingest")
    log = page.locator("#ingest-log")
    log.get_by_text("扫描件.pdf").wait_for(timeout=180_000)
    assert "✓ added" in log.inner_text() and "✗" in log.inner_text()
    assert good.name in page.locator("#library-table").inner_text()
    page.screenshot(path=str(shots / "05-upload.png"), full_page=True)
    # a wrong 单位 is corrected in the library tab, and the table shows the corrected one
    page.locator("#remove-pick input").click()
    page.get_by_role("option", name="2019").first.click()
    page.locator("#fix-org textarea, #fix-org input").first.fill("株洲市测试区更正后中心")
    page.click("#fix")
    page.get_by_text("已更正").wait_for(timeout=120_000)
    assert "株洲市测试区更正后中心" in page.locator("#library-table").inner_text()
    page.locator("#remove-pick input").click()
    page.get_by_role("option", name="2019").first.click()
    page.click("#remove")  # asks first, naming the report; only 确认删除 removes it
    page.locator("#remove-confirm").get_by_text(f"确认删除《{good.name}》？").wait_for(timeout=30_000)
    page.click("#remove-yes")
    page.get_by_text(f"已删除：{good.name}").wait_for(timeout=60_000)
    assert good.name not in page.locator("#library-table").inner_text()


def test_comparison_table_and_chart(page, shots):
    page.get_by_role("tab", name="指标对比").click()
    page.click("#compare-go")
    table = page.locator("#compare-table")
    page.wait_for_function("(document.querySelector('#compare-table')?.innerText || '').includes('醴陵市')",
                           timeout=60_000)
    page.locator("#compare-plot img").first.wait_for(timeout=30_000)
    page.screenshot(path=str(shots / "06-compare.png"), full_page=True)
    body = table.inner_text()
    assert "2033.15" in body and "2222.46" in body



def test_audit_tab_filters_and_exports_xlsx(page, shots, tmp_path):
    from openpyxl import load_workbook

    page.get_by_role("tab", name="报告核查").click()
    page.get_by_label("低").uncheck()
    page.click("#audit-go")
    page.wait_for_function("(document.querySelector('#audit-summary')?.innerText || '').includes('共')", timeout=60_000)
    summary = page.locator("#audit-summary").inner_text()
    assert "尾数差异" not in summary and "列合计不符" in summary  # low severity filtered out
    assert "未能核查的部分" in summary and "石峰" in summary  # its tables are not in the report: said, not silent
    path = download(page, "#audit-export", "#audit-file", tmp_path / "audit.xlsx")
    rows = list(load_workbook(str(path)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "单位", "年度") and len(rows) > 5
    assert all(r[4] in ("高", "中") for r in rows[1:])
    page.screenshot(path=str(shots / "07-audit.png"), full_page=True)
