"""The listening pages: a paper's index.html and editions/<folder>/index.html, and in a
site of several papers the top OUT/index.html that lists them.

Plain HTML with inline CSS and JS and relative links only, so a page works opened from
disk (file://, where fetch() of a neighbouring file is blocked) as well as through
``audiopaper serve``. Sentence timings are written into the page as data attributes
for the same reason: the page never has to load the VTT to highlight the sentence.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import posixpath
import urllib.parse
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..audio.chapters import SPOKEN_INTRO_S, edition_chapters
from ..fsutil import Writer, write_text
from ..layout import ARTICLES_FEED, EDITION_ART, EDITIONS_FEED, FAVICON, INDEX_PAGE
from .catalog import ArticleRow, EditionRow
from .feed import FeedSettings, clock, episode_title, feed_title, normalize_base_url, render, url_for


def rel(from_dir: str, target: str) -> str:
    """``target`` (relative to OUT) as seen from the folder ``from_dir`` (relative to OUT)."""
    return posixpath.relpath(target, from_dir or ".")


@dataclass(frozen=True)
class Subscribe:
    """One way to subscribe to a feed: a label and where it leads."""

    label: str
    href: str


@dataclass(frozen=True)
class FeedLinks:
    """A feed as the pages offer it: its address (shown whole, to copy) and one link per
    kind of app: Apple Podcasts (the podcast:// scheme it registers), AntennaPod (its
    subscribe page, which opens the app or explains it), and the RSS file itself for
    any other app."""

    label: str
    url: str
    local: str  # the feed relative to the page
    subscribe: tuple[Subscribe, ...]


def feed_links(label: str, name: str, title: str, base_url: str, from_dir: str) -> FeedLinks:
    url = url_for(base_url, name)
    scheme_less = url.split("://", 1)[1]
    antennapod = "https://antennapod.org/deeplink/subscribe?" + urllib.parse.urlencode({"url": url, "title": title})
    return FeedLinks(
        label,
        url,
        rel(from_dir, name),
        (
            Subscribe("Apple 播客", "podcast://" + scheme_less),
            Subscribe("AntennaPod", antennapod),
            Subscribe("RSS", url),
        ),
    )


@dataclass(frozen=True)
class ArticleView:
    row: ArticleRow
    mp3: str
    vtt: str
    duration: str


def edition_page(ed: EditionRow, settings: FeedSettings, paper_title: str, has_art: bool = True) -> str:
    folder = ed.folder
    base = normalize_base_url(settings.base_url)
    return render(
        "edition.html.j2",
        ed=ed,
        paper_title=paper_title,
        episode_title=episode_title(ed),
        mp3=rel(folder, ed.mp3),
        vtt=rel(folder, ed.vtt) if ed.vtt else None,
        chapters_json=rel(folder, ed.chapters) if ed.chapters else None,
        art=EDITION_ART if has_art else None,
        duration=clock(ed.duration_s),
        chapters=edition_chapters(
            [(a.slug, a.title, a.start_s) for a in ed.articles], ed.duration_s, ed.intro_s >= SPOKEN_INTRO_S
        ),
        articles=[ArticleView(a, rel(folder, a.mp3), rel(folder, a.vtt), clock(a.duration_s)) for a in ed.articles],
        home=rel(folder, INDEX_PAGE),
        favicon=rel(folder, FAVICON),
        feeds=_feeds(paper_title, base, folder),
    )


def _feeds(title: str, base: str, from_dir: str) -> tuple[FeedLinks, FeedLinks]:
    return (
        feed_links("订阅整期", EDITIONS_FEED, title, base, from_dir),
        feed_links("订阅单篇", ARTICLES_FEED, f"{title}（单篇）", base, from_dir),
    )


def index_page(editions: Sequence[EditionRow], settings: FeedSettings, has_art: bool = True) -> str:
    base = normalize_base_url(settings.base_url)
    title = feed_title(editions, settings)
    return render(
        "index.html.j2",
        title=title,
        description=settings.show.description,
        artwork=settings.artwork if has_art else None,
        editions=[(ed, episode_title(ed), clock(ed.duration_s)) for ed in editions],
        favicon=FAVICON,
        feeds=_feeds(title, base, ""),
    )


@functools.lru_cache(maxsize=1)
def _templates_digest() -> str:
    from importlib.resources import files

    from .. import __version__

    h = hashlib.sha256(__version__.encode())
    for page in sorted(files("audiopaper.publish").joinpath("templates").iterdir(), key=lambda t: t.name):
        h.update(page.read_bytes())
    return h.hexdigest()


def pages_signature(editions: Sequence[EditionRow], settings: FeedSettings) -> str:
    """What every edition's page is made with besides its own edition: the settings, the
    show's title and the templates. While it is unchanged, publishing one edition writes
    only that edition's page and the index (a year of pages is not written again daily)."""
    doc = {"settings": dataclasses.asdict(settings), "title": feed_title(editions, settings), "t": _templates_digest()}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def write_pages(
    out: Path,
    editions: Sequence[EditionRow],
    settings: FeedSettings,
    only: Collection[str] | None = None,
    write: Writer = write_text,
) -> list[Path]:
    """The index and every edition's page (``only``: those editions' pages, by folder)."""
    written = []
    title = feed_title(editions, settings)
    for ed in editions:
        if only is not None and ed.folder not in only:
            continue
        folder = out / ed.folder
        if not folder.is_dir():
            continue  # the edition's files were removed by hand; nothing to play
        path = out / ed.page
        write(path, edition_page(ed, settings, title, (folder / EDITION_ART).is_file()))
        written.append(path)
    index = out / INDEX_PAGE
    write(index, index_page(editions, settings, (out / settings.artwork).is_file()))
    written.append(index)
    return written


@dataclass(frozen=True)
class PaperView:
    """One paper as the top index of a site lists it (paths relative to OUT)."""

    title: str
    page: str
    artwork: str | None
    editions: int
    latest: str | None  # the newest edition's episode title
    feeds: tuple[FeedLinks, FeedLinks]


def paper_view(
    slug: str, title: str, site_url: str, artwork: str | None, editions: int, latest: str | None
) -> PaperView:
    """``site_url``: OUT's public URL (a paper's home is that and its slug)."""
    base = normalize_base_url(site_url)
    feeds = (
        feed_links("订阅整期", f"{slug}/{EDITIONS_FEED}", title, base, ""),
        feed_links("订阅单篇", f"{slug}/{ARTICLES_FEED}", f"{title}（单篇）", base, ""),
    )
    return PaperView(title, f"{slug}/{INDEX_PAGE}", f"{slug}/{artwork}" if artwork else None, editions, latest, feeds)


def papers_page(papers: Sequence[PaperView]) -> str:
    return render("papers.html.j2", papers=papers, total=sum(p.editions for p in papers))
