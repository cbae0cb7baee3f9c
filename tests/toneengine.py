"""A tiny deterministic engine that beeps one short tone per sentence, defined and
registered only by the tests that use it.

It shows what adding an engine takes: this module (a class that meets
``audiopaper.engines.Engine``) and its registration; ``build``, ``say``, ``script``,
``voices`` and ``doctor`` then find it with no other file touched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

import numpy as np

from audiopaper import engines
from audiopaper.engines import Availability, EngineConfig, Remote, VoiceListing
from audiopaper.engines.base import spans_of
from audiopaper.errors import SynthesisError, UsageError
from audiopaper.models import Reading, Spelling, Synthesis, Voice
from audiopaper.presets import Preset

NAME = "tone"
PITCHES = {"low": 220.0, "high": 440.0}
SECONDS_PER_CHAR = 0.05


class ToneEngine:
    name = NAME
    offline = True
    spelling: Spelling = "plain"
    sample_rate = 16000
    chunk_chars = 0
    remote: Remote | None = None
    #: every text any instance was asked to read, in order (tests read it)
    heard: ClassVar[list[str]] = []
    #: a sentence containing this fails, as an engine's sentence sometimes does
    poison: ClassVar[str | None] = None

    def __init__(self, config: EngineConfig) -> None:
        self.config = config

    def available(self) -> Availability:
        return Availability(True)

    def probe(self) -> Availability:
        return self.available()

    def voices(self) -> list[str]:
        return list(PITCHES)

    def describe_voices(self, live: bool = False) -> VoiceListing:
        return VoiceListing(tuple(PITCHES), lines=tuple(f"{v} ({hz:g} Hz)" for v, hz in PITCHES.items()))

    def voice_for(self, preset: Preset) -> Voice:
        # presets.toml names no tone voice: every preset reads low
        return Voice(preset=preset.name, engine=self.name, name=preset.settings.get(self.name, "low"))

    def check_voice(self, voice: Voice) -> None:
        if voice.name not in PITCHES:
            raise UsageError(f"tone has no voice {voice.name!r}", f"tone voices: {', '.join(PITCHES)}")

    def version(self) -> str:
        return "tone/1"

    def synthesize(self, readings: Sequence[Reading], voice: Voice) -> Synthesis:
        pieces = []
        for reading in readings:
            ToneEngine.heard.append(reading.text)
            if ToneEngine.poison and ToneEngine.poison in reading.text:
                raise SynthesisError(f"tone cannot read {reading.text[:20]!r}")
            t = np.arange(round(len(reading.text) * SECONDS_PER_CHAR * self.sample_rate)) / self.sample_rate
            pieces.append((np.sin(2 * np.pi * PITCHES[voice.name] * t) * 8000).astype(np.int16))
        pcm = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
        return Synthesis(pcm, self.sample_rate, spans_of([len(p) for p in pieces], self.sample_rate), 0.0)

    def close(self) -> None:
        """Holds nothing."""


def registered() -> Iterator[type[ToneEngine]]:
    """Register the engine for one test (rank 99: never ``auto``'s first choice)."""
    engines.register(NAME, rank=99)(ToneEngine)
    ToneEngine.heard.clear()
    ToneEngine.poison = None
    try:
        yield ToneEngine
    finally:
        engines.unregister(NAME)
