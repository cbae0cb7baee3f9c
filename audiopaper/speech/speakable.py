"""The read-back invariant: every character a voice is sent is either spoken or a pause.

The offline voice silently drops any character it has no phoneme for (a full-width
％, 〇, ～, a Latin capital). Normalization is meant to leave none; this module names
whatever is left, so the build can warn instead of losing meaning quietly.

Speakable: Han characters with a tone syllable, Latin letters (the engines spell them),
whitespace, and the punctuation marks that are read as pauses or quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["PAUSE_MARKS", "unspeakable", "unspoken_in_reading"]

#: Punctuation every voice turns into a pause or a quote (the offline voice's phoneme
#: set has , . ! ? : ; … — “ ” ( ) and maps these onto them).
PAUSE_MARKS = frozenset("，、,。．.！!？?：:；;…—“”《》「」（）()")
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")
_SYLLABLE = re.compile(r"^[a-z]+[1-5]$")


def _speakable(char: str) -> bool:
    return bool(_HAN.match(char)) or (char.isascii() and char.isalpha()) or char.isspace() or char in PAUSE_MARKS


def unspeakable(text: str) -> str:
    """The characters of ``text`` that no voice would say, in order, each once."""
    seen: dict[str, None] = {}
    for char in text:
        if not _speakable(char):
            seen.setdefault(char)
    return "".join(seen)


def unspoken_in_reading(text: str, pinyin: Sequence[str] | None) -> str:
    """Like ``unspeakable``, and also every Han character whose pinyin is no syllable
    (a rare character pypinyin does not know would be dropped by the offline voice)."""
    out = dict.fromkeys(unspeakable(text))
    if pinyin is not None and len(pinyin) == len(text):
        for char, syllable in zip(text, pinyin, strict=True):
            if _HAN.match(char) and not _SYLLABLE.match(syllable):
                out.setdefault(char)
    return "".join(out)
