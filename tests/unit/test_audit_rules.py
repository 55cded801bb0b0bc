"""The narrative audit rules over hand-made facts and lines: each fires on a constructed contradiction and stays
silent on the consistent version; the runner says which rules could not run on a document and why."""

from __future__ import annotations

import re
from decimal import Decimal

from core.models import Fact, Report
from qa.audit import Context
from qa.audit.crosscheck import (
    budget_vs_evaluation,
    narrative_items_vs_tables,
    scoped_carryover,
    share_denominators,
    unit_by_rate,
)
from qa.audit.labels import canonical, cell_key, text_key
from qa.audit.narrative import count_parts, stated_parts
from qa.audit.run import audit_with_coverage
from qa.audit.statements import same_item, stated_comparisons

REPORT = Report(doc_id="d", file="t.txt", org="测试单位", year=2023, doc_type="部门决算")
UNIT = re.compile(r"(万元|元|%|个|人)$")


class Doc:
    """Lines of a hand-made report; `fig` places a figure by its printed text (the n-th occurrence)."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        self.facts: list[Fact] = []

    def fig(self, line: int, raw: str, phrase: str, subject: str = "", nth: int = 0, rate_kind: str | None = None,
            rate_of: Fact | None = None) -> Fact:
        text = self.lines[line - 1]
        start = -1
        for _ in range(nth + 1):
            start = text.index(raw, start + 1)
        unit = m.group(1) if (m := UNIT.search(raw)) else ""
        num = raw[: len(raw) - len(unit)].strip()
        f = Fact(fact_id=f"d:{line}:{start}", doc_id="d", kind="text", value=Decimal(num.replace(",", "")), unit=unit, raw=raw,
                 decimals=len(num.split(".")[1]) if "." in num else 0, line=line, char_start=start,
                 char_end=start + len(raw), phrase=phrase, row_label=subject or phrase, rate_kind=rate_kind,
                 rate_of=rate_of.fact_id if rate_of else None)
        self.facts.append(f)
        return f

    def cell(self, table: str, line: int, label: str, column: str, value: str, title: str = "") -> Fact:
        f = Fact(fact_id=f"d:{line}:{column}:{label}", doc_id="d", kind="cell", value=Decimal(value), unit="万元",
                 raw=value, decimals=len(value.split(".")[1]) if "." in value else 0, line=line, char_start=0,
                 char_end=len(value), table_id=table, table_title=title or table, row_label=label, column=column)
        self.facts.append(f)
        return f

    def run(self, rule) -> list:
        lines = self.lines + ["x"] * max(0, 60 - len(self.lines))
        ctx = Context(REPORT, self.facts, lines, [])
        rule(ctx)
        return ctx.findings


def _procurement(goods: str) -> Doc:
    d = Doc(f"政府采购支出总额129.3万元，其中：政府采购货物支出{goods}万元、政府采购工程支出0万元、政府采购服务支出0万元。")
    d.fig(1, "129.3万元", "政府采购支出总额")
    d.fig(1, f"{goods}万元", "政府采购货物支出")
    d.fig(1, "0万元", "政府采购工程支出", nth=1 if goods == "0" else 0)
    d.fig(1, "0万元", "政府采购服务支出", nth=2 if goods == "0" else 1)
    return d


def test_stated_total_against_a_known_partition():
    [f] = _procurement("0").run(stated_parts)
    assert f.kind == "分项合计不符" and "0万元 + 0万元 + 0万元" in f.message.replace("[2]", "").replace("[3]", "").replace("[4]", "")
    assert _procurement("129.3").run(stated_parts) == []


def test_a_partial_list_under_its_total_is_silent_but_more_than_the_total_fires():
    ok = Doc("预算收入456.9万元，其中年初预算96.18万元，调整追加329.08万元。")
    ok.fig(1, "456.9万元", "预算收入"), ok.fig(1, "96.18万元", "年初预算"), ok.fig(1, "329.08万元", "调整追加")
    assert ok.run(stated_parts) == []
    bad = Doc("支出100.00万元，其中：基本支出80.00万元，项目支出30.00万元。")
    bad.fig(1, "100.00万元", "支出"), bad.fig(1, "80.00万元", "基本支出"), bad.fig(1, "30.00万元", "项目支出")
    [f] = bad.run(stated_parts)
    assert "110.00 > 100.00" in f.message


def _numbered(first_budget: str) -> Doc:
    d = Doc("财政拨款支出年初预算数为120万元，支出决算数为130万元，完成年初预算的108.33%，其中：",
            "1、一般公共服务支出（类）行政运行（项）。", f"年初预算为{first_budget}万元，支出决算为100万元。",
            "2、城乡社区支出（类）其他（项）。", "年初预算为20万元，支出决算为30元。", "六、基本支出")
    d.fig(1, "120万元", "财政拨款支出年初预算数"), d.fig(1, "130万元", "支出决算数", "财政拨款支出年初预算数为")
    d.fig(3, f"{first_budget}万元", "年初预算"), d.fig(3, "100万元", "支出决算")
    d.fig(5, "20万元", "年初预算"), d.fig(5, "30元", "支出决算")
    return d


def test_numbered_items_after_qizhong_add_up_by_role_with_a_unit_slip_read_in_the_common_unit():
    found = _numbered("90").run(stated_parts)
    assert [("年初预算数" in f.message, "110 < 120" in f.message) for f in found] == [(True, True)]
    assert _numbered("100").run(stated_parts) == []  # 100 + 20 = 120; 100 + 30(元 read as 万元) = 130


def test_parenthetical_breakdown_and_sibling_counts():
    line = "现有820个网格员（城区220个，农村600个），临聘专职网格员216人、兼职网格员597人。"
    d = Doc(line)
    t = d.fig(1, "820个", "现有")
    d.fig(1, "220个", "城区"), d.fig(1, "600个", "农村")
    d.fig(1, "216人", "临聘专职网格员"), d.fig(1, "597人", "兼职网格员")
    assert d.run(stated_parts) == []
    [f] = d.run(count_parts)
    assert "813" in f.message and f.fact_ids[0] == t.fact_id
    ok = Doc(line.replace("597", "604"))
    ok.fig(1, "820个", "现有"), ok.fig(1, "216人", "临聘专职网格员"), ok.fig(1, "604人", "兼职网格员")
    assert ok.run(count_parts) == []


def test_comparison_words_against_their_figures():
    d = Doc("年初预算为0万元，支出决算为6.61万元，决算数小于年初预算数的主要原因是：调整。")
    d.fig(1, "0万元", "年初预算"), d.fig(1, "6.61万元", "支出决算")
    [f] = d.run(stated_comparisons)
    assert "大于" in f.message
    ok = Doc("年初预算为10万元，支出决算为6.61万元，决算数小于年初预算数的主要原因是：节约。")
    ok.fig(1, "10万元", "年初预算"), ok.fig(1, "6.61万元", "支出决算")
    assert ok.run(stated_comparisons) == []
    flat = Doc("公务接待费支出决算为0万元，与上年持平，减少的主要原因是没有接待。")
    assert [f.kind for f in flat.run(stated_comparisons)] == ["表述与数字不符"]
    assert Doc("公务接待费支出决算为0万元，与上年持平。").run(stated_comparisons) == []


def test_same_item_stated_twice():
    d = Doc("财政拨款支出2213.70万元，占本年支出合计的99.61%。", "财政拨款支出年初预算数为2415.14万元，支出决算数为2222.46万元。")
    d.fig(1, "2213.70万元", "财政拨款支出")
    d.fig(2, "2415.14万元", "财政拨款支出年初预算数"), d.fig(2, "2222.46万元", "支出决算数", "财政拨款支出年初预算数为")
    [f] = d.run(same_item)
    assert f.kind == "前后不一致" and "8.76" in f.message
    ok = Doc("财政拨款支出2213.70万元。", "财政拨款支出年初预算数为2415.14万元，支出决算数为2213.70万元。")
    ok.fig(1, "2213.70万元", "财政拨款支出")
    ok.fig(2, "2415.14万元", "财政拨款支出年初预算数"), ok.fig(2, "2213.70万元", "支出决算数", "财政拨款支出年初预算数为")
    assert ok.run(same_item) == []


def test_labels_equivalent_by_data():
    assert canonical("开支培训费支出") == "培训费" and canonical("“三公”经费") == "三公经费"
    d = Doc("“三公”经费财政拨款支出预算为2万元，支出决算为0万元。")
    budget = d.fig(1, "2万元", "“三公”经费财政拨款支出预算")
    spent = d.fig(1, "0万元", "支出决算", "“三公”经费财政拨款支出预算为")
    title = "一般公共预算财政拨款“三公”经费支出决算表"
    total = d.cell("公开07表", 9, "", "决算数/合计", "2.00", title)
    assert text_key(spent, {"三公经费"}) == cell_key(total)
    assert text_key(budget, {"三公经费"}).role == "全年预算"  # type: ignore[union-attr]
    assert cell_key(d.cell("公开07表", 9, "", "决算数/公务接待费", "0", title)).item == "公务接待费"  # type: ignore[union-attr]


def test_narrative_item_against_its_table_row_under_other_wording():
    d = Doc("开支培训费14.24万元，用于培训。")
    d.fig(1, "14.24万元", "开支培训费")
    title = "一般公共预算财政拨款基本支出决算明细表"
    d.cell("公开06表", 9, "培训费", "决算数", "14.14", title)
    [f] = d.run(narrative_items_vs_tables)
    assert f.kind == "表文不一致" and "0.10" in f.message
    ok = Doc("开支培训费14.14万元。")
    ok.fig(1, "14.14万元", "开支培训费")
    ok.cell("公开06表", 9, "培训费", "决算数", "14.14", title)
    assert ok.run(narrative_items_vs_tables) == []
    other_fund = Doc("政府性基金预算财政拨款收入0万元。")
    other_fund.fig(1, "0万元", "政府性基金预算财政拨款收入")
    other_fund.cell("公开02表", 9, "合计", "财政拨款收入", "1960.73", "收入决算表")
    assert other_fund.run(narrative_items_vs_tables) == []


def test_project_budget_against_its_self_evaluation_table():
    def doc(initial: str) -> Doc:
        d = Doc("城乡社区支出（类）其他（项）。年初预算为349.32万元，支出决算为349.32万元，主要用于综治中心项目建设。")
        d.fig(1, "349.32万元", "年初预算"), d.fig(1, "349.32万元", "支出决算", nth=1)
        table = "2023年度项目支出绩效自评表（综治中心建设）"
        d.cell(table, 20, "年度资金总额", "年初预算数", initial), d.cell(table, 20, "年度资金总额", "全年执行数", "349.32")
        return d

    [f] = doc("0").run(budget_vs_evaluation)
    assert "综治中心建设" in f.message
    assert doc("349.32").run(budget_vs_evaluation) == []


def test_unit_slip_proven_by_the_printed_rate():
    d = Doc("年初预算为10万元，支出决算为29.46元，完成年初预算的294.6%。")
    d.fig(1, "10万元", "年初预算"), d.fig(1, "29.46元", "支出决算")
    d.fig(1, "294.6%", "完成年初预算", rate_kind="completion")
    [f] = d.run(unit_by_rate)
    assert f.kind == "单位疑误" and "29.46万元" in f.message
    ok = Doc("年初预算为10万元，支出决算为29.46万元，完成年初预算的294.6%。")
    ok.fig(1, "10万元", "年初预算"), ok.fig(1, "29.46万元", "支出决算")
    ok.fig(1, "294.6%", "完成年初预算", rate_kind="completion")
    assert ok.run(unit_by_rate) == []


def test_share_whose_named_denominator_does_not_give_it():
    def doc(rate: str) -> Doc:
        d = Doc("项目支出2093.41万元。", "财政拨款支出2213.70万元。",
                f"共涉及资金2093.41万元，占一般公共预算项目支出总额的{rate}%。")
        d.fig(1, "2093.41万元", "项目支出"), d.fig(2, "2213.70万元", "财政拨款支出")
        amount = d.fig(3, "2093.41万元", "涉及资金")
        d.fig(3, f"{rate}%", "占一般公共预算项目支出总额", rate_kind="share", rate_of=amount)
        return d

    [f] = doc("94.57").run(share_denominators)
    assert "2213.70" in f.message and "100.00%" in f.message
    assert doc("100").run(share_denominators) == []


def test_a_share_that_is_really_an_execution_rate():
    def doc(rate: str) -> Doc:
        d = Doc("“三公”财政拨款支出预算为5万元，支出决算为1.64万元。", f"“三公”经费预算总额仅占全部预算的{rate}%。")
        d.fig(1, "5万元", "“三公”财政拨款支出预算"), d.fig(1, "1.64万元", "支出决算", "“三公”财政拨款支出预算为")
        d.fig(2, f"{rate}%", "占全部预算", rate_kind="share")
        return d

    [f] = doc("32.8").run(share_denominators)
    assert "执行率" in f.message and "1.64" in f.message
    assert doc("0.3").run(share_denominators) == []


def test_scoped_total_cannot_carry_more_than_the_whole():
    def doc(scoped_total: str) -> Doc:
        d = Doc("收、支总计2222.46万元。", "收入合计2222.46万元，其中：财政拨款收入2213.7万元，其他收入8.76万元。",
                f"财政拨款收、支总计{scoped_total}万元。")
        d.fig(1, "2222.46万元", "收、支总计"), d.fig(2, "2222.46万元", "收入合计")
        d.fig(2, "2213.7万元", "财政拨款收入"), d.fig(2, "8.76万元", "其他收入")
        d.fig(3, f"{scoped_total}万元", "财政拨款收、支总计")
        return d

    [f] = doc("2222.46").run(scoped_carryover)
    assert "8.76" in f.message
    assert doc("2213.7").run(scoped_carryover) == []


def test_coverage_names_rules_that_could_not_run():
    d = Doc("开支培训费14.24万元。")
    d.fig(1, "14.24万元", "开支培训费")
    findings, cov = audit_with_coverage(REPORT, d.facts, d.lines, [])
    assert findings == []
    assert "公开01表" in cov.skipped["cross_tables"] and "narrative_items_vs_tables" in cov.skipped
    assert "人员经费合计" in cov.skipped["staff_public"]
    assert "stated_parts" in cov.ran and "same_item" in cov.ran


def test_web_answer_markdown_carries_the_audit_notes():
    from qa.answer_models import Answer, AuditNote
    from qa.present import answer_markdown

    note = AuditNote(kind="报告核查·表文不一致", message="测试单位2020年：「三公经费」决算数：正文 0万元 ≠ 公开07表 2.00万元")
    shown = answer_markdown(Answer(question="q", answer="三公经费决算为2.00万元[1]。", has_answer=True,
                                   engine="structured", audit=[note]))
    assert "报告核查·表文不一致" in shown and "正文 0万元" in shown
    plain = answer_markdown(Answer(question="q", answer="x", has_answer=True, engine="structured"))
    assert "报告核查" not in plain


def test_growth_against_the_budget_is_recomputed_and_the_base_used_is_named():
    from qa.audit.text import stated_rates

    def doc(rate: str) -> Doc:
        d = Doc(f"机关运行经费支出206.41万元，比年初预算数增加191.34万元，增长{rate}%。")
        d.fig(1, "206.41万元", "机关运行经费支出")
        inc = d.fig(1, "191.34万元", "比年初预算数增加")
        d.fig(1, f"{rate}%", "增长", rate_kind="growth", rate_of=inc)
        return d

    [f] = doc("92.7").run(stated_rates)
    assert "1269.67%" in f.message and "以本年数为基数" in f.message
    assert doc("1269.67").run(stated_rates) == []


def test_a_rate_outside_the_rounding_of_its_inputs_is_a_low_finding():
    from qa.audit.text import stated_rates

    def doc(rate: str) -> Doc:
        d = Doc(f"机关运行经费支出206.41万元，比上年决算数减少173.59万元，降低{rate}%。")
        d.fig(1, "206.41万元", "机关运行经费支出")
        dec = d.fig(1, "173.59万元", "比上年决算数减少")
        d.fig(1, f"{rate}%", "降低", rate_kind="growth", rate_of=dec)
        return d

    [f] = doc("45.2").run(stated_rates)
    assert f.kind == "比率尾差" and f.severity == "low" and "45.68%" in f.message
    assert doc("45.7").run(stated_rates) == [] and doc("45.68").run(stated_rates) == []


def test_scope_words_are_set_aside_to_find_the_item_and_wrapped_labels_are_not_items():
    d = Doc("一般公共预算财政拨款基本支出5377.64万元。")
    d.fig(1, "5377.64万元", "一般公共预算财政拨款基本支出")
    title = "一般公共预算财政拨款支出决算表"
    d.cell("表五", 9, "合计", "本年支出/基本支出", "5364.75", title)
    d.cell("财政拨款收入支出决算总表", 8, "一、一般公共预算财政拨款", "收入/决算数", "9746.50", "财政拨款收入支出决算总表")
    [f] = d.run(narrative_items_vs_tables)
    assert "「基本支出」" in f.message and "12.89" in f.message
    cut = Doc("19、社会保障和就业支出（类）红十字事业（款）一般行政", "管理事务（项）8.43 万元，主要用于红十字。",
              "25、城乡社区支出（类）城乡社区管理事务（款）一般行政", "管理事务（项）1037.82 万元，主要用于人大。")
    cut.fig(2, "8.43 万元", "管理事务（项）"), cut.fig(4, "1037.82 万元", "管理事务（项）")
    assert cut.run(same_item) == []
    whole = Doc("管理事务甲支出8.43万元。", "管理事务甲支出1037.82万元。")
    whole.fig(1, "8.43万元", "管理事务甲支出"), whole.fig(2, "1037.82万元", "管理事务甲支出")
    assert [f.kind for f in whole.run(same_item)] == ["前后不一致"]


def _nine_tables(basic: str, prefix: str = "公开0") -> Doc:
    d = Doc()
    title5, title6 = "一般公共预算财政拨款支出决算表", "一般公共预算财政拨款基本支出决算表"
    t5, t6 = (f"{prefix}5表", f"{prefix}6表") if prefix else (title5, title6)
    d.cell(t5, 1, "合计", "本年支出/基本支出", basic, title5)
    d.cell(t6, 2, "人员经费合计", "决算数", "10.00", title6)
    d.cell(t6, 3, "公用经费合计", "决算数", "5.00", title6)
    return d


def test_nine_table_identities_come_from_the_profiles_under_either_naming():
    from qa.audit.identities import profile_identities

    for prefix in ("公开0", ""):  # Hunan captions 公开05/06表, or the tables' names as Shanghai prints them
        assert _nine_tables("15.00", prefix).run(profile_identities) == []
        [f] = _nine_tables("16.00", prefix).run(profile_identities)
        assert f.kind == "表间不一致" and "10.00万元[2] + 5.00万元[3] = 15.00" in f.message


def test_identity_that_cannot_be_checked_is_in_the_coverage():
    d = _nine_tables("15.00")
    findings, cov = audit_with_coverage(REPORT, d.facts, ["x"] * 5, [])
    assert "profile_identities" in cov.ran
    assert any("公开01表" in k and "not found" in v for k, v in cov.skipped.items())


def test_changes_of_the_parts_add_up_to_the_stated_change():
    from qa.audit.narrative import change_parts

    def doc(second: str) -> Doc:
        d = Doc(f"“三公”经费支出比上年减少3.59万元，其中：公务用车费用减少3.59万元；公务接待费增加{second}万元。")
        d.fig(1, "3.59万元", "比上年减少"), d.fig(1, "3.59万元", "公务用车费用减少", nth=1)
        d.fig(1, f"{second}万元", "公务接待费增加")
        return d

    [f] = doc("0.3").run(change_parts)
    assert "−3.29" in f.message and "即减少3.29" in f.message and "0.30" in f.message
    assert doc("0").run(change_parts) == []
    named = Doc("财政拨款支出预算328,661万元，比上年增加115,649万元。财政拨款支出预算中，一般公共预算支出预算49,376万元，"
                "比上年减少5,965万元；政府性基金支出预算279,285万元，比上年增加119,614万元。")
    named.fig(1, "328,661万元", "财政拨款支出预算"), named.fig(1, "115,649万元", "比上年增加")
    named.fig(1, "49,376万元", "一般公共预算支出预算"), named.fig(1, "5,965万元", "比上年减少")
    named.fig(1, "279,285万元", "政府性基金支出预算"), named.fig(1, "119,614万元", "比上年增加", nth=0)
    assert [("113649.00" in f.message) for f in named.run(change_parts)] == [True]


def test_an_items_amount_against_its_own_actual():
    from qa.audit.statements import item_amounts

    def doc(actual: str) -> Doc:
        d = Doc("15、社会保障和就业支出（类）行政事业单位养老支出（款）", "职业年金缴费支出（项）269.85 万元，主要用于:",
                f"职业年金缴费支出。年初预算为 285.33 万元，支出决算为 {actual} 万元。", "16、其他（项）1.00 万元，主要用于:")
        d.fig(2, "269.85 万元", "职业年金缴费支出（项）")
        d.fig(3, "285.33 万元", "年初预算"), d.fig(3, f"{actual} 万元", "支出决算")
        d.fig(4, "1.00 万元", "其他（项）")
        return d

    [f] = doc("269.86").run(item_amounts)
    assert f.kind == "前后不一致" and f.severity == "low"
    assert doc("269.85").run(item_amounts) == []


def test_wrapped_lines_are_read_as_one_paragraph():
    from qa.audit.paragraphs import paragraphs, reread

    lines = ["一般公共预算财政拨款支出年初预算为 10210.34 万元，支", "出决算为 9746.50 万元，完成年初预算的 95.45%。",
             "===== page 3 =====", "（二）结构情况", "卫生健康支出(类)265.57 万元，", "占 1.31%。"]
    d = Doc(*lines)
    d.fig(1, "10210.34 万元", "年初预算"), d.fig(2, "9746.50 万元", "出决算")
    d.fig(2, "95.45%", "完成年初预算", rate_kind="completion")
    d.fig(5, "265.57 万元", "卫生健康支出(类)")
    rate = d.fig(6, "1.31%", "占", rate_kind="share")
    ctx = Context(REPORT, d.facts, lines, [])
    assert [(p.start, p.end) for p in paragraphs(ctx)] == [(1, 2), (3, 3), (4, 4), (5, 6)]
    again = {f.fact_id: f for f in reread(ctx)}
    assert again[rate.fact_id].rate_of == d.facts[3].fact_id and again[d.facts[1].fact_id].phrase == "支出决算"


def test_cells_without_a_column_or_that_are_codes_are_not_summed_and_are_counted():
    d = Doc()
    total = d.cell("表六", 1, "商品和服务支出", "决算数", "10.00")
    total.row_code = "302"
    child = d.cell("表六", 2, "办公费", "决算数", "4.00")
    child.row_code, child.parent_code = "30201", "302"
    code = d.cell("表六", 3, "印刷费", "决算数", "30218")  # a 科目编码 read as a value
    code.row_code, code.parent_code, code.decimals = "30202", "302", 0
    lost = d.cell("表六", 4, "邮电费", "列未定", "6.00")
    lost.row_code, lost.parent_code = "30207", "302"
    findings, cov = audit_with_coverage(REPORT, d.facts, ["x"] * 5, [])
    assert findings == []  # 4.00 short of 10.00, but a part of that table has no column
    assert "2 table figures" in cov.skipped["cells_without_column"]


def test_a_two_sided_row_is_two_rows():
    from qa.audit.tables import total_columns

    d = Doc()
    d.cell("收支总表", 1, "二、政府性基金预算", "预算数", "2792857000.00")
    d.cell("收支总表", 1, "二、卫生健康支出", "合计", "4484631.60")
    d.cell("收支总表", 1, "二、卫生健康支出", "一般公共预算", "4484631.60")
    d.cell("收支总表", 1, "二、卫生健康支出", "政府性基金预算", "0.00")
    assert d.run(total_columns) == []


def test_note_values_carry_the_unit_of_the_fact_they_cite():
    """A figure printed bare before its mark gets its fact's unit; one the message says it converted does not."""
    from qa.audit.context import with_units

    wan = Fact(fact_id="a", doc_id="d", org="o", year=2023, kind="text", value=Decimal("2213.7"), unit="万元",
               raw="2213.7万元", line=1, char_start=0, char_end=9)
    yuan = wan.model_copy(update={"fact_id": "b", "unit": "元", "raw": "29.46元", "value": Decimal("29.46")})
    pct = wan.model_copy(update={"fact_id": "c", "unit": "%", "raw": "15.31%"})
    msg = "收入 2213.7{0} − 29.46{1}（原文 29.46元，按万元计），下降15.31{2}，「合计」{0}"
    assert with_units(msg, [wan, yuan, pct]) == "收入 2213.7万元{0} − 29.46{1}（原文 29.46元，按万元计），下降15.31%{2}，「合计」{0}"


def test_a_scope_that_contains_another_is_never_below_it():
    """The family's bounds: the 三公 table's 公务接待费 (all 财政拨款) is at least the 基本支出 table's 公务接待费."""
    from qa.audit.identities import profile_bounds

    def doc(sangong: str) -> Doc:
        d = Doc()
        d.cell("财政拨款“三公”经费支出决算表", 1, "", "公务接待费/决算数", sangong)
        d.cell("一般公共预算财政拨款基本支出决算表", 2, "公务接待费", "决算数", "8.31")
        return d

    assert doc("8.31").run(profile_bounds) == [] and doc("9.00").run(profile_bounds) == []
    [f] = doc("0.30").run(profile_bounds)
    assert f.kind == "表间不一致" and "0.30万元[1] < 8.31万元[2]" in f.message
