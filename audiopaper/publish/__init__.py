"""The publish stage: the catalog records an edition, feeds and pages are made from the
catalog, and the manifest describes the edition under the GUIDs it was published with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import layout
from ..errors import AudiopaperError
from ..fsutil import Writer, ensure_writable_dir, staged, write_text
from ..models import Edition
from ..settings import Layer, PaperSettings, Settings, Show, SiteSettings, remembered_layer, resolve
from . import catalog
from .feed import DEFAULT_BASE_URL, FeedSettings, episode_title, is_loopback, podcast_guid, url_for, write_feeds
from .homes import Home, home_for, homes, is_site, papers_at_top, read_site, refuse_mixing, remember_site_url, site_lock
from .manifest import BuildRecord, RunStats, manifest_dict, manifest_path, write_manifest
from .site import pages_signature, paper_view, papers_page, write_pages


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
    """The settings OUT's catalog remembers (nothing for a folder without a catalog); for
    a site of several papers, the site's URL its papers.json remembers."""
    if is_site(out):
        site = read_site(out)
        return {k: v for k, v in (("base_url", site.base_url), ("moved_to", site.moved_to)) if v}
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


def publish_site(
    out: Path, conn: Any, settings: FeedSettings, changed: str | None = None, write: Writer = write_text
) -> Published:
    """Feeds and pages from the catalog, each file written with ``write`` (staged until the
    catalog commits); ``changed``: the one edition (folder) that is new or rebuilt, whose
    page alone is written (with the index) while nothing else the pages show has changed."""
    editions, missing = on_disk(out, catalog.editions(conn))
    write_favicon(out, settings.artwork)
    feeds = write_feeds(out, editions, settings, write)
    signature = pages_signature(editions, settings)
    only = {changed} if changed is not None and catalog.get_meta(conn, "pages") == signature else None
    pages = write_pages(out, editions, settings, only, write)
    catalog.set_meta(conn, "pages", signature)
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
            published = publish_site(out, conn, resolve_settings(out, conn, show, site), write=stage.write_text)
        stage.commit()  # the catalog has committed: the files that show it go in place
    return published


def papers_in(out: Path) -> set[str | None]:
    """The papers whose editions OUT holds at its top (None: editions with no paper name)."""
    return papers_at_top(out)


def feed_home(
    out: Path,
    paper: str | None,
    held: set[str | None] | None = None,
    *,
    new_site: bool = False,
    slug: str | None = None,
) -> Path:
    """The folder whose catalog and feeds ``paper``'s editions go into (``homes.home_for``
    decides: OUT itself, or OUT/<slug>/ in a site of several papers). With ``held`` (the
    papers a home's catalog holds, read under its lock), only checks that the home is
    this paper's: one paper per feed."""
    if held is not None:
        refuse_mixing(out, paper, held)
        return out
    return home_for(out, paper, new_site=new_site, slug=slug).path


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
            settings = resolve_settings(out, conn, show, site, edition)
            publish_site(out, conn, settings, row.folder, stage.write_text)
        stage.commit()
    return row


def write_edition_manifest(
    out: Path, edition: Edition, stats: RunStats, published: catalog.EditionRow, build: BuildRecord | None = None
) -> Path:
    """manifest.json, once, from the typed edition and the GUIDs it was published under;
    written last, so an edition with a manifest is a finished one."""
    path = manifest_path(edition)
    write_manifest(path, manifest_dict(edition, out, stats, published, build))
    return path


def public_base_url(out: Path, site: SiteSettings | None = None) -> str:
    """The base URL files in OUT are published under: the one asked for, else the one
    OUT's catalog remembers, else the loopback default (matching ``serve``)."""
    if site is not None:
        return site.base_url or DEFAULT_BASE_URL
    memory = resolve([remembered(out)], where=str(catalog.catalog_path(out)))
    return memory.site.base_url or DEFAULT_BASE_URL


