"""How answers look on screen: figures with verdict badges, the evidence panel (the passage with the cited
figure highlighted; for a table cell the table itself with the cell marked), the report library rows and the
comparison chart. Pure functions from data to HTML/Markdown/figures — the app only places them."""

from __future__ import annotations

import html
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.models import TableModel
from qa.answer_models import VERDICT_LABELS, Answer, Citation, FigureCheck

VERDICT_CLASS = {"matched": "v-ok", "derived": "v-calc", "mismatch": "v-bad", "unsupported": "v-none"}

CSS = """
.v {font-size: 0.78em; padding: 0 4px; margin: 0 2px; border-radius: 4px; white-space: nowrap; cursor: help}
.v-ok {background: #e3f5e8; color: #17663a} .v-calc {background: #e6effc; color: #1d4f91}
.v-bad {background: #fde7e7; color: #a11d1d} .v-none {background: #fff4d6; color: #7a5a00}
.ev {border: 1px solid #ddd; border-radius: 6px; margin: 6px 0; padding: 4px 8px}
.ev summary {cursor: pointer; font-weight: 600}
.ev .ctx {color: #666} .ev mark {background: #ffe58a; padding: 0 2px}
.ev table {border-collapse: collapse; font-size: 0.85em; margin-top: 4px}
.ev td, .ev th {border: 1px solid #ccc; padding: 2px 6px; min-width: 4.5em} .ev tr.hit td {background: #fff7cc}
.ev td.cell {background: #ffd84d; font-weight: 700}
.figs td, .figs th {padding: 2px 8px; border-bottom: 1px solid #eee}
.scroll-x {overflow-x: auto; max-width: 100%}
#evidence, #figures {overflow-x: auto; max-width: 100%}
#evidence-col {max-height: 720px; overflow-y: auto}
.scroll-table, .scroll-table .table-wrap {overflow-x: auto; max-width: 100%}
.scroll-table table {min-width: max-content}
.scroll-table td, .scroll-table th {max-width: 28em}
#compare-plot img {max-width: 100%; height: auto}
@media (max-width: 768px) {
  #chat-row {flex-direction: column}
  #chat-row > * {width: 100%; min-width: 0 !important}
  #evidence-col {max-height: none; overflow-y: visible}
  #chatbot {height: 360px !important}
}
"""


