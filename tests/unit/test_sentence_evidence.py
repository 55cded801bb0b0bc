"""What a sentence says about a figure beyond the words just before it, over hand-made facts (invented 单位 and
numbers): the subject it opens with, the purpose printed right after the figure (`主要用于…`), and qualifiers that
choose among candidates but do not make a clearly stated measure unsaid."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from qa.resolve import best, purpose_of, rank_facts, subject_of, want_dimension


def said(fid: str, sentence: str, raw: str, unit: str, phrase: str, row_label: str = "", section: str = "") -> Fact:
    value = raw.removesuffix(unit)
    start = sentence.index(raw)
    return Fact(fact_id=fid, doc_id="d", kind="text", value=Decimal(value), unit=unit, raw=raw, decimals=2,
                line=int(fid[1:]), char_start=start, char_end=start + len(raw), phrase=phrase,
                row_label=row_label or phrase, sentence=sentence, section=section)


LONG = "专项评价的2030年度项目17个，涉及预算金额888.88万元，平均得分96.45分。"
SCORE = said("f1", LONG, "96.45", "", "平均得分", row_label="专项评价的")
COUNT = said("f2", LONG, "17个", "个", "专项评价的2030年度项目", row_label="专项评价的")


def test_the_subject_a_sentence_opens_with_is_evidence_for_its_later_figures() -> None:
    assert subject_of(SCORE) == "专项评价的"
    ranked = rank_facts([SCORE, COUNT], "专项评价平均", "示例局30年专项评价平均几分？", "分")
    assert ranked and ranked[0].fact.fact_id == "f1"
    assert best(ranked), "the subject and the label together state the measure"


def test_a_subject_is_not_taken_from_another_sentence_or_a_table() -> None:
    stray = said("f3", "平均得分96.45分", "96.45", "", "平均得分", row_label="专项评价的")
    assert subject_of(stray) == ""


def test_the_purpose_after_a_figure_names_the_spending() -> None:
    fact = said("f4", "其他公共安全支出（项）66.60万元，主要用于河道护栏加固", "66.60万元", "万元",
                "其他公共安全支出（项）", section="政府性基金预算财政拨款支出决算情况说明")
    assert purpose_of(fact) == "河道护栏加固"
    assert best(rank_facts([fact], "护栏加固", "那笔护栏加固花了多少？", "money"))


def test_a_list_announced_after_a_figure_is_not_its_purpose() -> None:
    fact = said("f5", "2030年度财政拨款支出500.00万元，主要用于以下方面：教育支出", "500.00万元", "万元", "财政拨款支出")
    assert purpose_of(fact) == ""


def test_qualifiers_choose_among_candidates_but_do_not_make_a_clear_measure_unsaid() -> None:
    qualified = said("f6", "示范专项绩效自评综述：根据年初设定的绩效目标，项目绩效自评得分为93分。", "93分", "分",
                     "项目绩效自评得分", row_label="示范专项绩效自评综述")
    ranked = rank_facts([qualified], "示范专项自评", "示范专项自评几分？", "分")
    assert ranked[0].score < 0.55 <= ranked[0].score + ranked[0].qualified
    assert best(rank_facts([qualified], "示范专项自评", "示范专项自评几分？", "分"))
    # a rival without the qualifiers, as near as the qualified fact, still wins on them
    plain = said("f7", "示范专项自评得分为91分。", "91分", "分", "示范专项自评得分")
    winners = best(rank_facts([qualified, plain], "示范专项自评", "示范专项自评几分？", "分"))
    assert winners and winners[0].fact.fact_id == "f7"


def test_an_average_score_asks_for_points() -> None:
    assert want_dimension("两家单位的平均分哪个高？", "compare") == "分"


def test_the_sentence_a_figure_is_said_with_is_quoted_when_it_states_more() -> None:
    from qa.structured import context_sentence

    assert context_sentence(SCORE) == LONG.rstrip("。")
    cut = said("f11", "专项评价的2030年度项目17个，涉及预算金额888.88万元，平均得分96.45分，主要包括", "96.45", "", "平均得分")
    assert context_sentence(cut) == "", "a sentence cut at a line's end is not quoted (the text and its PDF alike)"
    nested = said("f10", "评级为“优”的项目43个，平均得分96.45分；", "96.45", "", "平均得分")
    assert context_sentence(nested) == "评级为‘优’的项目43个，平均得分96.45分", "quotation marks nest as ‘…’"
    alone = said("f8", "全年共接待来访群众512人次。", "512人次", "人次", "接待来访群众")
    assert context_sentence(alone) == "", "a sentence that states only this figure adds nothing"
    long = said("f9", "，".join(["示例说明文字很长很长"] * 10) + "，共10个，合计20万元", "20万元", "万元", "合计")
    assert context_sentence(long) == "", "a paragraph run together is shown by its citation, not quoted"


def test_a_context_sentence_is_quoted_once_across_the_asks_of_a_question() -> None:
    from qa.structured import once_quoted

    quote = "报告原文：“全年受理事项3.2万件，办结3.1万件”"
    bodies = once_quoted([f"甲为3.2万件[1]。{quote}[1]。", f"乙为3.1万件[2]。{quote}[2]。"])
    assert bodies[0].count("报告原文") == 1 and "报告原文" not in bodies[1] and bodies[1] == "乙为3.1万件[2]。"


def test_a_yes_no_ask_after_a_comma_is_an_ask_of_its_own() -> None:
    from qa.program import split_asks

    assert split_asks("示例局30年一共收了多少钱，是不是全是财政拨款？") == ["示例局30年一共收了多少钱，", "是不是全是财政拨款？"]
    assert len(split_asks("示例局30年会议费是多少，报告前后一致吗？")) == 1, "a check of the answer is not an ask"


def test_two_asks_resolved_to_one_statement_say_it_once() -> None:
    from qa.structured import once_quoted

    same = "示例中心2030年，附件「年初预算」为12.00万元[1]。"
    assert once_quoted([same, same, "另一句[2]。"]) == [same, "", "另一句[2]。"]
