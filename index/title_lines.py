"""Where a report names itself: the cover (title block), labelled lines and title lines.

Every hit says which field it gives (org / region / year / kind), the line it came from and a confidence:
- the cover — the first short lines, joined, read as `[单位][年度][单位]<kind words>` (`上海市普陀区人民政府` /
  `宜川路街道办事处` / `2025 年度部门决算`), and labels inside it (`预算主管部门：…`);
- a labelled line anywhere (`部门：…`, `单位名称` with the name in the next cell);
- a title line anywhere: a whole short line of the same shape (`上海市XX局 2024 年度部门决算表`,
  `2023年度部门决算情况说明`), which is how table titles and running headers read;
- a heading that is nothing but a name, near the start.
A sentence never counts: the whole line (or cover) must have the title shape. Kind words come from the
profiles (index/profiles/*.json).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.org_names import is_name, region_of

CONF_COVER = 0.95
CONF_LABEL = 0.9
CONF_TITLE = 0.85
CONF_HEADING = 0.75

_SPACE = re.compile(r"\s+")
_LEAD = re.compile(r"^(?:第[一二三四五六七八九十]+部分|附件(?:[一二三四五六七八九十]+|\d{1,2}(?:-\d{1,2})?(?!\d))?[:：]?)")
_NUMBERED = re.compile(r"^(?:[-•·*]|[一二三四五六七八九十]+[、.．]|\d+(?:-\d+)?[、.．]|[（(][一二三四五六七八九十\d]+[)）])")
_YEAR = re.compile(r"(20\d{2})年度?")
_BARE_YEAR = re.compile(r"20\d{2}(?:年度?)?")
_COVER_STOP = re.compile(r"^(?:目录|=====|第[一二三四五六七八九十]+部分.{0,2}$)")
_LABEL = re.compile(
    r"^(?:预算主管部门|主管部门|预算部门(?:、?单位)?名称|预算部门|部门(?:（单位）|\(单位\))?名称|单位名称|预算单位|"
    r"填报单位|编制单位|编制部门|实施单位|部门|单位)(?:[（(]盖章[)）])?[:：]?"
)


@dataclass
class Hit:
    field: str  # org | region | year | kind
    value: str | int
    line: int  # 1-based
    text: str
    confidence: float
    source: str  # cover | label | title | heading


@dataclass
class TitleParse:
    org: str
    region: str
    year: int | None
    kind: str


def squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def parse_title(text: str, kind_words: list[tuple[str, str]]) -> TitleParse | None:
    """`[单位][年度][单位]<kind words>` as a whole (spaces ignored); None when the text has another shape.

    `kind_words` is (kind, word) pairs, most specific kind first."""
    t = _LEAD.sub("", squeeze(text))
    kind = word = ""
    for k, w in kind_words:
        if t.endswith(w) and len(w) > len(word):
            kind, word = k, w
        if word and k != kind:
            break
    if not word:
        return None
    head = t[: len(t) - len(word)]
    years = list(_YEAR.finditer(head))
    m = years[-1] if years else None
    if m is None:  # `上海市普陀区财政局 年度部门决算`: the year printed on a baseline of its own
        head = re.sub(r"年度?$", "", head)
    pre, mid = (head[: m.start()], head[m.end():]) if m else (head, "")
    year = int(m.group(1)) if m else None
    org = pre if is_name(pre) else mid if is_name(mid) else ""
    region = region_of(org) if org else ""
    if not org and pre and region_of(pre) == pre:
        region = pre  # `上海市普陀区2026年区级部门预算`: the region names the budget, the 单位 is labelled below
    leftover = [s for s in (pre, mid) if s and s != org and s != region]
    if any(len(s) > 6 for s in leftover):
        return None  # more words than a title holds: a sentence
    return TitleParse(org, region, year, kind)


def _label_value(lines: list[str], idx: int) -> str | None:
    cells = [c.strip() for c in lines[idx].split("\t") if c.strip()]
    if not cells:
        return None
    first = squeeze(cells[0])
    m = _LABEL.match(first)
    if not m:
        return None
    rest = first[m.end():]
    if rest:  # `部门：X` — without the colon it is a word that begins with 部门
        return rest if m.group(0)[-1] in ":：" else None
    if len(cells) > 1:
        return squeeze(cells[1])
    for nxt in lines[idx + 1 : idx + 3]:  # the name in the next cell below
        cells = [c.strip() for c in nxt.split("\t") if c.strip()]
        if cells:
            return squeeze(cells[0])
    return None


def label_hits(lines: list[str], start: int = 0, end: int | None = None, confidence: float = CONF_LABEL,
               source: str = "label") -> list[Hit]:
    hits: list[Hit] = []
    for idx in range(start, len(lines) if end is None else end):
        value = _label_value(lines, idx)
        if value and is_name(value):
            text = lines[idx].strip()
            hits.append(Hit("org", value, idx + 1, text if value in text else f"{text} → {value}", confidence, source))
    return hits


def cover_hits(lines: list[str], kind_words: list[tuple[str, str]]) -> tuple[list[Hit], int]:
    """Hits of the title block and the number of lines it spans (0 when the document has no cover)."""
    block: list[int] = []
    for idx, line in enumerate(lines[:40]):
        text = squeeze(line)
        if not text:
            continue
        if _COVER_STOP.match(text) or len(text) > 45 or len(block) >= 8:
            break
        block.append(idx)
    if not block:
        return [], 0
    labels = label_hits(lines, block[0], block[-1] + 1, CONF_COVER, "cover")
    label_lines = {h.line - 1 for h in labels}
    title_idx = [i for i in block if i not in label_lines]
    hits: list[Hit] = list(labels)
    spans = [(a, b) for a in range(len(title_idx)) for b in range(a + 1, len(title_idx) + 1)]
    for a, n in spans:  # the earliest run of cover lines that reads as a title (a banner line above it is skipped)
        used = title_idx[a:n]
        parsed = parse_title("".join(lines[i] for i in used), kind_words)
        if parsed is None:
            continue
        text = " / ".join(lines[i].strip() for i in used)
        first = used[0] + 1
        if parsed.org:
            hits.append(Hit("org", parsed.org, first, text, CONF_COVER, "cover"))
        else:  # `2024年度部门决算` / `上海市普陀区财政局`: the name on a cover line after the title
            after = next((i for i in title_idx[n:] if is_name(squeeze(lines[i]))), None)
            if after is not None:
                hits.append(Hit("org", squeeze(lines[after]), after + 1, lines[after].strip(), CONF_COVER - 0.05,
                                "cover"))
        if parsed.region:
            hits.append(Hit("region", parsed.region, first, text, CONF_COVER, "cover"))
        year_line = next((i for i in block if _BARE_YEAR.fullmatch(squeeze(lines[i]))), None)
        if parsed.year:
            hits.append(Hit("year", parsed.year, first, text, CONF_COVER, "cover"))
        elif year_line is not None:
            year = int(squeeze(lines[year_line])[:4])
            hits.append(Hit("year", year, year_line + 1, lines[year_line].strip(), CONF_COVER - 0.05, "cover"))
        hits.append(Hit("kind", parsed.kind, first, text, CONF_COVER, "cover"))
        return hits, used[-1] + 1
    return hits, 0


def title_line_hits(lines: list[str], kind_words: list[tuple[str, str]], skip: int = 0) -> list[Hit]:
    """Whole lines shaped like a title: table titles, section titles, running headers."""
    hits: list[Hit] = []
    for idx in range(skip, len(lines)):
        raw = lines[idx].strip()
        text = squeeze(raw)
        if not text or len(text) > 50 or _NUMBERED.match(text) or "…" in text or "\t" in raw:
            continue
        parsed = parse_title(text, kind_words)
        if parsed is None or not (parsed.org or parsed.year):
            continue
        for fld, value in (("org", parsed.org), ("region", parsed.region), ("year", parsed.year),
                           ("kind", parsed.kind)):
            if value:
                hits.append(Hit(fld, value, idx + 1, raw, CONF_TITLE, "title"))
    return hits


def heading_hits(lines: list[str], skip: int = 0, window: int = 15) -> list[Hit]:
    """A line near the start that is nothing but a name (`株洲市石峰区网格化管理服务中心` under `第一部分`); a name
    broken over two lines (`上海市普陀区规划和自然` / `资源局`) is read whole."""
    hits: list[Hit] = []
    near = [i for i in range(skip, len(lines)) if squeeze(lines[i])][:window]
    joined_next = False
    for pos, idx in enumerate(near):
        if joined_next:
            joined_next = False
            continue
        text = squeeze(lines[idx])
        nxt = near[pos + 1] if pos + 1 < len(near) and near[pos + 1] == idx + 1 else None
        if nxt is not None and region_of(text) and not region_of(squeeze(lines[nxt])):
            whole = text + squeeze(lines[nxt])
            if is_name(whole) and len(whole) <= 40:
                hits.append(Hit("org", whole, idx + 1, f"{lines[idx].strip()} / {lines[nxt].strip()}", CONF_HEADING,
                                "heading"))
                joined_next = True
                continue
        if is_name(text):
            hits.append(Hit("org", text, idx + 1, lines[idx].strip(), CONF_HEADING, "heading"))
    return hits
