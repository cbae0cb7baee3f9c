"""Where each paper's editions are published in an output folder: the paper's *home*.

An OUT holds one paper at its top (``OUT/feed.xml``, ``OUT/editions/…``: the layout
``build`` has always made, and the feed URL listeners subscribed to), or it is a *site*:
``OUT/papers.json`` names the papers, each has a home ``OUT/<slug>/`` with its own
catalog, feeds, pages and editions, and ``OUT/index.html`` lists them. ``batch`` makes a
new OUT a site; ``build`` makes a new OUT a one-paper folder, and into a site it
publishes into the paper's home. So a paper's editions land in one place, under the same
GUIDs, whichever command built them.

A one-paper OUT is never turned into a site behind its subscribers' backs (its feed's
URL would change): another paper is refused there, in one line.

papers.json also remembers the site's public URL, so a paper's home URL is always the
site's URL plus its slug, and a slug, once given, is kept for good (it is in every URL
that has been published).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import layout, naming
from ..errors import OutputError, UsageError
from ..fsutil import output_error, write_text

SCHEMA = 1
UNNAMED_SLUG = "unnamed"
#: names a paper's folder may not take: they are OUT's own
RESERVED = frozenset({layout.EDITIONS, layout.CACHE.strip("."), "papers", "index"})
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class SitePaper:
    """One paper of a site: its name as the catalog stores it (None: unnamed) and its folder."""

    name: str | None
    slug: str


@dataclass(frozen=True)
class Site:
    """OUT/papers.json: the papers in this OUT, and where OUT is published."""

    papers: tuple[SitePaper, ...] = ()
    base_url: str | None = None
    moved_to: str | None = None

    def find(self, paper: str | None) -> SitePaper | None:
        return next((p for p in self.papers if p.name == paper), None)


@dataclass(frozen=True)
class Home:
    """Where one paper's catalog, feeds, pages and editions live."""

    out: Path  # the output folder the user named
    path: Path  # OUT itself, or OUT/<slug>/
    paper: str | None
    slug: str | None = None  # None: the paper has OUT to itself (the one-paper layout)
    #: what OUT held before this paper was placed, for messages
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def in_site(self) -> bool:
        return self.slug is not None

    def url(self, site_url: str) -> str:
        """The home's public URL, from OUT's."""
        from .feed import url_for

        return url_for(site_url, f"{self.slug}/") if self.slug else site_url


def is_site(out: Path) -> bool:
    return (out / layout.PAPERS_JSON).is_file()


def check_slug(slug: str, where: str = "slug") -> str:
    if not _SLUG.match(slug) or slug in RESERVED:
        raise UsageError(
            f"{where} {slug!r} cannot name a paper's folder",
            "use lower-case ASCII letters, digits and hyphens (not editions, cache, papers or index)",
        )
    return slug


def slug_for(paper: str | None) -> str:
    """A paper's folder name: the pinyin of its name (衡阳日报 → heng-yang-ri-bao)."""
    if not paper:
        return UNNAMED_SLUG
    found = naming.slug(paper, max_syllables=12)
    return UNNAMED_SLUG + "-paper" if found in RESERVED or found == UNNAMED_SLUG else found


def read_site(out: Path) -> Site:
    """OUT's papers.json (an empty Site where there is none)."""
    path = out / layout.PAPERS_JSON
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Site()
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: unreadable ({exc})", "restore it from a backup, or rebuild the site") from None
    try:
        papers = tuple(SitePaper(p.get("name") or None, str(p["slug"])) for p in doc.get("papers", []))
        site = doc.get("site") or {}
        return Site(papers, site.get("base_url") or None, site.get("moved_to") or None)
    except (TypeError, KeyError, AttributeError):
        raise OutputError(f"{path}: not a papers.json audiopaper wrote", "restore it from a backup") from None


