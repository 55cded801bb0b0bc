"""The heading tree of a report: 第X部分 › 一、 › （一）/(一) › 1、/1. › (1), with line spans.

Reports mix numbering styles (`1、` where `一、` belongs, `（2）` after `（一）`); a heading whose ordinal
continues a sibling's sequence in the same bracket style is placed beside that sibling. Numbered list items
(职能, 依据) are not headings; `一、` closes deeper headings left open; bare part titles named by a dotted 目录
head their parts (`index.toc_titles`); headings wrapped over two lines are joined.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from core.models import Section
from index.toc_titles import toc_headings

_CN = "〇零一二三四五六七八九十百"
_PATTERNS: list[tuple[int, str, re.Pattern[str]]] = [
    (1, "part", re.compile(rf"^第([{_CN}\d]+)部分\s*(.*)$")),
    (1, "annex", re.compile(rf"^附件([{_CN}\d]+)$")),
    (2, "dun", re.compile(rf"^([{_CN}]+)[、.]\s*(.+)$")),
    (3, "paren", re.compile(rf"^[（(]([{_CN}]+)[)）]\s*(.+)$")),
    (4, "dun", re.compile(r"^(\d{1,2})[、.](?!\d)\s*(.+)$")),
    (5, "paren", re.compile(r"^[（(](\d{1,2})[)）]\s*(.+)$")),
]


def cn_to_int(text: str) -> int:
    if text.isdigit():
        return int(text)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
    total, cur = 0, 0
    for ch in text:
        if ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            cur = digits.get(ch, 0)
    return total + cur


@dataclass
class _Open:
    family: tuple[str, bool]  # (bracket style, Chinese numerals?)
    ordinal: int
    title: str
    level: int  # nominal level of the marker (2 一、 … 5 (1))


def _marker(text: str) -> tuple[int, str, bool, int, str] | None:
    """(level, style, Chinese numerals?, ordinal, text after the marker) of a line that starts with a list or
    heading marker, whether or not it is a heading."""
    for level, style, pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            rest = m.group(2) if m.lastindex and m.lastindex >= 2 else ""
            return level, style, not m.group(1).isdigit(), cn_to_int(m.group(1)), rest
    return None


def _heading(text: str) -> tuple[int, str, bool, int, str] | None:
    if not text or "\t" in text or len(text) > 70:
        return None
    for level, style, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        rest = m.group(2) if m.lastindex and m.lastindex >= 2 else ""
        # a 科目 line (…（类）…（款）…（项）。) heads the figures below it, however long
        subject = bool(re.search(r"（类）.*（项）。?$", rest))
        # long sentences and definitions that start with a list marker are body text, not headings
        if level >= 2 and not subject and (
            len(rest) > 45
            or rest.count("，") >= 2
            or rest.endswith(("；", ";"))
            or (rest.endswith("。") and len(rest) > 25)
            or "：指" in rest
            or re.search(r"\d+(?:\.\d+)?(?:万元|元|%)", rest)
        ):
            return None
        if level >= 2 and rest[:1] in "%万元":
            return None
        return level, style, not m.group(1).isdigit(), cn_to_int(m.group(1)), text
    return None


def _join_bare_markers(lines: list[str]) -> list[tuple[int, str]]:
    """Lines as (index, text); a bare marker line (`1、`) takes the next non-empty line as its title."""
    out: list[tuple[int, str]] = []
    skip: set[int] = set()
    for idx, raw in enumerate(lines):
        if idx in skip:
            continue
        text = raw.strip()
        if re.fullmatch(rf"(?:[{_CN}]+|\d{{1,2}})[、.]|[（(](?:[{_CN}]+|\d{{1,2}})[)）]", text):
            for nxt in range(idx + 1, min(idx + 4, len(lines))):
                if lines[nxt].strip():
                    text = text + lines[nxt].strip()
                    skip.add(nxt)
                    break
        out.append((idx, text))
    return out


_STOPS = re.compile(r"[，,。；;：:、！？!?]")


def _join_part_continuations(lines: list[str], entries: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A 第X部分 heading wrapped over two lines (`第三部分 …单位… 2025 年度` / `部门决算情况说明`) takes its
    continuation: the very next line when it is a short phrase (no punctuation, no figures, no marker) that is
    itself followed by a numbered heading."""
    out: list[tuple[int, str]] = []
    skip: set[int] = set()
    for pos, (idx, text) in enumerate(entries):
        if idx in skip:
            continue
        m = _PATTERNS[0][2].match(text)
        if m and m.group(2) and pos + 2 < len(entries):
            (nidx, nxt), (_aidx, after) = entries[pos + 1], entries[pos + 2]
            if (nidx == idx + 1 and nxt and len(nxt) <= 20 and not _STOPS.search(nxt) and not re.search(r"\d", nxt)
                    and not _marker(nxt) and _heading(after)):
                text = text + nxt
                skip.add(nidx)
        out.append((idx, text))
    return out


