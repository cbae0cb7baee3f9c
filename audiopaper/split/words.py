"""Word boundaries, for the one decision that needs a dictionary: whether a short line
without punctuation is a heading or the first half of a word cut at a column end."""

from __future__ import annotations

import functools
import logging
from typing import Any


@functools.cache
def _tokenizer() -> Any:
    # Imported on first use: loading the dictionary takes about a second, and only
    # text without markup ever gets here.
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def cuts_word(left: str, right: str, context: int = 6) -> bool:
    """True when a dictionary word runs across the end of ``left`` into ``right``
    (``各项责`` + ``任、做好`` → 责任)."""
    head, tail = left[-context:], right[:context]
    pos = 0
    for word in _tokenizer().cut(head + tail, HMM=False):
        if pos < len(head) < pos + len(word):
            return True
        pos += len(word)
    return False
