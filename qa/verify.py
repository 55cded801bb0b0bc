"""The numeric verifier: every figure in an answer is matched to a fact or recomputed from facts — in `Decimal`,
deterministic, no LLM, milliseconds.

Verdicts: `matched` (a fact holds that value within half a unit of the figure's last printed digit), `derived`
(a/b, (a−b)/b, a−b, a+b, Σ, per-head or a unit conversion of facts — formula and operands returned),
`mismatch` (the figure contradicts the fact it cites or clearly refers to — expected value returned),
`unsupported` (nothing supports it). Candidates come from the cited facts first, then from facts whose label the
answer names next to the figure, then from the rest of the reports in scope."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from core.dimensions import fact_dimension
from core.figures import Figure, extract_figures
from core.lexicon import tokenize
from core.models import Fact
from core.numbers import fmt, half_unit
from index.instructions import instructs
from qa.answer_models import QUOTE_LEAD, Citation, FigureCheck, VerificationReport

_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_MARKERS_RUN = re.compile(r"(?:\[\d+\])*")
_GENERIC_LABELS = {"占", "增加", "增长", "减少", "人数", "收入", "支出", "合计", "小计", "金额", "其中", "预算数", "决算数"}
_LABEL_TRIM = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*|[为的是：:]+$")


@dataclass(frozen=True)
class Operand:
    base: Decimal
    dim: str
    fact: Fact


def fact_label(fact: Fact) -> str:
    label = (fact.row_label or fact.phrase) if fact.kind == "cell" else (fact.phrase or fact.row_label)
    return _LABEL_TRIM.sub("", label.replace("“", "").replace("”", "")).strip()


def _show(value: Decimal, dim: str, decimals: int = 2) -> str:
    if dim == "ratio":
        return fmt(value * 100, decimals) + "%"
    if dim == "money":
        return fmt(value / 10000, decimals) + "万元"
    return fmt(value, decimals)


class Verifier:
    """`facts_for(doc_ids)` gives the facts of the reports in scope (the store, or a list in unit tests)."""

    def __init__(self, facts_for: Callable[[list[str]], list[Fact]]) -> None:
        self.facts_for = facts_for

    def verify(self, answer: str, citations: list[Citation], scope_docs: list[str]) -> VerificationReport:
        facts = self.facts_for(sorted(set(scope_docs) | {c.doc_id for c in citations}))
        by_id = {f.fact_id: f for f in facts}
        by_line: dict[tuple[str, int], list[Fact]] = {}
        for f in facts:
            by_line.setdefault((f.doc_id, f.line), []).append(f)
        cited: dict[int, list[Fact]] = {}
        for c in citations:
            if c.fact_id and c.fact_id in by_id:
                cited.setdefault(c.n, []).append(by_id[c.fact_id])
            else:
                cited.setdefault(c.n, []).extend(by_line.get((c.doc_id, c.line), []))
        # a quoted passage that instructs rather than reports (index.instructions) supports no figure
        quotes = {c.n: c.quote for c in citations if not instructs(c.quote)}
        labelled = _labelled(facts)  # once per answer, not once per figure
        checks = [self._judge(fig, answer, cited, quotes, facts, labelled) for fig in extract_figures(answer)]
        return VerificationReport(answer=answer, figures=checks, citations=citations)

    # ------------------------------------------------------------------------------------------------
    def _judge(self, fig: Figure, answer: str, cited: dict[int, list[Fact]], quotes: dict[int, str],
               facts: list[Fact], labelled: list[tuple[str, Fact]] | None = None) -> FigureCheck:
        sent_start, sent_end = _sentence_bounds(answer, fig.start, fig.end)
        markers = [int(n) for n in _MARKER.findall(answer[sent_start:sent_end]) if int(n) in cited]
        numbers = markers or sorted(cited)
        cited_facts = _unique(f for n in numbers for f in cited.get(n, []))
        check = FigureCheck(text=fig.text, value=fig.value, unit=fig.unit, verdict="unsupported",
                            start=fig.start, end=fig.end)
        context = answer[sent_start:fig.start].replace("“", "").replace("”", "")
        referred = _referred(context, labelled if labelled is not None else _labelled(facts), fig)

        def cites(fs: Iterable[Fact]) -> list[int]:
            """The sentence's markers holding these facts, else any citation that holds them."""
            ids = {f.fact_id for f in fs}
            near = [n for n in numbers if any(f.fact_id in ids for f in cited.get(n, []))]
            return near or [n for n in sorted(cited) if any(f.fact_id in ids for f in cited[n])]

        uncited: Fact | None = None  # a named fact no citation holds: a recomputation from cited facts is better
        for pool in (cited_facts, referred):
            hit = _match(fig, pool)
            if hit is not None and pool is referred and not cites([hit]):
                uncited = hit
                break
            if hit is not None:
                check.verdict = "matched"
                check.fact_ids, check.citations = [hit.fact_id], cites([hit])
                if fig.dimension == "money" and hit.unit != fig.unit and hit.unit in ("元", "万元", "亿元"):
                    check.verdict = "derived"
                    check.formula = f"{hit.raw}{'' if hit.raw.endswith(hit.unit) else hit.unit} = {fig.text}（单位换算）"
                return check
        if _in_quote(answer, fig.start):  # 报告原文：“…”[n]: a figure of the sentence the cited fact is printed in
            said = [f for f in cited_facts if f.sentence]
            hit = _match(fig, [f for f in facts if f.sentence and any(  # one sentence, read whole or up to a wrap
                f.doc_id == c.doc_id and abs(f.line - c.line) <= 2 and (f.sentence in c.sentence or c.sentence in f.sentence)
                for c in said)])
            if hit is not None:
                check.verdict, check.fact_ids, check.citations = "matched", [hit.fact_id], numbers[:1]
                return check
        lead = re.split(r"[：:，,、（(]", _MARKER.sub("", answer[max(sent_start, fig.start - 8):fig.start]))[-1]
        window = lead + answer[fig.start:fig.end]
        quoted = [n for n in numbers if window.strip() and window in quotes.get(n, "")]
        if quoted:  # the figure is quoted verbatim from the passage its sentence cites
            check.verdict, check.citations = "matched", quoted[:1]
            return check
        sentence = answer[sent_start:sent_end].replace("“", "").replace("”", "")
        named = [f for f in cited_facts if len(fact_label(f)) >= 2 and fact_label(f) in sentence]
        # a large cited passage (a whole table chunk) would let coincidences "derive" anything: use only the
        # facts the sentence names, unless the citation is small
        pool = cited_facts if len(cited_facts) <= 12 else named
        if not cited and uncited is not None:  # no citations at all: the named fact's own value is the source
            check.verdict, check.fact_ids = "matched", [uncited.fact_id]
            return check
        if not cited:  # text the product did not write (an LLM's answer, a colleague's draft): no citations, so
            pool = _sentence_pool(sentence, fig, facts)  # the operands are the facts the sentence names and prints
        decline = bool(re.search(r"(?:下降|减少|降低|降幅)\s*(?:了|为|约)?\s*$", answer[max(sent_start, fig.start - 6):fig.start]))
        derived = _derive(fig, _unique(pool + referred), decline)
        if derived is not None:
            formula, operands = derived
            check.verdict, check.formula = "derived", formula
            check.fact_ids, check.citations = [f.fact_id for f in operands], cites(operands)
            return check
        if uncited is not None:
            check.verdict, check.fact_ids = "matched", [uncited.fact_id]
            return check
        restated = _restated(fig, referred, facts)
        if restated is not None:  # the report states the name with this value elsewhere (it contradicts itself)
            check.verdict, check.fact_ids, check.citations = "matched", [restated.fact_id], cites([restated])
            return check
        counted = _counted(fig, answer, cited)
        if counted:  # 共5家（逐项计数）：甲[1]；乙[2]；…: a count of the items the answer cites one by one
            check.verdict, check.citations = "derived", counted
            check.formula = f"计数：{'、'.join(f'[{n}]' for n in counted)} 共{len(counted)}{fig.unit}"
            return check
        expected = _expected(fig, cited_facts, referred)
        if expected is not None:
            check.verdict, check.expected = "mismatch", expected.raw + ("" if expected.raw.endswith(expected.unit) else expected.unit)
            check.fact_ids, check.citations = [expected.fact_id], cites([expected])
            return check
        hit = _match(fig, facts)
        if hit is not None:
            check.verdict, check.fact_ids = "matched", [hit.fact_id]
        return check


