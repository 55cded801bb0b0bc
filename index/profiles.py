"""Report families as data: one profile file per family in index/profiles/ (JSON or TOML), validated at load.

A profile holds the document kinds it defines (their title words and the pattern of a part's title line), its
tables (canonical id, name, synonyms, id patterns such as `公开0?7表`, columns, rows and the totals that must
hold), cross-table identities written as text (`收入支出决算总表.本年收入合计 = 收入决算表.合计.本年收入合计`)
and measure synonyms. Adding a family = adding a file; nothing here names a family.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from core.errors import UserError

PROFILE_DIR = Path(__file__).with_name("profiles")


class DocKind(BaseModel):
    name: str
    order: int = Field(description="Most specific kind first: a smaller order is tried first")
    part_pattern: str = Field(description="Regex over a space-free short line that starts a part of this kind")
    title_words: list[str] = Field(default_factory=list, description="How a title of this kind ends")
    implies: str | None = Field(None, description="A part of this kind makes the document also of that kind")
    expects: list[str] = Field(default_factory=lambda: ["*"],
                               description="Table ids a document of this kind holds ('*' = every table of its family)")

    @field_validator("part_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"part_pattern {value!r} is not a valid regex: {exc}") from exc
        return value


class TableSpec(BaseModel):
    id: str
    name: str
    synonyms: list[str] = Field(default_factory=list)
    id_patterns: list[str] = Field(default_factory=list, description="Regexes over a caption such as 公开07表")
    columns: list[str] = Field(default_factory=list)
    rows: list[str] = Field(default_factory=list)
    totals: list[str] = Field(default_factory=list, description="Sums that must hold inside the table")
    index_columns: list[str] = Field(default_factory=list, description="Columns that number rows (行次/栏次), not values")
    unit: str = Field("", description="The unit of the form's amounts when the table prints none (绩效目标申报表: 元)")
    groups: list[str] = Field(default_factory=list, description="Column groups of a two-level header, in order "
                                                                 "(三公 table: 合计, 因公出国（境）费 …)")
    subcolumns: list[str] = Field(default_factory=list, description="The columns under each group (预算数, 决算数)")

    def total_parts(self) -> list[tuple[str, list[str]]]:
        """`totals` as (whole, parts) where they are plain sums of named columns (not Σ over rows)."""
        out = []
        for t in self.totals:
            if "=" not in t or "Σ" in t:
                continue
            whole, rest = (x.strip() for x in t.split("=", 1))
            out.append((whole, [p.strip() for p in rest.split("+")]))
        return out
    optional: bool = Field(False, description="A form some documents of the kind attach and others do not: "
                                              "not reported missing")

    def names(self) -> list[str]:
        return [norm_title(n) for n in [self.name, *self.synonyms]]


class SubjectColumns(BaseModel):
    """Columns of different tables that hold the same measure of a 功能分类 科目 (`本年支出`: 收入支出决算总表's
    支出 决算数 and 支出决算表's 本年支出合计): a 科目 must have one value in all of them."""

    kind: str
    cells: list[str] = Field(description="`table.column` (column as printed, last header segment enough)")


class Profile(BaseModel):
    family: str
    name: str
    source: str = ""
    applies_to: list[str] = Field(description="Document kinds whose tables this family describes")
    doc_kinds: list[DocKind] = Field(default_factory=list)
    tables: list[TableSpec] = Field(default_factory=list)
    identities: list[str] = Field(default_factory=list)
    bounds: list[str] = Field(default_factory=list, description="Cross-table inequalities `A ≥ B`: a figure of one "
                              "scope that contains another's (三公表 公务接待费 ≥ 基本支出表 30217 公务接待费)")
    subject_columns: list[SubjectColumns] = Field(default_factory=list)
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    empty_table_notes: list[str] = Field(default_factory=list,
                                         description="Words of a note saying a table has no data (故本表无数据)")

    @model_validator(mode="after")
    def _identities_name_tables(self) -> Profile:
        for ident in [*self.identities, *(b.replace("≥", "=") for b in self.bounds)]:
            for _sign, table, path in parse_identity(ident):
                if self.table(table) is None or not path:
                    raise ValueError(f"identity {ident!r}: {table!r} does not name a table of this profile")
        for group in self.subject_columns:
            for ref in group.cells:
                table, _, column = ref.partition(".")
                if self.table(table) is None or not column:
                    raise ValueError(f"subject_columns {group.kind!r}: {ref!r} is not `table.column` of this profile")
        return self

    def identity_terms(self, bounds: bool = False) -> list[list[tuple[int, TableSpec, list[str]]]]:
        """Each identity as signed terms (right-hand side negated): Σ sign × cell = 0, cells by table and path;
        with `bounds`, each inequality the same way (Σ sign × cell ≥ 0)."""
        out = []
        for ident in (b.replace("≥", "=") for b in self.bounds) if bounds else self.identities:
            terms = []
            for sign, table, path in parse_identity(ident):
                spec = self.table(table)
                assert spec is not None  # checked at load
                terms.append((sign, spec, path))
            out.append(terms)
        return out

    @staticmethod
    def canonical(table: TableSpec) -> str:
        return norm_title(table.name)

    def table(self, key: str) -> TableSpec | None:
        k = norm_title(key)
        return next((t for t in self.tables if t.id == key or k in t.names()), None)


def parse_identity(text: str) -> list[tuple[int, str, list[str]]]:
    """`A.本年收入合计 = B.合计.本年收入合计 + C.x` → [(1, A, [本年收入合计]), (-1, B, [合计, 本年收入合计]), (-1, C, [x])]."""
    sides = text.split("=")
    if len(sides) != 2:
        raise ValueError(f"identity {text!r}: expected one '='")
    out: list[tuple[int, str, list[str]]] = []
    for side_sign, side in ((1, sides[0]), (-1, sides[1])):
        for op, term in re.findall(r"([+\-]?)\s*([^+\-]+)", side):
            table, *path = [p.strip() for p in term.strip().split(".")]
            out.append((side_sign * (-1 if op == "-" else 1), table, path))
    return out


_QUOTES = re.compile(r"[“”\"'‘’「」『』\s]")


def norm_title(text: str) -> str:
    """A title as compared: no spaces or quotes, ASCII parentheses (`财政拨款“三公”经费` = `财政拨款三公经费`)."""
    return _QUOTES.sub("", text).replace("（", "(").replace("）", ")")


def _read(path: Path) -> Profile:
    try:
        data = tomllib.loads(path.read_text("utf-8")) if path.suffix == ".toml" else json.loads(path.read_text("utf-8"))
        return Profile.model_validate(data)
    except (ValueError, ValidationError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"报告族配置文件有误 / bad profile file {path}: {exc}", "按 index/profiles/ 中的示例修改") from exc


def load_profiles(folder: Path | None = None) -> list[Profile]:
    """Every profile of a folder (default: index/profiles/), sorted by file name; kind names must be unique."""
    return list(_load(str(folder or PROFILE_DIR)))


@lru_cache(maxsize=8)
def _load(folder: str) -> tuple[Profile, ...]:
    files = sorted(p for p in Path(folder).iterdir() if p.suffix in (".json", ".toml"))
    profiles = tuple(_read(p) for p in files)
    seen: dict[str, str] = {}
    for prof in profiles:
        for kind in prof.doc_kinds:
            if kind.name in seen:
                raise UserError(f"文档类型 {kind.name} 在 {seen[kind.name]} 与 {prof.family} 中重复定义 / "
                                f"document kind defined twice", "每种文档类型只在一个报告族文件中定义")
            seen[kind.name] = prof.family
    return profiles


def doc_kinds(profiles: list[Profile]) -> list[DocKind]:
    """Every document kind, most specific first."""
    return sorted((k for p in profiles for k in p.doc_kinds), key=lambda k: k.order)


def kind_words(profiles: list[Profile]) -> list[tuple[str, str]]:
    """(kind, title word) pairs, most specific kind first — what index.title_lines reads a title with."""
    return [(k.name, squeezed) for k in doc_kinds(profiles) for squeezed in (norm_title(w) for w in k.title_words)]


def families_for(profiles: list[Profile], kind: str) -> list[Profile]:
    return [p for p in profiles if kind in p.applies_to and p.tables]


def measure_synonyms(profiles: list[Profile]) -> dict[str, list[str]]:
    """Every family's measure synonyms, merged (canonical measure → the other ways reports write it)."""
    out: dict[str, list[str]] = {}
    for prof in profiles:
        for canon, words in prof.synonyms.items():
            out.setdefault(canon, [])
            out[canon] += [w for w in words if w not in out[canon]]
    return out
