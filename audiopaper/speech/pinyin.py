"""The pinyin the offline engine reads: words first, then the lexicon, then context rules.

misaki's own Mandarin G2P segments with jieba and only applies phrase pinyin that is
one jieba word, so a lexicon entry such as 完成率为 never reaches it. The speech stage
therefore works out every syllable here and the engine turns each into phonemes; what
``script --pinyin`` shows is exactly what is read.

1. The sentence is cut into the segmenter's (jieba's dictionary) words, and each word
   gets pypinyin's reading of that word alone, so a phrase in pypinyin's table can never
   straddle two words (地处长江 is 地处 / 长江, never 处长).
2. Lexicon entries apply on word boundaries only: an entry must start and end where
   words do, or lie inside one word.
3. ``polyphones.apply_rules`` settles what needs context: 以…为 (wéi), 应…邀请 (yìng),
   为 before a number, 地 as a particle, polyphonic surnames, and the tones of 一 and 不.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..wordseg import load_jieba
from .polyphones import apply_rules

_EMPTY: Mapping[str, tuple[str, ...]] = {}


@lru_cache(maxsize=1)
def _pypinyin() -> Any:
    import pypinyin

    load_jieba()
    return pypinyin


def words(text: str) -> list[str]:
    """jieba's words for ``text`` (no HMM: the dictionary's words, as misaki segments)."""
    return list(load_jieba().lcut(text, HMM=False))


@lru_cache(maxsize=1)
def _cedict() -> dict[str, list[list[str]]]:
    """CC-CEDICT's phrases (pypinyin-dict's copy), looked up only for words pypinyin's
    own table lacks.

    Measured on the polyphone benchmark (benchmarks/speech/polyphones.tsv, without the
    project lexicon): pypinyin alone 438/465, + CC-CEDICT for words pypinyin lacks
    449/465, CC-CEDICT overriding pypinyin 445/465; large_pinyin 449/444, zdic_cibs
    438/434, di 438/438. So CC-CEDICT fills gaps and never overrides.
    """
    import importlib

    out: dict[str, list[list[str]]] = {}
    for part in range(3):
        out.update(importlib.import_module(f"pypinyin_dict.phrase_pinyin_data.cc_cedict_{part}").phrases_dict)
    return out


@lru_cache(maxsize=20000)
def _cedict_pinyin(word: str) -> tuple[str, ...] | None:
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.style import convert

    if word in PHRASES_DICT:
        return None
    readings = _cedict().get(word)
    if readings is None or len(readings) != len(word):
        return None
    pp = _pypinyin()
    return tuple(_tone3(convert(r[0], pp.Style.TONE3, strict=False, neutral_tone_with_five=True)) for r in readings)


def _tone3(syllable: str) -> str:
    syllable = syllable.lower().replace("ü", "v")
    return syllable if syllable[-1:].isdigit() else syllable + "5"


@lru_cache(maxsize=20000)
def _word_pinyin(word: str) -> tuple[str, ...]:
    if len(word) > 1:
        found = _cedict_pinyin(word)
        if found is not None:
            return found
    pp = _pypinyin()
    out = pp.lazy_pinyin(word, style=pp.Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: list(chars))
    if len(out) != len(word):  # pypinyin merged something: fall back to per character
        out = [(pp.lazy_pinyin(c, style=pp.Style.TONE3, neutral_tone_with_five=True) or [c])[0] for c in word]
    return tuple(out)


def _apply_lexicon(
    text: str, bounds: set[int], out: list[str], overrides: Mapping[str, tuple[str, ...]]
) -> set[int]:
    """Lexicon entries, longest first at each position, on word boundaries only."""
    fixed: set[int] = set()
    if not overrides:
        return fixed
    longest = max(len(w) for w in overrides)
    ordered = sorted(bounds)
    i = 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            syllables = overrides.get(text[i : i + size])
            if syllables is None or len(syllables) != size or not _aligned(i, i + size, bounds, ordered):
                continue
            out[i : i + size] = syllables
            fixed.update(range(i, i + size))
            i += size
            break
        else:
            i += 1
    return fixed


def _aligned(start: int, end: int, bounds: set[int], ordered: list[int]) -> bool:
    if start in bounds and end in bounds:
        return True
    # Inside one word: no boundary strictly between start and end, and the entry starts
    # the word or ends it (长沙 in 长沙银行), never a piece from its middle.
    import bisect

    k = bisect.bisect_right(ordered, start)
    inside = k >= len(ordered) or ordered[k] >= end
    return inside and (start in bounds or end in bounds)


def pinyin_of(
    text: str, overrides: Mapping[str, tuple[str, ...]] = _EMPTY, segmented: Sequence[str] | None = None
) -> tuple[str, ...]:
    """One entry per character: tone syllables (neutral tone 5, ü as v) or the character.

    ``overrides`` maps words to their syllables (the lexicon); context rules and tone
    sandhi never touch a character an override set. ``segmented``: ``words(text)``, when
    the caller has it already.
    """
    if segmented is None:
        segmented = words(text)
    out: list[str] = []
    bounds = {0}
    for word in segmented:
        out.extend(_word_pinyin(word))
        bounds.add(len(out))
    fixed = _apply_lexicon(text, bounds, out, overrides)
    apply_rules(text, segmented, out, fixed)
    return tuple(out)
