"""The services behind the app (real stores): filters, comparison rows, export, ingest/remove with a bad file,
the readers–writer lock; and the presentation helpers (badges at the right place, evidence highlighting)."""

from __future__ import annotations

import shutil
import threading
import time
from decimal import Decimal

import pytest

from core.errors import UserError
from core.models import TableModel
from qa.answer_models import Answer, Citation, FigureCheck
from qa.filters import QueryFilters
from qa.present import answer_markdown, evidence_html, stream_pieces
from qa.service import QAService, ReadWriteLock
from tests.conftest import REPORTS, SEEDS

pytestmark = pytest.mark.real_model

LILING = "醴陵市网格化管理服务中心"


@pytest.fixture(scope="module")
def service(ingested):
    return QAService(ingested.settings, stores=ingested, llm=None)


def test_filters_narrow_the_reports_and_are_shown(service):
    a = service.ask("会议费是多少？", filters=QueryFilters(orgs=[LILING]))
    assert a.has_answer and LILING in a.answer and "150" in a.answer
    assert a.filters.startswith("筛选：单位=" + LILING)
    other = service.ask("2020年会议费是多少？", filters=QueryFilters(orgs=[LILING]))
    assert not other.has_answer  # 醴陵 has no 2020 report; never another 单位's figure
    none = service.ask("会议费是多少？", filters=QueryFilters(years=[1999]))
    assert not none.has_answer and "筛选条件" in none.answer


def test_measure_rows_cover_reports_and_previous_year_columns(service):
    rows = service.measure_rows("项目支出")
    liling = [r for r in rows if r.org == LILING]
    assert liling and liling[0].value == Decimal("194.32") and liling[0].unit == "万元"
    hengshan = sorted(r.year for r in rows if "衡山" in r.org)
    assert hengshan == [2022, 2023]  # 2022 from the 2023 report's previous-year column
    assert all(isinstance(r.value, Decimal) for r in rows)
    with pytest.raises(UserError):
        service.measure_rows("  ")


def test_export_every_format(service):
    a = service.ask("2021年醴陵市网格化中心的会议费是多少？")
    for fmt in (".md", ".docx", ".xlsx", ".json"):
        path = service.export([a], fmt)
        assert path.exists() and path.stat().st_size > 0 and path.suffix == fmt
    from docx import Document

    text = "\n".join(p.text for p in Document(str(service.export([a], "docx"))).paragraphs)
    assert "会议费" in text and "第380行" in text
    with pytest.raises(UserError):
        service.export([], ".md")
    with pytest.raises(UserError):
        service.export([a], ".pdf")


def test_ingest_keeps_good_files_when_one_is_bad_and_remove_forgets(tmp_path):
    from core.settings import Settings

    src = tmp_path / "in"
    src.mkdir()
    good = src / SEEDS["荷塘"]
    shutil.copy(REPORTS / SEEDS["荷塘"], good)
    bad = src / "坏文件.txt"
    bad.write_bytes(b"")
    service = QAService(Settings(data_dir=tmp_path / "data"), llm=None)
    seen: list[tuple[int, int]] = []
    results = service.ingest([bad, good], on_progress=lambda r, n, total: seen.append((n, total)))
    assert [r.status for r in results] == ["error", "added"] and "坏文件.txt" in results[0].error
    assert seen == [(1, 2), (2, 2)]
    assert service.ask("2020年荷塘区的会议费是多少？").has_answer
    doc_id = results[1].doc_id
    assert service.remove(doc_id).file == good.name
    assert service.report_rows() == []
    with pytest.raises(UserError):
        service.ask("2020年荷塘区的会议费是多少？")  # the index is empty again, nothing stale answers
    with pytest.raises(UserError):
        service.remove(doc_id)


def test_read_write_lock_excludes_readers_while_writing():
    lock = ReadWriteLock()
    events: list[str] = []

    def reader() -> None:
        with lock.read():
            events.append("read")

    with lock.write():
        t = threading.Thread(target=reader)
        t.start()
        time.sleep(0.1)
        events.append("write-done")
    t.join(2)
    assert events == ["write-done", "read"]
    with lock.read(), lock.read():  # readers share
        pass


