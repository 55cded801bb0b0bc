"""What an ingest says about one document: the tables found by name, numeric-token coverage and every warning
(metadata, reader, tables missing or unparsed, low coverage) — so nothing is silently half-read."""

from __future__ import annotations

from core.models import Report
from index.coverage import measure
from index.parse import ParsedReport
from index.profiles import Profile, load_profiles
from index.table_names import FamilyMatch, identify_tables

LOW_COVERAGE = 0.98
HELD = "暂不参与问答"  # the warning that opens a held report's list (its 单位 or year is unknown)


def held_warning(rep: Report) -> str:
    """What a report without 单位 or year is told (computed, never stored: it goes once the metadata is set)."""
    if not rep.missing_metadata:
        return ""
    missing = "、".join(rep.missing_metadata)
    fields = " ".join({"单位": "org=单位全称", "年度": "year=年度"}[m] for m in rep.missing_metadata)
    return (f"{HELD}：未识别出{missing}，补全前不参与问答 / held out of answers until its "
            f"{'/'.join(rep.missing_metadata)} is set: qa docs --set {rep.doc_id} {fields}（或在「报告库」中修改）")


def table_warnings(doc_type: str, matches: list[FamilyMatch]) -> list[str]:
    warnings: list[str] = []
    primary = next((m for m in matches if m.kind == doc_type), None)
    if primary and primary.expected:
        n = len(primary.expected)
        if not primary.found:
            warnings.append(f"{doc_type}但未按名称找到其 {n} 张表中的任何一张 / {doc_type} but none of its {n} tables "
                            f"was found")
        elif primary.missing:
            warnings.append(f"{doc_type}：按名称找到 {n - len(primary.missing)}/{n} 张表，缺 {'、'.join(primary.missing)} / "
                            f"{len(primary.missing)} of its {n} tables not found")
    for m in matches:
        unparsed = [f.name for f in m.found if not f.parsed and not f.empty]
        if unparsed:
            warnings.append(f"{len(unparsed)} 张表只找到标题、未解析出单元格（{'、'.join(unparsed)}） / "
                            f"{len(unparsed)} table(s) found by title but no cells parsed")
    return warnings


def review(parsed: ParsedReport, profiles: list[Profile] | None = None) -> list[FamilyMatch]:
    """Fill the report's tables_found, family, coverage and warnings; returns the family matches."""
    rep = parsed.report
    matches = identify_tables(parsed.tables, [n.text for n in parsed.norm], rep.parts, profiles or load_profiles())
    rep.tables_found = [f.name for m in matches for f in m.found]
    rep.family = matches[0].family if matches else ""
    cov = measure(parsed)
    rep.coverage = round(cov.ratio, 4)
    rep.warnings += table_warnings(rep.doc_type, matches)
    if cov.tokens and cov.ratio < LOW_COVERAGE:
        rep.warnings.append(f"数字覆盖率 {cov.ratio:.1%}（{len(cov.misses)}/{cov.tokens} 个数字未成为事实） / "
                            f"numeric-token coverage {cov.ratio:.1%}: {len(cov.misses)} of {cov.tokens} numbers are not facts")
    return matches
