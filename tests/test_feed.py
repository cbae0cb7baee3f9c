"""Feed building blocks, checked against values from the specifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from audiopaper.errors import AudiopaperError
from audiopaper.publish.catalog import article_idents
from audiopaper.publish.feed import (
    article_moment,
    clean,
    edition_moment,
    hms,
    normalize_base_url,
    podcast_guid,
    rfc2822,
)


@pytest.mark.parametrize(
    "feed_url",
    [
        "https://mp3s.nashownotes.com/pc20rss.xml",
        "http://mp3s.nashownotes.com/pc20rss.xml",
        "mp3s.nashownotes.com/pc20rss.xml/",
    ],
)
def test_podcast_guid_matches_the_podcasting20_example(feed_url: str) -> None:
    # The example in the podcast namespace's description of <podcast:guid>.
    assert podcast_guid(feed_url) == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("https://example.org/paper", "https://example.org/paper/"),
        ("https://example.org/报纸/", "https://example.org/%E6%8A%A5%E7%BA%B8/"),
        ("https://例子.中国/a b/", "https://xn--fsqu00a.xn--fiqs8s/a%20b/"),
        ("  https://example.org/x?y=1#z ", "https://example.org/x/"),
    ],
)
def test_base_url_is_absolute_ascii_with_a_slash(given: str, expected: str) -> None:
    assert normalize_base_url(given) == expected


@pytest.mark.parametrize("bad", ["ftp://example.org/", "example.org/feed", "/local/path", "file:///tmp/out"])
def test_base_url_must_be_http(bad: str) -> None:
    with pytest.raises(AudiopaperError):
        normalize_base_url(bad)


def test_clean_removes_what_xml_forbids_and_keeps_text() -> None:
    assert clean("标题\x00\x08\x0b\x0c\x1f\x7f\ufffe\ufffe完") == "标题完"
    assert clean("行一\n行二\t\r") == "行一\n行二\t\r"
    assert clean('R&D <测试> "引号"') == 'R&D <测试> "引号"'  # escaping is the template's job


def test_dates_and_durations() -> None:
    day = dt.date(2022, 1, 28)
    assert rfc2822(edition_moment(day)) == "Fri, 28 Jan 2022 06:00:00 +0800"
    assert rfc2822(article_moment(day, 2)) == "Fri, 28 Jan 2022 05:58:00 +0800"
    assert hms(3725.4) == "01:02:05"


def test_repeated_titles_get_distinct_identities() -> None:
    assert article_idents(["图片新闻", "要闻", "图片新闻", "图片新闻"]) == [
        "图片新闻",
        "要闻",
        "图片新闻#2",
        "图片新闻#3",
    ]


def _edition(day: dt.date, n_articles: int = 30) -> Any:
    from audiopaper.publish.catalog import ArticleRow, EditionRow

    folder = f"editions/{day.isoformat()}"
    articles = tuple(
        ArticleRow(
            ident=f"第{i}篇", position=i, slug=f"{i:02d}-x", kind="article", title=f"第{i}篇新闻", guid=f"{day}-{i}",
            mp3=f"{folder}/articles/{i:02d}-x.mp3", mp3_bytes=100_000, duration_s=120.0, start_s=120.0 * i,
            vtt=f"{folder}/articles/{i:02d}-x.vtt", chars=800, engine="espeak",
        )
        for i in range(1, n_articles + 1)
    )  # fmt: skip
    return EditionRow(
        paper="衡阳日报", date=day, folder=folder, title=f"衡阳日报 {day}", guid=str(day), mp3=f"{folder}/edition.mp3",
        mp3_bytes=3_000_000, duration_s=3600.0, vtt=None, chapters=None, engine="espeak", voice="news-female",
        intro_s=30.0, first_built="2022-01-28T00:00:00+00:00", last_built="2022-01-28T00:00:00+00:00", builds=1,
        articles=articles,
    )  # fmt: skip


def test_feeds_are_bounded_by_default() -> None:
    """A year of a daily paper (365 editions of 30 stories) stays at the newest
    DEFAULT_FEED_LIMIT items per feed, each feed well under a megabyte."""
    from audiopaper.publish.feed import FeedSettings, channels, render
    from audiopaper.settings import DEFAULT_FEED_LIMIT, Show

    first = dt.date(2022, 1, 1)
    year = [_edition(first + dt.timedelta(days=n)) for n in range(365)][::-1]
    feeds = channels(year, FeedSettings(base_url="https://example.org/p/"))
    for name, channel in feeds.items():
        assert len(channel.items) == DEFAULT_FEED_LIMIT == 100, name
        size = len(render("feed.xml.j2", channel=channel).encode())
        assert size < 1_000_000, (name, size)
    assert feeds["feed.xml"].items[0].pub_date.startswith("Sat, 31 Dec 2022")  # the newest kept
    unbounded = channels(year[:150], FeedSettings(base_url="https://example.org/p/", show=Show(feed_limit=0)))
    assert len(unbounded["feed-articles.xml"].items) == 150 * 30


def test_episode_title_is_the_date_and_the_lead_headline() -> None:
    from dataclasses import replace

    from audiopaper.publish.feed import episode_title

    ed = _edition(dt.date(2022, 1, 28), 3)
    assert episode_title(ed) == "1月28日｜第1篇新闻"
    # a table of contents or a notice does not lead the edition
    contents = replace(ed.articles[0], kind="contents", title="本期导读")
    assert episode_title(replace(ed, articles=(contents, *ed.articles[1:]))) == "1月28日｜第2篇新闻"
