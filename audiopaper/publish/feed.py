"""feed.xml (one item per edition) and feed-articles.xml (one item per article).

Rendered from the catalog through one jinja2 template with ``autoescape=True``: the
file is named ``.j2``, so ``select_autoescape(["xml"])`` would leave it unescaped and a
title like ``R&D <测试>`` would break the XML.

What a producer sees in an app is decided here: the channel from the paper's ``Show``
settings (owner, category, explicit, copyright, podcast:locked with its owner), the
show's undated artwork, an episode title of the date and the lead headline (the show's
name is already above it), the edition's dated art per item, and show notes in
``content:encoded``: the running order with times and links, and the credits.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
import re
import urllib.parse
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..audio.chapters import edition_chapters
from ..errors import UsageError
from ..fsutil import Writer, write_text
from ..layout import ARTICLES_FEED, COVER_PNG, EDITION_ART, EDITIONS_FEED, INDEX_PAGE
from ..settings import Show
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


def timestamp(seconds: float) -> str:
    """A time in show notes: 00:22, or 1:02:03 past an hour (apps make these links)."""
    s = int(seconds)  # down: a link lands at, never after, the story's first word
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


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


def is_loopback(url: str) -> bool:
    """Does ``url`` point at this machine (127.0.0.1, ::1, localhost, 0.0.0.0)? No app
    elsewhere can fetch it."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


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
    content: str = ""  # show notes, HTML
    image_url: str | None = None
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
    show: Show
    author: str
    new_feed_url: str | None = None


@dataclass(frozen=True)
class FeedSettings:
    """Everything the feeds and pages are made with besides the catalog's editions."""

    base_url: str = DEFAULT_BASE_URL
    show: Show = field(default_factory=Show)
    moved_to: str | None = None  # the base URL the feeds moved to (itunes:new-feed-url)
    artwork: str = COVER_PNG  # the show's artwork, relative to OUT
    #: podcast:guid per feed file, as first published (a feed missing here gets one minted
    #: from its URL)
    guids: Mapping[str, str] = field(default_factory=dict)

    @property
    def limit(self) -> int | None:
        return self.show.feed_limit or None


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
    env.filters["wrap_url"] = wrap_url
    env.filters["cdata"] = cdata
    return env


def render(template: str, **context: object) -> str:
    return _env().get_template(template).render(**context)


def cdata(text: str) -> Markup:
    """HTML for an XML element, as CDATA: a third of the size of the same HTML escaped
    (show notes are most of an editions feed), and what other podcast tools write."""
    body = clean(text).replace("]]>", "]]]]><![CDATA[>")  # "]]>" would end the section
    return Markup(f"<![CDATA[{body}]]>")


def wrap_url(url: str) -> Markup:
    """``url`` for a page, with a line-break opportunity (<wbr>) after each / . - ? & =
    and nowhere else, so a narrow screen breaks it between its parts, never inside one."""
    pieces = re.split(r"(?<=[/.\-?&=])", url)
    return Markup("<wbr>").join(escape(p) for p in pieces if p)


# --- what an episode is called and says ------------------------------------------------

#: article kinds that can lead an edition's title (a table of contents or a notice cannot)
_LEAD_KINDS = ("article", "brief", "photo")


def lead_headline(ed: EditionRow) -> str:
    lead = next((a for a in ed.articles if a.kind in _LEAD_KINDS and a.title.strip()), None)
    lead = lead or next((a for a in ed.articles if a.title.strip()), None)
    return lead.title if lead is not None else ed.title


def episode_title(ed: EditionRow) -> str:
    """The date and the lead headline: the show's name is already above every episode."""
    return f"{ed.date.month}月{ed.date.day}日｜{lead_headline(ed)}"


def _credit_lines(art: ArticleRow) -> list[str]:
    lines = (s.text.strip().rstrip("。") for s in art.sentences if s.role == "byline")
    return [line for line in lines if line]


def _roles(art: ArticleRow, *roles: str) -> str:
    return "".join(s.text for s in art.sentences if s.role in roles).strip()


