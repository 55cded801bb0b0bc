"""Unnumbered headings named by the document's own table of contents.

Some reports (区级部门预算) number their parts only in the 目录 (`六、其他相关情况说明 ……`); in the body each part
starts on a page under a bare title (`其他相关情况说明`, `2026年部门预算编制说明`, `某局主要职能`). A short body line
that ends like a top-level 目录 entry (the same last words, most of the entry) is that part's heading; the entry's
own text (with its numeral) becomes the title. A part the 目录 lists by its items starts where its first item's
title stands alone. Entries are matched in their order, each once, after the 目录.
"""

from __future__ import annotations

import re

_LEADER = re.compile(r"\s*[…·.]{4,}[…·.\s\d]*$")  # dot leaders, optionally a page number
_TOP = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|第[一二三四五六七八九十\d]+部分)\s*(.+)$")
_SUB = re.compile(r"^(?:\d{1,2}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）])\s*(.+)$")
_NOT_TITLE = re.compile(r"[，,。；;：:！？!?、“”\"]")


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def toc_headings(lines: list[str]) -> dict[int, str]:
    """{line index: 目录 entry} for body lines that head a part the 目录 names (empty when there is no dotted 目录)."""
    entries: list[tuple[str, str, list[str]]] = []  # (entry text, its words without the numeral, sub-entries)
    last_toc = -1
    for idx, text in enumerate(lines):
        m = _LEADER.search(text)
        if not m or m.start() == 0:
            continue
        last_toc = idx
        entry = text[: m.start()].strip()
        top = _TOP.match(entry)
        if top:
            entries.append((entry, re.sub(r"\s+", "", top.group(1)), []))
        elif entries and (sub := _SUB.match(entry)):
            entries[-1][2].append(re.sub(r"\s+", "", sub.group(1)))
    found: dict[int, str] = {}
    start = last_toc + 1
    for entry, words, subs in entries:
        for idx in range(start, len(lines)):
            text = re.sub(r"\s+", "", lines[idx])
            if not text or len(text) > 40 or _NOT_TITLE.search(text) or _TOP.match(text) or text[-1].isdigit():
                continue
            common = _common_suffix(text, words)
            # a part the 目录 lists only by its items (五、部门预算表: 1. …总表) starts at its first item
            if (len(words) >= 4 and common >= 4 and common * 3 >= len(words) * 2) or (subs and text == subs[0]):
                found[idx] = entry
                start = idx + 1
                break
    return found
