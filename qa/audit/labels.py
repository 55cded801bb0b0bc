"""Which item and which figure of it a fact states, so that the narrative and the tables can be compared even when
their wording differs (培训费 / 开支培训费支出, “三公”经费 / 三公经费, 决算数 / 支出决算). The knowledge (aliases,
decoration words, role words, exhaustive partitions) is data in `items.json`; this module only applies it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.models import Fact

MONEY = ("万元", "元", "亿元")
_SPACE = re.compile(r"[\s　]+")
_YEAR = re.compile(r"^.*\d{4}\s*年度?")
_LEVEL = re.compile(r"[（(][类款项][)）]")
_NUMBERING = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*")
_TOTAL_WORDS = ("合计", "小计", "总计")
_CHANGE = re.compile(r"增加|减少|增长|下降|降低|上升|追加|调增|调减|结余|结转|同比|上年|比年初|以上|以下|调整")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(__file__).with_name("items.json")).read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=65536)  # pure over the text and items.json; the audit of one report asks it thousands of times
def canonical(text: str) -> str:
    """Spacing, year, numbering and 科目 level marks removed; aliases replaced; decoration words stripped."""
    v = vocabulary()
    text = _SPACE.sub("", text)
    text = _LEVEL.sub("", _NUMBERING.sub("", _YEAR.sub("", text)))
    for alias in sorted(v["aliases"], key=len, reverse=True):
        if alias in text:
            text = text.replace(alias, v["aliases"][alias])
    text = text.replace("“", "").replace("”", "").replace('"', "").replace("(", "（").replace(")", "）")
    text = text.strip("，,：:；;。、 ")
    for _ in range(3):
        before = text
        for p in v["decorations"]["prefixes"]:
            if text.startswith(p) and len(text) > len(p) + 1:
                text = text[len(p):]
        for s in v["decorations"]["suffixes"]:
            if text.endswith(s) and len(text) > len(s) + 1:
                text = text[: -len(s)]
        if text == before:
            break
    suffix = v["decorations"]["expense_suffix"]
    if text.endswith("费" + suffix):  # 培训费支出 is 培训费
        text = text[: -len(suffix)]
    return text


@lru_cache(maxsize=65536)
def split_role(text: str) -> tuple[str | None, str]:
    """(role, the text without the role word): 支出决算数 → (决算, ''), 三公经费支出预算 → (全年预算, 三公经费)."""
    masked = text
    for fund in vocabulary()["fund_types"]:
        masked = masked.replace(fund, "#" * len(fund))
    for role, words in vocabulary()["roles"]:
        for w in sorted(words, key=len, reverse=True):
            i = masked.rfind(w)
            if i >= 0:
                return role, (text[:i] + text[i + len(w):]).strip("，,：:为的")
    return None, text


@dataclass(frozen=True)
class Key:
    item: str
    role: str


def is_change(fact: Fact) -> bool:
    """A change against last year or the budget (增加6.31万元), not a level."""
    return bool(_CHANGE.search(fact.phrase))


def text_key(fact: Fact, known: set[str] | None = None) -> Key | None:
    """The item and role of a narrative money figure: the phrase names both, or the role only and the sentence's
    subject names the item. With `known`, the item must be one of those names once scope words (财政拨款,
    一般公共预算 …) are set aside — 一般公共预算财政拨款基本支出 is 基本支出, not 一般公共预算财政拨款."""
    if fact.kind != "text" or fact.unit not in MONEY or fact.rate_kind or is_change(fact):
        return None
    if fact.phrase.startswith(tuple(vocabulary()["relative_prefixes"])):
        return None
    role, item = split_role(canonical(fact.phrase))
    if not item:  # the phrase names the role only (支出决算为…): the sentence's subject names the item
        role2, item = split_role(canonical(fact.row_label))
        role = role or role2
    item = canonical(item)
    if known is not None:  # the item itself must be a known name once scope words are set aside
        core = item
        for w in vocabulary()["scope_words"]:
            core = core.replace(w, "")
        if core not in known:
            return None
        item = core
    if len(item) < 2:
        return None
    return Key(item, role or vocabulary()["default_role"])


def cell_key(fact: Fact) -> Key | None:
    """The item and role of a table cell: the column may hold both (决算数/公务接待费); a 合计 column or an empty
    row label means the item of the row or of the table title (一般公共预算财政拨款“三公”经费支出决算表 → 三公经费)."""
    if fact.kind != "cell" or not fact.table_id:
        return None
    role = None
    item = canonical(fact.row_label)
    by_column = not item or item in _TOTAL_WORDS  # 公开07表: one data row, the items are columns
    generic = set(vocabulary()["generic_items"])
    for seg in (canonical(s) for s in fact.column.split("/")):
        r, rest = split_role(seg)
        role = role or r
        if by_column and rest and rest not in _TOTAL_WORDS and rest not in generic and not r:
            item = rest
    if not item or item in _TOTAL_WORDS:
        title = canonical(fact.table_title or "")
        names = [n for n in partition_names() if n in title]
        item = max(names, key=len) if names else ""
    if len(item) < 2:
        return None
    return Key(item, role or vocabulary()["default_role"])


def partition_names() -> set[str]:
    v = vocabulary()
    return set(v["partitions"]) | set(v["aliases"].values())


def exhaustive(total_label: str, part_labels: list[str]) -> bool:
    """The parts named are a known partition of the total (政府采购支出 → 货物/工程/服务)."""
    total = canonical(total_label)
    for whole, parts in vocabulary()["partitions"].items():
        if whole in total:
            covered = {p for p in parts for label in part_labels if p in canonical(label)}
            if len(covered) >= 2 and len(covered) >= len(part_labels):
                return True
    return False
