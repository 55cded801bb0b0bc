"""How much of a measure a report never writes: the share of its naming words (nouns, names, Latin letters) that no
fact of the report carries — not even as a prefix or as an abbreviation (社保 for 社会保障). A graded signal that the
measure is not disclosed (MCN大会, 读者): `rank_facts(..., unsaid=share)` lowers every score by it, instead of a yes/no
rule that would refuse a colloquially worded answerable question."""

from __future__ import annotations

import re
from functools import lru_cache

from core.models import Fact
from qa.resolve import norm, vocabulary

_NAMING = re.compile(r"^(?:n[a-z]*|eng|j)$")  # jieba tags of naming words: nouns, names, letters, abbreviations


def unsaid_share(measure: str, facts: list[Fact]) -> float:
    """How much of the measure's naming words (nouns, names, Latin letters — by length) no fact of the report
    carries, not even as a prefix: 0 when the report knows every noun, 1 when it knows none (MCN大会). Verbs and
    particles are left out: those are often the wording of the question (倒推一下, 到底), not the measure."""
    from core.lexicon import tokenizer

    vocab = vocabulary(facts)
    if not vocab:
        return 0.0
    total = unknown = 0
    for w in tokenizer().lcut(norm(measure)):
        if len(w) < 2 or not _naming(w):
            continue
        total += len(w)
        if not any(w[:n] in vocab or w[:n].upper() in vocab for n in range(len(w), 1, -1)) and not _abbreviates(w, vocab):
            unknown += len(w)
    return unknown / total if total else 0.0


def _abbreviates(word: str, vocab: str) -> bool:
    """社保 for 社会保障: the word's characters in order, at most two apart, the first one first."""
    return bool(re.search(".{0,2}".join(map(re.escape, word)), vocab)) if 2 <= len(word) <= 4 else False


def load_tagger() -> None:
    """Load jieba's part-of-speech dictionary (about a second) before the first question needs it."""
    _naming("预算")


@lru_cache(maxsize=4096)
def _naming(word: str) -> bool:
    from core.lexicon import (
        word_tags,  # the tag table is loaded on first use, or by `load_tagger` at start-up
    )

    return any(_NAMING.match(flag) for _, flag in word_tags(word))  # a compound names when one of its parts does


