"""Page numbers for text files: form feeds and page-marker lines.

A text file converted from a PDF carries its pages in one of two ways, both read here as page breaks:
- a form feed (`\\f`, what `pdftotext` writes between pages): the text after it is on the next page;
- a page-marker line: nothing on it but a page label between rules, e.g. `===== page 3 =====`,
  `----- 第 3 页 -----`, `=== Page 3 ===` (at least three `=` or `-` on each side). The marker's number is
  the page that starts there; the marker line itself is furniture and is kept as an empty line, so line
  numbers still match the file.
A file with neither keeps `None` pages (the format has none). Lines before the first marker are page 1,
or the page before the first marker's number.
"""

from __future__ import annotations

import re

PAGE_MARKER = re.compile(r"^\s*[=\-]{3,}\s*(?:page|Page|PAGE|第)\s*(\d{1,4})\s*(?:页)?\s*[=\-]{3,}\s*$")


def text_pages(lines: list[str]) -> tuple[list[str], list[int | None]]:
    """(lines with markers blanked and form feeds removed, page of each line)."""
    has_ff = any("\f" in ln for ln in lines)
    markers = [i for i, ln in enumerate(lines) if PAGE_MARKER.match(ln)]
    if not has_ff and not markers:
        return lines, [None] * len(lines)
    out: list[str] = []
    pages: list[int | None] = []
    first = PAGE_MARKER.match(lines[markers[0]]) if markers else None
    page = max(1, int(first.group(1)) - 1) if first and not has_ff else 1
    for ln in lines:
        m = PAGE_MARKER.match(ln)
        if m:
            page = int(m.group(1))
            out.append("")
            pages.append(page)
            continue
        if "\f" in ln:
            before, *rest = ln.split("\f")
            page += len(rest)
            ln = rest[-1] if not before.strip() else before + "".join(rest)
        out.append(ln)
        pages.append(page)
    return out, pages