def _wrap_width(texts: list[str]) -> int:
    """The width a text layer wraps body lines at: the most common length of longer lines, when a good share
    (30%) of them have it (±1); 0 for text whose lines are paragraphs."""
    counts = Counter(len(t) for t in texts if len(t) >= 12)
    if not counts:
        return 0
    mode = counts.most_common(1)[0][0]
    near = sum(n for length, n in counts.items() if abs(length - mode) <= 1)
    return mode if near * 10 >= sum(counts.values()) * 3 else 0


def _wrapped_rest(text: str, nxt: str, width: int) -> str:
    """The end of a heading wrapped at the page width (`5、一般公共服务支出（类）…（款）一般` / `行政管理事务（项）。…`):
    the next line's words up to its first stop or figure, when the heading runs to the width mid-phrase."""
    if not width or len(text) < width * 0.9 or _STOPS.search(text[-1]) or not nxt or _marker(nxt):
        return ""
    m = re.match(r"[^，,。；;：:、！？!?\d]{1,24}(?=[，,。；;：:！？!?\d])", nxt)  # words, not a figure
    return m.group() if m else ""


def _list_items(entries: list[tuple[int, str]]) -> set[int]:
    """Lines that are items of a numbered list, not headings (职能 `6.负责处理…事宜。`, 依据 `1.《…》`).

    Numbered lines of one style with consecutive ordinals form a run (a marker of a higher level ends it). A
    heading is short and followed by its content; a list item is a sentence (or a line wrapped at the page width
    mid-sentence), or is followed straight by its next sibling. A run where most members are items (half, when the line before it ends with a colon) is a list, and
    none of its members heads a section."""
    items: set[int] = set()
    runs: dict[tuple[str, bool], list[int]] = {}  # family → positions in `entries`
    closed: list[list[int]] = []

    def close_deeper(level: int) -> None:
        for fam in [f for f in runs if levels[f] > level]:
            closed.append(runs.pop(fam))

    levels: dict[tuple[str, bool], int] = {}
    for pos, (_idx, text) in enumerate(entries):
        if not text:
            continue
        found = _marker(text)
        if not found:
            continue
        level, style, chinese, ordinal, _rest = found
        if level == 1:
            close_deeper(0)
            continue
        fam = (style, chinese)
        levels[fam] = level
        close_deeper(level)  # a higher-level marker ends deeper runs
        run = runs.get(fam)
        last = _marker(entries[run[-1]][1]) if run else None
        if run and last and last[3] == ordinal - 1:
            run.append(pos)
        else:
            if run:
                closed.append(run)
            runs[fam] = [pos]
    closed.extend(runs.values())
    width = _wrap_width([t for _i, t in entries])
    # the next and the previous non-empty entry of each position, found once (slicing the rest per item was
    # quadratic in the file's length)
    next_text: list[str | None] = [None] * (len(entries) + 1)
    for pos in range(len(entries) - 1, -1, -1):
        next_text[pos] = entries[pos][1] or next_text[pos + 1]
    prev_text: list[str] = [""] * (len(entries) + 1)
    for pos, (_i, t) in enumerate(entries):
        prev_text[pos + 1] = t or prev_text[pos]
    for run in closed:
        if len(run) < 2:
            continue
        itemlike = 0
        for k, pos in enumerate(run):
            text = entries[pos][1]
            nxt = next_text[pos + 1]
            adjacent = k + 1 < len(run) and nxt == entries[run[k + 1]][1]
            # a sentence wrapped at the page width (not a 科目 line, whose title may wrap too) is an item
            wrapped = (width and len(text) >= width * 0.9 and not _STOPS.search(text[-1])
                       and "（类）" not in text and "(类)" not in text and nxt is not None and not _marker(nxt))
            itemlike += bool(_heading(text) is None or adjacent or wrapped)
        before = prev_text[run[0]]
        introduced = before.endswith(("：", ":"))  # `具体包括：` announces a list
        if itemlike * 2 > len(run) or (introduced and itemlike * 2 == len(run)):
            items.update(entries[pos][0] for pos in run)
    return items


