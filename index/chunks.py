"""Section-aware chunks for retrieval. Narrative lines are grouped within their section (path as a prefix);
each table becomes chunks of rows with its title and header repeated. Ids are stable: `doc_id:section:n`."""

from __future__ import annotations

from core.models import Chunk, Report, Section, TableModel
from index.sections import section_at, section_index


def _table_chunks(report: Report, table: TableModel, rows_per_chunk: int) -> list[Chunk]:
    head = f"{report.org} {report.year or ''}年 {table.title}"
    if table.table_id != table.title:
        head += f"（{table.table_id}）"
    if table.unit:
        head += f" 单位：{table.unit}"
    header = [" | ".join(c for c in row if c) for row in table.rows[: table.n_header]]
    body = table.rows[table.n_header :]
    spans = table.row_lines[table.n_header :] if len(table.row_lines) == len(table.rows) else []
    chunks: list[Chunk] = []
    for n, start in enumerate(range(0, max(len(body), 1), rows_per_chunk)):
        rows = [" | ".join(c if c else "—" for c in row).strip(" |—") for row in body[start : start + rows_per_chunk]]
        text = "\n".join([head, *header, *[r for r in rows if r]])
        own = spans[start : start + rows_per_chunk]
        # each chunk points at the lines of its own rows (the first also at the caption and header above them)
        first = table.start if n == 0 or not own else own[0][0]
        last = max((b for _, b in own), default=table.end) if own else table.end
        chunks.append(
            Chunk(
                chunk_id=f"{report.doc_id}:{table.table_id}:{n}", doc_id=report.doc_id, text=text, org=report.org,
                year=report.year, doc_type=report.doc_type, section=table.section, table_id=table.table_id,
                start=first, end=last if start + rows_per_chunk < len(body) else table.end,
            )
        )
    return chunks


_STOPS = "。！？!?；;"


def pieces(text: str, max_chars: int) -> list[str]:
    """A line as chunk-sized pieces: itself, or — a line far longer than a chunk (a file without line breaks) —
    cut after full stops (or hard, inside a run-on sentence) into pieces of at most `max_chars`, so one line
    never makes a chunk of megabytes."""
    if len(text) <= 2 * max_chars:
        return [text]
    out: list[str] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = max(window.rfind(c) for c in _STOPS) + 1
        end = start + (cut if cut > max_chars // 4 else max_chars)
        out.append(text[start:end])
        start = end
    out.append(text[start:])
    return [p for p in out if p.strip()]


def make_chunks(
    report: Report,
    lines: list[str],
    sections: list[Section],
    tables: list[TableModel],
    table_lines: set[int],
    max_chars: int,
    rows_per_chunk: int,
) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: list[str] = []
    cur_sec: Section | None = None
    cur_start = 0
    cur_end = 0
    counters: dict[int, int] = {}

    carry: list[str] = []

    def flush() -> None:
        nonlocal current, carry
        if cur_sec is not None and len(current) == 1 and len(current[0]) < 40:
            carry = carry + current  # a bare heading joins the chunk that follows it
            current = []
            return
        if cur_sec is not None and current:
            current = carry + current
            carry = []
            n = counters.get(cur_sec.idx, 0)
            counters[cur_sec.idx] = n + 1
            prefix = f"{report.org} {report.year or ''}年 {cur_sec.path_text}"
            chunks.append(
                Chunk(
                    chunk_id=f"{report.doc_id}:s{cur_sec.idx}:{n}", doc_id=report.doc_id,
                    text=prefix + "\n" + "\n".join(current), org=report.org, year=report.year,
                    doc_type=report.doc_type, section=cur_sec.path_text, start=cur_start, end=cur_end,
                )
            )
        current = []

    section_of = section_index(sections)
    for idx, text in enumerate(lines):
        line = idx + 1
        if line in table_lines or not text.strip():
            continue
        sec = section_of[line] if line < len(section_of) else section_at(sections, line)
        for piece in pieces(text.strip(), max_chars):
            size = sum(len(t) for t in current)
            if cur_sec is None or sec.idx != cur_sec.idx or size + len(piece) > max_chars:
                flush()
                cur_sec, cur_start = sec, line
            current.append(piece)
            cur_end = line
    flush()
    if carry:
        current = carry
        carry = []
        if cur_sec is not None:
            current.append("")
            flush()
    for table in tables:
        chunks.extend(_table_chunks(report, table, rows_per_chunk))
    return chunks
