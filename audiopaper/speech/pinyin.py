"""The pinyin the offline engine reads: pypinyin plus the project's lexicon."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

_EMPTY: Mapping[str, tuple[str, ...]] = {}


@lru_cache(maxsize=1)
def _pypinyin():  # type: ignore[no-untyped-def]
    import logging

    import jieba
    import pypinyin

    jieba.setLogLevel(logging.WARNING)
    return pypinyin


def pinyin_of(text: str, overrides: Mapping[str, tuple[str, ...]] = _EMPTY) -> tuple[str, ...]:
    """One entry per character: tone syllables (neutral tone 5, ü as v) or the character.

    ``overrides`` maps words to their syllables; the longest match at each position wins.
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
    if overrides:
        longest = max(len(w) for w in overrides)
        i = 0
        while i < len(text):
            for size in range(min(longest, len(text) - i), 0, -1):
                syllables = overrides.get(text[i : i + size])
                if syllables is not None and len(syllables) == size:
                    out[i : i + size] = syllables
                    i += size
                    break
            else:
                i += 1
    return tuple(out)
