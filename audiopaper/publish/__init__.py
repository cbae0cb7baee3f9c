"""The publish stage: the catalog records an edition, feeds and pages are made from the
catalog, and the manifest describes the edition under the GUIDs it was published with."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import layout
from ..errors import AudiopaperError, OutputError
from ..fsutil import Writer, ensure_writable_dir, staged, write_text
from ..models import Edition
from ..settings import PaperSettings, Settings, Show, SiteSettings, remembered_layer, resolve
from . import catalog
from .feed import DEFAULT_BASE_URL, FeedSettings, is_loopback, podcast_guid, url_for, write_feeds
from .manifest import RunStats, manifest_dict, manifest_path, write_manifest
from .site import write_pages


@dataclass(frozen=True)
class Published:
    feeds: tuple[Path, ...]
    pages: tuple[Path, ...]
    editions: int
    articles: int
    missing: tuple[str, ...] = ()  # audio in the catalog but not on disk, left out of the feeds


def _artwork(out: Path, conn: Any, edition: Edition | None) -> str:
    """The show's artwork (relative to OUT): this build's, else the one the catalog
    remembers, else whichever cover is there."""
    if edition is not None and edition.cover is not None:
        name = edition.cover.resolve().relative_to(out.resolve()).as_posix()
        catalog.set_meta(conn, "artwork", name)
        return name
    remembered = catalog.get_meta(conn, "artwork")
    if remembered and (out / remembered).is_file():
        return remembered
    for candidate in (layout.COVER_PNG, layout.COVER_JPG):
        if (out / candidate).is_file():
            return candidate
    return layout.COVER_PNG


def resolve_settings(
    out: Path,
    conn: Any,
    show: Show | None = None,
    site: SiteSettings | None = None,
    edition: Edition | None = None,
) -> FeedSettings:
    """Feed settings: what this run asks for, else what the catalog remembers, else defaults.

    What a run asks for is remembered, so `audiopaper feed OUT` after a build keeps the
    owner and the public URLs instead of falling back to the defaults. The podcast:guid
    of each feed is minted from its URL the first time the feed is published under a
    public (not loopback) URL and kept from then on, through any change of base URL.
    """
    memory = resolve([catalog.remembered_settings(conn)], where=f"{catalog.catalog_path(out)}")
    if show is not None or site is not None:
        chosen = Settings(PaperSettings(show=show or memory.paper.show), site or memory.site)
        catalog.remember_settings(conn, remembered_layer(chosen))
    show = show or memory.paper.show
    site = site or memory.site
    base_url = site.base_url or DEFAULT_BASE_URL
    public = not is_loopback(base_url)
    guids = {
        name: catalog.feed_guid(conn, name, podcast_guid(url_for(base_url, name)), keep=public)
        for name in (layout.EDITIONS_FEED, layout.ARTICLES_FEED)
    }
    return FeedSettings(
        base_url=base_url, show=show, moved_to=site.moved_to, artwork=_artwork(out, conn, edition), guids=guids
    )


def remembered(out: Path) -> dict[str, Any]:
    """The settings OUT's catalog remembers (nothing for a folder without a catalog)."""
    if not catalog.catalog_path(out).is_file():
        return {}
    with catalog.connect(out, create=False, readonly=True) as conn:
        return catalog.remembered_settings(conn)


def remembered_artwork(out: Path) -> Path | None:
    """The user's own artwork an earlier build published in OUT, if it is still there:
    kept until another is given (a drawn one is drawn again as needed)."""
    from ..audio.cover import marker

    if not catalog.catalog_path(out).is_file():
        return None
    with catalog.connect(out, create=False, readonly=True) as conn:
        name = catalog.get_meta(conn, "artwork")
    path = out / name if name else None
    return path if path is not None and path.is_file() and not marker(path) else None


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


def write_favicon(out: Path, artwork: str) -> Path | None:
    """OUT/favicon.ico from the show's artwork, made again when the artwork is newer."""
    from ..audio.cover import write_favicon as draw

    art, icon = out / artwork, out / layout.FAVICON
    if not art.is_file():
        return None
    if icon.is_file() and icon.stat().st_mtime_ns >= art.stat().st_mtime_ns:
        return icon
    return draw(out, art)


