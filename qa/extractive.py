"""The extractive engine: no LLM — the sentences that best answer a question about 职责, 内设机构, 存在的问题,
改进措施, 原因 …, taken verbatim from the retrieved passages (wrapped lines joined back into paragraphs) and
cited. Table rows and runs of figures are never an answer sentence; a yes/no question (`有没有单独做预算`) gets
the one sentence that says so, preferring one that affirms or denies (words in `qa/data/text_sections.json`)."""

from __future__ import annotations

import re

from core.lexicon import expand_query, tokenize
from core.models import Report
from qa.answer_models import Citation
from qa.passages import Paragraph, paragraphs, sentences, toc_line
from qa.search import Hit
from qa.sections_answer import raw_data

_WEAK = {"单位", "中心", "网格化", "网格", "管理", "服务", "情况", "哪些", "主要", "什么", "为什么", "年度"}
_HEADING = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]")
_FIGURES = re.compile(r"[\d\s.,，%％\-]")
_CUE_BOOST = {
    "问题": ("问题", "不足", "困难"), "措施": ("措施", "加强", "进一步", "提高"), "原因": ("原因", "主要是"),
    "职责": ("负责", "职责", "贯彻"), "机构": ("内设", "科室", "股室", "组室", "分别为"), "用于": ("用于",),
}


def _title_only(text: str) -> bool:
    """A heading standing alone (`三、实施主体`): it names a section, it says nothing."""
    return bool(_HEADING.match(text)) and len(text) < 25 and not re.search(r"[，,；;：:。]", text)


def yes_no(question: str) -> bool:
    return any(w in question for w in raw_data()["_yes_no"]["ask"])


def figure_row(text: str) -> bool:
    """A table row or a run of figures (`2070105 文化展示及纪念机构 1,700.57 1,700.57`), not a sentence."""
    plain = text.strip()
    return "\t" in plain or len(_FIGURES.findall(plain)) > 0.4 * max(1, len(plain))


def extract(question: str, hits: list[Hit], reports: dict[str, Report], lines_for: dict[str, list[str]],
            max_sentences: int = 3, focus: str = "") -> tuple[str, list[Citation]]:
    """Best sentences with [n] markers and their citations; ('', []) when nothing is relevant.

    `focus` is the question without its 单位/year words: its terms are what a sentence (or its section
    heading) must talk about."""
    q_terms = set(tokenize(expand_query(focus or question))) - _WEAK
    cues = [w for k, ws in _CUE_BOOST.items() if k in question for w in ws]
    asks_yes_no = yes_no(question)
    polarity = raw_data()["_yes_no"]["polarity"]
    scored: list[tuple[float, str, int, str, Hit, Paragraph]] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits):
        c = hit.chunk
        doc_lines = lines_for.get(c.doc_id, [])
        for para in paragraphs(doc_lines, c.start, c.end):
            if (c.doc_id, para.start) in seen or para.table:
                continue
            seen.add((c.doc_id, para.start))
            for s in sentences([para]):
                sent = s.text
                if len(sent) < 6 or figure_row(sent) or toc_line(sent) or _title_only(sent):
                    continue
                terms = set(tokenize(sent))
                overlap = len(q_terms & terms)
                in_section = any(t in c.section for t in q_terms)
                if not overlap and not in_section:
                    continue
                score = (overlap / (1 + len(q_terms)) + 0.15 * sum(cue in sent for cue in cues) - 0.02 * rank
                         + (0.5 if in_section else 0))
                if asks_yes_no and any(w in sent for w in polarity):
                    score += 0.3
                if _HEADING.match(sent) and len(sent) < 20:
                    score -= 0.2
                scored.append((score, sent, s.line, c.doc_id, hit, para))
    if not scored:
        return "", []
    scored.sort(key=lambda x: -x[0])
    top = scored[0][0]
    chosen = [s for s in scored if s[0] >= top * 0.6][:1 if asks_yes_no else max_sentences]
    chosen.sort(key=lambda s: (s[3], s[2]))
    citations: list[Citation] = []
    parts = []
    for _, sent, _line, doc_id, hit, para in chosen:
        r = reports[doc_id]
        n = next((c.n for c in citations if c.doc_id == doc_id and c.line == para.start), 0)
        if not n:
            n = len(citations) + 1
            citations.append(Citation(n=n, doc_id=doc_id, file=r.file, org=r.org, year=r.year,
                                      section=hit.chunk.section, table=hit.chunk.table_id or None,
                                      quote=para.text.strip(), line=para.start))
        parts.append(f"{sent}[{n}]")
    head = "、".join(sorted({c.org for c in citations}))
    return f"据{head}报告原文：" + "".join(parts), citations