def _without_org(title: str, org: str | None) -> str:
    """A part title without the report's own 单位 (kept when nothing but the marker would remain)."""
    m = _PATTERNS[0][2].match(title)
    if not org or not m or org not in m.group(2):
        return title
    rest = re.sub(r"\s{2,}", " ", m.group(2).replace(org, "", 1)).strip()
    return title[: m.start(2)] + rest if rest else title


def build_sections(lines: list[str], org: str | None = None) -> list[Section]:
    """Sections from normalised lines (index 0 = line 1). The whole document is section 0 (`全文`). A part title
    that repeats the report's 单位 (`第三部分 某街道办事处 2025 年度…`) drops it: every label already names it.

    Levels come from a stack of numbering families: a family already open is a sibling; a heading that
    continues an open heading's ordinal in the same bracket style (五、 after 4、) is a sibling too.
    """
    heads: list[tuple[int, list[str], int]] = []  # (line, path, depth)
    stack: list[_Open] = []
    entries = _join_part_continuations(lines, _join_bare_markers(lines))
    items = _list_items(entries)
    parts = toc_headings(lines)  # bare part titles the 目录 names
    width = _wrap_width([t for _i, t in entries])
    for k, (idx, text) in enumerate(entries):
        found = (1, "part", True, 0, parts[idx]) if idx in parts else None if idx in items else _heading(text)
        if not found:
            continue
        level, style, chinese, ordinal, title = found
        if level > 1 and k + 1 < len(entries):
            title += _wrapped_rest(text, entries[k + 1][1], width)
        family = (style, chinese)
        if level == 1:
            title = _without_org(title, org)
            stack = [_Open(("part", True), ordinal, title, 1)]
        else:
            floor = 1 if stack and stack[0].level == 1 else 0  # a 第X部分 stays; a document without parts has none
            pos = next((i for i in range(len(stack) - 1, floor - 1, -1) if stack[i].family == family), None)
            if pos is None:
                pos = next(
                    (i for i in range(len(stack) - 1, floor - 1, -1)
                     if stack[i].family[0] == style and stack[i].ordinal == ordinal - 1),
                    None,
                )
            if pos is None and level == 2:
                # 一、 is the top numbered level: it closes deeper headings (and lists) left open before it
                pos = next((i for i in range(floor, len(stack)) if stack[i].level > level), None)
            if pos is not None:
                del stack[pos:]
            stack.append(_Open(family, ordinal, title, level))
        heads.append((idx + 1, [o.title for o in stack], len(stack)))
    sections = [Section(idx=0, title="全文", path=["全文"], level=0, start=1, end=len(lines))]
    for pos, (line, path, depth) in enumerate(heads):
        end = len(lines)
        for nline, _npath, ndepth in heads[pos + 1 :]:
            if ndepth <= depth:
                end = nline - 1
                break
        sections.append(Section(idx=pos + 1, title=path[-1], path=path, level=depth, start=line, end=end))
    return sections


def section_index(sections: list[Section]) -> list[Section]:
    """`section_at` for every line at once (index = 1-based line; [0] is the whole text): one pass over the
    sections' spans instead of a scan of all sections per fact, which grew with the square of the file's size."""
    out = [sections[0]] * (sections[0].end + 1)
    for sec in sections[1:]:
        for line in range(max(sec.start, 1), min(sec.end, len(out) - 1) + 1):
            if sec.level >= out[line].level:
                out[line] = sec
    return out


def section_at(sections: list[Section], line: int) -> Section:
    """The deepest section containing a line."""
    best = sections[0]
    for sec in sections[1:]:
        if sec.start <= line <= sec.end and sec.level >= best.level:
            best = sec
    return best
