"""Text answers over hand-made report lines: wrapped lines joined into paragraphs, whole sections as paragraphs,
reasons matched to the item asked, titled project blocks, the table list by profile, yes/no sentences, and the
intent cues that send these questions (and only these) to text answers. Each mechanism fires and stays silent."""

from __future__ import annotations

import pytest

from core.models import Chunk, Report
from qa.extractive import extract, figure_row
from qa.passages import paragraphs, sentences
from qa.reasons import reason_answer
from qa.search import Hit
from qa.sections_answer import section_answer
from qa.subjects import subject_answer
from qa.table_list import tables_answer
from qa.text_answer import text_answer
from qa.understand import detect_intent

R = Report(doc_id="d", file="d.txt", org="某某局", year=2025, doc_type="部门决算")

# a PDF rendering wrapped at a fixed width: sentences continue on the next line
WRAPPED = [
    "第一部分 某某局概况",
    "一、主要职能",
    "某某局是区政府的工作部门，负责本区某某工作，受区人民政",
    "府领导。主要职能有：1.贯彻执行有关法律法规和方针政策，研",
    "究制订本区某某发展规划。2.负责居民委员会的指导和社区服",
    "务工作。3.处理群众来信来访事项。4.办理区政府交办的事项。",
    "二、部门决算单位构成",
    "某某局部门决算包括本级决算和下属单位决算，共有单位三家。",
    "五、一般公共预算财政拨款支出决算情况说明",
    "一般公共预算财政拨款支出年初预算为 100.00 万元，支出决算",
    "为 90.00 万元，完成年初预算的 90.00%。决算数小于预算数的主",
    "要原因：部分工程项目未开工，进度拖延，资金未能按期支出。",
    "1、文化旅游体育与传媒支出（类）文化和旅游（款）文化展示",
    "及纪念机构（项）。主要用于：所属事业单位项目支出。年初预",
    "算为 60.00 万元，支出决算为 20.00 万元。决算数小于预算数的",
    "主要原因：剧院精装修工程预算调减，部分调整至政府性基金。",
    "2、文化旅游体育与传媒支出（类）文化和旅游（款）其他文化和",
    "旅游支出（项）。主要用于：局本部项目经费支出。年初预算为",
    "10.00 万元，支出决算为 30.00 万元。决算数大于预算数的主要原",
    "因：年中新增周末演出活动经费和集体婚礼活动经费等等。",
]


def test_wrapped_lines_are_joined_into_paragraphs_and_sentences() -> None:
    paras = paragraphs(WRAPPED)
    duty = next(p for p in paras if p.start == 3)
    assert duty.end == 6 and "受区人民政府领导" in duty.text and "研究制订" in duty.text
    assert [p.start for p in paras][:4] == [1, 2, 3, 7]  # headings are never joined
    said = sentences([p for p in paras if p.start == 13])
    assert said[0].text.startswith("1、文化旅游") and said[-1].line == 15  # "主要原因…" starts on line 15


def test_paragraph_per_line_documents_keep_their_lines() -> None:
    lines = ["部门职责", "区网格化管理服务中心贯彻落实党中央关于基层社会治理和网格化管理工作的方针政策和决策部署，全面落实部署要求。",
             "（一）负责牵头、组织、指导全区基层社会治理的建设和运行。", "收入\t100\t支出\t100", "合计\t100"]
    assert [(p.start, p.end) for p in paragraphs(lines)] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]


def test_a_section_is_answered_with_its_whole_list() -> None:
    text, cits = section_answer("某某局主要管哪些事？", [R], {"d": WRAPPED})
    assert "居民委员会" in text and "来信来访" in text and "办理区政府交办的事项" in text
    assert [c.line for c in cits] == [3] and "受区人民政府领导" in cits[0].quote
    assert "部门决算包括" not in text  # the next section is not part of it


def test_the_reason_of_the_item_the_question_names() -> None:
    text, cits = reason_answer("“文化展示及纪念机构”为什么比年初预算少花这么多？", [R], {"d": WRAPPED})
    assert "剧院精装修工程预算调减" in text and "年中新增" not in text
    assert cits[0].line == 14 and "60.00" in text  # the comparison sentence comes with the reason
    text, _ = reason_answer("“其他文化和旅游支出”为啥超预算？", [R], {"d": WRAPPED})
    assert "集体婚礼" in text
    text, _ = reason_answer("为什么没完成年初预算？", [R], {"d": WRAPPED})
    assert "进度拖延" in text  # the whole's statement, not an item's


def test_reasons_stay_silent_without_a_why_or_a_matching_item() -> None:
    assert reason_answer("文化展示及纪念机构年初预算是多少？", [R], {"d": WRAPPED}) == ("", [])
    assert reason_answer("“图书馆”为什么超预算？", [R], {"d": WRAPPED}) == ("", [])


