"""Engine policy: which engine reads a build, which one stands in for its failures, and
which voice each reads with.

Engines say what they are (offline or not, ready or not, their voices, what a preset
means to them); the decisions are made here, from the registry and its ranks, so that
no module outside ``engines/`` names an engine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import EngineUnavailable, UsageError
from ..models import EngineDecision, Spelling, Voice
from ..presets import load_presets
from .base import Engine, EngineConfig, Reader, create, ranked

AUTO = "auto"
NO_FALLBACK = "none"


@dataclass(frozen=True)
class Choice:
    """The engine a build reads with, why, and how long deciding took."""

    engine: Engine
    reason: str
    decided_s: float


def choose(name: str, config: EngineConfig | None = None) -> Choice:
    """The engine called ``name``, which must be available here, or for ``auto`` the first
    one ready in rank order.

    An online engine is ready when its service accepts a handshake within a few seconds
    (the probe has its own short deadline, never the network's timeouts); an offline one
    when it is installed.
    """
    t0 = time.perf_counter()
    if name != AUTO:
        engine = create(name, config)
        avail = engine.available()
        if not avail.ok:
            raise EngineUnavailable(f"engine {name!r} unavailable: {avail.reason}", avail.hint)
        return Choice(engine, f"{name} requested", time.perf_counter() - t0)
    reasons: list[str] = []
    for candidate in ranked():
        engine = create(candidate, config)
        avail = engine.available()
        if avail.ok and not engine.offline:
            avail = engine.probe()
        if avail.ok:
            why = "offline engine" if engine.offline else avail.reason
            reason = f"auto: {candidate} ({why})" + (f"; {'; '.join(reasons)}" if reasons else "")
            return Choice(engine, reason, time.perf_counter() - t0)
        reasons.append(f"{candidate}: {avail.reason}")
    raise EngineUnavailable("no speech engine available: " + "; ".join(reasons), "run `make install`")


@dataclass(frozen=True)
class Cast:
    """Who reads a build: the engine and its voice, the offline engine and voice that read
    the articles it could not (if any), and why the engine was chosen."""

    main: Reader
    fallback: Reader | None
    choice: Choice

    @property
    def spellings(self) -> tuple[Spelling, ...]:
        """The spellings the speech stage must make for these engines."""
        readers = (self.main, *((self.fallback,) if self.fallback else ()))
        return tuple(dict.fromkeys(r.engine.spelling for r in readers))

    def decision(self) -> EngineDecision:
        fallback = self.fallback.engine.name if self.fallback else None
        return EngineDecision(self.choice.reason, self.choice.decided_s, self.main.voice.name, fallback)

    def close(self) -> None:
        for reader in (self.main, self.fallback):
            if reader is not None:
                reader.engine.close()


def cast(
    engine: str, voice: str | None = None, fallback_name: str | None = None, config: EngineConfig | None = None
) -> Cast:
    """Choose the engine (``auto`` or a name), its voice, and the engine and voice that stand
    in for it; every name is checked before anything is read."""
    check_fallback(fallback_name)
    choice = choose(engine, config)
    main = Reader(choice.engine, resolve_voice(choice.engine, voice))
    stand_in = fallback(fallback_name, choice.engine, config)
    return Cast(main, Reader(stand_in, fallback_voice(stand_in, main.voice)) if stand_in else None, choice)


def offline_engines() -> list[str]:
    """The offline engines, most preferred first."""
    return [name for name in ranked() if create(name).offline]


def preferred_offline() -> str:
    """The offline engine used when none is named (``say``, ``script``, the fallback)."""
    found = offline_engines()
    if not found:
        raise EngineUnavailable("no offline speech engine is registered", "reinstall audiopaper")
    return found[0]


def spelling_of(name: str) -> Spelling:
    """The spelling the engine called ``name`` reads (UsageError for an unknown name)."""
    return create(name).spelling


def check_fallback(name: str | None) -> None:
    """``name`` must be an offline engine or ``none`` (None: the preferred offline engine)."""
    allowed = [*offline_engines(), NO_FALLBACK]
    if name is not None and name not in allowed:
        raise UsageError(f"--fallback {name!r} is not an offline engine", f"use one of {', '.join(allowed)}")


def fallback(name: str | None, main: Engine, config: EngineConfig | None = None) -> Engine | None:
    """The engine that reads, whole, an article ``main`` could not; None when ``main`` is
    offline (it has no service to lose) or ``name`` is ``none``."""
    check_fallback(name)
    if main.offline or name == NO_FALLBACK:
        return None
    chosen = name or preferred_offline()
    return None if chosen == main.name else create(chosen, config)


def resolve_voice(engine: Engine, name: str | None) -> Voice:
    """A preset (the default one when ``name`` is None) or a raw voice of ``engine``,
    checked by the engine before any work is done: ``say`` and ``build`` accept the same
    names."""
    default, presets = load_presets()
    wanted = name or default
    if wanted in presets:
        voice = engine.voice_for(presets[wanted])
        engine.check_voice(voice)
        return voice
    voice = Voice(preset=wanted, engine=engine.name, name=wanted)
    try:
        engine.check_voice(voice)
    except UsageError as exc:
        presets_hint = f"presets: {', '.join(sorted(presets))}"
        raise UsageError(exc.message, f"{presets_hint}; {exc.hint}" if exc.hint else presets_hint) from None
    return voice


def fallback_voice(engine: Engine, main: Voice) -> Voice:
    """The fallback engine's voice: the main voice's preset, else the preset that names the
    main (raw) voice, else the default preset."""
    _default, presets = load_presets()
    preset = main.preset if main.preset in presets else None
    if preset is None:
        preset = next((n for n, p in presets.items() if p.settings.get(main.engine) == main.name), None)
    return resolve_voice(engine, preset)