@dataclass(frozen=True)
class HomeSettings:
    """What a paper's editions are published with in its home."""

    show: Show
    #: where the home is published: OUT's URL, or in a site OUT's URL and the paper's slug
    site: SiteSettings
    #: OUT's own URL and move where this run states them (a key not here: the memory stands)
    asked: Layer = field(default_factory=dict)


def home_settings(home: Home, layers: Sequence[Layer], where: str = "settings") -> HomeSettings:
    """The show and URL of ``home`` from the layers a run asks for (flags, then files),
    over what the home's catalog remembers; in a site, the URL is the site's (asked for,
    else what papers.json remembers) and the paper's slug, so every paper moves with it."""
    if not home.in_site:
        chosen = resolve([*layers, remembered(home.path)], where=where)
        return HomeSettings(chosen.paper.show, chosen.site)
    show = resolve([*layers, remembered(home.path)], where=where).paper.show
    site = resolve([*layers, remembered(home.out)], where=where).site
    base = home.url(site.base_url or DEFAULT_BASE_URL)
    moved = home.url(site.moved_to) if site.moved_to else None
    asked = {"base_url": site.base_url, "moved_to": site.moved_to}
    return HomeSettings(show, SiteSettings(base, moved), {k: v for k, v in asked.items() if _states(layers, k)})


def _states(layers: Sequence[Layer], key: str) -> bool:
    return any(key in layer for layer in layers)


def _remember_site(out: Path, asked: Layer) -> None:
    if asked:
        old = read_site(out)
        remember_site_url(out, asked.get("base_url", old.base_url), asked.get("moved_to", old.moved_to))


def write_site_index(out: Path) -> Path | None:
    """OUT/index.html of a site: every paper, its art, its newest edition and its feeds.
    Call with the site lock held (``homes.site_lock``)."""
    if not is_site(out):
        return None
    site = read_site(out)
    views = []
    for home in homes(out):
        count, latest, title, art = 0, None, home.paper or "未署名的报纸", None
        if catalog.catalog_path(home.path).is_file():
            with catalog.connect(home.path, create=False) as conn:
                count, newest = catalog.newest(conn)
                memory = catalog.remembered_settings(conn)
                art = catalog.get_meta(conn, "artwork")
            title = str(memory.get("title") or "") or home.paper or title
            latest = episode_title(newest) if newest is not None else None
        art = art if art and (home.path / art).is_file() else None
        assert home.slug is not None
        views.append(paper_view(home.slug, title, site.base_url or DEFAULT_BASE_URL, art, count, latest))
    path = out / layout.INDEX_PAGE
    write_text(path, papers_page(views))
    return path


def publish_home_edition(home: Home, edition: Edition, settings: HomeSettings) -> catalog.EditionRow:
    """Publish an edition into its paper's home; in a site, remember the site's URL if one
    was asked for and list the paper on the top index."""
    row = publish_edition(home.path, edition, settings.show, settings.site)
    if home.in_site:
        with site_lock(home.out):
            _remember_site(home.out, settings.asked)
            write_site_index(home.out)
    return row


def regenerate_site(
    out: Path, layers_for: Callable[[str | None], Sequence[Layer]], where: str = "settings"
) -> list[Published]:
    """`audiopaper feed OUT` on a site: every paper's feeds and pages (with the layers
    asked for that paper), and the top index."""
    done = []
    for home in homes(out):
        if not (home.path / layout.CATALOG).is_file():
            continue
        chosen = home_settings(home, layers_for(home.paper), where)
        done.append(regenerate(home.path, chosen.show, chosen.site))
    layers = layers_for(None)
    with site_lock(out):
        site = resolve(layers, where=where).site
        asked = {"base_url": site.base_url, "moved_to": site.moved_to}
        _remember_site(out, {k: v for k, v in asked.items() if _states(layers, k)})
        write_site_index(out)
    return done
