"""Helpers for the audio tests: synthetic speech-like clips and independent checks.

The checks measure with the real tools (ffmpeg's ebur128, mutagen, a strict WebVTT
reader written here) rather than with the code under test.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiopaper.audio.ffmpeg import ffmpeg_exe
from audiopaper.models import Clip, Span


def speechlike(seconds: float, sr: int, level: float, seed: int) -> np.ndarray:
    """Syllable-rate bursts of voiced (harmonic) and noisy sound, starting at sample 0.

    Level-steady like TTS, with a crest factor like speech, so mastering has real peaks
    to limit. ``level`` scales the whole clip (0.05 quiet … 0.9 hot).
    """
    rng = np.random.default_rng(seed)
    n = round(seconds * sr)
    t = np.arange(n) / sr
    f0 = 180 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    noise = rng.standard_normal(n) * 0.3
    syll = 0.5 - 0.5 * np.cos(2 * np.pi * 4.2 * t)
    gaps = (np.sin(2 * np.pi * 0.45 * t + 1.5) > -0.8).astype(float)
    x = (voiced * 0.6 + noise * (syll > 0.85)) * syll * gaps
    x[: round(0.25 * sr)] = voiced[: round(0.25 * sr)] * 0.8  # a clear onset at 0
    x = x / np.abs(x).max() * level
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def clip_of(seconds: float, sr: int, level: float, seed: int, texts: list[str]) -> Clip:
    pcm = speechlike(seconds, sr, level, seed)
    step = seconds / len(texts)
    spans = tuple(
        Span(i * step, (i + 1) * step - 0.05, text, "title" if i == 0 else "body") for i, text in enumerate(texts)
    )
    return Clip(pcm=pcm, sample_rate=sr, spans=spans, engine="synthetic", voice="none")


@dataclass(frozen=True)
class Measured:
    lufs: float
    true_peak: float


def ebur128(path: Path) -> Measured:
    """``ffmpeg -i F -af ebur128=peak=true -f null -``, read from its summary."""
    r = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = r.stderr[r.stderr.rfind("Summary:") :]
    i = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    tp = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert i and tp, summary
    return Measured(float(i.group(1)), float(tp.group(1)))


def decode(path: Path, sr: int) -> np.ndarray:
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(sr), "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.int16).astype(np.float32) / 32768


_TIMING = re.compile(r"^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$")


@dataclass(frozen=True)
class VttCue:
    start_s: float
    end_s: float
    text: str


def read_vtt(text: str) -> list[VttCue]:
    """A strict reader: raises AssertionError on anything a WebVTT parser would reject."""
    assert text.startswith("WEBVTT"), "missing WEBVTT header"
    blocks = [b for b in re.split(r"\n{2,}", text.strip("\n")) if b.strip()]
    assert blocks[0].splitlines()[0].strip() == "WEBVTT"
    cues: list[VttCue] = []
    for block in blocks[1:]:
        lines = block.splitlines()
        if "-->" not in lines[0]:
            lines = lines[1:]  # cue identifier
        m = _TIMING.match(lines[0])
        assert m, f"bad timing line {lines[0]!r}"
        g = [int(x) for x in m.groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        assert end > start, lines[0]
        body = lines[1:]
        assert body and all("-->" not in b for b in body), block
        cues.append(VttCue(start, end, "\n".join(body)))
    return cues
