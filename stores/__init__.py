"""The stores of one data directory: SQLite facts/metadata (`factstore`), Chroma vectors (`vectorstore`), the
bm25 keyword index (`keyword`), the embedding model (`embedder`) and the one shared in-memory fact repository
(`repository`). Used by ingestion (writes) and answering (reads) alike; imports only `core`."""

from stores.handles import Stores

__all__ = ["Stores"]
