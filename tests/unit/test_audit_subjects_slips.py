"""The same 科目 across tables (`subject_columns`, columns named by the family profile), a rate whose operands are
stated elsewhere in its section (`section_rates`) and text slips (`text_slips`): each fires on hand-made facts
and lines with the defect and stays silent on the consistent version."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact, Report
from qa.audit import Context
from qa.audit.subjects import subject_columns

REPORT = Report(doc_id="d", file="t.txt", org="测试单位", year=2024, doc_type="部门决算")


def cell(table: str, line: int, label: str, column: str, value: str, code: str | None = None) -> Fact:
    return Fact(fact_id=f"d:{line}:{column}:{label}:{value}", doc_id="d", kind="cell", value=Decimal(value), unit="万元",
                raw=value, decimals=len(value.split(".")[1]) if "." in value else 0, line=line, char_start=0,
                char_end=len(value), table_id=table, table_title=table, row_label=label, row_code=code, column=column)


def run(rule, facts: list[Fact], lines: list[str] | None = None, report: Report = REPORT) -> list:  # type: ignore[no-untyped-def]
    ctx = Context(report, facts, (lines or []) + ["x"] * 60, [])
    rule(ctx)
    return ctx.findings


def _tables(total: str, spent: str, fiscal: str) -> list[Fact]:
    return [cell("收入支出决算总表", 1, "九、卫生健康支出", "支出/决算数", total),
            cell("收入支出决算总表", 2, "本年支出合计", "支出/决算数", "300.00"),
            cell("支出决算表", 10, "卫生健康支出", "本年支出合计", spent, "210"),
            cell("支出决算表", 10, "卫生健康支出", "基本支出", spent, "210"),
            cell("支出决算表", 11, "行政单位医疗", "本年支出合计", spent, "2101101"),
            # the 财政拨款 总表 of a PDF whose left half is empty: columns left blank, both the same value
            cell("财政拨款收入支出决算总表", 20, "九、卫生健康支出", "", fiscal),
            cell("财政拨款收入支出决算总表", 20, "九、卫生健康支出", "", fiscal),
            cell("一般公共预算财政拨款支出决算表", 30, "卫生健康支出", "合计", spent, "210")]


def test_same_subject_in_two_tables_must_agree():
    [drift] = run(subject_columns, _tables("236.63", "236.64", "236.64"))
    assert drift.kind == "尾数差异" and drift.severity == "low"
    assert "210 卫生健康支出" in drift.message and "236.63万元[1]" in drift.message and "236.64万元[2]" in drift.message
    assert [c.line for c in drift.citations] == [1, 10]
    found = run(subject_columns, _tables("236.64", "236.64", "226.64"))
    assert [(f.kind, f.severity) for f in found] == [("表间不一致", "high")]
    assert "一般公共预算财政拨款支出" in found[0].message and [c.line for c in found[0].citations] == [20, 30]


def test_same_subject_silent_when_consistent_or_not_comparable():
    assert run(subject_columns, _tables("236.64", "236.64", "236.64")) == []
    # 基本支出 of the 支出决算表 is not a column the profile compares with the 总表
    other = [cell("收入支出决算总表", 1, "九、卫生健康支出", "支出/决算数", "236.64"),
             cell("支出决算表", 10, "卫生健康支出", "基本支出", "200.00", "210")]
    assert run(subject_columns, other) == []
    # blank-column cells that disagree (合计 ≠ 一般公共预算 when a fund is there too) are not guessed
    ambiguous = [cell("财政拨款收入支出决算总表", 20, "十九、住房保障支出", "", "1181.78"),
                 cell("财政拨款收入支出决算总表", 20, "十九、住房保障支出", "", "1076.78"),
                 cell("一般公共预算财政拨款支出决算表", 30, "住房保障支出", "合计", "1076.78", "221")]
    assert run(subject_columns, ambiguous) == []


def test_same_subject_in_a_budget_with_year_prefixed_table_names():
    budget = Report(doc_id="d", file="b.txt", org="测试单位", year=2026, doc_type="部门预算")
    facts = [cell("2026年部门财务收支预算总表", 1, "一、社会保障和就业支出", "预算数", "100.00"),
             cell("2026年部门支出预算总表", 5, "社会保障和就业支出", "合计", "110.00", "208")]
    [f] = run(subject_columns, facts, report=budget)
    assert f.kind == "表间不一致" and "本年支出预算" in f.message
    facts[1] = cell("2026年部门支出预算总表", 5, "社会保障和就业支出", "合计", "100.00", "208")
    assert run(subject_columns, facts, report=budget) == []


def text(line: int, lines: list[str], raw: str, phrase: str, section: str = "七、三公说明", rate_kind: str | None = None,
         rate_of: Fact | None = None, sentence: str = "") -> Fact:
    start = lines[line - 1].index(raw)
    unit = "%" if raw.endswith("%") else "万元"
    num = raw[: len(raw) - len(unit)].strip()
    return Fact(fact_id=f"d:{line}:{start}", doc_id="d", kind="text", value=Decimal(num), unit=unit, raw=raw,
                decimals=len(num.split(".")[1]) if "." in num else 0, line=line, char_start=start,
                char_end=start + len(raw), phrase=phrase, row_label=phrase, section=section, rate_kind=rate_kind,
                rate_of=rate_of.fact_id if rate_of else None, sentence=sentence)


SANGONG = ["公务用车购置及运行维护费支出决算为19.56万元，完成预算的63.78%。",
           "",
           "2025年度三公经费支出决算数比2024年度减少3.59万元，下降15.31%，其中：公务用车购置及运行维护费支出决算减少3.59万元，下降{r}%。"]


def _sangong(rate: str, section2: str = "七、三公说明") -> list[Fact]:
    lines = [SANGONG[0], SANGONG[1], SANGONG[2].replace("{r}", rate)]
    now = text(1, lines, "19.56万元", "公务用车购置及运行维护费支出决算")
    change = text(3, lines, "3.59万元", "公务用车购置及运行维护费支出决算减少", section2, sentence=lines[2])
    start = lines[2].rindex(rate + "%")
    r = text(3, lines, rate + "%", "下降", section2, rate_kind="growth", rate_of=change)
    r = r.model_copy(update={"char_start": start, "char_end": start + len(rate) + 1, "fact_id": f"d:3:{start}"})
    return [now, change, r]


def test_growth_rate_whose_current_figure_is_in_another_paragraph_of_its_section():
    from qa.audit.section_rates import section_rates

    lines = [SANGONG[0], SANGONG[1], SANGONG[2].replace("{r}", "15.31")]
    [f] = run(section_rates, _sangong("15.31"), lines)
    assert f.kind == "比率尾差" and f.severity == "low"
    assert "3.59万元[2] ÷ (19.56万元[1] + 3.59) = 15.51%" in f.message and "15.31%[3]" in f.message
    lines = [SANGONG[0], SANGONG[1], SANGONG[2].replace("{r}", "25.31")]
    assert run(section_rates, _sangong("25.31"), lines)[0].kind == "比率不符"


def test_growth_rate_silent_when_right_or_when_the_item_is_stated_in_another_section():
    from qa.audit.section_rates import section_rates

    lines = [SANGONG[0], SANGONG[1], SANGONG[2].replace("{r}", "15.51")]
    assert run(section_rates, _sangong("15.51"), lines) == []
    lines = [SANGONG[0], SANGONG[1], SANGONG[2].replace("{r}", "15.31")]
    assert run(section_rates, _sangong("15.31", section2="八、其他说明"), lines) == []


def test_completion_rate_whose_budget_is_in_the_sections_table():
    from qa.audit.section_rates import section_rates

    lines = ["公务接待费支出决算为0.39万元，完成预算的{r}%。"]

    def facts(r: str) -> list[Fact]:
        ls = [lines[0].replace("{r}", r)]
        spent = text(1, ls, "0.39万元", "公务接待费支出决算")
        return [spent, text(1, ls, r + "%", "完成预算", rate_kind="completion", rate_of=spent),
                cell("财政拨款“三公”经费支出决算表", 20, "", "公务接待费/预算数", "2.85"),
                cell("财政拨款“三公”经费支出决算表", 20, "", "公务接待费/决算数", "0.39")]

    assert run(section_rates, facts("13.68"), [lines[0].replace("{r}", "13.68")]) == []
    [f] = run(section_rates, facts("31.68"), [lines[0].replace("{r}", "31.68")])
    assert f.kind == "比率不符" and "0.39万元[2] ÷ 2.85万元[1] = 13.68%" in f.message


def _slips(lines: list[str]) -> list:  # type: ignore[type-arg]
    from qa.audit.slips import text_slips

    return run(text_slips, [], lines)


def test_text_slips_fire_on_a_rate_without_percent_a_template_hint_and_a_doubled_word():
    lines = ["城乡社区支出(类)15411.43万元，占 76.23;住房保障支出(类)1076.78万元，占5.33%。",
             "比上年增加1193.20万元，增长 13.95。年初预算为0.00万元，支出决算为",
             "4.19。三公经费比上年减少0.15万元，下降（增长）27.78%。",
             "编报绩效目标的项目247个。（绩效目标管理工作情况，以及编报绩效目标的项目数量、单位数量等）",
             "财政拨款收入比2025年预算增加增加27.45万元。"]
    found = {f.citations[0].line: f for f in _slips(lines)}
    assert all(f.kind == "文字疏漏" and f.severity == "low" for f in found.values())
    assert "“占76.23”" in found[1].message and "%" in found[1].message
    assert "“增长13.95”" in found[2].message
    assert "“决算为4.19”" in found[2].message and "单位" in found[2].message  # wrapped: cited where it starts
    assert "“下降（增长）”" in found[3].message
    assert "编写提示" in found[4].message
    assert "“增加增加”" in found[5].message


def test_text_slips_silent_on_clean_text_wrapped_units_and_blank_templates():
    clean = ["城乡社区支出15411.43万元，占76.23%；比上年增长 13.95",
             "%，支出决算为55,732.43万元，完成预算的98.5%。",
             "七、绩效目标",
             "（包括总目标、年度目标、分解目标等，具体见表格）",
             "上海市普陀区2026年区级部门预算",
             "预算主管部门：某局"]
    assert _slips(clean) == []
    template = ["XX万元，比上年增加（减少）XX万元，增长（下降）XX%。", "支出XX万元，占XX%。"]
    assert _slips(template) == []


def test_subject_names_not_in_any_table_fire_with_the_row_of_the_same_amount():
    from qa.audit.subjects import subject_names

    lines = ["5、社会保障和就业支出（类）行政事业单位养老支出（款）",
             "机关事业单位退休人员活动费支出（项）。年初预算为 0.88 万元，支出决算为 0.88 万元。",
             "10、文化体育与传媒支出（类）体育（款）群众体育（项）20.00 万元。"]
    amount = text(2, lines, "0.88 万元", "年初预算")
    facts = [amount, cell("支出决算表", 30, "社会保障和就业支出", "本年支出合计", "100.00", "208"),
             cell("支出决算表", 31, "行政事业单位养老支出", "本年支出合计", "50.00", "20805"),
             cell("支出决算表", 32, "其他行政事业单位养老支出", "本年支出合计", "0.88", "2080599"),
             cell("支出决算表", 33, "文化旅游体育与传媒支出", "本年支出合计", "20.00", "207"),
             cell("支出决算表", 34, "体育", "本年支出合计", "20.00", "20703"),
             cell("支出决算表", 35, "群众体育", "本年支出合计", "20.00", "2070308")]
    found = {f.citations[0].line: f for f in run(subject_names, facts, lines)}
    assert set(found) == {2, 3} and all(f.kind == "科目名称不符" and f.severity == "low" for f in found.values())
    assert "机关事业单位退休人员活动费支出（项）" in found[2].message and "2080599 其他行政事业单位养老支出" in found[2].message
    assert "“文化体育与传媒支出（类）”" in found[3].message and "文化旅游体育与传媒支出" in found[3].message


def test_subject_names_silent_when_the_tables_carry_them_even_wrapped_or_without_trailing_zhichu():
    from qa.audit.subjects import subject_names

    lines = ["1、一般公共服务（类）人大事务（款）行政运行（项）10.00 万元，主要用于：",
             "2、住房保障支出（类）住房改革支出（款）其他住房改革支",
             "出（项）5.00 万元。"]
    facts = [cell("支出决算表", 30, "一般公共服务支出", "本年支出合计", "10.00", "201"),
             cell("支出决算表", 31, "人大事务", "本年支出合计", "10.00", "20101"),
             cell("支出决算表", 32, "行政运行", "本年支出合计", "10.00", "2010101"),
             cell("支出决算表", 33, "住房保障支出", "本年支出合计", "5.00", "221"),
             cell("支出决算表", 34, "住房改革支出", "本年支出合计", "5.00", "22102"),
             cell("支出决算表", 35, "其他住房改革支出", "本年支出合计", "5.00", "2210299")]
    assert run(subject_names, facts, lines) == []
