"""manifest.json (schema 1): what tools and tests read about an edition."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..fsutil import write_text
from ..models import Edition

SCHEMA = 1


@dataclass(frozen=True)
class Timings:
    total_s: float = 0.0
    split_s: float = 0.0
    speech_s: float = 0.0
    synth_s: float = 0.0
    engine_s: float = 0.0
    audio_s: float = 0.0
    publish_s: float = 0.0


def manifest_dict(
    edition: Edition, timings: Timings, hits: int, misses: int, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    folder = edition.folder
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "edition": {
            "date": edition.date.isoformat(),
            "title": edition.title,
            "paper": edition.paper,
            "mp3": edition.mp3.relative_to(folder).as_posix(),
            "duration_s": round(edition.duration_s, 3),
            "engine": edition.engine,
            "voice": edition.voice,
            "intro_s": round(edition.intro_s, 3),
        },
        "articles": [
            {
                "index": a.index,
                "id": a.id,
                "kind": a.kind,
                "title": a.title,
                "mp3": a.mp3.relative_to(folder).as_posix(),
                "vtt": a.vtt.relative_to(folder).as_posix(),
                "duration_s": round(a.duration_s, 3),
                "start_s": round(a.start_s, 3),
                "chars": a.chars,
                "engine": a.engine,
                **({"fallback": True} if a.fallback else {}),
            }
            for a in edition.articles
        ],
        "failed": list(edition.failed),
        "timings": {k: round(v, 3) for k, v in timings.__dict__.items()},
        "cache": {"hits": hits, "misses": misses},
    }
    if extra:
        doc["edition"].update(extra)
    return doc


def write_manifest(path: Path, doc: dict[str, Any]) -> None:
    write_text(path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def read_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
