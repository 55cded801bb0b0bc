"""Facts, tables, sections, chunks and report metadata in SQLite (stdlib), one transaction per report."""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.descriptors import LABEL_VERSION, label_of
from core.models import Chunk, Fact, Report, TableModel

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
  doc_id TEXT PRIMARY KEY, file TEXT NOT NULL, path TEXT, org TEXT, region TEXT, year INTEGER,
  doc_type TEXT, parts TEXT, n_lines INTEGER, lines TEXT, ingested_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS reports_file ON reports(file);
CREATE TABLE IF NOT EXISTS sections (doc_id TEXT, idx INTEGER, path TEXT, level INTEGER, start INTEGER, "end" INTEGER);
CREATE TABLE IF NOT EXISTS tables (doc_id TEXT, table_id TEXT, data TEXT);
CREATE TABLE IF NOT EXISTS facts (
  fact_id TEXT PRIMARY KEY, doc_id TEXT, kind TEXT, value TEXT, unit TEXT, raw TEXT, decimals INTEGER,
  line INTEGER, char_start INTEGER, char_end INTEGER, page INTEGER, section TEXT, table_id TEXT, table_title TEXT,
  row_label TEXT, row_path TEXT, row_code TEXT, parent_code TEXT, "column" TEXT, phrase TEXT, sentence TEXT,
  rate_kind TEXT, rate_of TEXT
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY, doc_id TEXT, data TEXT, tokens TEXT);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', 0);
"""

_FACT_COLS = [
    "fact_id", "doc_id", "kind", "value", "unit", "raw", "decimals", "line", "char_start", "char_end", "page",
    "section", "table_id", "table_title", "row_label", "row_path", "row_code", "parent_code", "column", "phrase",
    "sentence", "rate_kind", "rate_of",
]
_SHARED_TEXT = ("doc_id", "unit", "section", "table_id", "table_title", "row_label", "row_path", "column", "phrase", "sentence")


_fact_row = operator.attrgetter(*_FACT_COLS)  # a fact's values in `_FACT_COLS` order

_REPORT_EXTRA = {"meta_source": "TEXT", "warnings": "TEXT", "family": "TEXT", "tables_found": "TEXT", "coverage": "REAL",
                 "pages": "TEXT"}
_FIELD_ZH = {"org": "单位", "year": "年度", "doc_type": "文档类型", "region": "地区"}


class FactStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._reports: tuple[int, list[Report]] | None = None
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        # WAL with NORMAL: a commit survives a killed process (the OS has it) and the file is never corrupted; only
        # a power cut may lose the last commits (their reports are ingested again). FULL synced every report.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        columns = {row["name"] for row in self.conn.execute("PRAGMA table_info(reports)")}
        if "parser" not in columns:  # a store written before parser versions were recorded: its reports are stale
            self.conn.execute("ALTER TABLE reports ADD COLUMN parser INTEGER DEFAULT 0")
        if "stamp" not in columns:  # the generation a report's rows were written at (see `generation`)
            self.conn.execute("ALTER TABLE reports ADD COLUMN stamp INTEGER DEFAULT 0")
        for col, kind in _REPORT_EXTRA.items():  # metadata sources, warnings, tables found (added later)
            if col not in columns:
                self.conn.execute(f"ALTER TABLE reports ADD COLUMN {col} {kind}")
        self._labels()

    def _labels(self) -> None:
        """Each fact's label (`core.descriptors.label_of`) in an indexed column, written at ingest; a store written
        before labels were kept, or under another `LABEL_VERSION`, gets them computed once here."""
        fact_columns = {row["name"] for row in self.conn.execute("PRAGMA table_info(facts)")}
        if "label" not in fact_columns:
            self.conn.execute("ALTER TABLE facts ADD COLUMN label TEXT")
        self.conn.execute("CREATE INDEX IF NOT EXISTS facts_label ON facts(label, doc_id)")
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'label_version'").fetchone()
        if row is not None and int(row[0]) == LABEL_VERSION:
            return
        with self.transaction():
            rows = self.conn.execute("SELECT * FROM facts").fetchall()
            self.conn.executemany("UPDATE facts SET label = ? WHERE fact_id = ?",
                                  [(label_of(self._fact(r)), r["fact_id"]) for r in rows])
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('label_version', ?)", (LABEL_VERSION,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- writing (call inside transaction()) ---------------------------------------------------------
    def _bump(self) -> int:
        """Every write of a report's rows takes a new generation: the one invalidation rule of every cache."""
        self.conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        return self.generation()

    def insert_report(self, report: Report, lines: list[str], sections: list[Any], tables: list[TableModel],
                      facts: list[Fact], chunks: list[Chunk], tokens: list[list[str]], parser: int = 0,
                      pages: list[int | None] | None = None) -> None:
        c = self.conn
        stamp = self._bump()
        c.execute(
            "INSERT INTO reports(doc_id,file,path,org,region,year,doc_type,parts,n_lines,lines,parser,stamp,"
            "meta_source,warnings,family,tables_found,coverage,pages) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (report.doc_id, report.file, report.path, report.org, report.region, report.year, report.doc_type,
             json.dumps(report.parts, ensure_ascii=False), report.n_lines, json.dumps(lines, ensure_ascii=False),
             parser, stamp, json.dumps({k: v.model_dump() for k, v in report.meta_source.items()}, ensure_ascii=False),
             json.dumps(report.warnings, ensure_ascii=False), report.family,
             json.dumps(report.tables_found, ensure_ascii=False), report.coverage,
             json.dumps(pages) if pages and any(pages) else None),
        )
        c.executemany(
            'INSERT INTO sections(doc_id,idx,path,level,start,"end") VALUES (?,?,?,?,?,?)',
            [(report.doc_id, s.idx, s.path_text, s.level, s.start, s.end) for s in sections],
        )
        c.executemany("INSERT INTO tables(doc_id,table_id,data) VALUES (?,?,?)",
                      [(report.doc_id, t.table_id, t.model_dump_json()) for t in tables])
        placeholders = ",".join("?" * len(_FACT_COLS))
        quoted = ",".join(f'"{col}"' for col in _FACT_COLS)
        c.executemany(
            f"INSERT INTO facts({quoted}, label) VALUES ({placeholders}, ?)",
            [(*(str(v) if isinstance(v, Decimal) else v for v in _fact_row(f)), label_of(f)) for f in facts],
        )
        c.executemany("INSERT INTO chunks(chunk_id,doc_id,data,tokens) VALUES (?,?,?,?)",
                      [(ch.chunk_id, ch.doc_id, ch.model_dump_json(), " ".join(tok)) for ch, tok in zip(chunks, tokens, strict=True)])

    def set_metadata(self, doc_id: str, *, org: str | None = None, year: int | None = None,
                     doc_type: str | None = None, region: str | None = None,
                     tokenize: Callable[[str], list[str]] | None = None) -> list[Chunk]:
        """Correct a report's metadata after ingest: its row, and its chunks' metadata and `单位 年度年` heading
        (re-tokenized with `tokenize` when given). Returns the changed chunks, for the vector store. The field's
        source becomes `corrected` and the warnings about it go."""
        report = self.report(doc_id)
        if report is None:
            raise KeyError(doc_id)
        given = {k: v for k, v in (("org", org), ("year", year), ("doc_type", doc_type), ("region", region))
                 if v is not None}
        if not given:
            return []
        sources = {k: v.model_dump() for k, v in report.meta_source.items()}
        for fld, value in given.items():
            sources["kind" if fld == "doc_type" else fld] = {"line": 0, "text": str(value), "confidence": 1.0,
                                                              "source": "corrected"}
        warnings = [w for w in report.warnings if not any(w.startswith(_FIELD_ZH[f]) for f in given)]
        sets = ", ".join(f"{col} = ?" for col in given)
        with self.transaction():  # a new stamp: every cache of this report is stale
            self.conn.execute(f"UPDATE reports SET {sets}, meta_source = ?, warnings = ?, stamp = ? WHERE doc_id = ?",
                              (*given.values(), json.dumps(sources, ensure_ascii=False),
                               json.dumps(warnings, ensure_ascii=False), self._bump(), doc_id))
            changed: list[Chunk] = []
            update: dict[str, Any] = {k: v for k, v in given.items() if k in ("org", "year", "doc_type")}
            old_head = f"{report.org} {report.year or ''}年"
            new_head = f"{update.get('org', report.org)} {update.get('year', report.year) or ''}年"
            for row in self.conn.execute("SELECT chunk_id, data, tokens FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall():
                if not update:
                    break
                chunk = Chunk.model_validate_json(row["data"])
                text = new_head + chunk.text[len(old_head):] if chunk.text.startswith(old_head) else chunk.text
                chunk = chunk.model_copy(update={**update, "text": text})
                tokens = " ".join(tokenize(text)) if tokenize else row["tokens"]
                self.conn.execute("UPDATE chunks SET data = ?, tokens = ? WHERE chunk_id = ?",
                                  (chunk.model_dump_json(), tokens, row["chunk_id"]))
                changed.append(chunk)
        return changed

    def delete_report(self, doc_id: str) -> None:
        self._bump()
        for table in ("reports", "sections", "tables", "facts", "chunks"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))

    # -- reading ---------------------------------------------------------------------------------------
    @staticmethod
    def _report(row: sqlite3.Row) -> Report:
        return Report(doc_id=row["doc_id"], file=row["file"], path=row["path"] or "", org=row["org"] or "",
                      region=row["region"] or "", year=row["year"], doc_type=row["doc_type"] or "",
                      parts=json.loads(row["parts"] or "[]"), n_lines=row["n_lines"] or 0,
                      meta_source=json.loads(row["meta_source"] or "{}"), warnings=json.loads(row["warnings"] or "[]"),
                      family=row["family"] or "", tables_found=json.loads(row["tables_found"] or "[]"),
                      coverage=row["coverage"])

    def reports(self) -> list[Report]:
        """Every report, read again only when the generation changed (asked on every question). The `Report`
        objects are shared between callers (copying 1,000 of them cost ~20 ms a question): never mutate one —
        `model_copy(update=…)` makes a changed copy."""
        generation = self.generation()
        cached = self._reports
        if cached is None or cached[0] != generation:
            rows = self.conn.execute("SELECT * FROM reports ORDER BY year, org, file").fetchall()
            cached = self._reports = (generation, [self._report(r) for r in rows])
        return list(cached[1])

    def report(self, doc_id: str) -> Report | None:
        row = self.conn.execute("SELECT * FROM reports WHERE doc_id = ?", (doc_id,)).fetchone()
        return self._report(row) if row else None

    def parser_version(self, doc_id: str) -> int:
        row = self.conn.execute("SELECT parser FROM reports WHERE doc_id = ?", (doc_id,)).fetchone()
        return int(row["parser"] or 0) if row else 0

    def reports_by_file(self, file: str) -> list[Report]:
        return [self._report(r) for r in self.conn.execute("SELECT * FROM reports WHERE file = ?", (file,))]

    def lines(self, doc_id: str) -> list[str]:
        row = self.conn.execute("SELECT lines FROM reports WHERE doc_id = ?", (doc_id,)).fetchone()
        return json.loads(row["lines"]) if row else []

    def pages(self, doc_id: str) -> list[int | None]:
        """The page of each line (1-based lines → index line − 1); empty when the source has no pages."""
        row = self.conn.execute("SELECT pages FROM reports WHERE doc_id = ?", (doc_id,)).fetchone()
        return json.loads(row["pages"]) if row and row["pages"] else []

    def fact_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT doc_id, COUNT(*) FROM facts GROUP BY doc_id")}

    def facts(self, doc_ids: list[str] | None = None, table_id: str | None = None) -> list[Fact]:
        sql = "SELECT * FROM facts WHERE 1=1"
        args: list[Any] = []
        if doc_ids is not None:
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            args += doc_ids
        if table_id:
            sql += " AND (table_id = ? OR table_id LIKE ?)"
            args += [table_id, f"%{table_id}%"]
        sql += " ORDER BY doc_id, line, char_start"
        shared: dict[str, str] = {}
        return [self._fact(row, shared) for row in self.conn.execute(sql, args)]

    def facts_labelled(self, label: str, doc_ids: list[str] | None = None) -> list[Fact]:
        """The facts whose label (`core.descriptors.label_of`) is `label`, in the given reports (all when None):
        one indexed query however many reports the store holds."""
        sql = "SELECT * FROM facts WHERE label = ?"
        args: list[Any] = [label]
        if doc_ids is not None:
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            args += doc_ids
        shared: dict[str, str] = {}
        return [self._fact(row, shared) for row in self.conn.execute(sql + " ORDER BY doc_id, line, char_start", args)]

    @staticmethod
    def _fact(row: sqlite3.Row, shared: dict[str, str] | None = None) -> Fact:
        data = {k: row[k] for k in _FACT_COLS}
        data["value"] = Decimal(data["value"])
        if shared is not None:  # the facts of one sentence, section or table hold one copy of its text, not one each
            for k in _SHARED_TEXT:
                v = data.get(k)
                if v:
                    data[k] = shared.setdefault(v, v)
        return Fact(**data)  # pydantic's validation (10 µs) is cheaper than model_construct (24 µs) here

    def tables(self, doc_id: str) -> list[TableModel]:
        return [TableModel.model_validate_json(r["data"]) for r in
                self.conn.execute("SELECT data FROM tables WHERE doc_id = ?", (doc_id,))]

    def chunks(self) -> list[tuple[Chunk, list[str]]]:
        rows = self.conn.execute("SELECT data, tokens FROM chunks ORDER BY chunk_id").fetchall()
        return [(Chunk.model_validate_json(r["data"]), r["tokens"].split(" ") if r["tokens"] else []) for r in rows]

    def chunk_models(self) -> list[Chunk]:
        """Every chunk without its tokens (the keyword index loaded from disk needs no tokens: at 1,000 reports
        the token lists alone took ~400 MB)."""
        return [Chunk.model_validate_json(r[0]) for r in self.conn.execute("SELECT data FROM chunks ORDER BY chunk_id")]

    def chunk_tokens(self) -> list[list[str]]:
        """Every chunk's tokens, in `chunk_models` order."""
        return [r[0].split(" ") if r[0] else [] for r in self.conn.execute("SELECT tokens FROM chunks ORDER BY chunk_id")]

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]

    def generation(self) -> int:
        """Incremented by every insert or delete of a report (content or parser change): caches compare it."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def stamps(self) -> dict[str, int]:
        """doc_id → the generation its rows were written at."""
        return {r[0]: int(r[1] or 0) for r in self.conn.execute("SELECT doc_id, stamp FROM reports")}
