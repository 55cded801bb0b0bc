"""What the app shows and exports, over hand-made answers and rows: the comparison's full numbers and a chart
whose labels are whole and inside the figure, the library view (filters and removal choices from the store's
reports, the confirmation naming the report, per-file upload lines), export names and figure-centred quotes."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from core.models import Report
from qa.answer_models import Answer, Citation, FigureCheck
from qa.export import export_name, findings_name, quote_window, safe_name, to_markdown
from qa.present import comparison_figure, comparison_rows, full_number
from web.library import confirm_text, library_view, unsupported, unsupported_line, upload

LONG = "株洲市石峰区社会治理和网格化管理服务中心"


def row(org: str, year: int, value: str, unit: str = "万元") -> SimpleNamespace:
    return SimpleNamespace(org=org, year=year, value=Decimal(value), unit=unit, shown=f"{value}{unit}", source="s")


def test_comparison_rows_keep_every_decimal():
    rows = comparison_rows([row("甲", 2020, "2.00"), row("乙", 2021, "150"), row("丙", 2022, "0")])
    assert [r[2] for r in rows] == ["2.00", "150.00", "0.00"]
    assert all(isinstance(x, str) for r in rows for x in r)
    assert full_number(Decimal("46.4"), "%") == "46.4" and full_number(Decimal("1E+2"), "人") == "100"


def test_chart_labels_are_whole_and_inside_the_figure():
    rows = [row(LONG, 2023, "2222.46"), row("醴陵市网格化管理服务中心", 2021, "2033.15"), row(LONG, 2022, "1.5")]
    fig = comparison_figure(rows, "本年支出合计")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    ax = fig.axes[0]
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) == 3
    assert sum(LONG in t.get_text().replace("\n", "") for t in labels) == 2  # the full name, wrapped, not cut
    for t in [*labels, *ax.texts, ax.title]:
        ext = t.get_window_extent(renderer)
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1 and ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, t
    assert {t.get_text() for t in ax.texts} >= {"2222.46", "2033.15", "1.50"}
    height = fig.get_size_inches()[1]
    more = comparison_figure(rows + [row(f"单位{i}", 2020, "1") for i in range(6)], "x").get_size_inches()[1]
    assert more > height + 1  # the figure grows with the number of bars


def report(doc_id: str, org: str, year: int | None, file: str) -> Report:
    return Report(doc_id=doc_id, file=file, org=org, year=year, doc_type="部门决算")


def test_library_view_lists_what_the_store_holds():
    reps = [report("a", "甲中心", 2021, "a.txt"), report("b", "乙中心", 2023, "b.txt"),
            report("c", "甲中心", None, "c.txt")]
    rows = [{"doc_id": r.doc_id, "file": r.file, "org": r.org, "year": r.year, "doc_type": r.doc_type, "parts": "",
             "lines": 1, "facts": 0, "tables_found": "", "coverage": "", "warnings": "w" if r.doc_id == "c" else ""}
            for r in reps]
    v = library_view(reps, rows)
    assert v.count == 3 and v.orgs == ["乙中心", "甲中心"] and v.years == ["2021", "2023"]
    assert [d for _, d in v.docs] == ["a", "b", "c"] and "c.txt" in v.docs[2][0]
    assert v.table[2][-1] == "⚠ w"
    assert v.has("b") and not v.has("zzz") and not v.has(None)
    text = confirm_text(reps[1])
    assert "确认删除《b.txt》？" in text and "乙中心" in text


def test_upload_names_unsupported_files_and_keeps_the_rest():
    paths = [Path("/u/a.txt"), Path("/u/扫描.PNG"), Path("/u/b.PDF"), Path("/u/noext")]
    bad = unsupported(paths, {".txt", ".pdf", ".docx"})
    assert bad == [Path("/u/扫描.PNG"), Path("/u/noext")]
    line = unsupported_line(bad[0], {".txt", ".pdf"})
    assert "扫描.PNG" in line and "不支持的文件类型" in line and "unsupported" in line


def cite(quote: str, n: int = 1, org: str = "醴陵市网格化管理服务中心", start: int | None = None) -> Citation:
    return Citation(n=n, doc_id="d", file="f.txt", org=org, year=2021, quote=quote, line=7, char_start=start)


def test_quote_window_is_centred_on_the_figure():
    before, after = "说明" * 60, "其他" * 60
    c = cite(before + "会议费支出150.00万元，比上年增加" + after)
    w = quote_window(c, "150万元")
    assert "150.00万元" in w and w.startswith("…") and w.endswith("…")
    k = w.index("150")
    assert 40 <= k <= 42 and 40 <= len(w) - k - len("150") <= 42  # 40 characters each side (+ …)
    t = cite("项目支出 " + "、".join(["1.00"] * 40) + " 2,001.35 " + after)
    assert "2,001.35" in quote_window(t, "2001.35万元")
    short = cite("会议费150万元。")
    assert quote_window(short, "150万元") == "会议费150万元。"


def test_quote_window_picks_the_occurrence_nearest_the_fact():
    q = "合计 1.64 " + "x" * 100 + " 会议费 1.64 " + "y" * 100
    w = quote_window(cite(q, start=q.rindex("1.64") + 2), "1.64万元")
    assert "会议费 1.64" in w


def answer(question: str, orgs: list[str]) -> Answer:
    cits = [cite("会议费150万元", n=i + 1, org=o) for i, o in enumerate(orgs)]
    figs = [FigureCheck(text="150万元", value=Decimal(150), unit="万元", verdict="matched", citations=[1])] if orgs else []
    return Answer(question=question, answer="150万元", has_answer=bool(orgs), engine="structured", citations=cits,
                  figures=figs)


def test_export_names_carry_the_org_or_question_and_a_timestamp():
    now = datetime(2026, 3, 4, 5, 6, 7)
    assert export_name([answer("会议费？", ["醴陵市网格化管理服务中心"])], ".docx", now) == \
        "预决算问答_醴陵市网格化管理服务中心_20260304-050607.docx"
    two = export_name([answer("q", ["甲", "乙"])], ".md", now)
    assert two == "预决算问答_甲等2个单位_20260304-050607.md"
    stem = export_name([answer("哪个单位/的三公经费:最少？", [])], ".json", now)
    assert re.fullmatch(r"预决算问答_[\w\u4e00-\u9fff._-]+_20260304-050607\.json", stem) and "/" not in stem
    assert findings_name(["甲", "甲", "乙"], ".xlsx", now) == "报告核查_甲等2个单位_20260304-050607.xlsx"
    assert findings_name([], ".xlsx", now).startswith("报告核查_全部_")
    assert safe_name("../../etc/passwd") == "etc_passwd" and safe_name("???") == "未命名"


def test_markdown_export_quotes_the_window():
    a = answer("会议费？", ["醴陵市网格化管理服务中心"])
    a.citations[0].quote = "说明" * 80 + "会议费150万元" + "其他" * 80
    md = to_markdown([a])
    row_line = next(line for line in md.splitlines() if line.startswith("| 150万元"))
    assert "会议费150万元" in row_line and "…" in row_line


def test_upload_log_one_bad_file_never_costs_the_others():
    """The service raising mid-batch (instead of reporting the file) still gets the other files ingested."""
    calls: list[list[str]] = []

    def ingest(paths, on_progress=None):  # type: ignore[no-untyped-def]
        calls.append([p.name for p in paths])
        out = []
        for n, p in enumerate(paths, start=1):
            if p.name == "locked.txt":
                raise PermissionError(13, "Permission denied", str(p))
            res = SimpleNamespace(file=p.name, status="added", error="", org="甲", year=2021, doc_type="部门决算",
                                  facts=3, tables_found=[], warnings=[])
            out.append(res)
            if on_progress:
                on_progress(res, n, len(paths))
        return out

    seen: list[tuple[int, int, str]] = []
    paths = [Path("/u/a.txt"), Path("/u/locked.txt"), Path("/u/扫描.png"), Path("/u/b.txt")]
    log = upload(ingest, paths, {".txt"}, lambda n, t, name: seen.append((n, t, name)))
    lines = log.splitlines()
    assert any("扫描.png" in x and "不支持的文件类型" in x for x in lines)
    assert any("locked.txt" in x and "PermissionError" in x and "✗" in x for x in lines)
    assert sum("✓ added" in x for x in lines) == 2 and "b.txt" in log and "a.txt" in log
    assert calls[0] == ["a.txt", "locked.txt", "b.txt"]  # one batch first; the rest one by one after the raise


def test_ask_errors_become_chat_messages_not_tracebacks():
    from core.errors import UserError
    from qa.filters import QueryFilters
    from web.answers import api_json, ask_or_error

    def refuse(*args, **kw):  # type: ignore[no-untyped-def]
        raise UserError("没有报告 / no reports", "先导入报告")

    def crash(*args, **kw):  # type: ignore[no-untyped-def]
        raise KeyError("boom")

    a, msg = ask_or_error(refuse, "q", [], "auto", QueryFilters())
    assert a is None and "没有报告" in msg and "先导入报告" in msg
    a, msg = ask_or_error(crash, "q", [], "auto", QueryFilters())
    assert a is None and "内部错误" in msg and "KeyError" in msg
    assert api_json(refuse, "q", "")["has_answer"] is False
    assert "history" in api_json(refuse, "q", "[bad")["error"]
