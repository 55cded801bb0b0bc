"""The one fact repository: bounded (least recently used out), and one invalidation rule — a report whose rows
were written again (same doc_id re-parsed, or removed) is read afresh; others stay cached."""

from __future__ import annotations

from decimal import Decimal

from core.models import Fact
from stores.repository import FactRepository


def _fact(doc: str, value: str) -> Fact:
    return Fact(fact_id=f"{doc}:{value}", doc_id=doc, kind="text", value=Decimal(value), unit="万元", raw=value,
                line=1, char_start=0, char_end=len(value))


class FakeSource:
    def __init__(self) -> None:
        self.values = {"a": "1.00", "b": "2.00", "c": "3.00"}
        self.stamp = {"a": 1, "b": 2, "c": 3}
        self.gen = 3
        self.reads: list[str] = []

    def generation(self) -> int:
        return self.gen

    def stamps(self) -> dict[str, int]:
        return dict(self.stamp)

    def facts(self, doc_ids=None, table_id=None):
        self.reads += doc_ids
        return [_fact(d, self.values[d]) for d in doc_ids if d in self.values]

    def lines(self, doc_id: str) -> list[str]:
        return [f"line of {doc_id} {self.values.get(doc_id)}"]

    def rewrite(self, doc: str, value: str) -> None:
        self.gen += 1
        self.values[doc] = value
        self.stamp[doc] = self.gen


def test_cached_until_the_report_is_rewritten() -> None:
    src = FakeSource()
    repo = FactRepository(src, max_docs=10)
    assert [f.value for f in repo.facts(["a", "b"])] == [Decimal("1.00"), Decimal("2.00")]
    repo.facts(["a", "b"])
    assert src.reads == ["a", "b"], "the second read is served from memory"
    src.rewrite("a", "9.00")  # same doc_id, new rows (a newer parser)
    assert [f.value for f in repo.facts(["a", "b"])] == [Decimal("9.00"), Decimal("2.00")]
    assert src.reads == ["a", "b", "a"], "only the rewritten report is read again"
    assert repo.lines("a") == ["line of a 9.00"]


def test_derived_values_are_dropped_with_their_report() -> None:
    src = FakeSource()
    repo = FactRepository(src)
    calls: list[int] = []
    assert repo.derived("a", "findings", lambda: calls.append(1) or ["x"]) == ["x"]
    repo.derived("a", "findings", lambda: calls.append(1) or ["y"])
    assert len(calls) == 1
    src.rewrite("a", "5.00")
    assert repo.derived("a", "findings", lambda: calls.append(1) or ["z"]) == ["z"]


def test_bounded_least_recently_used_first_out() -> None:
    src = FakeSource()
    repo = FactRepository(src, max_docs=2)
    repo.facts(["a"])
    repo.facts(["b"])
    repo.facts(["a"])  # a is now the most recent
    repo.facts(["c"])
    assert repo.cached() == ["a", "c"]


def test_removed_report_is_forgotten() -> None:
    src = FakeSource()
    repo = FactRepository(src)
    repo.facts(["b"])
    del src.values["b"], src.stamp["b"]
    src.gen += 1
    assert repo.facts(["b"]) == []
