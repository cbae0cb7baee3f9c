"""What is installed and working here: ffmpeg, engines, voices, cache."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import engines
from .engines import VoiceListing, select
from .errors import AudiopaperError
from .resources import voices_dir


@dataclass(frozen=True)
class EngineReport:
    """One engine's state and voices, for ``audiopaper voices``."""

    engine: str
    available: bool
    reason: str
    hint: str
    listing: VoiceListing


@dataclass(frozen=True)
class Check:
    """One line of ``audiopaper doctor``; a failed ``required`` check fails the command."""

    name: str
    ok: bool
    detail: str
    required: bool = True


def voices_report(only: str | None = None, live: bool = False) -> list[EngineReport]:
    """Each engine's state and voices; ``live`` lets an online engine ask its service."""
    report = []
    for name in [only] if only else engines.names():
        engine = engines.create(name)
        avail = engine.available()
        listing = engine.describe_voices(live) if avail.ok else VoiceListing(tuple(engine.voices()))
        report.append(EngineReport(name, avail.ok, avail.reason, avail.hint, listing))
    return report


def checks(cache_dir: Path | None = None) -> list[Check]:
    results: list[Check] = []
    try:
        from .audio.ffmpeg import ffmpeg_exe, run_ffmpeg

        exe = ffmpeg_exe()
        first = run_ffmpeg(["-version"]).stdout.decode("utf-8", "replace").splitlines()[0]
        results.append(Check("ffmpeg", True, f"{first} ({exe})"))
    except AudiopaperError as exc:
        results.append(Check("ffmpeg", False, str(exc)))
    # The preferred offline engine is what every build can fall back on; the rest are extras.
    required = select.preferred_offline()
    for e in voices_report():
        detail = f"{len(e.listing.voices)} voices" if e.available else f"{e.reason} ({e.hint})"
        results.append(Check(f"engine {e.engine}", e.available, detail, required=e.engine == required))
    for name in engines.names():
        engine = engines.create(name)
        if not engine.offline and engine.available().ok:
            found = engine.probe()
            results.append(Check(f"{name} service", found.ok, found.reason, required=False))
    vd = voices_dir()
    results.append(Check("voices", (vd / "presets.toml").is_file(), str(vd)))
    cache = cache_dir or Path("output") / ".cache"
    writable = os.access(cache if cache.exists() else cache.parent if cache.parent.exists() else Path("."), os.W_OK)
    results.append(Check("cache", writable, f"{cache} ({'writable' if writable else 'not writable'})"))
    return results


def healthy(results: list[Check]) -> bool:
    return all(c.ok or not c.required for c in results)
