"""Sentence planning: cut page text into sentences an engine reads well.

Cuts are decided on the page text (where numbers are still digits, so "never inside a
number" is checkable) and lengths are measured on the spoken text (which is what an
engine gets: 123.87% is 7 characters on the page and 11 spoken).

1. Hard cuts after 。！？；… (and the closing quotes or brackets that follow them).
2. A sentence whose spoken text exceeds ``max_chars`` is cut again at ，、：, filling
   each piece as far as it will go; a piece with no such mark is cut between jieba
   words. No cut ever falls inside a number or code, or inside a quotation, a book title
   《…》 or brackets that are themselves short enough to keep whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .pinyin import words

__all__ = ["MAX_CHARS", "Piece", "plan", "split_sentences"]

MAX_CHARS = 120

_STOP = set("。！？；!?;…")
_CLOSERS = set("”’」』）)》】\"'")
_SOFT = set("，、,：:")
_PAIRS = {"“": "”", "‘": "’", "《": "》", "「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〔": "〕"}
# A number or code with its inner punctuation (78.04, 1,234, 5·12, 0734-8888888,
# ZZDFPZ-415000/500-600±600kV) and any sign or percent attached.
_ATOM = re.compile(r"[±+\-－]?[A-Za-z0-9]+(?:[.,:∶·•/\-－—±~～][A-Za-z0-9]+)*[%％‰℃]?")


@dataclass(frozen=True)
class Piece:
    """One planned sentence: its page text, its spoken text, and whether it ends at a
    comma-level cut (a short pause) rather than a sentence end."""

    source: str
    spoken: str
    soft: bool = False


def _forbidden(text: str, max_chars: int) -> bytearray:
    """``mask[i]`` is 1 when a cut just before ``text[i]`` is not allowed."""
    mask = bytearray(len(text) + 1)
    stack: list[tuple[str, int]] = []
    straight: int | None = None
    for i, char in enumerate(text):
        if char in _PAIRS:
            stack.append((_PAIRS[char], i))
        elif char == '"':
            if straight is None:
                straight = i
            else:
                _protect(mask, straight, i, max_chars)
                straight = None
        elif stack and char == stack[-1][0]:
            _, start = stack.pop()
            _protect(mask, start, i, max_chars)
        elif char in _PAIRS.values():
            # A closer that does not match the innermost opener: page damage. Drop
            # openers up to its partner so one stray mark cannot freeze the rest.
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == char:
                    _protect(mask, stack[depth][1], i, max_chars)
                    del stack[depth:]
                    break
    for m in _ATOM.finditer(text):
        # Also keep a number with the words it touches: 2021年 read apart is 两千零二十一 年.
        # A cut at its edge is fine where punctuation already separates it.
        start, end = m.start(), m.end()
        for k in range(start + 1, end):
            mask[k] = 1
        if start > 0 and _wordish(text[start - 1]):
            mask[start] = 1
        if end < len(text) and _wordish(text[end]):
            mask[end] = 1
    mask[0] = mask[len(text)] = 0
    return mask


def _wordish(char: str) -> bool:
    return char.isalnum()


def _protect(mask: bytearray, start: int, end: int, max_chars: int) -> None:
    # A quotation longer than a sentence may be cut (else it could never fit).
    if end - start + 1 <= max_chars:
        for k in range(start + 1, end + 1):
            mask[k] = 1


def _hard_cuts(text: str, mask: bytearray) -> list[int]:
    cuts = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in _STOP:
            j = i + 1
            while j < n and (text[j] in _STOP or text[j] in _CLOSERS):
                j += 1
            if j < n and not mask[j]:
                cuts.append(j)
            i = j
        else:
            i += 1
    return cuts


def _spans(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    bounds = [0, *cuts, len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]


def split_sentences(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Page text cut at sentence ends (no length limit applied; see ``plan``)."""
    mask = _forbidden(text, max_chars)
    return [text[a:b].strip() for a, b in _spans(text, _hard_cuts(text, mask))]


def plan(text: str, normalize: Callable[[str], str], max_chars: int = MAX_CHARS) -> list[Piece]:
    """Sentences for one paragraph, each with spoken text of at most ``max_chars``."""
    mask = _forbidden(text, max_chars)
    out: list[Piece] = []
    for a, b in _spans(text, _hard_cuts(text, mask)):
        source = text[a:b]
        # Normalizing a very long run at once is slow (wetext is superlinear) and it
        # cannot fit anyway: such a sentence goes straight to the cutter.
        spoken = normalize(source) if b - a <= 2 * max_chars else ""
        if spoken and len(spoken) <= max_chars:
            if spoken:
                out.append(Piece(source.strip(), spoken))
            continue
        if not spoken and b - a <= 2 * max_chars:
            continue  # nothing to say (a line of decoration)
        pieces = _fit(text, a, b, mask, normalize, max_chars)
        out.extend(pieces[:-1])
        if pieces:
            last = pieces[-1]
            out.append(Piece(last.source, last.spoken, soft=False))
    return out


def _fit(
    text: str, start: int, end: int, mask: bytearray, normalize: Callable[[str], str], max_chars: int
) -> list[Piece]:
    """Cut ``text[start:end]`` into pieces whose spoken text fits, filling each piece."""
    soft = [k for k in range(start + 1, end) if text[k - 1] in _SOFT and not mask[k]]
    word_cuts: list[int] | None = None
    out: list[Piece] = []
    pos = start
    while pos < end:
        if end - pos <= max_chars:
            spoken = normalize(text[pos:end])
            if len(spoken) <= max_chars:
                if spoken:
                    out.append(Piece(text[pos:end].strip(), spoken, soft=True))
                break
        # Page characters rarely read shorter than they are written (digits expand),
        # so start from max_chars and shrink when the spoken text overflows.
        budget = max_chars
        while True:
            limit = min(pos + budget, end)
            cut = end if limit == end else _last(soft, pos + max(1, budget // 3), limit)
            if cut is None:
                if word_cuts is None:
                    word_cuts = _word_cuts(text, start, end, mask)
                cut = _last(word_cuts, pos + 1, limit)
            if cut is None:
                cut = limit  # nothing allowed in reach: a plain cut
            spoken = normalize(text[pos:cut])
            if len(spoken) <= max_chars or budget <= 1:
                break
            budget = max(1, min(budget - 1, budget * max_chars // len(spoken) - 1))
        if spoken:
            out.append(Piece(text[pos:cut].strip(), spoken[:max_chars], soft=True))
        pos = cut
    return out


def _word_cuts(text: str, start: int, end: int, mask: bytearray) -> list[int]:
    cuts = []
    pos = start
    for word in words(text[start:end]):
        pos += len(word)
        if start < pos < end and not mask[pos]:
            cuts.append(pos)
    return cuts


def _last(cuts: list[int], low: int, high: int) -> int | None:
    """The largest cut in [low, high], by bisection (cuts are sorted)."""
    import bisect

    i = bisect.bisect_right(cuts, high)
    if i and cuts[i - 1] >= low:
        return cuts[i - 1]
    return None
