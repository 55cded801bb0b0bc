"""A rate the question names only by its word (`网格员核查率`, `办结率`, `覆盖率`) where the report prints no rate
but the two counts it is made of: `…X数 N` and, before it in the same sentence, the count it is a share of in the
same unit (`在线申报数55440人，网格员核查数55186人`). The answer is a ratio program over the two cited counts,
shown as its formula. Where the report prints the rate itself, or does not give both counts, nothing is computed
(the lookup answers or refuses)."""

from __future__ import annotations

import re

from core.lexicon import tokenize
from core.models import Fact, Report
from qa.program import Operand, Program, execute
from qa.resolve import COUNT_UNITS, label_of, norm
from qa.structured import StructuredEngine, pct, shown
from qa.understand import Question

_RATE_WORD = re.compile(r"([\u4e00-\u9fa5]{2,})率$")
_NOT_STEM = re.compile(r"执行|完成|增长|占比|比例|比重")  # rates with programs of their own (qa.structured)


def rate_stem(measure: str) -> str:
    """The word a rate is named by (`格防码网格员核查率` → `格防码网格员核查`), '' when the measure names no rate
    or one the structured engine computes itself."""
    m = _RATE_WORD.search(measure.strip())
    if not m or _NOT_STEM.search(m.group(1)):
        return ""
    return m.group(1)


def _counted(f: Fact, stem: str) -> int:
    """How much of the stem's end a count's own words name (核查 of 网格员核查数): 0 when not even two chars."""
    name = norm(f.phrase or label_of(f))
    for k in range(len(stem), 1, -1):
        if norm(stem[-k:]) in name:
            return k
    return 0


def rate_counts(facts: list[Fact], stem: str) -> tuple[Fact, Fact] | None:
    """(numerator, base) for a rate named by `stem`: the count whose words end the stem best, and the count
    printed before it in its sentence in the same unit, at least as large (the whole it is a share of)."""
    counts = [f for f in facts if f.unit in COUNT_UNITS and not f.rate_kind and f.kind == "text"]
    scored = sorted(((_counted(f, stem), f) for f in counts), key=lambda x: -x[0])
    for k, num in scored:
        if k < 2:
            break
        before = [f for f in counts if f.sentence == num.sentence and f.unit == num.unit
                  and f.char_start < num.char_start and f.line == num.line and f is not num]
        if not before:
            continue
        base = before[-1]
        if base.value >= num.value > 0 and _counted(base, stem) < k:
            return num, base
    return None


def _named_elsewhere(facts: list[Fact], stem: str, sentence: str) -> bool:
    """The question's other words (格防码 of 格防码网格员核查率) are the sentence's: the two counts are of it."""
    words = [w for w in tokenize(stem) if len(w) >= 2]
    return not words or sum(norm(w) in norm(sentence) for w in words) * 2 >= len(words)


_WHEN = re.compile(r"^(?:截[至止]|到)?(?:\d{2,4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:\d{1,2}[点时])?")


def _name(f: Fact) -> str:
    """A count's words without the date they were taken on (截止10月20日17点…): a date is no figure to check."""
    return _WHEN.sub("", label_of(f)) or label_of(f)


def rate_of_counts(engine: StructuredEngine, r: Report, q: Question) -> bool:
    stem = rate_stem(q.measure)
    if not stem:
        return False
    facts = engine.facts_for_year(r, None)
    tail = stem[-2:] + "率"
    if any(f.unit == "%" and tail in norm(f.phrase + f.row_label + f.column) for f in facts):
        return False  # the report prints the rate: the lookup answers with it
    found = rate_counts(facts, stem)
    if found is None or not _named_elsewhere(facts, stem, found[0].sentence):
        return False
    num, base = found
    res = execute(Program(op="ratio", operands=[Operand(value=num.value, unit=num.unit, decimals=num.decimals),
                                                Operand(value=base.value, unit=base.unit, decimals=base.decimals)]))
    assert res.value is not None
    nb, nn = engine.d.cite(base), engine.d.cite(num)
    name = stem[-_counted(num, stem):]  # the rate by the words its count is named with (网格员核查)
    engine.d.say(f"{engine._org_year(r)}，{_name(base)}{shown(base)}[{nb}]，{_name(num)}{shown(num)}[{nn}]，"
                 f"{name}率约为{pct(res.value)}（{res.formula} = {pct(res.value)}；报告未直接列出该比率，按其所列"
                 f"两数计算）。")
    engine.d.answered += 1
    return True
