"""The extractive engine: no LLM — the sentences that best answer a question about 职责, 内设机构, 存在的问题,
改进措施, 原因 …, taken verbatim from the retrieved passages and cited line by line."""

from __future__ import annotations

import re

from core.lexicon import expand_query, tokenize
from core.models import Report
from qa.answer_models import Citation
from qa.search import Hit

_WEAK = {"单位", "中心", "网格化", "网格", "管理", "服务", "情况", "哪些", "主要", "什么", "为什么", "年度"}
_SPLIT = re.compile(r"(?<=[。；;！？])")
_HEADING = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]")
_CUE_BOOST = {
    "问题": ("问题", "不足", "困难"), "措施": ("措施", "加强", "进一步", "提高"), "原因": ("原因", "主要是"),
    "职责": ("负责", "职责", "贯彻"), "机构": ("内设", "科室", "股室", "组室", "分别为"), "用于": ("用于",),
}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SPLIT.split(text) if len(s.strip()) >= 6]


def extract(question: str, hits: list[Hit], reports: dict[str, Report], lines_for: dict[str, list[str]],
            max_sentences: int = 3, focus: str = "") -> tuple[str, list[Citation]]:
    """Best sentences with [n] markers and their citations; ('', []) when nothing is relevant.

    `focus` is the question without its 单位/year words: its terms are what a sentence (or its section
    heading) must talk about."""
    q_terms = set(tokenize(expand_query(focus or question))) - _WEAK
    cues = [w for k, ws in _CUE_BOOST.items() if k in question for w in ws]
    scored: list[tuple[float, str, int, str, Hit]] = []
    for rank, hit in enumerate(hits):
        c = hit.chunk
        doc_lines = lines_for.get(c.doc_id, [])
        for ln in range(c.start, c.end + 1):
            if not 0 < ln <= len(doc_lines):
                continue
            for sent in _sentences(doc_lines[ln - 1]):
                terms = set(tokenize(sent))
                overlap = len(q_terms & terms)
                in_section = any(t in c.section for t in q_terms)
                if not overlap and not in_section:
                    continue
                score = (overlap / (1 + len(q_terms)) + 0.15 * sum(cue in sent for cue in cues) - 0.02 * rank
                         + (0.5 if in_section else 0))
                if _HEADING.match(sent) and len(sent) < 20:
                    score -= 0.2
                scored.append((score, sent, ln, c.doc_id, hit))
    if not scored:
        return "", []
    scored.sort(key=lambda x: -x[0])
    top = scored[0][0]
    chosen = [s for s in scored if s[0] >= top * 0.6][:max_sentences]
    chosen.sort(key=lambda s: (s[3], s[2]))
    citations: list[Citation] = []
    parts = []
    for _, sent, ln, doc_id, hit in chosen:
        r = reports[doc_id]
        n = next((c.n for c in citations if c.doc_id == doc_id and c.line == ln), 0)
        if not n:
            n = len(citations) + 1
            citations.append(Citation(n=n, doc_id=doc_id, file=r.file, org=r.org, year=r.year,
                                      section=hit.chunk.section, table=hit.chunk.table_id or None,
                                      quote=lines_for[doc_id][ln - 1].strip(), line=ln))
        parts.append(f"{sent}[{n}]")
    head = "、".join(sorted({c.org for c in citations}))
    return f"据{head}报告原文：" + "".join(parts), citations
