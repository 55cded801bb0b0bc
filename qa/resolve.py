"""Resolving a measure (会议费, 三公经费 支出决算, 项目支出 …) to the facts of one report that state it.

Each fact is scored by how many of the measure's terms its own label holds (row/column of a table cell, the
phrase and subject of a narrative figure), then its local context (table title, the words just before the figure
in its sentence); qualifiers the fact carries but the question does not (财政拨款, 预算, 上年 …) cost points,
and the budget/final distinction (预算 vs 决算) is respected. Near-ties with different values are returned
too: that is where a report contradicts itself."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

# defined in core.descriptors (the fact store indexes each fact's label), used and re-exported here
from core.descriptors import COUNT_UNITS as COUNT_UNITS
from core.descriptors import label_of as label_of
from core.descriptors import norm as norm
from core.dimensions import fact_dimension
from core.lexicon import tokenize
from core.models import Fact

QUALIFIERS = ["财政拨款", "一般公共预算", "政府性基金", "国有资本", "年初", "预算", "上年", "全年", "其他", "小微",
              "中小企业", "货物", "服务", "工程", "日常", "项目", "基本", "机关", "人员", "公用", "商品", "合同",
              "专项", "绩效", "评价", "自评", "涉及", "执行", "结转", "结余", "增加", "减少", "比上年", "年末"]

WEAK_LABELS = {"预算数", "决算数", "全年预算数", "全年执行数", "年初预算数", "支出决算", "金额", "合计", "小计", "数额"}
TOTAL_ROWS = {"合计", "总计", "总分", "合计数"}


@dataclass
class Scored:
    fact: Fact
    score: float
    exact: bool
    qualified: float = 0.0  # what qualifiers the fact carries and the question does not cost it (`score` is net)


def measure_terms(measure: str) -> list[str]:
    """The measure's words, before any report's vocabulary is consulted (`meaningful_terms`)."""
    return list(_measure_terms(measure))


_terms = measure_terms


@lru_cache(maxsize=1024)
def _measure_terms(measure: str) -> tuple[str, ...]:
    """The measure's words (jieba, search mode), once per measure: a question across reports asks per report."""
    m = norm(measure)
    terms = [t for t in tokenize(m) if len(t) >= 2 or t in ("费",)]
    return tuple(dict.fromkeys(terms)) or ((m,) if m else ())


_VOCAB: dict[tuple[str, str, int], str] = {}


def vocabulary(facts: list[Fact]) -> str:
    """Every word the facts' descriptors hold (labels, rows, columns, tables, sections, sentences), normalised,
    so a question word no fact carries (那个, 倒推一下, 到底, 花) is residue of the wording, not part of the measure."""
    if not facts:
        return ""
    key = (facts[0].fact_id, facts[-1].fact_id, len(facts))
    hit = _VOCAB.get(key)
    if hit is not None:
        return hit
    text = "|".join(norm(" ".join(x or "" for x in (f.row_path, f.row_label, f.column, f.table_title, f.table_id,
                                                       f.section, f.phrase, f.sentence))) for f in facts)
    if len(_VOCAB) > 256:
        _VOCAB.clear()
    _VOCAB[key] = text
    return text


def meaningful_terms(measure: str, facts: list[Fact]) -> list[str]:
    """The measure's terms that some fact of the report carries; all of them when none does."""
    terms = _terms(measure)
    vocab = vocabulary(facts)
    kept: list[str] = []
    for t in terms:
        # a word the report writes differently (编制数 for 编制人数) backs off to its longest known prefix
        known = next((t[:n] for n in range(len(t), 1, -1) if t[:n] in vocab), "")
        if known and known not in kept:
            kept.append(known)
    return kept or terms


def said(measure: str, facts: list[Fact]) -> str:
    """The measure as words the report uses (那个/一下/到底 dropped), for writing it back in an answer."""
    from core.lexicon import tokenizer

    vocab = vocabulary(facts)
    words = [w for w in tokenizer().lcut(measure) if len(w) >= 2 and norm(w) in vocab]
    return "".join(words) or measure


