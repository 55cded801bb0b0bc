"""The question parser's first step (asks split into programs) and the program executor, over hand-made facts:
no ingested report is needed, so these fail on the mechanism, not on a document."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import Report
from qa.filters import years_in
from qa.program import Operand, Program, execute, split_asks


def op(value: str, unit: str = "万元") -> Operand:
    return Operand(value=Decimal(value), unit=unit, decimals=len(value.split(".")[1]) if "." in value else 0)


@pytest.mark.parametrize("question, asks", [
    ("甲单位实际花了多少？年初预算又是多少？", ["甲单位实际花了多少？", "年初预算又是多少？"]),
    ("某项目总投入多少，帮了多少个案？", ["某项目总投入多少，", "帮了多少个案？"]),
    ("某支出预算和决算各多少？", ["某支出预算各多少？", "某支出决算各多少？"]),
    ("三公预算：接待费和公车分别多少？", ["三公预算：接待费分别多少？", "三公预算：公车分别多少？"]),
    ("执行率是多少？报告写的98%对吗？", ["执行率是多少？"]),
    ("财政拨款花了多少？按下一年报告倒推", ["财政拨款花了多少，按下一年报告倒推"]),
    ("会议费是多少？", ["会议费是多少？"]),
    ("某专项支出花了多少，年初有预算吗？", ["某专项支出花了多少，", "年初有预算吗？"]),  # a yes/no ask is an ask
    ("甲和乙的项目支出占比分别是多少？", ["甲和乙的项目支出占比分别是多少？"]),
])
def test_split_asks(question: str, asks: list[str]) -> None:
    assert split_asks(question) == asks


def test_short_years_are_years_but_dates_are_not() -> None:
    assert years_in("宜川路25年一共收了多少") == [2025]
    assert years_in("2023年度决算") == [2023]
    assert years_in("上一年（22年）") == [2022]
    assert years_in("截至25年8月底有多少辆车") == []
    assert years_in("20年代") == []


@pytest.mark.parametrize("prog, value, formula", [
    (Program(op="sum", operands=[op("122.43"), op("1387.72"), op("809.07")]), "2319.22",
     "122.43万元 + 1387.72万元 + 809.07万元"),
    (Program(op="diff", operands=[op("393.47"), op("112")]), "281.47", "393.47万元 − 112万元"),
    (Program(op="prev_year", operands=[op("16.13"), op("6.31")], sign=1), "9.82", "16.13万元 − 6.31万元"),
    (Program(op="prev_year", operands=[op("456.9"), op("31.92")], sign=-1), "488.82", "456.9万元 + 31.92万元"),
    (Program(op="convert", operands=[op("1.5")]), "15000.0", "1.5万元 × 10000"),
    (Program(op="max", operands=[op("3.04"), op("19.86")]), "19.86", "max(3.04万元, 19.86万元)"),
])
def test_execute_arithmetic_in_decimal(prog: Program, value: str, formula: str) -> None:
    res = execute(prog)
    assert res.value == Decimal(value)
    assert res.formula == formula


def test_execute_rates_and_zero_denominators() -> None:
    share = execute(Program(op="ratio", operands=[op("12192.15"), op("14107.46")]))
    assert share.unit == "ratio" and round(share.value * 100, 2) == Decimal("86.42")  # type: ignore[operator]
    growth = execute(Program(op="growth", operands=[op("109.77"), op("137.39")]))
    assert round(growth.value * 100, 2) == Decimal("-20.10")  # type: ignore[operator]
    assert execute(Program(op="ratio", operands=[op("5"), op("0")])).value is None
    with pytest.raises(ValueError):
        execute(Program(op="diff", operands=[op("1")]))


def test_short_names_are_subsequences_of_the_ingested_names() -> None:
    from qa.filters import parse_filters

    reports = [Report(doc_id=str(i), file=f"{i}.txt", org=org, region=region, year=2025, doc_type="部门决算")
               for i, (org, region) in enumerate([
                   ("上海市普陀区文化和旅游局", "上海市普陀区"), ("上海市普陀区建设和管理委员会", "上海市普陀区"),
                   ("上海市普陀区人民政府宜川路街道办事处", "上海市普陀区"),
                   ("株洲市荷塘区网格化管理服务中心", "株洲市荷塘区"), ("株洲市石峰区网格化管理服务中心", "株洲市石峰区")])]
    assert parse_filters("文旅局25年三公", reports).orgs == ["上海市普陀区文化和旅游局"]
    assert parse_filters("建管委26年预算", reports).orgs == ["上海市普陀区建设和管理委员会"]
    assert parse_filters("宜川路街道的收入", reports).orgs == ["上海市普陀区人民政府宜川路街道办事处"]
    f = parse_filters("荷塘区网格中心20年", reports)
    assert f.orgs == ["株洲市荷塘区网格化管理服务中心"] and "网格中心" in f.mentions
    assert parse_filters("网格中心有几个", reports).orgs == []  # names a kind of 单位, not which one
    assert parse_filters("文化展示及纪念机构", reports).orgs == []


def test_a_name_the_reports_print_with_和_is_one_ask() -> None:
    names = {"年初结转和结余", "社会保障和就业支出"}
    known = lambda phrase: any(phrase in n for n in names)  # noqa: E731
    assert split_asks("2021年年初结转和结余是多少？", known) == ["2021年年初结转和结余是多少？"]
    assert split_asks("2023年社会保障和就业支出是多少？", known) == ["2023年社会保障和就业支出是多少？"]
    assert split_asks("2021年的会议费和培训费是多少？", known) == ["2021年的会议费是多少？", "2021年的培训费是多少？"]


def test_text_questions_take_the_whole_matching_section() -> None:
    from qa.sections_answer import asked_kinds, section_answer

    lines = ["某某中心2023年度部门整体支出绩效自评报告", "一、部门基本情况", "本中心是事业单位。",
             "五、存在的主要问题", "绩效管理观念仍需加强。", "六、改进措施和有关建议", "1、加强业务培训。",
             "2、加大评价结果应用。", "某某中心2023年度专项资金绩效自评报告", "一、项目概况"]
    r = Report(doc_id="d", file="d.txt", org="某某中心", year=2023, doc_type="整体支出绩效自评报告")
    assert asked_kinds("发现了什么问题，打算怎么改？") == ["问题", "措施"]
    text, cits = section_answer("发现了什么问题，打算怎么改？", [r], {"d": lines})
    assert "绩效管理观念仍需加强" in text and "加强业务培训" in text and "加大评价结果应用" in text
    assert "专项资金" not in text  # the next document's title ends the section
    assert [c.line for c in cits] == [5, 7, 8]
    assert section_answer("会议费是多少？", [r], {"d": lines}) == ("", [])


def test_a_named_table_is_a_hard_constraint() -> None:
    from core.models import Fact
    from qa.scope import in_table
    from qa.understand import parse_question

    def cell(fid: str, table_id: str, title: str) -> Fact:
        return Fact(fact_id=fid, doc_id="d", kind="cell", value=Decimal("1"), raw="1", line=1, char_start=0,
                    char_end=1, table_id=table_id, table_title=title, row_label="公务接待费")

    facts = [cell("a", "公开06表", "一般公共预算财政拨款基本支出决算表"),
             cell("b", "公开07表", "一般公共预算财政拨款“三公”经费支出决算表"), cell("c", "公开02表", "收入决算表")]
    assert [f.fact_id for f in in_table(facts, "公开7表")] == ["b"]
    assert [f.fact_id for f in in_table(facts, "三公经费表")] == ["b"]
    assert [f.fact_id for f in in_table(facts, "年收入决算表")] == ["c"]
    assert in_table(facts, "资产负债表") == facts  # a table the report lacks constrains nothing
    q = parse_question("公开06表里住房公积金是多少？", [])
    assert q.table == "公开06表" and "公开" not in q.measure and "住房公积金" in q.measure


def test_parts_of_a_row_a_table_row_and_a_sentence() -> None:
    from core.models import Fact
    from qa.composed import _parts

    def fact(fid: str, value: str, line: int, **kw) -> Fact:
        return Fact(fact_id=fid, doc_id="d", value=Decimal(value), raw=value, line=line, char_start=kw.pop("at", 0),
                    char_end=kw.pop("end", 1), unit="万元", **{"kind": "cell", **kw})

    rows = [fact("a", "253.17", 1, table_id="T", column="决算数", row_code="201"),
            fact("b", "6.83", 2, table_id="T", column="决算数", row_code="20103", parent_code="201"),
            fact("c", "246.34", 3, table_id="T", column="决算数", row_code="20131", parent_code="201"),
            fact("x", "9.00", 3, table_id="T", column="预算数", row_code="20131", parent_code="201")]
    assert [f.fact_id for f in _parts(rows[0], rows)] == ["b", "c"]
    wide = [fact("t", "31.47", 9, table_id="公开07表", column="决算数/合计"),
            fact("u", "19.56", 9, table_id="公开07表", column="决算数/公务用车购置及运行费/小计"),
            fact("v", "19.56", 9, table_id="公开07表", column="决算数/公务用车购置及运行费/公务用车运行维护费"),
            fact("w", "0.30", 9, table_id="公开07表", column="决算数/公务接待费"),
            fact("p", "30.67", 9, table_id="公开07表", column="预算数/合计")]
    assert [f.fact_id for f in _parts(wide[0], wide)] == ["u", "w"]
    s = "会议费150万元，其中宣传报道50万元、住宿10万元，比上年增加20万元。"
    text = [fact("m", "150", 5, kind="text", sentence=s, phrase="会议费", at=3, end=9),
            fact("n", "50", 5, kind="text", sentence=s, phrase="宣传报道", at=15, end=19),
            fact("o", "10", 5, kind="text", sentence=s, phrase="住宿", at=22, end=25),
            fact("q", "20", 5, kind="text", sentence=s, phrase="比上年增加", at=31, end=34)]
    assert [f.fact_id for f in _parts(text[0], text)] == ["n", "o"]


def test_a_classifier_that_begins_a_word_stays_in_the_measure() -> None:
    from qa.resolve import want_dimension
    from qa.understand import measure_of

    assert "人口信息" in measure_of("采了多少人口信息", "lookup")[0]
    assert want_dimension("采了多少人口信息", "lookup") != "人"
    assert want_dimension("多少人参会", "lookup") == "人"
    assert measure_of("会议费是多少", "lookup")[0] == "会议费"


def test_two_known_words_side_by_side_are_two_asks() -> None:
    known = lambda phrase: phrase in {"城区", "农村", "网格员"}  # noqa: E731
    assert split_asks("城区农村各多少？", known) == ["城区各多少？", "农村各多少？"]
    assert split_asks("城区农村各多少？") == ["城区农村各多少？"]  # without the reports' words nothing is split
