"""Why-questions (`为什么比年初预算少花这么多`, `收支总计为什么涨了`) answered with the report's own reason
sentence: reports give reasons beside the item they explain (`决算数小于预算数的主要原因：…`, `主要是因为…`),
so the answer is the reason sentence whose item matches the question — by the names the question quotes, by the
characters it shares with the item's heading and comparison, and by the direction (大于/小于, 增加/减少) both
speak of — quoted with the sentence that states the comparison, cited. A reason that names a part (`城乡社区支出（类）未完成
年初预期`) is followed by that part's own reason. The words are data
(`qa/data/text_sections.json`, `_reasons`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.models import Report
from qa.answer_models import Citation
from qa.filters import YEAR_WORD, parse_filters
from qa.passages import _STARTS, Paragraph, Sentence, compact, paragraphs, sentences
from qa.sections_answer import raw_data

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
_PUNCT = re.compile(r"[\s，。、；：:;,.！？!?（）()“”\"'‘’【】《》\-—…%]")
MIN_OVERLAP = 0.34
MIN_PART_SHARED = 4  # character pairs a part's reason shares with the whole's reason that names it
_SUBJECT = re.compile(r"([\u4e00-\u9fa5]{2,20}?)[（(](?:类|款|项)[)）]")
MIN_NAMED = 0.5  # share of the item-naming pairs (the question's words less the budget words) the context holds
_PARTICLES = ["什么", "主要", "这么多", "这么", "那么", "的", "了", "呢", "吗", "么", "是", "比"]


def words() -> dict[str, list[str]]:
    data: dict[str, list[str]] = raw_data()["_reasons"]
    return data


def asks_why(question: str) -> bool:
    return any(w in question for w in words()["ask"])


def _direction(text: str, less: list[str], more: list[str]) -> int:
    """-1 when the text speaks of less, +1 of more, 0 of neither or both."""
    lo, hi = any(w in text for w in less), any(w in text for w in more)
    return 0 if lo == hi else (-1 if lo else 1)


def bigrams(text: str) -> set[str]:
    t = _PUNCT.sub("", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def shared(asked: set[str], context: str) -> int:
    """How many of the question's character pairs the context holds — as written, or abbreviated the way
    questions shorten names (收支 for 收入支出, 规资 for 规划和自然资源: the second character a few later)."""
    t = _PUNCT.sub("", context)
    return sum(1 for b in asked if b in t or re.search(re.escape(b[0]) + ".{1,3}" + re.escape(b[1]), t))


def topic(question: str, reports: list[Report]) -> str:
    """The question without its 单位 and year words, its why-words, its direction words and particles."""
    filters = parse_filters(question, reports)
    text = question
    for name in sorted({*filters.mentions, *(r.org for r in reports)}, key=len, reverse=True):
        if name.strip():  # an empty name (单位 unknown) would put a space between every character
            text = text.replace(name, " ")
    text = YEAR_WORD.sub(" ", text)
    w = words()
    for word in sorted(w["ask"] + w["question_less"] + w["question_more"] + _PARTICLES, key=len, reverse=True):
        text = text.replace(word, " ")
    return text


@dataclass
class Stated:
    """A reason a report states: what it is about (headings above + text before the cue), its direction."""
    para: Paragraph
    said: list[Sentence]  # the comparison sentence (if any) and the reason sentence
    context: str
    reason: str  # the reason sentence from its cue word on
    direction: int
    title: str = ""  # the numbered item it belongs to (`9、城乡社区支出（类）…（项）。`), when not among `said`


@dataclass
class Candidate:
    score: float
    report: Report
    stated: Stated

    @property
    def para(self) -> Paragraph:
        return self.stated.para

    @property
    def said(self) -> list[Sentence]:
        return self.stated.said


_TOP = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


def _blocks(paras: list[Paragraph]) -> list[tuple[str, Paragraph, list[Paragraph]]]:
    """Paragraphs grouped under the heading or numbered item that opens them: (the top heading above them,
    opening paragraph, all of them) — `八、政府性基金预算…情况说明` says what the items under it are about."""
    out: list[tuple[str, Paragraph, list[Paragraph]]] = []
    top = ""
    for p in paras:
        if p.table:
            continue
        if _TOP.match(p.first_line) and len(p.first_line) <= 40:
            top = p.first_line
        if not out or _STARTS.match(p.text):
            out.append((top, p, [p]))
        else:
            out[-1][2].append(p)
    return out


def stated_reasons(lines: list[str]) -> list[Stated]:
    """Every reason sentence of a report, with what it is about and which way its comparison goes."""
    return list(_stated(tuple(lines)))


@lru_cache(maxsize=32)
def _stated(lines: tuple[str, ...]) -> tuple[Stated, ...]:
    w = words()
    out: list[Stated] = []
    for top, head, block in _blocks(paragraphs(list(lines))):
        for p in block:
            said = sentences([p])
            for i, s in enumerate(said):
                # `问题及原因：` is a heading listing topics, not a reason stated
                cue = next((m.start() for c in w["cue"] for m in re.finditer(re.escape(c), s.text)
                            if s.text[max(0, m.start() - 1):m.start()] not in ("及", "和", "与")), -1)
                if cue < 0:
                    continue
                before = said[i - 1] if i > 0 else None
                stated = (before.text if before else "") + s.text[:cue]
                # what the reason is about: the headings above it and the text before its cue word
                context = (top if top != head.text else "") + (head.text if head is not p else "") \
                    + p.text[:p.text.find(s.text) + cue]
                keep = [before, s] if before is not None and before.para == s.para else [s]
                first = sentences([head])[0].text if _STARTS.match(head.text) else ""
                title = first if first and all(first != k.text for k in keep) else ""
                out.append(Stated(p, keep, context, s.text[cue:], _direction(stated, w["text_less"], w["text_more"]),
                                  title))
    return tuple(out)


def candidates(question: str, reports: list[Report], lines_for: dict[str, list[str]]) -> list[Candidate]:
    w = words()
    about = topic(question, reports)
    asked = set().union(*(bigrams(part) for part in about.split()))
    for word in sorted(w["generic"], key=len, reverse=True):
        about = about.replace(word, " ")
    specific = set().union(*(bigrams(part) for part in about.split()))  # the words naming the item
    quoted = [compact(m) for m in _QUOTED.findall(question)]
    want = _direction(question, w["question_less"], w["question_more"])
    out: list[Candidate] = []
    for r in reports:
        for st in stated_reasons(lines_for.get(r.doc_id, [])):
            if quoted and not all(q in compact(st.context) for q in quoted):
                continue
            overlap = shared(asked, st.context) / max(1, len(asked))
            if not quoted and (overlap < MIN_OVERLAP
                               or (specific and shared(specific, st.context) < MIN_NAMED * len(specific))):
                continue
            got = st.direction
            score = overlap + (2.0 if quoted else 0.0) + (0.5 if want and got == want else 0.0) \
                - (1.0 if want and got and got != want else 0.0)
            out.append(Candidate(score, r, st))
    # the best first; the earlier statement of equal merit (the whole before its items) first
    out.sort(key=lambda c: (-round(c.score, 6), c.report.doc_id, c.para.start))
    return out


def part_reason(best: Stated, lines: list[str]) -> Stated | None:
    """When a reason names a 科目 (`城乡社区支出（类）未完成年初预期…`), that part's own stated reason going the
    same way — the one sharing most words with the whole's reason — or None."""
    names = [n for n in _SUBJECT.findall(best.reason) if len(n) >= 2]
    if not names:
        return None
    mine = bigrams(best.reason)
    parts = [(len(mine & bigrams(st.reason)), st) for st in stated_reasons(lines)
             if st.para is not best.para and any(n in st.context for n in names)
             and (st.direction == best.direction or not best.direction)]
    parts = [x for x in parts if x[0] >= MIN_PART_SHARED]
    return max(parts, key=lambda x: (x[0], -x[1].para.start))[1] if parts else None


def reason_answer(question: str, reports: list[Report], lines_for: dict[str, list[str]], focus: str = ""
                  ) -> tuple[str, list[Citation]]:
    """('据…：<comparison><reason>[1]<part's reason>[2]', citations) or ('', []) when no reason sentence matches
    the question."""
    if not asks_why(question):
        return "", []
    found = candidates(question, reports, lines_for)
    if not found:
        return "", []
    best = found[0]
    r = best.report
    chosen = [best.stated]
    part = part_reason(best.stated, lines_for.get(r.doc_id, []))
    if part is not None:
        chosen.append(part)
    citations = [Citation(n=i, doc_id=r.doc_id, file=r.file, org=r.org, year=r.year, quote=st.para.text.strip(),
                          line=st.said[0].line) for i, st in enumerate(chosen, start=1)]
    body = "".join(("其中，" + st.title if i > 1 else "") + "".join(s.text for s in st.said) + f"[{i}]"
                   for i, st in enumerate(chosen, start=1))
    return f"据{r.org}{r.year or ''}年报告：{body}", citations
