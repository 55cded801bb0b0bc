"""Report metadata from the content: 单位 (full name + region), fiscal year and document kinds — each with the line
it came from and a confidence, and a warning when unsure.

Sources, most trusted first: an override (`--org/--year/--kind`), the cover (title block), labelled lines,
whole title lines (table titles, running headers), a name-only heading near the start; only when none of them
names the 单位 or year, the most frequent name / year (index.org_names), at low confidence and with a warning.
A template placeholder (`上海市XX局`) is kept as printed but marked unsure. Kind words are profile data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from index.org_names import detect_org, detect_year, is_placeholder, region_of
from index.profiles import Profile, doc_kinds, kind_words, load_profiles
from index.title_lines import Hit, cover_hits, heading_hits, label_hits, title_line_hits

SURE = 0.7  # below this a field is reported as uncertain
_FIELD_ZH = {"org": "单位", "year": "年度", "kind": "文档类型", "region": "地区"}


@dataclass
class MetaSource:
    line: int
    text: str
    confidence: float
    source: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "text": self.text, "confidence": round(self.confidence, 2), "source": self.source}


@dataclass
class ReportMeta:
    org: str
    region: str
    year: int | None
    doc_type: str
    parts: list[str]
    sources: dict[str, MetaSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def detect_parts(lines: list[str], profiles: list[Profile] | None = None) -> list[str]:
    """Kinds of document present, in order; a title only counts when real content follows it."""
    defined = doc_kinds(profiles or load_profiles())
    kinds = [(k.name, re.compile(k.part_pattern)) for k in defined]
    implies = {k.name: k.implies for k in defined if k.implies}
    titles: list[tuple[int, str]] = []
    for idx, line in enumerate(lines):
        text = re.sub(r"\s+", "", line)
        if not text or len(text) > 60:
            continue
        for kind, pattern in kinds:
            if pattern.search(text):
                titles.append((idx, kind))
                break
    parts: list[str] = []
    for pos, (idx, kind) in enumerate(titles):
        nxt = titles[pos + 1][0] if pos + 1 < len(titles) else len(lines)
        body = "".join(line.strip() for line in lines[idx + 1 : nxt])
        after = next((line.strip() for line in lines[idx + 1 : idx + 6] if line.strip()), "")
        if re.fullmatch(r"[（(]?(?:详见|见)附件\S{0,4}[)）]?", after):
            continue  # a reference to an attachment that is not included
        if len(body) < 40 and pos + 1 < len(titles) and kind not in implies.values():
            continue  # a table-of-contents line (a kind others imply is kept: its tables follow its title)
        if kind not in parts:
            parts.append(kind)
    for part, whole in implies.items():  # 部门决算表 without its 部门决算 title: still a 部门决算
        if part in parts and whole not in parts:
            parts.insert(parts.index(part), whole)
    return parts


def _best(hits: list[Hit]) -> tuple[Hit, float] | None:
    """The value the most trusted source gives; each further line that agrees adds a little confidence."""
    if not hits:
        return None
    by_value: dict[object, list[Hit]] = defaultdict(list)
    for h in hits:
        by_value[h.value].append(h)
    scored = []
    for group in by_value.values():
        top = max(group, key=lambda h: h.confidence)
        distinct = len({h.line for h in group})
        # agreement adds at most 0.04: never enough to lift a source above the next more trusted kind of source
        scored.append((min(0.99, top.confidence + min(0.04, 0.02 * (distinct - 1))), -top.line, top))
    conf, _, hit = max(scored, key=lambda s: (s[0], s[1]))
    return hit, conf


def _first_line(lines: list[str], needle: str) -> int:
    return next((i + 1 for i, line in enumerate(lines) if needle in re.sub(r"\s+", "", line)), 0)


def detect_metadata(lines: list[str], org: str | None = None, year: int | None = None,
                    kind: str | None = None, profiles: list[Profile] | None = None) -> ReportMeta:
    profiles = profiles or load_profiles()
    words = kind_words(profiles)
    cover, cover_end = cover_hits(lines, words)
    hits = cover + label_hits(lines, cover_end) + title_line_hits(lines, words, cover_end) + heading_hits(lines, cover_end)
    sources: dict[str, MetaSource] = {}
    warnings: list[str] = []
    chosen: dict[str, object] = {}
    for fld in ("org", "year", "kind"):
        found_hits = [h for h in hits if h.field == fld]
        if fld == "kind" and found_hits and not any(h.source == "cover" for h in found_hits):
            found_hits = [min(found_hits, key=lambda h: h.line)]  # the document's first title says what it is
        best = _best(found_hits)
        if best:
            hit, conf = best
            chosen[fld] = hit.value
            sources[fld] = MetaSource(hit.line, hit.text, conf, hit.source)
    if "org" not in chosen:  # nothing names the 单位 as a title does: the most frequent name, marked unsure
        name, _ = detect_org(lines)
        if name:
            chosen["org"] = name
            line = _first_line(lines, name)
            sources["org"] = MetaSource(line, lines[line - 1].strip() if line else "", 0.4, "frequency")
    if "year" not in chosen and (found := detect_year(lines)) is not None:
        chosen["year"] = found
        line = _first_line(lines, f"{found}年")
        sources["year"] = MetaSource(line, lines[line - 1].strip() if line else "", 0.5, "frequency")
    parts = detect_parts(lines, profiles)
    if "kind" not in chosen and parts:
        first = re.compile(next(k.part_pattern for k in doc_kinds(profiles) if k.name == parts[0]))
        line = next((i + 1 for i, t in enumerate(lines) if len(t) <= 60 and first.search(re.sub(r"\s+", "", t))), 0)
        chosen["kind"] = parts[0]
        sources["kind"] = MetaSource(line, lines[line - 1].strip() if line else "", 0.7, "part title")
    found_org = str(chosen.get("org", ""))
    region = region_of(found_org)
    region_hit = _best([h for h in hits if h.field == "region"])
    if not region and region_hit:
        region = str(region_hit[0].value)
    if region:
        src = sources.get("org") if region_of(found_org) else MetaSource(region_hit[0].line, region_hit[0].text,
                                                                      region_hit[1], region_hit[0].source) if region_hit else None
        if src:
            sources["region"] = src
    for fld, value in (("org", org), ("year", year), ("kind", kind)):
        if value not in (None, ""):
            chosen[fld] = value
            sources[fld] = MetaSource(0, str(value), 1.0, "override")
    if org:
        region = region_of(org)
        sources["region"] = MetaSource(0, org, 1.0, "override")
    found_org = str(chosen.get("org", ""))
    if found_org and is_placeholder(found_org) and sources["org"].source != "override":
        sources["org"].confidence = 0.1
        warnings.append(f"单位「{found_org}」是模板占位符，不是真实单位 / 单位 is a template placeholder "
                        f"(line {sources['org'].line}); set it with qa docs --set DOC_ID org=…")
    for fld in ("org", "year", "kind"):
        src = sources.get(fld)
        if src is None:
            warnings.append(f"{_FIELD_ZH[fld]}未识别 / {fld} not found; set it with qa docs --set DOC_ID {fld}=…")
        elif src.confidence < SURE and not (fld == "org" and is_placeholder(found_org)):
            warnings.append(f"{_FIELD_ZH[fld]}不确定 / {fld} uncertain: 「{chosen[fld]}」 from line {src.line} "
                            f"({src.source}); correct it with qa docs --set DOC_ID {fld}=…")
    doc_type = str(chosen.get("kind") or "其他")
    if doc_type != "其他" and doc_type not in parts:
        parts.insert(0, doc_type)
    year_value = chosen.get("year")
    return ReportMeta(org=found_org, region=region, year=int(str(year_value)) if year_value is not None else None,
                      doc_type=doc_type, parts=parts, sources=sources, warnings=warnings)