def _in_quote(answer: str, at: int) -> bool:
    """Whether a position lies inside a quoted sentence of the report (报告原文：“…”)."""
    opened = answer.rfind(QUOTE_LEAD + "“", 0, at)
    return opened >= 0 and answer.find("”", opened) > at


_COUNTED_UNITS = {"个", "家", "项", "条", "名", "人", "件", "篇", "份", "类", "次"}


def _counted(fig: Figure, answer: str, cited: dict[int, list[Fact]]) -> list[int]:
    """The citations a count figure counts: the distinct markers of the list that follows it, up to the end of
    its sentence (`；` separates the items), when there are exactly as many as the figure says."""
    if fig.unit not in _COUNTED_UNITS or fig.value is None or fig.value != int(fig.value) or fig.value < 2:
        return []
    end = answer.find("。", fig.end)
    marks = list(dict.fromkeys(int(n) for n in _MARKER.findall(answer[fig.end:end if end >= 0 else len(answer)])))
    return marks if len(marks) == fig.value and all(n in cited for n in marks) else []


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a figure. Markers right after a sentence's end (`…原因。[1]`, as quoted passages
    are cited) belong to that sentence, not to the next one."""
    s = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    lead = _MARKERS_RUN.match(text, s)
    if lead and lead.end() <= start:
        s = lead.end()
    m = _SENTENCE_END.search(text, end)
    if not m:
        return s, len(text)
    trail = _MARKERS_RUN.match(text, m.end())
    return s, (trail.end() if trail and trail.end() > m.end() else m.start())


def _unique(facts: Iterable[Fact]) -> list[Fact]:
    seen: dict[str, Fact] = {}
    for f in facts:
        seen.setdefault(f.fact_id, f)
    return list(seen.values())


def _same_dim(fig: Figure, fact: Fact) -> bool:
    """Plain numbers match plain numbers; a unit-less table cell can stand for 万元 (the tables' unit)."""
    _, dim = fact_dimension(fact)
    if dim == "plain":
        return fig.dimension not in ("money", "ratio", "points") or (fig.unit == "万元" and fact.kind == "cell")
    if fig.dimension == "plain":
        return True  # a bare number in a formula (1838.83÷2033.15) is compared as printed
    return dim == fig.dimension


def _match(fig: Figure, pool: list[Fact]) -> Fact | None:
    for fact in pool:
        if not _same_dim(fig, fact):
            continue
        base, dim = fact_dimension(fact)
        if fig.dimension == "plain" or dim == "plain":
            if abs(fact.value - fig.value) <= half_unit(fig.decimals):
                return fact
        elif abs(base - fig.base) <= fig.tolerance:
            return fact
    return None


def _labelled(facts: list[Fact]) -> list[tuple[str, Fact]]:
    """(label, fact) for the facts an answer can name: labels of two characters or more, not generic words."""
    out = []
    for f in facts:
        label = fact_label(f)
        if len(label) >= 2 and label not in _GENERIC_LABELS:
            out.append((label, f))
    return out


def _referred(context: str, labelled: list[tuple[str, Fact]], fig: Figure) -> list[Fact]:
    """Facts whose label the answer names right before the figure (longest label wins)."""
    best: list[tuple[int, Fact]] = []
    for label, f in labelled:
        if label not in context or not _same_dim(fig, f):
            continue
        pos = context.rfind(label)
        if pos >= 0 and len(context) - (pos + len(label)) <= 12:
            best.append((len(label), f))
    best.sort(key=lambda x: -x[0])
    top = best[0][0] if best else 0
    return [f for n, f in best if n == top]


def _sentence_pool(sentence: str, fig: Figure, facts: list[Fact], cap: int = 12) -> list[Fact]:
    """Operands for a figure in text with no citations: the facts whose value the sentence prints as another
    figure, and the facts the sentence names — a fact's label whose words (jieba) the sentence mostly shares,
    best first, at most `cap` (more would let coincidences "derive" anything)."""
    words = {t for t in tokenize(sentence) if len(t) >= 2}
    scored: list[tuple[float, Fact]] = []
    for f in facts:
        lab = fact_label(f)
        if len(lab) < 2 or lab in _GENERIC_LABELS:
            continue
        if lab in sentence:
            scored.append((2.0 + len(lab) / 100, f))
            continue
        toks = {t for t in tokenize(lab) if len(t) >= 2}
        shared = toks & words
        if len(shared) >= 2:
            scored.append((len(shared) / len(toks), f))
    scored.sort(key=lambda x: -x[0])
    named = [f for _, f in scored]
    pool: list[Fact] = []
    for g in extract_figures(sentence):
        if g.value == fig.value and g.unit == fig.unit:
            continue
        printed = [f for f in named if _match(g, [f])] or [f for f in facts if _match(g, [f])][:1]
        pool += printed[:1]
    return _unique(pool + named[:cap])


def _restated(fig: Figure, referred: list[Fact], facts: list[Fact]) -> Fact | None:
    """A fact with the figure's value stated under the name the answer uses (in its row, column or phrase), where
    the nearest labelled fact holds another value: the report states the item twice, differently."""
    names = {fact_label(f) for f in referred}
    if not names:
        return None
    for f in facts:
        if _match(fig, [f]) and any(n and (n in f.column or n in f.row_path or n in (f.phrase or "")) for n in names):
            return f
    return None


def _expected(fig: Figure, cited: list[Fact], referred: list[Fact]) -> Fact | None:
    for pool in (referred, cited):
        same = [f for f in pool if _same_dim(fig, f) and fact_dimension(f)[1] == fig.dimension]
        if len(same) == 1 or (same and pool is referred):
            return same[0]
    return None


def _derive(fig: Figure, pool: list[Fact], decline: bool = False) -> tuple[str, list[Fact]] | None:
    """A recomputation of fig from two or more facts of the pool; `decline`: the figure is written right after
    下降/减少, so a fall is stated as a positive rate."""
    ops = [Operand(*fact_dimension(f), f) for f in pool[:40]]
    money = [o for o in ops if o.dim == "money"]
    counts = [o for o in ops if o.dim not in ("money", "ratio", "points", "plain")]
    tol = fig.tolerance
    dim = fig.dimension

    def close(v: Decimal) -> bool:
        return abs(v - fig.base) <= tol

    if dim == "ratio":
        for a, b in itertools.permutations(money, 2):
            if b.base == 0:
                continue
            if close(a.base / b.base):
                return f"{_raw(a)} ÷ {_raw(b)} = {_show(a.base / b.base, 'ratio')}", [a.fact, b.fact]
            if a.base != b.base and close((a.base - b.base) / b.base):
                return (f"({_raw(a)} − {_raw(b)}) ÷ {_raw(b)} = {_show((a.base - b.base) / b.base, 'ratio')}",
                        [a.fact, b.fact])
            if decline and b.base > a.base and close((b.base - a.base) / b.base):  # 下降X%
                return (f"({_raw(b)} − {_raw(a)}) ÷ {_raw(b)} = {_show((b.base - a.base) / b.base, 'ratio')}（下降）",
                        [a.fact, b.fact])
            if decline and close(a.base / (b.base + a.base)):  # 减少a, now b: down a ÷ (b + a) from last year
                return (f"{_raw(a)} ÷ ({_raw(b)} + {_raw(a)}) = {_show(a.base / (b.base + a.base), 'ratio')}（下降）",
                        [a.fact, b.fact])
            if b.base > a.base and close(a.base / (b.base - a.base)):  # an increase over last year's total
                return (f"{_raw(a)} ÷ ({_raw(b)} − {_raw(a)}) = {_show(a.base / (b.base - a.base), 'ratio')}",
                        [a.fact, b.fact])
        for a, b in itertools.permutations(counts, 2):
            if b.base and close(a.base / b.base):
                return f"{_raw(a)} ÷ {_raw(b)} = {_show(a.base / b.base, 'ratio')}", [a.fact, b.fact]
    if dim == "money":
        money = [o for o in money if o.base != 0]  # x + 0 = x is no recomputation
        for a, b in itertools.combinations(money, 2):
            if close(a.base + b.base):
                return f"{_raw(a)} + {_raw(b)} = {_show(a.base + b.base, 'money')}", [a.fact, b.fact]
            if close(abs(a.base - b.base)):
                hi, lo = (a, b) if a.base >= b.base else (b, a)
                return f"{_raw(hi)} − {_raw(lo)} = {_show(hi.base - lo.base, 'money')}", [hi.fact, lo.fact]
        if len(money) > 2 and close(sum((o.base for o in money), Decimal(0))):
            return " + ".join(_raw(o) for o in money) + f" = {fig.text}", [o.fact for o in money]
        if len(money) > 2:  # 各项之和比总数多0.01万元: the parts' sum against the whole (the largest) they make up
            whole = max(money, key=lambda o: o.base)
            parts = [o for o in money if o is not whole]
            rest = sum((o.base for o in parts), Decimal(0))
            if rest != whole.base and close(abs(rest - whole.base)):
                return (f"({' + '.join(_raw(o) for o in parts)}) − {_raw(whole)} = {fig.text}",
                        [o.fact for o in money])
        for a in money:
            for c in counts:
                if c.base and close(a.base / c.base):
                    return f"{_raw(a)} ÷ {_raw(c)} = {fmt(a.base / c.base, 2)}元/{c.dim}", [a.fact, c.fact]
    if dim == "points":
        rates = [o for o in ops if o.dim == "ratio"]
        for a, b in itertools.permutations(rates, 2):
            if close((a.base - b.base) * 100):
                return f"{_raw(a)} − {_raw(b)} = {fmt((a.base - b.base) * 100, 2)}个百分点", [a.fact, b.fact]
    if dim not in ("money", "ratio", "points", "plain"):  # 分, 人, 个 …: the difference of two of the same kind
        same = [o for o in ops if o.dim == dim]
        for a, b in itertools.permutations(same, 2):
            if a.base > b.base and close(a.base - b.base):
                return f"{_raw(a)} − {_raw(b)} = {fig.text}", [a.fact, b.fact]
    return None


def _raw(o: Operand) -> str:
    f = o.fact
    return f.raw if f.raw.endswith(f.unit) else f"{f.raw}{f.unit}"
