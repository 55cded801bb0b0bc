"""Train the project's own offline Chinese embedding model: a sentence-transformers `StaticEmbedding`.

- Tokenizer: WordPiece with no continuation prefix, so a Chinese run is cut by greedy longest match against a
  vocabulary of the GB2312 characters, jieba words of the training reports and the domain lexicon; digits are
  dropped (numbers carry no topic) and characters outside the vocabulary are blanked, so nothing becomes [UNK].
- Loss: in-batch softmax over cosine similarities (MultipleNegativesRankingLoss), both directions, with
  other queries of the same chunk masked out of the negatives.
- Reproducible: fixed seed, single thread order, deterministic pair generation. Minutes on 2 CPU cores.
- Saved as a normal sentence-transformers folder; the embedding matrix is stored in float16 in model2vec
  layout (`embeddings` + per-token `weights`), which `StaticEmbedding.load` folds back to float32.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from core.lexicon import DOMAIN_TERMS, SYNONYMS, add_terms, new_tokenizer, tokenize
from index.embed_pairs import Pair, build_pairs, held_out_questions
from index.parse import ParsedReport, parse_file

MODEL_NAME = "budget-static-zh"


def gb2312_chars() -> list[str]:
    """The 6,763 GB2312 hanzi (levels 1 and 2), generated from the codec — no download."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            out.append(ch)
    return out


def build_vocab(reports: list[ParsedReport], pairs: list[Pair], min_count: int = 2) -> list[str]:
    jieba_tok = new_tokenizer()
    for parsed in reports:
        add_terms([f.row_label for f in parsed.facts if f.row_label] + [t.title for t in parsed.tables], jieba_tok)
    counts: Counter[str] = Counter()
    for parsed in reports:
        for c in parsed.chunks:
            counts.update(tokenize(c.text, jieba_tok))
    for p in pairs:
        counts.update(tokenize(p.query, jieba_tok))
    words = {w for w, n in counts.items() if n >= min_count and len(w) >= 2 and not any(ch.isdigit() for ch in w)}
    words |= set(DOMAIN_TERMS) | set(SYNONYMS) | set(SYNONYMS.values())
    chars = set(gb2312_chars()) | set("abcdefghijklmnopqrstuvwxyz")
    for parsed in reports:
        chars |= {ch for c in parsed.chunks for ch in c.text if "\u4e00" <= ch <= "\u9fff"}
    words = {w.lower() for w in words if all(ch in chars for ch in w.lower())}
    return ["[UNK]", *sorted(chars), *sorted(words - chars)]


def build_tokenizer(vocab: list[str]) -> Any:
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

    chars = sorted({v for v in vocab if len(v) == 1})
    keep = "".join(chars).replace("\\", "").replace("]", "").replace("^", "").replace("-", "")
    tok = Tokenizer(models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]",
                                     max_input_chars_per_word=10_000, continuing_subword_prefix=""))
    tok.normalizer = normalizers.Sequence([
        normalizers.NFKC(), normalizers.Lowercase(), normalizers.Replace(Regex(f"[^{keep}]"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tok


def train(pairs: list[Pair], vocab: list[str], dim: int = 256, epochs: int = 4, batch_size: int = 256,
          lr: float = 0.2, scale: float = 20.0, seed: int = 13, log: Any = None) -> Any:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    static = StaticEmbedding(build_tokenizer(vocab), embedding_dim=dim)
    torch.nn.init.normal_(static.embedding.weight, std=0.1)
    model = SentenceTransformer(modules=[static], device="cpu")
    opt = torch.optim.Adam(static.parameters(), lr=lr)
    rng = random.Random(seed)
    order = list(range(len(pairs)))

    def embed(texts: list[str]) -> torch.Tensor:
        feats = static.preprocess(texts)
        return torch.nn.functional.normalize(static(feats)["sentence_embedding"], dim=-1)

    steps = epochs * ((len(order) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.05, 1 - s / max(steps, 1)))
    for epoch in range(epochs):
        rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[start : start + batch_size]]
            q, d = embed([p.query for p in batch]), embed([p.passage for p in batch])
            logits = scale * q @ d.T
            ids = [p.chunk_id for p in batch]
            same = torch.tensor([[a == b for b in ids] for a in ids])
            logits = logits.masked_fill(same & ~torch.eye(len(batch), dtype=torch.bool), -1e4)
            target = torch.arange(len(batch))
            loss_back = torch.nn.functional.cross_entropy(logits.T, target)
            negatives = [p.negative for p in batch if p.negative]
            if negatives:
                logits = torch.cat([logits, scale * q @ embed(negatives).T], dim=1)
            loss = (torch.nn.functional.cross_entropy(logits, target) + loss_back) / 2
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(batch)
        if log:
            log(f"epoch {epoch + 1}/{epochs} loss {total / len(order):.4f}")
    return model


def save(model: Any, out: Path, meta: dict[str, Any]) -> None:
    import torch
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    weight = model[0].embedding.weight.detach()
    save_file({"embeddings": weight.to(torch.float16).contiguous(), "weights": torch.ones(weight.shape[0])},
              str(out / "model.safetensors"))
    (out / "training.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def train_from_files(files: list[Path], out: Path, exclude: set[str] | None = None, seed: int = 13,
                     dim: int = 256, epochs: int = 4, log: Any = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    chosen = [f for f in sorted(files) if f.name not in (exclude or set())]
    reports = [parse_file(f) for f in chosen]
    pairs = build_pairs(reports, seed=seed, held_out=held_out_questions())
    vocab = build_vocab(reports, pairs)
    if log:
        log(f"{len(chosen)} reports, {len(pairs)} pairs, vocabulary {len(vocab)}")
    model = train(pairs, vocab, dim=dim, epochs=epochs, seed=seed, log=log)
    meta = {
        "model": MODEL_NAME, "trained_on": [f.name for f in chosen], "excluded": sorted(exclude or []),
        "pairs": len(pairs), "vocabulary": len(vocab), "dim": dim, "epochs": epochs, "seed": seed,
        "loss": "MultipleNegativesRankingLoss (in-batch softmax, symmetric, same-chunk negatives masked)",
        "train_seconds": round(time.perf_counter() - t0, 1),
    }
    save(model, out, meta)
    return meta
