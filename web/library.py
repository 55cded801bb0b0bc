"""What a page shows of the report library, read fresh from the service on every page load, tab change and
action: the status line (`报告 N 份`), the 报告库 table, the 单位/年度/类型 filter choices and the removal
choices — so an upload or removal in one browser session shows in every other on its next action. Also the
removal confirmation text and the upload log (one line per file, in Chinese with the English gist)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.models import Report

REPORT_HEADERS = ["doc_id", "文件", "单位", "年度", "文档类型", "包含部分", "行数", "事实数", "按名称找到的表", "数字覆盖率", "提示"]


@dataclass
class LibraryView:
    table: list[list[Any]]
    orgs: list[str]
    years: list[str]
    kinds: list[str]
    docs: list[tuple[str, str]]  # (label, doc_id) for the removal / correction pick

    @property
    def count(self) -> int:
        return len(self.docs)

    def has(self, doc_id: str | None) -> bool:
        return bool(doc_id) and any(d == doc_id for _, d in self.docs)


def doc_label(r: Report) -> str:
    return f"{r.year or '年度未知'} {r.org or '单位未知'} {r.doc_type} · {r.file}"


def library_view(reports: list[Report], rows: list[dict[str, Any]]) -> LibraryView:
    table = [[r["doc_id"], r["file"], r["org"], r["year"], r["doc_type"], r["parts"], r["lines"], r["facts"],
              r["tables_found"], r["coverage"], ("⚠ " + r["warnings"]) if r["warnings"] else ""] for r in rows]
    return LibraryView(table=table, orgs=sorted({r.org for r in reports if r.org}),
                       years=sorted({str(r.year) for r in reports if r.year}),
                       kinds=sorted({r.doc_type for r in reports if r.doc_type}),
                       docs=[(doc_label(r), r.doc_id) for r in reports])


def status_line(status: dict[str, str], n_reports: int) -> str:
    return (f"**引擎** {status['engine']} · **嵌入模型** {status['embedder']} · **大模型** {status['llm']} · "
            f"**向量库** {status['store']}（{status['collection']}） · 报告 {n_reports} 份")


def confirm_text(r: Report) -> str:
    return (f"**确认删除《{r.file}》？**（{r.org} {r.year or ''}年 {r.doc_type}，doc_id {r.doc_id}）"
            "删除后它的事实、表格和向量都会移除 / this removes the report from every store.")


def unsupported(paths: Iterable[Path], supported: Iterable[str]) -> list[Path]:
    """Files whose type no reader handles (by suffix), so the upload can name them and ingest the rest."""
    ok = {s.lower() for s in supported}
    return [p for p in paths if p.suffix.lower() not in ok]


def unsupported_line(path: Path, supported: Iterable[str]) -> str:
    kinds = "、".join(sorted(supported))
    return (f"- ✗ **{path.name}**：不支持的文件类型 {path.suffix or '（无扩展名）'} / unsupported file type；"
            f"可导入 {kinds}")


def result_line(r: Any) -> str:
    """One upload result (index.ingest.IngestResult): ✗ with the error, ⚠ with warnings, else ✓."""
    if r.status == "error":
        return f"- ✗ **{r.file}**：{r.error}"
    mark = "⚠" if r.warnings else "✓"
    return (f"- {mark} {r.status} **{r.file}**：{r.org} {r.year} {r.doc_type}，事实 {r.facts} 条，"
            f"按名称找到的表 {len(r.tables_found)} 张" + "".join(f"\n  - ⚠ {w}" for w in r.warnings))


def failed_line(path: Path, exc: BaseException) -> str:
    """A file whose ingestion raised (a bug or an unreadable file): named, and the rest of the batch goes on."""
    return f"- ✗ **{path.name}**：导入失败 / ingest failed：{type(exc).__name__}: {exc}"


def upload(ingest: Callable[..., list[Any]], paths: list[Path], supported: Iterable[str],
           progress: Callable[[int, int, str], None]) -> str:
    """The upload log: files of an unsupported type named and skipped, the rest ingested as one batch through
    `ingest(paths, on_progress=…)` (the service). Should the batch raise instead of reporting a file's error,
    the files it had not reported go in one by one, so one bad file never costs the others."""
    supported = set(supported)
    bad = unsupported(paths, supported)
    todo = [p for p in paths if p not in bad]
    lines = [unsupported_line(p, supported) for p in bad]
    done: list[Any] = []

    def step(res: Any, n: int, total: int) -> None:
        done.append(res)
        progress(n, total, res.file)

    try:
        ingest(todo, on_progress=step)
    except Exception:  # noqa: BLE001  (reported per file below)
        seen = {r.file for r in done}
        for path in [p for p in todo if p.name not in seen]:
            try:
                done += ingest([path])
            except Exception as exc:  # noqa: BLE001  (named in the log, the batch goes on)
                lines.append(failed_line(path, exc))
            progress(len(done), len(todo), path.name)
    return "\n".join(lines + [result_line(r) for r in done])
