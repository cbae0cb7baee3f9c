"""feed.xml (one item per edition) and feed-articles.xml (one item per article).

Rendered from the catalog through one jinja2 template with ``autoescape=True``: the
file is named ``.j2``, so ``select_autoescape(["xml"])`` would leave it unescaped and a
title like ``R&D <测试>`` would break the XML.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
import re
import urllib.parse
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..errors import UsageError
from ..fsutil import Writer, write_text
from ..layout import ARTICLES_FEED, COVER_PNG, EDITIONS_FEED, INDEX_PAGE
from .catalog import ArticleRow, EditionRow

DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
LANGUAGE = "zh-cn"
# Podcasting 2.0: podcast:guid is a UUIDv5 of the feed URL in this namespace.
PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# Editions are published at 06:00 Beijing time on their date: a stable pubDate that a
# rebuild does not move, so apps do not reorder or re-announce the episode.
PUBLISH_HOUR = 6
BEIJING = dt.timezone(dt.timedelta(hours=8))

# Characters XML 1.0 forbids (C0 controls except tab, LF, CR; DEL is allowed but invisible
# junk from PDF conversions; surrogates and U+FFFE/U+FFFF are not characters).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: object) -> str:
    return _CONTROL.sub("", str(text))


def hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def clock(seconds: float) -> str:
    """A duration for people: 4:05, or 1:02:03 past an hour."""
    s = round(seconds)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def rfc2822(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment)


def edition_moment(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, PUBLISH_HOUR, tzinfo=BEIJING)


def article_moment(date: dt.date, position: int) -> dt.datetime:
    # Apps list episodes newest first; stepping each article one minute *earlier* than
    # the one before it makes an edition's articles show in reading order.
    return edition_moment(date) - dt.timedelta(minutes=position)


def normalize_base_url(url: str) -> str:
    """An absolute http(s) URL ending in '/', with anything non-ASCII percent-encoded."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--base-url {url!r} is not an http(s) URL", "give one like https://example.org/paper/")
    try:
        host = parts.netloc.encode("idna").decode("ascii") if not parts.netloc.isascii() else parts.netloc
    except UnicodeError:
        raise UsageError(f"--base-url {url!r}: cannot encode the host name") from None
    if not _valid_netloc(host):
        # urlsplit takes "ex ample.org" as a host; every enclosure URL would then be broken
        raise UsageError(f"--base-url {url!r}: {parts.netloc!r} is not a host name", "give one like https://example.org/paper/")
    path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if not path.endswith("/"):
        path += "/"
    return urllib.parse.urlunsplit((parts.scheme, host, path, "", ""))


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)


def _valid_netloc(netloc: str) -> bool:
    """An ASCII host (name, IPv4 or [IPv6]) with an optional valid port."""
    parts = urllib.parse.urlsplit(f"//{netloc}")
    try:
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return False
    host = parts.hostname or ""
    if "@" in netloc or not host:
        return False
    if netloc.startswith("[") or host.replace(".", "").isdigit():
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True
    return all(_LABEL.match(label) for label in host.rstrip(".").split("."))


def url_for(base_url: str, rel: str) -> str:
    return base_url + urllib.parse.quote(rel, safe="/-._~")


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_NAMESPACE, bare))


@dataclass(frozen=True)
class FeedItem:
    title: str
    guid: str
    link: str
    url: str
    length: int
    duration: str
    pub_date: str
    description: str
    transcript_url: str | None = None
    chapters_url: str | None = None


@dataclass(frozen=True)
class Channel:
    title: str
    description: str
    link: str
    self_url: str
    image_url: str
    podcast_guid: str
    build_date: str
    items: tuple[FeedItem, ...]
    language: str = LANGUAGE
    author: str = ""


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("audiopaper.publish", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["clean"] = clean
    env.filters["hms"] = hms
    env.filters["clock"] = clock
    return env


def render(template: str, **context: object) -> str:
    return _env().get_template(template).render(**context)


def edition_item(ed: EditionRow, base_url: str) -> FeedItem:
    titles = "；".join(a.title for a in ed.articles)
    return FeedItem(
        title=ed.title,
        guid=ed.guid,
        link=url_for(base_url, ed.page),
        url=url_for(base_url, ed.mp3),
        length=ed.mp3_bytes,
        duration=hms(ed.duration_s),
        pub_date=rfc2822(edition_moment(ed.date)),
        description=f"本期要目：{titles}" if titles else ed.title,
        transcript_url=url_for(base_url, ed.vtt) if ed.vtt else None,
        chapters_url=url_for(base_url, ed.chapters) if ed.chapters else None,
    )


def article_item(ed: EditionRow, art: ArticleRow, base_url: str) -> FeedItem:
    text = "".join(s.text for s in art.sentences if s.role not in ("title", "intro"))
    summary = text[:140] + ("……" if len(text) > 140 else "")
    return FeedItem(
        title=art.title,
        guid=art.guid,
        link=url_for(base_url, ed.page) + "#" + art.slug,
        url=url_for(base_url, art.mp3),
        length=art.mp3_bytes,
        duration=hms(art.duration_s),
        pub_date=rfc2822(article_moment(ed.date, art.position)),
        description=f"{ed.title}。{summary}" if summary else ed.title,
        transcript_url=url_for(base_url, art.vtt),
    )


@dataclass(frozen=True)
class FeedSettings:
    base_url: str = DEFAULT_BASE_URL
    title: str | None = None
    limit: int | None = None


def feed_title(editions: Sequence[EditionRow], settings: FeedSettings) -> str:
    if settings.title:
        return settings.title
    return editions[0].paper if editions else "audiopaper"


def channels(editions: Sequence[EditionRow], settings: FeedSettings) -> dict[str, Channel]:
    """Both feeds' content, newest first, cut to ``settings.limit`` items each."""
    base = normalize_base_url(settings.base_url)
    title = feed_title(editions, settings)
    limit = settings.limit
    ed_items = [edition_item(ed, base) for ed in editions]
    art_items = [article_item(ed, art, base) for ed in editions for art in ed.articles]
    if limit is not None:
        ed_items, art_items = ed_items[:limit], art_items[:limit]
    # lastBuildDate comes from the catalog, not the clock, so regenerating an unchanged
    # catalog gives byte-identical feeds.
    newest = max((ed.last_built for ed in editions), default="1970-01-01T00:00:00+00:00")
    built = rfc2822(dt.datetime.fromisoformat(newest))
    common = {"link": url_for(base, INDEX_PAGE), "image_url": url_for(base, COVER_PNG), "build_date": built}
    result: dict[str, Channel] = {}
    for name, ch_title, description, items in (
        (EDITIONS_FEED, title, f"{title}有声版：每天一期，逐篇朗读当天的新闻。", ed_items),
        (ARTICLES_FEED, f"{title}（单篇）", f"{title}有声版：每篇新闻单独一集，只听关心的那一篇。", art_items),
    ):
        self_url = url_for(base, name)
        result[name] = Channel(
            title=ch_title,
            description=description,
            self_url=self_url,
            podcast_guid=podcast_guid(self_url),
            items=tuple(items),
            author=title,
            **common,
        )
    return result


def write_feeds(
    out: Path, editions: Sequence[EditionRow], settings: FeedSettings, write: Writer = write_text
) -> list[Path]:
    written = []
    for name, channel in channels(editions, settings).items():
        path = out / name
        write(path, render("feed.xml.j2", channel=channel))
        written.append(path)
    return written