def _find_figure(sentence: str, f: Fact) -> int:
    """Where the figure stands in its sentence: its printed form with its unit, not inside a longer number
    (0人次 is not the end of 20人次, nor the 0 of 0批次); the bare number when the unit is printed apart."""
    if not f.raw:
        return -1
    for text in (f.raw, f.raw.rstrip(f.unit)):
        m = re.search(r"(?<![\d.])" + re.escape(text) + (r"(?![\d.])" if text != f.raw else ""), sentence)
        if m:
            return m.start()
    return sentence.find(f.raw.rstrip(f.unit))


def local_context(f: Fact) -> str:
    if f.kind == "cell":
        return norm(" ".join(x or "" for x in (f.table_title, f.row_path, f.column)))
    sentence = f.sentence or ""
    idx = _find_figure(sentence, f)
    before = sentence[:idx] if idx > 0 else sentence
    after = sentence[idx + len(f.raw):idx + len(f.raw) + 8] if idx >= 0 and f.unit in COUNT_UNITS else ""
    section = f.section.split(" › ")[-1] if f.section else ""
    # 基层社会治理专项绩效自评综述：…得分为100分: a topic before a colon is the subject of the figures after it
    colon = before.find("：")
    topic = before[:colon] if 0 < colon <= 30 else ""
    return norm(section) + "|" + norm(topic + " " + before[-30:] + " " + after)


def subject_of(f: Fact) -> str:
    """The subject a sentence opens with, when it stands beyond the words just before the figure (`绩效自评的2025年度
    项目43个，涉及预算金额…，平均得分99.38分`): it names every figure of the sentence, but as evidence for the
    measure only — qualifiers in it are the sentence's, not the figure's."""
    if f.kind == "cell" or not f.row_label or not (f.sentence or "").startswith(f.row_label):
        return ""
    return norm(f.row_label)


_PURPOSE = re.compile(r"^\s*[，,]?\s*(?:主要|全部|均)?(?:用于|是用于)(?!以下|如下|下列)([^，,。；;：:]{2,40})")


def purpose_of(f: Fact) -> str:
    """What the money was for, when the sentence says so right after the figure (`135.00万元，主要用于住宅老旧电梯
    更新`): the purpose names the spending as much as its 科目 does."""
    if f.kind == "cell" or not f.sentence or not f.raw:
        return ""
    idx = _find_figure(f.sentence, f)
    m = _PURPOSE.match(f.sentence[idx + len(f.raw):]) if idx >= 0 else None
    return norm(m.group(1)) if m else ""


ANY_BUDGET = "*"  # budget= for a budget document, where 预算 and 决算 are not told apart by the words


def budget_of(measure: str) -> str | None:
    """The budget a measure names by itself: 年初预算, 预算 (全年预算数 …) or None for a final figure."""
    if "年初预算" in measure:
        return "年初预算"
    return "预算" if "预算" in measure and "决算" not in measure else None


def keep_words(q: str) -> str:
    """`多少人口信息`: a classifier after 多少/几 that begins a word (人口, 项目, 个人) belongs to the measure, so a space
    keeps the asking-word list (and the count cues) from taking it."""
    from core.lexicon import tokenizer

    def split(m: re.Match[str]) -> str:
        rest = q[m.end():m.end() + 4]
        words = tokenizer().lcut(rest) if rest else []
        first = words[0] if words else ""
        return m.group(0) + " " if len(first) >= 2 and first[0] in "名人个项次条家分" else m.group(0)

    return re.sub(r"多少|几", split, q)


def want_dimension(question: str, intent: str) -> str | None:
    question = keep_words(question)
    if intent in ("share", "execution", "growth") or re.search(r"比例|百分|%|率", question):
        return "ratio"
    if re.search(r"编制", question):
        return "count"  # 编制数11个 / 编制10人: staff posts are counted in 个 or 人
    if re.search(r"多少人|几人|人数|人次|来宾", question):
        return "人"
    if re.search(r"得分|总分|几分|多少分|平均分|评分|打分", question):
        return "分"
    if re.search(r"(?:几|多少)(?:个|项|名|条|次|辆|台|套|件|份|户|间|座|艘|批)", question):
        return "count"
    if re.search(r"费|支出|收入|经费|资金|金额|预算|决算|结余|总计|合计|钱|拨款|采购|投入|总额|花了?多少|花费|工资|薪", question):
        return "money"
    if re.search(r"(?:多少|几)(?![万亿元千百])[\u4e00-\u9fa5]{2}", question):
        return "count"  # 接待了多少读者: 多少 asks of a thing counted, and no money word is said
    return None


