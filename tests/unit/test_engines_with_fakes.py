"""Ingestion and answering over a hand-made report with the fakes production-style: a deterministic embedder in
the stores and a scripted LLM backend in the llm engine (no model loaded, no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest import Ingestor
from qa.ask import Asker
from qa.llm import LLMEngine
from tests.unit.fakes import REPORT, ScriptedBackend, fake_stores


@pytest.fixture()
def stores(tmp_path: Path):
    path = tmp_path / "2023_示例服务中心_部门决算.txt"
    path.write_text(REPORT, encoding="utf-8")
    stores = fake_stores(tmp_path / "data")
    [res] = Ingestor(stores).ingest([path])
    assert res.status == "added" and res.facts >= 5, res
    return stores


def test_structured_answer_cites_the_fact(stores) -> None:
    answer = Asker(stores).ask("2023年的会议费是多少？", engine="structured")
    assert answer.has_answer and "3.21" in answer.answer
    assert any("会议费" in c.quote for c in answer.citations)
    assert all(f.verdict in ("matched", "derived") for f in answer.figures)


def test_scripted_llm_wrong_figure_is_repaired_then_flagged(stores) -> None:
    backend = ScriptedBackend(["会议费支出9.99万元[1]。", "会议费支出8.88万元[1]。"])
    answer = Asker(stores, LLMEngine(backend)).ask("示例服务中心会议费支出的主要情况是什么？", engine="llm")
    assert len(backend.prompts) == 2, "a failing figure triggers exactly one repair round"
    assert "9.99" in backend.prompts[1]
    assert "未通过核验" in answer.answer
    assert [f.verdict for f in answer.figures if f.text.startswith("8.88")] != ["matched"]


def test_scripted_llm_correct_figure_passes_without_repair(stores) -> None:
    backend = ScriptedBackend(["“三公”经费支出12.34万元[1]。"])
    answer = Asker(stores, LLMEngine(backend)).ask("示例服务中心三公经费支出情况如何？", engine="llm")
    assert len(backend.prompts) == 1
    assert "未通过核验" not in answer.answer


def test_corrected_metadata_changes_the_answer_scope(stores) -> None:
    from core.errors import UserError
    from qa.service import QAService

    service = QAService(stores.settings, stores=stores)
    [row] = service.report_rows()
    assert {"tables_found", "coverage", "warnings"} <= set(row)
    rep = service.set_metadata(row["doc_id"], org="某市某区更正后中心", year=2024)
    assert (rep.org, rep.year) == ("某市某区更正后中心", 2024)
    assert service.ask("2024年的会议费是多少？", engine="structured").has_answer
    assert not service.ask("2021年的会议费是多少？", engine="structured").has_answer
    with pytest.raises(UserError):
        service.set_metadata("no-such-doc", year=2024)


def test_citations_carry_the_page(tmp_path: Path) -> None:
    """A text file with a page break (a form feed, as pdftotext writes): the cited line's page is in the citation."""
    path = tmp_path / "2023_示例服务中心_部门决算.txt"
    path.write_text(REPORT.replace("二、“三公”经费支出情况说明", "\f二、“三公”经费支出情况说明"), encoding="utf-8")
    stores = fake_stores(tmp_path / "data")
    Ingestor(stores).ingest([path])
    answer = Asker(stores).ask("2023年的会议费是多少？", engine="structured")
    assert answer.has_answer and [c.page for c in answer.citations] == [2]
    assert "第2页" in answer.citations[0].label()
    first = Asker(stores).ask("2023年的收入总计是多少？", engine="structured")
    assert [c.page for c in first.citations] == [1]
