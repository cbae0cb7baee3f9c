"""The pinyin the offline engine reads: pypinyin, the lexicon, and 一/不 tone sandhi.

misaki's own Mandarin G2P segments with jieba and only applies phrase pinyin that is
one jieba word, so a lexicon entry such as 完成率为 never reaches it. The speech stage
therefore works out every syllable here and the engine turns each into phonemes; what
``script --pinyin`` shows is exactly what is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..wordseg import load_jieba

_EMPTY: Mapping[str, tuple[str, ...]] = {}
_HAN_LO, _HAN_HI = "\u3400", "\u9fff"
# After these 一 is a digit (二零二一, 十一) and before these it names a number or a
# date (一九九零, 一月), so it keeps its own first tone.
_DIGITISH = set("零〇一二三四五六七八九十两")
_DATEISH = set("月日号")


@lru_cache(maxsize=1)
def _pypinyin() -> Any:
    import logging

    import jieba
    import pypinyin

    jieba.setLogLevel(logging.WARNING)
    return pypinyin


def words(text: str) -> list[str]:
    """jieba's words for ``text`` (no HMM: the dictionary's words, as misaki segments)."""
    return list(load_jieba().lcut(text, HMM=False))


def _is_han(char: str) -> bool:
    return _HAN_LO <= char <= _HAN_HI


def _tone(syllable: str) -> str:
    return syllable[-1] if syllable and syllable[-1] in "12345" else ""


def _sandhi(text: str, out: list[str], fixed: set[int]) -> None:
    """一 and 不 change tone before another syllable; misaki does not do it, so we do.

    Only a 一/不 that starts a word (jieba) changes: inside a word pypinyin's phrase
    table already has the right tone (统一, 差不多).
    """
    if "一" not in text and "不" not in text:
        return
    pos = 0
    for word in words(text):
        i = pos
        pos += len(word)
        char = word[0]
        if char not in "一不" or i in fixed or i + 1 >= len(text) or not _is_han(text[i + 1]):
            continue
        nxt, tone = text[i + 1], _tone(out[i + 1])
        if char == "一":
            if (i > 0 and text[i - 1] in _DIGITISH) or nxt in _DIGITISH or nxt in _DATEISH:
                out[i] = "yi1"
            elif tone in ("4", "5"):
                out[i] = "yi2"
            elif tone:
                out[i] = "yi4"
        else:
            out[i] = "bu2" if tone == "4" else "bu4"


def pinyin_of(text: str, overrides: Mapping[str, tuple[str, ...]] = _EMPTY) -> tuple[str, ...]:
    """One entry per character: tone syllables (neutral tone 5, ü as v) or the character.

    ``overrides`` maps words to their syllables; the longest match at each position wins,
    and tone sandhi never touches a character an override set.
    """
    pp = _pypinyin()
    result = pp.lazy_pinyin(
        text,
        style=pp.Style.TONE3,
        neutral_tone_with_five=True,
        errors=lambda chars: list(chars),
    )
    out = list(result)
    if len(out) != len(text):  # pypinyin merged something: fall back to per character
        out = [(pp.lazy_pinyin(c, style=pp.Style.TONE3, neutral_tone_with_five=True) or [c])[0] for c in text]
    fixed: set[int] = set()
    if overrides:
        longest = max(len(w) for w in overrides)
        i = 0
        while i < len(text):
            for size in range(min(longest, len(text) - i), 0, -1):
                syllables = overrides.get(text[i : i + size])
                if syllables is not None and len(syllables) == size:
                    out[i : i + size] = syllables
                    fixed.update(range(i, i + size))
                    i += size
                    break
            else:
                i += 1
    _sandhi(text, out, fixed)
    return tuple(out)
