"""WebVTT and SRT transcripts from the synthesis sentence timings.

Each sentence's start and end come from synthesis (where the engine's audio for it
begins and ends in the clip), never from an estimate of reading speed. A sentence too
long for one subtitle line is cut into balanced pieces, and the sentence's time is
shared between them by their length: engines give no per-character timing, and Mandarin
reads at a near-constant rate per character.

Where to cut is chosen over the whole sentence at once (``split_line``): after
punctuation where one is near the even point, else between two words, never inside a
word (``inside_word``: a jieba word, a Latin word or number, a number and its unit or
measure word, 10｜位, or a short quoted name, “一核两电三色四新”; nor between a mark
and the words it belongs to). A cut inside a word is left only where no other cut fits
the line length, such as inside a Latin token longer than a line. ``check``'s ``cues``
rule uses the same ``inside_word`` on the transcripts it reads.
"""

from __future__ import annotations

import math
import re
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


#: a cue must not start with these: they belong to the text before them
_NO_START = "，、；：。！？,;:!?）》」』”’)%％"
#: nor end with these: they belong to the text after them
_NO_END = "（《「『“‘(["
#: a quoted name or title this short is one term to a reader (“三高四新”, 《小鬼难缠》)
_TERM = re.compile(r"“[^“”]{1,12}”|《[^《》]{1,12}》|「[^「」]{1,12}」")
#: how much a cut between two words (not after punctuation) costs, in squared characters
#: of unevenness: a cut after punctuation up to about 8 characters from the even point
#: wins over a cut between words at it
_WORD_CUT = 2 * (MAX_CUE_CHARS / 3) ** 2
_INSIDE = 1e9  # a cut inside a word: only when nothing else fits


def _ascii_word(char: str) -> bool:
    return char.isascii() and not char.isspace() and char not in ",;:!?)"


def _digit(char: str) -> bool:
    return char.isdigit()  # ASCII and full-width digits


def word_starts(text: str) -> frozenset[int]:
    """Where words begin in ``text`` (jieba, with its HMM for names and new words)."""
    return frozenset(start for _, start, _ in load_jieba().tokenize(text))


def inside_word(text: str, cut: int, starts: frozenset[int] | None = None) -> bool:
    """Would cutting ``text`` before ``text[cut]`` split a word (or leave a mark that
    belongs to the words before it at the start of the next line)?"""
    if cut <= 0 or cut >= len(text):
        return False
    a, b = text[cut - 1], text[cut]
    if a.isspace() or b.isspace():
        return False
    if b in _NO_START or a in _NO_END:
        return True
    if any(m.start() < cut < m.end() for m in _TERM.finditer(text)):
        return True
    if a in _BREAK_AFTER:
        return False
    if _ascii_word(a) and _ascii_word(b):
        return True  # a Latin word, a number, a model number
    if _digit(a) and not b.isascii():
        return True  # a number and its unit or measure word: 10位, 2022年, 5%
    return cut not in (starts if starts is not None else word_starts(text))


def split_line(text: str, limit: int = MAX_CUE_CHARS) -> list[str]:
    """Cut ``text`` into the fewest pieces of at most ``limit`` characters, of even length,
    never inside a word where a cut between words fits.

    Chosen by dynamic programming over every cut position: each piece costs its squared
    distance from the even length, a cut between words (rather than after punctuation)
    costs ``_WORD_CUT``, a cut inside a word ``_INSIDE``.
    """
    if len(text) <= limit:
        return [text]
    starts = word_starts(text)
    length = len(text)
    cost_at = [0.0] * (length + 1)
    for c in range(1, length):
        if inside_word(text, c, starts):
            cost_at[c] = _INSIDE
        elif not (text[c - 1] in _BREAK_AFTER or text[c - 1].isspace() or text[c].isspace()):
            cost_at[c] = _WORD_CUT
    fewest = math.ceil(length / limit)
    best: tuple[float, list[int]] | None = None
    for n in range(fewest, fewest + 3):
        found = _cuts(length, n, limit, cost_at)
        if found is not None and (best is None or found[0] < best[0]):
            best = found
        if best is not None and best[0] < _INSIDE:
            break  # the fewest pieces that need no cut inside a word
    assert best is not None  # n = fewest always fits
    bounds = [0, *best[1], length]
    pieces = [text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]
    return [p for p in pieces if p]


def _cuts(length: int, n: int, limit: int, cost_at: list[float]) -> tuple[float, list[int]] | None:
    """The cheapest ``n - 1`` cuts making ``n`` pieces of at most ``limit``, or None."""
    even = length / n
    inf = math.inf
    # best[k][p]: cheapest way to make k pieces of text[:p]; back[k][p]: the cut before p
    best = [[inf] * (length + 1) for _ in range(n + 1)]
    back = [[0] * (length + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for k in range(1, n + 1):
        for p in range(1, length + 1):
            if k == n and p != length:
                continue
            cut_cost = cost_at[p] if p < length else 0.0
            for q in range(max(0, p - limit), p):
                prev = best[k - 1][q]
                if prev == inf:
                    continue
                total = prev + (p - q - even) ** 2 + cut_cost
                if total < best[k][p]:
                    best[k][p], back[k][p] = total, q
    if best[n][length] == inf:
        return None
    cuts, p = [], length
    for k in range(n, 0, -1):
        p = back[k][p]
        if k > 1:
            cuts.append(p)
    return best[n][length], sorted(cuts)


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
