"""WebVTT transcripts from sentence timings."""

from __future__ import annotations

from collections.abc import Sequence

from .models import Span

MAX_CUE_CHARS = 24


def _ts(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def cues(spans: Sequence[Span], offset_s: float = 0.0, limit_s: float | None = None) -> list[tuple[float, float, str]]:
    """Cues of at most MAX_CUE_CHARS characters, splitting long sentences proportionally."""
    out: list[tuple[float, float, str]] = []
    for span in spans:
        text = " ".join(span.text.split())
        if not text:
            continue
        pieces = _pieces(text)
        total = sum(len(p) for p in pieces) or 1
        t = span.start_s
        length = span.end_s - span.start_s
        for piece in pieces:
            end = t + length * len(piece) / total
            a, b = t + offset_s, end + offset_s
            if limit_s is not None:
                b = min(b, limit_s)
            if b > a:
                out.append((a, b, piece))
            t = end
    return out


def _pieces(text: str) -> list[str]:
    if len(text) <= MAX_CUE_CHARS:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > MAX_CUE_CHARS:
        window = rest[:MAX_CUE_CHARS]
        cut = max(window.rfind(c) for c in "，、；：,;:") + 1
        if cut < MAX_CUE_CHARS // 2:
            cut = MAX_CUE_CHARS
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def to_vtt(cue_list: Sequence[tuple[float, float, str]]) -> str:
    lines = ["WEBVTT", ""]
    for n, (a, b, text) in enumerate(cue_list, start=1):
        lines += [str(n), f"{_ts(a)} --> {_ts(b)}", text, ""]
    return "\n".join(lines)


def to_srt(cue_list: Sequence[tuple[float, float, str]]) -> str:
    lines = []
    for n, (a, b, text) in enumerate(cue_list, start=1):
        lines += [str(n), f"{_ts(a).replace('.', ',')} --> {_ts(b).replace('.', ',')}", text, ""]
    return "\n".join(lines)
