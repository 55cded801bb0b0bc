"""Text slips that make a figure or a statement ambiguous (`text_slips`, kind `文字疏漏`, low): a rate printed
without its % (`占 76.23;`, `增长 13.95。`, `完成预算的 98。`), an amount without its unit (`支出决算为 4.19。`),
a template's alternative left in (`下降（增长）27.78%`), a template's writing instruction left in after a finished
sentence (`。（绩效目标管理工作情况，以及编报绩效目标的项目数量…等）`), a doubled word (`增加增加`, `治理治理`).
The words are data (`slips` in qa/audit/items.json); the rule reads paragraphs (wrapped lines joined back), so a
`%` or `万元` that a line break put on the next line is not missed, and cites the line where the slip starts."""

from __future__ import annotations

import re
from functools import lru_cache

from qa.audit.context import Context, RuleSpec
from qa.audit.labels import vocabulary
from qa.audit.paragraphs import Para, paragraphs

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_BARE = r"(?![\d.]|,\d)\s*(?=[;；。]|[，,](?!\d))"  # followed by punctuation (not a thousands comma): no %, no unit
_GAP = r"[^，。；;,\d%％\s]{0,12}?"  # words between the verb and its number (占本年支出的), no figure, no clause break
_DOUBLED = re.compile(r"([\u4e00-\u9fff]{2,4})\1")
_PLACEHOLDER = re.compile(r"[XＸ×*＊]{2,}\s*(?:万元|元|%|％)")
_INSTRUCTION = re.compile(r"。\s*([（(][^（）()\d]{8,}等[)）])")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    words = vocabulary()["slips"]
    rate = "|".join(map(re.escape, words["rate_words"]))
    done = "|".join(map(re.escape, words["completion_words"]))
    amount = "|".join(map(re.escape, words["amount_words"]))
    out = [(re.compile(rf"(?:{rate}){_GAP}\s*{_NUM}{_BARE}"), "比率数字缺少“%”，含义不明"),
           (re.compile(rf"(?:{done}){_GAP}的\s*{_NUM}{_BARE}"), "比率数字缺少“%”，含义不明"),
           (re.compile(rf"(?:{amount})\s*{_NUM}{_BARE}"), "金额缺少单位（万元/元）")]
    for a, b in words["opposites"]:
        for x, y in ((a, b), (b, a)):
            out.append((re.compile(rf"{x}\s*[（(]\s*{y}\s*[)）]"), "模板中的备选用词未删除，增减方向不明"))
    return out


def _line_of(para: Para, pos: int) -> int:
    return max((line for line, base in para.base.items() if base <= pos), default=para.start)


def _blank_template(ctx: Context) -> bool:
    """A template to be filled in (`XX万元`, `XX%` where figures go) states its hints on purpose."""
    placeholders = sum(len(_PLACEHOLDER.findall(line)) for line in ctx.lines)
    figures = sum(1 for f in ctx.facts if f.kind == "text" and f.unit in ("万元", "元", "%"))
    return placeholders > figures


def text_slips(ctx: Context) -> None:
    if _blank_template(ctx):
        ctx.memo.setdefault("unchecked", {})["text_slips"] = "a blank template (XX万元 placeholders) / 空白模板，提示语不算疏漏"
        return
    for para in paragraphs(ctx):
        text = para.text
        if "\t" in text or not re.search(r"[\u4e00-\u9fff]", text):
            continue  # a table row, or furniture
        found: list[tuple[int, str, str]] = []
        for pattern, why in _patterns():
            found += [(m.start(), m.group(0), why) for m in pattern.finditer(text)]
        found += [(m.start(1), m.group(1), "括号内是编写提示，未替换为实际内容") for m in _INSTRUCTION.finditer(text)]
        by_line: dict[int, list[str]] = {}  # one finding per line (its id is the rule and the line)
        for line, base in para.base.items():  # a doubled word within one printed line (a join can double a
            found += [(base + m.start(), m.group(0), "词语重复")  # wrapped header: 经济分 / 经济分)
                      for m in _DOUBLED.finditer(ctx.lines[line - 1])]
        for start, quote, why in sorted(found):
            shown = re.sub(r"\s+", "", quote)
            by_line.setdefault(_line_of(para, start), []).append(f"“{shown}”：{why}")
        for line, slips in by_line.items():
            ctx.add("text_slips", "文字疏漏", "low", f"第{line}行" + "；".join(slips), [], extra_lines=[line])


RULES = [RuleSpec("text_slips", text_slips, ("lines",))]