def article_summary(art: ArticleRow, limit: int = 140) -> str:
    """The article's subtitle on a line of its own, then the start of its text; the byline
    is left to the credits (run together, 副题 and 记者 read as one sentence)."""
    text = _roles(art, "body", "heading", "signature")
    summary = text[:limit] + ("……" if len(text) > limit else "")
    subtitle = _roles(art, "subtitle")
    return "\n".join(part for part in (subtitle, summary) if part)


def printed_in(ed: EditionRow) -> str:
    """Where the text was printed: the paper (when it has a name) and the date."""
    when = f"{ed.date.year}年{ed.date.month}月{ed.date.day}日"
    return f"{ed.paper} {when}" if ed.paper else when


def reader_credit(ed: EditionRow) -> str:
    voice = f"，{ed.voice}" if ed.voice else ""
    return f"朗读：合成语音（{ed.engine}{voice}），由 audiopaper 制作"


def _html(template: str, **values: object) -> str:
    """A fragment of show notes: ``template`` with every value escaped."""
    return str(Markup(template).format(**{k: clean(v) if isinstance(v, str) else v for k, v in values.items()}))


def edition_notes(ed: EditionRow, base_url: str, show: Show, paper_title: str) -> str:
    """Show notes: the running order with each story's time and link, and the credits."""
    page = url_for(base_url, ed.page)
    chapters = edition_chapters([(a.slug, a.title, a.start_s) for a in ed.articles], ed.duration_s)
    by_slug = {a.slug: a for a in ed.articles}
    rows = []
    for ch in chapters:
        art = by_slug.get(ch.article)
        if art is None:
            rows.append(_html("<li>{t} {title}</li>", t=timestamp(ch.start_s), title=ch.title))
            continue
        credit = "；".join(_credit_lines(art))
        rows.append(
            _html(
                '<li>{t} <a href="{href}">{title}</a>{credit}</li>',
                t=timestamp(ch.start_s),
                href=f"{page}#{art.slug}",
                title=art.title,
                credit=f"（{credit}）" if credit else "",
            )
        )
    source = f"原文：{printed_in(ed)}"
    credits = [source, reader_credit(ed)] + ([show.copyright] if show.copyright else [])
    parts = [
        _html("<p>{title}：{n} 篇，全期 {length}。</p>", title=ed.title, n=len(ed.articles), length=clock(ed.duration_s)),
        "<p>本期目录：</p>",
        "<ol>" + "".join(rows) + "</ol>",
        _html("<p>{text}</p>", text="。".join(credits) + "。"),
        _html('<p><a href="{page}">收听页、全文与字幕</a> · <a href="{home}">{show}全部节目</a></p>',
              page=page, home=url_for(base_url, INDEX_PAGE), show=paper_title),
    ]  # fmt: skip
    return "\n".join(parts)


def article_notes(ed: EditionRow, art: ArticleRow, base_url: str, show: Show) -> str:
    """An article's show notes: subtitle, the start of its text, credits, links."""
    page = url_for(base_url, ed.page)
    parts = []
    if subtitle := _roles(art, "subtitle"):
        parts.append(_html("<p><strong>{s}</strong></p>", s=subtitle))
    if credit := "；".join(_credit_lines(art)):
        parts.append(_html("<p>{c}</p>", c=credit))
    text = _roles(art, "body", "heading", "signature")
    if text:
        parts.append(_html("<p>{t}</p>", t=text[:400] + ("……" if len(text) > 400 else "")))
    credits = [
        f"原文：{printed_in(ed)}，第 {art.position} 篇",
        reader_credit(ed),
    ]
    if show.copyright:
        credits.append(show.copyright)
    parts.append(_html("<p>{text}</p>", text="。".join(credits) + "。"))
    parts.append(
        _html(
            '<p><a href="{href}">全文与字幕</a> · <a href="{page}">当期：{title}</a></p>',
            href=f"{page}#{art.slug}",
            page=page,
            title=episode_title(ed),
        )
    )
    return "\n".join(parts)


