"""Fold CJK radical and compatibility code points to the ordinary ideographs they stand for.

Browser-printed and some converted PDFs store `⽀` (U+2F40 KANGXI RADICAL BRANCH) for 支, `⼊` for 入, `⻓`
for 长: they look right and match nothing. NFKC maps the Kangxi Radicals block (U+2F00–U+2FD5) and the CJK
Compatibility Ideographs; the CJK Radicals Supplement (U+2E80–U+2EF3) has no decomposition, so its
equivalents come from the table below (Unicode's EquivalentUnifiedIdeograph data, written out here).
Folding is one character for one character, so offsets into a line stay valid. Other NFKC mappings
(full-width punctuation, ① …) are left alone: `core.normalize` decides those with an offset map.
"""

from __future__ import annotations

import unicodedata

# U+2E80–U+2EF3 → the unified ideograph each supplement radical is equivalent to (first code point, then
# the ideograph); radicals with no BMP equivalent map to their nearest full form.
_SUPPLEMENT = """
2E81 厂 2E82 乛 2E83 乚 2E84 乙 2E85 亻 2E86 冂 2E87 几 2E88 刀 2E89 刂 2E8A 卜 2E8B 㔾 2E8C 小 2E8D 小
2E8E 兀 2E8F 尣 2E90 尢 2E91 尢 2E92 巳 2E93 幺 2E94 彑 2E95 彐 2E96 忄 2E97 㣺 2E98 扌 2E99 攵 2E9B 旡
2E9C 日 2E9D 月 2E9E 歺 2E9F 母 2EA0 民 2EA1 氵 2EA2 氺 2EA3 灬 2EA4 爫 2EA5 爫 2EA6 丬 2EA7 牛 2EA8 犭
2EA9 王 2EAA 疋 2EAB 罒 2EAC 示 2EAD 礻 2EAE 竹 2EAF 糹 2EB0 纟 2EB1 罓 2EB2 罒 2EB3 㓁 2EB4 㓁 2EB5 罓
2EB6 羊 2EB7 羊 2EB8 羊 2EB9 耂 2EBA 肀 2EBB 聿 2EBC 月 2EBD 臼 2EBE 艹 2EBF 艹 2EC0 艹 2EC1 虎 2EC2 衤
2EC3 覀 2EC4 西 2EC5 见 2EC6 角 2EC7 角 2EC8 讠 2EC9 贝 2ECA 足 2ECB 车 2ECC 辶 2ECD 辶 2ECE 辶 2ECF 阝
2ED0 钅 2ED1 長 2ED2 镸 2ED3 长 2ED4 门 2ED5 阜 2ED6 阝 2ED7 雨 2ED8 青 2ED9 韦 2EDA 页 2EDB 风 2EDC 飞
2EDD 食 2EDE 食 2EDF 飠 2EE0 饣 2EE1 首 2EE2 马 2EE3 骨 2EE4 鬼 2EE5 鱼 2EE6 鸟 2EE7 卤 2EE8 麦 2EE9 黄
2EEA 黾 2EEB 斉 2EEC 齐 2EED 歯 2EEE 齿 2EEF 竜 2EF0 龙 2EF1 龜 2EF2 亀 2EF3 龟
"""


def _table() -> dict[int, str]:
    parts = _SUPPLEMENT.split()
    return {int(code, 16): ch for code, ch in zip(parts[0::2], parts[1::2], strict=True)}


SUPPLEMENT: dict[int, str] = _table()


def _folded(ch: str) -> str | None:
    o = ord(ch)
    if 0x2E80 <= o <= 0x2EFF:
        return SUPPLEMENT.get(o)
    if 0x2F00 <= o <= 0x2FDF or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F:
        out = unicodedata.normalize("NFKC", ch)
        return out if len(out) == 1 and out != ch else None
    return None


def fold_radicals(text: str) -> tuple[str, int]:
    """`text` with radical/compatibility code points replaced (same length), and how many were replaced."""
    if not any("\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff" or ord(ch) >= 0x2F800 for ch in text):
        return text, 0
    out: list[str] = []
    n = 0
    for ch in text:
        rep = _folded(ch)
        if rep is not None:
            out.append(rep)
            n += 1
        else:
            out.append(ch)
    return "".join(out), n
