"""Voice presets from voices/presets.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .models import Voice
from .resources import voices_dir


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    speed: float
    voices: dict[str, str]
    edge_rate: str = "+0%"
    edge_pitch: str = "+0Hz"


def load_presets(path: Path | None = None) -> tuple[str, dict[str, Preset]]:
    path = path or voices_dir() / "presets.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"voice presets not found at {path}", "restore voices/presets.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: {exc}") from None
    default = str(data.get("default", "news-female"))
    presets: dict[str, Preset] = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            continue
        voices = {k: str(v) for k, v in table.items() if k in ("kokoro", "edge", "espeak")}
        presets[name] = Preset(
            name=name,
            description=str(table.get("description", "")),
            speed=float(table.get("speed", 1.0)),
            voices=voices,
            edge_rate=str(table.get("edge_rate", "+0%")),
            edge_pitch=str(table.get("edge_pitch", "+0Hz")),
        )
    return default, presets


def resolve_voice(engine: str, voice: str | None, engine_voices: list[str] | None = None) -> Voice:
    """A preset name (or a raw engine voice name) resolved for one engine."""
    default, presets = load_presets()
    name = voice or default
    if name in presets:
        preset = presets[name]
        if engine not in preset.voices:
            raise UsageError(f"preset {name!r} names no voice for engine {engine!r}", "add one to voices/presets.toml")
        speed = preset.speed
        if engine == "edge":
            return Voice(
                preset=name,
                engine=engine,
                name=preset.voices[engine],
                speed=speed,
                pitch=preset.edge_pitch,
                rate=preset.edge_rate,
            )
        return Voice(preset=name, engine=engine, name=preset.voices[engine], speed=speed)
    if engine_voices is not None and name not in engine_voices:
        raise UsageError(
            f"unknown voice {name!r} for engine {engine!r}",
            f"presets: {', '.join(sorted(presets))}; {engine} voices: {', '.join(engine_voices[:12])}",
        )
    return Voice(preset=name, engine=engine, name=name, speed=1.0)
