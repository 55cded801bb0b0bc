"""A tiny PDF writer for tests: text placed at given coordinates, any Unicode, no font file needed.

Each character is a glyph of one Type0 font (Identity-H) whose ToUnicode map says which code point it is —
what a browser's print-to-PDF does, including mapping CJK glyphs to Kangxi radical code points. Widths:
ASCII half an em, everything else one em.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Text:
    x: float
    top: float  # distance of the text's top from the top of the page
    text: str
    size: float = 10.0


def width(text: str, size: float) -> float:
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in text) * size


def _radical_of() -> dict[str, str]:
    """Ordinary ideograph → the Kangxi radical code point that looks the same."""
    out: dict[str, str] = {}
    for o in range(0x2F00, 0x2FD6):
        out.setdefault(unicodedata.normalize("NFKC", chr(o)), chr(o))
    return out


RADICAL_OF = _radical_of()


def as_radicals(text: str) -> str:
    """`text` with every character that has a Kangxi radical twin written as that radical (支 → ⽀)."""
    return "".join(RADICAL_OF.get(ch, ch) for ch in text)


def write_pdf(path: Path, pages: list[list[Text]], page_size: tuple[float, float] = (595, 842),
              images_only: set[int] | None = None) -> None:
    """Write `pages` (page index → texts). Pages in `images_only` get a 1×1 image and no text (a 'scan')."""
    chars = sorted({ch for page in pages for t in page for ch in t.text if ch != " "})
    cid = {ch: i + 1 for i, ch in enumerate(chars)}
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    cmap = ["/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
            "/CMapName /Test-UCS def /CMapType 2 def",
            "1 begincodespacerange <0000> <FFFF> endcodespacerange"]
    for i in range(0, len(chars), 100):
        chunk = chars[i:i + 100]
        cmap.append(f"{len(chunk)} beginbfchar")
        cmap += [f"<{cid[ch]:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch in chunk]
        cmap.append("endbfchar")
    cmap += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    cmap_data = "\n".join(cmap).encode()
    tounicode = add(b"<< /Length %d >>\nstream\n" % len(cmap_data) + cmap_data + b"\nendstream")
    widths = " ".join(f"{cid[ch]} [{500 if ord(ch) < 128 else 1000}]" for ch in chars)
    desc = add(b"<< /Type /FontDescriptor /FontName /TestCJK /Flags 4 /FontBBox [0 -120 1000 880] /ItalicAngle 0 "
               b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>")
    cidfont = add(f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestCJK /CIDSystemInfo << /Registry (Adobe) "
                  f"/Ordering (Identity) /Supplement 0 >> /FontDescriptor {desc} 0 R /DW 1000 /W [{widths}] >>".encode())
    font = add(f"<< /Type /Font /Subtype /Type0 /BaseFont /TestCJK /Encoding /Identity-H /DescendantFonts "
               f"[{cidfont} 0 R] /ToUnicode {tounicode} 0 R >>".encode())
    image = add(b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
                b"/Length 1 >>\nstream\n\x80\nendstream")
    pw, ph = page_size
    page_ids: list[int] = []
    pages_id = len(objs) + 2 * len(pages) + 1
    for n, page in enumerate(pages):
        ops: list[str] = []
        if images_only and n in images_only:
            ops.append(f"q {pw - 100} 0 0 {ph - 100} 50 50 cm /Im1 Do Q")
        else:
            for t in page:
                x = t.x
                for word in t.text.split(" "):
                    if word:
                        hexs = "".join(f"{cid[ch]:04X}" for ch in word)
                        base = ph - t.top - 0.88 * t.size
                        ops.append(f"BT /F1 {t.size:g} Tf {x:.2f} {base:.2f} Td <{hexs}> Tj ET")
                    x += width(word, t.size) + 0.5 * t.size
        content = "\n".join(ops).encode()
        cont = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        page_ids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {pw:g} {ph:g}] /Contents {cont} 0 R "
                            f"/Resources << /Font << /F1 {font} 0 R >> /XObject << /Im1 {image} 0 R >> >> >>".encode()))
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    assert add(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()) == pages_id
    catalog = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def report_pdf(lines: list[str], path: Path, size: float = 9.0, wrap: int = 60, radicals: bool = True) -> None:
    """Lay a text report out the way a browser prints it: narrative lines wrapped, tab-separated rows as a
    table without rules (columns as wide as their widest cell), CJK glyphs as radicals when `radicals`."""
    rows_per_page = 50
    line_h = 1.6 * size
    placed: list[list[tuple[float, str]]] = []  # per output line: (x, text) pieces
    i = 0
    while i < len(lines):
        if "\t" in lines[i]:
            j = i
            while j < len(lines) and ("\t" in lines[j] or not lines[j].strip()):
                j += 1
            block = [ln.split("\t") for ln in lines[i:j] if ln.strip()]
            ncol = max(len(r) for r in block)
            widths = [max((width(r[c].strip(), size) for r in block if c < len(r)), default=0) for c in range(ncol)]
            xs = [40.0]
            for w in widths[:-1]:
                xs.append(xs[-1] + w + 2 * size)
            for r in block:
                placed.append([(xs[c], cell.strip()) for c, cell in enumerate(r) if cell.strip()])
            i = j
            continue
        text = lines[i].strip()
        while len(text) > wrap:
            cut = wrap
            while cut > 1 and text[cut - 1].isascii() and text[cut].isascii():
                cut -= 1  # a browser does not break inside a number or a Latin word
            placed.append([(40.0, text[:cut])])
            text = text[cut:]
        placed.append([(40.0, text)] if text else [])
        i += 1
    page_w = max([40 + sum(width(t, size) for _, t in row) + x for row in placed for x, _ in row[-1:]] + [595.0])
    pages: list[list[Text]] = []
    for start in range(0, len(placed), rows_per_page):
        page: list[Text] = []
        for k, row in enumerate(placed[start:start + rows_per_page]):
            for x, t in row:
                page.append(Text(x, 50 + k * line_h, as_radicals(t) if radicals else t, size))
        pages.append(page)
    write_pdf(path, pages, page_size=(page_w + 40, 50 + rows_per_page * line_h + 50))
