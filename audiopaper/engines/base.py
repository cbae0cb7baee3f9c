"""The engine contract: a small Protocol and a registry keyed by name.

Engines only synthesize. They get sentences that the speech stage already made
speakable, and return mono PCM with each sentence's start and end time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import UsageError
from ..models import Sentence, Synthesis, Voice


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str = ""
    hint: str = ""


@runtime_checkable
class Engine(Protocol):
    name: str
    sample_rate: int
    #: sentences synthesized per call; 1 for sentence-by-sentence engines
    chunk_chars: int

    def available(self) -> Availability: ...

    def voices(self) -> list[str]: ...

    def version(self) -> str:
        """Identifies engine and model; part of every cache key."""
        ...

    def text_for(self, sentence: Sentence) -> str:
        """The text this engine is sent for a sentence (engine-specific spelling)."""
        ...

    def synthesize(self, sentences: Sequence[Sentence], voice: Voice) -> Synthesis: ...


_REGISTRY: dict[str, Callable[[], Engine]] = {}
_INSTANCES: dict[str, Engine] = {}


def register(name: str) -> Callable[[Callable[[], Engine]], Callable[[], Engine]]:
    def deco(factory: Callable[[], Engine]) -> Callable[[], Engine]:
        _REGISTRY[name] = factory
        return factory

    return deco


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str) -> Engine:
    """The engine called ``name``; created once per process so models load once."""
    if name not in _REGISTRY:
        raise UsageError(f"unknown engine {name!r}", f"known engines: {', '.join(names())}")
    if name not in _INSTANCES:
        _INSTANCES[name] = _REGISTRY[name]()
    return _INSTANCES[name]


def float_to_int16(audio: np.ndarray) -> np.ndarray:
    """Convert float audio to int16, scaling down (never clipping) when peaks exceed 1."""
    audio = np.asarray(audio, dtype=np.float32).ravel()
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    ceiling = 0.97
    if peak > ceiling:
        audio = audio * (ceiling / peak)
    return np.round(audio * 32767.0).astype(np.int16)
