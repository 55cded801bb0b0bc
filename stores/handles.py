"""`Stores`: the handles of one data directory, opened lazily (the embedding model loads only when needed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.settings import Settings
from stores.embedder import Embedder, SentenceTransformerEmbedder
from stores.factstore import FactStore
from stores.keyword import KeywordIndex
from stores.repository import FactRepository
from stores.vectorstore import ChromaStore


@dataclass
class Stores:
    """Every reader and writer of a data directory shares one `Stores`: one SQLite connection, one vector
    collection, one embedder, one keyword index and one fact repository (the only in-memory copy of facts)."""

    settings: Settings
    _facts: FactStore | None = None
    _vectors: ChromaStore | None = None
    _embedder: Embedder | None = None
    _repository: FactRepository | None = None
    _keyword: KeywordIndex | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def facts(self) -> FactStore:
        if self._facts is None:
            self._facts = FactStore(self.settings.sqlite_path)
        return self._facts

    @property
    def vectors(self) -> ChromaStore:
        if self._vectors is None:
            self._vectors = ChromaStore(self.settings)
        return self._vectors

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(self.settings.embedder)
        return self._embedder

    @property
    def repository(self) -> FactRepository:
        if self._repository is None:
            self._repository = FactRepository(self.facts, max_docs=self.settings.cache.max_reports)
        return self._repository

    @property
    def keyword(self) -> KeywordIndex:
        if self._keyword is None:
            self._keyword = KeywordIndex(self.facts, self.settings.data_dir / "keyword")
        return self._keyword
