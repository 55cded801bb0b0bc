"""What a fact is called: its normalised label (`label_of`), as the measure resolver scores it, and `norm`, the
normalisation every comparison of measure words goes through. Pure functions over a `Fact`, so the fact store
can keep each fact's label in an indexed column at ingest (a cross-report question then finds the facts a
measure names in every report with one indexed query, not by loading and scoring every report's facts).

`LABEL_VERSION` names this definition: a store whose labels were computed by another one recomputes them."""

from __future__ import annotations

import re

from core.models import Fact

LABEL_VERSION = 2  # bump when label_of or norm changes: stored labels are recomputed on open

_STRIP = re.compile(r"^(?:开支|其中[:：]?|共|全年共?|本部门|本单位|我单位)")
_NOISE = re.compile(r"[“”\"（）()、，,：:\s]|^[一二三四五六七八九十]+、")
_KIND_MARK = re.compile(r"[（(][类款项][)）]")
_GENERIC_PHRASES = {"支出", "收入", "支出决算", "决算", "决算数", "金额", "合计", "小计"}
COUNT_UNITS = {"人", "名", "个", "人次", "条", "件", "次", "项", "家", "篇", "份"}
_NOUN = re.compile(r"[\u4e00-\u9fa5]{2,8}")
_LINKING = re.compile(r"[的为是在和及与]")


def norm(text: str) -> str:
    text = _KIND_MARK.sub("", text)
    return _NOISE.sub("", text.replace("三公经费", "三公").replace("“三公”经费", "三公").replace("“三公”", "三公"))


_PREDICATE = re.compile(r"(?:(?:年初|全年|调整后)?(?:预算|决算)数?|支出决算数?|执行数)?(?:为|是|：|:)$")


def label_of(f: Fact) -> str:
    if f.kind == "cell":
        if not f.row_label and f.phrase:
            return norm(f.phrase)  # a "项目支出：459.09" cell names itself
        column = f.column.split("/")[-1] if f.column else ""
        return norm(f.row_label if f.row_label not in ("合计", "", "总计") or not column else column)
    if f.unit in COUNT_UNITS and f.raw and f.sentence and f.raw in f.sentence:
        # 全区共有2174名核心志愿者: what a count counts is named right after it
        after = f.sentence[f.sentence.find(f.raw) + len(f.raw):]
        noun = _NOUN.match(after)
        if noun and not _LINKING.match(noun.group(0)):
            return norm(_STRIP.sub("", f.phrase or f.row_label) + noun.group(0))
    phrase = _STRIP.sub("", f.phrase or f.row_label)
    subject = _PREDICATE.sub("", _STRIP.sub("", f.row_label or ""))
    if phrase in _GENERIC_PHRASES and len(subject) >= 2:
        # 卫生健康支出（类）支出5.88万元: the subject says what a bare 支出 is; “三公”经费财政拨款支出年初预算为
        # 31.47万元，支出决算为19.86万元: the sentence's subject without its own predicate (年初预算为)
        if subject.endswith(phrase):
            phrase = subject
        elif subject.endswith("支出") and phrase.startswith("支出"):
            phrase = subject + phrase[2:]
        else:
            phrase = subject + phrase
    if f.rate_kind and len(norm(phrase)) <= 4:  # 占 / 增长 / 完成预算: the subject says what the rate is about
        phrase = f.row_label + phrase
    return norm(phrase)
