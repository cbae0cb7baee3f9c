"""The engine contract: a small Protocol, the frozen settings a build gives its engines,
and a registry keyed by name.

Engines only synthesize. Each declares the spelling it reads (``models.Spelling``); the
speech stage makes that reading, and the engine gets, per sentence, its text and (for a
phoneme-driven voice) its pinyin, and returns mono PCM with each sentence's start and
end time.

An engine object is cheap and made per build from an ``EngineConfig``, so several
configurations can live in one process (a batch of builds, a worker serving several);
what is expensive to load (a neural model, a C library) is cached by the engine's module
and shared by its instances. Everything a caller needs to know about an engine is asked
of it through the Protocol; nothing outside this package names one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import SynthesisError, UsageError
from ..models import Reading, Spelling, Synthesis, Voice
from ..presets import Preset

__all__ = [
    "Availability",
    "Batched",
    "Engine",
    "EngineConfig",
    "MAX_CONCURRENCY",
    "Reader",
    "Remote",
    "Request",
    "Synthesis",
    "VoiceListing",
    "Plugin",
    "create",
    "float_to_int16",
    "install",
    "names",
    "plugins",
    "ranked",
    "register",
    "spans_of",
    "unregister",
]


#: Most simultaneous requests to an online engine. The read-aloud service is shared and
#: unauthenticated: past a handful of connections per client it answers 429 and then
#: refuses, and the sample issue (69 requests) already reaches 3.6x its one-connection
#: speed at 4 (benchmarks/bench_edge_results.md). 16 leaves room to try; more only
#: opens sockets the service will throttle.
MAX_CONCURRENCY = 16


@dataclass(frozen=True)
class EngineConfig:
    """What one build asks of its engines. Engines read the fields that apply to them."""

    #: an online engine's endpoint (None: the engine's own default: environment, config
    #: file, the real service)
    url: str | None = None
    #: deadline for one online request, seconds
    timeout_s: float = 60.0
    #: most simultaneous requests to an online engine
    concurrency: int = 4
    #: what a local engine may make this process grow to, in MB (None: its own choice
    #: from the cores and the memory available); it runs fewer inferences at once to
    #: stay within it, which changes how fast, never what, it reads
    max_memory_mb: int | None = None
    #: where an offline engine infers: "cpu", or "gpu" where its runtime offers one
    #: (onnxruntime-gpu's CUDA provider; a batch's GPU workers ask for it)
    device: str = "cpu"


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str = ""
    hint: str = ""


@dataclass(frozen=True)
class VoiceListing:
    """An engine's voices, for ``audiopaper voices``."""

    voices: tuple[str, ...]
    #: where the list came from, for engines that can ask a service ("" otherwise)
    source: str = ""
    #: one readable line per voice (name and description); empty: the names say it all
    lines: tuple[str, ...] = ()


class Remote(Protocol):
    """How the synth stage drives an engine whose synthesis is a network request: one
    chunk per ``fetch``, many in flight at once, each retried on its own
    (``audiopaper.resilience``), and the answer checked and decoded off the event loop."""

    @property
    def concurrency(self) -> int: ...

    async def fetch(self, readings: Sequence[Reading], voice: Voice) -> Any:
        """Send one chunk and collect the raw answer within the configured deadline;
        raises EngineFailure."""
        ...

    def finish(self, answer: Any, readings: Sequence[Reading]) -> Synthesis:
        """Check the answer is whole and decode it; raises EngineFailure."""
        ...


@dataclass(frozen=True)
class Request:
    """One engine call's worth of sentences and the voice to read them in."""

    readings: tuple[Reading, ...]
    voice: Voice


@runtime_checkable
class Batched(Protocol):
    """A local engine that schedules many requests itself, so that no core waits at the
    end of one request (or one article) while another could start: the synth stage hands
    it every chunk it has to synthesize, from every article at once."""

    def synthesize_many(
        self, requests: Sequence[Request]
    ) -> Generator[tuple[int, Synthesis | SynthesisError], None, None]:
        """Audio for every request, yielded as ``(index, result)`` as each is finished
        (in any order); a request that fails yields its SynthesisError and the others
        go on. Each result's ``engine_s`` is the inference time that passed since the
        previous one was yielded, so they add up to the time the engine was busy.
        Closing the iterator early drops what has not started."""
        ...

    def prepare(self) -> None:
        """Start loading what synthesis needs, in the background, so that it overlaps
        the work before it; synthesis waits for it, and a failure shows there."""
        ...