def edition_item(
    ed: EditionRow, base_url: str, show: Show | None = None, paper_title: str = "", art: bool = True
) -> FeedItem:
    """``art``: the edition has its dated artwork (editions built before there was any
    have none, and the show's stands in)."""
    show = show or Show()
    titles = "；".join(a.title for a in ed.articles)
    return FeedItem(
        title=episode_title(ed),
        guid=ed.guid,
        link=url_for(base_url, ed.page),
        url=url_for(base_url, ed.mp3),
        length=ed.mp3_bytes,
        duration=hms(ed.duration_s),
        pub_date=rfc2822(edition_moment(ed.date)),
        description=f"本期要目：{titles}" if titles else ed.title,
        content=edition_notes(ed, base_url, show, paper_title or ed.paper or ""),
        image_url=url_for(base_url, f"{ed.folder}/{EDITION_ART}") if art else None,
        transcript_url=url_for(base_url, ed.vtt) if ed.vtt else None,
        chapters_url=url_for(base_url, ed.chapters) if ed.chapters else None,
    )


def article_item(
    ed: EditionRow, art: ArticleRow, base_url: str, show: Show | None = None, has_art: bool = True
) -> FeedItem:
    show = show or Show()
    return FeedItem(
        title=art.title,
        guid=art.guid,
        link=url_for(base_url, ed.page) + "#" + art.slug,
        url=url_for(base_url, art.mp3),
        length=art.mp3_bytes,
        duration=hms(art.duration_s),
        pub_date=rfc2822(article_moment(ed.date, art.position)),
        description=article_summary(art) or art.title,
        content=article_notes(ed, art, base_url, show),
        image_url=url_for(base_url, f"{ed.folder}/{EDITION_ART}") if has_art else None,
        transcript_url=url_for(base_url, art.vtt),
    )


def feed_title(editions: Sequence[EditionRow], settings: FeedSettings) -> str:
    if settings.show.title:
        return settings.show.title
    return next((ed.paper for ed in editions if ed.paper), None) or "audiopaper"


def channels(editions: Sequence[EditionRow], settings: FeedSettings, out: Path | None = None) -> dict[str, Channel]:
    """Both feeds' content, newest first, cut to ``settings.limit`` items each.

    With ``out``, an item's episode art is linked only when the file is there (editions
    built before episode art existed have none; the show's art stands in).
    """
    base = normalize_base_url(settings.base_url)
    show = settings.show
    title = feed_title(editions, settings)
    limit = settings.limit

    def has_art(ed: EditionRow) -> bool:
        return out is None or (out / ed.folder / EDITION_ART).is_file()

    shown = editions[:limit] if limit is not None else list(editions)
    ed_items = [edition_item(ed, base, show, title, has_art(ed)) for ed in shown]
    art_items = [article_item(ed, art, base, show, has_art(ed)) for ed in editions for art in ed.articles]
    if limit is not None:
        art_items = art_items[:limit]
    # lastBuildDate comes from the catalog, not the clock, so regenerating an unchanged
    # catalog gives byte-identical feeds.
    newest = max((ed.last_built for ed in editions), default="1970-01-01T00:00:00+00:00")
    built = rfc2822(dt.datetime.fromisoformat(newest))
    paper = next((ed.paper for ed in editions if ed.paper), None) or title
    description = show.description or f"每天一期，逐篇朗读{paper}当天的新闻。"
    result: dict[str, Channel] = {}
    for name, ch_title, ch_description, items in (
        (EDITIONS_FEED, title, description, ed_items),
        (ARTICLES_FEED, f"{title}（单篇）", f"{paper}的每篇新闻单独一集，只听关心的那一篇。", art_items),
    ):
        self_url = url_for(base, name)
        result[name] = Channel(
            title=ch_title,
            description=ch_description,
            link=url_for(base, INDEX_PAGE),
            self_url=self_url,
            image_url=url_for(base, settings.artwork),
            podcast_guid=settings.guids.get(name) or podcast_guid(self_url),
            build_date=built,
            items=tuple(items),
            show=show,
            author=show.author or title,
            new_feed_url=url_for(settings.moved_to, name) if settings.moved_to else None,
        )
    return result


def write_feeds(
    out: Path, editions: Sequence[EditionRow], settings: FeedSettings, write: Writer = write_text
) -> list[Path]:
    written = []
    for name, channel in channels(editions, settings, out).items():
        path = out / name
        write(path, render("feed.xml.j2", channel=channel))
        written.append(path)
    return written
