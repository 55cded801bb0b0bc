"""What an ingest says per file (`IngestResult`, the error line of a file that failed), which files a path names,
and the lock a writer takes (`StoreGuard`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass
class IngestResult:
    file: str
    status: str  # added | replaced | skipped | error
    doc_id: str = ""
    org: str = ""
    year: int | None = None
    doc_type: str = ""
    facts: int = 0
    chunks: int = 0
    tables: int = 0
    error: str = ""
    seconds: float = 0.0
    tables_found: list[str] = field(default_factory=list)  # canonical names (index/profiles/)
    coverage: float | None = None  # share of numeric tokens that became facts
    warnings: list[str] = field(default_factory=list)  # metadata unsure, tables missing, reader problems …
    held: bool = False  # stored, but out of the answer scope until its 单位/year is set (qa docs --set)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            out.extend(found or [p])  # an empty folder is reported, not silently dropped
        else:
            out.append(p)
    return out


def failed(file: str, what: str, exc: BaseException) -> str:
    return f"{file}: {what} ({type(exc).__name__}: {str(exc)[:200]})\n  提示 / hint: 其余文件照常导入；请检查此文件或报告问题"


class StoreGuard(Protocol):
    """The readers–writer lock a service shares with its questions (qa.service.ReadWriteLock)."""

    def read(self) -> AbstractContextManager[None]: ...

    def write(self) -> AbstractContextManager[None]: ...


class NoGuard:
    def read(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def write(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()
