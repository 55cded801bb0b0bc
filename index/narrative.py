"""Figures in running text: each number with its unit, the phrase it measures, its sentence, and the
share/rate stated with it (`财政拨款收入2213.7万元，占99.61%` → the 99.61% is a share of the 2213.7万元).

Dates, years, heading/list numerals, document numbers and phone numbers are not figures.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from core.numbers import NUMBER_RE, decimals_of, to_decimal, unit_of_match

_NOT_FIGURES = [
    re.compile(r"\d{4}\s*年(?:度|\d{1,2}\s*月(?:\d{1,2}\s*日)?|\d{1,2}\s*月份)?"),  # years and dates
    re.compile(r"20\d{2}[.\-/]\d{1,2}[.\-/]\d{1,2}"),
    re.compile(r"\d{1,2}\s*[-—至~]\s*\d{1,2}\s*月"),
    re.compile(r"\d{1,2}\s*月\s*(?:\d{1,2}\s*日|份)?"),
    re.compile(r"\d{1,2}\s*日"),
    re.compile(r"\d{1,2}\s*点"),
    re.compile(r"\d{1,2}\s*时"),
    re.compile(r"[〔\[［(（]\d{4}[〕\]］)）]\s*\d*\s*号"),  # document numbers 〔2020〕10号
    re.compile(r"1\d{10}"),  # mobile phone numbers
    re.compile(r"\d{5}(?=市长热线|热线)"),
    re.compile(r"\d+\s*\+\s*\d+"),  # names such as “1+4”
    re.compile(r"公开\s*\d{1,2}\s*表"),
    re.compile(r"附件\s*\d+(?:\s*-\s*\d+)?"),
    re.compile(r"(?:^|(?<=[\s；;。：:，,、]))\d{1,2}\s*-\s*\d{1,2}\s*[.、．](?!\d)"),  # 1-2. list numerals
    re.compile(r"(?:^|(?<=[\s；;。：:，,、“]))\d{1,2}\s*[、.．](?!\d)"),  # 1、 2. list numerals
    re.compile(r"(?:^|(?<=[\s；;。：:，,、“]))\d{1,2}\s*[.．](?=(?:19|20)\d{2}\s*年)"),  # 4.2026年… (list numeral, year)
    re.compile(r"[（(]\d{1,2}[)）]"),
    re.compile(r"第\s*\d+\s*(?:部分|条|届|期|次会议)"),
    re.compile(r"[A-Za-z]+\d+|\d+[A-Za-z]+"),  # identifiers like 5G, _GoBack
]

_SHARE = re.compile(r"占[^，。；,;]{0,20}$")
_GROWTH = re.compile(r"(增长|增加|减少|下降|降低|上升|上涨|提高|持平)[^，。；,;]{0,4}$")
_COMPLETION = re.compile(r"完成[^，。；,;]{0,8}预算[^，。；,;]{0,3}$")
_EXECUTION = re.compile(r"执行率[^，。；,;]{0,4}$")
_PHRASE_JUNK = re.compile(r"^(?:其中[:：]?|主要用于以下方面[:：]?|本部门|本单位|我单位|我中心|全年|截至|截止|共计|共)|(?:为|是|达到|达|约|的|了)$")
_YEAR_PREFIX = re.compile(r"^(?:\d{4}年度?|\d{1,2}月\d{1,2}日(?:\d{1,2}点)?|\d{1,2}(?:-\d{1,2})?[.、．]|[（(]\d{1,2}[)）])")


@dataclass
class NumberToken:
    start: int
    end: int
    num_text: str
    value: Decimal
    unit: str
    raw: str


def excluded_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in _NOT_FIGURES:
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    return spans


def inside_any(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    """Whether a position lies in one of the spans — a binary search over their starts with the running maximum
    of their ends, not a scan of every span per number (which grew with the square of the line's length)."""
    spans = sorted(spans)
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))
    return lambda s: (k := bisect_right(starts, s)) > 0 and reach[k - 1] > s


def find_numbers(text: str) -> list[NumberToken]:
    """Figures in a piece of normalised text (positions are offsets in `text`)."""
    excluded = inside_any(excluded_spans(text))
    out: list[NumberToken] = []
    for m in NUMBER_RE.finditer(text):
        s, _e = m.start("num"), m.end("num")
        if m.group("sign") and (m.start() == 0 or not text[m.start() - 1].isalnum()):
            s = m.start()
        if s > 0 and (text[s - 1].isdigit() or text[s - 1] == "."):
            continue
        if excluded(s):
            continue
        value = to_decimal(m.group("num"))
        if value is None:
            continue
        if m.group("sign") and s == m.start():
            value = -value
        out.append(NumberToken(s, m.end(), m.group("num"), value, unit_of_match(m), text[s : m.end()]))
    return out


