"""Understanding a question: which 单位 and years (also relative to the conversation: 那上一年呢？和醴陵比呢？),
what is asked (lookup, share, growth, execution rate, sum, difference, ranking, comparison, unit conversion,
per-head, text), and the measure, with the domain lexicon's synonyms applied."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from core.aliases import alias_names, org_words
from core.lexicon import SYNONYMS, tokenize
from core.models import Report
from qa.filters import YEAR_WORD, QueryFilters, parse_filters
from qa.resolve import keep_words
from qa.scope import table_kinds

Intent = str  # lookup|share|growth|execution|sum|diff|budget_diff|children|rank_max|rank_min|compare|convert|per_head|text

_FILLER = re.compile(
    r"(?:精确|保留|取)到?(?:小数点后)?[一两二三四\d]位(?:小数)?|四舍五入|请问|请|帮我|查一下|查询|告诉我|是多少钱|(?:是|有)多少(?:名|人次|人|个|项|次|条|家)?|多少钱|花了多少|支出多少|一共|总共|分别|"
    r"多少(?:名|人次|人|个|项|次|条|家|分)?|几(?:名|人|个|项|次|条|家|分)?|"
    r"是否|是不是|是什么|有哪些|哪些|什么|干嘛|怎么样|如何|多大|多高|多少|主要|具体|大概|大约|大致|？|\?|。|，|,|！|\s+"
)
_FILLER_CHARS = {"吗", "呢", "吧", "啊", "的", "了", "是", "有"}  # dropped as words, never inside one (实有人数)


def drop_fillers(s: str) -> str:
    """The asking words out of a measure: phrases by pattern, single characters only where the tokenizer reads
    them as words of their own."""
    from core.lexicon import tokenizer

    s = _FILLER.sub(" ", s)
    return "".join(w for w in tokenizer().lcut(s) if w.strip() and w not in _FILLER_CHARS)
_ORG_WORDS = re.compile(r"^(?:该|本)?(?:单位|部门)|哪个单位|各单位")
_REGION = re.compile(r"([\u4e00-\u9fa5]{2,4}?(?:省|市|区|县))")
_TEXT_CUES = re.compile(r"哪些|哪几|什么|干嘛|为什么|为啥|原因|职责|职能|问题|措施|用于|性质|怎么|如何|内设|机构|科室|股室|情况|谁|有没有")
_NUMERIC_CUES = re.compile(r"多少|(?<!哪)几|金额|比例|占比|百分|率|数额|总额|合计|得分|总分|人数|比较|对比|排序|排名|最多|最少|最高|最低|最大|最小|相差|增长")


@dataclass
class Question:
    text: str
    orgs: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    intent: Intent = "lookup"
    measure: str = ""
    denominator: str = ""  # share: 占X的比例
    second: str = ""  # sum/diff of two measures
    budget: str | None = None  # 预算 | 年初预算 | None (决算)
    unknown_orgs: list[str] = field(default_factory=list)
    all_orgs: bool = False
    relative_year: int = 0  # -1 for 上一年
    table: str = ""  # a table the question names (公开06表, 三公经费表, 收入决算表): a hard constraint
    within: str = ""  # a whole the measure is part of (基本支出里，人员经费…): facts inside it are preferred
    after: str = ""  # the previous answer's text: a follow-up's facts are looked up beside the figures it stated
    after_facts: list[str] = field(default_factory=list)  # the facts the previous answer cited, when it was ours
    after_orgs: list[str] = field(default_factory=list)  # the 单位 the previous answer was about


_GENERIC_CANON = {"支出决算", "支出", "占", "与上年相比", "完成预算"}


@lru_cache(maxsize=1)
def colloquial() -> dict[str, str]:
    """Everyday words for a measure (开会 → 会议费), data in qa/data/colloquial.json."""
    data = json.loads((Path(__file__).parent / "data" / "colloquial.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def canonical(measure: str) -> str:
    m = measure.replace("“", "").replace("”", "").replace('"', "")
    for syn, canon in sorted(SYNONYMS.items(), key=lambda kv: -len(kv[0])):
        syn_plain = syn.replace("“", "").replace("”", "")
        if canon in _GENERIC_CANON or syn_plain in ("问题", "职责", "职能", "整改", "下一步", "采购"):
            continue
        if syn_plain in m and canon not in m and len(syn_plain) >= 2:
            m = m.replace(syn_plain, canon)
    return m.replace("三公经费经费", "三公经费")


def detect_intent(q: str) -> Intent:
    if re.search(r"原因|为什么|为何|为啥|问题|措施|职责|职能|内设|科室|股室|哪(?:几|些)(?:张|个|类)?表", q) and not re.search(r"多少|(?<!哪)几|比例|百分|率|金额", q):
        return "text"  # 增长的主要原因是什么 / 预算执行中存在哪些问题 ask for words, not a computation
    if _CHILDREN.search(q):
        return "children"  # 明细/各项/都是哪块: the parts of a row, a table row's columns or a sentence's items
    if "人均" in q:
        return "per_head"
    if _AGAINST_BUDGET.search(q):
        return "budget_diff"  # 比年初预算多花了多少: the final figure minus the budget of the same measure
    if re.search(r"换算成?元|折合|合多少元|多少元", q):
        return "convert"
    if re.search(r"完成(?:年初)?预算|执行率|完成率|预算执行|(?:完成|执行)了?(?:几成|百分之几|多少)", q):
        return "execution"
    if re.search(r"占.*(?:比例|比重|百分|多少|几)|占比|比重|几成", q):
        return "share"
    if re.search(r"增长|增幅|降幅|同比|比上一?年|与上一?年相比|较上一?年|比(?:20)?\d{2}年度?(?:增|降|多|少|减|涨)", q):
        return "growth"
    if re.search(r"最(?:多|高|大)", q):
        return "rank_max"
    if re.search(r"最(?:少|低|小)", q):
        return "rank_min"
    if re.search(r"排序|排名", q):
        return "rank_max"
    if re.search(r"相差|差多少|差额|多多少|少多少|减去|哪个多|哪个高|谁多|谁高", q):
        return "diff"
    if re.search(r"(?:和|与|加|及).+(?:合计多少|合计是多少|之和|加起来|总和|一共|合计$|合计？)", q):
        return "sum"
    if re.search(r"比较|对比|分别|各单位|比呢|比一比|比比", q):
        return "compare"
    if _TEXT_CUES.search(q) and not _NUMERIC_CUES.search(q):
        return "text"
    return "lookup"


def _strip(q: str, reports: list[Report], filters: QueryFilters) -> str:
    """The question without the words naming 单位 and years (a generic tail after a name goes too: 衡山县中心)."""
    # only the names the question holds (one pattern per 单位 of the library would be compiled on every question);
    # an empty name (a report whose 单位 is unknown) would match at every position and garble the measure
    names = sorted({n for n in (*filters.mentions, *(r.org for r in reports)) if n.strip() and n in q},
                   key=len, reverse=True)
    tail = "(?:" + "|".join(map(re.escape, org_words()["mention_tail"])) + ")?"
    for name in names:
        q = re.sub(re.escape(name) + tail, " ", q)
    q = _DATE.sub(" ", q)  # 截至25年8月底: when a count was taken, not what is counted
    q = YEAR_WORD.sub(" ", q)
    q = _LISTED.sub(" ", q)  # what is left of 甲、乙、丙这三家 once the names are gone
    return _ORG_WORDS.sub(" ", q)


# 多少辆车: a one-character noun after its classifier is named by the compound the reports print (车辆)
_NOUN_AFTER_CLASSIFIER = re.compile(r"(?:多少|几)(?P<cls>辆|台|套|件|份|户|间|座|艘)(?P<noun>[\u4e00-\u9fa5])"
                                    r"(?![\u4e00-\u9fa5])")
_EACH = re.compile(r"各(?:自)?(?=[\u4e00-\u9fa5]{0,3}?(?:多少|几))")  # 各有多少 / 各接待了多少: per 单位, not a word
_DATE = re.compile(r"(?:截[至止]|到)?\s*(?:20)?\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:底|末|止|为止)?")
_LISTED = re.compile(r"(?:^|(?<=\s))[、，,\s]*、[、，,\s]*|(?:这|那)?(?:[两二三四五六七八九十几]|\d+)(?:家|个单位|个部门)(?:单位|部门)?")


_INTENT_WORDS = re.compile(
    r"(?:年初|全年)?预算(?:执行率|完成率)|比\s*(?:多|少|增加|减少|增长|下降)了?|换算成?元|折合成?|合多少元|多少元|人均|完成(?:年初)?预算的?百分之几|完成(?:年初)?预算的?比例|完成(?:年初)?预算的?百分比|"
    r"完成(?:年初)?预算|执行率|完成率|预算执行|(?:完成|执行)了?|几成|比例|比重|百分比|百分之几|占比|增长率|增长|增幅|同比|比上年|与上年相比|较上年|"
    r"哪个单位|哪个(?:多|高|大|少|低|小)|哪个|各单位|最多|最高|最大|最少|最低|最小|排序|排名|按|给|相差|差多少|差额|多多少|少多少|比较|对比|谁多|谁高|"
    r"上一年度|上一年|上年度|去年|那|其中|和|与|比呢|比一比|比比|减去|有几个|几个|多少(?:名|人次|人|个|项|次|条|家)?|合计多少"
)


def measure_of(q: str, intent: Intent) -> tuple[str, str, str]:
    """(measure, denominator, second measure) from the question with 单位/year words already removed."""
    denominator = second = ""
    if intent == "share":
        q = re.sub(r"占比(?![例重])", "占比例", q)  # 占比多少: no denominator named
        m = re.search(r"(.*?)占(.*?)(?:的)?(?:比例|比重|百分比|百分之几|多少|几|$)", q)
        if m:
            q, denominator = m.group(1), m.group(2)
    if intent in ("diff", "sum"):
        m = re.search(r"(.+?)(?:和|与|减去|比)(.+?)(?:相差|差|合计(?=是|为|多少|$|？|\?)|多|少|之差|$)", q)
        if m and not re.search(r"哪个|谁", q) and drop_fillers(m.group(1)) and drop_fillers(m.group(2)):
            q, second = m.group(1), m.group(2)
    if intent == "budget_diff":
        q = q[:_AGAINST_BUDGET.search(q).start()] if _AGAINST_BUDGET.search(q) else q  # type: ignore[union-attr]
    if intent == "children":
        q = _CHILDREN.sub(" ", re.sub(r"请?列出|列一下|列举", " ", q))

    def clean(s: str) -> str:
        s = _NOUN_AFTER_CLASSIFIER.sub(r"\g<noun>\g<cls>", _EACH.sub("", s))
        return drop_fillers(_INTENT_WORDS.sub(" ", keep_words(s)))

    return canonical(clean(q)), canonical(clean(denominator)), canonical(clean(second))


def parse_question(text: str, reports: list[Report], previous: Question | None = None) -> Question:
    filters = parse_filters(text, reports)
    intent = detect_intent(text)
    known = " ".join(r.org + " " + r.region for r in reports)
    unknown = [m for m in _REGION.findall(text) if m not in known and not any(m in a for a in alias_names(reports))]
    stripped = _strip(text, reports, filters)
    stripped = _EXCEPT.sub(lambda m: " 其他" + m.group("y"), stripped)  # 除财政拨款还有别的收入 → 其他收入
    for word, canon in sorted(colloquial().items(), key=lambda kv: -len(kv[0])):
        if word in stripped and canon not in stripped:
            stripped = stripped.replace(word, canon)  # 开会 → 会议费, 收了多少钱 → 收入合计 (before the asking words go)
    within = ""
    wm = _WITHIN.match(stripped)
    if wm and not wm.group("whole").rstrip().endswith("表") and intent != "text":
        within = wm.group("whole").strip()  # the measure keeps its words: search ranks by them too
    table_match = _TABLE_MENTION.search(stripped)
    table = re.sub(r"\s+", "", table_match.group(0)) if table_match else ""
    if table_match:
        stripped = stripped[:table_match.start()] + " " + re.sub(r"^(?:里|中|内|上)的?", "", stripped[table_match.end():])
    measure, denominator, second = measure_of(stripped, intent)
    measure, denominator, second = (m if any(len(t) >= 2 for t in tokenize(m)) else ""  # 比少 / 花 / 为没: no
                                    for m in (measure, denominator, second))  # word left, the measure is unsaid
    budget = None
    if "年初预算" in text and intent not in ("execution",):
        budget = "年初预算"
    elif re.search(r"预算(?!执行)", text) and not re.search(r"决算|完成|执行", text):
        budget = "预算"
    if len(filters.orgs) > 1 and intent == "lookup" and re.search(r"各|分别|都", text):
        intent = "compare"  # 甲、乙、丙各有多少: one figure per 单位, side by side
    kinds = filters.kinds or (table_kinds(table) if table and not re.match(r"公开0?\d", table) else [])
    q = Question(text=text, orgs=filters.orgs, years=filters.years, kinds=kinds, intent=intent,
                 measure=measure, denominator=denominator, second=second, budget=budget, unknown_orgs=unknown,
                 table=table, within=within,
                 all_orgs=bool(re.search(r"哪个单位|各单位|哪个|谁|排序|排名", text)) and len(filters.orgs) < 2)
    if intent == "share" and not q.denominator and within:
        q.denominator = canonical(within)  # 基本支出里，人员经费占几成: the whole it sits in is the whole
    if re.search(r"上一?年|去年|上年度", text) and not re.search(r"比上一?年|与上一?年|较上一?年", text):
        q.relative_year = -1
    return _with_context(q, previous) if previous else q


_TABLE_MENTION = re.compile(r"公开\s*0?\d{1,2}\s*表|[\u4e00-\u9fa5“”\"]{2,24}?表(?=里|中|内|上|的)")
_WITHIN = re.compile(r"^\s*(?P<whole>[^，,？?]{2,24}?)(?:里面?|当中|之中)[，,]?\s*(?P<rest>.+)$")
_EXCEPT = re.compile(r"除(?:了)?(?P<x>[^，,？?]{2,12}?)(?:以外|之外|外)?[，,]?(?:还有|还)?(?:别的|其他|其它)(?P<y>[^，,？?吗呢]{1,8})")
_CHILDREN = re.compile(r"明细|各项|分项|构成情况|都是哪|都(?:是|有)什么|都有哪些|哪几[项块类笔]|由哪些|包括哪些|分别是什么|具体有哪些")
# 比年初预算多花了多少 / 年初预算有多少没花出去: the final figure against the budget of the same measure
_AGAINST_BUDGET = re.compile(r"比(?:年初|全年)?预算(?:数)?(?:多|超|涨|增|少|节约|省)|"
                             r"预算(?:数)?(?:还)?有?多少(?:没|未)(?:花|用|支出|执行)(?:出去|完|掉)?")
_GENERIC_MEASURES = {"支出", "收入", "支出决算", "金额", "合计", "小计", "总额"}  # 花了多少？ names no measure
_COLUMN_WORDS = re.compile(r"年初预算|全年预算|预算数|决算数|执行数|预算|决算|实际|又|还|再")


def _with_context(q: Question, prev: Question) -> Question:
    """Fill what a follow-up leaves out from the previous question: it replaces what it names (单位, year, a
    column kind such as 年初预算, the measure) and keeps the rest."""
    new_org = q.orgs and prev.orgs and set(q.orgs) != set(prev.orgs)
    if q.measure and (not _COLUMN_WORDS.sub("", q.measure) or q.measure in _GENERIC_MEASURES) and prev.measure:
        # 年初预算又是多少？ names only a column: the measure stays, the column kind changes
        kinds = "".join(re.findall(r"年初预算|全年预算|预算数|决算数|执行数|预算|决算", q.measure))
        q = replace(q, measure=_COLUMN_WORDS.sub("", prev.measure) + kinds)
    measure = q.measure or prev.measure
    out = replace(q, measure=measure)
    if not q.orgs and not q.unknown_orgs:  # a 单位 the library lacks is not replaced by the previous one
        out.orgs = list(prev.orgs)
    if not q.years:
        out.years = list(prev.years) if not new_org else []
        if q.relative_year and prev.years:
            out.years = [y + q.relative_year for y in prev.years]
    if re.search(r"比呢|比较|对比", q.text) and new_org:
        out.orgs = list(dict.fromkeys(prev.orgs + q.orgs))
        out.intent = "compare"
    elif not q.measure and q.intent in ("lookup", "compare") and prev.intent not in ("text",):
        out.intent = "lookup" if new_org and prev.intent == "compare" else prev.intent
        out.denominator, out.second = out.denominator or prev.denominator, out.second or prev.second
    if q.intent == "share" and not q.denominator and re.search(r"其中", q.text):
        out.denominator = prev.measure
    if q.intent == "share" and not q.measure:
        out.measure = prev.measure
    if q.budget is None and not q.measure:
        out.budget = prev.budget
    return out
