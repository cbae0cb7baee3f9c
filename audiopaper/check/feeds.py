"""Rules on the two feeds: well-formed and complete (``feed``), every linked file in OUT
with its exact length (``enclosure``), GUIDs unique and unchanged (``guid``).

No offline validator for podcast feeds exists, so the rules Apple Podcasts and the
Podcasting 2.0 namespace set are checked here.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import layout
from ..audio.chapters import MIME as CHAPTERS_MIME
from ..publish.catalog import stored_paper
from ..publish.feed import podcast_guid, url_for
from .base import NS, Context, FeedDoc, Problem, item_label, text

_DURATION = re.compile(r"^(\d+:)?[0-5]?\d:[0-5]\d$|^\d+$")
FEEDS = (layout.EDITIONS_FEED, layout.ARTICLES_FEED)
#: what an edition's feed item links to besides its audio, and the type it announces
_LINKS = (("podcast:transcript", "text/vtt"), ("podcast:chapters", CHAPTERS_MIME))


@dataclass(frozen=True)
class _Expected:
    """What the catalog says a GUID stands for."""

    mp3: str
    title: str


def _expected(ctx: Context, name: str) -> dict[str, _Expected]:
    if name == layout.EDITIONS_FEED:
        return {e.guid: _Expected(e.mp3, e.title) for e in ctx.editions}
    return {a.guid: _Expected(a.mp3, a.title) for e in ctx.editions for a in e.articles}


def _parse_date(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _url_ok(url: str, base_url: str) -> bool:
    return url.isascii() and url.startswith(base_url) and " " not in url


# --- feed ---------------------------------------------------------------------------


def feed_rule(ctx: Context) -> Iterator[Problem]:
    for name in FEEDS:
        doc = ctx.feed(name)
        if doc.error:
            yield ctx.problem(name, "feed", doc.error)
            continue
        yield from _channel(ctx, doc)
        yield from _items(ctx, doc)
        # Audio deleted by hand is left out of the feeds on purpose (the catalog rule reports it).
        expected = _expected(ctx, name)
        limit = ctx.stored.limit
        wanted = list(expected)[:limit] if limit is not None else list(expected)
        in_feed = {text(item, "guid") for item in doc.items()}
        for g in wanted:
            if g not in in_feed and (ctx.out / expected[g].mp3).is_file():
                yield ctx.problem(name, "feed", f"the catalog's {expected[g].title!r} (GUID {g}) has no item")


def _channel(ctx: Context, doc: FeedDoc) -> Iterator[Problem]:
    name, channel, base_url = doc.name, doc.channel, ctx.base_url
    for tag in ("title", "link", "description", "language", "itunes:author"):
        if not text(channel, tag):
            yield ctx.problem(name, "feed", f"channel has no <{tag}>")
    lang = text(channel, "language")
    if lang and lang != "zh-cn":
        yield ctx.problem(name, "feed", f"channel language is {lang!r}, expected 'zh-cn'")
    image = channel.find("itunes:image", NS)
    href = image.get("href", "") if image is not None else ""
    if not href:
        yield ctx.problem(name, "feed", "channel has no <itunes:image href>")
    elif not _url_ok(href, base_url) or not href.lower().endswith((".png", ".jpg", ".jpeg")):
        yield ctx.problem(
            name, "feed", f"itunes:image {href!r} is not an absolute ASCII .png/.jpg URL under {base_url}"
        )
    categories = [c.get("text") for c in channel.findall("itunes:category", NS)]
    if "News" not in categories:
        yield ctx.problem(name, "feed", f"itunes:category is {categories or 'missing'}, expected News")
    if text(channel, "itunes:explicit") not in ("true", "false"):
        yield ctx.problem(name, "feed", "itunes:explicit must be true or false")
    if text(channel, "podcast:locked") not in ("yes", "no"):
        yield ctx.problem(name, "feed", "podcast:locked must be yes or no")
    self_url = url_for(base_url, name)
    want_guid = podcast_guid(self_url)
    if text(channel, "podcast:guid") != want_guid:
        found = text(channel, "podcast:guid") or "missing"
        yield ctx.problem(name, "feed", f"podcast:guid is {found}, expected {want_guid}")
    atom = channel.find("atom:link[@rel='self']", NS)
    if atom is None or atom.get("href") != self_url:
        yield ctx.problem(name, "feed", f"atom:link rel=self should be {self_url}")


def _items(ctx: Context, doc: FeedDoc) -> Iterator[Problem]:
    name = doc.name
    previous: dt.datetime | None = None
    for n, item in enumerate(doc.items(), 1):
        label = item_label(n, item)
        for tag in ("title", "guid", "pubDate", "itunes:duration", "description"):
            if not text(item, tag):
                yield ctx.problem(name, "feed", f"{label} has no <{tag}>")
        duration = text(item, "itunes:duration")
        if duration and not _DURATION.match(duration):
            yield ctx.problem(name, "feed", f"{label}: itunes:duration {duration!r} is not HH:MM:SS or seconds")
        moment = _parse_date(text(item, "pubDate"))
        if text(item, "pubDate") and moment is None:
            yield ctx.problem(name, "feed", f"{label}: pubDate {text(item, 'pubDate')!r} is not an RFC 2822 date")
        if moment is not None and previous is not None and moment > previous:
            yield ctx.problem(name, "feed", f"{label} is newer than the item before it (feeds list newest first)")
        previous = moment or previous
        enc = item.find("enclosure")
        if enc is None:
            yield ctx.problem(name, "feed", f"{label} has no <enclosure>")
        elif enc.get("type") != "audio/mpeg":
            yield ctx.problem(name, "feed", f"{label}: enclosure type is {enc.get('type')!r}, expected audio/mpeg")
        if name == layout.EDITIONS_FEED:
            for tag, mime in _LINKS:
                el = item.find(tag, NS)
                if el is None:
                    yield ctx.problem(name, "feed", f"{label} has no <{tag}>")
                elif el.get("type") != mime:
                    yield ctx.problem(name, "feed", f"{label}: {tag} type should be {mime}")


# --- enclosure ----------------------------------------------------------------------


def _linked(ctx: Context, name: str, label: str, tag: str, url: str) -> tuple[Any, Problem | None]:
    """The file a feed links to, or the problem with the link."""
    if not url or not _url_ok(url, ctx.base_url):
        message = f"{label}: {tag} URL {url!r} is not an absolute ASCII URL under {ctx.base_url}"
        return None, ctx.problem(name, "enclosure", message)
    path = ctx.local(url)
    if path is None or not path.is_file():
        rel = url[len(ctx.base_url) :]
        return None, ctx.problem(
            urllib.parse.unquote(rel), "enclosure", f"missing, but {name} {label} links to it ({tag})"
        )
    return path, None


def enclosure_rule(ctx: Context) -> Iterator[Problem]:
    for name in FEEDS:
        for n, item in enumerate(ctx.feed(name).items(), 1):
            label = item_label(n, item)
            links = [("enclosure", item.find("enclosure"))]
            if name == layout.EDITIONS_FEED:
                links += [(tag, item.find(tag, NS)) for tag, _ in _LINKS]
            for tag, el in links:
                if el is None:
                    continue  # the feed rule reports it
                path, problem = _linked(ctx, name, label, tag, el.get("url", ""))
                if problem is not None:
                    yield problem
                elif tag == "enclosure":
                    length, size = el.get("length", ""), path.stat().st_size
                    if not length.isdigit() or int(length) != size:
                        message = f"{size} bytes on disk, but {name} {label} announces length={length!r}"
                        yield ctx.problem(path, "enclosure", message)


# --- guid ---------------------------------------------------------------------------


def guid_rule(ctx: Context) -> Iterator[Problem]:
    for ed in ctx.editions:
        yield from _history(ctx, ed)
    seen: dict[str, str] = {}
    for name in FEEDS:
        expected = _expected(ctx, name)
        for n, item in enumerate(ctx.feed(name).items(), 1):
            label, guid = item_label(n, item), text(item, "guid")
            if not guid:
                continue
            if guid in seen:
                yield ctx.problem(name, "guid", f"{label}: GUID {guid} is used twice ({seen[guid]})")
            seen[guid] = f"{name} {label}"
            row = expected.get(guid)
            if row is None:
                yield ctx.problem(name, "guid", f"{label}: GUID {guid} is not in the catalog (GUIDs must never change)")
                continue
            enc = item.find("enclosure")
            path = ctx.local(enc.get("url", "")) if enc is not None else None
            if path is not None and path.is_file() and (ctx.out / row.mp3).resolve() != path:
                yield ctx.problem(name, "guid", f"{label}: GUID {guid} belongs to {row.mp3} in the catalog")


def _history(ctx: Context, ed: Any) -> Iterator[Problem]:
    date, paper = ed.date.isoformat(), stored_paper(ed.paper)
    first = ctx.history.get(("edition", paper, date, ""))
    if first is not None and first != ed.guid:
        yield ctx.problem(ed.folder, "guid", f"edition GUID {ed.guid} differs from the first one published, {first}")
    for a in ed.articles:
        first = ctx.history.get(("article", paper, date, a.ident))
        if first is not None and first != a.guid:
            yield ctx.problem(a.mp3, "guid", f"article GUID {a.guid} differs from the first one published, {first}")
    manifest = ctx.out / ed.folder / layout.MANIFEST_JSON
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    in_manifest = doc.get("edition", {}).get("guid")
    if in_manifest and in_manifest != ed.guid:
        yield ctx.problem(manifest, "guid", f"manifest says GUID {in_manifest}, the catalog {ed.guid}")