_STATES_CHANGE = re.compile(r"(?:比|较|与)(?:上一?年|(?:20)?\d{2}年)度?(?:相比)?.{0,4}(?:增加|减少|增长|下降)")
_ASKS_CHANGE = re.compile(r"增加|减少|增长|下降|变化|变动|增减|比上一?年|较上一?年|同比|比(?:20)?\d{2}年|上年|去年|前一年|倒推")


def _whole_of(f: Fact) -> str:
    """The whole a listed item belongs to: the clause just before 其中 (`预算收入456.9万元，其中年初预算…，调整追加…`),
    when that clause states a budget and not a final figure or a rate."""
    if f.kind != "text" or "其中" not in f.sentence:
        return ""
    at = f.sentence.find(f.raw) if f.raw else -1
    cut = f.sentence.find("其中")
    if at < 0 or cut > at:
        return ""
    clause = [c for c in re.split(r"[，,；;。]", f.sentence[:cut]) if c.strip()]
    whole = _FUNDS.sub("", clause[-1]) if clause else ""  # 一般公共预算 names a fund, not a budget
    return whole if "预算" in whole and not re.search(r"决算|完成|执行|占|比", whole) else ""


_FUNDS = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|预算绩效|预算单位|预算管理")


def states_budget(f: Fact, label: str | None = None) -> bool:
    """Whether a fact is a budget figure (年初预算, 全年预算数, a 预算 column), not a final or executed one."""
    label = label_of(f) if label is None else label
    return bool(re.search(r"预算", label + norm(f.column) + _whole_of(f))) and not re.search(
        r"决算|执行", label + norm(f.column))


def score_fact(f: Fact, terms: list[str], measure: str, question: str, budget: str | None) -> float:
    return scored_parts(f, terms, measure, question, budget)[0]


def scored_parts(f: Fact, terms: list[str], measure: str, question: str,
                 budget: str | None) -> tuple[float, float]:
    """(score, qualifier cost): the score is net of the cost of the qualifiers the fact carries and the question
    does not name (财政拨款, 项目, 绩效 …), which decide between candidates, not whether the measure is stated."""
    label, ctx, purpose, subject = label_of(f), local_context(f), purpose_of(f), subject_of(f)
    m = norm(measure)
    if not terms:
        return 0.0, 0.0
    got = 0.0
    weak_label = label in WEAK_LABELS
    section, local = ctx.split("|", 1) if "|" in ctx else ("", ctx)
    # 1、…（类）…（款）…（项）: the subject of the lines below it (norm() strips the brackets, so test the raw title)
    item_heading = f.kind == "text" and bool(re.search(r"（类）.*（项）", f.section.rsplit(" › ", 1)[-1]))
    for t in terms:
        if t in label or t in purpose:
            got += 1.0 if weak_label else 2.0
        elif t in local or t in subject:
            got += 2.0 if weak_label else 1.0  # 支出决算为…: the real label is the words before it
        elif t in section:
            got += 1.5 if item_heading else 0.5
        elif f.kind == "cell" and t in norm(f.column):
            got += 1.5
        elif f.unit and len(f.unit) >= 2 and t == f.unit and f.unit not in ("万元", "亿元"):
            got += 2.0  # 接待了多少人次: the unit the figure is printed in names what is counted
    score = got / (2.0 * len(terms))
    if label == m:
        score += 0.6
    elif m and (m in label or label.endswith(m)):
        score += 0.35 - 0.01 * (len(label) - len(m))
    elif label and label in m and len(label) >= 2:
        score += 0.2 - 0.02 * (len(m) - len(label))
    qn = norm(question)
    carried = norm(" ".join([label, f.column if f.kind == "cell" else local]))
    cost = 0.0
    for word in QUALIFIERS:
        if word not in qn and word not in m:
            if word in carried:
                cost += 0.06
            elif word in section:
                cost += 0.03
    score -= cost
    is_budget = states_budget(f, label)
    if budget == ANY_BUDGET:
        pass  # a budget document: every figure in it is a budget, the words need not say so
    elif bool(budget) != is_budget:
        score -= 0.3
    if budget == "年初预算" and "年初" not in label + ctx:
        score -= 0.1
    if _STATES_CHANGE.search(label) and not _ASKS_CHANGE.search(question + measure):
        score -= 0.3  # 比2024年度减少19.66万元 states a change, not the amount a plain question asks for
    if f.kind == "cell" and m and label in TOTAL_ROWS and m in norm(f.table_title or ""):
        score += 0.2  # the 合计 of the table named for the measure (“三公”经费支出决算表) is the measure, formally
    if re.search(r"得分|总分", question) and f.kind == "cell":
        score += 0.3 if "得分" in f.column else -0.3 if "分值" in f.column else 0
    return score, cost


