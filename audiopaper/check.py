"""`audiopaper check`: validate an output folder the way a podcast directory would.

No offline validator for podcast feeds exists, so the rules Apple Podcasts and the
Podcasting 2.0 namespace set are checked here, together with what only we can know:
that every enclosure is on disk with the exact byte length the feed announces, and
that no GUID has changed since the catalog first recorded it.

Every problem names the file it is about, relative to OUT.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import subprocess
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AudiopaperError, UsageError

RULES = (
    "catalog",  # the catalog is readable and its files exist
    "feed",  # both feeds well-formed, with every required element, newest first, complete
    "enclosure",  # every enclosure, transcript and chapters URL is a file in OUT; exact byte length
    "guid",  # GUIDs unique and unchanged since first recorded
    "transcript",  # VTT files present and WebVTT
    "chapters",  # chapters.json present and valid
    "tags",  # ID3 title and album/artist in every MP3, CHAP frames in the edition's
    "artwork",  # cover.png square, 1400–3000 px, RGB
    "pages",  # index.html and one page per edition with its players
    "decode",  # every MP3 decodes without errors (slow)
    "loudness",  # -16 LUFS ±1, true peak ≤ -1 dBTP (slow)
)
AUDIO_RULES = frozenset({"decode", "loudness"})

TARGET_LUFS = -16.0
LUFS_TOLERANCE = 1.0
MAX_TRUE_PEAK_DBTP = -1.0
ART_MIN, ART_MAX = 1400, 3000

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
_DURATION = re.compile(r"^(\d+:)?[0-5]?\d:[0-5]\d$|^\d+$")


@dataclass(frozen=True)
class _Expected:
    """What the catalog says a GUID stands for."""

    mp3: str
    title: str


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


class _Checker:
    def __init__(self, out: Path, skip: frozenset[str], progress: Callable[[str], None] | None) -> None:
        self.out = out
        self.root = out.resolve()
        self.skip = skip
        self.progress = progress or (lambda _msg: None)
        self.report = Report(out, skipped=tuple(r for r in RULES if r in skip))

    def on(self, rule: str) -> bool:
        return rule not in self.skip

    def problem(self, file: str | Path, rule: str, message: str) -> None:
        if isinstance(file, Path):
            try:
                file = file.resolve().relative_to(self.root).as_posix()
            except ValueError:
                file = str(file)
        self.report.problems.append(Problem(file, rule, message))

    # --- the whole run ----------------------------------------------------------

    def run(self) -> Report:
        from .publish import catalog as cat
        from .publish.feed import DEFAULT_BASE_URL

        try:
            with cat.connect(self.out, create=False) as conn:
                editions = cat.editions(conn)
                base_url = cat.get_meta(conn, "base_url") or DEFAULT_BASE_URL
                limit_s = cat.get_meta(conn, "limit")
                history = {
                    (r[0], r[1], r[2], r[3]): r[4]
                    for r in conn.execute("SELECT kind, paper, date, ident, guid FROM guids")
                }
        except AudiopaperError as exc:
            self.problem(cat.CATALOG_NAME, "catalog", str(exc).split(": ", 1)[-1])
            return self.report
        limit = int(limit_s) if limit_s and int(limit_s) > 0 else None
        self.report.editions = len(editions)
        self.report.articles = sum(len(e.articles) for e in editions)
        if not editions:
            self.problem(cat.CATALOG_NAME, "catalog", "no editions recorded")

        mp3s: list[tuple[Path, bool]] = []  # (file, is the whole edition)
        for ed in editions:
            mp3s.append((self.out / ed.mp3, True))
            mp3s += [(self.out / a.mp3, False) for a in ed.articles]
            if self.on("catalog"):
                self.catalog_files(ed)
            if self.on("guid"):
                self.guid_history(ed, history)
            if self.on("transcript"):
                for vtt in [ed.vtt, *(a.vtt for a in ed.articles)]:
                    if vtt:
                        self.transcript(self.out / vtt)
            if self.on("chapters"):
                self.chapters(ed)
        present = [(p, whole) for p, whole in mp3s if p.is_file()]
        self.report.files = len(present)

        from .publish.feed import ARTICLES_FEED, EDITIONS_FEED

        expected_editions = {e.guid: _Expected(e.mp3, e.title) for e in editions}
        expected_articles = {a.guid: _Expected(a.mp3, a.title) for e in editions for a in e.articles}
        seen: dict[str, str] = {}
        for name, expected in ((EDITIONS_FEED, expected_editions), (ARTICLES_FEED, expected_articles)):
            self.feed(name, base_url, expected, limit, seen)
        if self.on("artwork"):
            self.artwork(self.out / "cover.png")
        if self.on("pages"):
            self.pages(editions)
        if self.on("tags"):
            for p, whole in present:
                self.tags(p, whole)
        if self.on("decode"):
            for n, (p, _) in enumerate(present, 1):
                self.progress(f"decoding {n}/{len(present)}: {p.relative_to(self.out).as_posix()}")
                self.decode(p)
        if self.on("loudness"):
            for n, (p, _) in enumerate(present, 1):
                self.progress(f"loudness {n}/{len(present)}: {p.relative_to(self.out).as_posix()}")
                self.loudness(p)
        return self.report

    # --- catalog ----------------------------------------------------------------

    def catalog_files(self, ed: Any) -> None:
        for rel in [ed.mp3, ed.vtt, *(x for a in ed.articles for x in (a.mp3, a.vtt))]:
            if rel and not (self.out / rel).is_file():
                self.problem(rel, "catalog", "in the catalog but missing on disk (rebuild the edition)")

    def guid_history(self, ed: Any, history: dict[tuple[str, str, str, str], str]) -> None:
        date = ed.date.isoformat()
        first = history.get(("edition", ed.paper, date, ""))
        if first is not None and first != ed.guid:
            self.problem(ed.folder, "guid", f"edition GUID {ed.guid} differs from the first one published, {first}")
        for a in ed.articles:
            first = history.get(("article", ed.paper, date, a.ident))
            if first is not None and first != a.guid:
                self.problem(a.mp3, "guid", f"article GUID {a.guid} differs from the first one published, {first}")
        manifest = self.out / ed.folder / "manifest.json"
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        in_manifest = doc.get("edition", {}).get("guid")
        if in_manifest and in_manifest != ed.guid:
            self.problem(manifest, "guid", f"manifest says GUID {in_manifest}, the catalog {ed.guid}")

    # --- feeds ------------------------------------------------------------------

    def local(self, url: str, base_url: str) -> Path | None:
        if not url.startswith(base_url):
            return None
        rel = urllib.parse.unquote(urllib.parse.urlsplit(url[len(base_url) :]).path)
        path = (self.root / rel).resolve()
        return path if path.is_relative_to(self.root) else None

    def feed(self, name: str, base_url: str, expected: dict[str, Any], limit: int | None, seen: dict[str, str]) -> None:
        from lxml import etree

        from .publish.feed import ARTICLES_FEED, podcast_guid, url_for

        path = self.out / name
        checking_feed = self.on("feed")
        if not path.is_file():
            if checking_feed:
                self.problem(name, "feed", "missing (run `audiopaper feed OUT`)")
            return
        try:
            root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        except etree.XMLSyntaxError as exc:
            if checking_feed:
                self.problem(name, "feed", f"not well-formed XML: {exc}")
            return
        channel = root.find("channel")
        if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
            if checking_feed:
                self.problem(name, "feed", "not an RSS 2.0 document with a <channel>")
            return
        self_url = url_for(base_url, name)

        def text(el: Any, tag: str) -> str:
            return (el.findtext(tag, namespaces=NS) or "").strip()

        if checking_feed:
            for tag in ("title", "link", "description", "language", "itunes:author"):
                if not text(channel, tag):
                    self.problem(name, "feed", f"channel has no <{tag}>")
            lang = text(channel, "language")
            if lang and lang != "zh-cn":
                self.problem(name, "feed", f"channel language is {lang!r}, expected 'zh-cn'")
            image = channel.find("itunes:image", NS)
            href = image.get("href", "") if image is not None else ""
            if not href:
                self.problem(name, "feed", "channel has no <itunes:image href>")
            elif not self._url_ok(href, base_url) or not href.lower().endswith((".png", ".jpg", ".jpeg")):
                self.problem(
                    name, "feed", f"itunes:image {href!r} is not an absolute ASCII .png/.jpg URL under {base_url}"
                )
            categories = [c.get("text") for c in channel.findall("itunes:category", NS)]
            if "News" not in categories:
                self.problem(name, "feed", f"itunes:category is {categories or 'missing'}, expected News")
            if text(channel, "itunes:explicit") not in ("true", "false"):
                self.problem(name, "feed", "itunes:explicit must be true or false")
            if text(channel, "podcast:locked") not in ("yes", "no"):
                self.problem(name, "feed", "podcast:locked must be yes or no")
            want_guid = podcast_guid(self_url)
            if text(channel, "podcast:guid") != want_guid:
                self.problem(
                    name, "feed", f"podcast:guid is {text(channel, 'podcast:guid') or 'missing'}, expected {want_guid}"
                )
            atom = channel.find("atom:link[@rel='self']", NS)
            if atom is None or atom.get("href") != self_url:
                self.problem(name, "feed", f"atom:link rel=self should be {self_url}")

        items = channel.findall("item")
        is_articles = name == ARTICLES_FEED
        previous: dt.datetime | None = None
        in_feed: set[str] = set()
        for n, item in enumerate(items, 1):
            label = f"item {n} ({text(item, 'title')[:30] or 'untitled'})"
            guid = text(item, "guid")
            if checking_feed:
                for tag in ("title", "guid", "pubDate", "itunes:duration", "description"):
                    if not text(item, tag):
                        self.problem(name, "feed", f"{label} has no <{tag}>")
                duration = text(item, "itunes:duration")
                if duration and not _DURATION.match(duration):
                    self.problem(name, "feed", f"{label}: itunes:duration {duration!r} is not HH:MM:SS or seconds")
                moment = _parse_date(text(item, "pubDate"))
                if text(item, "pubDate") and moment is None:
                    self.problem(name, "feed", f"{label}: pubDate {text(item, 'pubDate')!r} is not an RFC 2822 date")
                if moment is not None and previous is not None and moment > previous:
                    self.problem(name, "feed", f"{label} is newer than the item before it (feeds list newest first)")
                previous = moment or previous
            if self.on("guid") and guid:
                if guid in seen:
                    self.problem(name, "guid", f"{label}: GUID {guid} is used twice ({seen[guid]})")
                seen[guid] = f"{name} {label}"
                in_feed.add(guid)
                if guid not in expected:
                    self.problem(name, "guid", f"{label}: GUID {guid} is not in the catalog (GUIDs must never change)")
            self.enclosure(name, label, item, base_url, expected.get(guid))
            if not is_articles and checking_feed:
                for tag, mime in (
                    ("podcast:transcript", "text/vtt"),
                    ("podcast:chapters", "application/json+chapters"),
                ):
                    el = item.find(tag, NS)
                    if el is None:
                        self.problem(name, "feed", f"{label} has no <{tag}>")
                        continue
                    if el.get("type") != mime:
                        self.problem(name, "feed", f"{label}: {tag} type should be {mime}")
                    self.linked(name, label, tag, el.get("url", ""), base_url)
        if checking_feed:
            wanted = list(expected)[:limit] if limit is not None else list(expected)
            # Audio deleted by hand is left out of the feeds on purpose (and reported by the catalog rule).
            missing = [g for g in wanted if g not in in_feed and (self.out / expected[g].mp3).is_file()]
            for g in missing:
                self.problem(name, "feed", f"the catalog's {expected[g].title!r} (GUID {g}) has no item")

    def _url_ok(self, url: str, base_url: str) -> bool:
        return url.isascii() and url.startswith(base_url) and " " not in url

    def linked(self, name: str, label: str, tag: str, url: str, base_url: str) -> Path | None:
        if not self.on("enclosure"):
            return None
        if not url or not self._url_ok(url, base_url):
            self.problem(name, "enclosure", f"{label}: {tag} URL {url!r} is not an absolute ASCII URL under {base_url}")
            return None
        path = self.local(url, base_url)
        if path is None or not path.is_file():
            rel = url[len(base_url) :]
            self.problem(urllib.parse.unquote(rel), "enclosure", f"missing, but {name} {label} links to it ({tag})")
            return None
        return path

    def enclosure(self, name: str, label: str, item: Any, base_url: str, row: _Expected | None) -> None:
        enc = item.find("enclosure")
        if enc is None:
            if self.on("feed"):
                self.problem(name, "feed", f"{label} has no <enclosure>")
            return
        if self.on("feed") and enc.get("type") != "audio/mpeg":
            self.problem(name, "feed", f"{label}: enclosure type is {enc.get('type')!r}, expected audio/mpeg")
        path = self.linked(name, label, "enclosure", enc.get("url", ""), base_url)
        if path is None:
            return
        length = enc.get("length", "")
        size = path.stat().st_size
        if not length.isdigit() or int(length) != size:
            self.problem(path, "enclosure", f"{size} bytes on disk, but {name} {label} announces length={length!r}")
        if row is not None and self.on("guid") and (self.out / row.mp3).resolve() != path:
            guid = (item.findtext("guid") or "").strip()
            self.problem(name, "guid", f"{label}: GUID {guid} belongs to {row.mp3} in the catalog")

    # --- files ------------------------------------------------------------------

    def transcript(self, path: Path) -> None:
        try:
            head = path.read_text(encoding="utf-8")[:6]
        except (OSError, UnicodeDecodeError):
            if path.exists():
                self.problem(path, "transcript", "unreadable (not UTF-8)")
            else:
                self.problem(path, "transcript", "missing")
            return
        if head != "WEBVTT":
            self.problem(path, "transcript", "does not start with WEBVTT")

    def chapters(self, ed: Any) -> None:
        rel = ed.chapters or f"{ed.folder}/chapters.json"
        path = self.out / rel
        if not path.is_file():
            self.problem(rel, "chapters", "missing (the edition has no Podcasting 2.0 chapters file)")
        else:
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                self.problem(rel, "chapters", f"not valid JSON ({exc})")
                doc = None
            if doc is not None:
                for msg in _chapter_rules(doc, ed.duration_s):
                    self.problem(rel, "chapters", msg)

    def tags(self, path: Path, whole: bool) -> None:
        from mutagen.id3 import ID3, ID3NoHeaderError

        try:
            tags = ID3(path)
        except ID3NoHeaderError:
            self.problem(path, "tags", "no ID3 tag")
            return
        except Exception as exc:  # mutagen raises many error types on damaged files
            self.problem(path, "tags", f"cannot read ID3 ({exc})")
            return
        if not str(tags.get("TIT2", "")).strip():
            self.problem(path, "tags", "ID3 tag has no title (TIT2)")
        if not str(tags.get("TALB", "")).strip() and not str(tags.get("TPE1", "")).strip():
            self.problem(path, "tags", "ID3 tag has neither album (TALB) nor artist (TPE1)")
        if whole and not tags.getall("CHAP"):
            # Apps that ignore podcast:chapters read chapters from the file itself.
            self.problem(path, "tags", "no ID3 chapters (CHAP frames)")

    def artwork(self, path: Path) -> None:
        if not path.is_file():
            self.problem(path.name, "artwork", "missing (the feeds' itunes:image points here)")
            return
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as img:
                fmt, (w, h), mode = img.format, img.size, img.mode
        except (OSError, UnidentifiedImageError) as exc:
            self.problem(path, "artwork", f"not a readable image ({exc})")
            return
        if fmt != "PNG":
            self.problem(path, "artwork", f"is {fmt}, not PNG")
        if w != h:
            self.problem(path, "artwork", f"{w}x{h} is not square")
        if not (ART_MIN <= w <= ART_MAX and ART_MIN <= h <= ART_MAX):
            self.problem(path, "artwork", f"{w}x{h} is outside {ART_MIN}–{ART_MAX} px")
        if mode != "RGB":
            self.problem(path, "artwork", f"colour mode {mode}; Apple Podcasts wants RGB without transparency")

    def pages(self, editions: Iterable[Any]) -> None:
        index = self.out / "index.html"
        if not index.is_file():
            self.problem("index.html", "pages", "missing (run `audiopaper feed OUT`)")
        for ed in editions:
            page = self.out / ed.page
            if not page.is_file():
                self.problem(ed.page, "pages", "missing (run `audiopaper feed OUT`)")
                continue
            html = page.read_text(encoding="utf-8", errors="replace")
            if 'id="edition-player"' not in html:
                self.problem(ed.page, "pages", "has no edition player")
            players = html.count('class="article-player"')
            if players != len(ed.articles):
                self.problem(ed.page, "pages", f"has {players} article players for {len(ed.articles)} articles")

    def decode(self, path: Path) -> None:

        from .audio.ffmpeg import ffmpeg_exe

        r = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
            capture_output=True,
        )
        errors = r.stderr.decode("utf-8", "replace").strip().splitlines()
        if r.returncode != 0 or errors:
            self.problem(path, "decode", f"does not decode cleanly: {errors[0] if errors else r.returncode}")

    def loudness(self, path: Path) -> None:
        measured = measure_loudness(path)
        if measured is None:
            self.problem(path, "loudness", "could not measure loudness")
            return
        lufs, peak = measured
        if abs(lufs - TARGET_LUFS) > LUFS_TOLERANCE:
            self.problem(
                path, "loudness", f"integrated loudness {lufs:.1f} LUFS, target {TARGET_LUFS:.0f} ±{LUFS_TOLERANCE:.0f}"
            )
        if peak > MAX_TRUE_PEAK_DBTP:
            self.problem(path, "loudness", f"true peak {peak:.1f} dBTP, limit {MAX_TRUE_PEAK_DBTP:.0f}")


def _parse_date(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _chapter_rules(doc: Any, duration_s: float) -> list[str]:
    """Podcasting 2.0 chapters: a version and startTime-ordered chapters with titles."""
    if not isinstance(doc, dict) or not isinstance(doc.get("version"), str):
        return ['has no "version" string']
    chapters = doc.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        return ["has no chapters"]
    problems = []
    last = -1.0
    for n, ch in enumerate(chapters, 1):
        start = ch.get("startTime") if isinstance(ch, dict) else None
        if not isinstance(start, int | float) or isinstance(start, bool):
            problems.append(f"chapter {n} has no numeric startTime")
            continue
        if start < last:
            problems.append(f"chapter {n} starts before the one before it")
        if start > duration_s + 0.5:
            problems.append(f"chapter {n} starts at {start}s, after the edition ends ({duration_s:.1f}s)")
        if not isinstance(ch.get("title"), str) or not ch["title"].strip():
            problems.append(f"chapter {n} has no title")
        last = float(start)
    return problems


_LOUD_I = re.compile(r"I:\s+(-?[\d.]+|-inf)\s+LUFS")
_LOUD_PEAK = re.compile(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf)\s+dBFS", re.S)


def measure_loudness(path: Path) -> tuple[float, float] | None:
    """(integrated LUFS, true peak dBTP) from ffmpeg's ebur128 summary."""

    from .audio.ffmpeg import ffmpeg_exe

    r = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-nostats",
            "-i",
            str(path),
            "-filter_complex",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
    )
    err = r.stderr.decode("utf-8", "replace")
    summary = err[err.rfind("Summary:") :] if "Summary:" in err else ""
    i, p = _LOUD_I.search(summary), _LOUD_PEAK.search(summary)
    if r.returncode != 0 or not i or not p:
        return None
    return float(i.group(1)), float(p.group(1))


def check(out: Path, skip: Iterable[str] = (), progress: Callable[[str], None] | None = None) -> Report:
    """Check OUT; ``skip`` names rules from RULES to leave out."""
    skip = frozenset(skip)
    unknown = sorted(skip - set(RULES))
    if unknown:
        raise UsageError(f"unknown rule(s) {', '.join(unknown)}", "rules: " + ", ".join(RULES))
    if not out.is_dir():
        raise AudiopaperError(f"{out}: no such output folder", "build an edition first")
    return _Checker(out, skip, progress).run()
