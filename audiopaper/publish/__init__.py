"""The publish stage: manifest, catalog, then feeds and pages made from the catalog."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import AudiopaperError
from ..models import Edition
from . import catalog
from .feed import DEFAULT_BASE_URL, FeedSettings, normalize_base_url, write_feeds
from .manifest import Timings, manifest_dict, write_manifest
from .site import write_pages

CHAPTERS_NAME = "chapters.json"


@dataclass(frozen=True)
class Published:
    feeds: tuple[Path, ...]
    pages: tuple[Path, ...]
    editions: int
    articles: int
    missing: tuple[str, ...] = ()  # audio in the catalog but not on disk, left out of the feeds


def resolve_settings(
    conn: Any, base_url: str | None = None, title: str | None = None, limit: int | None = None
) -> FeedSettings:
    """Feed settings: what was asked now, else what the catalog remembers, else defaults.

    Remembering them means `audiopaper feed OUT` after `build --base-url X` keeps the
    public URLs (and so the podcast:guid) instead of falling back to loopback.
    """
    if base_url is not None:
        catalog.set_meta(conn, "base_url", normalize_base_url(base_url))
    if title is not None:
        catalog.set_meta(conn, "title", title)
    if limit is not None:
        catalog.set_meta(conn, "limit", str(limit))
    stored_limit = catalog.get_meta(conn, "limit")
    return FeedSettings(
        base_url=catalog.get_meta(conn, "base_url") or DEFAULT_BASE_URL,
        title=catalog.get_meta(conn, "title") or None,
        limit=int(stored_limit) if stored_limit and int(stored_limit) > 0 else None,
    )


def on_disk(out: Path, editions: list[catalog.EditionRow]) -> tuple[list[catalog.EditionRow], list[str]]:
    """The catalog's editions and articles whose audio is still in OUT, and what is not.

    A feed must never announce an enclosure that answers 404 (apps retry it forever), so
    audio deleted by hand drops out of the feeds until it is rebuilt; the catalog keeps
    its GUIDs meanwhile.
    """
    kept: list[catalog.EditionRow] = []
    missing: list[str] = []
    for ed in editions:
        if not (out / ed.mp3).is_file():
            missing.append(ed.mp3)
            continue
        articles = tuple(a for a in ed.articles if (out / a.mp3).is_file())
        missing += [a.mp3 for a in ed.articles if a not in articles]
        kept.append(replace(ed, articles=articles))
    return kept, missing


def publish_site(out: Path, conn: Any, settings: FeedSettings) -> Published:
    editions, missing = on_disk(out, catalog.editions(conn))
    feeds = write_feeds(out, editions, settings)
    pages = write_pages(out, editions, settings)
    return Published(tuple(feeds), tuple(pages), len(editions), sum(len(e.articles) for e in editions), tuple(missing))


def regenerate(out: Path, base_url: str | None = None, title: str | None = None, limit: int | None = None) -> Published:
    """`audiopaper feed OUT`: feeds and pages again, from the catalog alone."""
    fresh = not catalog.catalog_path(out).exists()
    if fresh and not any((out / "editions").glob("*/manifest.json")):
        raise AudiopaperError(f"{out}: no catalog and no editions here", "build an edition into this folder first")
    with catalog.connect(out) as conn, catalog.transaction(conn):
        if fresh:
            catalog.import_manifests(conn, out)
        return publish_site(out, conn, resolve_settings(conn, base_url, title, limit))


def publish_edition(
    out: Path,
    edition: Edition,
    timings: Callable[[float], Timings],
    hits: int,
    misses: int,
    extra: dict[str, Any],
    base_url: str | None = DEFAULT_BASE_URL,
    feed_limit: int | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Write the manifest, record the edition in the catalog, refresh feeds and pages.

    ``timings`` is called with the publish time so the manifest's totals include it.
    Returns the manifest path and document.
    """
    t0 = time.perf_counter()
    path = edition.folder / "manifest.json"
    doc = manifest_dict(edition, timings(0.0), hits, misses, extra)
    # The audio stage names the chapters file in the manifest when it writes one; an
    # older build simply has none and the feed item goes without podcast:chapters.
    chapters = edition.folder / str(doc["edition"].get("chapters") or CHAPTERS_NAME)
    # The manifest goes first so the folder describes itself even if the catalog fails.
    write_manifest(path, doc)
    fresh = not catalog.catalog_path(out).exists()
    # One write transaction from recording to the last page: a second build into the same
    # OUT waits, so whichever writes the feeds last has seen both editions.
    with catalog.connect(out) as conn, catalog.transaction(conn):
        if fresh:
            # Editions built before OUT had a catalog stay in the feed.
            catalog.import_manifests(conn, out, skip=edition.folder)
        row = catalog.record_edition(conn, out, edition, chapters=chapters)
        publish_site(out, conn, resolve_settings(conn, base_url, None, feed_limit))

    def with_guids(d: dict[str, Any]) -> dict[str, Any]:
        # The catalog's GUIDs are the ones published; the manifest repeats them for tools.
        d["edition"]["guid"] = row.guid
        by_id = {a.slug: a.guid for a in row.articles}
        for art in d["articles"]:
            if art["id"] in by_id:
                art["guid"] = by_id[art["id"]]
        return d

    doc = with_guids(manifest_dict(edition, timings(time.perf_counter() - t0), hits, misses, extra))
    write_manifest(path, doc)
    return path, doc


def public_base_url(out: Path, base_url: str | None = None) -> str:
    """The base URL files in OUT are published under: the one asked for, else the one
    OUT's catalog remembers, else the loopback default (matching ``serve``)."""
    if base_url is not None:
        return normalize_base_url(base_url)
    if (out / catalog.CATALOG_NAME).is_file():
        with catalog.connect(out, create=False) as conn:
            stored = catalog.get_meta(conn, "base_url")
            if stored:
                return stored
    return DEFAULT_BASE_URL
