"""Turn page text into what a Mandarin news reader says: numbers, symbols, markup."""

from __future__ import annotations

import re

import cn2an

_MARKUP = re.compile(r"[*_#`>|■●◆★☆▲△□◇]+")
_DIGIT_NAMES = "零一二三四五六七八九"


def normalize(text: str) -> str:
    """Speakable text for one sentence; no ASCII digit survives."""
    text = _MARKUP.sub("", text)
    text = cn2an.transform(text, "an2cn")
    # Any digit cn2an left alone is read digit by digit.
    text = re.sub(r"\d", lambda m: _DIGIT_NAMES[int(m.group())], text)
    return re.sub(r"\s+", " ", text).strip()
