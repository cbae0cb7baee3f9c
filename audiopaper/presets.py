"""Voice presets from voices/presets.toml.

A preset is a name, a reading speed and a table of per-engine settings (the engine's
voice under the engine's own name, plus whatever else an engine reads from it). Which
keys mean what is each engine's business (``Engine.voice_for``); nothing here knows an
engine.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .resources import voices_dir


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    speed: float
    #: every other string key of the preset's table, in file order (``kokoro = "zf_xiaoxiao"``)
    settings: Mapping[str, str]

    def voice(self, engine: str) -> str:
        """The voice this preset names for ``engine``; a usage error when it names none."""
        found = self.settings.get(engine)
        if not found:
            raise UsageError(
                f"preset {self.name!r} names no voice for engine {engine!r}", "add one to voices/presets.toml"
            )
        return found


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
        presets[name] = Preset(
            name=name,
            description=str(table.get("description", "")),
            speed=float(table.get("speed", 1.0)),
            settings={k: v for k, v in table.items() if isinstance(v, str) and k != "description"},
        )
    return default, presets
