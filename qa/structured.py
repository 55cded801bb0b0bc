"""The structured engine: questions about figures answered from facts — lookups, shares, growth, execution rates,
sums, differences, per-head figures, 万元↔元, comparisons and rankings across reports — with a Chinese answer
that names 单位, year and measure, shows each formula with its operands cited, and rounds as the reports do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from core.dimensions import fact_dimension
from core.models import Fact, Report
from core.numbers import fmt
from qa.anchor import anchor_facts, neighbourhood
from qa.answer_models import QUOTE_LEAD, REFUSAL, AuditNote, Citation
from qa.program import Operand, Program, execute
from qa.resolve import (
    ANY_BUDGET,
    COUNT_UNITS,
    Scored,
    best,
    budget_of,
    closest,
    conflicting,
    label_of,
    meaningful_terms,
    prefer_totals,
    rank_facts,
    same_measure,
    states_budget,
    want_dimension,
)
from qa.scope import in_table, inside_of
from qa.understand import Question
from qa.unsaid import unsaid_share

BESIDE_THRESHOLD = 0.45  # printed beside the previous answer's figure, a partial name match is enough (基本 → 基本支出)
RATE_TOL_PP = Decimal("0.005")  # 0.5 percentage points, as a ratio
_RATE_COLUMN = {"completion": r"执行率|完成率", "share": r"占比|比重|比例", "growth": r"增长率|增幅|增减率"}
_YEAR_IN = re.compile(r"(20\d{2})\s*年")


@dataclass
class Draft:
    """An answer being written: text with [n] markers, the citations they point to, audit notes."""

    parts: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    audit: list[AuditNote] = field(default_factory=list)
    lines_for: dict[str, list[str]] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)
    quoted: set[str] = field(default_factory=set)  # sentences already quoted as a figure's context
    refused: bool = False  # the figure is not disclosed as asked (only a combined item, say)
    answered: int = 0  # figures answered as asked (a refusal for one report does not refuse the others)

    def cite(self, fact: Fact) -> int:
        for c in self.citations:
            if c.fact_id == fact.fact_id:
                return c.n
        r = self.reports[fact.doc_id]
        lines = self.lines_for.get(fact.doc_id, [])
        quote = lines[fact.line - 1].strip() if 0 < fact.line <= len(lines) else fact.sentence or fact.raw
        n = len(self.citations) + 1
        self.citations.append(Citation(
            n=n, doc_id=fact.doc_id, file=r.file, org=r.org, year=r.year, section=fact.section,
            table=fact.table_id, row=fact.row_path or fact.row_label, column=fact.column, quote=quote,
            line=fact.line, page=fact.page, fact_id=fact.fact_id, char_start=fact.char_start, char_end=fact.char_end))
        return n

    def say(self, text: str) -> None:
        self.parts.append(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def shown(f: Fact) -> str:
    """A fact's value as the report prints it, with its unit."""
    unit = f.unit or ""
    return f"{fmt(f.value, f.decimals)}{unit}"


def what(f: Fact) -> str:
    """Where a fact sits, in words: 公开06表「培训费」 or 情况说明「开支培训费」."""
    if f.kind == "cell":
        cell = " / ".join(x for x in (f.row_label or f.phrase, f.column) if x)
        return f"{f.table_id or f.table_title or '表'}「{cell}」"
    part = (f.section.split(" › ")[0] if f.section else "正文")
    if f.unit in COUNT_UNITS:
        return f"{part}「{label_of(f)}」"  # 全区共有核心志愿者: the count's noun follows it
    return f"{part}「{(f.row_label + f.phrase) if f.rate_kind else (f.phrase or f.row_label)}」"


_FUND_WORDS = ("财政拨款", "一般公共预算", "政府性基金", "国有资本")


def _funds(f: Fact) -> set[str]:
    """The funds a figure is of, as its table, section and sentence say (项目支出 of all funds vs 一般公共预算)."""
    where = " ".join(x or "" for x in (f.table_title, f.section, f.sentence if f.kind == "text" else ""))
    return {w for w in _FUND_WORDS if w in where}