def publish_site(out: Path, conn: Any, settings: FeedSettings, write: Writer = write_text) -> Published:
    editions, missing = on_disk(out, catalog.editions(conn))
    write_favicon(out, settings.artwork)
    feeds = write_feeds(out, editions, settings, write)
    pages = write_pages(out, editions, settings, write)
    return Published(tuple(feeds), tuple(pages), len(editions), sum(len(e.articles) for e in editions), tuple(missing))


def regenerate(out: Path, show: Show | None = None, site: SiteSettings | None = None) -> Published:
    """`audiopaper feed OUT`: feeds and pages again, from the catalog alone."""
    fresh = not catalog.catalog_path(out).exists()
    if fresh and not any((out / layout.EDITIONS).glob(f"*/{layout.MANIFEST_JSON}")):
        raise AudiopaperError(f"{out}: no catalog and no editions here", "build an edition into this folder first")
    ensure_writable_dir(out, "copy the folder somewhere writable and run there")
    with staged() as stage:
        with catalog.connect(out) as conn, catalog.transaction(conn):
            if fresh:
                catalog.import_manifests(conn, out)
            published = publish_site(out, conn, resolve_settings(out, conn, show, site), stage.write_text)
        stage.commit()  # the catalog has committed: the files that show it go in place
    return published


def papers_in(out: Path) -> set[str | None]:
    """The papers whose editions OUT holds: its catalog's, or, before it has one, its
    editions' manifests' (None: editions with no paper name)."""
    if catalog.catalog_path(out).is_file():
        with catalog.connect(out, create=False, readonly=True) as conn:
            return catalog.papers(conn)
    found: set[str | None] = set()
    for manifest in (out / layout.EDITIONS).glob(f"*/{layout.MANIFEST_JSON}"):
        try:
            found.add(json.loads(manifest.read_text(encoding="utf-8"))["edition"].get("paper") or None)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # a damaged manifest: import_manifests leaves that edition out too
    return found


def feed_home(out: Path, paper: str | None, held: set[str | None] | None = None) -> Path:
    """The folder whose catalog and feed ``paper``'s editions go into.

    One paper per feed: that is OUT itself while OUT is new or holds this paper; an
    edition of another paper (or an unnamed one beside a named paper) is refused with
    one line rather than mixed into a feed its listeners subscribed to for a different
    paper. Issue #12 is to give each paper a folder of its own under OUT instead, here.
    """
    held = papers_in(out) if held is None else held
    others = sorted((p for p in held if p != paper), key=lambda p: p or "")
    if not others:
        return out
    named = [p for p in others if p]
    holds = f"the feed of {'、'.join(named)}" if named else "a feed of editions with no paper name"
    this = f"this edition of {paper}" if paper else "this edition names no paper and"
    own = "build it into its own output folder with -o"
    if paper is None and len(named) == 1:
        hint = f"pass --paper {named[0]} if this issue is that paper's, else {own}"
    elif paper is not None and not named:
        hint = f"{own}, or rebuild those editions with --paper {paper} if they are this paper's"
    else:
        hint = own
    raise OutputError(f"{out} already holds {holds}; {this} would be mixed into it", hint)


def publish_edition(
    out: Path, edition: Edition, show: Show | None = None, site: SiteSettings | None = None
) -> catalog.EditionRow:
    """Record the edition in the catalog and refresh feeds and pages; returns the stored
    row, which carries the GUIDs the edition and its articles are published under.
    ``show`` and ``site`` None: what the catalog remembers."""
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
            # Checked again here, under the lock: another paper's build may have published
            # into OUT since this one began.
            feed_home(out, edition.paper, catalog.papers(conn))
            row = catalog.record_edition(conn, out, edition)
            publish_site(out, conn, resolve_settings(out, conn, show, site, edition), stage.write_text)
        stage.commit()
    return row


def write_edition_manifest(out: Path, edition: Edition, stats: RunStats, published: catalog.EditionRow) -> Path:
    """manifest.json, once, from the typed edition and the GUIDs it was published under."""
    path = manifest_path(edition)
    write_manifest(path, manifest_dict(edition, out, stats, published))
    return path


def public_base_url(out: Path, site: SiteSettings | None = None) -> str:
    """The base URL files in OUT are published under: the one asked for, else the one
    OUT's catalog remembers, else the loopback default (matching ``serve``)."""
    if site is not None:
        return site.base_url or DEFAULT_BASE_URL
    memory = resolve([remembered(out)], where=str(catalog.catalog_path(out)))
    return memory.site.base_url or DEFAULT_BASE_URL
