"""Text normalisation with an offset map back to the original line.

Full-width digits/letters/operators become ASCII, thousands separators go (`2,001.35` → `2001.35`), stray
spaces next to Chinese text go (`2020 年度` → `2020年度`), conversion artefacts (`[bookmark: _GoBack]`) go.
Tabs are kept: they carry table structure. Chinese punctuation （），：；。 is kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]")
_FULLWIDTH_KEEP = set("，：；（）！？")  # CJK punctuation stays as the reports write it
_SPACES = {" ", "\u3000", "\xa0", "\u2002", "\u2003", "\u200b"}
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?(?![\d,，])")


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0xFF00 <= o <= 0xFFEF  # full-width forms kept above
        or ch in "“”‘’—…·"
    )


def _halfwidth(ch: str) -> str:
    o = ord(ch)
    if ch in _FULLWIDTH_KEEP:
        return ch
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if ch == "\u2212":  # minus sign
        return "-"
    return ch


@dataclass(frozen=True)
class NormLine:
    text: str
    offsets: list[int]  # offsets[i] = index in the original line of text[i]; len = len(text) + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) for a normalised [start, end)."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize_line(line: str) -> NormLine:
    # 1. drop artefacts, keeping offsets
    keep = [True] * len(line)
    for m in _ARTEFACTS.finditer(line):
        for i in range(m.start(), m.end()):
            keep[i] = False
    chars: list[str] = []
    offs: list[int] = []
    for i, ch in enumerate(line):
        if keep[i]:
            chars.append(_halfwidth(ch))
            offs.append(i)
    # 2. drop spaces whose neighbours (ignoring other spaces) touch Chinese text or digits next to Chinese
    out: list[str] = []
    out_offs: list[int] = []
    n = len(chars)
    for i, ch in enumerate(chars):
        if ch in _SPACES:
            j = i - 1
            while j >= 0 and chars[j] in _SPACES:
                j -= 1
            k = i + 1
            while k < n and chars[k] in _SPACES:
                k += 1
            left = chars[j] if j >= 0 else ""
            right = chars[k] if k < n else ""
            if not left or not right or left == "\t" or right == "\t":
                continue  # leading/trailing spaces and spaces around tabs are noise
            if _is_cjk(left) or _is_cjk(right) or (left in "(（" or right in ")）%"):
                continue
            if left.isdigit() and right in ".":
                continue
            ch = " "
            if out and out[-1] == " ":
                continue
        out.append(ch)
        out_offs.append(offs[i])
    text = "".join(out)
    # 3. thousands separators inside numbers
    if "," in text or "，" in text:
        pieces: list[str] = []
        p_offs: list[int] = []
        last = 0
        for m in _THOUSANDS.finditer(text):
            pieces.append(text[last : m.start()])
            p_offs.extend(out_offs[last : m.start()])
            for idx in range(m.start(), m.end()):
                if text[idx] not in ",，":
                    pieces.append(text[idx])
                    p_offs.append(out_offs[idx])
            last = m.end()
        pieces.append(text[last:])
        p_offs.extend(out_offs[last:])
        text = "".join(pieces)
        out_offs = p_offs
    end = (out_offs[-1] + 1) if out_offs else len(line)
    return NormLine(text, out_offs + [max(end, len(line)) if not out_offs else end])


def normalize_text(text: str) -> str:
    """Normalise free text the way report lines are normalised (used for matching quotes)."""
    return "\n".join(normalize_line(line).text for line in text.split("\n"))


_COMPACT = re.compile(r"[\s\u3000]+")


def compact(text: str) -> str:
    """Normalise and remove all whitespace: for comparing labels and quotes across layouts."""
    return _COMPACT.sub("", normalize_text(text))
