"""The count of an enumerated list (`有几家单位纳入部门决算`, `有几项职责`): the numbered rows of a table (a 序号
column, or a first column that runs 1, 2, 3 …) or the numbered items of a list the report introduces with a colon
or a heading (`…的单位包括：` / `一、主要职能` followed by 1. 2. … or （一）（二）…), whose heading, title and lead
words name what the question counts (the noun itself, or a heading word of the section kind the question asks
for, qa/data/text_sections.json). Each counted row is cited. A report that prints the count itself is answered by that
figure (the lookup), never by counting."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.lexicon import tokenize
from core.models import Report, TableModel
from qa.answer_models import Citation
from qa.resolve import norm
from qa.sections_answer import asked_kinds, kinds
from qa.structured import StructuredEngine
from qa.understand import Question

_ASKS_COUNT = re.compile(r"(?:几|多少)(?P<cls>家|个|项|类|所|条|张|种|部分|处|支|名)(?P<noun>[\u4e00-\u9fa5]{0,4})")
_SERIAL = re.compile(r"序号|编号")
_CN_DIGITS = "一二三四五六七八九十"
_ITEM = re.compile(r"^\s*(?:(?P<n>\d{1,2})\s*[.．、](?!\d)|[（(](?P<c>[一二三四五六七八九十]{1,3})[)）])\s*(?P<body>\S.*)$")
_SENTENCE_END = re.compile(r"[。；;，,！？!?]$")
_NOT_MEASURE = {"几", "多少", "有", "是", "的", "下面", "下属", "一共", "总共", "共", "纳入", "包括", "哪些"}
_MATCH = 0.5  # share of the question's words the list's heading, title and lead words must hold


@dataclass
class Listed:
    """An enumerated list: where it is, what introduces it, and its items as (line, text)."""

    context: str
    items: list[tuple[int, str]]
    section: str
    table: str | None = None


def _cn(n: str) -> int:
    """一 … 十九 as a number (the ordinals of （一）（二）… lists)."""
    if n == "十":
        return 10
    if n.startswith("十"):
        return 10 + _CN_DIGITS.index(n[1]) + 1
    if "十" in n:
        tens, _, ones = n.partition("十")
        return (_CN_DIGITS.index(tens) + 1) * 10 + (_CN_DIGITS.index(ones) + 1 if ones else 0)
    return _CN_DIGITS.index(n) + 1


def _lead(lines: list[str], before: int, span: int = 3) -> str:
    """The words just above line `before` (1-based): the sentence that introduces a list, joined over wraps."""
    out: list[str] = []
    i = before - 1
    while i >= 1 and len(out) < span:
        text = lines[i - 1].strip()
        if text:
            out.insert(0, text)
        i -= 1
    return "".join(out)


def numbered_rows(t: TableModel) -> list[tuple[int, str]]:
    """The rows of a table numbered 1, 2, 3 … (in its 序号 column, else its first column), as (line, row text)."""
    header = t.rows[:t.n_header]
    col = next((i for i, c in enumerate(t.columns) if _SERIAL.search(c)), None)
    if col is None and header:
        col = next((i for row in header for i, c in enumerate(row) if _SERIAL.search(c)), None)
    col = 0 if col is None else col
    out: list[tuple[int, str]] = []
    for k, row in enumerate(t.rows[t.n_header:], start=t.n_header):
        cell = row[col].strip() if col < len(row) else ""
        if cell.isdigit() and int(cell) == len(out) + 1:
            line = t.row_lines[k][0] if k < len(t.row_lines) else t.start
            out.append((line, " ".join(c.strip() for i, c in enumerate(row) if i != col and c.strip())))
        elif out and cell.isdigit():
            return []  # numbers that do not run 1, 2, 3: codes, not a count
    return out if len(out) >= 2 else []


def table_lists(tables: list[TableModel], lines: list[str]) -> list[Listed]:
    out = []
    for t in tables:
        rows = numbered_rows(t)
        if rows:
            context = " ".join([t.section, t.title, " ".join(t.columns), _lead(lines, t.start)])
            out.append(Listed(context=context, items=rows, section=t.section, table=t.table_id))
    return out


def text_lists(lines: list[str]) -> list[Listed]:
    """Lists the text introduces with a colon: the line above item 1 ends with ：/:, items run 1, 2, 3 … in one
    marker style (continuation lines between items are the items' own)."""
    out: list[Listed] = []
    i = 0
    while i < len(lines):
        m = _ITEM.match(lines[i])
        above = _lead(lines, i + 1, 1).strip()
        heading = 0 < len(above) <= 30 and not _SENTENCE_END.search(above) and not _ITEM.match(above)
        if not (m and _number(m) == 1 and (above.endswith(("：", ":")) or heading)):
            i += 1
            continue
        lead = _lead(lines, i + 1, 2)
        style = "n" if m.group("n") else "c"
        items = [(i + 1, _first_clause(m.group("body")))]
        j = i + 1
        while j < len(lines) and j - items[-1][0] < 8:
            nm = _ITEM.match(lines[j])
            if nm and (("n" if nm.group("n") else "c") == style):
                if _number(nm) != len(items) + 1:
                    break
                items.append((j + 1, _first_clause(nm.group("body"))))
            j += 1
        if len(items) >= 2:
            out.append(Listed(context=lead, items=items, section=above if heading else ""))
        i = items[-1][0]
    return out


_TITLE = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])")
_INLINE_START = re.compile(r"[：:]\s*(?=(?:1\s*[.．、]|[（(]一[)）])(?!\d))")
_INLINE_N = re.compile(r"(?<![\d.．])(\d{1,2})\s*[.．、](?!\d)")
_INLINE_C = re.compile(r"[（(]([一二三四五六七八九十]{1,3})[)）]")


