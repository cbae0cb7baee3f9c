"""A simulated engine for the batch benchmark: a fixed cost per character, spent waiting.

It stands for a worker whose synthesis happens elsewhere (another machine's cores, a
GPU), so that many of them on this 2-core machine measure the batch's own limits (the
queue, the cache, reading the issues, assembling and publishing the editions) rather
than the cores. The audio is a quiet tone of speech-like length (0.2 s per character,
as a news voice reads about five characters a second), so the audio stage does the work
a real edition's length costs.

Registered only by benchmarks/bench_batch.py (``register()``); worker processes and Ray
actors register it again from this module (``engines.base.plugins``). The cost comes
from AUDIOPAPER_SIM_MS_PER_CHAR, which they inherit.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from audiopaper import engines
from audiopaper.engines import Availability, EngineConfig, Remote, VoiceListing
from audiopaper.engines.base import spans_of
from audiopaper.errors import UsageError
from audiopaper.models import Reading, Spelling, Synthesis, Voice
from audiopaper.presets import Preset

NAME = "sim"
RATE = 16000
SECONDS_PER_CHAR = 0.2
ENV = "AUDIOPAPER_SIM_MS_PER_CHAR"


def cost_s_per_char() -> float:
    return float(os.environ.get(ENV, "10")) / 1000


class SimEngine:
    name = NAME
    offline = True
    spelling: Spelling = "plain"
    sample_rate = RATE
    chunk_chars = 400
    remote: Remote | None = None

    def __init__(self, config: EngineConfig) -> None:
        self.config = config

    def available(self) -> Availability:
        return Availability(True)

    def probe(self) -> Availability:
        return self.available()

    def voices(self) -> list[str]:
        return ["sim"]

    def describe_voices(self, live: bool = False) -> VoiceListing:
        return VoiceListing(("sim",))

    def voice_for(self, preset: Preset) -> Voice:
        return Voice(preset=preset.name, engine=NAME, name="sim")

    def check_voice(self, voice: Voice) -> None:
        if voice.name != "sim":
            raise UsageError(f"sim has no voice {voice.name!r}")

    def version(self) -> str:
        return f"sim/{cost_s_per_char() * 1000:g}ms"

    def synthesize(self, readings: Sequence[Reading], voice: Voice) -> Synthesis:
        chars = sum(len(r.text) for r in readings)
        t0 = time.perf_counter()
        time.sleep(chars * cost_s_per_char())
        pieces = []
        for n, reading in enumerate(readings):
            t = np.arange(round(len(reading.text) * SECONDS_PER_CHAR * RATE)) / RATE
            hz = 180.0 + 40.0 * (n % 3)
            # a tone that comes and goes, so loudness gating sees speech-like levels
            envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 3.0 * t)
            pieces.append((np.sin(2 * np.pi * hz * t) * envelope * 6000).astype(np.int16))
        pcm = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
        return Synthesis(pcm, RATE, spans_of([len(p) for p in pieces], RATE), time.perf_counter() - t0)

    def close(self) -> None:
        """Holds nothing."""


def register() -> None:
    engines.register(NAME, rank=99)(SimEngine)
