"""Narrative wrapped at the page width (PDF text layers and their renderings): a figure at the start of a line
takes its phrase from the sentence begun on the line before; a heading line or a finished sentence does not."""

from __future__ import annotations

from index.parse import parse_document
from index.readers import RawDocument

WRAPPED = [
    "示例局2025年度部门决算",
    "一、收入支出决算总体情况说明",
    "示例局2025年度收入、支出总计均为一百多万元，其中本年一般公共预算财政拨款收入支",
    "出总计 123.45 万元，比上年增加 10.00 万元，主要是人员增加导致工资支出增长较多。",
    "二、支出决算情况说明",
    "98.76 万元为本年基本支出。",
]


def _phrase(lines: list[str], value: str) -> str:
    parsed = parse_document(RawDocument(file="t.txt", lines=lines, pages=[None] * len(lines)))
    [fact] = [f for f in parsed.facts if str(f.value) == value]
    return fact.phrase


def test_a_wrapped_sentence_gives_its_figure_the_whole_phrase() -> None:
    assert _phrase(WRAPPED, "123.45").endswith("一般公共预算财政拨款收入支出总计")


def test_a_heading_line_is_not_carried_into_the_next() -> None:
    assert "支出决算情况说明" not in _phrase(WRAPPED, "98.76")


def test_a_finished_sentence_is_not_carried() -> None:
    lines = [*WRAPPED[:3], "这是一个完整的句子，到此结束。", "45.67 万元为其他支出。"]
    assert "完整的句子" not in _phrase(lines, "45.67")


UNIT_WRAPPED = [
    "示例局2025年度部门决算",
    "一、收入决算情况说明",
    "示例局2025年度收入、支出决算总计均为20323.21",
    "万元，其中财政拨款收入 20000.00 万元，占比为 98.41",
    "%。",
    "二、其他",
    "截至年底，本单位共有车辆 5",
    "",
    "辆。",
    "截至年底，本单位新增人员 12",
    "其中：在编人员 10 人。",
]


def _fact(lines: list[str], value: str):
    parsed = parse_document(RawDocument(file="t.txt", lines=lines, pages=[None] * len(lines)))
    [fact] = [f for f in parsed.facts if str(f.value) == value]
    return fact, parsed


def test_a_unit_on_the_next_line_belongs_to_the_figure_before_it() -> None:
    fact, parsed = _fact(UNIT_WRAPPED, "20323.21")
    assert fact.unit == "万元" and fact.line == 3
    assert parsed.lines[2][fact.char_start : fact.char_end] == "20323.21"  # the citation points at the figure only
    share, _ = _fact(UNIT_WRAPPED, "98.41")
    assert share.unit == "%" and share.line == 4


def test_a_unit_after_a_page_break_still_belongs_to_the_figure() -> None:
    fact, _ = _fact(UNIT_WRAPPED, "5")
    assert fact.unit == "辆"


def test_a_next_line_that_starts_with_words_gives_no_unit() -> None:
    fact, _ = _fact(UNIT_WRAPPED, "12")
    assert fact.unit == ""


def test_a_name_with_a_bracketed_word_goes_on_across_the_wrap() -> None:
    """因公出国（境）费: a one-character bracket inside a name, at a line's end, neither ends the sentence nor the
    phrase; a bracketed note (（含）, （部门）) is not taken into a name."""
    lines = [*WRAPPED[:2], "“三公”经费财政拨款支出年初预算为 31.47 万元，支出决算为 19.86 万元，其中：因公出国（境）",
             "费决算为 0.00 万元；公务用车购置及运行维护费支出决算为 19.56 万元。"]
    assert _phrase(lines, "0.00") == "因公出国（境）费决算"


def test_a_bare_wan_in_a_sentence_that_lists_money_is_wanyuan() -> None:
    """会议费 150 万…其中：会务组织费 30 万；宣传报道 50 万: every bare 万 of a sentence that lists money in 万 is 万元;
    a 万 counted elsewhere (上报事件4.6万件) keeps its own unit."""
    lines = [*WRAPPED[:2], "会议费 150 万整体打包拨付，其中包括：会务组织费 30 万；醴陵工作全年宣传报道 50 万。全年上报事件4.6万件。"]
    parsed = parse_document(RawDocument(file="t.txt", lines=lines, pages=[None] * len(lines)))
    units = {f.raw: f.unit for f in parsed.facts if f.line == 3}
    assert units["50万"] == "万元" and units["150万"] == "万元" and units["4.6万件"] == "万件"


def test_a_sentence_wrapped_onto_the_next_line_is_the_whole_sentence_of_the_figure_before_the_wrap() -> None:
    """其中：公务用车购置费75万 / 元，比上年增加27万元，主要原因是…5辆；: the figure at the end of a wrapped line gets
    the sentence as the report prints it (its unit, and what is said with it); the next line's figures stay there."""
    lines = [*WRAPPED[:2], "示例局2025年度公务用车购置及运行费113.76万元，比上年增加27万元。其中：公务用车购置费75万",
             "元，比上年增加27万元，主要原因是预计更新车辆5辆；公务用车运行费38.76万元。"]
    fact, parsed = _fact(lines, "75")
    assert fact.unit == "万元" and fact.line == 3
    assert fact.sentence.startswith("其中：公务用车购置费75万元") and "更新车辆5辆" in fact.sentence
    assert [f.line for f in parsed.facts if str(f.value) == "5"] == [4]


def test_a_finished_line_takes_nothing_from_the_next() -> None:
    lines = [*WRAPPED[:2], "示例局2025年度公务用车购置及运行费113.76万元，比上年增加27万元，全部用于车辆维修。",
             "二、另一节说明文字，共有车辆 7 辆。"]
    fact, _ = _fact(lines, "113.76")
    assert "车辆" not in fact.sentence.replace("全部用于车辆维修", "")


def test_a_line_that_opens_with_an_aside_continues_the_short_line_before_it() -> None:
    lines = [*WRAPPED[:2], "示例局2025年度政府采购金额",
             "（以合同签订为准）为 2319.21 万元，其中：货物采购金额 122.43 万元。", "（二）另一节", "（三）人员 5 人。"]
    fact, _ = _fact(lines, "2319.21")
    assert "政府采购金额" in fact.sentence and "政府采购金额" in fact.phrase
    heading, _ = _fact(lines, "5")
    assert "另一节" not in heading.sentence
