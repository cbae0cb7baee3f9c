"""Rules on the two feeds: well-formed and complete (``feed``), every linked file in OUT
with its exact length (``enclosure``), GUIDs unique and unchanged (``guid``), an owner
to verify (``owner``), podcast:locked with that owner (``locked``), and URLs other
machines can reach (``loopback``).

No offline validator for podcast feeds exists, so the rules Apple Podcasts, the W3C
feed validator and the Podcasting 2.0 namespace set are checked here.
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
from ..publish.feed import is_loopback, podcast_guid, url_for
from ..settings import APPLE_CATEGORIES
from .base import NS, Context, FeedDoc, Problem, item_label, text

_DURATION = re.compile(r"^(\d+:)?[0-5]?\d:[0-5]\d$|^\d+$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
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
        limit = ctx.limit
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
    if lang and not _LANGUAGE.match(lang):
        yield ctx.problem(name, "feed", f"channel language {lang!r} is not a language code like zh-cn")
    image = channel.find("itunes:image", NS)
    href = image.get("href", "") if image is not None else ""
    if not href:
        yield ctx.problem(name, "feed", "channel has no <itunes:image href>")
    elif not _url_ok(href, base_url) or not href.lower().endswith((".png", ".jpg", ".jpeg")):
        yield ctx.problem(
            name, "feed", f"itunes:image {href!r} is not an absolute ASCII .png/.jpg URL under {base_url}"
        )
    rss_image = text(channel, "image/url")
    if rss_image and rss_image != href:
        yield ctx.problem(name, "feed", f"<image><url> {rss_image} is not the itunes:image {href}")
    yield from _category(ctx, name, channel)
    if text(channel, "itunes:explicit") not in ("true", "false"):
        yield ctx.problem(name, "feed", "itunes:explicit must be true or false")
    self_url = url_for(base_url, name)
    atom = channel.find("atom:link[@rel='self']", NS)
    if atom is None or atom.get("href") != self_url:
        yield ctx.problem(name, "feed", f"atom:link rel=self should be {self_url}")
    moved = text(channel, "itunes:new-feed-url")
    if moved and (not moved.isascii() or not moved.startswith(("http://", "https://")) or moved == self_url):
        yield ctx.problem(name, "feed", f"itunes:new-feed-url {moved!r} is not another absolute http(s) URL")


def _category(ctx: Context, name: str, channel: Any) -> Iterator[Problem]:
    categories = channel.findall("itunes:category", NS)
    if not categories:
        yield ctx.problem(name, "feed", "channel has no <itunes:category>")
    for cat in categories:
        top = cat.get("text", "")
        if top not in APPLE_CATEGORIES:
            yield ctx.problem(name, "feed", f"itunes:category {top!r} is not one of Apple Podcasts' categories")
            continue
        for sub in cat.findall("itunes:category", NS):
            if sub.get("text", "") not in APPLE_CATEGORIES[top]:
                message = f"itunes:category {sub.get('text')!r} is not a subcategory of {top}"
                yield ctx.problem(name, "feed", message)


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
        show = text(doc.channel, "title")
        titles = (text(item, "title"), text(item, "itunes:title"))
        if name == layout.EDITIONS_FEED and show and any(t.startswith(show) for t in titles):
            # apps print the show's name above every episode already
            yield ctx.problem(name, "feed", f"{label}: the episode title repeats the show's name {show!r}")
        if not text(item, "content:encoded"):
            yield ctx.problem(name, "feed", f"{label} has no show notes (<content:encoded>)")
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
        doc = ctx.feed(name)
        if doc.channel is not None:
            image = doc.channel.find("itunes:image", NS)
            if image is not None and image.get("href"):
                _, problem = _linked(ctx, name, "channel", "itunes:image", image.get("href", ""))
                if problem is not None:
                    yield problem
        for n, item in enumerate(doc.items(), 1):
            label = item_label(n, item)
            links = [("enclosure", item.find("enclosure"))]
            if name == layout.EDITIONS_FEED:
                links += [(tag, item.find(tag, NS)) for tag, _ in _LINKS]
            art = item.find("itunes:image", NS)
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
            if art is not None:
                _, problem = _linked(ctx, name, label, "itunes:image", art.get("href", ""))
                if problem is not None:
                    yield problem


# --- guid ---------------------------------------------------------------------------


def guid_rule(ctx: Context) -> Iterator[Problem]:
    for ed in ctx.editions:
        yield from _history(ctx, ed)
    for name in FEEDS:
        channel = ctx.feed(name).channel
        if channel is None:
            continue
        found = text(channel, "podcast:guid")
        # Minted once, from the feed's first public URL, and kept through any move.
        want = ctx.feed_guids.get(name) or podcast_guid(url_for(ctx.base_url, name))
        if found != want:
            recorded = "the catalog's record" if name in ctx.feed_guids else "the feed's URL"
            yield ctx.problem(name, "guid", f"podcast:guid is {found or 'missing'}, but {recorded} says {want}")
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


# --- owner, locked, loopback --------------------------------------------------------


def owner_rule(ctx: Context) -> Iterator[Problem]:
    """Apple and Spotify verify that a show is yours by mailing itunes:owner/itunes:email."""
    for name in FEEDS:
        channel = ctx.feed(name).channel
        if channel is None:
            continue
        email = text(channel, "itunes:owner/itunes:email")
        if not email:
            yield ctx.problem(name, "owner", "no itunes:owner e-mail (set owner_email in audiopaper.toml)")
        elif not _EMAIL.match(email):
            yield ctx.problem(name, "owner", f"itunes:owner e-mail {email!r} is not an e-mail address")


def locked_rule(ctx: Context) -> Iterator[Problem]:
    """podcast:locked says whether another host may import the feed; locking it names the
    owner's e-mail, by which a move is then confirmed."""
    for name in FEEDS:
        channel = ctx.feed(name).channel
        if channel is None:
            continue
        locked = channel.find("podcast:locked", NS)
        value = (locked.text or "").strip() if locked is not None else ""
        if value not in ("yes", "no"):
            yield ctx.problem(name, "locked", f"podcast:locked is {value or 'missing'!r}, expected yes or no")
            continue
        owner = locked.get("owner", "") if locked is not None else ""
        if value == "yes" and not _EMAIL.match(owner):
            yield ctx.problem(name, "locked", "podcast:locked is yes without an owner e-mail (owner=...)")
        email = text(channel, "itunes:owner/itunes:email")
        if owner and email and owner != email:
            yield ctx.problem(name, "locked", f"podcast:locked owner {owner} is not the itunes:owner e-mail {email}")


def loopback_rule(ctx: Context) -> Iterator[Problem]:
    """A feed whose URLs point at this machine works for `serve` here and for no one else."""
    for name in FEEDS:
        channel = ctx.feed(name).channel
        if channel is None:
            continue
        urls = [text(channel, "link"), *(el.get("href", "") for el in channel.findall("atom:link", NS))]
        urls += [el.get("url", "") for el in channel.iter("enclosure")]
        local = sorted({u for u in urls if u and is_loopback(u)})
        if local:
            yield ctx.problem(
                name,
                "loopback",
                f"{len(local)} URL(s) point at this machine ({local[0]}): apps elsewhere cannot reach them"
                " (set base_url in audiopaper.toml, or --base-url)",
            )
