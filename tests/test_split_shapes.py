"""One hand-written issue per input shape of issue #10, each with what an editor reads
in it (written by hand from the text, not from the splitter's output)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audiopaper import ingest, split
from audiopaper.cli import app
from audiopaper.models import SplitResult
from audiopaper.render import split_doc

SHAPES = Path(__file__).parent / "fixtures" / "split" / "shapes"
runner = CliRunner()


def read(*names: str, story_level: int | None = None) -> SplitResult:
    return split.split(ingest.read_issue([SHAPES / n for n in names]), story_level=story_level)


def titled(result: SplitResult) -> list[tuple[str, str]]:
    return [(a.kind, a.title) for a in result.articles]


def everything(result: SplitResult) -> str:
    return json.dumps(split_doc(result)["articles"], ensure_ascii=False)


def test_digest_stories_under_a_section_heading_are_stories() -> None:
    result = read("digest.md")
    assert titled(result) == [
        ("contents", "新闻摘要"),
        ("article", "城区新开三条公交线路"),
        ("article", "春耕备耕全面展开"),
        ("article", "市博物馆推出夜场"),
    ]
    assert [p.text for p in result.articles[1].paragraphs] == [
        "本台消息：从3月10日起，城区将新开三条公交线路，方便东部新区居民出行。",
        "新线路全部使用新能源车辆，首末班时间与地铁衔接。",
    ]
    text = everything(result)
    for junk in ("详细新闻", "晚间新闻", "更新时间戳", "查看原文", "<p>", "https://"):
        assert junk not in text


def test_digest_read_with_the_story_level_the_user_gives() -> None:
    # the user says ## marks stories: 详细新闻 is then one story with sub-heads
    result = read("digest.md", story_level=2)
    assert [a.title for a in result.articles] == ["新闻摘要", "详细新闻"]
    assert [p.text for p in result.articles[1].paragraphs if p.role == "heading"] == [
        "城区新开三条公交线路",
        "春耕备耕全面展开",
        "市博物馆推出夜场",
    ]


def test_plain_1990s_labels_credits_long_titles_and_signatures() -> None:
    result = read("plain-1990s.txt")
    first, second = result.articles[0], result.articles[1]
    assert first.title == "全市中小学开展防震减灾应急疏散演练"
    # a label line inside the story stays in it, and so does the closing wire credit
    assert "地点：市第一中学" in [p.text for p in first.paragraphs]
    assert first.paragraphs[-1].text.endswith("（新华社北京1月5日电）")
    # a 26-character headline is whole, and its ——…纪实 line is its subtitle
    assert second.title == "一条山路连起三个村子二十年的致富梦想和乡亲们的期盼"
    assert second.subtitle == "——青山乡修路纪实"
    # the editorial's signature is never a title
    assert all("编" not in a.title for a in result.articles)


def test_plain_1990s_short_editorial_title_starts_its_own_item() -> None:
    result = read("plain-1990s.txt")
    assert [a.title for a in result.articles][-1] == "写在春运开始的时候"


def test_plain_indented_gb18030_crlf() -> None:
    data = (SHAPES / "plain-indent.txt").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 0  # every line end is CRLF
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # GB18030, not UTF-8
    result = read("plain-indent.txt")
    assert [a.title for a in result.articles] == [
        "城区燃气管道改造工程全面完工",
        "春季植树活动在城郊举行",
        "市图书馆新增自助借还设备",
    ]
    assert [len(a.paragraphs) for a in result.articles] == [2, 3, 1]
    assert result.articles[0].dateline == "本报讯"


def test_markdown_kicker_title_subtitle_and_source_line() -> None:
    result = read("md-kicker.md")
    first, second = result.articles
    assert (first.kicker, first.title, first.subtitle) == (
        "一季度经济运行开局良好",
        "工业生产稳步回升",
        "——全市规模以上工业增加值同比增长百分之六",
    )
    assert first.byline == "本报记者 李华"
    assert (second.title, second.subtitle, second.byline) == ("新建社区食堂开门迎客", None, None)
    text = everything(result)
    assert "《江城日报》" not in text and ">" not in text


def test_epaper_pages_keep_only_the_story() -> None:
    result = read("epaper-1.html", "epaper-2.html")
    assert [(a.title, a.subtitle) for a in result.articles] == [
        ("工业生产稳步回升", "全市规模以上工业增加值同比增长百分之六"),
        ("新建社区食堂开门迎客", None),
    ]
    assert result.articles[1].byline == "本报记者 周敏"
    assert [len(a.paragraphs) for a in result.articles] == [2, 2]
    text = everything(result)
    for chrome in ("上一版", "下一版", "返回目录", "打印", "关闭窗口", "版权所有", "分享到", "字号", "第02版"):
        assert chrome not in text


def test_orphan_continuation_is_named_after_its_content() -> None:
    result = read("converted.md")
    assert titled(result) == [
        ("article", "全市春运客流平稳有序"),
        ("continuation", "景区还推出了夜游项目（续）"),
        ("article", "社区志愿者上门送福"),
    ]
    assert "上接" not in everything(result)


def test_explain_gives_every_line_a_label_and_a_reason() -> None:
    result = read("digest.md")
    labels = {n.text: (n.label, n.why) for n in result.notes}
    assert labels["详细新闻"][0] == "section" and "3 level-3 stories" in labels["详细新闻"][1]
    assert labels["《晚间新闻》 (2024年3月8日)"][0] == "section"
    assert labels["城区新开三条公交线路"][0] == "headline" and "level 3" in labels["城区新开三条公交线路"][1]
    assert labels["(更新时间戳: 1709900000000)"][0] == "chrome"
    assert all(n.why for n in result.notes if n.label != "body")


def test_cli_explain_and_story_level() -> None:
    out = runner.invoke(app, ["split", "--explain", str(SHAPES / "plain-indent.txt")])
    assert out.exit_code == 0, out.output
    assert "headline" in out.stdout and "春季植树活动在城郊举行" in out.stdout
    out = runner.invoke(app, ["split", "--json", "--explain", "--story-level", "2", str(SHAPES / "digest.md")])
    assert out.exit_code == 0
    doc = json.loads(out.stdout)
    assert [a["title"] for a in doc["articles"]] == ["新闻摘要", "详细新闻"]
    assert {"source", "line", "label", "why", "text"} <= set(doc["lines"][0])
    bad = runner.invoke(app, ["split", "--story-level", "9", str(SHAPES / "digest.md")])
    assert bad.exit_code == 2
