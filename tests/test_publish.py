"""The publish stage end to end: two editions into one OUT, the first rebuilt.

Feeds are read back with lxml, feedparser and podcastparser (three independent
parsers), pages with lxml.html, the catalog with sqlite3; `check` runs through the CLI.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sqlite3
import urllib.parse
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import feedparser
import podcastparser
import pytest
from lxml import etree, html
from PIL import Image
from typer.testing import CliRunner

from audiopaper.cli import app
from audiopaper.pipeline import BuildOptions, build
from audiopaper.settings import Show, SiteSettings

from .conftest import TINY_ISSUE

ESCAPED = 'R&D <测试> "引号" 与 AT&T'
# The issue text is Markdown, where a literal <测试> would be an HTML tag: entities spell it.
FIRST_ISSUE = """# 衡阳日报 2022年1月28日

## R&amp;D &lt;测试&gt; "引号" 与 AT&amp;T

衡阳日报讯 今天上午，衡阳迎来降雪。市民纷纷出门赏雪。

## 市图书馆延长开放时间

春节期间，市图书馆每天开放到晚上九点。
"""
BASE = "https://example.org/paper/"
OWNER = "podcast@example.org"
# what a producer sets once (audiopaper.toml; here as the typed settings the CLI makes of it)
PUBLISHED = {"show": Show(owner_name="衡阳日报社", owner_email=OWNER), "site": SiteSettings(base_url=BASE)}
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
DAY1, DAY2 = dt.date(2022, 1, 28), dt.date(2022, 1, 29)
runner = CliRunner()


def write_cover(out: Path, size: int = 1400, mode: str = "RGB") -> None:
    out.mkdir(parents=True, exist_ok=True)
    Image.new(mode, (size, size), "#b3261e" if mode == "RGB" else None).save(out / "cover.png")


def write_chapters(folder: Path) -> None:
    # Stands in for the audio stage, which writes chapters.json next to edition.mp3.
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "开篇"}]}', encoding="utf-8"
    )


def items(path: Path) -> list[Any]:
    return etree.parse(str(path)).getroot().find("channel").findall("item")


def guids(path: Path) -> list[str]:
    return [i.findtext("guid") for i in items(path)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("publish")
    out = root / "out"
    first, second = root / "first.md", root / "second.md"
    first.write_text(FIRST_ISSUE, encoding="utf-8")
    second.write_text(TINY_ISSUE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
        build([first], BuildOptions(out=out, engine="espeak", date=DAY1, title=ESCAPED, **PUBLISHED))
        after_first = {"editions": guids(out / "feed.xml"), "articles": guids(out / "feed-articles.xml")}
        build([second], BuildOptions(out=out, engine="espeak", date=DAY2, **PUBLISHED))
        after_second = {"editions": guids(out / "feed.xml"), "articles": guids(out / "feed-articles.xml")}
        # The rebuild corrects a sentence: new audio, new sizes, the same episodes.
        first.write_text(FIRST_ISSUE.replace("市民纷纷出门赏雪。", "市民纷纷出门赏雪，拍照留念。"), encoding="utf-8")
        old_size = (out / "editions/2022-01-28/articles").glob("01-*.mp3").__next__().stat().st_size
        build([first], BuildOptions(out=out, engine="espeak", date=DAY1, title=ESCAPED, **PUBLISHED))
    return SimpleNamespace(out=out, root=root, after_first=after_first, after_second=after_second, old_size=old_size)


def local(out: Path, url: str) -> Path:
    assert url.startswith(BASE) and url.isascii()
    return out / urllib.parse.unquote(url[len(BASE) :])


# --- the Done-when scenario ------------------------------------------------------------


def test_two_editions_newest_first_with_guids_unchanged_by_the_rebuild(site: SimpleNamespace) -> None:
    feed = site.out / "feed.xml"
    its = items(feed)
    assert len(its) == 2
    # the date and the lead headline: the show's name is above every episode already
    assert [i.findtext("title") for i in its] == ["1月29日｜衡阳迎来降雪", f"1月28日｜{ESCAPED}"]
    assert [i.findtext("pubDate") for i in its] == [
        "Sat, 29 Jan 2022 06:00:00 +0800",
        "Fri, 28 Jan 2022 06:00:00 +0800",
    ]
    assert guids(feed)[1] == site.after_first["editions"][0]
    assert guids(feed) == site.after_second["editions"]
    assert len(set(guids(feed))) == 2


def test_enclosures_are_exact_absolute_ascii_urls(site: SimpleNamespace) -> None:
    for name in ("feed.xml", "feed-articles.xml"):
        for item in items(site.out / name):
            enc = item.find("enclosure")
            assert enc.get("type") == "audio/mpeg"
            path = local(site.out, enc.get("url"))
            assert int(enc.get("length")) == path.stat().st_size, path
    rebuilt = next((site.out / "editions/2022-01-28/articles").glob("01-*.mp3"))
    assert rebuilt.stat().st_size != site.old_size  # the rebuild really replaced the file


def test_article_feed_has_every_article_with_stable_unique_guids(site: SimpleNamespace) -> None:
    feed = site.out / "feed-articles.xml"
    titles = [i.findtext("title") for i in items(feed)]
    # newest edition first, each edition's articles in reading order
    assert titles == ["衡阳迎来降雪", "市图书馆延长开放时间", ESCAPED, "市图书馆延长开放时间"]
    now = guids(feed)
    assert len(set(now)) == 4
    assert now[2:] == site.after_first["articles"]
    assert now == site.after_second["articles"]
    assert not set(now) & set(guids(site.out / "feed.xml"))


def test_edition_items_carry_transcript_and_chapters(site: SimpleNamespace) -> None:
    for item in items(site.out / "feed.xml"):
        transcript = item.find(f"{PODCAST}transcript")
        chapters = item.find(f"{PODCAST}chapters")
        assert transcript.get("type") == "text/vtt"
        assert chapters.get("type") == "application/json+chapters"
        assert local(site.out, transcript.get("url")).read_text(encoding="utf-8").startswith("WEBVTT")
        assert local(site.out, chapters.get("url")).name == "chapters.json"
        assert item.findtext(f"{ITUNES}duration").count(":") == 2


@pytest.mark.parametrize("name", ["feed.xml", "feed-articles.xml"])
def test_channel_has_what_apple_and_podcasting20_require(site: SimpleNamespace, name: str) -> None:
    channel = etree.parse(str(site.out / name)).getroot().find("channel")
    assert channel.findtext("title") and channel.findtext("description") and channel.findtext("link")
    assert channel.findtext("language") == "zh-cn"
    assert channel.find(f"{ITUNES}image").get("href") == BASE + "cover.png"
    category = channel.find(f"{ITUNES}category")
    assert category.get("text") == "News" and category.find(f"{ITUNES}category").get("text") == "Daily News"
    assert channel.findtext(f"{ITUNES}explicit") == "false"
    assert channel.findtext(f"{ITUNES}owner/{ITUNES}email") == OWNER
    locked = channel.find(f"{PODCAST}locked")
    assert locked.text == "yes" and locked.get("owner") == OWNER
    # UUIDv5 of the feed URL without its scheme, in the Podcasting 2.0 namespace.
    expected = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), f"example.org/paper/{name}")
    assert channel.findtext(f"{PODCAST}guid") == str(expected)


@pytest.mark.parametrize("name", ["feed.xml", "feed-articles.xml"])
def test_feedparser_and_podcastparser_read_the_feeds(site: SimpleNamespace, name: str) -> None:
    data = (site.out / name).read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "zh-cn"
    assert parsed.feed.image.href == BASE + "cover.png"
    for entry in parsed.entries:
        assert entry.enclosures[0].type == "audio/mpeg"
        assert int(entry.enclosures[0].length) == local(site.out, entry.enclosures[0].href).stat().st_size
    podcast = podcastparser.parse(BASE + name, io.BytesIO(data))
    assert len(podcast["episodes"]) == (2 if name == "feed.xml" else 4)
    for episode in podcast["episodes"]:
        assert episode["guid"] and episode["total_time"] > 0
        assert episode["enclosures"][0]["file_size"] == local(site.out, episode["enclosures"][0]["url"]).stat().st_size
    titles = [e["title"] for e in podcast["episodes"]]
    want = f"1月28日｜{ESCAPED}" if name == "feed.xml" else ESCAPED
    assert want in titles
    assert want in [e.title for e in parsed.entries]


def test_escaped_title_survives_into_html(site: SimpleNamespace) -> None:
    page_path = site.out / "editions/2022-01-28/index.html"
    raw = page_path.read_text(encoding="utf-8")
    assert "<测试>" not in raw  # escaped, not markup
    page = html.fromstring(raw)
    assert page.findtext(".//h1") == ESCAPED
    assert [h.text_content() for h in page.findall(".//article/h2")] == [ESCAPED, "市图书馆延长开放时间"]
    assert page.find(".//title").text == ESCAPED
    index = html.fromstring((site.out / "index.html").read_text(encoding="utf-8"))
    links = [(a.text_content(), a.get("href")) for a in index.findall(".//ul[@class='editions']//a")]
    assert links == [
        ("衡阳日报 2022年1月29日", "editions/2022-01-29/index.html"),
        (ESCAPED, "editions/2022-01-28/index.html"),
    ]


def test_edition_page_has_players_chapters_and_timed_sentences(site: SimpleNamespace) -> None:
    page = html.parse(str(site.out / "editions/2022-01-28/index.html")).getroot()
    folder = site.out / "editions/2022-01-28"
    edition = page.get_element_by_id("edition-player")
    assert (folder / edition.get("src")).is_file()
    players = page.find_class("article-player")
    assert len(players) == 2 and all((folder / p.get("src")).is_file() for p in players)
    chapters = page.find_class("chapter")
    starts = [float(c.get("data-start")) for c in chapters]
    assert starts[0] == 0 and starts == sorted(starts) and len(chapters) == 3
    sentences = page.find_class("s")
    assert sentences and all(float(s.get("data-end")) > float(s.get("data-start")) for s in sentences)
    assert "拍照留念" in page.text_content()  # the rebuilt text, from the catalog
    for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
        for el in page.iter(tag):
            assert not (el.get(attr) or "").startswith(("http:", "https:", "//")) or el.get("rel") == "alternate"


def test_catalog_records_both_editions_and_the_rebuild(site: SimpleNamespace) -> None:
    conn = sqlite3.connect(site.out / "catalog.sqlite")
    try:
        rows = conn.execute("SELECT date, title, builds, mp3_bytes FROM editions ORDER BY date").fetchall()
        assert [(r[0], r[1], r[2]) for r in rows] == [
            ("2022-01-28", ESCAPED, 2),
            ("2022-01-29", "衡阳日报 2022年1月29日", 1),
        ]
        assert rows[0][3] == (site.out / "editions/2022-01-28/edition.mp3").stat().st_size
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
        assert conn.execute("SELECT count(DISTINCT guid) FROM articles").fetchone()[0] == 4
    finally:
        conn.close()


# --- feed OUT, from the catalog alone -----------------------------------------------------


def copy_site(site: SimpleNamespace, name: str) -> Path:
    dest = site.root / name
    shutil.copytree(site.out, dest, ignore=shutil.ignore_patterns(".cache"))
    return dest


def test_feed_command_regenerates_the_same_files_from_the_catalog_alone(site: SimpleNamespace) -> None:
    out = copy_site(site, "regen")
    generated = [
        "feed.xml",
        "feed-articles.xml",
        "index.html",
        "editions/2022-01-28/index.html",
        "editions/2022-01-29/index.html",
    ]
    before = {p: (out / p).read_bytes() for p in generated}
    for p in generated:
        (out / p).unlink()
    for manifest in out.glob("editions/*/manifest.json"):
        manifest.unlink()  # nothing but the catalog (and the audio it points at) is left
    result = runner.invoke(app, ["feed", str(out)])
    assert result.exit_code == 0, result.output
    assert {p: (out / p).read_bytes() for p in generated} == before


def test_feed_limit_and_base_url(site: SimpleNamespace) -> None:
    out = copy_site(site, "limited")
    result = runner.invoke(app, ["feed", str(out), "--limit", "1", "--base-url", "https://example.org/报纸"])
    assert result.exit_code == 0, result.output
    assert len(items(out / "feed.xml")) == 1 and items(out / "feed.xml")[0].findtext("title") == "1月29日｜衡阳迎来降雪"
    assert len(items(out / "feed-articles.xml")) == 1
    url = items(out / "feed.xml")[0].find("enclosure").get("url")
    assert url == "https://example.org/%E6%8A%A5%E7%BA%B8/editions/2022-01-29/edition.mp3"
    # the settings are remembered: a plain `feed OUT` keeps the public URL
    assert runner.invoke(app, ["feed", str(out), "--limit", "0"]).exit_code == 0
    assert len(items(out / "feed.xml")) == 2
    assert items(out / "feed.xml")[0].find("enclosure").get("url").startswith("https://example.org/%E6%8A%A5%E7%BA%B8/")
    # podcast:guid was minted from the first public URL and survives the move
    channel = etree.parse(str(out / "feed.xml")).getroot().find("channel")
    first = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/paper/feed.xml")
    assert channel.findtext(f"{PODCAST}guid") == str(first)


# --- check ----------------------------------------------------------------------------------

# Every rule runs, tags and loudness included: the audio stage writes them on every build.
NOT_AUDIO_STAGE: list[str] = []


def check(out: Path, *args: str) -> Any:
    return runner.invoke(app, ["check", str(out), *NOT_AUDIO_STAGE, *args])


def test_check_passes_on_the_built_site(site: SimpleNamespace) -> None:
    result = check(site.out, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_check_names_a_truncated_article_mp3(site: SimpleNamespace) -> None:
    out = copy_site(site, "truncated")
    victim = next((out / "editions/2022-01-29/articles").glob("02-*.mp3"))
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    result = check(out, "--no-audio", "-q")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(str(victim) in line for line in lines), result.stdout
    assert any(f"{len(data) // 2} bytes on disk" in line for line in lines)


def test_check_finds_a_changed_guid_and_a_broken_feed(site: SimpleNamespace) -> None:
    out = copy_site(site, "tampered")
    feed = out / "feed.xml"
    old = guids(feed)[0]
    feed.write_text(feed.read_text(encoding="utf-8").replace(old, str(uuid.uuid4())), encoding="utf-8")
    result = check(out, "--no-audio", "-q")
    assert result.exit_code == 1
    assert f"{feed}: " in result.stdout and "not in the catalog" in result.stdout
    (out / "feed-articles.xml").write_text("<rss version='2.0'><channel><title>x</channel></rss>", encoding="utf-8")
    result = check(out, "--no-audio", "-q")
    assert f"{out / 'feed-articles.xml'}: not well-formed XML" in result.stdout


def test_check_reports_missing_cover_and_chapters(site: SimpleNamespace) -> None:
    out = copy_site(site, "bare")
    (out / "cover.png").unlink()
    (out / "editions/2022-01-29/chapters.json").unlink()
    result = check(out, "--no-audio", "-q", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    problems = {(p["file"], p["rule"]) for p in doc["problems"]}
    assert problems == {
        ("cover.png", "artwork"),
        ("cover.png", "enclosure"),  # both feeds' itunes:image points at it
        ("editions/2022-01-29/chapters.json", "chapters"),
        ("editions/2022-01-29/chapters.json", "enclosure"),  # feed.xml links to it
    }
    assert doc["schema"] == 1 and doc["ok"] is False


def test_manifest_repeats_the_catalog_guids(site: SimpleNamespace) -> None:
    doc = json.loads((site.out / "editions/2022-01-28/manifest.json").read_text(encoding="utf-8"))
    assert doc["edition"]["guid"] == guids(site.out / "feed.xml")[1]
    assert [a["guid"] for a in doc["articles"]] == guids(site.out / "feed-articles.xml")[2:]


def test_a_folder_built_before_the_catalog_is_imported_with_the_same_guids(site: SimpleNamespace) -> None:
    out = copy_site(site, "pre-catalog")
    (out / "catalog.sqlite").unlink()
    result = runner.invoke(app, ["feed", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("feed.xml", "feed-articles.xml"):
        assert guids(out / name) == guids(site.out / name)
    page = html.parse(str(out / "editions/2022-01-28/index.html")).getroot()
    assert page.find_class("s") and "拍照留念" in page.text_content()  # sentences back from the VTT


def test_deleted_audio_leaves_the_feed_with_a_warning(site: SimpleNamespace) -> None:
    out = copy_site(site, "deleted")
    shutil.rmtree(out / "editions/2022-01-29")
    result = runner.invoke(app, ["feed", str(out)])
    assert result.exit_code == 0
    assert "editions/2022-01-29/edition.mp3 is in the catalog but missing" in result.stderr
    assert [i.findtext("title") for i in items(out / "feed.xml")] == [f"1月28日｜{ESCAPED}"]
    assert len(items(out / "feed-articles.xml")) == 2


def test_check_finds_guids_swapped_between_episodes(site: SimpleNamespace) -> None:
    out = copy_site(site, "swapped")
    feed = out / "feed.xml"
    a, b = guids(feed)
    text = feed.read_text(encoding="utf-8").replace(a, "@@").replace(b, a).replace("@@", b)
    feed.write_text(text, encoding="utf-8")
    result = check(out, "--no-audio", "-q")
    assert result.exit_code == 1
    assert result.stdout.count("belongs to editions/") == 2


def test_two_builds_at_once_into_one_out_both_land_in_the_catalog(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    out = tmp_path / "out"
    procs = []
    for n, day in enumerate(("2022-02-01", "2022-02-02")):
        issue = tmp_path / f"{n}.md"
        issue.write_text(TINY_ISSUE, encoding="utf-8")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "audiopaper",
                    "build",
                    str(issue),
                    "-o",
                    str(out),
                    "--engine",
                    "espeak",
                    "--date",
                    day,
                    "-q",
                    "--cache-dir",
                    str(tmp_path / f"cache{n}"),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")},
            )  # fmt: skip
        )
    for p in procs:
        _, stderr = p.communicate(timeout=240)
        assert p.returncode == 0, stderr.decode()
    # Whichever build wrote the feeds last saw both editions in the catalog.
    assert [i.findtext("pubDate")[:16] for i in items(out / "feed.xml")] == ["Wed, 02 Feb 2022", "Tue, 01 Feb 2022"]
    assert len(items(out / "feed-articles.xml")) == 4
