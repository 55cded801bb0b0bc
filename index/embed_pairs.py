"""Training pairs for the project's own Chinese embedding model, generated from parsed reports and the lexicon.

Every pair is (query-like text, chunk text) where the chunk is the retrieval unit that answers it:
- a table cell's row label + column + table title, phrased as a question ↔ the table chunk holding the row;
- a narrative figure's subject and phrase, phrased as a question ↔ the chunk holding the sentence;
- a sentence with its figures removed ↔ its chunk; a section heading (+ 是什么/有哪些) ↔ the section's chunks;
- the same questions with lexicon synonyms swapped in (接待费 for 公务接待费, 花了多少 for 支出决算 …).
No evaluation question is used. Generation is deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.aliases import org_aliases
from core.lexicon import SYNONYMS, new_tokenizer, tokenize
from core.models import Chunk, Fact
from index.parse import ParsedReport

ASK = ["是多少", "是多少？", "有多少", "多少万元", "多少钱", "的金额", "", "情况", "是多少万元？"]
TOPIC_ASK = ["是什么", "有哪些", "情况", "的内容", "怎么样", ""]
_NUMBERING = re.compile(r"^[\s（(]*[一二三四五六七八九十\d]+[、.．)）]\s*|^第[一二三四五六七八九十]+部分")
_FIGURE = re.compile(r"[-+]?\d[\d,，.]*\s*(万元|亿元|元|%|个|人|名|次|分)?")
_CANON_TO_SYN: dict[str, list[str]] = {}
for _syn, _canon in SYNONYMS.items():
    _CANON_TO_SYN.setdefault(_canon, []).append(_syn)


@dataclass(frozen=True)
class Pair:
    query: str
    passage: str
    chunk_id: str
    negative: str = ""


def clean_label(text: str) -> str:
    text = _NUMBERING.sub("", text.strip())
    text = re.sub(r"(为|是|包括|共计|合计为)$", "", text)
    return text.strip(" ：:，,")


def _chunk_for_line(chunks: list[Chunk], line: int, needle: str = "") -> Chunk | None:
    covering = [c for c in chunks if c.start <= line <= c.end]
    if needle:
        with_needle = [c for c in covering if needle in c.text]
        covering = with_needle or covering
    return covering[0] if covering else None


def _with_synonyms(rng: random.Random, text: str) -> str:
    for canon, syns in _CANON_TO_SYN.items():
        if canon in text and rng.random() < 0.5:
            return text.replace(canon, rng.choice(syns), 1)
    return text


def _prefix(rng: random.Random, parsed: ParsedReport) -> str:
    r = parsed.report
    roll = rng.random()
    if roll < 0.5:
        return ""
    alias = rng.choice(sorted(org_aliases(r)))
    year = f"{r.year}年" if r.year and rng.random() < 0.7 else ""
    return f"{year}{alias}" if rng.random() < 0.5 else f"{alias}{year}"


def _cell_query(f: Fact) -> str:
    row = clean_label(f.row_label)
    col = f.column.split("/")[-1] if f.column else ""
    parts = [row]
    if col and col not in row:
        parts.append(col)
    return "".join(parts)


def _text_query(f: Fact) -> str:
    subject = clean_label(f.row_label)
    phrase = clean_label(f.phrase)
    if phrase and phrase not in subject:
        return subject + phrase if len(subject) <= 20 else phrase
    return subject


def report_pairs(parsed: ParsedReport, rng: random.Random, variants: int = 3) -> list[Pair]:
    chunks = parsed.chunks
    pairs: list[Pair] = []

    def add(query: str, chunk: Chunk | None) -> None:
        query = query.strip()
        if chunk is not None and len(query) >= 2:
            pairs.append(Pair(query, chunk.text, chunk.chunk_id))

    for f in parsed.facts:
        if f.kind == "cell":
            base = _cell_query(f)
            title = f.table_title or ""
            chunk = _chunk_for_line(chunks, f.line, clean_label(f.row_label)[:12])
            if chunk is not None and f.table_id:
                table_chunks = [c for c in chunks if c.table_id == f.table_id and clean_label(f.row_label)[:12] in c.text]
                chunk = table_chunks[0] if table_chunks else chunk
        else:
            base = _text_query(f)
            title = ""
            chunk = _chunk_for_line(chunks, f.line)
        for _ in range(variants):
            q = base
            if title and rng.random() < 0.3:
                q = f"{title}中{q}" if rng.random() < 0.5 else f"{q}（{title}）"
            q = _prefix(rng, parsed) + _with_synonyms(rng, q) + rng.choice(ASK)
            add(q, chunk)
        if f.kind == "text" and f.sentence:
            add(_FIGURE.sub("", f.sentence), chunk)

    for c in chunks:
        if c.table_id:
            add(c.text.split("\n", 1)[0].split(" ", 2)[-1], c)  # the table's title line
            continue
        heading = clean_label(c.section.split(" › ")[-1]) if c.section else ""
        if heading:
            for _ in range(variants):
                add(_prefix(rng, parsed) + _with_synonyms(rng, heading) + rng.choice(TOPIC_ASK), c)
        body = c.text.split("\n")[1:]
        for line in body:
            for sentence in re.split(r"[。；;]", line):
                sentence = _FIGURE.sub("", sentence).strip()
                if 6 <= len(sentence) <= 80 and rng.random() < 0.5:
                    add(sentence, c)
    return pairs


@lru_cache(maxsize=1)
def _jieba() -> Any:
    return new_tokenizer()


def _key_terms(query: str) -> list[str]:
    words = [w for w in tokenize(query, _jieba()) if len(w) >= 2]
    return sorted(words, key=len, reverse=True)[:3]


def add_hard_negatives(pairs: list[Pair], chunks: list[Chunk], rng: random.Random) -> list[Pair]:
    """A hard negative per pair: another chunk of the same report sharing the query's key term — the table
    header or sibling section that lexical search confuses with the passage that holds the answer."""
    out = []
    for p in pairs:
        doc = p.chunk_id.split(":", 1)[0]
        negative = ""
        for term in _key_terms(p.query):
            pool = [c.text for c in chunks if c.doc_id == doc and c.chunk_id != p.chunk_id and term in c.text
                    and c.text != p.passage]
            if pool:
                negative = rng.choice(pool)
                break
        out.append(Pair(p.query, p.passage, p.chunk_id, negative))
    return out


def held_out_questions(folder: Path | None = None) -> frozenset[str]:
    """Every question of the evaluation sets (`eval/datasets/*.jsonl`): a generated query that happens to read the
    same is never trained on, so an evaluation never scores a question the model has seen."""
    folder = folder or Path(__file__).resolve().parents[1] / "eval" / "datasets"
    out: set[str] = set()
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.add(str(json.loads(line).get("question", "")).rstrip("？?"))
    return frozenset(out)


def build_pairs(reports: list[ParsedReport], seed: int = 13, variants: int = 3,
                held_out: frozenset[str] = frozenset()) -> list[Pair]:
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for parsed in reports:
        pairs.extend(add_hard_negatives(report_pairs(parsed, rng, variants), parsed.chunks, rng))
    rng.shuffle(pairs)
    return [p for p in pairs if p.query.rstrip("？?") not in held_out]
