"""A follow-up is looked up beside the figures the previous answer stated (hand-made facts)."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from qa.anchor import anchor_facts, neighbourhood
from qa.resolve import best, rank_facts

SENTENCE = "政府采购金额为1771.11万元，其中：货物采购金额73.47万元、工程采购金额147.42万元、服务采购金额1550.22万元"


def text(n: int, phrase: str, value: str, line: int = 10, section: str = "说明 › 政府采购", sentence: str = SENTENCE
         ) -> Fact:
    return Fact(fact_id=f"d:{n}", doc_id="d", kind="text", value=Decimal(value), unit="万元", raw=value + "万元",
                decimals=2, line=line, char_start=n, char_end=n + 4, phrase=phrase, sentence=sentence, section=section)


FACTS = [
    text(1, "政府采购金额", "1771.11"),
    text(2, "货物采购金额", "73.47"),
    text(3, "工程采购金额", "147.42"),
    text(4, "服务采购金额", "1550.22"),
    text(5, "一般行政管理事务（项）服务支出", "37.51", line=300, section="说明 › 支出", sentence="服务支出37.51万元"),
    text(6, "会议费", "1771.11", line=500, section="说明 › 三公", sentence="会议费1771.11万元"),
]


def test_the_previous_answer_figures_anchor_the_facts_that_state_them() -> None:
    anchors = anchor_facts("政府采购合同金额1771.11万元。", FACTS)
    assert [a.fact_id for a in anchors] == ["d:1", "d:6"]  # by value and unit: every fact stating it
    assert anchor_facts("共9辆，2025年", FACTS) == []  # years and small bare counts anchor nothing


def test_the_part_is_found_beside_the_whole_not_anywhere_in_the_report() -> None:
    near = neighbourhood([FACTS[0]], FACTS)
    assert {f.fact_id for f in near} == {"d:1", "d:2", "d:3", "d:4"}
    group = best(rank_facts(near, "服务类", "其中服务类多少？", "money"))
    assert group and group[0].fact.phrase == "服务采购金额"


def test_a_listed_whole_gives_its_parts_across_wrapped_lines() -> None:
    """共有车辆9辆，其中：…执法执勤用车5辆、… / (page marker) / …其他用车4辆。: the list goes on below its line."""
    from qa.composed import _parts

    def count(n: int, line: int, phrase: str, value: str, sentence: str) -> Fact:
        return Fact(fact_id=f"d:{line}:{n}", doc_id="d", kind="text", value=Decimal(value), unit="辆",
                    raw=value + "辆", decimals=0, line=line, char_start=n, char_end=n + 2, phrase=phrase,
                    sentence=sentence, section="说明 › 资产")

    facts = [count(10, 1, "共有车辆", "9", "共有车辆9辆，其中：执法执勤用车5辆、"),
             count(20, 1, "执法执勤用车", "5", "共有车辆9辆，其中：执法执勤用车5辆、"),
             count(5, 3, "其他用车", "4", "其他用车4辆。"), count(5, 4, "下一段车辆", "7", "另有7辆。")]
    assert [f.phrase for f in _parts(facts[0], facts)] == ["执法执勤用车", "其他用车"]
