"""Text questions answered from the matching section as a whole: 职责 (the full list), 内设机构, 存在的问题,
改进措施/建议 — the section's enumerated items, each paragraph cited (lines a page width wrapped are joined back first). Which words ask for which kind of section, and
which heading words hold it, is data (`qa/data/text_sections.json`); a question naming several kinds
(`发现了什么问题，打算怎么改？`) gets each section in turn."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.lexicon import tokenize
from core.models import Report, Section
from index.sections import build_sections
from qa.answer_models import Citation
from qa.passages import Paragraph, paragraphs, toc_line

MAX_PARAS = 12
MAX_CHARS = 1000
_SENTENCE_END = re.compile(r"[。；;：:！？]$")
_ITEM = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]|[①-⑩]|[一二三四五六七八九十]是)")


@lru_cache(maxsize=1)
def raw_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "text_sections.json").read_text(encoding="utf-8"))
    return data


def kinds() -> dict[str, Any]:
    return {k: v for k, v in raw_data().items() if not k.startswith("_")}


def asked_kinds(question: str) -> list[str]:
    """The section kinds a question asks for, in the order it asks them."""
    found = [(min(question.find(w) for w in spec["ask"] if w in question), k)
             for k, spec in kinds().items() if any(w in question for w in spec["ask"])]
    return [k for _, k in sorted(found)]


def sections_of(doc_id: str, lines: list[str]) -> list[Section]:
    """The heading tree of a report's lines, and its unnumbered title lines (`…（部门）主要职能`) as sections of
    their own; table-of-contents entries are no sections. Cached by the lines themselves, so a report ingested
    again (same doc id, new text) is read again."""
    return _sections(tuple(lines))


@lru_cache(maxsize=32)
def _sections(lines: tuple[str, ...]) -> list[Section]:
    tree = [s for s in build_sections(list(lines)) if not toc_line(s.title)]
    starts = {s.start for s in tree}
    titled = [Section(idx=-1, title=text.strip(), path=[text.strip()], level=9, start=n, end=len(lines))
              for n, text in enumerate(lines, start=1) if n not in starts and _title_line(lines, n)]
    return tree + titled


def _title_line(lines: tuple[str, ...], n: int) -> bool:
    """A line of its own that names a section: short, no sentence, no table row, no list item (nor a 目录
    entry `- 二、…`), and a sentence follows it."""
    text = lines[n - 1].strip()
    nxt = next((x.strip() for x in lines[n:n + 2] if x.strip()), "")
    return (4 <= len(text) <= 40 and not re.search(r"[。；;，,：:！？]", text) and "\t" not in text
            and not _ITEM.match(text) and not toc_line(text) and not text.startswith(("-", "•", "·"))
            and len(nxt) > len(text) and bool(re.search(r"[。；;，,：:]", nxt)))


def _body(section: Section, lines: list[str]) -> list[Paragraph]:
    """A section's paragraphs (wrapped lines joined): its text up to a line that reads like a new document's title.
    Short rows right after a line opening a list (`…的单位包括：` / `1 某某中心`) are the list, up to a blank line."""
    out: list[Paragraph] = []
    size = 0
    listing = False
    for p in paragraphs(lines, section.start + 1, min(section.end, len(lines))):
        if p.start <= section.start:
            continue
        text = p.text.strip()
        if toc_line(text):
            continue
        gap = bool(out) and any(not x.strip() for x in lines[out[-1].end:p.start - 1])
        if out and len(text) < 40 and not _SENTENCE_END.search(text) and not _ITEM.match(text) \
                and not (listing and not gap):
            break  # 醴陵市…专项资金绩效自评报告: the next document begins
        listing = text.endswith(("：", ":")) or (listing and not _SENTENCE_END.search(text))
        if out and size + len(text) > MAX_CHARS:
            break
        out.append(p)
        size += len(text)
        if len(out) >= MAX_PARAS:
            break
    return out


def section_answer(question: str, reports: list[Report], lines_for: dict[str, list[str]], focus: str = ""
                   ) -> tuple[str, list[Citation]]:
    """('据…：<items>[n]…', citations) from the best matching section of each asked kind; ('', []) if none.
    `focus` is the question without its 单位/year words: the section whose path shares most of its terms wins."""
    terms = set(tokenize(focus or question))
    parts: list[str] = []
    citations: list[Citation] = []
    for kind in asked_kinds(question):
        heading_words = kinds()[kind]["heading"]
        best: tuple[float, Report, Section] | None = None
        for r in reports:
            lines = lines_for.get(r.doc_id, [])
            for s in sections_of(r.doc_id, lines):
                hit = next((i for i, w in enumerate(heading_words) if w in s.title), None)
                if hit is None or not _body(s, lines):
                    continue
                context = set(tokenize(s.path_text))
                named = any(w in s.title for w in kinds()[kind]["ask"] if w in question)
                score = len(terms & context) + (1.0 if named else 0.0) - 0.1 * hit - 0.00001 * s.start
                if best is None or score > best[0]:
                    best = (score, r, s)
        if best is None:
            continue
        _, r, s = best
        items = []
        for p in _body(s, lines_for[r.doc_id]):
            n = next((c.n for c in citations if c.doc_id == r.doc_id and c.line == p.start), 0)
            if not n:
                n = len(citations) + 1
                citations.append(Citation(n=n, doc_id=r.doc_id, file=r.file, org=r.org, year=r.year,
                                          section=s.path_text, quote=p.text.strip(), line=p.start))
            items.append(f"{p.text.strip()}[{n}]")
        parts.append(f"据{r.org}{r.year or ''}年报告“{s.title.strip()}”：" + "".join(items))
    return "\n".join(parts), citations
