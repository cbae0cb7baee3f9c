"""The publish stage: manifest, feeds and pages written from a built edition."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..models import Edition
from .feed import DEFAULT_BASE_URL, write_feed
from .manifest import Timings, manifest_dict, write_manifest


def publish_edition(
    out: Path,
    edition: Edition,
    timings: Callable[[float], Timings],
    hits: int,
    misses: int,
    extra: dict[str, Any],
    base_url: str = DEFAULT_BASE_URL,
) -> tuple[Path, dict[str, Any]]:
    """Write the edition's manifest and refresh the feed; returns the manifest path and document.

    ``timings`` is called with the publish time so the manifest's totals include it.
    """
    t0 = time.perf_counter()
    path = edition.folder / "manifest.json"
    write_manifest(path, manifest_dict(edition, timings(0.0), hits, misses, extra))
    write_feed(out, edition.paper, base_url)
    doc = manifest_dict(edition, timings(time.perf_counter() - t0), hits, misses, extra)
    write_manifest(path, doc)
    return path, doc