def test_reasons_match_abbreviated_names() -> None:
    lines = ["一、收入支出决算总体情况说明",
             "2023年度收入支出总计 500.00 万元。与上年相比，收入支出总计增加 50.00 万元，增长 11.11%。主要原因：项目支出增加，主要由于办公大楼装修。",
             "二、三公经费", "公务接待费支出决算 1.00 万元，比上年减少 2.00 万元，主要原因是厉行节约。"]
    text, _ = reason_answer("收支总计为什么涨了？", [R], {"d": lines})
    assert "办公大楼装修" in text and "厉行节约" not in text


PROJECT = [
    "五、国有资产占有使用情况", "截至2025年8月31日，本部门共有车辆4辆。", "",
    "滨河路-长江路下立交工程项目经费情况说明", "一、项目概述",
    "滨河路-长江路下立交工程位于本区北部，道路全长约985米，分三段实施。", "二、立项依据", "区建委关于同意工程方案的批复。",
    "三、实施主体", "施工单位：某某建工集团有限公司；", "设计单位：某某设计院有限公司；", "四、实施周期",
    "2026年1月1日至2027年12月31日。", "五、年度预算安排", "2026年度预算安排22,614.51万元。",
]


def test_a_named_project_block_answers_by_aspect_or_digest() -> None:
    text, cits = subject_answer("滨河路-长江路下立交都是谁在干？", [R], {"d": PROJECT})
    assert "某某建工集团" in text and "某某设计院" in text and "985米" not in text
    assert [c.line for c in cits] == [10, 11]
    text, _ = subject_answer("滨河路下立交这个项目大概什么情况？", [R], {"d": PROJECT})
    assert "985米" in text and "某某建工集团" in text and "22,614.51万元" in text
    assert subject_answer("中环路高架都是谁在干？", [R], {"d": PROJECT}) == ("", [])


TABLES = ["某某局2024年度部门决算", "目 录", "第二部分 某某局2024年度部门决算表", "一、收入支出决算总表", "二、收入决算表",
          "三、支出决算表", "七、财政拨款“三公”经费支出决算表", "第三部分 情况说明"]


def test_the_table_list_comes_from_the_profile_names() -> None:
    text, cits = tables_answer("部门决算公开要附哪几张表？", [R], {"d": TABLES})
    assert "收入支出决算总表[1]" in text and "财政拨款“三公”经费支出决算表" in text
    assert [c.line for c in cits] == [4, 5, 6, 7]
    assert "国有资本经营" not in text  # only the tables the document names
    assert tables_answer("部门决算公开有哪些要求？", [R], {"d": TABLES}) == ("", [])


def test_text_answer_tries_the_specific_readings_first() -> None:
    text, _ = text_answer("“其他文化和旅游支出”为啥超预算？", [R], {"d": WRAPPED})
    assert "集体婚礼" in text
    assert text_answer("某某局的会议费是多少？", [R], {"d": WRAPPED}) == ("", [])


def test_a_yes_no_question_gets_the_one_sentence_that_says_so() -> None:
    lines = ["机构设置", "本部门包括：", "1.某某执法局本部", "2.某某执法局执法大队",
             "需要说明的是，某某执法局执法大队与局本部合署办公，不单列预算。", "2026年某某执法局收入预算 4748.35 万元。"]
    chunk = Chunk(chunk_id="d:1", doc_id="d", text="\n".join(lines), org=R.org, year=R.year, doc_type=R.doc_type,
                  section="机构设置", start=1, end=len(lines))
    text, cits = extract("执法大队有没有单独做预算？", [Hit(chunk, 1.0)], {"d": R}, {"d": lines})
    assert "不单列预算" in text and "4748.35" not in text and len(cits) == 1
    assert figure_row("2070105 文化展示及纪念机构 1,700.57 1,700.57") and not figure_row(lines[4])


@pytest.mark.parametrize(("question", "intent"), [
    ("文旅局25年“其他文化和旅游支出”为啥超预算？", "text"),
    ("兰溪路-真南路下立交都是谁在干？", "text"),
    ("部门决算公开要附哪几张表？", "text"),
    ("城管执法局的执法大队有没有单独做预算？", "text"),
    ("宜川路街道手上一共几辆公车？", "lookup"),
    ("芦淞和衡山的项目支出谁多？", "diff"),
    ("建管委26年三公预算多少？", "lookup"),
])
def test_intent_cues_for_text_questions(question: str, intent: str) -> None:
    assert detect_intent(question) == intent


