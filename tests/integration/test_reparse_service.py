"""A running service (real model, real Chroma, SQLite) sees a report re-parsed by a newer parser at once: the
same doc_id, new facts — answers, search and the audit read the new rows, never the cached old ones."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import index.ingest
from core.settings import Settings
from qa.answer_models import QUOTE_LEAD
from qa.service import QAService
from tests.unit.fakes import REPORT

pytestmark = pytest.mark.real_model


def test_reparsed_report_is_answered_from_its_new_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "2023_示例服务中心_部门决算.txt"
    path.write_text(REPORT, encoding="utf-8")
    service = QAService(Settings(data_dir=tmp_path / "data"))
    [first] = service.ingest([path])
    assert first.status == "added"
    before = service.ask("2023年的会议费是多少？", engine="structured")
    assert "3.21" in before.answer
    service.findings()  # the audit of this version is cached too

    real_parse = index.ingest.parse_file

    def newer_parser(*args, **kwargs):  # a newer parser that reads the 会议费 figure differently
        parsed = real_parse(*args, **kwargs)
        for f in parsed.facts:
            if f.phrase and "会议费" in f.phrase and str(f.value) == "3.21":
                f.value = f.value + 1
        return parsed

    monkeypatch.setattr(index.ingest, "PARSER_VERSION", index.ingest.PARSER_VERSION + 1)
    monkeypatch.setattr(index.ingest, "parse_file", newer_parser)
    [again] = service.ingest([path])
    assert again.status == "replaced" and again.doc_id == first.doc_id

    after = service.ask("2023年的会议费是多少？", engine="structured")
    stated = after.answer.split(QUOTE_LEAD)[0]  # the report's own sentence, quoted as context, still prints 3.21
    assert "4.21" in stated and "3.21万元" not in stated
    assert any(f.value == Decimal("4.21") for f in service.asker.facts([first.doc_id]) if "会议费" in (f.phrase or ""))
    assert service.stores.repository.cached() == [first.doc_id]
