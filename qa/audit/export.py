"""Audit findings exported for reviewers: Excel (one row per finding, with every location), Word (grouped by
单位, severity first) and JSON (the `qa audit --json` shape)."""

from __future__ import annotations

import json
from pathlib import Path

from qa.audit.context import SEVERITY_LABELS, Finding
from qa.export import export_target

FORMATS = (".xlsx", ".docx", ".json")


def _where(f: Finding) -> str:
    return "；".join(f"[{c.n}] {c.label()}：{c.quote[:60]}" for c in f.citations)


def export_findings(findings: list[Finding], path: Path) -> Path:
    suffix = export_target(path, FORMATS)
    if suffix == ".json":
        path.write_text(json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "核查结果"
        ws.append(["编号", "单位", "年度", "文件", "严重程度", "类型", "规则", "说明", "出处"])
        for f in findings:
            ws.append([f.id, f.org, f.year, f.file, SEVERITY_LABELS[f.severity], f.kind, f.rule, f.message, _where(f)])
        wb.save(str(path))
    else:
        from docx import Document

        doc = Document()
        doc.add_heading("报告核查结果", level=1)
        for org in dict.fromkeys(f.org for f in findings):
            doc.add_heading(org, level=2)
            for f in (x for x in findings if x.org == org):
                doc.add_paragraph(f"【{SEVERITY_LABELS[f.severity]}】{f.kind}（{f.year}年）：{f.message}", style="List Number")
                for c in f.citations:
                    doc.add_paragraph(f"[{c.n}] {c.label()} — “{c.quote[:120]}”")
        doc.save(str(path))
    return path
