"""WebVTT and SRT transcripts from the synthesis sentence timings.

Each sentence's start and end come from synthesis (where the engine's audio for it
begins and ends in the clip), never from an estimate of reading speed. A sentence too
long for one subtitle line is cut into balanced pieces, preferably after punctuation,
and the sentence's time is shared between them by their length: engines give no
per-character timing, and Mandarin reads at a near-constant rate per character.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import Span
from ..wordseg import load_jieba

MAX_CUE_CHARS = 24
_BREAK_AFTER = "，、；：。！？,;:!?）》」』”’)"


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str


def _ts(seconds: float, sep: str = ".") -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def cues(spans: Sequence[Span], offset_s: float = 0.0, limit_s: float | None = None) -> list[Cue]:
    """Cues of at most MAX_CUE_CHARS characters, in order, never past ``limit_s``."""
    out: list[Cue] = []
    last_end = -math.inf
    for span in spans:
        text = " ".join(span.text.split())
        if not text:
            continue
        pieces = split_line(text)
        total = sum(len(p) for p in pieces)
        t = span.start_s
        length = span.end_s - span.start_s
        for piece in pieces:
            end = t + length * len(piece) / total
            a, b = max(t + offset_s, last_end), end + offset_s
            if limit_s is not None:
                b = min(b, limit_s)
            if b - a >= 0.001:
                out.append(Cue(a, b, piece))
                last_end = b
            t = end
    return out


def _splits_a_word(text: str, cut: int) -> bool:
    """Would cutting before ``text[cut]`` break a Latin word or a number in two?"""
    a, b = text[cut - 1], text[cut]
    return a.isascii() and b.isascii() and a.isalnum() and b.isalnum()


def _word_starts(text: str) -> set[int]:
    """Where Chinese words begin (jieba, dictionary only), so a cue never ends mid-word."""
    return {start for _, start, _ in load_jieba().tokenize(text, HMM=False)}


def split_line(text: str, limit: int = MAX_CUE_CHARS) -> list[str]:
    """Cut ``text`` into the fewest pieces of at most ``limit`` characters, of even length.

    Prefer cutting after punctuation near the even point, then between two Chinese words,
    then anywhere that keeps Latin words and numbers whole, and only then at the point.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        words = _word_starts(rest)
        n = math.ceil(len(rest) / limit)
        target = len(rest) / n
        # the cut must leave what remains splittable into n - 1 pieces of at most limit
        lo = max(1, len(rest) - (n - 1) * limit)
        hi = min(limit, len(rest) - 1)
        candidates = range(lo, hi + 1)
        punct = [c for c in candidates if rest[c - 1] in _BREAK_AFTER and abs(c - target) <= limit / 3]
        whole = [c for c in candidates if not _splits_a_word(rest, c)]
        between_words = [c for c in whole if c in words and abs(c - target) <= limit / 3]
        pool = punct or between_words or whole or list(candidates)
        cut = min(pool, key=lambda c: (abs(c - target), c))
        piece, rest = rest[:cut].strip(), rest[cut:].strip()
        if piece:
            pieces.append(piece)
    if rest:
        pieces.append(rest)
    return pieces


def _vtt_text(text: str) -> str:
    # WebVTT cue text is markup: escape it, and "-->" may not appear at all
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cue_list: Sequence[Cue]) -> str:
    lines = ["WEBVTT", ""]
    for n, cue in enumerate(cue_list, start=1):
        lines += [str(n), f"{_ts(cue.start_s)} --> {_ts(cue.end_s)}", _vtt_text(cue.text), ""]
    return "\n".join(lines)


def to_srt(cue_list: Sequence[Cue]) -> str:
    lines: list[str] = []
    for n, cue in enumerate(cue_list, start=1):
        lines += [str(n), f"{_ts(cue.start_s, ',')} --> {_ts(cue.end_s, ',')}", cue.text, ""]
    return "\n".join(lines)
