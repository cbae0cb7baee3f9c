"""Sentence planning: cut text into sentences an engine reads well."""

from __future__ import annotations

import re

MAX_CHARS = 120

_END = re.compile(r"(?<=[。！？；…!?;])(?![”’』」)）》])|(?<=[。！？…!?][”’』」])")
_SOFT = "，、,：:"


def split_sentences(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Split at sentence-final punctuation, then at commas when a sentence runs long."""
    out: list[str] = []
    for sentence in _END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        out.extend(_limit(sentence, max_chars))
    return out


def _limit(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    pieces: list[str] = []
    rest = sentence
    while len(rest) > max_chars:
        window = rest[:max_chars]
        cut = max(window.rfind(c) for c in _SOFT) + 1
        if cut < max_chars // 3:
            cut = max_chars
        pieces.append(rest[:cut].strip())
        rest = rest[cut:]
    if rest.strip():
        pieces.append(rest.strip())
    return pieces