def rate_kind(before: str, unit: str) -> str | None:
    if unit != "%" and unit != "百分点":
        return None
    if _SHARE.search(before):
        return "share"
    if _COMPLETION.search(before):
        return "completion"
    if _EXECUTION.search(before):
        return "execution"
    if _GROWTH.search(before):
        return "growth"
    return "rate"


def clean_phrase(text: str) -> str:
    text = _YEAR_PREFIX.sub("", text.strip(" ：:，,、（(“\"")).strip()
    for _ in range(3):
        new = _PHRASE_JUNK.sub("", text).strip(" ：:")
        if new == text:
            break
        text = new
    return text


@dataclass
class TextFigure:
    token: NumberToken
    sentence: str
    phrase: str
    subject: str
    rate_kind: str | None
    rate_of_index: int | None  # index into the same line's figures of the amount a rate belongs to


_SENTENCE_END = re.compile(r"[。；;！？!?]")
_CLAUSE_SPLIT = re.compile(r"[，,：:；;。（(）)]")
# 一般公共服务（类）支出, 因公出国（境）费: a short bracketed word inside a name does not end the phrase
_LEVEL_MARK = re.compile(r"[（(][^\W\d一二三四五六七八九十含)）][)）](?=[\u4e00-\u9fa5])|[（(][类款项][)）]")


# A figure's phrase and rate words are read from at most this many characters before it, and a sentence longer
# than SENTENCE_MAX is quoted as a window around the figure: work per figure is bounded, so a line is read in
# time linear in its length (a 64 KB line without full stops took seconds, a 2 MB one never finished).
LOOK_BACK = 400
SENTENCE_MAX = 400


def line_figures(text: str) -> list[TextFigure]:
    tokens = find_numbers(text)
    figures: list[TextFigure] = []
    last_amount: int | None = None
    sent_start = 0
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]  # once per line, not once per figure
    subject_of: dict[int, str] = {}
    for i, tok in enumerate(tokens):
        # sentence containing the token
        k = bisect_right(ends, tok.start)
        prev_end = ends[k - 1] if k else 0
        if prev_end != sent_start:
            sent_start = prev_end
            last_amount = None
        k = bisect_left(ends, tok.end + 1)
        sent_end = ends[k] if k < len(ends) else len(text)
        if sent_end - sent_start <= SENTENCE_MAX:
            sentence = text[sent_start:sent_end].strip()
        else:
            half = SENTENCE_MAX // 2
            sentence = text[max(sent_start, tok.start - half) : min(sent_end, tok.end + half)].strip()
        lo = max(sent_start, tok.start - LOOK_BACK)
        before = text[lo : tok.start]
        # 一般公共服务（类）支出543.24万元: a 科目 level marker does not end the phrase
        masked = _LEVEL_MARK.sub(lambda m: "类" * len(m.group()), before)
        clause_start = max((m.end() for m in _CLAUSE_SPLIT.finditer(masked)), default=0)
        # the phrase stops at the previous figure in the clause (figures come in order and do not overlap)
        prev = tokens[i - 1].end if i and sent_start <= tokens[i - 1].end <= tok.start else None
        prev_num_end = max(0, prev - lo) if prev is not None else 0
        phrase = clean_phrase(before[max(clause_start, prev_num_end) :])
        if sent_start not in subject_of:
            m = _CLAUSE_SPLIT.search(text, sent_start)
            first_clause = text[sent_start : m.start() if m else len(text)]
            subject_of[sent_start] = re.sub(r"\d.*$", "", clean_phrase(first_clause[:LOOK_BACK]))
        subject = subject_of[sent_start]
        kind = rate_kind(before[-24:], tok.unit)
        gap = text[figures[-1].token.end:tok.start] if figures else ""
        if not phrase and figures and figures[-1].phrase and re.fullmatch(r"\s*[、，,和及]\s*", gap):
            phrase = figures[-1].phrase  # 公务接待 2 批次、24 人次: one subject counted two ways
        if not phrase:
            phrase = clean_phrase(before[:clause_start].rstrip("，,：:；; ")[-24:].split("，")[-1])
        figures.append(
            TextFigure(tok, sentence, phrase, subject, kind, last_amount if kind in ("share", "growth", "completion") else None)
        )
        if tok.unit in ("元", "万元", "亿元"):
            last_amount = len(figures) - 1
    return figures


def decimals_for(token: NumberToken) -> int:
    return decimals_of(token.num_text)
