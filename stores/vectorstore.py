"""Chroma: the embedded `PersistentClient` by default, the Chroma server (`HttpClient`) when
`QA_CHROMA__HOST` is set. The collection name carries a hash of the settings that shape the index."""

from __future__ import annotations

from typing import Any

from core.errors import UserError
from core.models import Chunk
from core.settings import Settings


class ChromaStore:
    def __init__(self, settings: Settings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaClientSettings

        client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
        if settings.chroma.host:
            try:
                self.client: Any = chromadb.HttpClient(host=settings.chroma.host, port=settings.chroma.port,
                                                       settings=client_settings)
                self.client.heartbeat()
            except Exception as exc:
                raise UserError(
                    f"无法连接 Chroma 服务 {settings.chroma.host}:{settings.chroma.port} ({type(exc).__name__})",
                    "先启动服务：chroma run --path DIR --host 127.0.0.1 --port PORT，或取消 QA_CHROMA__HOST 使用内嵌模式",
                ) from None
        else:
            settings.chroma_path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(settings.chroma_path), settings=client_settings)
        self.name = settings.collection_name()
        self.collection = self.client.get_or_create_collection(self.name, metadata={"hnsw:space": "cosine"})

    def add(self, chunks: list[Chunk], embeddings: list[list[float]], batch: int = 2048) -> None:
        """Vectors and the metadata `where` filters use; not the texts (SQLite holds them, and nothing reads them
        from Chroma: storing them made a write ~40% slower). A write costs ~0.15 s however few vectors it holds:
        a folder's writer sends many reports' vectors at once."""
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.collection.upsert(  # a report re-parsed by a newer parser keeps its chunk ids
                ids=[c.chunk_id for c in part],
                embeddings=embeddings[i : i + batch],
                metadatas=[c.metadata() for c in part],
            )

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 500):
            if ids[i : i + 500]:
                self.collection.delete(ids=ids[i : i + 500])

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def count(self) -> int:
        return int(self.collection.count())

    def query(self, embedding: list[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        # Chroma returns fewer than k when the collection holds fewer (none when empty): no count() first, which
        # costs as much as the query itself at a few hundred reports
        res = self.collection.query(query_embeddings=[embedding], n_results=k, where=where or None,
                                    include=["distances"])
        return list(zip(res["ids"][0], res["distances"][0], strict=True))

    def query_among(self, embedding: list[float], ids: list[str], k: int) -> list[tuple[str, float]]:
        """The k nearest of the given chunks (cosine distance, as the collection's space), computed here from their
        vectors read by id: for a report or a few, a where-filtered query costs ~100 ms at 40k vectors (Chroma scans
        the metadata), reading them a few ms. The ranking is the exact one a filtered query over them gives."""
        import numpy as np

        if not ids:
            return []
        got = self.collection.get(ids=ids, include=["embeddings"])
        if not len(got["ids"]):
            return []
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        query = np.asarray(embedding, dtype=np.float32)
        sims = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query) + 1e-12)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(got["ids"][int(i)], float(1.0 - sims[int(i)])) for i in order]
