"""Parse one report file into a `ParsedReport`: metadata, sections, tables, facts and chunks (no I/O to stores)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.models import Chunk, Fact, FieldSource, Report, Section, TableModel
from core.normalize import NormLine, normalize_line
from index.blocks import Cell, caption_for, find_blocks
from index.chunks import make_chunks
from index.column_evidence import place_by_layout, place_by_statements
from index.instructions import screen
from index.metadata import detect_metadata
from index.narrative import decimals_for, line_figures
from index.readers import RawDocument, read_document
from index.sections import build_sections, section_at, section_index
from index.space_columns import SpaceBlock, space_blocks
from index.table_facts import ParsedTable, parse_table

# Bump when parsing or chunking changes what a report yields: reports stored by an older parser are re-parsed on
# the next `qa ingest` instead of being skipped as already indexed.
PARSER_VERSION = 15


@dataclass
class ParsedReport:
    report: Report
    lines: list[str]  # original lines
    norm: list[NormLine]
    sections: list[Section]
    tables: list[TableModel] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    index_cells: list[tuple[int, int, int]] = field(default_factory=list)  # (line, start, end) of 行次/栏次
    code_cells: list[tuple[int, int, int]] = field(default_factory=list)
    table_lines: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)  # what the reader could not read as printed
    pages: list[int | None] = field(default_factory=list)  # page of each line (PDF, paged text), else None


def doc_id_for(norm_lines: list[str]) -> str:
    return hashlib.sha256("\n".join(norm_lines).encode("utf-8")).hexdigest()[:16]


class _FactMaker:
    def __init__(self, parsed: ParsedReport) -> None:
        self.p = parsed
        self.seen: set[str] = set()
        self.section_of = section_index(parsed.sections)

    def span(self, line: int, start: int, end: int) -> tuple[int, int]:
        return self.p.norm[line - 1].span(start, end)

    def add(self, line: int, start: int, end: int, **kw: object) -> Fact | None:
        s, e = self.span(line, start, end)
        fid = f"{self.p.report.doc_id}:{line}:{s}"
        if fid in self.seen:
            return None
        self.seen.add(fid)
        sec = self.section_of[line] if line < len(self.section_of) else section_at(self.p.sections, line)
        fact = Fact(
            fact_id=fid,
            doc_id=self.p.report.doc_id,
            line=line,
            char_start=s,
            char_end=e,
            page=self.p.pages[line - 1] if line <= len(self.p.pages) else None,
            section=sec.path_text,
            **kw,
        )
        self.p.facts.append(fact)
        return fact


def _row_span(row: list[Cell], default: int) -> tuple[int, int]:
    lines = [f.line for c in row for f in c.frags]
    return (min(lines), max(lines)) if lines else (default, default)


def _cell_span(cell: Cell) -> tuple[int, int, int]:
    f = cell.frags[0]
    return f.line, f.start, f.start + len(f.text)


_MONEY_LABEL = re.compile(r"支出|收入|经费|预算|拨款|资金|费|结余|结转|合计|总计")  # a bare number there is money


def _table_facts(maker: _FactMaker, table: ParsedTable, model: TableModel) -> None:
    for v in table.values:
        line, s, e = _cell_span(v.cell)
        maker.add(
            line, s, e, kind="cell", value=v.value, unit=v.unit, raw=v.cell.text, decimals=v.decimals,
            table_id=model.table_id, table_title=model.title, row_label=v.row_label, row_path=v.row_path,
            row_code=v.row_code, parent_code=v.parent_code, column=v.column,
        )
    for cell, column, row_label, unit in table.text_cells:
        for frag in cell.frags:
            for fig in line_figures(frag.text):
                tok = fig.token
                maker.add(
                    frag.line, frag.start + tok.start, frag.start + tok.end, kind="cell", value=tok.value,
                    unit=tok.unit or (unit if _MONEY_LABEL.search(fig.phrase) else ""), raw=tok.raw, decimals=decimals_for(tok), table_id=model.table_id,
                    table_title=model.title, row_label=row_label if row_label != cell.text else fig.phrase,
                    row_path=row_label, column=column, phrase=fig.phrase, sentence=cell.text, rate_kind=fig.rate_kind,
                )
    for cell in table.index_cells:
        maker.p.index_cells.append(_cell_span(cell))
    for cell, _code in table.code_cells:  # a code split as 类/款/项 (208 05 01) has one fragment each
        maker.p.code_cells.extend((f.line, f.start, f.start + len(f.text)) for f in cell.frags)


_SENTENCE_DONE = re.compile(r"[。！？!?；;：:」”…]\s*$")  # 因公出国（境） at a line's end: the name goes on
_LAST_STOP = re.compile(r"[。！？!?；;]")
_HEADING_START = re.compile(r"^\s*(?:第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、.](?!\d))")


# a line that can only continue a sentence: it opens with a comma-like mark or a bracketed aside (（以合同签订为准）为…),
# not a numbered heading (（二）) — the line before it wraps early however short it is
_GOES_ON = re.compile(r"^\s*(?:[，,、；;：:）)]|[（(](?![一二三四五六七八九十\d]{1,3}[)）]))")


def _carried(prev: str, text: str, width: int) -> str:
    """The start of a sentence wrapped from the previous line (PDF text layers and their renderings wrap at the
    page width, mid-sentence): the previous line's tail after its last full stop, when that line runs to the
    document's wrap width without ending a sentence and this one does not start a heading. It gives this line's
    figures their phrase and sentence."""
    prev = prev.rstrip()
    short = len(prev) < max(12, width * 0.8) and not _GOES_ON.match(text)
    if short or _SENTENCE_DONE.search(prev) or _HEADING_START.match(text) or "\t" in prev:
        return ""
    stops = [m.end() for m in _LAST_STOP.finditer(prev)]
    if not stops and _HEADING_START.match(prev) and not re.search(r"[，,\d]", prev):
        return ""  # a bare heading line: its words are not the next line's phrase
    return prev[stops[-1]:] if stops else prev


_LEAD_UNIT = re.compile(r"^\s*(?:余|多)?(?:万|亿)?(?:余|多)?(?:元|%|个百分点|百分点|人次|人|个|次|项|辆|台|套|篇|条|件|份|家|种|期|"
                        r"天|小时|分|批次|名|组|平方米|㎡|户|万)")


def _unit_tail(parsed: ParsedReport, idx: int) -> str:
    """The unit a figure at the end of line `idx` (0-based) continues with on the next text line (a text layer
    wraps `收入合计 20323.21` / `万元，…`): the unit at the start of the next non-empty line, when the line ends in a
    digit and only empty lines (a page break) lie between. The figure keeps its place on its own line."""
    text = parsed.norm[idx].text.rstrip()
    if not text or not text[-1].isdigit():
        return ""
    for nxt in range(idx + 1, min(idx + 4, len(parsed.norm))):
        if nxt + 1 in parsed.table_lines:
            return ""
        if parsed.norm[nxt].text.strip():
            m = _LEAD_UNIT.match(parsed.norm[nxt].text)
            return m.group().strip() if m else ""
    return ""


_AHEAD_END = re.compile(r"[。；;！!？?]")


def _ahead(parsed: ParsedReport, idx: int, width: int) -> str:
    """The rest of a sentence that wraps onto the next text line (`其中：公务用车购置费75万` / `元，比2025年预算增加
    27万元，主要原因是…5辆；`): the next line up to its first sentence end, when this line runs to the wrap width
    without ending a sentence. It completes the sentence of this line's last figures; its own figures are read
    on their own line."""
    nxt = idx + 1
    if nxt >= len(parsed.norm) or nxt + 1 in parsed.table_lines:
        return ""
    following = parsed.norm[nxt].text
    if not following.strip() or not _carried(parsed.norm[idx].text, following, width):
        return ""
    end = _AHEAD_END.search(following)
    return following[: end.end()] if end else following


def _wrap_width(parsed: ParsedReport) -> int:
    """The width narrative lines wrap at: most lines of a wrapped text layer are about this long."""
    lengths = sorted(len(nl.text.rstrip()) for i, nl in enumerate(parsed.norm)
                     if i + 1 not in parsed.table_lines and len(nl.text.strip()) >= 12)
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def _narrative_facts(maker: _FactMaker, parsed: ParsedReport) -> None:
    prev = ""
    width = _wrap_width(parsed)
    for idx, nl in enumerate(parsed.norm):
        line = idx + 1
        if line in parsed.table_lines or not nl.text.strip():
            prev = ""
            continue
        carry = _carried(prev, nl.text, width)
        prev = nl.text
        tail = _unit_tail(parsed, idx)
        own = nl.text.rstrip() if tail else nl.text
        ahead = _ahead(parsed, idx, width)
        if tail:
            ahead = _LEAD_UNIT.sub("", ahead, count=1)  # the unit is already read as this line's tail
        ids: list[str | None] = []
        text = carry + own + tail + ahead
        figures = line_figures(text)
        # 会议费 150 万…其中：会务组织费 30 万；…宣传报道 50 万: a bare 万 is 万元 where the sentence (to its 。) lists
        # money in 万
        money_wan = {text.count("。", 0, f.token.start) for f in figures
                     if f.token.unit == "万" and _MONEY_LABEL.search(f.phrase)}
        for fig in figures:
            tok = fig.token
            if tok.unit == "万" and text.count("。", 0, tok.start) in money_wan:
                tok = replace(tok, unit="万元")
            if tok.start < len(carry) or tok.start >= len(carry) + len(own):
                continue  # a figure of the previous or the next line: it is read there
            end = min(tok.end, len(carry) + len(own))  # a unit read from the next line is not this line's text
            tok = replace(tok, start=tok.start - len(carry), end=end - len(carry),
                          raw=own[tok.start - len(carry) : end - len(carry)])
            rate_of = ids[fig.rate_of_index] if fig.rate_of_index is not None and fig.rate_of_index < len(ids) else None
            fact = maker.add(
                line, tok.start, tok.end, kind="text", value=tok.value, unit=tok.unit, raw=tok.raw,
                decimals=decimals_for(tok), phrase=fig.phrase, sentence=fig.sentence, row_label=fig.subject,
                rate_kind=fig.rate_kind, rate_of=rate_of,
            )
            ids.append(fact.fact_id if fact else None)


def _layouts(tables: list[TableModel]) -> dict[str, tuple[list[str], list[str], list[tuple[str, list[str]]]]]:
    """Tables whose family names a two-level header (groups × sub-columns) with its sums."""
    from index.table_names import specs_for_title

    out = {}
    for t in tables:
        spec = next((s for s in specs_for_title(t.title) if s.groups and s.subcolumns), None)
        if spec is not None:
            out[t.table_id] = (spec.groups, spec.subcolumns, spec.total_parts())
    return out


def form_unit(title: str) -> str:
    """The unit a report family's form is in when the form does not print it (profiles' `unit`)."""
    from index.table_names import specs_for_title

    return next((s.unit for s in specs_for_title(title) if s.unit), "")


def parse_document(raw: RawDocument, *, org: str | None = None, year: int | None = None, chunk_chars: int = 400,
                   table_rows: int = 12, path: str = "", kind: str | None = None) -> ParsedReport:
    norm = [normalize_line(line) for line in raw.lines]
    texts = [n.text for n in norm]
    meta = detect_metadata(texts, org=org, year=year, kind=kind)
    doc_id = doc_id_for(texts)
    blocks = find_blocks(texts)
    tab_lines = {ln for b in blocks for ln in range(b.start, b.end + 1)}
    blocks = sorted([*blocks, *space_blocks(raw.lines, norm, tab_lines)], key=lambda b: b.start)
    table_lines = {ln for b in blocks for ln in range(b.start, b.end + 1)}
    sections = build_sections([t if (i + 1) not in table_lines else "" for i, t in enumerate(texts)], org=meta.org)
    report = Report(
        doc_id=doc_id, file=raw.file, path=path, org=meta.org, region=meta.region, year=meta.year,
        doc_type=meta.doc_type, parts=meta.parts, n_lines=len(raw.lines),
        meta_source={k: FieldSource(**v.as_dict()) for k, v in meta.sources.items()},
        warnings=[*getattr(raw, "warnings", []), *meta.warnings],  # the reader's (scanned pages …) first
    )
    parsed = ParsedReport(report, raw.lines, norm, sections, table_lines=table_lines, warnings=list(raw.warnings),
                          pages=list(raw.pages))
    maker = _FactMaker(parsed)
    floor = 0
    used_ids: dict[str, int] = {}
    for n, block in enumerate(blocks, start=1):
        caption = caption_for(texts, block.start, floor)
        if not caption.unit:  # a standard form that prints no unit (绩效目标申报表 in 元): the family says it
            caption = replace(caption, unit=form_unit(caption.title))
        floor = block.end
        table = parse_table(block, caption)
        if isinstance(block, SpaceBlock):
            table.code_cells.extend((c, c.text) for c in block.extra_codes)
        title = caption.title or f"表格{n}"
        project = table.attributes.get("项目支出名称")
        if project:
            title = f"{title}（{project}）"
        base = caption.table_id or title
        used_ids[base] = used_ids.get(base, 0) + 1
        table_id = base if used_ids[base] == 1 else f"{base}#{used_ids[base]}"
        model = TableModel(
            doc_id=doc_id, table_id=table_id, title=title, unit=caption.unit,
            section=maker.section_of[block.start].path_text, start=block.start, end=block.end,
            columns=table.columns, rows=table.rows, n_header=table.n_header,
            row_lines=[_row_span(row, block.start) for row in block.rows],
        )
        parsed.tables.append(model)
        _table_facts(maker, table, model)
    _narrative_facts(maker, parsed)
    # a sparse row's 列未定 figures placed where the report states them under a column name (基本支出14,107.46万元)
    parsed.facts, _ = place_by_statements(parsed.facts, {t.table_id: t.columns for t in parsed.tables})
    # … and a two-level header's groups (三公 table) where the family's sums leave one choice
    parsed.facts, _ = place_by_layout(parsed.facts, _layouts(parsed.tables))
    parsed.facts.sort(key=lambda f: (f.line, f.char_start))
    parsed.chunks = make_chunks(parsed.report, texts, sections, parsed.tables, table_lines, chunk_chars, table_rows)
    from index.doc_check import review  # tables found by name, coverage, warnings (imports this module)

    review(parsed)
    screen(parsed)  # text that instructs rather than reports: kept for display, never an answer
    return parsed


def parse_file(path: Path, *, org: str | None = None, year: int | None = None, max_mb: float = 50,
               chunk_chars: int = 400, table_rows: int = 12, kind: str | None = None,
               max_text_mb: float = 4) -> ParsedReport:
    raw = read_document(path, max_mb=max_mb, max_text_mb=max_text_mb)
    return parse_document(raw, org=org, year=year, chunk_chars=chunk_chars, table_rows=table_rows, path=str(path),
                          kind=kind)
