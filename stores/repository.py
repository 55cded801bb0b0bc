"""The one in-memory view of facts, lines and per-report derived data (audit findings), shared by every reader.

A bounded LRU over reports (`QA_CACHE__MAX_REPORTS`). One invalidation rule: a report whose rows were written
again (new content, or the same content re-parsed by a newer parser — same `doc_id`) or removed is dropped; the
store's generation counter tells, with one cheap query, whether anything was written since the last look — also
when another process (the CLI) wrote."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from core.models import Fact


class FactSource(Protocol):
    """What the repository reads from (the SQLite `FactStore`, or a hand-made fake in unit tests)."""

    def generation(self) -> int: ...
    def stamps(self) -> dict[str, int]: ...
    def facts(self, doc_ids: list[str] | None = None, table_id: str | None = None) -> list[Fact]: ...
    def lines(self, doc_id: str) -> list[str]: ...


class _Entry:
    __slots__ = ("stamp", "facts", "lines", "derived")

    def __init__(self, stamp: int) -> None:
        self.stamp = stamp
        self.facts: list[Fact] | None = None
        self.lines: list[str] | None = None
        self.derived: dict[str, Any] = {}


class FactRepository:
    def __init__(self, source: FactSource, max_docs: int = 200) -> None:
        self.source = source
        self.max_docs = max(1, max_docs)
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._generation: int | None = None
        self._stamps: dict[str, int] = {}
        self._lock = threading.RLock()

    def _sync(self) -> None:
        generation = self.source.generation()
        if generation == self._generation:
            return
        stamps = self.source.stamps()
        for doc_id in [d for d, e in self._entries.items() if stamps.get(d) != e.stamp]:
            del self._entries[doc_id]
        self._stamps, self._generation = stamps, generation

    def _entry(self, doc_id: str) -> _Entry:
        entry = self._entries.get(doc_id)
        if entry is None:
            entry = self._entries[doc_id] = _Entry(self._stamps.get(doc_id, -1))
            while len(self._entries) > self.max_docs:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(doc_id)
        return entry

    def facts(self, doc_ids: list[str]) -> list[Fact]:
        out: list[Fact] = []
        with self._lock:
            self._sync()
            for doc_id in doc_ids:
                entry = self._entry(doc_id)
                if entry.facts is None:
                    entry.facts = self.source.facts([doc_id])
                out += entry.facts
        return out

    def lines(self, doc_id: str) -> list[str]:
        with self._lock:
            self._sync()
            entry = self._entry(doc_id)
            if entry.lines is None:
                entry.lines = self.source.lines(doc_id)
            return entry.lines

    def derived(self, doc_id: str, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed from one report (its audit findings …), dropped with the report's facts."""
        with self._lock:
            self._sync()
            entry = self._entry(doc_id)
            if key not in entry.derived:
                entry.derived[key] = compute()
            return entry.derived[key]

    def forget(self, doc_id: str) -> None:
        with self._lock:
            self._entries.pop(doc_id, None)

    def cached(self) -> list[str]:
        """doc_ids held in memory, least recently used first (for tests and the scale benchmark)."""
        with self._lock:
            return list(self._entries)
