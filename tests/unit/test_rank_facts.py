"""Fact ranking for a measure over hand-made facts: the row that names the measure wins, the budget column is
chosen when a budget is asked, the dimension excludes facts of another kind, and a weak match is not `best`."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from qa.resolve import best, rank_facts


def cell(fid: str, row: str, column: str, value: str, unit: str = "万元") -> Fact:
    return Fact(fact_id=fid, doc_id="d", kind="cell", value=Decimal(value), unit=unit, raw=value, decimals=2,
                line=int(fid[1:]), char_start=0, char_end=4, table_id="公开06表", table_title="基本支出决算表",
                row_label=row, column=column)


def text(fid: str, phrase: str, value: str, unit: str = "万元") -> Fact:
    return Fact(fact_id=fid, doc_id="d", kind="text", value=Decimal(value), unit=unit, raw=value + unit, decimals=2,
                line=int(fid[1:]), char_start=0, char_end=4, phrase=phrase, sentence=f"{phrase}{value}{unit}。")


FACTS = [
    cell("f1", "培训费", "决算数", "14.14"),
    cell("f2", "培训费", "预算数", "15.00"),
    cell("f3", "会议费", "决算数", "3.20"),
    cell("f4", "基本工资", "决算数", "320.50"),
    text("f5", "培训费支出", "14.24"),
    text("f6", "执行率", "95.1", "%"),
]


def test_the_row_that_names_the_measure_wins() -> None:
    ranked = rank_facts(FACTS, "会议费", "会议费是多少", "money")
    assert ranked[0].fact.fact_id == "f3"
    assert all(s.fact.row_label != "基本工资" for s in best(ranked))


def test_a_budget_question_takes_the_budget_column() -> None:
    winners = best(rank_facts(FACTS, "培训费", "培训费预算是多少", "money", budget="预算"))
    assert [s.fact.fact_id for s in winners] == ["f2"]


def test_a_final_figure_question_leaves_the_budget_column_out() -> None:
    winners = {s.fact.fact_id for s in best(rank_facts(FACTS, "培训费", "培训费是多少", "money"))}
    assert "f2" not in winners and "f1" in winners


def test_the_dimension_excludes_other_kinds_of_value() -> None:
    ranked = rank_facts(FACTS, "执行率", "执行率是多少", "ratio")
    assert ranked and all(s.fact.unit == "%" for s in ranked)


def test_nothing_close_enough_is_no_answer() -> None:
    assert best(rank_facts(FACTS, "公务用车购置费", "公务用车购置费是多少", "money")) == []


def test_near_ties_with_different_labels_are_two_measures_not_a_contradiction() -> None:
    from qa.resolve import same_measure

    buy = text("f11", "公务用车购置费", "0")
    both = text("f12", "公务用车购置及运行费", "9.38")
    total = cell("f13", "人员经费合计", "决算数", "4884.09")
    said = text("f14", "人员经费", "4896.98")
    assert not same_measure(buy, both)
    assert same_measure(total, said)  # one label holds the other: the same measure, stated twice
    early = [text(f"f2{i}", "年初预算", v).model_copy(update={"section": f"说明 › {item}"})
             for i, (v, item) in enumerate([("511.66", "文化展示（项）"), ("3063.71", "图书馆（项）")])]
    assert not same_measure(*early)  # a bare column word names the measure only with its item heading
    assert same_measure(early[0], early[0].model_copy(update={"fact_id": "f99", "value": Decimal("5")}))


def test_filler_characters_go_as_words_not_inside_words() -> None:
    from qa.understand import drop_fillers

    assert drop_fillers("实有人数是多少") == "实有人数"
    assert drop_fillers("人员经费的有吗") == "人员经费"


def test_an_execution_rate_divides_by_a_budget_figure_only() -> None:
    from qa.resolve import states_budget

    assert states_budget(cell("f31", "培训费", "预算数", "15.00"))
    assert not states_budget(cell("f32", "培训费", "决算数", "14.14"))
    assert not states_budget(cell("f33", "文化展示及纪念机构", "本年支出合计", "1700.57"))
    assert states_budget(text("f34", "年初预算", "6832.84"))


def test_a_bare_phrase_takes_the_sentences_subject_without_its_predicate() -> None:
    from qa.resolve import label_of

    f = text("f41", "支出决算", "19.86").model_copy(update={"row_label": "“三公”经费财政拨款支出年初预算为"})
    assert label_of(f) == "三公财政拨款支出决算"  # norm() writes 三公经费 as 三公
    bare = text("f42", "支出决算", "200.47").model_copy(update={"row_label": "年初预算为"})
    assert label_of(bare) == "支出决算"  # no subject left once its predicate goes


def test_the_total_of_the_table_named_for_the_measure_states_it() -> None:
    """“三公”经费支出决算表 合计/决算数 is 三公经费, formally: it leads a sentence that restates it with more words."""
    total = cell("f51", "合计", "决算数/合计", "2.00").model_copy(update={"table_title": "财政拨款“三公”经费支出决算表"})
    said = text("f52", "支出决算", "0").model_copy(update={"row_label": "“三公”经费财政拨款支出预算为",
                                                          "sentence": "“三公”经费财政拨款支出预算为2万元，支出决算为0万元。"})
    assert best(rank_facts([said, total], "三公经费", "三公经费是多少？", "money"))[0].fact is total


def test_a_stated_change_is_not_the_figure_it_is_the_change_of() -> None:
    from qa.resolve import same_measure

    level = cell("f31", "三公经费合计", "决算数", "0.39")
    change = text("f32", "三公经费支出决算数比2029年度减少", "0.15")
    assert not same_measure(level, change)
    rate = text("f33", "三公经费", "13.68", "%").model_copy(update={"rate_kind": "completion"})
    assert not same_measure(text("f34", "三公经费", "0.39"), rate)


def test_a_second_ranking_of_the_same_measure_reuses_the_scores(monkeypatch) -> None:
    import qa.resolve as resolve

    calls = []
    real = resolve.scored_parts
    monkeypatch.setattr(resolve, "scored_parts", lambda *a: calls.append(1) or real(*a))
    first = rank_facts(FACTS, "培训费", "示例局培训费复用是多少", "money")
    n = len(calls)
    again = rank_facts(FACTS, "培训费", "示例局培训费复用是多少", "money")
    assert n > 0 and len(calls) == n, "the same measure and question: no fact scored twice"
    assert [(s.fact.fact_id, s.score) for s in again] == [(s.fact.fact_id, s.score) for s in first]
    rank_facts(FACTS, "培训费", "示例局培训费预算复用是多少", "money", budget="预算")
    assert len(calls) > n, "another budget is another score"