def pyplot() -> Any:
    """matplotlib without a display and with a Chinese font (fonts-noto-cjk)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    if not any(f.name == "Noto Sans CJK SC" for f in font_manager.fontManager.ttflist):
        # a font cache built before fonts-noto-cjk was installed does not know it: register the files
        for path in sorted(Path("/usr/share/fonts").glob("**/NotoSansCJK*.tt[cf]")):
            font_manager.fontManager.addfont(str(path))
    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def badge(f: FigureCheck) -> str:
    if f.verdict == "derived":
        tip = f"计算：{f.formula or ''}"
    elif f.verdict == "mismatch":
        tip = f"应为 {f.expected or '？'}" + (f"（{f.formula}）" if f.formula else "")
    elif f.verdict == "matched":
        tip = "与引用原文一致" + (f"：引用 {', '.join(f'[{n}]' for n in f.citations)}" if f.citations else "")
    else:
        tip = "报告中找不到支持这个数字的原文或算式"
    label = VERDICT_LABELS[f.verdict]
    if f.verdict == "mismatch" and f.expected:
        label += f"，应为 {f.expected}"
    return f'<span class="v {VERDICT_CLASS[f.verdict]}" title="{html.escape(tip)}">{html.escape(label)}</span>'


def answer_markdown(a: Answer) -> str:
    """The answer text with a verdict badge after every figure, the audit notes (`报告核查·…`, the same the CLI
    prints) when a cited fact is involved in a finding, then the filters and engine used."""
    text = a.answer
    out, pos = [], 0
    for f in sorted(a.figures, key=lambda x: x.start):
        if f.end <= pos or f.end > len(text):
            continue
        out += [text[pos:f.end], badge(f)]
        pos = f.end
    out.append(text[pos:])
    body = "".join(out)
    notes = "".join(f"\n\n> ⚠ **{html.escape(n.kind)}**：{html.escape(n.message)}" for n in a.audit)
    footer = f"\n\n<small>{html.escape(a.filters)}；引擎：{a.engine}；用时 {a.seconds * 1000:.0f} ms</small>"
    return body + notes + footer


def stream_pieces(text: str, size: int = 12) -> list[str]:
    """Growing prefixes of the answer for streaming (split at punctuation where possible)."""
    pieces, cut = [], 0
    while cut < len(text):
        nxt = min(len(text), cut + size)
        for stop in "。；，":
            k = text.find(stop, cut + 1, nxt + 8)
            if k != -1:
                nxt = k + 1
                break
        pieces.append(text[:nxt])
        cut = nxt
    return pieces


def _mark(line: str, start: int | None, end: int | None) -> str:
    if start is None or end is None or not 0 <= start < end <= len(line):
        return html.escape(line)
    return html.escape(line[:start]) + "<mark>" + html.escape(line[start:end]) + "</mark>" + html.escape(line[end:])


def _table_html(t: TableModel, c: Citation, lines: list[str]) -> str:
    row_idx = c.line - t.start
    if not 0 <= row_idx < len(t.rows):
        return ""
    figure = lines[c.line - 1][c.char_start or 0:c.char_end or 0].strip() if 0 < c.line <= len(lines) else ""
    col_names = t.columns
    rows = []
    for i, cells in enumerate(t.rows):
        tag = "th" if i < t.n_header else "td"
        hit = i == row_idx
        marked = -1
        if hit and figure:
            cands = [j for j, x in enumerate(cells) if x.strip() == figure]
            by_col = [j for j in cands if j < len(col_names) and col_names[j] == c.column]
            marked = (by_col or cands or [-1])[0]
        tds = "".join(f'<{tag}{" class=cell" if j == marked else ""}>{html.escape(x)}</{tag}>'
                      for j, x in enumerate(cells))
        rows.append(f'<tr{" class=hit" if hit else ""}>{tds}</tr>')
    unit = f"（{html.escape(t.unit)}）" if t.unit else ""
    return (f'<div><b>{html.escape(t.title or t.table_id)}</b>{unit}'
            f'<div class="scroll-x"><table>{"".join(rows)}</table></div></div>')


def evidence_html(a: Answer, lines_of: Callable[[str], list[str]],
                  tables_of: Callable[[str], list[TableModel]]) -> str:
    """One expandable block per citation: 单位, year, section path, the passage (figure marked), the table."""
    if not a.citations:
        return "<p>（本回答没有引用。）</p>"
    blocks = []
    for c in a.citations:
        lines = lines_of(c.doc_id)
        before = lines[c.line - 2].strip() if c.line >= 2 and c.line - 2 < len(lines) else ""
        line = lines[c.line - 1] if 0 < c.line <= len(lines) else c.quote
        after = lines[c.line].strip() if c.line < len(lines) else ""
        table = ""
        if c.table:
            match = [t for t in tables_of(c.doc_id) if t.table_id == c.table and t.start <= c.line <= t.end]
            table = _table_html(match[0], c, lines) if match else ""
        cell = " / ".join(x for x in (c.row, c.column) if x)
        where = " › ".join(x for x in (c.section, c.table or "", cell) if x)
        passage = (f'<div class="ctx">{html.escape(before)}</div>' if before else "") + \
            f"<div>{_mark(line.strip() if c.char_start is None else line, c.char_start, c.char_end)}</div>" + \
            (f'<div class="ctx">{html.escape(after)}</div>' if after else "")
        blocks.append(
            f'<details class="ev" id="ev-{c.n}"{" open" if c.n == 1 else ""}><summary>[{c.n}] {html.escape(c.org)} '
            f"{c.year or ''}年 · {html.escape(where)}{f' · 第{c.page}页' if c.page else ''} · 第{c.line}行</summary>"
            f"<div>{html.escape(c.file)}</div>{passage}{table}</details>")
    return "".join(blocks)


def figures_html(a: Answer) -> str:
    if not a.figures:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(f.text)}</td><td>{badge(f)}</td><td>{html.escape(f.formula or '')}</td>"
        f"<td>{html.escape(f.expected or '')}</td><td>{' '.join(f'[{n}]' for n in f.citations)}</td></tr>"
        for f in a.figures)
    return ('<div class="scroll-x"><table class="figs"><tr><th>数字</th><th>核验</th><th>算式</th><th>应为</th>'
            f"<th>引用</th></tr>{rows}</table></div>")


def full_number(value: Decimal, unit: str) -> str:
    """A value as the comparison shows it: money in 万元 always with two decimals (`2.00`, `150.00`), other
    units as stored — a string, so no table widget reformats it (`2.` for `2.00`)."""
    if unit == "万元":
        return f"{value.quantize(Decimal('0.01')):f}"
    return f"{value:f}"


def comparison_rows(rows: list[Any]) -> list[list[str]]:
    """The comparison table: every cell a string, the value with its full decimals."""
    return [[r.org, str(r.year), full_number(r.value, r.unit), r.unit, r.shown, r.source] for r in rows]


def wrap_label(text: str, width: int = 9) -> str:
    """A 单位 name over lines of `width` characters (Chinese has no spaces to wrap at)."""
    return "\n".join(text[i:i + width] for i in range(0, len(text), width)) or "—"


CHART_DPI = 110
CHART_FONT_PT = 12  # labels; at a phone's width the image shrinks to ~0.55, still ~10 px
CHART_WIDTH_IN = 5.4


def comparison_figure(rows: list[Any], measure: str) -> Any:
    """Horizontal bars, one per 单位 and year (the name wrapped on the axis, the year under it, one colour per
    year), the value written at the end of each bar. The figure is narrow (it shrinks little on a phone) and
    grows in height with the number of bars, so labels are never clipped and stay readable."""
    plt = pyplot()
    rows = sorted(rows, key=lambda r: (r.org, r.year))
    labels = [f"{wrap_label(r.org)}\n{r.year}年" for r in rows]
    line_in = CHART_FONT_PT * 1.35 / 72
    sizes = [line_in * len(label.splitlines()) + 0.2 for label in labels]
    fig, ax = plt.subplots(figsize=(CHART_WIDTH_IN, 1.5 + sum(sizes)), dpi=CHART_DPI)
    ys, pos = [], 0.0
    for size in sizes:
        ys.append(pos + size / 2)
        pos += size
    years = sorted({r.year for r in rows})
    colours = {y: plt.get_cmap("tab10")(i % 10) for i, y in enumerate(years)}
    bars = ax.barh(ys, [float(r.value) for r in rows],  # float only to draw; the labels show the Decimal
                   height=[s * 0.7 for s in sizes], color=[colours[r.year] for r in rows])
    ax.bar_label(bars, labels=[full_number(r.value, r.unit) for r in rows], fontsize=CHART_FONT_PT, padding=3)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=CHART_FONT_PT)
    ax.set_ylim(pos, 0)
    top = max((float(r.value) for r in rows), default=0.0)
    ax.set_xlim(0, top * 1.35 if top > 0 else 1)
    ax.tick_params(axis="x", labelsize=CHART_FONT_PT - 1)
    ax.set_xlabel("、".join(sorted({r.unit for r in rows})), fontsize=CHART_FONT_PT)
    ax.set_title(f"{measure}：各单位、各年度", fontsize=CHART_FONT_PT + 1)
    fig.tight_layout()
    return fig