_FIGURE = re.compile(r"(?<![\d.])\d[\d,]*(?:\.\d+)?(?!\s*年)")
_ENDED = re.compile(r"[。；;！!？?]$")
CONTEXT_MAX_CHARS = 90  # a longer sentence is a paragraph run together: its citation shows it, the answer does not


_QUOTED = re.compile(QUOTE_LEAD + r"“([^”]*)”\[\d+\]。")


def once_quoted(bodies: list[str]) -> list[str]:
    """The answers to several asks of one question, each context sentence quoted only where it first appears
    and a statement repeated word for word (two asks resolved to the same figure) said once."""
    seen: set[str] = set()

    def first(m: re.Match[str]) -> str:
        if m.group(1) in seen:
            return ""
        seen.add(m.group(1))
        return m.group(0)

    out: list[str] = []
    for b in bodies:
        b = _QUOTED.sub(first, b)
        out.append("" if b and any(b in o for o in out) else b)  # two asks resolved to one statement: said once
    return out


def context_sentence(f: Fact) -> str:
    """The sentence a narrative figure is printed in, when it states other figures with it and is short enough
    to quote; empty for a table cell or a sentence that states only this figure."""
    whole = (f.sentence or "").strip()
    if f.kind == "cell" or not _ENDED.search(whole):
        return ""  # a sentence cut at a line or a length limit is not quoted: the report's text and PDF quote alike
    sentence = whole.rstrip("；;。，,！!？?")
    if len(sentence) > CONTEXT_MAX_CHARS:
        return ""
    figures = _FIGURE.findall(sentence)
    # quoted inside “…”: the report's own quotation marks nest as ‘…’
    return sentence.replace("“", "‘").replace("”", "’") if len(figures) >= 2 else ""


def pct(value: Decimal, decimals: int = 2) -> str:
    return f"{fmt(value * 100, decimals)}%"


