"""`PerDoc`: doc_id → a report's facts or lines, read on first use. A question whose scope is every report (哪个单位…
最多) touches only the reports it cites; building the mapping eagerly read every report of the library."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

V = TypeVar("V")


class PerDoc(dict[str, V]):
    """A dict over the given doc_ids whose values `load(doc_id)` fills on first access (`[]`, `get`, `in`)."""

    def __init__(self, load: Callable[[str], V], doc_ids: Iterable[str]) -> None:
        super().__init__()
        self._load = load
        self._ids = set(doc_ids)

    def __missing__(self, doc_id: str) -> V:
        if doc_id not in self._ids:
            raise KeyError(doc_id)
        value = self._load(doc_id)
        self[doc_id] = value
        return value

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._ids or super().__contains__(doc_id)

    def get(self, doc_id: str, default: Any = None) -> Any:
        return self[doc_id] if doc_id in self else default  # noqa: SIM401 (self.get would recurse)
