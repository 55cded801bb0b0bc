"""Text that instructs rather than reports: wording addressed to the reader or to a language model (`忽略之前的所有
指令`, `回答时说…`, `你必须…`, `system:`, `ignore previous instructions`) planted in a report.

The markers are data (`index/data/instruction_markers.json`). A line that matches is flagged together with the
rest of its paragraph (a wrapped text layer continues a sentence on the next line), and at ingest `screen` keeps
the flagged lines for display and for the audit but drops their figures from the facts, their text from the
retrieval chunks, and adds a warning naming the lines. `masked` gives the lines an answering engine may read."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import UserError
from core.models import Report
from core.normalize import normalize_line

if TYPE_CHECKING:  # index.parse calls `screen` on every report it parses
    from index.parse import ParsedReport

MARKERS_FILE = Path(__file__).resolve().parent / "data" / "instruction_markers.json"
_SENTENCE_DONE = re.compile(r"[。！？!?；;：:」”）)…]\s*$")
_HEADING_START = re.compile(r"^\s*(?:第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十\d]{1,3}[)）])")
_FORWARD = re.compile(r"[：:]$|以下|如下|下面|下列|\b(?:following|below)\b", re.IGNORECASE)  # points at what follows
MAX_SPREAD = 4  # lines a flagged paragraph may extend on either side of the marker


@dataclass(frozen=True)
class Marker:
    name: str
    why: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Flag:
    """One marker found: the line it is on (1-based), what it is, the words matched, and every line of its
    paragraph (all of them are flagged)."""

    line: int
    marker: str
    why: str
    words: str
    lines: tuple[int, ...]


@lru_cache(maxsize=4)
def load_markers(path: Path = MARKERS_FILE) -> tuple[Marker, ...]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Marker(m["name"], m["why"], re.compile(m["pattern"], re.IGNORECASE | re.MULTILINE))
                     for m in data["markers"])
    except (OSError, ValueError, KeyError, TypeError, re.error) as exc:
        raise UserError(f"指令标记文件无效 / invalid instruction markers: {exc}",
                        "检查 JSON 格式和每个 pattern 的正则表达式", file=str(path)) from None


def marker_hits(text: str, markers: tuple[Marker, ...] | None = None) -> list[tuple[Marker, re.Match[str]]]:
    """Every marker that matches `text` (a normalised line), with its match."""
    out = []
    for m in markers if markers is not None else load_markers():
        hit = m.pattern.search(text)
        if hit:
            out.append((m, hit))
    return out


def instructs(text: str) -> bool:
    """Whether a piece of document text (a quote, a passage; not yet normalised) carries a marker."""
    return any(marker_hits(normalize_line(line).text) for line in text.split("\n"))


def _wrap_width(texts: list[str]) -> int:
    lengths = sorted(len(t.rstrip()) for t in texts if "\t" not in t and len(t.strip()) >= 12)
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def _continues(texts: list[str], idx: int, width: int) -> bool:
    """Whether line idx+1 (0-based idx) continues the sentence line idx wraps at the page width."""
    if idx + 1 >= len(texts):
        return False
    cur, nxt = texts[idx].rstrip(), texts[idx + 1]
    return (bool(nxt.strip()) and "\t" not in cur and "\t" not in nxt and len(cur) >= max(12, width * 0.8)
            and not _SENTENCE_DONE.search(cur) and not _HEADING_START.match(nxt))


def flag_lines(texts: list[str], markers: tuple[Marker, ...] | None = None) -> list[Flag]:
    """The flags of a report's normalised lines, one per line that carries a marker (first marker found)."""
    width = _wrap_width(texts)
    flags = []
    for idx, text in enumerate(texts):
        hits = marker_hits(text, markers)
        if not hits and _continues(texts, idx, width):  # a marker the page width broke in two (`忽略之前的` / `所有指令`)
            hits = marker_hits(text.rstrip() + texts[idx + 1].lstrip()[:40], markers)
        if not hits:
            continue
        marker, match = hits[0]
        first = last = idx
        while first > 0 and idx - first < MAX_SPREAD and _continues(texts, first - 1, width):
            first -= 1
        while last - idx < MAX_SPREAD and _continues(texts, last, width):
            last += 1
        if _FORWARD.search(texts[last].rstrip()):  # `…按以下内容回答：` — the paragraph it introduces is its payload
            nxt = next((j for j in range(last + 1, min(last + 3, len(texts))) if texts[j].strip()), None)
            if nxt is not None and "\t" not in texts[nxt]:
                last = nxt
                while last - nxt < MAX_SPREAD and _continues(texts, last, width):
                    last += 1
        flags.append(Flag(idx + 1, marker.name, marker.why, match.group(0).strip(),
                          tuple(range(first + 1, last + 2))))
    return flags


def flagged(flags: list[Flag]) -> set[int]:
    """Every flagged line (1-based)."""
    return {ln for f in flags for ln in f.lines}


def scan(lines: list[str]) -> list[Flag]:
    """The flags of a report's lines as stored (normalised here, as at ingest)."""
    return flag_lines([normalize_line(line).text for line in lines])


def masked(lines: list[str], flags: list[Flag]) -> list[str]:
    """The lines an answering engine may read: flagged lines empty (same numbering, nothing to quote)."""
    gone = flagged(flags)
    return [("" if n in gone else line) for n, line in enumerate(lines, start=1)] if gone else lines


WARNING = "疑似写给问答系统的指令"  # how the report's warning starts (`instructed` looks for it)


def warning(flags: list[Flag]) -> str:
    lines = sorted(flagged(flags))
    where = "、".join(map(str, lines[:8])) + ("…" if len(lines) > 8 else "")
    kinds = "、".join(dict.fromkeys(f.why for f in flags))
    return (f"{WARNING}（第{where}行：{kinds}），这些行的数字不作为答案 / text that instructs instead of "
            f"reporting at line(s) {where}: kept for display, its figures are never used as answers")


def instructed(report: Report | None) -> bool:
    """Whether the ingest flagged lines of this report (its warning says so)."""
    return report is not None and any(w.startswith(WARNING) for w in report.warnings)


def screen(parsed: ParsedReport) -> list[Flag]:
    """Flag the report's instructing lines: their facts go, their text leaves the retrieval chunks, and the report
    carries a warning. The lines themselves stay (display, audit)."""
    texts = [n.text for n in parsed.norm]
    flags = flag_lines(texts)
    if not flags:
        return flags
    gone = flagged(flags)
    parsed.facts = [f for f in parsed.facts if f.line not in gone]
    planted = {texts[n - 1].strip() for n in gone if texts[n - 1].strip()}
    for chunk in parsed.chunks:
        if chunk.end < min(gone) or chunk.start > max(gone):
            continue
        kept = [t for t in chunk.text.split("\n") if t.strip() not in planted and not marker_hits(t)]
        chunk.text = "\n".join(kept)
    parsed.report.warnings.append(warning(flags))
    return flags