def _heading_above(lines: list[str], i: int, span: int = 12) -> str:
    """The nearest short title line above line index i (一、主要职能): what a run-in list is about."""
    for k in range(i - 1, max(-1, i - span), -1):
        text = lines[k].strip()
        if _TITLE.match(text) and len(text) <= 30 and not re.search(r"[，,。；;]", text):
            return text
    return ""


def inline_lists(lines: list[str], window: int = 60) -> list[Listed]:
    """Lists run into the text after a colon (`办事处职能主要有：1.指导… 2.开展… 3.…`), items numbered 1, 2, 3 …
    (or （一）（二）…) over the following lines until a blank line."""
    out: list[Listed] = []
    for i, line in enumerate(lines):
        m = _INLINE_START.search(line)
        if not m:
            continue
        parts, starts = [line[m.end():]], [i]
        for k in range(i + 1, min(len(lines), i + window)):
            if not lines[k].strip():
                break
            parts.append(lines[k].strip())
            starts.append(k)
        text = "".join(parts)
        offsets, at = [], 0
        for part, k in zip(parts, starts, strict=True):
            offsets.append((at, k))
            at += len(part)
        marker = _INLINE_N if re.match(r"\s*\d", text) else _INLINE_C
        found: list[tuple[int, int]] = []  # (start of the item's text, its marker's position)
        for mm in marker.finditer(text):
            n = int(mm.group(1)) if marker is _INLINE_N else _cn(mm.group(1))
            if n == len(found) + 1:
                found.append((mm.end(), mm.start()))
        if len(found) < 2:
            continue
        items = []
        for idx, (start, pos) in enumerate(found):
            end = found[idx + 1][1] if idx + 1 < len(found) else len(text)
            line_no = max(k for o, k in offsets if o <= pos) + 1
            items.append((line_no, _first_clause(text[start:end])))
        heading = _heading_above(lines, i)
        out.append(Listed(context=heading + " " + _lead(lines, i + 1, 1) + line[:m.start()], items=items,
                          section=heading))
    return out


def _first_clause(body: str) -> str:
    return re.split(r"[。；;，,：:]", body.strip(), maxsplit=1)[0][:30]


def _number(m: re.Match[str]) -> int:
    return int(m.group("n")) if m.group("n") else _cn(m.group("c"))


def _words(q: Question, noun: str) -> list[str]:
    words = [w for w in tokenize(q.measure + noun) if len(w) >= 2 and w not in _NOT_MEASURE]
    return list(dict.fromkeys(words))


def best_list(lists: list[Listed], words: list[str], nouns: list[str], headings: tuple[str, ...] = (),
              asks: tuple[str, ...] = ()) -> Listed | None:
    """The list whose heading, title and lead words hold the counted noun (or a heading word of the section kind
    asked for) and most of the question's words."""
    scored = []
    for li in lists:
        ctx = norm(li.context)
        # a heading of the section kind asked for that shares a character with the counted noun names it
        # (几项职责 ↔ 主要职能; 几个科室 ↔ 单位构成 does not)
        named = [h for h in headings if norm(h) in ctx and set("".join(nouns)) & set(h)]
        if nouns and norm(nouns[-1]) not in ctx and not named:  # the counted noun itself (its head, 职能 of 主要职能)
            continue
        share = sum(norm(w) in ctx or bool(named and w in asks) for w in words) / len(words) if words else 0.0
        if share > _MATCH or (share == _MATCH and len(words) > 2):
            scored.append((share, li))
    return max(scored, key=lambda x: x[0])[1] if scored else None


def count_listed(engine: StructuredEngine, r: Report, q: Question,
                 tables_of: Callable[[str], list[TableModel]]) -> bool:
    """`有几家单位…`: the number of the list's items when the report does not print the count itself."""
    m = _ASKS_COUNT.search(q.text)
    if not m:
        return False
    if engine.find(r, q, q.measure, "count"):
        return False  # the report prints the count: that figure answers
    nouns = [w for w in tokenize(m.group("noun")) if len(w) >= 2 and w not in _NOT_MEASURE]
    nouns.sort(key=lambda w: m.group("noun").rfind(w) + len(w))  # the head noun (the last word) last
    lines = engine.d.lines_for.get(r.doc_id, [])
    lists = table_lists(tables_of(r.doc_id), lines) + text_lists(lines) + inline_lists(lines)
    asked = asked_kinds(q.text)  # 几项职责: a list under a 主要职能 heading counts them
    headings = tuple(h for k in asked for h in kinds()[k]["heading"])
    found = best_list(lists, _words(q, "".join(nouns)), nouns, headings,
                      tuple(w for k in asked for w in kinds()[k]["ask"]))
    if found is None:
        return False
    ctx = norm(found.context)
    noun = max(nouns, key=lambda n: (norm(n) in ctx, len(n), nouns.index(n)), default="")  # the head noun is last
    cls = m.group("cls")
    marks = []
    for line, text in found.items:
        n = len(engine.d.citations) + 1
        quote = lines[line - 1].strip() if 0 < line <= len(lines) else text
        engine.d.citations.append(Citation(n=n, doc_id=r.doc_id, file=r.file, org=r.org, year=r.year,
                                           section=found.section, table=found.table, row=text, quote=quote,
                                           line=line))
        marks.append(f"{text}[{n}]")
    heading = re.sub(r"^[一二三四五六七八九十\d]+[、.．]\s*", "", found.section.split(" › ")[-1]) if found.section else ""
    where = f"“{heading}”所列" if heading else "报告所列"
    engine.d.say(f"{engine._org_year(r)}，{where}{noun}共{len(found.items)}{cls}（按所列序号逐项计数）："
                 f"{'；'.join(marks)}。")
    engine.d.answered += 1
    return True
