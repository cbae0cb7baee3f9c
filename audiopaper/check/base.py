"""What every check rule works on: the output folder's catalog, its feeds (parsed once),
and the problems rules report."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AudiopaperError
from ..publish import catalog
from ..publish.catalog import EditionRow, GuidHistory
from ..publish.feed import DEFAULT_BASE_URL
from ..settings import Settings, resolve

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # relative to OUT
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message} [{self.rule}]"


@dataclass
class Report:
    out: Path
    problems: list[Problem] = field(default_factory=list)
    skipped: tuple[str, ...] = ()
    editions: int = 0
    articles: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def doc(self) -> dict[str, Any]:
        return {
            "schema": 1,
            "ok": self.ok,
            "out": str(self.out),
            "editions": self.editions,
            "articles": self.articles,
            "skipped": list(self.skipped),
            "problems": [{"file": p.file, "rule": p.rule, "message": p.message} for p in sorted(self.problems)],
        }


@dataclass(frozen=True)
class FeedDoc:
    """One feed file, parsed; ``error`` says why it could not be (then there is no channel)."""

    name: str
    channel: Any = None  # lxml element
    error: str = ""

    def items(self) -> list[Any]:
        return self.channel.findall("item") if self.channel is not None else []


def text(el: Any, tag: str) -> str:
    return (el.findtext(tag, namespaces=NS) or "").strip()


def item_label(n: int, item: Any) -> str:
    return f"item {n} ({text(item, 'title')[:30] or 'untitled'})"


@dataclass
class Context:
    """An output folder as the catalog records it; what every rule reads."""

    out: Path
    editions: list[EditionRow]
    settings: Settings  # what the catalog remembers of the last run's settings
    history: GuidHistory
    #: podcast:guid of each feed as first published (none yet while only on loopback)
    feed_guids: dict[str, str] = field(default_factory=dict)
    artwork: str | None = None  # the show's artwork the catalog recorded, relative to OUT
    progress: Callable[[str], None] = lambda _msg: None
    _feeds: dict[str, FeedDoc] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path, progress: Callable[[str], None] | None = None) -> Context:
        """Raises OutputError when the catalog cannot be read."""
        with catalog.connect(out, readonly=True) as conn:
            editions = catalog.editions(conn)
            memory, history = catalog.remembered_settings(conn), catalog.guid_history(conn)
            guids, artwork = catalog.feed_guids(conn), catalog.get_meta(conn, "artwork")
        try:
            settings = resolve([memory])
        except AudiopaperError:
            settings = Settings()  # the catalog rule reports nothing here: the feeds show what was used
        return cls(out, editions, settings, history, guids, artwork, progress or (lambda _msg: None))

    @property
    def root(self) -> Path:
        return self.out.resolve()

    @property
    def base_url(self) -> str:
        return self.settings.site.base_url or DEFAULT_BASE_URL

    @property
    def limit(self) -> int | None:
        return self.settings.paper.show.feed_limit or None

    def mp3s(self) -> Iterator[tuple[Path, bool]]:
        """Every MP3 the catalog names that is on disk, and whether it is a whole edition."""
        for ed in self.editions:
            for path, whole in [(self.out / ed.mp3, True), *((self.out / a.mp3, False) for a in ed.articles)]:
                if path.is_file():
                    yield path, whole

    def problem(self, file: str | Path, rule: str, message: str) -> Problem:
        if isinstance(file, Path):
            try:
                file = file.resolve().relative_to(self.root).as_posix()
            except ValueError:
                file = str(file)
        return Problem(file, rule, message)

    def local(self, url: str) -> Path | None:
        """The file in OUT a public URL points at (None: not one of ours)."""
        if not url.startswith(self.base_url):
            return None
        rel = urllib.parse.unquote(urllib.parse.urlsplit(url[len(self.base_url) :]).path)
        path = (self.root / rel).resolve()
        return path if path.is_relative_to(self.root) else None

    def feed(self, name: str) -> FeedDoc:
        if name not in self._feeds:
            self._feeds[name] = _parse_feed(self.out / name, name)
        return self._feeds[name]


def _parse_feed(path: Path, name: str) -> FeedDoc:
    from lxml import etree

    if not path.is_file():
        return FeedDoc(name, error="missing (run `audiopaper feed OUT`)")
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        return FeedDoc(name, error=f"not well-formed XML: {exc}")
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return FeedDoc(name, error="not an RSS 2.0 document with a <channel>")
    return FeedDoc(name, channel)