class Engine(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def offline(self) -> bool:
        """Works without a network: ``auto`` falls back to it, and it may stand in for an
        online engine's failed articles."""
        ...

    @property
    def spelling(self) -> Spelling: ...

    @property
    def sample_rate(self) -> int: ...

    @property
    def chunk_chars(self) -> int:
        """Characters per engine call (and per cache entry); 0: one sentence per call."""
        ...

    @property
    def remote(self) -> Remote | None:
        """The request interface of an engine that synthesizes over the network; None when
        ``synthesize`` does the work here."""
        ...

    def available(self) -> Availability:
        """Whether it can run here at all (packages, model files); never touches the network."""
        ...

    def probe(self) -> Availability:
        """Whether it can synthesize right now: for an online engine, a short handshake
        with its service; for an offline one, ``available()``."""
        ...

    def voices(self) -> list[str]:
        """Voice names it knows (never touches the network)."""
        ...

    def describe_voices(self, live: bool = False) -> VoiceListing:
        """Its voices, described; ``live`` lets an online engine ask its service."""
        ...

    def voice_for(self, preset: Preset) -> Voice:
        """The voice (and prosody) a preset means for this engine; UsageError if none."""
        ...

    def check_voice(self, voice: Voice) -> None:
        """Raise UsageError for a voice this engine cannot read, before any work is done."""
        ...

    def version(self) -> str:
        """Identifies engine and model; part of every cache key."""
        ...

    def synthesize(self, readings: Sequence[Reading], voice: Voice) -> Synthesis:
        """Audio for ``readings`` (in this engine's spelling); raises SynthesisError."""
        ...

    def close(self) -> None:
        """Let go of what this instance holds (a shared model is freed when its last user
        closes); it loads again if used again."""
        ...


@dataclass(frozen=True)
class Reader:
    """An engine with the voice it reads in."""

    engine: Engine
    voice: Voice


Factory = Callable[[EngineConfig], Engine]


@dataclass(frozen=True)
class _Entry:
    factory: Factory
    rank: int


_REGISTRY: dict[str, _Entry] = {}
_LOCK = threading.Lock()


def register(name: str, rank: int = 50) -> Callable[[Factory], Factory]:
    """Register an engine factory under ``name``.

    ``rank`` orders the engines ``auto`` tries and the offline engines chosen by default
    (lower first).
    """

    def deco(factory: Factory) -> Factory:
        with _LOCK:
            _REGISTRY[name] = _Entry(factory, rank)
        return factory

    return deco


@dataclass(frozen=True)
class Plugin:
    """An engine registered from outside the package, by where its factory lives, so a
    worker in another process (or machine) can register it too."""

    name: str
    module: str
    qualname: str
    rank: int


def plugins() -> tuple[Plugin, ...]:
    """The engines registered from outside this package whose factory a worker can import."""
    with _LOCK:
        entries = dict(_REGISTRY)
    found = []
    for name, entry in sorted(entries.items()):
        module = getattr(entry.factory, "__module__", "") or ""
        qualname = getattr(entry.factory, "__qualname__", "") or ""
        if module.startswith("audiopaper.") or not qualname or "<" in qualname:
            continue
        found.append(Plugin(name, module, qualname, entry.rank))
    return tuple(found)


def install(found: Sequence[Plugin]) -> None:
    """Register ``found`` here (in a worker), importing each factory from its module."""
    import importlib

    for plugin in found:
        if plugin.name in _REGISTRY:
            continue
        target: Any = importlib.import_module(plugin.module)
        for part in plugin.qualname.split("."):
            target = getattr(target, part)
        register(plugin.name, plugin.rank)(target)


def unregister(name: str) -> None:
    with _LOCK:
        _REGISTRY.pop(name, None)


def names() -> list[str]:
    """Every registered engine, by name."""
    return sorted(_REGISTRY)


def ranked() -> list[str]:
    """Every registered engine, most preferred first."""
    return sorted(_REGISTRY, key=lambda n: (_REGISTRY[n].rank, n))


def create(name: str, config: EngineConfig | None = None) -> Engine:
    """A new engine called ``name`` with ``config``; heavy models load on first use."""
    entry = _REGISTRY.get(name)
    if entry is None:
        raise UsageError(f"unknown engine {name!r}", f"known engines: {', '.join(names())}")
    return entry.factory(config or EngineConfig())


def spans_of(lengths: Sequence[int], sample_rate: int) -> tuple[tuple[float, float], ...]:
    """Back-to-back (start_s, end_s) for pieces of ``lengths`` samples, in order."""
    spans: list[tuple[float, float]] = []
    pos = 0
    for n in lengths:
        spans.append((pos / sample_rate, (pos + n) / sample_rate))
        pos += n
    return tuple(spans)


def float_to_int16(audio: np.ndarray) -> np.ndarray:
    """Convert float audio to int16, scaling down (never clipping) when peaks exceed 1."""
    audio = np.asarray(audio, dtype=np.float32).ravel()
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    ceiling = 0.97
    if peak > ceiling:
        audio = audio * (ceiling / peak)
    return np.round(audio * 32767.0).astype(np.int16)
