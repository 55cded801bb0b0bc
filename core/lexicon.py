"""The domain lexicon: terms jieba must keep whole, and synonyms officials use for the same measure."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

DOMAIN_TERMS = [
    "三公经费", "“三公”经费", "因公出国（境）费", "公务接待费", "公务用车购置费", "公务用车运行维护费",
    "公务用车购置及运行维护费", "公务用车购置及运行费", "财政拨款收入", "财政拨款支出", "一般公共预算", "政府性基金预算",
    "国有资本经营预算", "基本支出", "项目支出", "人员经费", "公用经费", "机关运行经费", "政府采购", "会议费", "培训费",
    "年初预算", "全年预算", "全年预算数", "全年执行数", "年初预算数", "决算数", "预算数", "执行率", "完成率", "本年收入合计",
    "本年支出合计", "收入合计", "支出合计", "年初结转和结余", "年末结转和结余", "上级补助收入", "事业收入", "经营收入",
    "附属单位上缴收入", "其他收入", "上缴上级支出", "经营支出", "对附属单位补助支出", "一般公共服务支出",
    "社会保障和就业支出", "卫生健康支出", "城乡社区支出", "行政运行", "一般行政管理事务", "机关服务", "网格化", "网格员",
    "网格化管理服务中心", "绩效自评", "自评表", "自评得分", "绩效指标", "产出指标", "效益指标", "满意度指标", "部门决算",
    "情况说明", "内设机构", "部门职责", "编制数", "在职人数", "实有人数", "委托业务费", "劳务费", "工资福利支出",
    "商品和服务支出", "对个人和家庭的补助", "资本性支出", "住房公积金", "基本工资", "津贴补贴", "办公费", "差旅费",
    "邮电费", "维修（护）费", "租赁费", "工会经费", "福利费", "专用材料费", "授予中小企业合同金额", "国有资产",
]

# synonym → canonical phrase (used to expand queries; the answering layer uses it to resolve measures)
SYNONYMS: dict[str, str] = {
    "“三公”经费": "三公经费",
    "三公": "三公经费",
    "接待费": "公务接待费",
    "出国费": "因公出国（境）费",
    "车辆运行费": "公务用车运行维护费",
    "公车运行": "公务用车运行维护费",
    "公车购置": "公务用车购置费",
    "花了多少": "支出决算",
    "支出多少": "支出决算",
    "花了": "支出",
    "开支": "支出",
    "决算数": "支出决算",
    "执行率": "完成预算",
    "完成预算的百分之几": "完成预算",
    "占比": "占",
    "比上年": "与上年相比",
    "增长": "与上年相比",
    "人员开支": "人员经费",
    "日常公用经费": "公用经费",
    "运行经费": "机关运行经费",
    "采购": "政府采购",
    "职能": "部门职责",
    "职责": "部门职责",
    "科室": "内设机构",
    "股室": "内设机构",
    "问题": "存在的问题",
    "整改": "改进措施",
    "下一步": "改进措施",
}

_STOP = set("的了和与及是在为有也就都而及或等之其中啊吗呢吧么多少几个什么哪个哪些请问")
_PUNCT = re.compile(r"^[\s\W_]+$")


def new_tokenizer() -> Any:
    """A jieba tokenizer with the domain terms, independent of any other (training must not see ingest state)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for term in DOMAIN_TERMS:
        tok.add_word(term, freq=200000)
    return tok


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    return new_tokenizer()


@lru_cache(maxsize=1)
def tagger() -> Any:
    """Part-of-speech tagging over the same dictionary as `tokenizer` (jieba's own tagger would load a second copy
    of the dictionary, ~55 MB). Words the tokenizer was taught (domain terms, labels) carry no tag of their own:
    `naming_parts` reads them by the dictionary words inside them."""
    import jieba.posseg as pseg

    # importing jieba.posseg already reads the tag table once (for its own default tagger): share that table
    # rather than read it again (~34 MB a copy)
    tagger = pseg.POSTokenizer.__new__(pseg.POSTokenizer)
    tagger.tokenizer = tokenizer()
    tagger.word_tag_tab = pseg.dt.word_tag_tab
    return tagger


def word_tags(word: str) -> list[tuple[str, str]]:
    """(word, part of speech) of a word's parts as jieba's own tagger reads them: the most probable route through
    the word over jieba's dictionary words alone (those the tag table holds), so a word the tokenizer was taught
    (一般公共服务支出) is read by the dictionary words inside it, as it was before it was taught."""
    import math

    tags = tagger().word_tag_tab
    freq = tokenizer().FREQ
    total = math.log(tokenizer().total or 1)
    n = len(word)
    best: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)  # best log-probability of word[i:], and where its first part ends
    latin = [m.span() for m in re.finditer(r"[A-Za-z0-9]+", word)]  # a run of letters is one word (eng)
    runs = {a: b for a, b in latin}
    for i in range(n - 1, -1, -1):
        if i in runs:
            best[i] = (best[runs[i]][0], runs[i])
            continue
        choices = [(math.log(freq.get(word[i:j]) or 1) - total + best[j][0], j)
                   for j in range(i + 1, min(n, i + 16) + 1) if j == i + 1 or word[i:j] in tags]
        best[i] = max(choices)
    out: list[tuple[str, str]] = []
    i = 0
    while i < n:
        j = best[i][1]
        out.append((word[i:j], "eng" if i in runs else tags.get(word[i:j], "x")))
        i = j
    return out


def add_terms(terms: list[str], tok: Any = None) -> None:
    """Teach the tokenizer names that came from ingested tables (科目名称, row labels)."""
    tok = tok or tokenizer()
    for term in terms:
        term = term.strip()
        if 2 <= len(term) <= 16 and not re.search(r"\d", term):
            tok.add_word(term, freq=50000)


def tokenize(text: str, tok: Any = None) -> list[str]:
    words = (tok or tokenizer()).lcut_for_search(text.lower())
    return [w for w in words if w.strip() and not _PUNCT.match(w) and w not in _STOP]


def expand_query(text: str) -> str:
    """Append canonical phrases for the synonyms a question uses."""
    extra = [canon for syn, canon in SYNONYMS.items() if syn in text and canon not in text]
    return text + (" " + " ".join(extra) if extra else "")