UNSAID_COST = 0.5  # the score a measure loses when the report knows none of its naming words


def descriptor_key(f: Fact) -> tuple[object, ...]:
    """Everything `score_fact` reads of a fact (not its value): facts with one key score alike for one measure.
    A table cell is scored by its table, row and column alone, so the same cell of many reports shares a key."""
    narrative = (f.sentence, f.raw) if f.kind != "cell" else ("", "")
    return (f.kind, f.row_label, f.row_path, f.column, f.table_title, f.section, f.phrase, f.unit, f.rate_kind,
            *narrative)


_MEMOS: OrderedDict[tuple[object, ...], dict[tuple[object, ...], tuple[float, float]]] = OrderedDict()
_MEMOS_KEPT = 32  # the last few measures asked: a question's asks and their re-rankings
MEMO_MAX_ENTRIES = 5_000  # descriptors kept per memo (a question across many reports scores the rest afresh)
_MEMOS_LOCK = threading.Lock()  # the app answers several questions at once


def _memo_for(measure: str, question: str, budget: str | None,
              terms: tuple[str, ...]) -> dict[tuple[object, ...], tuple[float, float]]:
    """Scores by `descriptor_key` for one (measure, question, budget, terms): what `scored_parts` reads of them."""
    key = (measure, question, budget, terms)
    with _MEMOS_LOCK:
        memo = _MEMOS.get(key)
        if memo is None:
            memo = _MEMOS[key] = {}
            while len(_MEMOS) > _MEMOS_KEPT:
                _MEMOS.popitem(last=False)
        else:
            _MEMOS.move_to_end(key)
        return memo


def rank_facts(facts: list[Fact], measure: str, question: str, dim: str | None, budget: str | None = None,
               rate_kind: str | None = None, unsaid: float = 0.0, terms: list[str] | None = None,
               memo: dict[tuple[object, ...], tuple[float, float]] | None = None) -> list[Scored]:
    """Facts scored for the measure, best first; `unsaid` (0–1, `unsaid_share` over the whole report) lowers
    every score: a measure whose nouns the report never writes is stated by none of its facts. `terms`: the
    measure's terms when the caller knows them (else those some fact carries, `meaningful_terms`); `memo`:
    scores by `descriptor_key` shared across calls with the same measure, question, terms and budget (a
    question across many reports scores each distinct descriptor once)."""
    terms = meaningful_terms(measure, facts) if terms is None else terms
    if memo is None:  # a lookup ranks its report again (the other statement, a near-tie): scores are reused
        memo = _memo_for(measure, question, budget, tuple(terms))
    cost = UNSAID_COST * unsaid
    out: list[Scored] = []
    for f in facts:
        _, fdim = fact_dimension(f)
        if dim == "count":
            if fdim in ("money", "ratio", "分"):
                continue
        elif dim == "人":
            if fdim not in ("人", "人次", "名"):
                continue
        elif dim and fdim != dim and fdim != "plain":
            continue
        if rate_kind and f.rate_kind not in (rate_kind, None):
            continue
        key = descriptor_key(f)
        hit = memo.get(key)
        if hit is None:
            hit = scored_parts(f, terms, measure, question, budget)
            if len(memo) < MEMO_MAX_ENTRIES:
                memo[key] = hit
        raw, qualified = hit
        s = raw - cost
        if s > 0:
            out.append(Scored(f, s, label_of(f) == norm(measure), qualified))
    out.sort(key=lambda s: (-s.score, s.fact.kind != "text", s.fact.line))
    return out


def prefer_totals(group: list[Scored]) -> list[Scored]:
    """On an exact tie, a table's 合计/总分 row before its other rows: a measure that names no row asks for the whole."""
    return sorted(group, key=lambda s: (-s.score, s.fact.kind != "text", s.fact.row_label not in TOTAL_ROWS))


