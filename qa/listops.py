"""Operations over a list the question names: the sum of parts named in one clause (`货物、工程、服务三类加起来`),
checked against the whole the report prints for them, and the same check over the changes the report states for
the parts and for the whole (`比上年增加…`). Each part is a cited fact found by meaning (qa.resolve), the parts
are taken together (one sentence, one table column or one table row), and the sum is a `qa.program` sum shown as
its formula. The count of an enumerated list is in qa.listcount, a rate of two counts in qa.countrate."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from itertools import product

from core.dimensions import fact_dimension
from core.models import Fact, Report, TableModel
from core.numbers import fmt
from qa.answer_models import AuditNote
from qa.filters import YEAR_WORD
from qa.program import Operand, Program, execute
from qa.resolve import TOTAL_ROWS, Scored, label_of, norm, rank_facts, vocabulary
from qa.structured import StructuredEngine, shown, what
from qa.understand import Question

_COMBINE = re.compile(r"加起来|加在一起|加总|相加|之和|总和|合计|一共|总共|共计")
_SEPARATORS = re.compile(r"、|以及|和|与|及|跟|加上")
# 三类 / 这三项 / 两部分 after the list: how many parts, not a part's name
_HOW_MANY = re.compile(r"(?:这|那|等)?[两二三四五六七八九十几\d]+(?:类|项|个|笔|部分|块|种|方面|者)?(?:的|之)?$|[的之]$")
_CHANGE = re.compile(r"增加|减少|增长|下降")
_YEARS = re.compile(r"(?:(?:20)?\d{2}\s*年度?|今年|去年|上年|本年)+")
_FLOOR = 0.3  # a part scored below this is not named by its word
_NEAR_BEST = 0.6


def listed_parts(text: str, first: str, known: Callable[[str], bool] = lambda _: False) -> list[str]:
    """The parts a question lists before a combining word (`…政府采购货物、工程、服务三类加起来` →
    [政府采购货物, 工程, 服务]); [] when it lists fewer than two or combines nothing. `first`: the question's
    measure (单位 and year words gone), whose first item names the first part; `known(phrase)`: the reports
    print the phrase as one name (商品和服务支出), so its 和 joins no list."""
    m = _COMBINE.search(text)
    if not m:
        return []
    years = [y for y in YEAR_WORD.finditer(text, 0, m.start())]
    listed = text[years[-1].end() if years else 0:m.start()]  # 单位 and year come first: 建设和管理委员会2026年…
    pieces = [x.strip(" ，,的") for x in _HOW_MANY.sub("", listed.strip(" ，,的")).split("、")]
    last = pieces[-1]
    joins = list(_SEPARATORS.finditer(last))
    if joins and not known(last):  # A、B和C: the conjunction before the final item, where both sides are names
        j = next((j for j in reversed(joins) if known(last[:j.start()]) and known(last[j.end():])), joins[-1])
        pieces[-1:] = [last[:j.start()], last[j.end():]]  # (工资福利支出和对个人和家庭的补助)
    pieces = [p if not _YEARS.fullmatch(p) else "" for p in pieces]  # 2020年和2021年: years, not parts
    if len(pieces) < 2 or any(not x for x in pieces):
        return []
    lead = first.split("、")[0] if "、" in first else _SEPARATORS.split(first)[0]
    head = _HOW_MANY.sub("", _COMBINE.split(lead)[0].strip(" ，,的"))
    if not (head and head in pieces[0]):  # the measure was reworded: the first piece after its year words
        years = list(YEAR_WORD.finditer(pieces[0]))
        head = pieces[0][years[-1].end():] if years and years[-1].end() < len(pieces[0]) else pieces[0]
    return [head, *pieces[1:]]


def _together(a: Fact, b: Fact) -> bool:
    """Two facts the report prints as parts of one list: one sentence (a sentence wrapped over a few lines), one
    table column (rows of one table), or one table row (columns of one row)."""
    if fact_dimension(a)[1] != fact_dimension(b)[1] or a.fact_id == b.fact_id:
        return False
    if a.kind == "text" and b.kind == "text":
        return a.section == b.section and abs(a.line - b.line) <= 3
    if a.kind == "cell" and b.kind == "cell" and a.table_id == b.table_id:
        if a.column == b.column:  # rows of one column, neither of them the column's total
            return not ({a.row_label, b.row_label} & TOTAL_ROWS)
        return a.line == b.line
    return False


def choose_parts(candidates: list[list[Scored]]) -> list[Fact] | None:
    """One fact per named part, all printed together, best total score first; None when no such choice exists."""
    # a part's fact is named about as well as the best fact for its words (not a weak neighbour of the others)
    pools = [[s for s in c if s.score >= max(_FLOOR, _NEAR_BEST * c[0].score)][:8] if c else [] for c in candidates]
    if any(not p for p in pools):
        return None
    best: tuple[float, list[Fact]] | None = None
    for combo in product(*pools):
        facts = [s.fact for s in combo]
        if len({f.fact_id for f in facts}) < len(facts):
            continue
        if not all(_together(facts[0], f) for f in facts[1:]) or not all(
                _together(a, b) for i, a in enumerate(facts) for b in facts[i + 1:]):
            continue
        total = sum(s.score for s in combo)
        if best is None or total > best[0]:
            best = (total, facts)
    return best[1] if best else None


def whole_of(parts: list[Fact], facts: list[Fact]) -> Fact | None:
    """The figure the report prints as the whole of exactly these parts: the nearest fact whose parts
    (qa.composed._parts: rows under its 科目 code, its row's columns under a 合计, the items its sentence lists
    after 其中) are they."""
    from qa.composed import _parts

    ids = {f.fact_id for f in parts}
    first = min(parts, key=lambda f: (f.line, f.char_start))
    near = [f for f in facts if f.unit == first.unit and f.fact_id not in ids and not f.rate_kind
            and not _CHANGE.search(f.phrase) and f.kind == first.kind
            and (f.table_id == first.table_id if f.kind == "cell" else first.line - 3 <= f.line <= first.line)]
    for cand in sorted(near, key=lambda f: (abs(f.line - first.line), -f.char_start)):
        if ids == {p.fact_id for p in _parts(cand, facts)}:
            return cand  # a whole of more parts than these (其中：基本支出…（人员经费…，公用经费…），项目支出…) is not theirs
    return None


def _inside(a: Fact, b: Fact) -> bool:
    """`b` is printed as a part of `a`: a row under a's 科目 code, or after a in its sentence behind 其中 or an
    opening bracket (2174名核心志愿者（其中党员志愿者745人）)."""
    if a.kind == "cell" and b.kind == "cell":
        return bool(a.row_code and b.row_code and b.row_code != a.row_code and b.row_code.startswith(a.row_code))
    if a.sentence != b.sentence or not a.raw or not b.raw:
        return False
    i, j = a.sentence.find(a.raw), a.sentence.find(b.raw, a.sentence.find(a.raw) + len(a.raw))
    if i < 0 or j < 0:
        return False
    between = a.sentence[i + len(a.raw):j]
    return "其中" in between or between.count("（") + between.count("(") > between.count("）") + between.count(")")


def _nested(parts: list[Fact]) -> bool:
    """One named part is printed as a part of another: a sum of them would count it twice."""
    return any(_inside(a, b) for a in parts for b in parts if a is not b)


def tolerance(facts: list[Fact]) -> Decimal:
    """How far a printed total may lie from the sum of printed parts by rounding alone: half a unit in the last
    printed digit for each part and for the total, at the coarsest precision printed."""
    step = max(Decimal(1).scaleb(-f.decimals) for f in facts)
    return step * len(facts) / 2


def _name(f: Fact, asked: str) -> str:
    """A part by its own words (the asked words when the fact carries none)."""
    if f.kind == "cell":
        return label_of(f) or asked
    return f.phrase or label_of(f) or asked


def check_against_whole(engine: StructuredEngine, total: Decimal, unit: str, decimals: int, whole: Fact,
                        parts: list[Fact], what_sum: str) -> None:
    """Say how the computed sum stands against the printed whole: equal, a rounding difference, or a
    contradiction (an audit note)."""
    nw = engine.d.cite(whole)
    diff = total - whole.value
    if diff == 0:
        engine.d.say(f"与报告所列{what(whole)}{shown(whole)}[{nw}]一致。")
        return
    gap = f"{fmt(abs(diff), max(decimals, whole.decimals))}{unit}"
    # the difference in a sentence of its own that names no fact: the verifier reads it as no fact's value
    if abs(diff) <= tolerance([*parts, whole]):
        engine.d.say(f"报告所列{what(whole)}为{shown(whole)}[{nw}]。{what_sum}比总数{'多' if diff > 0 else '少'}{gap}，"
                     f"属尾数差异。")
        return
    msg = (f"注意：报告所列{what(whole)}为{shown(whole)}[{nw}]。{what_sum}{fmt(total, decimals)}{unit}与总数相差{gap}"
           f"，数据不一致，请核实。")
    engine.d.say(msg)
    engine.d.audit.append(AuditNote(kind="数据不一致", message=msg,
                                    citations=[nw, *(engine.d.cite(p) for p in parts)]))


def sum_of_listed(engine: StructuredEngine, r: Report, q: Question) -> bool:
    """`A、B、C加起来是多少`: one cited fact per named part, printed together, summed as a program; the whole
    the report prints for them is stated beside the sum, with the difference."""
    if len(q.orgs) > 1:
        return False  # 甲和乙一共: one figure per 单位 (qa.crossreport), not parts of one report
    facts = engine.facts_for_year(r, None)
    vocab = vocabulary(facts)
    names = listed_parts(q.text, q.measure, lambda phrase: norm(phrase) in vocab)
    if not names:
        return False
    head = names[0]
    candidates = []
    for i, name in enumerate(names):
        # a later part borrows the first one's leading words (政府采购货物、工程 → 政府采购工程) as context
        ranked = rank_facts(facts, name, q.text, None, engine.budget_for(r, q.budget))
        if i and len(head) > len(name):
            ranked = _merge(ranked, rank_facts(facts, head[:len(head) - 2] + name, q.text, None,
                                               engine.budget_for(r, q.budget)))
        own = norm(_own_words(names, i))  # 货物 of 政府采购货物: the words that tell this part from the others
        candidates.append([s for s in ranked if not s.fact.rate_kind and s.fact.unit != "%"
                           and not _CHANGE.search(s.fact.phrase)  # amounts, not changes of them
                           and own in norm(label_of(s.fact) + (s.fact.row_label or "") + s.fact.phrase)])
    parts = choose_parts(candidates)
    if parts is None or _nested(parts):
        return False
    unit = parts[0].unit
    decimals = max(f.decimals for f in parts)
    res = execute(Program(op="sum", operands=[Operand(value=f.value, unit=f.unit, decimals=f.decimals)
                                              for f in parts]))
    assert res.value is not None
    items = "、".join(f"{_name(f, n)}{shown(f)}[{engine.d.cite(f)}]" for f, n in zip(parts, names, strict=True))
    engine.d.say(f"{engine._org_year(r)}，{items}，合计{fmt(res.value, decimals)}{unit}"
                 f"（{res.formula} = {fmt(res.value, decimals)}{unit}）。")
    engine.d.answered += 1
    whole = whole_of(parts, engine.facts_of[r.doc_id])
    if whole is not None:
        check_against_whole(engine, res.value, unit, decimals, whole, parts, "各项之和")
    return True


def _own_words(names: list[str], i: int) -> str:
    """The words of the i-th named part that tell it from the others: a later part is named by itself (工程), the
    first one also carries the words all parts share (政府采购货物), so only its last words, as long as the others'."""
    if i or len(names) < 2:
        return names[i]
    return names[0][-max(2, max(len(n) for n in names[1:])):]


def _merge(a: list[Scored], b: list[Scored]) -> list[Scored]:
    by: dict[str, Scored] = {}
    for s in [*a, *b]:
        if s.fact.fact_id not in by or by[s.fact.fact_id].score < s.score:
            by[s.fact.fact_id] = s
    return sorted(by.values(), key=lambda s: -s.score)


def list_program(engine: StructuredEngine, r: Report, q: Question, tables_of: Callable[[str], list[TableModel]]) -> bool:
    """The list operations, each only where its own cue is in the question; False leaves the question to the
    other programs."""
    from qa.countrate import rate_of_counts
    from qa.listcount import count_listed
    from qa.partchanges import change_of_parts

    if change_of_parts(engine, r, q):
        return True

    if q.intent in ("lookup", "sum", "compare") and sum_of_listed(engine, r, q):
        return True
    return q.intent == "lookup" and (count_listed(engine, r, q, tables_of) or rate_of_counts(engine, r, q))
