"""List operations over hand-made facts of invented 单位 (no ingested report): the sum of parts a question lists,
checked against the whole the report prints; the changes of parts against the whole's change; the count of an
enumerated list (a table's numbered rows, a list under a heading) unless the report prints the count; a rate of
two counts the report prints side by side, refused when one count is missing or the rate is printed."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact, Report, TableModel
from qa.countrate import rate_counts, rate_of_counts, rate_stem
from qa.listcount import count_listed, inline_lists, numbered_rows, text_lists
from qa.listops import list_program, listed_parts, sum_of_listed, tolerance, whole_of
from qa.partchanges import change_of_parts, named_parts
from qa.structured import Draft, StructuredEngine
from qa.understand import Question, parse_question

R = Report(doc_id="a", file="2031_青禾县示范服务中心_部门决算.txt", org="青禾县示范服务中心", region="青禾县",
           year=2031, doc_type="部门决算")


def fact(fid: str, value: str, phrase: str, sentence: str, line: int, at: int, unit: str = "万元",
         section: str = "三、采购情况", **kw: object) -> Fact:
    return Fact(fact_id=fid, doc_id="a", kind="text", value=Decimal(value), raw=value + unit, unit=unit, line=line,
                char_start=at, char_end=at + len(value), phrase=phrase, sentence=sentence, section=section,
                decimals=len(value.split(".")[1]) if "." in value else 0, **kw)


def engine(facts: list[Fact], lines: list[str] | None = None) -> tuple[StructuredEngine, Draft]:
    d = Draft(reports={"a": R}, lines_for={"a": lines or [""] * 40})
    return StructuredEngine({"a": facts}, d), d


def ask(text: str) -> Question:
    return parse_question(text, [R])


# -- the sum of listed parts -------------------------------------------------------------------------------------
S = "本年度采购总额为31.40万元，其中：器材采购金额10.11万元、"
S2 = "本年度采购总额为31.40万元，其中：器材采购金额10.11万元、修缮采购金额12.20万元、咨询采购金额9.07万元。"


def purchases(total: str = "31.40") -> list[Fact]:
    return [fact("w", total, "本年度采购总额", S, 5, 8), fact("p1", "10.11", "器材采购金额", S, 5, 25),
            fact("p2", "12.20", "修缮采购金额", S2, 6, 0), fact("p3", "9.07", "咨询采购金额", S2, 6, 15),
            fact("x", "3.00", "办公费", "办公费3.00万元。", 9, 3, section="四、其他")]


def test_the_parts_a_question_lists() -> None:
    assert listed_parts("青禾县31年采购器材、修缮、咨询三类加起来是多少？", "采购器材、修缮、咨询三类加起来") == \
        ["采购器材", "修缮", "咨询"]
    assert listed_parts("青禾县31年甲费、乙费和丙费合计多少？", "甲费、乙费") == ["甲费", "乙费", "丙费"]
    assert listed_parts("青禾县基本支出和项目支出加起来多少？", "基本支出") == ["基本支出", "项目支出"]
    known = {"商品和服务支出"}.__contains__
    assert listed_parts("工资福利支出、商品和服务支出一共多少？", "工资福利支出、商品和服务支出", known) == \
        ["工资福利支出", "商品和服务支出"]  # a name the reports print with 和 is one part
    assert listed_parts("2030年和2031年一共花了多少？", "花") == []  # years are no parts
    assert listed_parts("器材采购金额是多少？", "器材采购金额") == []  # nothing combined
    assert listed_parts("建设和管理中心2031年一共收入多少？", "收入") == []  # a 单位's name is no list


def test_sum_of_listed_parts_against_a_whole_off_by_rounding() -> None:
    eng, d = engine(purchases("31.39"))
    assert sum_of_listed(eng, R, ask("青禾县31年采购器材、修缮、咨询三类加起来是多少？"))
    assert "10.11万元 + 12.20万元 + 9.07万元 = 31.38万元" in d.text
    assert "31.39万元" in d.text and "尾数差异" in d.text and not d.audit
    assert len(d.citations) == 4  # the three parts and the whole


def test_sum_of_listed_parts_that_contradict_the_whole() -> None:
    eng, d = engine(purchases("35.00"))
    assert sum_of_listed(eng, R, ask("青禾县31年器材、修缮和咨询采购金额一共多少？"))
    assert "31.38万元" in d.text and "数据不一致" in d.text and d.audit and d.audit[0].kind == "数据不一致"


def test_sum_equal_to_the_whole_and_a_whole_of_more_parts_is_not_compared() -> None:
    eng, d = engine(purchases("31.38"))
    assert sum_of_listed(eng, R, ask("青禾县31年器材、修缮、咨询三类加起来是多少？")) and "一致" in d.text
    eng, d = engine(purchases())
    assert sum_of_listed(eng, R, ask("青禾县31年器材和修缮采购加起来是多少？"))
    assert "22.31万元" in d.text and "31.40" not in d.text  # two of three parts: no whole to check against
    assert whole_of([purchases()[1], purchases()[2]], purchases()) is None


def test_parts_printed_apart_are_not_summed() -> None:
    far = purchases()[:2] + [fact("p2", "12.20", "修缮采购金额", "修缮采购金额12.20万元。", 30, 0, section="九、附注")]
    eng, _ = engine(far)
    assert not sum_of_listed(eng, R, ask("青禾县31年器材、修缮两类加起来是多少？"))


def test_a_part_printed_inside_another_is_not_summed() -> None:
    s = "全县共有300名骨干队员（其中青年队员120人），登记活动25个。"
    facts = [fact("v1", "300", "全县共有", s, 3, 4, unit="名"), fact("v2", "120", "青年队员", s, 3, 20, unit="人"),
             fact("v3", "25", "登记活动", s, 3, 30, unit="个")]
    eng, d = engine(facts)
    assert not sum_of_listed(eng, R, ask("青禾县31年青年队员和骨干队员一共多少人？"))
    assert not d.citations


def test_rounding_tolerance_follows_the_printed_precision() -> None:
    fs = purchases()
    assert tolerance(fs[:4]) == Decimal("0.02")
    assert tolerance([fact("i", "49376", "", "", 1, 0), fact("j", "279285.70", "", "", 1, 9)]) == Decimal(1)


# -- changes of parts against the whole's change ----------------------------------------------------------------
C1 = "支出预算5000万元，其中：财政拨款支出预算5000万元，比2030年预算增加900万元。"
C2 = "财政拨款支出预算中，一般公共预算拨款支出预算1200万元，比2030年预算减少100万元；"
C3 = "政府性基金拨款支出预算3800万元，比2030年预算增加800万元。"


def budget_facts(change_b: str = "800") -> list[Fact]:
    return [fact("t", "5000", "支出预算", C1, 1, 4, section="四、说明"),
            fact("w", "5000", "财政拨款支出预算", C1, 1, 20, section="四、说明"),
            fact("wc", "900", "比2030年预算增加", C1, 1, 40, section="四、说明"),
            fact("a", "1200", "一般公共预算拨款支出预算", C2, 2, 25, section="四、说明"),
            fact("ac", "100", "比2030年预算减少", C2, 2, 40, section="四、说明"),
            fact("b", "3800", "政府性基金拨款支出预算", C3, 3, 12, section="四、说明"),
            fact("bc", change_b, "比2030年预算增加", C3, 3, 30, section="四、说明")]


def test_the_parts_a_passage_names_after_the_whole() -> None:
    fs = budget_facts()
    assert [f.fact_id for f in named_parts(fs[1], fs)] == ["a", "b"]


def test_changes_of_parts_against_the_whole() -> None:
    eng, d = engine(budget_facts("1000"))
    q = ask("青禾县31年财政拨款支出预算比30年多了多少？")
    assert q.intent == "growth" and change_of_parts(eng, R, q)
    assert "900万元" in d.text and "1000万元 − 100万元 = 900万元" in d.text and not d.audit
    eng, d = engine(budget_facts("800"))
    assert change_of_parts(eng, R, q)
    assert "合计增加700万元" in d.text and "相差200万元" in d.text and d.audit


# -- the count of an enumerated list ----------------------------------------------------------------------------
def units_table() -> TableModel:
    rows = [["序号", "单位名称", "备注"], ["1", "青禾县示范服务中心（本级）", ""], ["2", "青禾县甲站", ""],
            ["3", "青禾县乙所", ""]]
    return TableModel(doc_id="a", table_id="表格1", title="表格1", section="一、概况 › 二、部门决算单位构成",
                      start=12, end=15, columns=rows[0], rows=rows, n_header=1,
                      row_lines=[(12, 12), (13, 13), (14, 14), (15, 15)])


LINES = ["第一部分 概况", "一、主要职能", "1.负责示范工作。", "2.负责培训工作，", "组织考核。", "3.完成交办任务。",
         "二、部门决算单位构成", "", "", "纳入青禾县示范服务中心2031年度部门决算编制范围的单位包括：", "", "序号	单位名称	备注",
         "1	青禾县示范服务中心（本级）", "2	青禾县甲站", "3	青禾县乙所"]


def test_numbered_rows_and_lists() -> None:
    assert [n for _, n in numbered_rows(units_table())] == ["青禾县示范服务中心（本级）", "青禾县甲站", "青禾县乙所"]
    codes = units_table().model_copy(update={"rows": [["科目编码", "科目名称"], ["301", "工资"], ["302", "商品"]]})
    assert numbered_rows(codes) == []  # codes, not a numbering
    lists = text_lists(LINES)
    assert len(lists) == 1 and len(lists[0].items) == 3 and lists[0].section == "一、主要职能"


def test_count_of_a_tables_numbered_rows_and_of_a_list_under_a_heading() -> None:
    eng, d = engine([], LINES)
    assert count_listed(eng, R, ask("青禾县示范服务中心下面有几家单位纳入部门决算？"), lambda _: [units_table()])
    assert "共3家" in d.text and len(d.citations) == 3 and d.citations[2].line == 15
    eng, d = engine([], LINES)
    assert count_listed(eng, R, ask("青禾县示范服务中心有几项职责？"), lambda _: [units_table()])
    assert "共3项" in d.text
    eng, d = engine([], LINES)
    assert not count_listed(eng, R, ask("青禾县示范服务中心有几个科室？"), lambda _: [units_table()])


def test_a_list_run_into_the_text_after_a_colon() -> None:
    lines = ["一、主要职能", "青禾县示范服务中心是县政府的派出机构，在辖区内行使", "管理职能。",
             "中心职能主要有：1.指导示范站建设、", "制度建设。2.开展便民服务，价格2.5元。3.兴办", "公益事业。", "",
             "二、部门决算单位构成"]
    lists = inline_lists(lines)
    assert len(lists) == 1 and [n for _, n in lists[0].items] == ["指导示范站建设、制度建设", "开展便民服务", "兴办公益事业"]
    assert [ln for ln, _ in lists[0].items] == [4, 5, 5] and lists[0].section == "一、主要职能"
    eng, d = engine([], lines)
    assert count_listed(eng, R, ask("青禾县示范服务中心有几项主要职能？"), lambda _: [])
    assert "共3项" in d.text
    eng, d = engine([], lines)
    assert not count_listed(eng, R, ask("青禾县示范服务中心有几个科室？"), lambda _: [])


def test_a_count_the_report_prints_wins() -> None:
    printed = fact("n", "4", "纳入部门决算的单位", "纳入部门决算的单位4家。", 9, 9, unit="家", section="二、部门决算单位构成")
    eng, d = engine([printed], LINES)
    assert not count_listed(eng, R, ask("青禾县示范服务中心下面有几家单位纳入部门决算？"), lambda _: [units_table()])


# -- a rate of two counts ---------------------------------------------------------------------------------------
P = "截止9月1日“青禾码”在线登记数2000人，站员复核数1990人，为工作把好关口。"


def counts() -> list[Fact]:
    return [fact("c1", "2000", "9月1日“青禾码”在线登记数", P, 7, 18, unit="人"),
            fact("c2", "1990", "站员复核数", P, 7, 30, unit="人")]


def test_a_rate_named_by_its_word() -> None:
    assert rate_stem("青禾码站员复核率") == "青禾码站员复核"
    assert rate_stem("预算执行率") == ""  # the structured engine's own rate
    num, base = rate_counts(counts(), "青禾码站员复核") or (None, None)
    assert num is not None and base is not None and (num.fact_id, base.fact_id) == ("c2", "c1")
    eng, d = engine(counts())
    q = ask("青禾县青禾码的站员复核率是多少？")
    assert list_program(eng, R, q, lambda _: []) and "99.50%" in d.text and "1990人 ÷ 2000人" in d.text


def test_no_rate_without_both_counts_or_when_the_rate_is_printed() -> None:
    eng, _ = engine(counts()[1:])
    assert not rate_of_counts(eng, R, ask("青禾县青禾码的站员复核率是多少？"))  # the base is not given
    eng, _ = engine(counts())
    assert not rate_of_counts(eng, R, ask("青禾县青禾码的站员培训率是多少？"))  # no count of 培训
    printed = fact("c3", "99.5", "复核率", "复核率99.5%。", 8, 3, unit="%")
    eng, _ = engine([*counts(), printed])
    assert not rate_of_counts(eng, R, ask("青禾县青禾码的站员复核率是多少？"))
