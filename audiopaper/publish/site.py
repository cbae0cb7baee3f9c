"""The listening pages: OUT/index.html and editions/<folder>/index.html.

Plain HTML with inline CSS and JS and relative links only, so a page works opened from
disk (file://, where fetch() of a neighbouring file is blocked) as well as through
``audiopaper serve``. Sentence timings are written into the page as data attributes
for the same reason: the page never has to load the VTT to highlight the sentence.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..audio.chapters import SPOKEN_INTRO_S, edition_chapters
from ..fsutil import Writer, write_text
from ..layout import ARTICLES_FEED, EDITIONS_FEED, INDEX_PAGE
from .catalog import ArticleRow, EditionRow
from .feed import FeedSettings, clock, feed_title, normalize_base_url, render, url_for


def rel(from_dir: str, target: str) -> str:
    """``target`` (relative to OUT) as seen from the folder ``from_dir`` (relative to OUT)."""
    return posixpath.relpath(target, from_dir or ".")


@dataclass(frozen=True)
class ArticleView:
    row: ArticleRow
    mp3: str
    vtt: str
    duration: str


def edition_page(ed: EditionRow, settings: FeedSettings, paper_title: str) -> str:
    folder = ed.folder
    base = normalize_base_url(settings.base_url)
    return render(
        "edition.html.j2",
        ed=ed,
        paper_title=paper_title,
        mp3=rel(folder, ed.mp3),
        vtt=rel(folder, ed.vtt) if ed.vtt else None,
        chapters_json=rel(folder, ed.chapters) if ed.chapters else None,
        duration=clock(ed.duration_s),
        chapters=edition_chapters(
            [(a.slug, a.title, a.start_s) for a in ed.articles], ed.duration_s, ed.intro_s >= SPOKEN_INTRO_S
        ),
        articles=[ArticleView(a, rel(folder, a.mp3), rel(folder, a.vtt), clock(a.duration_s)) for a in ed.articles],
        home=rel(folder, INDEX_PAGE),
        feed=rel(folder, EDITIONS_FEED),
        feed_articles=rel(folder, ARTICLES_FEED),
        feed_url=url_for(base, EDITIONS_FEED),
        feed_articles_url=url_for(base, ARTICLES_FEED),
    )


def index_page(editions: Sequence[EditionRow], settings: FeedSettings) -> str:
    base = normalize_base_url(settings.base_url)
    return render(
        "index.html.j2",
        title=feed_title(editions, settings),
        editions=[(ed, clock(ed.duration_s)) for ed in editions],
        feed=EDITIONS_FEED,
        feed_articles=ARTICLES_FEED,
        feed_url=url_for(base, EDITIONS_FEED),
        feed_articles_url=url_for(base, ARTICLES_FEED),
    )


def write_pages(
    out: Path, editions: Sequence[EditionRow], settings: FeedSettings, write: Writer = write_text
) -> list[Path]:
    written = []
    title = feed_title(editions, settings)
    for ed in editions:
        folder = out / ed.folder
        if not folder.is_dir():
            continue  # the edition's files were removed by hand; nothing to play
        path = out / ed.page
        write(path, edition_page(ed, settings, title))
        written.append(path)
    index = out / INDEX_PAGE
    write(index, index_page(editions, settings))
    written.append(index)
    return written
