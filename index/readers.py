"""Read report files into lines (with page numbers) — .txt/.md, .docx, .pdf, .xlsx.

Every failure becomes a `BadReportError` naming the file and the problem: empty, binary, unsupported,
scanned (no text layer), corrupt or oversized.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from core.errors import BadReportError
from index.pdf_layout import read_pdf_pages
from index.radicals import fold_radicals
from index.text_pages import text_pages

SUPPORTED = {".txt", ".md", ".docx", ".pdf", ".xlsx"}
MIN_WORDS = 10  # letters (汉字 or other scripts) below which a file does not read as a report (bare numbers)


@dataclass
class RawDocument:
    file: str
    lines: list[str]
    pages: list[int | None] = field(default_factory=list)  # page number of each line (PDF, paged text), else None
    fmt: str = "txt"
    warnings: list[str] = field(default_factory=list)  # partly read: radicals folded, pages without text …


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: its ASCII characters (digits, newlines, spaces) put a NUL in one byte lane only —
    the odd bytes for little-endian, the even ones for big-endian; CJK characters rarely, so even a mostly
    Chinese report shows the pattern. A binary file has NULs in both lanes or does not decode as printable text."""
    sample = data[:8000]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(data) % 2 or max(even, odd) < 4 or 3 * min(even, odd) > max(even, odd):
        return None
    try:
        text = data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None
    head = text[:4000]
    printable = sum(ch.isprintable() or ch in "\t\r\n\f" for ch in head)
    return text if head and printable >= 0.95 * len(head) else None


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (with/without BOM), UTF-16 (BOM or NUL pattern), else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    sample = data[:4000]
    if 0 in sample:
        text16 = _utf16_without_bom(data)
        if text16 is not None:
            return text16
        raise BadReportError("二进制文件，不是文本报告 / binary file, not a text report", "请提供 .txt/.docx/.pdf/.xlsx 报告", file=file)
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(2, len(sample) // 100):
        raise BadReportError("二进制文件，不是文本报告 / binary file, not a text report", "请提供 .txt/.docx/.pdf/.xlsx 报告", file=file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise BadReportError(
            f"无法识别的文本编码 / unknown text encoding ({exc.reason} at byte {exc.start})",
            "请另存为 UTF-8 或 GBK 编码",
            file=file,
        ) from None
    if sum(ch.isprintable() or ch in "\t\r\n" for ch in text[:2000]) < 0.9 * min(len(text), 2000):
        raise BadReportError("二进制文件，不是文本报告 / binary file, not a text report", file=file)
    return text


def _read_txt(path: Path) -> RawDocument:
    text = decode_text(path.read_bytes(), path.name)
    if "\x00" in text:
        raise BadReportError("二进制文件，不是文本报告 / binary file, not a text report", file=path.name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return RawDocument(path.name, *text_pages(lines), "txt")


def _cell_text(text: str) -> str:
    return " ".join(part.strip() for part in text.replace("\t", " ").splitlines() if part.strip())


def _read_docx(path: Path) -> RawDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for broken zips/xml
        raise BadReportError(f"Word 文件已损坏或无法打开 / corrupt .docx ({type(exc).__name__})", file=path.name) from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.extend(Paragraph(block, document).text.split("\n"))
        elif tag == "tbl":
            lines.append("")
            for row in Table(block, document).rows:
                cells: list[str] = []
                prev = None
                for cell in row.cells:
                    # merged cells repeat the same object: keep the first, blank the rest
                    cells.append("" if cell._tc is prev else _cell_text(cell.text))
                    prev = cell._tc
                lines.append("\t".join(cells))
            lines.append("")
    return RawDocument(path.name, lines, [None] * len(lines), "docx")


def _read_pdf(path: Path) -> RawDocument:
    lines, pages, warnings = read_pdf_pages(path)
    if not any(line.strip() for line in lines):
        raise BadReportError(
            "PDF 没有文字层（可能是扫描件）/ no text layer (scanned PDF?)",
            "请先做 OCR，或提供原始 Word/Excel 文件",
            file=path.name,
        )
    return RawDocument(path.name, lines, pages, "pdf", warnings)


def _xlsx_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return _cell_text(str(value))


def _read_xlsx(path: Path) -> RawDocument:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise BadReportError(f"Excel 文件已损坏或无法打开 / corrupt .xlsx ({type(exc).__name__})", file=path.name) from None
    lines: list[str] = []
    for ws in wb.worksheets:
        lines.extend([ws.title, ""])
        for row in ws.iter_rows(values_only=True):
            cells = [_xlsx_value(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            lines.append("\t".join(cells))
        lines.append("")
    wb.close()
    return RawDocument(path.name, lines, [None] * len(lines), "xlsx", _uncomputed_formulas(path))


def _uncomputed_formulas(path: Path) -> list[str]:
    """A warning per sheet whose formula cells carry no cached value (a file written by a program, never opened
    in Excel): read for their values they are empty, so their figures would be lost without a word."""
    import openpyxl

    values = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    formulas = openpyxl.load_workbook(str(path), read_only=True, data_only=False)
    warnings: list[str] = []
    for wv, wf in zip(values.worksheets, formulas.worksheets, strict=True):
        lost = sum(1 for rv, rf in zip(wv.iter_rows(values_only=True), wf.iter_rows(values_only=True), strict=False)
                   for v, f in zip(rv, rf, strict=False) if v is None and isinstance(f, str) and f.startswith("="))
        if lost:
            warnings.append(f"工作表「{wf.title}」有 {lost} 个公式单元格没有计算结果，其数字未读入 / sheet {wf.title}: "
                            f"{lost} formula cell(s) without cached values were not read — 用 Excel/WPS 打开并保存后重新导入")
    values.close()
    formulas.close()
    return warnings


LINE_MAX = 10_000  # characters: no printed line is this long; a file without line breaks is cut into sentences
_PIECE = 2_000
_STOPS = "。！？!?；;"


def _cut(line: str) -> list[str]:
    """A pathological line as sentence-sized pieces: cut after the last full stop within `_PIECE` characters,
    else (a run-on line) at the last character that does not split a number."""
    out: list[str] = []
    start = 0
    while len(line) - start > _PIECE:
        window = line[start : start + _PIECE]
        cut = max(window.rfind(c) for c in _STOPS) + 1
        if cut < _PIECE // 4:
            cut = _PIECE
            while cut > _PIECE // 2 and (window[cut - 1].isdigit() or window[cut - 1] in ".,"):
                cut -= 1
        out.append(line[start : start + cut])
        start += cut
    out.append(line[start:])
    return out


def _split_long_lines(doc: RawDocument) -> None:
    """Lines longer than LINE_MAX become several lines (with a warning: their line numbers shift), so no stage
    sees a megabyte-long line, a one-row table of it or a chunk of it."""
    if all(len(line) <= LINE_MAX for line in doc.lines):
        return
    lines: list[str] = []
    pages: list[int | None] = []
    n = 0
    for i, line in enumerate(doc.lines):
        page = doc.pages[i] if i < len(doc.pages) else None
        parts = _cut(line) if len(line) > LINE_MAX else [line]
        n += len(parts) > 1
        lines += parts
        pages += [page] * len(parts)
    doc.lines, doc.pages = lines, pages
    doc.warnings.append(f"{n} 行超过 {LINE_MAX} 字，已在句末拆分为多行（其后行号与原文件不同）/ {n} line(s) over "
                        f"{LINE_MAX} characters split at sentence ends (later line numbers differ from the file)")


def _too_much_text(size: float, limit: float, name: str) -> BadReportError:
    return BadReportError(
        f"文本过大 {size / 1048576:.1f} MB，上限 {limit:g} MB / too much text to parse",
        "拆分文件（一份报告通常不足 1 MB），或调大 QA_INGEST__MAX_TEXT_MB（解析时间和内存随文本线性增长）",
        file=name,
    )


def read_document(path: Path, max_mb: float = 50, max_text_mb: float = 4) -> RawDocument:
    name = path.name
    if not path.exists():
        raise BadReportError("文件不存在 / file not found", file=str(path))
    if path.is_dir():
        raise BadReportError("目录中没有可导入的文件 / a folder with no files to ingest", "检查目录内容", file=name)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise BadReportError(
            f"不支持的文件类型 {suffix or '(无扩展名)'} / unsupported file type",
            "支持 .txt .md .docx .pdf .xlsx",
            file=name,
        )
    size = path.stat().st_size
    if size == 0:
        raise BadReportError("文件为空 / empty file", file=name)
    if size > max_mb * 1024 * 1024:
        raise BadReportError(
            f"文件过大 {size / 1048576:.1f} MB，上限 {max_mb:g} MB / file too large",
            "拆分文件，或调大 QA_INGEST__MAX_FILE_MB",
            file=name,
        )
    if suffix in (".txt", ".md") and size > max_text_mb * 1024 * 1024 * 2:  # checked before reading (UTF-16 may
        raise _too_much_text(size, max_text_mb, name)                        # grow or shrink as UTF-8)
    reader = {".txt": _read_txt, ".md": _read_txt, ".docx": _read_docx, ".pdf": _read_pdf, ".xlsx": _read_xlsx}[suffix]
    try:
        doc = reader(path)
    except PermissionError:
        raise BadReportError("无法读取文件（没有读取权限）/ permission denied", "检查文件权限（chmod +r）后重新导入",
                             file=name) from None
    except IsADirectoryError:
        raise BadReportError("这是一个目录，不是文件 / a folder, not a file", "导入目录时请给出目录本身", file=name) from None
    except OSError as exc:
        raise BadReportError(f"无法读取文件 / cannot read the file ({exc.strerror or type(exc).__name__})",
                             "检查文件是否完整、所在磁盘是否可读", file=name) from None
    text_size = sum(len(line.encode("utf-8")) + 1 for line in doc.lines)
    if text_size > max_text_mb * 1024 * 1024:  # refused before any parsing starts
        raise _too_much_text(text_size, max_text_mb, name)
    _split_long_lines(doc)
    folded = 0
    for i, line in enumerate(doc.lines):
        doc.lines[i], n = fold_radicals(line)
        folded += n
    if folded:
        doc.warnings.append(f"radicals normalised: {folded}（部首/兼容汉字已转为通用汉字）")
    if sum(len(line.strip()) for line in doc.lines) < 20:
        raise BadReportError("文件几乎没有文字内容 / no usable text", file=name)
    if sum(ch.isalpha() for line in doc.lines for ch in line) < MIN_WORDS:
        raise BadReportError("没有可读作报告的文字（只有数字或符号）/ no report text, only numbers or symbols",
                             "请提供含有单位名称、年度和说明文字的报告文件", file=name)
    return doc
