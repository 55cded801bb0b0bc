"""Questions about a named thing the report describes in a block of its own — a project (`真如海心剧院这个项目
大概什么情况`, `兰溪路-真南路下立交都是谁在干`): the block is found by the name's characters in its title line,
and answered with the sub-section the question asks about (实施主体 for `谁在干`) or, when it asks for no
aspect, the first paragraph of every sub-section. A question that names no project but asks an aspect gets the
one block in scope that has it. Aspects and their heading words are data
(`qa/data/text_sections.json`, `_subjects`).

A block title is a line of its own that is no sentence and no table row, followed by numbered sub-headings
restarting at 一 (`兰溪路-真南路下立交工程项目经费情况说明` / `一、项目概述` / `二、立项依据` …)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.models import Report
from qa.answer_models import Citation
from qa.passages import Paragraph, is_table_row, paragraphs
from qa.reasons import topic
from qa.sections_answer import raw_data

_SUB = re.compile(r"^\s*([一二三四五六七八九十]+)\s*[、.．]\s*(\S.{0,20})$")
_SENTENCE_PUNCT = re.compile(r"[。；;！？，,]")
MIN_NAME = 4  # characters of a name the question and the title must share in one run
MAX_CHARS = 900


def spec() -> dict[str, Any]:
    data: dict[str, Any] = raw_data()["_subjects"]
    return data


@dataclass
class Block:
    title_line: int
    title: str
    subs: list[tuple[str, int, int]]  # (sub-heading, first line, last line)


def blocks(lines: list[str]) -> list[Block]:
    """Titled blocks: a title line, then sub-headings 一、二、… in order (their text up to the next one)."""
    out: list[Block] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i].strip()
        nxt = next((j for j in range(i + 1, min(n, i + 3)) if lines[j].strip()), None)
        first = _SUB.match(lines[nxt].strip()) if nxt is not None else None
        if (line and 4 <= len(line) <= 40 and not _SENTENCE_PUNCT.search(line) and not is_table_row(line)
                and not _SUB.match(line) and first and first.group(1) == "一" and nxt is not None):
            subs: list[tuple[str, int, int]] = []
            ordinal = "一二三四五六七八九十"
            j = nxt
            while j < n:
                m = _SUB.match(lines[j].strip())
                if m and len(subs) < len(ordinal) and m.group(1) == ordinal[len(subs)]:
                    subs.append((m.group(2).strip(), j + 1, j + 1))
                elif subs and lines[j].strip() and not m and _is_title(lines, j):
                    break  # the next block's title
                elif m and m.group(1) == "一":
                    break
                j += 1
            ends = [s[1] for s in subs[1:]] + [j + 1]
            out.append(Block(i + 1, line, [(t, a, e - 1) for (t, a, _), e in zip(subs, ends, strict=True)]))
            i = j
            continue
        i += 1
    return out


def _is_title(lines: list[str], j: int) -> bool:
    nxt = next((k for k in range(j + 1, min(len(lines), j + 3)) if lines[k].strip()), None)
    first = _SUB.match(lines[nxt].strip()) if nxt is not None else None
    line = lines[j].strip()
    return bool(first and first.group(1) == "一" and not _SENTENCE_PUNCT.search(line) and len(line) <= 40)


def _plain(text: str) -> str:
    """Text without spaces, punctuation and the words every block title has (项目, 情况说明: data)."""
    text = re.sub(r"[\s，。、；：:;,.！？!?（）()“”\"'‘’《》]", " ", text)
    for w in sorted(spec()["title_words"], key=len, reverse=True):
        text = text.replace(w, " ")
    return text


def common_run(a: str, b: str) -> int:
    """Length of the longest run of characters (no spaces) both texts hold."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            piece = a[i:j]
            if " " in piece or piece not in b:
                break
            best = j - i
    return best


def _aspect(question: str) -> str | None:
    return next((a for a, s in spec()["aspects"].items() if any(w in question for w in s["ask"])), None)


def subject_answer(question: str, reports: list[Report], lines_for: dict[str, list[str]]
                   ) -> tuple[str, list[Citation]]:
    """('据…“<title>”：<paragraphs>[n]…', citations) or ('', []) when no block title names the question's subject."""
    asked = _plain(topic(question, reports))
    aspect = _aspect(question)
    if aspect:
        for w in spec()["aspects"][aspect]["ask"]:
            asked = asked.replace(w, " ")
    best: tuple[int, Report, Block] | None = None
    for r in reports:
        for b in blocks(lines_for.get(r.doc_id, [])):
            score = common_run(asked, _plain(b.title))
            if score >= MIN_NAME and (best is None or score > best[0]):
                best = (score, r, b)
    if best is None and aspect and common_run(asked, asked) < 3:
        # `这个项目是谁在实施` names no project: the one block in scope with that aspect
        heads = spec()["aspects"][aspect]["heading"]
        having = [(r, b) for r in reports for b in blocks(lines_for.get(r.doc_id, []))
                  if any(h in t for t, _, _ in b.subs for h in heads)]
        if len(having) == 1:
            best = (0, *having[0])
    if best is None:
        return "", []
    _, r, b = best
    lines = lines_for[r.doc_id]
    subs = b.subs
    if aspect:
        heads = spec()["aspects"][aspect]["heading"]
        subs = [s for s in b.subs if any(h in s[0] for h in heads)] or b.subs
    citations: list[Citation] = []
    parts: list[str] = []
    size = 0
    for title, start, end in subs:
        paras: list[Paragraph] = [p for p in paragraphs(lines, start + 1, end) if p.start > start and not p.table]
        chosen = paras if aspect else paras[:1]
        for p in chosen:
            if size and size + len(p.text) > MAX_CHARS:
                break
            n = len(citations) + 1
            citations.append(Citation(n=n, doc_id=r.doc_id, file=r.file, org=r.org, year=r.year,
                                      section=f"{b.title} › {title}", quote=p.text.strip(), line=p.start))
            parts.append(("" if aspect else f"{title}：") + f"{p.text.strip()}[{n}]")
            size += len(p.text)
    if not parts:
        return "", []
    return f"据{r.org}{r.year or ''}年报告“{b.title}”：" + "".join(parts), citations