def best(scored: list[Scored], threshold: float = 0.55) -> list[Scored]:
    """The winning fact and its near-ties (within 0.05); empty when nothing states the measure well enough."""
    if not scored or (scored[0].score < threshold and not _stated_but_qualified(scored, threshold)):
        return []
    top = scored[0].score
    exact = scored[0].exact
    return [s for s in scored if s.score >= top - 0.05 or (exact and s.exact and s.score >= top - 0.15)]


QUALIFIED_MARGIN = 0.15  # how far a qualified best match must stand above any rival to still be the answer


def _stated_but_qualified(scored: list[Scored], threshold: float) -> bool:
    """The best fact states the measure well enough but carries qualifiers the question did not say (自评得分 asked,
    项目绩效自评得分 printed), and no rival comes near: qualifiers choose among candidates — when there is only one
    clear candidate they do not make the measure unsaid."""
    top = scored[0]
    if top.qualified <= 0 or top.score + top.qualified < threshold:
        return False
    base = fact_dimension(top.fact)[0]
    rivals = [s for s in scored[1:] if fact_dimension(s.fact)[0] != base]
    return not rivals or top.score - rivals[0].score >= QUALIFIED_MARGIN


def closest(scored: list[Scored], terms: list[str], floor: float = 0.4, margin: float = 0.08) -> Scored | None:
    """A weak best match that still stands clearly above the others and carries every term of the measure
    somewhere in its descriptor (said as 最接近的是…, not as the answer)."""
    if not scored or scored[0].score < floor:
        return None
    top = scored[0]
    where = label_of(top.fact) + local_context(top.fact) + norm(top.fact.section) + norm(top.fact.sentence)
    if not all(t in where for t in terms):
        return None
    base = fact_dimension(top.fact)[0]
    rivals = [s for s in scored[1:] if fact_dimension(s.fact)[0] != base]
    return top if not rivals or top.score - rivals[0].score >= margin else None


_COLUMN_ONLY = re.compile(r"^(?:年初|全年|调整)?(?:预算|决算|执行)数?$|^(?:支出|收入)(?:决算|预算)?数?$")


def same_measure(a: Fact, b: Fact) -> bool:
    """Whether two facts name the same measure, so that different values are a contradiction: one label holds
    the other (人员经费 / 人员经费合计); a short generic label (年初预算, 支出决算) also needs the same item
    heading, since it names the measure only together with its section."""
    la, lb = label_of(a), label_of(b)
    if bool(_STATES_CHANGE.search(la)) != bool(_STATES_CHANGE.search(lb)) or a.rate_kind != b.rate_kind:
        return False  # 三公经费支出决算数比2023年度减少0.15万元 is the change of the figure, not the figure
    if not la or not lb:
        return True
    if la != lb and la not in lb and lb not in la:
        return False
    if la == lb and (_COLUMN_ONLY.match(la) or la in WEAK_LABELS) and a.kind == b.kind == "text":
        return a.section.rsplit(" › ", 1)[-1] == b.section.rsplit(" › ", 1)[-1]
    return True


def conflicting(group: list[Scored]) -> list[Scored]:
    """Facts in a near-tie group whose values differ from the winner's (same dimension)."""
    if not group:
        return []
    first = group[0].fact
    base0, dim0 = fact_dimension(first)
    out = []
    seen: set[Decimal] = {base0}
    for s in group[1:]:
        base, dim = fact_dimension(s.fact)
        if base == 0 and base0 != 0 and any(w in s.fact.section for w in ("政府性基金", "国有资本", "上年")):
            continue  # a 0 in another fund's sentence (政府性基金 … 0万元) is not a contradiction
        if (s.fact.kind == "cell" and first.kind == "cell" and s.fact.line == first.line
                and s.fact.column != first.column):
            continue  # another column of the same row (上缴上级支出 beside 本年支出合计) is another measure
        if (s.fact.kind == "cell" and first.kind == "cell" and s.fact.table_id == first.table_id
                and s.fact.column == first.column and s.fact.row_label != first.row_label):
            continue  # another row of the same column (管理制度日趋完善 below 总分) is another item
        if not same_measure(first, s.fact):
            continue  # 公务用车购置费 beside 公务用车购置及运行费: a near-tie in score, but two measures
        if dim == dim0 and base not in seen:
            seen.add(base)
            out.append(s)
    return out
