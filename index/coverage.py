"""Fact coverage: every numeric token of a report should be a fact at its location.

Tokens are found independently of the fact extractors (a plain digit scan); dates, years, heading and list
numerals, document numbers and phone numbers are not figures and are left out. 行次/栏次 numbers and
科目编码 count as covered when the table parser recognised them as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.narrative import inside_any

if TYPE_CHECKING:  # index.parse reviews each report with this measure
    from index.parse import ParsedReport

_DIGITS = re.compile(r"\d+(?:\.\d+)?")


_WINDOW = 40  # characters either side a rule below reads: a slice of the whole line per token grew quadratically


def _skip(text: str, s: int, e: int) -> str | None:
    """Why a digit run is not a figure, or None when it is one."""
    before, after = text[max(0, s - _WINDOW):s], text[e:e + _WINDOW]
    tok = text[s:e]
    if re.match(r"\s*(年|月|日|点|时)", after) and not re.match(r"\s*年(?:度)?(?:实际|预算|决算)?[^\d]{0,3}(?:人|万元)", after[:0]):
        return "date"
    if re.search(r"(年|月)\s*$", before) and re.match(r"\s*(月|日)", after):
        return "date"
    if re.search(r"\d\s*[-—~至]\s*$", before) and re.match(r"\s*月", after):
        return "date"
    if re.match(r"\s*[-—~至]\s*\d{1,2}\s*月", after):
        return "date"
    if re.match(r"^20\d{2}(?:\.\d{1,2})?$", tok) and re.match(r"[.\-/]\d", after):
        return "date"
    if re.search(r"20\d{2}[.\-/](?:\d{1,2}[.\-/])?$", before):
        return "date"
    if re.search(r"(?:^|[\s；;。：:，,、“])$", before) and re.match(r"(?:\s*-\s*\d+)?\s*[、.．](?!\d)", after):
        return "list numeral"
    if re.search(r"\d\s*-\s*$", before) and re.match(r"\s*[、.．](?!\d)", after):
        return "list numeral"
    if re.search(r"[（(]\s*$", before) and re.match(r"\s*[)）]", after):
        return "list numeral"
    if re.search(r"第\s*$", before):
        return "ordinal"
    if re.search(r"[〔\[［]\s*$", before) or re.search(r"[〕\]］]\s*$", before) and re.match(r"\s*号", after):
        return "document number"
    if re.match(r"\s*[〕\]］]", after):
        return "document number"
    if len(tok) == 11 and tok.startswith("1"):
        return "phone"
    if re.match(r"(市长)?热线", after):
        return "phone"
    if re.search(r"公开\s*$", before) and re.match(r"\s*表", after):
        return "table number"
    if re.search(r"附件\s*(?:\d+\s*-\s*)?$", before):
        return "attachment number"
    if re.match(r"\s*\+\s*\d", after) or re.search(r"\d\s*\+\s*$", before):
        return "name"
    if re.search(r"[A-Za-z_]$", before) or re.match(r"[A-Za-z]", after):
        return "identifier"
    return None


@dataclass
class Token:
    line: int
    start: int  # original line offsets
    end: int
    text: str


@dataclass
class Coverage:
    tokens: int
    covered: int
    by_facts: int
    by_index: int
    by_code: int
    misses: list[Token]

    @property
    def ratio(self) -> float:
        return self.covered / self.tokens if self.tokens else 1.0


def numeric_tokens(parsed: ParsedReport) -> list[Token]:
    out: list[Token] = []
    for idx, nl in enumerate(parsed.norm):
        for m in _DIGITS.finditer(nl.text):
            if _skip(nl.text, m.start(), m.end()):
                continue
            s, e = nl.span(m.start(), m.end())
            out.append(Token(idx + 1, s, e, m.group(0)))
    return out


def measure(parsed: ParsedReport) -> Coverage:
    facts: dict[int, list[tuple[int, int]]] = {}
    for f in parsed.facts:
        facts.setdefault(f.line, []).append((f.char_start, f.char_end))
    index: dict[int, list[tuple[int, int]]] = {}
    code: dict[int, list[tuple[int, int]]] = {}
    for store, cells in ((index, parsed.index_cells), (code, parsed.code_cells)):
        for line, s, e in cells:
            store.setdefault(line, []).append(parsed.norm[line - 1].span(s, e))

    checkers: dict[tuple[int, int], Callable[[int], bool]] = {}

    def hit(store: dict[int, list[tuple[int, int]]], tok: Token) -> bool:
        key = (id(store), tok.line)  # one sorted lookup per line, not a scan of its facts per token
        if key not in checkers:
            checkers[key] = inside_any(store.get(tok.line, []))
        return checkers[key](tok.start)

    tokens = numeric_tokens(parsed)
    by_facts = by_index = by_code = 0
    misses: list[Token] = []
    for tok in tokens:
        if hit(facts, tok):
            by_facts += 1
        elif hit(index, tok):
            by_index += 1
        elif hit(code, tok):
            by_code += 1
        else:
            misses.append(tok)
    return Coverage(len(tokens), len(tokens) - len(misses), by_facts, by_index, by_code, misses)
