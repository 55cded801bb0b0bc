"""The heading tree: numbered list items (职能, 依据) are not headings, a higher heading closes what is open
before it, a document without 第X部分 has no stuck root, and a 第X部分 heading wrapped over two lines is joined."""

from __future__ import annotations

from index.sections import build_sections, section_at

DUTIES = [
    "主要职能包括：",
    "1.贯彻执行国家和本市有关城市管理行政执法工作的法律、法规、规章和方针、政策，结合区域实际，研究制订",
    "并组织实施。",
    "2.负责建立和完善执法巡查、执法信息共享机制；建立违法行为举报制度，定期组织社会评议。",
    "3.负责处理涉及本机关的行政复议和行政诉讼相关事宜。",
    "4.承办区政府交办的其他事项。",
    "",
    "一、2026年“三公”经费预算情况说明",
    "2026年“三公”经费预算数为114.22万元。",
    "二、机关运行经费预算",
    "机关运行经费预算为507.25万元。",
]


def _paths(lines: list[str]) -> list[str]:
    return [s.path_text for s in build_sections(lines)[1:]]


def test_a_run_of_sentence_items_is_a_list_not_headings() -> None:
    paths = _paths(DUTIES)
    assert not any("承办区政府" in p or "行政复议" in p for p in paths)
    assert paths == ["一、2026年“三公”经费预算情况说明", "二、机关运行经费预算"]


def test_figures_after_a_list_belong_to_the_real_heading() -> None:
    sec = section_at(build_sections(DUTIES), 9)
    assert sec.path_text == "一、2026年“三公”经费预算情况说明"


def test_items_following_each_other_directly_are_a_list() -> None:
    lines = ["二、立项依据", "1.《住宅物业管理规定》", "2.《城乡规划条例》", "3.《拆除违法建筑若干规定》",
             "三、实施主体", "某局"]
    assert _paths(lines) == ["二、立项依据", "三、实施主体"]


def test_short_headings_followed_by_content_stay_headings() -> None:
    lines = ["七、“三公”经费支出决算情况说明", "（一）“三公”经费支出决算总体情况说明。", "支出决算为19.86万元。",
             "（二）“三公”经费支出决算具体情况说明。", "因公出国（境）费0万元。"]
    paths = _paths(lines)
    assert "七、“三公”经费支出决算情况说明 › （一）“三公”经费支出决算总体情况说明。" in paths
    assert "七、“三公”经费支出决算情况说明 › （二）“三公”经费支出决算具体情况说明。" in paths


def test_two_headings_with_content_are_not_a_list() -> None:
    lines = ["具体如下：", "1.本部", "本部支出10万元。", "2.执法大队", "大队支出5万元。"]
    assert _paths(lines) == ["1.本部", "2.执法大队"]


def test_a_pair_announced_by_a_colon_and_directly_adjacent_is_a_list() -> None:
    lines = ["具体包括：", "1.某局本部", "2.某局执法大队", "需要说明的是，执法大队不单列预算。", "一、收入预算",
             "收入10万元。"]
    assert _paths(lines) == ["一、收入预算"]


def test_a_top_heading_closes_deeper_headings_left_open() -> None:
    lines = ["1、部门职责", "负责网格化管理。", "一、收入情况", "收入10万元。", "二、支出情况", "支出8万元。"]
    assert _paths(lines) == ["1、部门职责", "一、收入情况", "二、支出情况"]


def test_without_parts_the_first_heading_is_not_a_root() -> None:
    lines = ["一、基本情况", "（一）单位情况", "单位情况说明。", "二、支出情况", "（一）基本支出情况", "支出8万元。"]
    assert _paths(lines) == ["一、基本情况", "一、基本情况 › （一）单位情况", "二、支出情况", "二、支出情况 › （一）基本支出情况"]


def test_a_part_heading_wrapped_over_two_lines_is_joined() -> None:
    lines = ["第三部分 某街道办事处 2025 年度", "部门决算情况说明", "一、收入支出决算总体情况说明", "收入10万元。"]
    assert _paths(lines)[0] == "第三部分 某街道办事处 2025 年度部门决算情况说明"


def test_a_part_heading_followed_by_a_body_line_is_not_joined() -> None:
    lines = ["第一部分 某局概况", "本局负责全区管理", "这是正文，不是标题。"]
    assert _paths(lines) == ["第一部分 某局概况"]


def test_a_part_title_drops_the_reports_own_unit() -> None:
    lines = ["第三部分 某街道办事处 2025 年度部门决算情况说明", "一、收入支出决算总体情况说明", "收入10万元。"]
    paths = [s.path_text for s in build_sections(lines, org="某街道办事处")[1:]]
    assert paths[0] == "第三部分 2025 年度部门决算情况说明"
    assert build_sections(["第一部分 某街道办事处"], org="某街道办事处")[1].title == "第一部分 某街道办事处"
    assert build_sections(lines, org="另一单位")[1].title == lines[0]


WRAPPED_BODY = [
    "本单位是区政府工作部门，主要负责全区的",  # body lines of a text layer wrapped at 20 characters
    "自然资源管理工作，具体职能见下文所列各项",
    "内容，本年度机构设置和人员编制没有变化，",
    "人员经费和公用经费均按照有关标准列支。",
]


def test_items_wrapped_at_the_page_width_are_a_list() -> None:
    lines = ["一、主要职能", *WRAPPED_BODY,
             "1.履行全民所有自然资源资产所有者职",
             "责。贯彻执行有关法律法规和方针政策，",
             "研究制订具体的实施意见并组织实施。",
             "2.组织编制并监督实施国土空间规划和",
             "相关专项规划，开展适宜性评价工作。",
             "二、部门决算单位构成", "本部门决算由本级决算组成。"]
    assert _paths(lines) == ["一、主要职能", "二、部门决算单位构成"]


def test_a_subject_heading_wrapped_at_the_page_width_stays_a_heading() -> None:
    lines = ["五、支出决算具体情况", *WRAPPED_BODY,
             "1、社会保障和就业支出（类）行政事",
             "业单位养老支出（款）（项）。年初预算为",
             "10万元，支出决算为9万元。",
             "2、卫生健康支出（类）行政事业单位医",
             "疗（款）行政单位医疗（项）。年初预算",
             "为5万元，支出决算为5万元。"]
    paths = _paths(lines)
    assert paths[1].startswith("五、支出决算具体情况 › 1、社会保障和就业支出（类）") and len(paths) == 3


def test_a_heading_wrapped_at_the_page_width_takes_its_last_words() -> None:
    lines = ["五、支出决算具体情况", *WRAPPED_BODY,
             "1、一般公共服务支出（类）组织事务（",
             "款）一般行政（项）39.99万元，主要用于",
             "日常工作。"]
    assert _paths(lines)[1] == "五、支出决算具体情况 › 1、一般公共服务支出（类）组织事务（款）一般行政（项）"


def test_a_short_heading_takes_nothing_from_the_next_line() -> None:
    lines = ["五、支出决算具体情况", *WRAPPED_BODY, "（一）基本支出", "基本支出10万元，主要用于日常工作。"]
    assert _paths(lines)[1] == "五、支出决算具体情况 › （一）基本支出"
