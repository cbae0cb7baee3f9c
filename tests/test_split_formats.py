"""Other formats newsrooms have, each with its expected articles (written by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audiopaper import ingest, split
from audiopaper.render import split_doc

FIXTURES = Path(__file__).parent / "fixtures" / "split"
FIELDS = ("kind", "title", "kicker", "subtitle", "byline", "dateline", "credit", "paragraphs", "roles")


@pytest.mark.parametrize(
    "name",
    ["epaper-page.html", "digest-with-html.md", "plain-issue.txt"],
    ids=["html-page", "markdown-with-html", "plain-text"],
)
def test_fixture_gives_its_expected_articles(name: str) -> None:
    path = FIXTURES / name
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))["articles"]
    result = split.split(ingest.read_issue([path]))
    got = [{k: a[k] for k in FIELDS} for a in split_doc(result)["articles"]]
    assert len(got) == len(expected)
    for index, (mine, theirs) in enumerate(zip(got, expected, strict=True), start=1):
        assert mine == theirs, f"{name}: item {index}"
    assert not result.warnings


def test_html_page_keeps_no_page_chrome() -> None:
    result = split.split(ingest.read_issue([FIXTURES / "epaper-page.html"]))
    text = json.dumps(split_doc(result)["articles"], ensure_ascii=False)
    for chrome in (
        "第A01版",
        "首页",
        "分享到",
        "相关阅读",
        "版权所有",
        "脚本写出",
        "trackPageView",
        "font-family",
        "本版新闻",
    ):
        assert chrome not in text


def test_markdown_with_html_drops_urls_and_images() -> None:
    result = split.split(ingest.read_issue([FIXTURES / "digest-with-html.md"]))
    text = json.dumps(split_doc(result)["articles"], ensure_ascii=False)
    for junk in ("https://", "<", "&nbsp;", "**", "![", "查看原文", "停车场]"):
        assert junk not in text


def test_plain_text_joins_a_line_cut_at_the_column_end() -> None:
    result = split.split(ingest.read_issue([FIXTURES / "plain-issue.txt"]))
    assert [r.kind for r in result.repairs] == ["join"]
    assert "确保城乡居民收入增长" in result.articles[0].paragraphs[1].text


def test_html_page_and_plain_text_pages_make_one_issue(tmp_path: Path) -> None:
    paths = [FIXTURES / "epaper-page.html", FIXTURES / "plain-issue.txt"]
    result = split.split(ingest.read_issue(paths))
    assert [a.title for a in result.articles] == [
        "我市新增三家国家级专精特新企业",
        "政府工作报告提出今年主要预期目标",
        "国务院常务会议部署做好节日期间保供稳价工作",
        "冬奥会火炬传递活动将于2月2日启动",
        "关于春节期间加强烟花爆竹安全管理的通告",
    ]
