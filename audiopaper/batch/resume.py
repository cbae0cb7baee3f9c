"""Which editions a rerun need not build again: the finished ones in OUT, by recipe.

An edition is finished when its manifest (written last, after the catalog recorded it)
names no failed article, every MP3 it names is on disk and the home's catalog records
its folder. Such an edition whose recipe (``recipe.edition_recipe``: the inputs' bytes,
the engine and voice, the options) and public URL are those of this run is skipped
without reading its issue. Everything else is built again; its audio comes from the
cache, so only what is missing is synthesized.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import layout
from ..publish import catalog
from ..publish.homes import Home, homes


@dataclass(frozen=True)
class Finished:
    """A finished edition in OUT."""

    home: Home
    folder: Path
    paper: str | None
    date: str
    url: str
    articles: int
    duration_s: float


def _finished(home: Home, manifest: Path, recorded: set[str]) -> tuple[str, Finished] | None:
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        head = doc["edition"]
        recipe, url = head.get("recipe"), head.get("url")
        folder = manifest.parent
        if not recipe or doc.get("failed"):
            return None
        if folder.relative_to(home.path).as_posix() not in recorded:
            return None
        files = [folder / head["mp3"], *(folder / a["mp3"] for a in doc["articles"])]
        if not all(f.is_file() for f in files):
            return None
        done = Finished(
            home,
            folder,
            head.get("paper") or None,
            str(head["date"]),
            str(url or ""),
            len(doc["articles"]),
            float(head.get("duration_s", 0.0)),
        )
        return str(recipe), done
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # a damaged manifest: that edition is built again


def finished_editions(out: Path) -> dict[str, Finished]:
    """Every finished edition in OUT (every paper's home), by recipe."""
    found: dict[str, Finished] = {}
    for home in homes(out):
        if not catalog.catalog_path(home.path).is_file():
            continue
        with catalog.connect(home.path, create=False) as conn:
            recorded = catalog.folders(conn)
        for manifest in sorted((home.path / layout.EDITIONS).glob(f"*/{layout.MANIFEST_JSON}")):
            entry = _finished(home, manifest, recorded)
            if entry is not None:
                found[entry[0]] = entry[1]
    return found
