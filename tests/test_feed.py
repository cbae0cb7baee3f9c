"""Feed building blocks, checked against values from the specifications."""

from __future__ import annotations

import datetime as dt

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
