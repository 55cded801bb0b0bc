"""Graded evidence that a measure is not in a report: the share of its naming words (nouns, names, Latin letters)
no fact of the report writes lowers every score — not a yes/no rule; and 多少+noun without a money word asks a count."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from qa.program import split_asks
from qa.resolve import rank_facts, want_dimension
from qa.unsaid import unsaid_share


def fact(fid: str, phrase: str, value: str = "100", unit: str = "万元") -> Fact:
    return Fact(fact_id=fid, doc_id="u", kind="text", value=Decimal(value), raw=value + unit, unit=unit, line=1,
                char_start=0, char_end=3, phrase=phrase, sentence=phrase + value + unit)


FACTS = [fact("n1", "部门预算安排购置单价"), fact("n2", "社会保障和就业支出"), fact("n3", "图书馆本年收入合计"),
         fact("n4", "机关运行经费支出")]


def test_share_of_naming_words_the_report_never_writes() -> None:
    assert unsaid_share("MCN大会安排预算", FACTS) == 1.0  # every noun unknown; the verbs do not count
    assert unsaid_share("机关运行经费", FACTS) == 0.0
    assert 0 < unsaid_share("图书馆读者", FACTS) < 1
    assert unsaid_share("收入合计倒推一下", FACTS) == 0.0  # wording of the question is not a noun
    assert unsaid_share("社保就业支出", FACTS) == 0.0  # 社保: the characters of 社会保障 in order
    assert unsaid_share("anything", []) == 0.0


def test_the_share_lowers_scores_gradually() -> None:
    plain = rank_facts(FACTS, "安排预算", "安排预算", "money", "预算")[0].score
    half = rank_facts(FACTS, "安排预算", "安排预算", "money", "预算", unsaid=0.5)[0].score
    full = rank_facts(FACTS, "安排预算", "安排预算", "money", "预算", unsaid=1.0)[0].score
    assert plain > half > full


def test_many_things_without_a_money_word_are_counted() -> None:
    assert want_dimension("图书馆接待了多少读者", "lookup") == "count"
    assert want_dimension("安排了多少钱", "lookup") == "money"
    assert want_dimension("收了多少万元", "lookup") != "count"


def test_gan_ma_is_an_ask_of_its_own() -> None:
    assert split_asks("三公花了多少，主要干嘛了？") == ["三公花了多少，", "主要干嘛了？"]


def test_an_item_listed_under_a_budget_is_a_budget() -> None:
    from qa.resolve import _whole_of

    s = "2020年度预算收入456.9万元，其中年初预算96.18万元，调整追加329.08万元。"
    item = Fact(fact_id="w1", doc_id="w", kind="text", value=Decimal("329.08"), raw="329.08万元", unit="万元", line=1,
                char_start=30, char_end=36, phrase="调整追加", sentence=s, decimals=2)
    assert "预算" in _whole_of(item)
    ranked = rank_facts([item], "追加预算", "追加了多少预算", "money", "预算")
    assert ranked and ranked[0].score >= 0.55
    final = "年初预算为11.49万元，支出决算为3.04万元，完成预算的26.46%，其中：公务接待费支出0.40万元。"
    part = item.model_copy(update={"fact_id": "w2", "sentence": final, "raw": "0.40万元", "phrase": "公务接待费支出"})
    assert _whole_of(part) == ""  # the clause before 其中 is a rate, not a budget


def test_a_fund_name_is_not_a_budget() -> None:
    from qa.resolve import _whole_of

    s = "单位一般公共预算财政拨款支出153.51万元，其中：人员经费85.3万元。"
    item = Fact(fact_id="w3", doc_id="w", kind="text", value=Decimal("85.3"), raw="85.3万元", unit="万元", line=1,
                char_start=27, char_end=31, phrase="人员经费", sentence=s, decimals=1)
    assert _whole_of(item) == ""


def test_the_tagger_reads_the_tokenizers_dictionary_and_taught_words_by_the_words_inside_them() -> None:
    """One jieba dictionary in the process, not two (jieba's own tagger loads its own copy, ~55 MB and more);
    a word the tokenizer was taught is tagged by the dictionary words inside it, as jieba's own tagger reads it."""
    import jieba.posseg as pseg

    from core.lexicon import add_terms, tagger, tokenizer, word_tags

    assert tagger().tokenizer is tokenizer()
    add_terms(["青禾公共服务支出"])
    assert [w for w, _ in word_tags("青禾公共服务支出")] != ["青禾公共服务支出"]
    for word in ("公共服务支出", "MCN大会", "年初预算", "办公经费"):
        old = [(p.word, p.flag) for p in pseg.lcut(word)]
        assert any(f.startswith("n") or f == "eng" for _, f in word_tags(word)) == any(
            f.startswith("n") or f == "eng" for _, f in old), word
