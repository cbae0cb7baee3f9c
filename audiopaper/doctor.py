"""What is installed and working here: ffmpeg, engines, voices, cache."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import engines
from .errors import AudiopaperError
from .resources import voices_dir


def voices_report(only: str | None = None, live: bool = False) -> list[dict[str, Any]]:
    """Each engine's state and voices; ``live`` asks edge's service for its list."""
    names = [only] if only else engines.names()
    report = []
    for name in names:
        engine = engines.get(name)
        avail = engine.available()
        entry: dict[str, Any] = {
            "engine": name,
            "available": avail.ok,
            "reason": avail.reason,
            "hint": avail.hint,
            "voices": engine.voices(),
        }
        if name == "edge" and avail.ok:
            from .engines import edge

            found, source = edge.list_voices() if live else (edge.shipped_voices(), "shipped list")
            entry.update(
                voices=[v["ShortName"] for v in found],
                voices_source=source,
                voice_lines=[edge.describe(v) for v in found],
            )
        report.append(entry)
    return report


def checks(cache_dir: Path | None = None) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    try:
        from .audio import ffmpeg_exe, run_ffmpeg

        exe = ffmpeg_exe()
        first = run_ffmpeg(["-version"]).stdout.decode("utf-8", "replace").splitlines()[0]
        results.append({"name": "ffmpeg", "ok": True, "detail": f"{first} ({exe})"})
    except AudiopaperError as exc:
        results.append({"name": "ffmpeg", "ok": False, "detail": str(exc)})
    for e in voices_report():
        detail = f"{len(e['voices'])} voices" if e["available"] else f"{e['reason']} ({e['hint']})"
        results.append(
            {
                "name": f"engine {e['engine']}",
                "ok": e["available"],
                "detail": detail,
                "required": e["engine"] == "kokoro",
            }
        )
    from .engines.edge import probe

    found = probe()
    results.append({"name": "edge service", "ok": found.ok, "detail": found.reason, "required": False})
    vd = voices_dir()
    results.append({"name": "voices", "ok": (vd / "presets.toml").is_file(), "detail": str(vd)})
    cache = cache_dir or Path("output") / ".cache"
    writable = os.access(cache if cache.exists() else cache.parent if cache.parent.exists() else Path("."), os.W_OK)
    results.append(
        {"name": "cache", "ok": writable, "detail": f"{cache} ({'writable' if writable else 'not writable'})"}
    )
    return results
