"""The publish stage: the catalog records an edition, feeds and pages are made from the
catalog, and the manifest describes the edition under the GUIDs it was published with."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import layout
from ..errors import AudiopaperError
from ..fsutil import Writer, ensure_writable_dir, staged, write_text
from ..models import Edition
from . import catalog
from .feed import DEFAULT_BASE_URL, FeedSettings, normalize_base_url, write_feeds
from .manifest import RunStats, manifest_dict, manifest_path, write_manifest
from .site import write_pages


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
    stored = catalog.stored_settings(conn)
    return FeedSettings(base_url=stored.base_url or DEFAULT_BASE_URL, title=stored.title, limit=stored.limit)


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


def publish_site(out: Path, conn: Any, settings: FeedSettings, write: Writer = write_text) -> Published:
    editions, missing = on_disk(out, catalog.editions(conn))
    feeds = write_feeds(out, editions, settings, write)
    pages = write_pages(out, editions, settings, write)
    return Published(tuple(feeds), tuple(pages), len(editions), sum(len(e.articles) for e in editions), tuple(missing))


def regenerate(out: Path, base_url: str | None = None, title: str | None = None, limit: int | None = None) -> Published:
    """`audiopaper feed OUT`: feeds and pages again, from the catalog alone."""
    fresh = not catalog.catalog_path(out).exists()
    if fresh and not any((out / layout.EDITIONS).glob(f"*/{layout.MANIFEST_JSON}")):
        raise AudiopaperError(f"{out}: no catalog and no editions here", "build an edition into this folder first")
    ensure_writable_dir(out, "copy the folder somewhere writable and run there")
    with staged() as stage:
        with catalog.connect(out) as conn, catalog.transaction(conn):
            if fresh:
                catalog.import_manifests(conn, out)
            published = publish_site(out, conn, resolve_settings(conn, base_url, title, limit), stage.write_text)
        stage.commit()  # the catalog has committed: the files that show it go in place
    return published


def publish_edition(
    out: Path, edition: Edition, base_url: str | None = DEFAULT_BASE_URL, feed_limit: int | None = None
) -> catalog.EditionRow:
    """Record the edition in the catalog and refresh feeds and pages; returns the stored
    row, which carries the GUIDs the edition and its articles are published under."""
    fresh = not catalog.catalog_path(out).exists()
    # One write transaction from recording to the last page: a second build into the same
    # OUT waits, so whichever writes the feeds last has seen both editions. Feeds and
    # pages are staged and go in place only once the catalog has committed: a full disk
    # at any point leaves the old feeds, never feeds ahead of the catalog.
    with staged() as stage:
        with catalog.connect(out) as conn, catalog.transaction(conn):
            if fresh:
                # Editions built before OUT had a catalog stay in the feed.
                catalog.import_manifests(conn, out, skip=edition.folder)
            row = catalog.record_edition(conn, out, edition)
            publish_site(out, conn, resolve_settings(conn, base_url, None, feed_limit), stage.write_text)
        stage.commit()
    return row


def write_edition_manifest(out: Path, edition: Edition, stats: RunStats, published: catalog.EditionRow) -> Path:
    """manifest.json, once, from the typed edition and the GUIDs it was published under."""
    path = manifest_path(edition)
    write_manifest(path, manifest_dict(edition, out, stats, published))
    return path


def public_base_url(out: Path, base_url: str | None = None) -> str:
    """The base URL files in OUT are published under: the one asked for, else the one
    OUT's catalog remembers, else the loopback default (matching ``serve``)."""
    if base_url is not None:
        return normalize_base_url(base_url)
    if catalog.catalog_path(out).is_file():
        with catalog.connect(out, create=False, readonly=True) as conn:
            return catalog.stored_settings(conn).base_url or DEFAULT_BASE_URL
    return DEFAULT_BASE_URL