class StructuredEngine:
    def __init__(self, facts_of: dict[str, list[Fact]], draft: Draft) -> None:  # facts_of may read lazily (PerDoc)
        self.facts_of = facts_of
        self.d = draft

    # -- finding facts ------------------------------------------------------------------------------
    def facts_for_year(self, report: Report, year: int | None, facts: list[Fact] | None = None) -> list[Fact]:
        """The report's facts (or the given ones of it) that state `year` (the report's own year when None)."""
        facts = self.facts_of[report.doc_id] if facts is None else facts
        target = year or report.year
        out = []
        for f in facts:
            years = {int(y) for y in _YEAR_IN.findall(f.column or "")}
            if target == report.year:
                if years and report.year not in years:
                    continue
            elif not (target in years or "上年" in (f.column or "")):
                continue
            out.append(f)
        return out

    def anchors(self, facts: list[Fact], q: Question) -> list[Fact]:
        """The facts the previous answer stated (a follow-up's context), among `facts`."""
        if not facts or (q.after_orgs and self.d.reports[facts[0].doc_id].org not in q.after_orgs):
            return []  # 和石峰比呢？: another 单位's report holds the same values only by chance
        if q.after_facts:
            by_id = {f.fact_id: f for f in facts}
            return [by_id[i] for i in q.after_facts if i in by_id]
        return anchor_facts(q.after, facts) if q.after else []

    def beside_previous(self, facts: list[Fact], q: Question) -> list[Fact]:
        anchors = self.anchors(facts, q)
        return neighbourhood(anchors, facts) if anchors else []

    @staticmethod
    def budget_for(report: Report, budget: str | None) -> str | None:
        if budget in ("预算", None) and "预算" in report.doc_type and "决算" not in report.doc_type:
            return ANY_BUDGET  # 部门预算: every figure is a budget (公务用车购置及运行费9.38万元)
        return budget

    def find(self, report: Report, q: Question, measure: str, dim: str | None, year: int | None = None,
             budget: str | None = None, rate_kind: str | None = None) -> list[Scored]:
        facts = in_table(self.facts_for_year(report, year), q.table)
        budget = self.budget_for(report, budget if budget is not None else q.budget)
        unsaid = unsaid_share(measure, self.facts_of[report.doc_id])
        beside = self.beside_previous(facts, q)
        if budget in ("预算", "年初预算"):  # 年初有预算吗？ after a final figure: a budget beside it, not the figure
            beside = [f for f in beside if states_budget(f)]
        if beside:  # 其中服务类多少？: the part printed next to the previous answer's figure, first
            group = best(rank_facts(beside, measure, q.text, dim, budget, rate_kind, unsaid), BESIDE_THRESHOLD)
            if group:
                return prefer_totals(group)
        if q.within:  # 基本支出里，人员经费: the facts that sit inside the whole (its table, section or sentence)
            inside = inside_of(facts, q.within)
            part = re.sub(re.escape(q.within) + r"(?:里面?|当中|之中)?", "", measure) or measure
            group = best(rank_facts(inside, part, q.text, dim, budget, rate_kind, unsaid)) if inside else []
            if group:
                return prefer_totals(group)
        return prefer_totals(best(rank_facts(facts, measure, q.text, dim, budget, rate_kind, unsaid)))

    def _org_year(self, r: Report, year: int | None = None) -> str:
        return f"{r.org}{year or r.year}年"

    # -- intents ------------------------------------------------------------------------------------
    def lookup(self, r: Report, q: Question, year: int | None = None) -> Fact | None:
        dim = want_dimension(q.measure + q.text, "lookup") if q.intent != "convert" else "money"
        group = self.find(r, q, q.measure, dim, year)
        if not group:
            from qa.composed import previous_year_value

            derived = previous_year_value(self, r, q, year, dim) if year and r.year and year < r.year else None
            if derived:
                return derived
            facts = in_table(self.facts_for_year(r, year), q.table)
            near = closest(rank_facts(facts, q.measure, q.text, dim, q.budget), meaningful_terms(q.measure, facts))
            if near is None:
                return None
            f = near.fact
            # not the answer: the measure as asked is not disclosed, the closest item is shown for the reader to judge
            self.d.say(f"{REFUSAL}：{self._org_year(r, year)}报告没有与“{q.measure}”完全对应的项目，最接近的是"
                       f"{what(f)}：{shown(f)}[{self.d.cite(f)}]。")
            self.d.refused = True
            return f
        top = group[0].fact
        n = self.d.cite(top)
        label = top.row_label if top.kind == "cell" else top.phrase
        parts = [x for x in re.split(r"[、]", label) if len(x) >= 2]
        named = [x for x in parts if x.rstrip("费") in q.measure]
        if len(parts) > 1 and len(named) == 1:
            self.d.say(f"{REFUSAL}：{self._org_year(r, year)}报告未单独披露“{q.measure}”，仅合并披露"
                       f"{what(top)}为{shown(top)}[{n}]。")
            self.d.refused = True
            return top
        self.d.say(f"{self._org_year(r, year)}，{what(top)}为{shown(top)}[{n}]。")
        self._context(top, n)
        self.d.answered += 1
        others = conflicting(group)
        self._conflicts(top, others or self._restated(r, q, top, dim, year))
        return top

    def _context(self, top: Fact, n: int) -> None:
        """The figures the report prints with the answer in the same sentence (`绩效自评的项目43个，涉及预算金额…，
        平均得分99.38分`), quoted once: a reader signs under the figure together with what it is said with."""
        sentence = context_sentence(top)
        if sentence and sentence not in self.d.quoted:
            self.d.quoted.add(sentence)
            self.d.say(f"{QUOTE_LEAD}“{sentence}”[{n}]。")

    def _restated(self, r: Report, q: Question, top: Fact, dim: str | None, year: int | None) -> list[Scored]:
        """The same measure stated in the other form (a table's cell for a sentence's figure, or the reverse) with
        another value: the report contradicting itself between its tables and its text."""
        base = fact_dimension(top)
        for s in rank_facts(self.facts_for_year(r, year), q.measure, q.text, dim, q.budget):
            if s.score < 0.55:
                break
            f = s.fact
            if (f.kind != top.kind and fact_dimension(f)[1] == base[1] and fact_dimension(f)[0] != base[0]
                    and same_measure(top, f) and states_budget(f) == states_budget(top) and _funds(f) == _funds(top)):
                return [s]
        return []

    def _conflicts(self, top: Fact, others: list[Scored]) -> None:
        for s in others[:2]:
            o = s.fact
            m = self.d.cite(o)
            diff = abs(fact_dimension(top)[0] - fact_dimension(o)[0])
            kind = "尾数差异" if diff <= Decimal("100") and top.unit in ("万元", "") else "数据不一致"
            n = self.d.cite(top)
            msg = (f"注意：同一报告中{what(o)}记为{shown(o)}[{m}]，与{what(top)}的{shown(top)}[{n}]不一致"
                   f"（{kind}），请核实。")
            self.d.say(msg)
            self.d.audit.append(AuditNote(kind=kind, message=msg, citations=[self.d.cite(top), m]))

    def convert(self, r: Report, q: Question) -> bool:
        group = self.find(r, q, q.measure, "money")
        if not group:
            return False
        f = group[0].fact
        base, _ = fact_dimension(f)
        n = self.d.cite(f)
        self.d.say(f"{self._org_year(r)}{what(f)}为{shown(f)}[{n}]，折合{fmt(base, 0)}元"
                   f"（{fmt(f.value, f.decimals)}×10000）。")
        return True

    def rate(self, r: Report, q: Question) -> bool:
        """share / execution / growth: the rate the report prints (if any) and the recomputation from its figures."""
        if q.intent == "growth":
            from qa.composed import change_amount

            if change_amount(self, r, q):
                return True  # 比上年少了多少: the change as an amount
        kind = {"share": "share", "execution": "completion", "growth": "growth"}[q.intent]
        dim = want_dimension(q.measure, "lookup") or "money"
        ranked = rank_facts(self.facts_for_year(r, None), q.measure, q.text, dim, None)
        beside = self.beside_previous(self.facts_for_year(r, None), q)
        near = rank_facts(beside, q.measure, q.text, dim, None) if beside else []
        if best(near, BESIDE_THRESHOLD):
            ranked = near  # 其中工程占多少？: the part beside the previous answer's figure
        amount = best(ranked)
        num = amount[0].fact if amount else None
        stated, linked_amount = self._stated_rate(r, q, [s.fact for s in ranked[:80] if s.score > 0.4], kind)
        if linked_amount is not None:
            num = linked_amount
        operands = self._operands(r, q, num, stated)
        if stated is not None and linked_amount is None and operands is not None and operands[2] is not None \
                and stated.rate_of not in (operands[0].fact_id, operands[1].fact_id) \
                and abs(operands[2] - stated.value / 100) > max(RATE_TOL_PP * 2, abs(operands[2]) * Decimal("0.05")):
            stated = None  # a rate found by its words only, of another amount, far from these figures: another rate
        if stated is None and operands is None:
            return False
        where = self._org_year(r)
        if operands is not None:
            a, b, value = operands
            na, nb = self.d.cite(a), self.d.cite(b)
            if q.intent == "growth" and re.search(r"增加|减少", b.phrase):
                formula = f"{shown(b)} ÷ ({shown(a)} − {shown(b)})"
            elif q.intent == "growth":
                formula = f"({shown(a)} − {shown(b)}) ÷ {shown(b)}"
            else:
                formula = f"{shown(a)} ÷ {shown(b)}"
            if value is None:
                self.d.say(f"{where}{q.measure}：分母{what(b)}为0[{nb}]，比率无法计算（未定义）。")
                if stated is not None:
                    self.d.say(f"报告写{shown(stated)}[{self.d.cite(stated)}]，分母为零的比率未定义，请核实。")
                    self.d.audit.append(AuditNote(kind="零基数比率", message="分母为零的比率未定义",
                                                  citations=[nb, self.d.cite(stated)]))
                return True
        if stated is not None:
            ns = self.d.cite(stated)
            label = {"share": "占比", "completion": "完成预算的比例", "growth": "增长率"}[kind]
            self.d.say(f"{where}{q.measure}{label}为{shown(stated)}[{ns}]")
            if operands is not None and value is not None:
                self.d.say(f"（{formula} = {pct(value)}，[{na}][{nb}]）")
                if abs(value - stated.value / 100) > max(RATE_TOL_PP, abs(value) * Decimal("0.01")):
                    msg = f"注意：报告所列{shown(stated)}与按其数据计算的{pct(value)}不一致，请核实。"
                    self.d.say("。" + msg)
                    self.d.audit.append(AuditNote(kind="比率不符", message=msg, citations=[ns, na, nb]))
                    return True
            self.d.say("。")
            return True
        assert operands is not None and value is not None
        if kind == "growth" and not re.search(r"增加|减少", b.phrase):
            # two amounts of two years: the change in money and the rate, both from the cited figures
            va, vb = fact_dimension(a)[0], fact_dimension(b)[0]
            word = "增长" if value >= 0 else "下降"
            delta = execute(Program(op="diff", operands=[
                Operand(value=a.value, unit=a.unit, decimals=a.decimals),
                Operand(value=b.value, unit=b.unit, decimals=b.decimals)]))
            change = (f"{'增加' if va >= vb else '减少'}{fmt(abs(delta.value or Decimal(0)), max(a.decimals, b.decimals))}"
                      f"{a.unit}（{delta.formula}）" if a.unit == b.unit else "")
            self.d.say(f"{where}，{what(a)}为{shown(a)}[{na}]，上年{what(b)}为{shown(b)}[{nb}]，{change}，"
                       f"{word}{pct(abs(value))}（{formula}）。")
            return True
        label = {"share": f"占{what(b)}的比例", "completion": "完成预算的比例", "growth": "比上年增长"}[kind]
        self.d.say(f"{where}{q.measure}{label}为{pct(value)}（{formula}，[{na}][{nb}]）。")
        return True

    def _previous_year(self, r: Report, q: Question, num: Fact) -> Fact | None:
        """The same measure a year earlier: a 上年/{year-1}年 column of this report, or last year's report of the 单位."""
        if r.year is None:
            return None
        dim = fact_dimension(num)[1]
        group = best(rank_facts(self.facts_for_year(r, r.year - 1), q.measure, q.text, dim, None))
        if group:
            return group[0].fact
        for other in self.d.reports.values():
            if other.org == r.org and other.year == r.year - 1 and other.doc_id in self.facts_of:
                g = self.find(other, q, q.measure, dim)
                if g:
                    return g[0].fact
        return None

    def _stated_rate(self, r: Report, q: Question, nums: list[Fact], kind: str) -> tuple[Fact | None, Fact | None]:
        """The rate the report prints for this measure, and the amount it is linked to (if any)."""
        facts = self.facts_for_year(r, None)
        by_id = {f.fact_id: f for f in facts}
        kinds = ("completion", "execution") if kind == "completion" else (kind,)
        rates = [f for f in facts if f.rate_kind in kinds
                 and (not q.denominator or q.denominator in f.sentence)]
        if "年初" in q.text and kind == "completion":
            rates = [f for f in rates if "年初" in f.phrase + f.sentence] or rates
        if nums:
            # the best amount is often restated where the report gives its rate (支出决算数为2007.23万元，完成…)
            top = nums[0]
            restated = [f for f in rates if f.rate_of in by_id and by_id[f.rate_of].value == top.value
                        and by_id[f.rate_of].unit == top.unit]
            if restated:
                return restated[0], by_id[restated[0].rate_of or ""]
        for num in nums:
            linked = [f for f in rates if f.rate_of == num.fact_id]
            if linked:
                return linked[0], num
        if nums and nums[0].kind == "cell":
            # a table row that prints its own rate: 合计 | 年初预算数 | 全年预算数 | 全年执行数 | … | 执行率
            top = nums[0]
            column = _RATE_COLUMN[kind]
            in_row = [f for f in facts if f.line == top.line and f.kind == "cell" and f.unit == "%"
                      and re.search(column, f.column)]
            if in_row:
                return in_row[0], top
        measure = q.measure + ("占" + q.denominator if q.denominator else "")
        group = best(rank_facts(rates, measure, q.text, "ratio"), 0.6)
        return (group[0].fact if group else None), None

    def _whole(self, r: Report, q: Question, part: Fact, dim: str) -> Fact | None:
        """The denominator of a share: the best-named fact for it that is at least as large as the part (a share
        above 100% is a wrong denominator, not a finding), else the best-named one."""
        ranked = rank_facts(self.facts_for_year(r, None), q.denominator, q.text, dim, budget_of(q.denominator))
        size = fact_dimension(part)[0]
        wholes = [s for s in ranked if s.score >= 0.45 and fact_dimension(s.fact)[0] >= size]
        if wholes:
            return wholes[0].fact
        g = best(ranked)
        return g[0].fact if g else None

    def _operands(self, r: Report, q: Question, num: Fact | None, stated: Fact | None
                  ) -> tuple[Fact, Fact, Decimal | None] | None:
        if num is None:
            return None
        facts = self.facts_for_year(r, None)
        dim = fact_dimension(num)[1]
        same_line = [f for f in facts if f.line == num.line and fact_dimension(f)[1] == dim and f is not num]
        den: Fact | None = None
        whole = [f for f in self.anchors(facts, q) if fact_dimension(f)[1] == dim and f.value > num.value]
        part_of_previous = not q.denominator or "其中" in q.text  # 其中X占多少: no other whole is named
        if q.intent == "share" and whole and part_of_previous and num in self.beside_previous(facts, q):
            den = whole[0]  # 其中X占多少: of the whole the previous answer stated
        elif q.intent == "share":
            if q.denominator:
                den = self._whole(r, q, num, dim)
            else:
                bigger = [f for f in same_line if f.char_start < num.char_start and f.value >= num.value]
                den = bigger[0] if bigger else None
        elif q.intent == "execution":
            budget = "年初预算" if "年初" in q.text else "预算"
            before = [f for f in same_line if f.char_start < num.char_start
                      and "预算" in (f.phrase + f.row_label + (f.column if f.kind == "cell" else ""))]
            if "年初" not in q.text:  # 执行率 = 全年执行数 / 全年预算数, unless 年初预算 is asked
                before = [f for f in before if "年初" not in f.phrase + f.column] or before
            if before:
                den = before[-1]
            else:  # the budget of the same measure: a budget figure, never the final figure itself
                ranked = rank_facts(facts, q.measure, q.text, "money", budget)
                g = best([s for s in ranked if states_budget(s.fact) and s.fact.fact_id != num.fact_id])
                den = g[0].fact if g else None
        elif q.intent == "growth":
            inc = [f for f in same_line if f.char_start > num.char_start and re.search(r"增加|减少", f.phrase)]
            if inc:
                prev = num.value - inc[0].value if "增加" in inc[0].phrase else num.value + inc[0].value
                base = prev
                if base == 0:
                    return num, inc[0], None
                return num, inc[0], (num.value - base) / base
            earlier = self._previous_year(r, q, num)
            if earlier is None:
                return None
            a, b = fact_dimension(num)[0], fact_dimension(earlier)[0]
            return num, earlier, ((a - b) / b if b else None)
        if den is None or den.fact_id == num.fact_id:
            return None
        a, _ = fact_dimension(num)
        b, _ = fact_dimension(den)
        return num, den, (a / b if b else None)
