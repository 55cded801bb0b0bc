"""The answering layer on the real bundled reports: structured lookups with citations, rates with formulas,
comparisons, follow-ups, refusals, contradictions, the CLI JSON contract and exports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def asker(ingested):
    from qa.ask import Asker

    return Asker(ingested)


def test_lookup_cites_the_line_holding_the_figure(asker) -> None:
    a = asker.ask("2021年醴陵市网格化中心的会议费是多少？")
    assert a.has_answer and a.engine == "structured"
    assert "150万元" in a.answer and "醴陵" in a.answer and "2021" in a.answer
    assert any("会议费" in c.quote and "150" in c.quote for c in a.citations)
    assert all(f.verdict in ("matched", "derived") for f in a.figures)


def test_rate_shows_stated_value_and_recomputation(asker) -> None:
    a = asker.ask("醴陵2021年三公经费完成预算的百分之几？")
    assert "32.8%" in a.answer and "1.64万元 ÷ 5万元" in a.answer
    assert {f.verdict for f in a.figures} <= {"matched", "derived"}


def test_ranking_across_reports(asker) -> None:
    a = asker.ask("哪个单位的项目支出最多？")
    assert "最多的是株洲市石峰区网格化管理服务中心" in a.answer and "2093.41万元" in a.answer
    assert len({c.org for c in a.citations}) >= 4


def test_followup_uses_the_conversation(asker) -> None:
    a = asker.ask("那邮电费呢？", [{"q": "醴陵2021年办公费是多少？", "a": "办公费23.96万元。"}])
    assert "58.68万元" in a.answer
    b = asker.ask("那醴陵呢？", [{"q": "荷塘区2020年会议费是多少？", "a": "会议费0.12万元。"}])
    assert "150万元" in b.answer


@pytest.mark.parametrize("question", [
    "2019年醴陵市网格化中心的会议费是多少？", "长沙市网格化管理服务中心2021年收入合计是多少？",
    "芦淞区网格中心2022年会议费是多少？",
])
def test_refuses_without_substituting(asker, question) -> None:
    from qa.answer_models import REFUSAL

    a = asker.ask(question)
    assert not a.has_answer and a.answer.startswith(REFUSAL)
    assert not a.figures


def test_contradiction_is_reported_with_both_places(asker) -> None:
    a = asker.ask("醴陵2021年人员经费是多少？")
    assert "1060.26" in a.answer and "1060.76" in a.answer and "不一致" in a.answer
    assert a.audit and len(a.audit[0].citations) == 2


def test_text_question_is_extractive_and_cited(asker) -> None:
    a = asker.ask("醴陵市网格化管理服务中心有哪些内设机构？")
    assert a.engine == "extractive" and "综合协调组" in a.answer and a.citations


def _qa(ingested, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"QA_DATA_DIR": str(ingested.settings.data_dir), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, env=env,
                          input=stdin, timeout=300)


def test_cli_ask_json_contract_and_docx_export(ingested, tmp_path) -> None:
    out = tmp_path / "answer.docx"
    p = _qa(ingested, "ask", "石峰区2023年收入合计多少？", "--json", "--export", str(out))
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert {"question", "answer", "has_answer", "engine", "citations", "figures", "audit"} <= set(data)
    c = data["citations"][0]
    assert {"n", "doc_id", "file", "org", "year", "section", "table", "row", "column", "quote", "line"} <= set(c)
    assert {"text", "value", "unit", "verdict", "formula", "expected", "citations"} <= set(data["figures"][0])
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "2222.46" in text


def test_cli_verify_flags_a_wrong_figure(ingested) -> None:
    p = _qa(ingested, "verify", "--question", "醴陵2021年", "--json", stdin="醴陵2021年开支会议费105万元。")
    data = json.loads(p.stdout)
    assert p.returncode == 1 and data["figures"][0]["verdict"] == "mismatch"
    assert data["figures"][0]["expected"] == "150万元"


def test_cli_reports_user_errors(ingested, tmp_path) -> None:
    bad = tmp_path / "h.json"
    bad.write_text("not json", encoding="utf-8")
    p = _qa(ingested, "ask", "那上一年呢？", "--history", str(bad))
    assert p.returncode == 2 and "h.json" in p.stderr


def test_answer_mentions_an_audit_finding_it_touches(ingested):
    from qa.ask import Asker

    a = Asker(ingested).ask("2020年荷塘区三公经费是多少？")
    assert any(n.kind.startswith("报告核查") and "公开07表" in n.message for n in a.audit)


def test_execution_rate_uses_the_rate_the_report_states_for_that_amount(asker) -> None:
    """财政拨款支出 2007.23 is restated where its 年初预算 rate is printed; the 三公 rate must not win."""
    a = asker.ask("醴陵2021年财政拨款支出完成年初预算的比例？")
    assert "102.83%" in a.answer and "2007.23万元 ÷ 1951.91万元" in a.answer and "32.8%" not in a.answer


def test_item_line_gives_its_subject_to_the_figures_below(asker) -> None:
    """`1、…（类）…（款）行政运行（项）。` heads the line with 年初预算为…完成年初预算的…%."""
    a = asker.ask("石峰2023年行政运行完成年初预算的比例？")
    assert a.has_answer and "109.77%" in a.answer and "120.30万元 ÷ 109.59万元" in a.answer


@pytest.mark.parametrize("question,shown", [
    # a share's denominator is a whole, not a smaller budget
    ("衡山2023年项目支出占全年预算数的比例？", ["82.32%", "557.70万元"]),
    # two totals are told apart in a difference
    ("醴陵2021年收入合计和支出合计相差多少？", ["52.42万元", "2033.15万元", "1980.73万元"]),
    # `其中：基本支出：98.61` in a 万元 table is 98.61万元, so it adds up with 459.09万元
    ("衡山县2023年基本支出和项目支出合计是多少？", ["557.70万元", "98.61万元"]),
], ids=["share-denominator-is-a-whole", "two-totals-told-apart", "label-value-cells-carry-table-unit"])
def test_operands_resolve_to_the_right_figures(asker, question: str, shown: list[str]) -> None:
    a = asker.ask(question)
    assert all(x in a.answer for x in shown), a.answer


def test_row_rate_that_disagrees_with_its_own_figures_is_flagged(asker) -> None:
    a = asker.ask("荷塘2020年部门整体支出执行率是多少？")
    assert "100%" in a.answer and "95.33%" in a.answer and "不一致" in a.answer
    assert all(f.citations for f in a.figures)


def test_count_is_named_by_the_noun_after_it(asker) -> None:
    a = asker.ask("荷塘区2020年核心志愿者有多少名？")
    assert "2174名" in a.answer and "745" not in a.answer


def test_reason_question_is_not_a_growth_computation(asker) -> None:
    a = asker.ask("醴陵2021年收支总计增长的主要原因是什么？")
    assert a.engine == "extractive" and a.citations
