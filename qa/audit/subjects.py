"""The same 功能分类 科目 in different tables of one report (`subject_columns`): 卫生健康支出 is 236.63 in the
收入支出决算总表 and must be 236.63 in the 支出决算表's 本年支出合计 too. Which columns of which tables hold the same
measure is report-family knowledge, read from the profiles (index/profiles/*.json, `subject_columns`); here only
the matching: a row by its 科目编码, or a 类 printed without code (`九、卫生健康支出` in a 总表) by the name the
document's coded rows give that 类. A column the parser left blank (a two-sided 总表 whose left half is empty on
that line) stands for the wanted one only when every blank-column cell of the row has the same value.
A difference of ≤ 0.01 is rounding drift (`尾数差异`, low), as in the other sum rules.

`subject_names`: a 科目 the narrative names as `X（类）`, `Y（款）`, `Z（项）` that no coded table row of the report
carries (an old or wrong name: `文化体育与传媒支出（类）` where the tables say 文化旅游体育与传媒支出), read over
wrapped lines; words before the name (`主要用于…`) are allowed, and `X（类）` may drop the tables' trailing 支出."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from core.models import Fact
from core.numbers import fmt
from index.profiles import Profile, TableSpec, families_for, load_profiles, norm_title
from qa.audit.context import CENT, Context, RuleSpec, Severity
from qa.audit.identities import _column_is
from qa.audit.paragraphs import paragraphs

_ORDINAL = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*")
_YEAR = re.compile(r"^\d{4}年度?")
_LEVEL_NAME = re.compile(r"((?:[\u4e00-\u9fff]|[（(][\u4e00-\u9fff]{1,2}[)）](?=[\u4e00-\u9fff]))+?)[（(](类|款|项)[)）]")


def _name(text: str) -> str:
    return norm_title(_YEAR.sub("", norm_title(text or "")))


def holds(f: Fact, spec: TableSpec) -> bool:
    """A cell is in the table a spec describes: by id, id pattern, name or synonym (a leading `2026年` aside)."""
    tid, title = _name(f.table_id or ""), _name(f.table_title or "")
    return (tid == spec.id or tid in spec.names() or title in spec.names()
            or any(re.fullmatch(p, tid) for p in spec.id_patterns))


def subject_of(f: Fact, class_codes: dict[str, str]) -> str | None:
    """The 科目 a row states: its code, or the code of the 类 whose name an uncoded row carries."""
    if f.row_code:
        return f.row_code
    return class_codes.get(norm_title(_ORDINAL.sub("", f.row_label or "")))


def _class_codes(cells: list[Fact]) -> dict[str, str]:
    names: dict[str, set[str]] = defaultdict(set)
    for f in cells:
        if f.row_code and len(f.row_code) == 3 and f.row_label:
            names[norm_title(f.row_label)].add(f.row_code)
    return {n: next(iter(c)) for n, c in names.items() if len(c) == 1}


def _one(cells: list[Fact], column: str) -> Fact | None:
    """The row's cell of `column`; else its blank-column cells when they all agree; None when ambiguous."""
    named = [f for f in cells if f.column and _column_is(f.column, column)]
    pick = named or [f for f in cells if not f.column]
    return pick[0] if pick and len({f.value for f in pick}) == 1 else None


def subject_columns(ctx: Context) -> None:
    cells = [f for f in ctx.facts if f.kind == "cell" and f.table_id]
    codes = _class_codes(cells)
    done: set[frozenset[str]] = set()
    for prof in _families(ctx):
        for group in prof.subject_columns:
            rows: dict[tuple[str, str], list[Fact]] = defaultdict(list)  # (subject, table ref) → the row's cells
            for ref in group.cells:
                table, _, column = ref.partition(".")
                spec = prof.table(table)
                assert spec is not None  # checked at load
                for f in cells:
                    subject = subject_of(f, codes) if holds(f, spec) else None
                    if subject:
                        rows[(subject, ref)].append(f)
            by_subject: dict[str, list[Fact]] = defaultdict(list)
            for (subject, ref), row in rows.items():
                cell = _one(row, ref.partition(".")[2])
                if cell is not None:
                    by_subject[subject].append(cell)
            for subject, found in sorted(by_subject.items()):
                key = frozenset(f.fact_id for f in found)
                if len(found) < 2 or len({f.unit for f in found}) > 1 or key in done:
                    continue
                done.add(key)
                _compare(ctx, group.kind, subject, found)


def _compare(ctx: Context, kind: str, subject: str, found: list[Fact]) -> None:
    values = [f.value for f in found]
    if len(set(values)) == 1:
        return
    diff = max(values) - min(values)
    places = max(f.decimals for f in found)
    drift = diff <= CENT and places >= 2
    severity: Severity = "low" if drift else ("high" if diff >= Decimal(1) else "medium")
    name = next((f.row_label for f in found if f.row_code == subject), found[0].row_label)
    shown = "，".join(f"{_name(f.table_id or '')}「{f.row_label}」{f.column or '（列未标）'} "
                     f"{fmt(f.value, f.decimals)}{{{i}}}" for i, f in enumerate(found))
    ctx.add("subject_columns", "尾数差异" if drift else "表间不一致", severity,
            f"同一科目 {subject} {_ORDINAL.sub('', name)} 的{kind}在各表应相同：{shown}（相差 {fmt(diff, places)}）", found)


def _families(ctx: Context) -> list[Profile]:
    kinds = dict.fromkeys([ctx.report.doc_type, *ctx.report.parts])
    out: list[Profile] = []
    for kind in kinds:
        out += [p for p in families_for(load_profiles(), kind) if p.subject_columns and p not in out]
    return out


def subject_names(ctx: Context) -> None:
    labels = {norm_title(f.row_label) for f in ctx.facts if f.kind == "cell" and f.row_code and f.row_label}
    for para in paragraphs(ctx):
        if "\t" in para.text:
            continue
        keep = [i for i, c in enumerate(para.text) if not c.isspace()]  # positions in the text as printed
        text = "".join(para.text[i] for i in keep)
        for m in _LEVEL_NAME.finditer(text):
            name = norm_title(m.group(1))
            if any(name[i:] in labels or name[i:] + "支出" in labels for i in range(max(1, len(name) - 3))):
                continue
            pos = keep[m.start()]
            line = max(n for n, base in para.base.items() if base <= pos)
            hint = _same_amount(ctx, para, pos) or next(
                (f"，表中相近的是“{n}”" for n in difflib.get_close_matches(name, sorted(labels), n=1, cutoff=0.75)), "")
            ctx.add("subject_names", "科目名称不符", "low",
                    f"第{line}行“{m.group(1)}（{m.group(2)}）”：本报告各表中没有这个科目名称{hint}", [], extra_lines=[line])


def _same_amount(ctx: Context, para: Any, pos: int) -> str:
    """The 科目 whose table rows carry the amount the narrative gives right after the name (one code only)."""
    after = [f for f in para.facts if para.pos(f) >= pos and f.unit in ("万元", "元") and f.rate_kind is None]
    if not after:
        return ""
    amount = after[0]
    rows = {(f.row_code, f.row_label) for f in ctx.facts if f.kind == "cell" and f.row_code and f.value == amount.value
            and f.unit == amount.unit}
    if len({code for code, _ in rows}) != 1:
        return ""
    code, label = sorted(rows)[0]
    return f"，表中金额 {fmt(amount.value, amount.decimals)} 的科目是 {code} {label}"


RULES = [RuleSpec("subject_columns", subject_columns, ("coded_rows",)),
         RuleSpec("subject_names", subject_names, ("coded_rows",))]