def _write_site(out: Path, site: Site) -> None:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "papers": [
            {
                "name": p.name,
                "slug": p.slug,
                "feed": f"{p.slug}/{layout.EDITIONS_FEED}",
                "articles_feed": f"{p.slug}/{layout.ARTICLES_FEED}",
            }
            for p in site.papers
        ],
        "site": {"base_url": site.base_url, "moved_to": site.moved_to},
    }
    write_text(out / layout.PAPERS_JSON, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


_HELD = threading.local()


@contextlib.contextmanager
def site_lock(out: Path) -> Iterator[None]:
    """Held while papers.json (and the top index) is read and changed: two builds into
    one OUT at once must not both hand out a slug or lose each other's paper. Taken again
    by the thread that holds it, it is already held (flock is not re-entrant)."""
    held: set[Path] = _HELD.__dict__.setdefault("outs", set())
    key = out.resolve()
    if key in held:
        yield
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / layout.PAPERS_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise output_error(out, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.add(key)
        yield
    finally:
        held.discard(key)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _register(out: Path, paper: str | None, slug: str | None) -> SitePaper:
    """The paper's entry in OUT's papers.json, added (with a free slug) if it is new."""
    with site_lock(out):
        site = read_site(out)
        known = site.find(paper)
        if known is not None:
            if slug is not None and slug != known.slug:
                raise UsageError(
                    f"{paper or 'the unnamed paper'} is published in {out / known.slug}, not {slug}",
                    f"its folder is in every URL already published; use slug = {known.slug!r}",
                )
            return known
        taken = {p.slug for p in site.papers}
        if slug is not None:
            check_slug(slug)
            if slug in taken:
                raise UsageError(f"{out / slug} is another paper's folder", "choose another slug")
            chosen = slug
        else:
            base = slug_for(paper)
            chosen, n = base, 1
            while chosen in taken or (out / chosen).is_file():
                n += 1
                chosen = f"{base}-{n}"
        entry = SitePaper(paper, chosen)
        _write_site(out, replace(site, papers=(*site.papers, entry)))
        return entry


def remember_site_url(out: Path, base_url: str | None, moved_to: str | None) -> None:
    """Keep the site's public URL (and where it moved) in papers.json, for later runs."""
    with site_lock(out):
        site = read_site(out)
        if (site.base_url, site.moved_to) != (base_url, moved_to):
            _write_site(out, replace(site, base_url=base_url, moved_to=moved_to))


def papers_at_top(out: Path) -> set[str | None]:
    """The papers whose editions OUT holds at its top (the one-paper layout): its
    catalog's, or, before it has one, its editions' manifests' (None: no paper name)."""
    from . import catalog

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


def refuse_mixing(out: Path, paper: str | None, held: set[str | None]) -> None:
    """One paper per feed: an edition of another paper (or an unnamed one beside a named
    paper) is refused with one line rather than mixed into a feed its listeners
    subscribed to for a different paper."""
    others = sorted((p for p in held if p != paper), key=lambda p: p or "")
    if not others:
        return
    named = [p for p in others if p]
    holds = f"the feed of {'、'.join(named)}" if named else "a feed of editions with no paper name"
    this = f"this edition of {paper}" if paper else "this edition names no paper and"
    own = "build it into its own output folder with -o (a new folder that `batch` fills holds several papers)"
    if paper is None and len(named) == 1:
        hint = f"pass --paper {named[0]} if this issue is that paper's, else {own}"
    elif paper is not None and not named:
        hint = f"{own}, or rebuild those editions with --paper {paper} if they are this paper's"
    else:
        hint = own
    raise OutputError(f"{out} already holds {holds}; {this} would be mixed into it", hint)


def home_for(out: Path, paper: str | None, *, new_site: bool = False, slug: str | None = None) -> Home:
    """The home of ``paper``'s editions in ``out``; the one place that decides it.

    - ``out`` is a site: the paper's folder there (registered now if the paper is new).
    - ``out`` holds this paper at its top (or nothing, and ``new_site`` is False): ``out``.
    - ``out`` holds nothing and ``new_site`` (a batch): ``out`` becomes a site.
    - ``out`` holds another paper at its top: refused (one paper per feed).
    """
    if is_site(out):
        entry = _register(out, paper, slug)
        return Home(out, out / entry.slug, paper, entry.slug)
    held = papers_at_top(out)
    if held:
        refuse_mixing(out, paper, held)
        return Home(out, out, paper)
    if not new_site:
        return Home(out, out, paper)
    entry = _register(out, paper, slug)
    return Home(out, out / entry.slug, paper, entry.slug)


def homes(out: Path) -> list[Home]:
    """Every paper home in ``out``: the site's papers, else OUT itself."""
    if is_site(out):
        return [Home(out, out / p.slug, p.name, p.slug) for p in read_site(out).papers]
    return [Home(out, out, None)]


def home_of(path: Path) -> Home | None:
    """The home a folder is, when it is one paper's folder inside a site (``feed`` and
    ``check`` given OUT/<slug>)."""
    parent = path.resolve().parent
    if not is_site(parent):
        return None
    name = path.resolve().name
    entry = next((p for p in read_site(parent).papers if p.slug == name), None)
    return None if entry is None else Home(parent, parent / entry.slug, entry.name, entry.slug)