def _answer() -> Answer:
    text = "基本支出389.15万元[1]，占比89.35%，另有12.5万元。"
    figs = [FigureCheck(text="389.15万元", value=Decimal("389.15"), unit="万元", verdict="matched", citations=[1],
                        start=4, end=12),
            FigureCheck(text="89.35%", value=Decimal("89.35"), unit="%", verdict="derived", formula="a ÷ b",
                        start=18, end=24),
            FigureCheck(text="12.5万元", value=Decimal("12.5"), unit="万元", verdict="mismatch", expected="12.6万元",
                        start=27, end=33)]
    cit = Citation(n=1, doc_id="d", file="f.txt", org="某单位", year=2020, section="第三部分", table="公开01表",
                   row="基本支出", column="决算数", quote="基本支出\t389.15", line=3, char_start=5, char_end=11)
    return Answer(question="q", answer=text, has_answer=True, engine="structured", figures=figs, citations=[cit])


def test_badges_follow_their_figures():
    a = _answer()
    md = answer_markdown(a)
    assert md.index("389.15万元") < md.index("✓ 原文") < md.index("89.35%") < md.index("✓ 计算") \
        < md.index("12.5万元") < md.index("✗ 不符，应为 12.6万元")
    assert 'title="计算：a ÷ b"' in md
    assert "".join(stream_pieces(a.answer)[-1:]) == a.answer


def test_evidence_marks_the_figure_and_the_table_cell():
    a = _answer()
    lines = ["公开01表", "项目\t决算数", "基本支出\t389.15", "项目支出\t46.40"]
    table = TableModel(doc_id="d", table_id="公开01表", title="收入支出决算总表", unit="万元", start=2, end=4,
                       columns=["项目", "决算数"], rows=[["项目", "决算数"], ["基本支出", "389.15"], ["项目支出", "46.40"]],
                       n_header=1)
    out = evidence_html(a, lambda d: lines, lambda d: [table])
    assert "<mark>389.15</mark>" in out
    assert "<td class=cell>389.15</td>" in out and "<tr class=hit>" in out
    assert out.count("class=cell") == 1


def test_comparison_chart_draws_chinese_labels(service):
    from pathlib import Path

    from matplotlib import font_manager

    from qa.present import comparison_figure

    if not list(Path("/usr/share/fonts").glob("**/NotoSansCJK*.tt[cf]")):
        pytest.skip("fonts-noto-cjk not installed")
    fig = comparison_figure(service.measure_rows("本年支出合计"), "本年支出合计")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]  # horizontal bars: 单位 on the y axis
    assert any("醴陵" in x for x in labels)
    font = font_manager.findfont(fig.axes[0].title.get_fontproperties(), fallback_to_default=False)
    assert "NotoSansCJK" in font  # not DejaVu, which would draw the Chinese title as empty boxes


def test_cli_compare_and_remove(ingested, monkeypatch, capsys, tmp_path):
    import json

    from cli.main import main

    monkeypatch.setenv("QA_DATA_DIR", str(ingested.settings.data_dir))
    assert main(["compare", "项目支出", "--json", "--chart", str(tmp_path / "c.png")]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {"org": LILING, "year": 2021, "value": "194.32", "unit": "万元"}.items() <= \
        next(r for r in rows if r["org"] == LILING).items()
    assert (tmp_path / "c.png").stat().st_size > 10_000
    assert main(["remove", "no-such-doc"]) == 2
    assert "no such report" in capsys.readouterr().err


def test_findings_filter_and_export(service):
    high = service.findings(severities=["high"])
    assert high and all(f.severity == "high" for f in high)
    liling = service.findings(orgs=[LILING])
    assert liling and all(f.org == LILING for f in liling)
    from docx import Document

    text = "\n".join(p.text for p in Document(str(service.export_findings(liling, ".docx"))).paragraphs)
    assert LILING in text and "≠" in text
    with pytest.raises(UserError):
        service.export_findings([], ".xlsx")


def test_audit_coverage_says_what_could_not_be_checked(service) -> None:
    covs = {c.org: c for c in service.audit_coverage()}
    shifeng = next(c for org, c in covs.items() if "石峰" in org)
    assert shifeng.ran and shifeng.skipped, "a report without tables ran the narrative rules and says the rest could not"
    assert any("表" in why for why in shifeng.skipped.values())
    heta = next(c for org, c in covs.items() if "荷塘" in org)
    assert len(heta.ran) > len(shifeng.ran)