def test_a_line_starting_with_a_percentage_continues_and_a_chapter_heading_does_not() -> None:
    lines = ["2021 年度财政拨款支出 2007.23 万元，与上年相比，增加 74.89 万元，增长", "",
             "3.88%，主要是因为召开全国现场会。",
             "八、政府性基金预算财政拨款收入支出决算情况说明",
             "政府性基金预算财政拨款收入 2002.80 万元，支出具体情况如下："]
    paras = paragraphs(lines)
    assert [(p.start, p.end) for p in paras] == [(1, 3), (4, 4), (5, 5)]


def test_an_unnumbered_title_line_opens_a_section_and_contents_entries_do_not() -> None:
    lines = ["目 录", "一、部门主要职能 ……………………………… 3", "二、部门机构设置 ……………………………… 4", "",
             "某某委员会（部门）主要职能", "某某委员会是区政府主管城市建设的工作部门。", "主要职能包括：",
             "（一）贯彻执行有关城市建设的法律、法规。", "（二）负责区管建设工程招投标的监管。",
             "某某委员会（部门）机构设置", "本部门包括委员会本部和下属事业单位三家。"]
    text, cits = section_answer("某某委员会的主要职能是什么？", [R], {"d": lines})
    assert "招投标的监管" in text and "……" not in text and "下属事业单位" not in text
    assert cits[0].line == 6


def test_a_reason_needs_the_item_named_and_a_topic_list_is_no_reason() -> None:
    lines = ["五、一般公共预算财政拨款支出决算情况说明",
             "1、社会保障和就业支出（类）行政事业单位养老支出（款）职业年金缴费支出（项）。年初预算为 407.92 万元，支出决算为 349.63 万元。决算数小于预算数的主要原因：人员变动。",
             "六、绩效自评", "财务管理制度检查发现的问题及原因：一是制度不够规范完善。"]
    assert reason_answer("政府性基金支出为什么比年初预算少？", [R], {"d": lines}) == ("", [])
    assert reason_answer("财务管理制度检查为什么没通过？", [R], {"d": lines}) == ("", [])
    text, _ = reason_answer("职业年金为什么少花了？", [R], {"d": lines})
    assert "人员变动" in text


def test_an_unnamed_project_gets_the_one_block_with_the_aspect() -> None:
    text, _ = subject_answer("这个项目是谁在实施？", [R], {"d": PROJECT})
    assert "某某建工集团" in text
    two = PROJECT + ["", "长江路拓宽工程项目经费情况说明", "一、项目概述", "长江路拓宽工程全长约2公里，由西向东实施。",
                     "二、实施主体", "施工单位：另一建工集团有限公司；"]
    assert subject_answer("这个项目是谁在实施？", [R], {"d": two}) == ("", [])


def test_a_reason_naming_a_part_is_followed_by_the_parts_own_reason() -> None:
    lines = ["（三）一般公共预算财政拨款支出决算具体情况",
             "一般公共预算财政拨款支出年初预算为 100.00 万元，支出决算为 90.00 万元。决算数小于预算数的主要原因：城乡社区支出（类）未完成年初预期，其中规划服务项目未开展完成。",
             "1、城乡社区支出（类）城乡社区管理事务（款）行政运行（项）。年初预算为 10.00 万元，支出决算为 9.00 万元。决算数小于预算数的主要原因：勤俭节约。",
             "2、城乡社区支出（类）城乡社区规划与管理（款）规划与管理（项）。年初预算为 50.00 万元，支出决算为 41.00 万元。决算数小于预算数的主要原因：部分规划服务项目未开展完成，政府采购流程未及时完毕。",
             "3、住房保障支出（类）住房改革支出（款）住房公积金（项）。年初预算为 5.00 万元，支出决算为 4.00 万元。决算数小于预算数的主要原因：部分规划服务项目未开展完成。"]
    text, cits = reason_answer("为什么没完成年初预算？", [R], {"d": lines})
    assert "城乡社区支出（类）未完成年初预期" in text and "其中，2、城乡社区支出" in text and "政府采购" in text
    assert "勤俭节约" not in text and "住房公积金" not in text and [c.line for c in cits] == [2, 4]
    text, cits = reason_answer("住房公积金为什么少花了？", [R], {"d": lines})
    assert len(cits) == 1 and "其中" not in text  # a reason naming no part stands alone


def test_rows_after_a_list_opener_belong_to_the_section_until_a_blank_line() -> None:
    lines = ["二、部门决算单位构成", "从预算单位构成看，某某局部门决算包括：某某局本级决算、下属行政事业单位决算。",
             "纳入本部门决算编制范围的单位包括：", "序号 单位名称 备注", "1 某某局（本级）",
             "2 某某局执法大队", "", "某某局2025年度部门决算表", "收入支出决算总表"]
    text, _ = section_answer("某某局有哪些下属单位？", [R], {"d": lines})
    assert "某某局执法大队" in text and "部门决算表" not in text
