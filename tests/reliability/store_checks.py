"""Checks of a data dir after a killed ingest, shared by the reliability tests: how many reports SQLite has
committed (read-only, never waiting on the writer), and that every stored report is whole."""

from __future__ import annotations

from pathlib import Path


def committed(db: Path) -> int:
    """Reports committed in the SQLite store at `db`; -1 when it cannot be read yet."""
    import sqlite3

    if not db.exists():
        return -1
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute("SELECT count(*) FROM reports").fetchone()[0])
    except sqlite3.Error:
        return -1


def whole_reports(data: Path) -> int:
    """Every stored report has its facts and chunks, and every chunk its vector; returns how many are stored."""
    from core.settings import Settings
    from stores import Stores

    stores = Stores(Settings(data_dir=data))
    vectors = stores.vectors.ids()
    counts = stores.facts.fact_counts()
    reports = stores.facts.reports()
    for r in reports:
        chunks = stores.facts.chunk_ids(r.doc_id)
        assert counts.get(r.doc_id, 0) > 0 and chunks, r.file
        assert set(chunks) <= vectors, f"{r.file}: chunks without vectors"
    return len(reports)
