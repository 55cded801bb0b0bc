"""The keyword tokens of chunks (`core.lexicon.tokenize`), computed piece by piece with a memo.

jieba segments the runs of characters its pattern accepts (汉字, letters, digits, `+#&._%-`) one by one: whitespace
always ends a run, and `tokenize` drops whitespace tokens. So a text's tokens are the tokens of its
whitespace-separated pieces, in order — and the pieces recur (row labels, headings, column names, the same
sentences in every report of a family): each distinct piece is segmented once per process (a parse worker keeps
its memo from one report to the next). A third of a report's parse was its tokenization, most of it repeated.
"""

from __future__ import annotations

from collections import OrderedDict

from core.lexicon import tokenize

MEMO_PIECES = 200_000  # distinct pieces kept (~30 MB); the least recently used go first


class TokenMemo:
    def __init__(self, size: int = MEMO_PIECES) -> None:
        self.size = size
        self._memo: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self.hits = self.misses = 0

    def piece(self, piece: str) -> tuple[str, ...]:
        got = self._memo.get(piece)
        if got is not None:
            self.hits += 1
            self._memo.move_to_end(piece)
            return got
        self.misses += 1
        got = self._memo[piece] = tuple(tokenize(piece))
        if len(self._memo) > self.size:
            self._memo.popitem(last=False)
        return got

    def tokens(self, text: str) -> list[str]:
        """`tokenize(text)`, the same list."""
        return [tok for piece in text.split() for tok in self.piece(piece)]


_MEMO = TokenMemo()


def chunk_tokens(texts: list[str]) -> list[list[str]]:
    """The tokens of each text, as `[tokenize(t) for t in texts]` gives them (the process's memo)."""
    return [_MEMO.tokens(t) for t in texts]
