"""Where everything lives in an output folder: every file name is spelled here once.

A paper's files (catalog, feeds, pages, editions) live in its *home*: OUT itself when OUT
holds one paper (the layout ``build`` has always made), or ``OUT/<slug>/`` when OUT is a
site of several papers (``publish.homes`` decides which).

The layout is a contract with podcast apps (URLs in feeds that have been published must
keep working) and with tools that read ``manifest.json``, so no other module types a
file name of OUT.
"""

from __future__ import annotations

from pathlib import Path

# --- OUT/ ----------------------------------------------------------------------------
#: a site (several papers in one OUT): the papers, each in OUT/<slug>/, and OUT's URL
PAPERS_JSON = "papers.json"
#: taken while papers.json is read and changed (two builds into one OUT at once)
PAPERS_LOCK = ".papers.lock"

# --- a paper's home: OUT itself (one paper), or OUT/<slug>/ in a site ------------------
CATALOG = "catalog.sqlite"
EDITIONS_FEED = "feed.xml"
ARTICLES_FEED = "feed-articles.xml"
INDEX_PAGE = "index.html"
COVER_PNG = "cover.png"
COVER_JPG = "cover.jpg"
FAVICON = "favicon.ico"
CACHE = ".cache"
EDITIONS = "editions"

# --- OUT/editions/<folder>/ ----------------------------------------------------------
EDITION_MP3 = "edition.mp3"
EDITION_VTT = "edition.vtt"
EDITION_SRT = "edition.srt"
CHAPTERS_JSON = "chapters.json"
MANIFEST_JSON = "manifest.json"
EDITION_PAGE = "index.html"
EDITION_ART = "cover.png"  # the edition's dated artwork
ARTICLES = "articles"

#: what an article is made of, beside its MP3
ARTICLE_SUFFIXES = (".mp3", ".vtt", ".srt")


def article_file(folder: Path, article_id: str, suffix: str) -> Path:
    """``<edition folder>/articles/<NN-slug><suffix>``."""
    return folder / ARTICLES / f"{article_id}{suffix}"
