"""Answers exported with their citations and verdicts: Markdown, Word (.docx), Excel (.xlsx) and JSON — each
figure with its citation (单位, year, section/table, quote) and verdict. Also the plain-text rendering the CLI prints."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from core.errors import UserError
from qa.answer_models import VERDICT_LABELS, Answer, Citation

FORMATS = (".md", ".docx", ".xlsx", ".json")
QUOTE_SIDE = 40  # characters of context on each side of a figure in its quote
NUMBER = re.compile(r"\d[\d,，]*(?:\.\d+)?")
UNSAFE = re.compile(r"[^0-9A-Za-z\u3400-\u9fff\uf900-\ufaff._-]+")


def _figure_span(quote: str, figure: str, hint: int | None) -> tuple[int, int] | None:
    """Where `figure` (as the answer prints it, e.g. `2,001.35万元`) stands in `quote`: the whole text, else its
    number with or without thousands separators; of several places, the one nearest `hint` (the fact's offset)."""
    spans = [(m.start(), m.end()) for m in re.finditer(re.escape(figure.strip()), quote)] if figure.strip() else []
    number = NUMBER.search(figure)
    if not spans and number:
        digits = re.sub(r"[,，]", "", number.group())
        pattern = "[,，]?".join(re.escape(ch) for ch in digits)
        spans = [(m.start(), m.end()) for m in re.finditer(rf"(?<![\d.]){pattern}(?![\d])", quote)]
    if not spans:
        return None
    return min(spans, key=lambda s: abs(s[0] - hint)) if hint is not None else spans[0]


def quote_window(c: Citation, figure: str, side: int = QUOTE_SIDE) -> str:
    """The part of the citation's quote around the figure: `side` characters either side, `…` where cut, so the
    figure itself is never cut off; a quote with no trace of the figure is shown from its start."""
    quote = c.quote
    span = _figure_span(quote, figure, c.char_start)
    if span is None:
        start, end = 0, min(len(quote), 2 * side)
    else:
        start, end = max(0, span[0] - side), min(len(quote), span[1] + side)
    return ("…" if start > 0 else "") + quote[start:end] + ("…" if end < len(quote) else "")


def safe_name(text: str, limit: int = 40) -> str:
    """`text` as part of a file name on any system: letters, digits, CJK, `._-`; runs of anything else → `_`."""
    return UNSAFE.sub("_", text).strip("._")[:limit].strip("._") or "未命名"


def _orgs(answers: Iterable[Answer]) -> list[str]:
    seen: list[str] = []
    for a in answers:
        for c in a.citations:
            if c.org and c.org not in seen:
                seen.append(c.org)
    return seen


def export_name(answers: list[Answer], suffix: str, now: datetime | None = None) -> str:
    """`预决算问答_<单位>_<YYYYmmdd-HHMMSS><suffix>`: the 单位 the answers cite (`…等N个单位` when several), else
    the first question's opening words."""
    orgs = _orgs(answers)
    if orgs:
        subject = orgs[0] + (f"等{len(orgs)}个单位" if len(orgs) > 1 else "")
    else:
        subject = answers[0].question[:20] if answers else ""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"预决算问答_{safe_name(subject)}_{stamp}{suffix}"


def findings_name(orgs: list[str], suffix: str, now: datetime | None = None) -> str:
    """`报告核查_<单位 or 全部>_<YYYYmmdd-HHMMSS><suffix>` for an audit export."""
    unique = list(dict.fromkeys(o for o in orgs if o))
    subject = unique[0] + (f"等{len(unique)}个单位" if len(unique) > 1 else "") if unique else "全部"
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"报告核查_{safe_name(subject)}_{stamp}{suffix}"


def _figure_rows(a: Answer) -> list[list[str]]:
    by_n = {c.n: c for c in a.citations}
    rows = []
    for f in a.figures:
        src = "；".join(by_n[n].label() + f"：{quote_window(by_n[n], f.text)}" for n in f.citations if n in by_n)
        detail = f.formula or (f"应为 {f.expected}" if f.expected else "")
        rows.append([f.text, VERDICT_LABELS[f.verdict], detail, src])
    return rows


def render_text(a: Answer) -> str:
    out = [a.answer, ""]
    if a.filters:
        out.append(f"（{a.filters}；引擎 {a.engine}）")
    for c in a.citations:
        out.append(f"[{c.n}] {c.label()}\n    {c.quote[:160]}")
    if a.figures:
        out.append("数字核验：")
        out += [f"  {VERDICT_LABELS[f.verdict]} {f.text}" + (f"  {f.formula}" if f.formula else "")
                + (f"  应为 {f.expected}" if f.expected else "") for f in a.figures]
    for note in a.audit:
        out.append(f"⚠ {note.kind}：{note.message}")
    return "\n".join(out)


def to_markdown(answers: list[Answer]) -> str:
    parts = []
    for i, a in enumerate(answers, start=1):
        parts += [f"## 问题 {i}：{a.question}", "", a.answer, "", f"*引擎：{a.engine}；{a.filters}*", ""]
        if a.citations:
            parts += ["**引用**", ""] + [f"{c.n}. {c.label()} — “{c.quote[:200]}”" for c in a.citations] + [""]
        rows = _figure_rows(a)
        if rows:
            parts += ["| 数字 | 核验 | 算式/应为 | 出处 |", "|---|---|---|---|"]
            parts += ["| " + " | ".join(x.replace("|", "｜") for x in r) + " |" for r in rows] + [""]
        parts += [f"> ⚠ {n.kind}：{n.message}" for n in a.audit]
    return "# 预决算问答导出\n\n" + "\n".join(parts) + "\n"


def export_target(path: Path, formats: tuple[str, ...]) -> str:
    """The export format of `path` (its suffix), checked against `formats`; the folder is created."""
    suffix = path.suffix.lower()
    if suffix not in formats:
        raise UserError(f"不支持的导出格式 {suffix} / unsupported export format", f"可选：{', '.join(formats)}",
                        file=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    return suffix


def export_answer(answers: list[Answer], path: Path) -> Path:
    suffix = export_target(path, FORMATS)
    if suffix == ".md":
        path.write_text(to_markdown(answers), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps([a.to_json() for a in answers], ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".docx":
        _docx(answers, path)
    else:
        _xlsx(answers, path)
    return path


def _docx(answers: list[Answer], path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_heading("预决算问答导出", level=1)
    for i, a in enumerate(answers, start=1):
        doc.add_heading(f"问题 {i}：{a.question}", level=2)
        doc.add_paragraph(a.answer)
        doc.add_paragraph(f"引擎：{a.engine}；{a.filters}")
        for c in a.citations:
            doc.add_paragraph(f"[{c.n}] {c.label()} — “{c.quote[:200]}”", style="List Number")
        rows = _figure_rows(a)
        if rows:
            table = doc.add_table(rows=1, cols=4)
            for cell, title in zip(table.rows[0].cells, ("数字", "核验", "算式/应为", "出处"), strict=True):
                cell.text = title
            for r in rows:
                for cell, v in zip(table.add_row().cells, r, strict=True):
                    cell.text = v
        for n in a.audit:
            doc.add_paragraph(f"⚠ {n.kind}：{n.message}")
    doc.save(str(path))


def _xlsx(answers: list[Answer], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "回答"
    ws.append(["问题", "回答", "引擎", "有答案"])
    for a in answers:
        ws.append([a.question, a.answer, a.engine, "是" if a.has_answer else "否"])
    figs = wb.create_sheet("数字核验")
    figs.append(["问题", "数字", "核验", "算式/应为", "出处"])
    for a in answers:
        for r in _figure_rows(a):
            figs.append([a.question, *r])
    cits = wb.create_sheet("引用")
    cits.append(["问题", "编号", "单位", "年度", "章节", "表", "行", "列", "行号", "原文"])
    for a in answers:
        for c in a.citations:
            cits.append([a.question, c.n, c.org, c.year, c.section, c.table or "", c.row, c.column, c.line, c.quote])
    wb.save(str(path))
