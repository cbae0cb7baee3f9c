"""manifest.json (schema 1): what tools and tests read about an edition.

One pure function turns the typed edition (and the GUIDs the catalog published it
under, and the run's timings) into the document; it is written once per build, after
the catalog has recorded the edition.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import layout
from ..fsutil import write_text
from ..models import Edition, LoudnessReport
from .catalog import EditionRow

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


@dataclass(frozen=True)
class BuildRecord:
    """What the edition was built from (``recipe.edition_recipe``) and the public URL of
    its folder: a rerun that finds both unchanged, and the files there, skips it."""

    recipe: str
    url: str


@dataclass(frozen=True)
class RunStats:
    """What a build cost: time per stage, and how much the synthesis cache answered."""

    timings: Timings
    cache_hits: int
    cache_misses: int


def number(value: float | None) -> float | None:
    """Rounded for the manifest; silence measures -inf, which JSON cannot carry."""
    return round(value, 2) if value is not None and math.isfinite(value) else None


def loudness_doc(edition: Edition, report: LoudnessReport) -> dict[str, Any]:
    """What the edition and each article measure, against the targets."""
    return {
        "target_lufs": report.target_lufs,
        "max_true_peak_dbtp": report.max_true_peak_dbtp,
        "edition": {
            "integrated_lufs": number(report.edition.integrated_lufs),
            "true_peak_dbtp": number(report.edition.true_peak_dbtp),
            "measured_with": report.measured_with,
            "ok": report.ok,
        },
        "articles": {
            a.id: {"integrated_lufs": number(a.lufs), "true_peak_dbtp": number(a.true_peak_db)}
            for a in edition.articles
        },
    }


def manifest_dict(
    edition: Edition, out: Path, stats: RunStats, published: EditionRow | None = None, build: BuildRecord | None = None
) -> dict[str, Any]:
    """The manifest of ``edition`` (built into ``out``, its paper's home), with the GUIDs
    of ``published`` and what it was built from (``build``)."""
    folder = edition.folder
    head: dict[str, Any] = {
        "date": edition.date.isoformat(),
        "title": edition.title,
        "paper": edition.paper,
        "mp3": edition.mp3.relative_to(folder).as_posix(),
        "duration_s": round(edition.duration_s, 3),
        "engine": edition.engine,
        "voice": edition.voice,
        "intro_s": round(edition.intro_s, 3),
        "intro_engine": edition.intro_engine,
        **({"intro_fallback": True} if edition.intro_fallback else {}),
    }
    if published is not None:
        head["guid"] = published.guid
    if build is not None:
        head["recipe"] = build.recipe
        head["url"] = build.url
    for key, clue in (("paper_from", edition.paper_from), ("date_from", edition.date_from)):
        if clue is not None:
            head[key] = dataclasses.asdict(clue)
    if (decision := edition.decision) is not None:
        head.update(
            engine_reason=decision.reason,
            engine_decision_s=round(decision.decided_s, 3),
            engine_voice=decision.engine_voice,
            **({"fallback_engine": decision.fallback} if decision.fallback else {}),
        )
    for key, path in (("vtt", edition.vtt), ("srt", edition.srt), ("chapters", edition.chapters)):
        if path is not None:
            head[key] = path.relative_to(folder).as_posix()
    if edition.cover is not None:
        head["cover"] = edition.cover.relative_to(out).as_posix()  # the show's art, undated
    if (folder / layout.EDITION_ART).is_file():
        head["art"] = layout.EDITION_ART  # the edition's own, dated art
    if edition.loudness is not None:
        head["loudness"] = loudness_doc(edition, edition.loudness)
    guids = {a.slug: a.guid for a in published.articles} if published is not None else {}
    return {
        "schema": SCHEMA,
        "edition": head,
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
                **({"guid": guids[a.id]} if a.id in guids else {}),
            }
            for a in edition.articles
        ],
        "failed": list(edition.failed),
        "timings": {k: round(v, 3) for k, v in dataclasses.asdict(stats.timings).items()},
        "cache": {"hits": stats.cache_hits, "misses": stats.cache_misses},
    }


def manifest_path(edition: Edition) -> Path:
    return edition.folder / layout.MANIFEST_JSON


def write_manifest(path: Path, doc: dict[str, Any]) -> None:
    write_text(path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def read_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def edition_folder(out: Path, date: dt.date, paper: str | None) -> Path:
    """editions/<date>, or <date>-<n> when that folder holds another paper's edition."""
    base = out / layout.EDITIONS
    n = 1
    while True:
        folder = base / (date.isoformat() if n == 1 else f"{date.isoformat()}-{n}")
        manifest = folder / layout.MANIFEST_JSON
        if not manifest.exists():
            return folder
        try:
            if (read_manifest(manifest)["edition"].get("paper") or None) == paper:
                return folder
        except (ValueError, KeyError, OSError):
            return folder
        n += 1
