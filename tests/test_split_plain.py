"""Text without markup: the page's own layout conventions, lexical cohesion, and the
lines that are never headlines, with the shipped tagger."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import pytest

from audiopaper import split
from audiopaper.ingest import page_blocks
from audiopaper.models import Block, Issue, SplitResult
from audiopaper.split.cohesion import measure
from audiopaper.split.headline import Headline, page_layouts
from audiopaper.split.rules import headline_like, is_field


def split_plain(text: str) -> SplitResult:
    return split.split(Issue(sources=(Path("issue.txt"),), blocks=tuple(page_blocks(text, "issue.txt", "text"))))


SPORTS = [
    "国家体委今天在北京召开全国体育工作会议，部署全民健身和竞技体育的工作任务。",
    "会议指出，全民健身计划实施以来，城乡体育设施明显改善，参加体育锻炼的人数逐年增加。",
    "会议要求，各地体委要把全民健身工作摆上重要位置，加强体育设施建设和体育骨干培训。",
    "国家体委主任在会上说，竞技体育要在奥运会上保持优势项目，体育后备人才培养要抓紧。",
]
GRAIN = [
    "今年夏粮收购工作全面展开，各地粮食部门敞开收购农民余粮，收购价格保持稳定。",
    "据粮食部门统计，截至目前全省已收购小麦四十万吨，农民售粮踊跃，粮库储备充足。",
]


def sports_then_grain(between: str) -> str:
    """The sports story (title and paragraphs), ``between`` (lines that end in blank
    lines), then the grain story's paragraphs: the page most of these tests vary."""
    return (
        "全国体育工作会议在京召开\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS)
        + between
        + "".join(f"{p}\n\n" for p in GRAIN)
    )


def tagged_headlines(
    text: str,
    is_title: Callable[[str], bool],
    sections: dict[int, str] | None = None,
    bylines: Collection[str] = (),
    overruled: dict[int, str] | None = None,
) -> tuple[list[Block], list[Headline]]:
    """The paragraph blocks of ``text`` and the headlines found in them when the tagger
    takes the lines ``is_title`` picks for titles (p = 0.9), those in ``bylines`` for
    bylines and every other one for body (``sections`` gets why a line tagged a title
    heads a section instead)."""
    from audiopaper.split.headline import find_headlines
    from audiopaper.split.tagger import Tag

    blocks = [b for b in page_blocks(text, "issue.txt", "text") if b.kind == "paragraph"]
    tags = {
        (b.source, b.line): Tag("title", 0.9, 0.9)
        if is_title(b.text)
        else Tag("byline" if b.text in bylines else "body", 0.9, 0.0)
        for b in blocks
    }
    return blocks, find_headlines(blocks, tags=tags, sections=sections, overruled=overruled)


def test_cohesion_is_high_inside_a_story_and_low_between_stories() -> None:
    lines = [*SPORTS, *GRAIN]
    cohesion = measure(lines)
    inside = cohesion[2].across  # between two paragraphs about the sports meeting
    between = cohesion[4].across  # where the grain story begins
    assert inside > 2 * between


def test_fields_of_a_form_are_never_headlines() -> None:
    for field in ("地点：市第一中学", "时间：1月5日", "主办单位：市文明办"):
        assert is_field(field) and not headline_like(field)
    for title in ("港报：动车事故幸存女孩被幼儿园拒收", "黄怒波：十年内捐五百亿 不再信任官办慈善机构"):
        assert not is_field(title) and headline_like(title)


def test_layout_conventions_are_read_per_page() -> None:
    gapped = "".join(f"标题{n}\n　　正文一。\n　　正文二。\n　　正文三。\n\n" for n in "一二三")
    layout = page_layouts(page_blocks(gapped, "a.txt", "text"))["a.txt"]
    assert layout.indented and layout.gapped
    spaced = "标题一\n\n正文一。\n\n正文二。\n\n标题二\n\n正文三。\n"
    layout = page_layouts(page_blocks(spaced, "b.txt", "text"))["b.txt"]
    assert not layout.indented and not layout.gapped


def test_where_blank_lines_part_stories_a_short_line_inside_one_is_a_sub_head() -> None:
    text = (
        "全国体育工作会议在京召开\n"
        + "".join(f"　　{p}\n" for p in SPORTS[:2])
        + "全国体育设施建设现场会在京召开\n"
        + "".join(f"　　{p}\n" for p in SPORTS[2:])
        + "\n夏粮收购全面展开\n"
        + "".join(f"　　{p}\n" for p in GRAIN)
    )
    result = split_plain(text)
    assert [a.title for a in result.articles] == ["全国体育工作会议在京召开", "夏粮收购全面展开"]
    assert "全国体育设施建设现场会在京召开" in [p.text for p in result.articles[0].paragraphs]


def test_an_indented_short_line_is_body_where_headlines_are_flush() -> None:
    text = (
        "全国体育工作会议在京召开\n"
        + f"　　{SPORTS[0]}\n"
        + "　　全国体育设施建设现场会在京召开\n"
        + "".join(f"　　{p}\n" for p in SPORTS[1:])
    )
    result = split_plain(text)
    assert len(result.articles) == 1
    assert result.articles[0].paragraphs[1].text == "全国体育设施建设现场会在京召开"


def test_a_signer_above_a_date_is_no_headline() -> None:
    text = (
        "关于春节期间禁止燃放烟花爆竹的通告\n\n"
        "为保障人民群众生命财产安全，现就春节期间禁止燃放烟花爆竹有关事项通告如下。\n\n"
        "衡阳市人民政府\n\n2022年1月27日\n"
    )
    result = split_plain(text)
    assert len(result.articles) == 1
    assert [p.role for p in result.articles[0].paragraphs][-2:] == ["signature", "signature"]


def test_without_the_model_the_page_conventions_still_hold(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The splitter runs on rules alone where python-crfsuite or the model is missing.
    from audiopaper.split import tagger

    monkeypatch.setattr(tagger, "shipped", lambda: None)
    gapped = (
        "全国体育工作会议在京召开\n"
        + "".join(f"　　{p}\n" for p in SPORTS[:2])
        + "设施建设\n全民健身\n"  # two short lines: a headline by the rules' shape alone
        + "".join(f"　　{p}\n" for p in SPORTS[2:])
        + "\n夏粮收购全面展开\n"
        + "".join(f"　　{p}\n" for p in GRAIN)
        + "\n粮库储备充足\n"
        + "".join(f"　　{p}\n" for p in GRAIN)
    )
    titles = ["全国体育工作会议在京召开", "夏粮收购全面展开", "粮库储备充足"]
    assert [a.title for a in split_plain(gapped).articles] == titles


def test_a_long_title_with_commas_is_found_by_the_tagger() -> None:
    # Not shaped like a headline (two commas), so only the tagger can find it.
    title = "胡锦涛在全国农村学习教育工作会议上强调，认真开展学习教育活动，推动农村改革发展"
    text = sports_then_grain(
        f"{title}\n\n本报记者 陈雁\n\n"
        + "本报北京2月25日讯 全国农村学习教育工作会议今天在北京召开，会议总结了试点工作经验。\n\n"
    )
    result = split_plain(text)
    assert [a.title for a in result.articles] == ["全国体育工作会议在京召开", title]


def test_a_wire_credit_closing_a_story_opens_the_next_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Stories parted by blank lines, but the paper left none after a wire story: its
    # closing credit "（新华社北京3月11日电）" ends the story as a gap would. (A rule of
    # layout: it holds without the model.)
    from audiopaper.split import tagger

    monkeypatch.setattr(tagger, "shipped", lambda: None)
    text = (
        "全国体育工作会议在京召开\n"
        + "".join(f"　　{p}\n" for p in SPORTS)
        + "　　（新华社北京3月11日电）\n"
        + "夏粮收购全面展开\n"
        + "".join(f"　　{p}\n" for p in GRAIN)
        + "\n粮库储备充足\n"
        + "".join(f"　　{p}\n" for p in GRAIN)
    )
    titles = [a.title for a in split_plain(text).articles]
    assert titles == ["全国体育工作会议在京召开", "夏粮收购全面展开", "粮库储备充足"]


# A title too long and too punctuated to be shaped like a headline.
LONG_TITLE = "国务院召开全国安全生产电视电话会议，要求各地压实责任，排查隐患，坚决遏制重特大事故发生，确保人民群众生命财产安全和社会稳定大局"


def test_a_long_title_above_a_dateline_opens_a_story() -> None:
    text = sports_then_grain(
        f"{LONG_TITLE}\n\n" + "新华社北京3月11日电　国务院今天召开全国安全生产电视电话会议，部署当前安全生产工作。\n\n"
    )
    assert len(LONG_TITLE) > 60
    result = split_plain(text)
    assert [a.title for a in result.articles] == ["全国体育工作会议在京召开", LONG_TITLE]


def test_a_dash_subtitle_goes_with_the_long_title_above_it() -> None:
    title = "坚持以经济建设为中心，全面推进改革开放和社会主义现代化建设，为实现跨世纪宏伟目标而奋斗"
    text = sports_then_grain(f"{title}\n\n——在全省经济工作会议上的讲话\n\n")
    result = split_plain(text)
    assert [a.title for a in result.articles] == ["全国体育工作会议在京召开", title]
    assert result.articles[1].subtitle == "——在全省经济工作会议上的讲话"
    assert [p.text for p in result.articles[1].paragraphs] == GRAIN


def test_a_document_title_above_its_note_opens_a_story(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A rule of layout: it holds without the model.
    from audiopaper.split import tagger

    monkeypatch.setattr(tagger, "shipped", lambda: None)
    title = "全国人民代表大会常务委员会关于加强经济工作监督的决定，关于进一步做好预算审查和监督工作的若干规定"
    note = "（1999年12月25日第九届全国人民代表大会常务委员会第十三次会议通过）"
    text = sports_then_grain(f"{title}\n\n{note}\n\n")
    result = split_plain(text)
    assert [a.title for a in result.articles] == ["全国体育工作会议在京召开", title]
    assert note in [p.text for p in result.articles[1].paragraphs]


def test_the_lines_under_a_headline_before_its_lead_are_its_deck() -> None:
    # Right above a dateline, the deck looks like a long headline of its own.
    deck = "国家体委主任作工作报告，部署全民健身和竞技体育任务，各地代表交流经验"
    text = (
        "全国体育工作会议在京召开\n\n"
        + f"{deck}\n\n"
        + "新华社北京3月11日电　国家体委今天在北京召开全国体育工作会议。\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[1:])
        + "夏粮收购全面展开\n\n"
        + "".join(f"{p}\n\n" for p in GRAIN)
    )
    result = split_plain(text)
    assert [a.title for a in result.articles] == ["全国体育工作会议在京召开", "夏粮收购全面展开"]


BRIEFS = [
    ("恒指下午初段跌逾五百点", "港股下午开市初段延续跌势，恒生指数较早时跌逾五百点，成交额约六百亿元。"),
    ("机场新设自助通道", "入境处宣布，机场入境大堂第三季将推出新的自助通道，合资格居民可以容貌识别过关。"),
    ("海洋公园发现江豚尸体", "海洋公园保育基金表示，长洲对开海面发现一条江豚尸体，是本年度第十五宗搁浅个案。"),
    ("韩股初段向上", "韩国股市今早初段向上，综合指数升约百分之一，电子股及汽车股领涨。"),
]


def test_on_a_page_of_briefs_every_title_line_between_paragraphs_opens_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # One paragraph under each title, as wire digests set them: the sub-head reading
    # ("a short line inside a story") does not apply where no story has two paragraphs.
    # A convention of the page's layout: it holds without the model.
    from audiopaper.split import tagger

    monkeypatch.setattr(tagger, "shipped", lambda: None)
    text = "".join(f"{title}\n\n{body}\n\n" for title, body in BRIEFS)
    result = split_plain(text)
    assert [a.title for a in result.articles] == [title for title, _ in BRIEFS]
    assert [[p.text for p in a.paragraphs] for a in result.articles] == [[body] for _, body in BRIEFS]


def test_numbered_points_under_one_title_are_not_briefs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Numbered points each over one paragraph are a list inside one story.
    from audiopaper.split import tagger

    monkeypatch.setattr(tagger, "shipped", lambda: None)
    points = "".join(f"{n}、{title}\n\n{body}\n\n" for n, (title, body) in zip("一二三四", BRIEFS, strict=True))
    result = split_plain("港股及机场安排一览\n\n" + points)
    assert [a.title for a in result.articles] == ["港股及机场安排一览"]


def test_a_line_repeating_the_title_above_heads_a_section_of_that_story() -> None:
    # Say the tagger takes every short line for a title: the one that repeats the words
    # of the story's own title ("…玻璃贴膜更难砸" / "贴膜玻璃更难砸") is its sub-head; the
    # next story's title says something new.

    text = (
        "汽车逃生锤不可靠　玻璃贴膜更难砸\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[:2])
        + "贴膜玻璃更难砸\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[2:])
        + "夏粮收购全面展开\n\n"
        + "".join(f"{p}\n\n" for p in GRAIN)
    )
    blocks, heads = tagged_headlines(text, lambda line: headline_like(line))
    assert [h.title.replace("\u3000", " ") for h in heads] == ["汽车逃生锤不可靠 玻璃贴膜更难砸", "夏粮收购全面展开"]


def test_a_line_whose_text_goes_on_about_the_story_above_heads_a_section_of_it() -> None:
    # Say the tagger takes every short line for a title: the line shares no words with
    # the story's title, but the text under it repeats that title; the next story's
    # lead names a subject of its own.

    text = (
        "全国体育工作会议在京召开\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[:2])
        + "代表热议后备力量\n\n"
        + "全国体育工作会议闭幕前，各省代表在京召开小组会，讨论竞技体育后备人才的培养。\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[2:])
        + "夏粮收购全面展开\n\n"
        + "".join(f"{p}\n\n" for p in GRAIN)
    )
    blocks, heads = tagged_headlines(text, lambda line: headline_like(line))
    assert [h.title for h in heads] == ["全国体育工作会议在京召开", "夏粮收购全面展开"]


def test_a_long_run_of_short_lines_over_a_title_is_not_its_kicker() -> None:
    # A table's rows at the end of one story, then the next story's title: the rows
    # stay with their story; a kicker is a line or three.

    rows = ["北京", "两万人", "上海", "三万人", "广州", "一万人"]
    text = sports_then_grain("".join(f"{row}\n\n" for row in rows) + "夏粮收购全面展开\n\n")
    titles = ("全国体育工作会议在京召开", "夏粮收购全面展开")
    blocks, heads = tagged_headlines(text, lambda line: line in titles)
    assert [(h.title, h.kicker) for h in heads] == [(titles[0], None), (titles[1], None)]
    assert [b.text for b in blocks[heads[0].end : heads[1].start]] == [*SPORTS, *rows]


def test_a_title_shaped_like_a_field_is_a_title_where_the_tagger_says_so() -> None:
    # "体育产业：回顾与思考" has the shape of a form's field (a label, a colon, a short
    # value); the tagger, reading what stands around it, takes it for a title. A field
    # labelled with a form's two-character word ("地点：") is never one, whatever the
    # tagger says.

    text = (
        "全国体育工作会议在京召开\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[:2])
        + "地点：人民大会堂\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[2:])
        + "粮食收购：全面展开\n\n"
        + "".join(f"{p}\n\n" for p in GRAIN)
    )
    titles = ("全国体育工作会议在京召开", "粮食收购：全面展开")
    blocks, heads = tagged_headlines(text, lambda line: headline_like(line) or is_field(line))
    assert is_field("粮食收购：全面展开") and is_field("地点：人民大会堂")
    assert [h.title for h in heads] == list(titles)


@pytest.mark.parametrize(
    "numbered", ["２　设施建设提速", "（二）设施建设提速", "二、设施建设提速", "第二章 设施建设", "之二 设施建设提速"]
)
def test_a_numbered_line_heads_a_section_never_a_story(numbered: str) -> None:
    # Say the tagger takes it for a title: numbering orders the parts of one text.

    text = (
        "全国体育工作会议在京召开\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[:2])
        + f"{numbered}\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[2:])
    )
    blocks, heads = tagged_headlines(text, lambda line: headline_like(line))
    assert [h.title for h in heads] == ["全国体育工作会议在京召开"]


def test_a_formula_is_never_a_title() -> None:
    # Say the tagger takes it for a title: an equals sign makes a formula or a table's row.

    formula = "应分股金＝未分配利润×股份比例"
    text = "全国体育工作会议在京召开\n\n" + f"{SPORTS[0]}\n\n{formula}\n\n" + "".join(f"{p}\n\n" for p in SPORTS[1:])
    blocks, heads = tagged_headlines(text, lambda line: headline_like(line))
    assert headline_like(formula)
    assert [h.title for h in heads] == ["全国体育工作会议在京召开"]


def test_a_short_line_over_a_dash_subtitle_is_a_title_whatever_the_tagger_says() -> None:
    # Say the tagger finds no title anywhere: a short line over "——…" still opens a
    # story, with the dash line as its subtitle.

    text = sports_then_grain("粮仓里的夏天\n\n——来自产粮大县的报告\n\n")
    blocks, heads = tagged_headlines(text, lambda line: False)
    assert [(h.title, h.subtitle) for h in heads][-1] == ("粮仓里的夏天", "——来自产粮大县的报告")


def test_a_line_with_no_text_under_it_on_its_page_opens_no_story() -> None:
    # Say the tagger takes every short line for a title: the one that ends the page
    # heads nothing and stays with the story above.

    text = "全国体育工作会议在京召开\n\n" + "".join(f"{p}\n\n" for p in SPORTS) + "更多体育消息请留意本台报道\n"
    blocks, heads = tagged_headlines(text, lambda line: headline_like(line))
    assert [h.title for h in heads] == ["全国体育工作会议在京召开"]


NEWS = {
    "全国体育工作会议在京召开": SPORTS[:2],
    "夏粮收购工作全面展开": GRAIN,
    "省城新建三座湿地公园": [
        "省城今年新建的三座湿地公园本月对市民开放，园内栽种水生植物一百多种。",
        "园林部门介绍，湿地公园还承担雨水调蓄功能，汛期可蓄水二十万立方米。",
    ],
    "铁路暑运客流创新高": [
        "暑运开始以来，铁路局日均发送旅客六十万人次，比去年同期增长一成。",
        "学生和探亲旅客是暑运的主要客流，热门线路的车票提前十天售罄。",
    ],
}
NEWS_TITLES = list(NEWS)
EXTRA_STORY = [
    "为缓解运力紧张，铁路部门从下周起每天加开临时旅客列车十二对。",
    "加开的列车主要开往沿海城市和旅游景区，车票已在网上发售。",
]


def _news_page(extra: str) -> tuple[list, list]:  # type: ignore[type-arg]
    # Stories of two paragraphs: a page of one-paragraph briefs has a rule of its own.
    stories = [*NEWS.items(), (extra, EXTRA_STORY)]
    text = "".join(f"{t}\n\n" + "".join(f"{p}\n\n" for p in paras) for t, paras in stories)
    blocks = [b for b in page_blocks(text, "issue.txt", "text") if b.kind == "paragraph"]
    return blocks, [b.text for b in blocks]


def test_on_a_page_of_titles_a_line_shaped_like_them_is_a_title_at_a_lower_probability() -> None:
    # Four lines the model is sure are titles and a fifth like them it is unsure of
    # (p = 0.3): on a page whose short lines are nearly all titles, it is one too. A
    # label much shorter than the page's titles is read as the model reads it.
    from audiopaper.split.headline import find_headlines
    from audiopaper.split.tagger import Tag, page_prior

    for extra, is_title in (("铁路部门增开暑期旅客列车", True), ("人员", False)):
        blocks, texts = _news_page(extra)
        tags = [
            Tag("title", 0.9, 0.95)
            if t in NEWS_TITLES
            else Tag("subhead", 0.6, 0.3)
            if t == extra
            else Tag("body", 0.9, 0.0)
            for t in texts
        ]
        by_line = {(b.source, b.line): t for b, t in zip(blocks, page_prior(blocks, tags), strict=True)}
        titles = [h.title for h in find_headlines(blocks, tags=by_line)]
        assert titles == NEWS_TITLES + [extra] * is_title


def test_on_a_page_of_sub_heads_the_threshold_stays() -> None:
    # Most short lines of an essay are its sub-heads: the page gives no reason to read
    # an unsure line as a title.
    from audiopaper.split.tagger import TITLE_P, Tag, page_prior

    blocks, texts = _news_page("铁路部门增开暑期旅客列车")
    tags = [
        Tag("title", 0.9, 0.95)
        if t == NEWS_TITLES[0]
        else Tag("subhead", 0.6, 0.3)
        if len(t) < 20
        else Tag("body", 0.9, 0.0)
        for t in texts
    ]
    assert all(t.threshold == TITLE_P for t in page_prior(blocks, tags))


def test_a_lists_entry_is_never_a_title() -> None:
    # Say the tagger takes every short line for a title: a label, a colon and a list of
    # names ("东区：…、…、…") is an entry of the story's list, not a story.

    entries = ["东区：体育公园、游泳馆、网球中心", "西区：滨江步道、篮球公园、射击馆"]
    text = (
        "全国体育工作会议在京召开\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[:2])
        + "".join(f"{e}\n\n" for e in entries)
        + "".join(f"{p}\n\n" for p in SPORTS[2:])
    )
    blocks, heads = tagged_headlines(text, lambda line: headline_like(line))
    assert [h.title for h in heads] == ["全国体育工作会议在京召开"]


def test_a_short_line_over_a_tagged_title_is_its_kicker_only_if_it_leads_on() -> None:
    # A line that closes a speech stays with the story above; a series label that ends
    # in a colon leads into the title under it.

    titles = ["全国体育工作会议在京召开", "夏粮收购全面展开"]
    for above, kicker in (("谢谢大家！", None), ("丰收在望系列报道之三：", "丰收在望系列报道之三：")):
        text = (
            f"{titles[0]}\n\n"
            + "".join(f"{p}\n\n" for p in SPORTS)
            + f"{above}\n\n{titles[1]}\n\n"
            + "".join(f"{p}\n\n" for p in GRAIN)
        )
        blocks, heads = tagged_headlines(text, lambda line: line in titles)
        assert [(h.title, h.kicker) for h in heads] == [(titles[0], None), (titles[1], kicker)]


@pytest.mark.parametrize("credit", ["作者：王明 （来源：衡阳日报）", "图片提供／李华", "本报见习记者王明"])
def test_a_credit_under_body_text_closes_the_story_and_the_line_under_it_opens_one(credit: str) -> None:
    # The tagger finds no title anywhere: a credit or a reporter's name under the end of
    # a story signs it off, so the short line under it opens the next one.
    text = sports_then_grain(f"{credit}\n\n夏粮收购全面展开\n\n")
    blocks, heads = tagged_headlines(text, lambda line: False)
    assert [h.title for h in heads] == ["全国体育工作会议在京召开", "夏粮收购全面展开"]
    assert "credit" in heads[-1].why  # split --explain says why


def test_a_text_and_picture_credit_heads_a_section_and_closes_nothing() -> None:
    # "文／… 图／…" credits the text under it: the short line after it is a sub-head.
    text = sports_then_grain("文／记者 王明 图／记者 李华\n\n夏粮收购\n\n")
    blocks, heads = tagged_headlines(text, lambda line: False)
    assert [h.title for h in heads] == ["全国体育工作会议在京召开"]


def test_a_short_line_over_a_byline_of_bare_names_and_the_lead_is_a_title() -> None:
    # The tagger finds no title anywhere: an essay's title over its author's name (no
    # "记者", no dateline) and the lead still opens a story; the names stay with it.
    text = sports_then_grain("粮仓里的夏天\n\n王明 李华\n\n")
    blocks, heads = tagged_headlines(text, lambda line: False)
    assert [h.title for h in heads] == ["全国体育工作会议在京召开", "粮仓里的夏天"]
    assert blocks[heads[-1].end].text == "王明 李华"


def test_a_reports_lead_in_over_its_headline_opens_a_story() -> None:
    # The tagger finds no title anywhere: "…会议上强调" leads into the headline under it.
    text = sports_then_grain("省长在全省粮食工作会议上强调\n\n夏粮收购要敞开收购\n\n")
    blocks, heads = tagged_headlines(text, lambda line: False)
    assert [(h.title, h.subtitle) for h in heads][-1] == ("省长在全省粮食工作会议上强调", "夏粮收购要敞开收购")


@pytest.mark.parametrize("note", ["註: 此稿19:45更新內容", "编者按：本文有删节"])
def test_a_note_on_the_story_is_never_a_title(note: str) -> None:
    # Say the tagger takes the note closing a story for a title: it is still the end of
    # that story, and the title under it opens the next.
    text = sports_then_grain(f"{note}\n\n夏粮收购全面展开\n\n")
    blocks, heads = tagged_headlines(text, lambda line: line in (note, "夏粮收购全面展开"))
    assert [h.title for h in heads] == ["全国体育工作会议在京召开", "夏粮收购全面展开"]


def test_a_tagged_title_among_the_storys_sub_heads_is_read_as_one_of_them() -> None:
    # The tagger takes "竞技体育保持优势" for a title and the sub-head above it for a
    # sub-head. Read as a group, they are two sections of one story: the text under the
    # line repeats half of the story's title (below the 60 % that settles it alone).
    # The next story's title stands after the same sub-heads, but its text says
    # something new. Alone, beside a table's rows (short lines in a run, not between
    # paragraphs) or over a byline (a bare name, a byline by where it stands: the
    # tagger's reading), the line stays a title.

    section = "代表们在会议上说，全国体育工作要两手抓，竞技体育保持优势。\n\n"
    sub_head = "全民健身成效明显\n\n"

    def page(sub: str, under: str) -> str:
        return (
            "全国体育工作会议在京召开\n\n"
            + f"{SPORTS[0]}\n\n{sub}{SPORTS[1]}\n\n"
            + f"竞技体育保持优势\n\n{under}"
            + "".join(f"{p}\n\n" for p in SPORTS[2:])
            + "夏粮收购全面展开\n\n"
            + "".join(f"{p}\n\n" for p in GRAIN)
        )

    titles = ("全国体育工作会议在京召开", "竞技体育保持优势", "夏粮收购全面展开")
    sections: dict[int, str] = {}
    blocks, heads = tagged_headlines(page(sub_head, section), lambda line: line in titles, sections)
    assert [h.title for h in heads] == [titles[0], titles[2]]
    assert [blocks[k].text for k in sections] == [titles[1]]
    assert "sub-heads" in next(iter(sections.values()))

    for text in (page("", section), page("北京\n\n两万人\n\n", section), page(sub_head, "王明\n\n" + section)):
        blocks, heads = tagged_headlines(text, lambda line: line in titles, bylines=("王明",))
        assert [h.title for h in heads] == list(titles)


def test_a_bare_wire_dateline_under_body_text_closes_the_story_above() -> None:
    # The tagger reads every line as body text. A wire dateline alone on its line under
    # the last paragraph is the story's closing credit, so the short line under it
    # opens the next story. Over a story's lead, the same line is that story's dateline
    # and opens nothing of its own.
    title = "全国体育工作会议在京召开"
    closed = sports_then_grain("新华社北京3月14日电\n\n夏粮收购全面展开\n\n")
    _, heads = tagged_headlines(closed, lambda line: False)
    assert [h.title for h in heads] == [title, "夏粮收购全面展开"]

    opening = f"{title}\n\n新华社北京3月14日电\n\n" + "".join(f"{p}\n\n" for p in SPORTS)
    _, heads = tagged_headlines(opening, lambda line: False)
    assert [h.title for h in heads] == [title]


def test_the_next_entry_of_a_list_is_never_a_title() -> None:
    # The tagger takes the list's last entry, a place and one school, for a title. Right
    # under another entry it is the list going on; the story's own title after the
    # list still opens the next story.
    entries = ["东城区：和平里第四小学", "西城区：育才学校、实验二小", "朝阳区：团结湖中学"]
    text = (
        "全国体育工作会议在京召开\n\n"
        + f"{SPORTS[0]}\n\n首批体育传统项目学校名单如下：\n\n"
        + "".join(f"{e}\n\n" for e in entries)
        + "夏粮收购全面展开\n\n"
        + "".join(f"{p}\n\n" for p in GRAIN)
    )
    _, heads = tagged_headlines(text, lambda line: line in (entries[-1], "夏粮收购全面展开"))
    assert [h.title for h in heads] == ["全国体育工作会议在京召开", "夏粮收购全面展开"]


REPORTS = [
    ("广东一所中学二十余名学生疑似食物中毒", "12月24日傍晚，广东省梅州市一所中学发生一起疑似食物中毒事件。"),
    ("哈尔滨一所学院部分学生食物中毒", "１０日上午，哈尔滨一所学院陆续有一百多名学生因呕吐到医院就诊。"),
    ("北京一工地四十余名工人集体呕吐", "昨天上午，北京市海淀区一工地部分工人食用扁豆后先后出现呕吐症状。"),
    ("西单购物中心凌晨发生火灾", "6月14日凌晨，北京市西单购物中心发生火灾，所幸未有人员伤亡。"),
]
REPORT_BODY = "目前，有关部门正在调查事件的原因，伤者都在医院接受治疗。"


def test_on_a_page_of_news_reports_a_short_line_over_a_dated_lead_opens_a_story() -> None:
    # The tagger finds the first, third and fourth titles and reads the second as body
    # text (a sub-head, by its words). Every story found opens with its date, so the
    # page is one of news reports: the short line between two paragraphs over a dated
    # lead ("１０日上午，…") opens a story. Where one story found opens otherwise, the
    # page may have sub-heads, and the tagger's reading stands.
    def page(reports: list[tuple[str, str]]) -> str:
        return "".join(f"{title}\n\n{lead}\n\n{REPORT_BODY}\n\n" for title, lead in reports)

    missed = REPORTS[1][0]
    _, heads = tagged_headlines(page(REPORTS), lambda line: line in (REPORTS[2][0], REPORTS[3][0]))
    assert [h.title for h in heads] == [title for title, _ in REPORTS]
    assert "news reports" in heads[1].why

    undated = [*REPORTS[:3], (REPORTS[3][0], "北京市西单购物中心发生火灾，所幸未有人员伤亡。")]
    _, heads = tagged_headlines(page(undated), lambda line: line in (REPORTS[2][0], REPORTS[3][0]))
    assert missed not in [h.title for h in heads]


@pytest.mark.parametrize(
    "title",
    [
        "再创辉煌——一九九五年我国体育运动成绩综述",
        "深化干部人事制度改革势在必行——访中共中央组织部负责同志谈干部选拔任用工作中的几个问题",
    ],
)
def test_a_title_with_its_subtitle_run_into_the_line_opens_a_story(title: str) -> None:
    # The tagger reads the line as body text; a title and a "——…" subtitle on one line
    # between two paragraphs is a story's headline, short or long.
    text = "全国体育工作会议在京召开\n\n" + "".join(f"{p}\n\n" for p in SPORTS) + f"{title}\n\n"
    text += "".join(f"{p}\n\n" for p in GRAIN)
    _, heads = tagged_headlines(text, lambda line: False)
    assert [h.title for h in heads] == ["全国体育工作会议在京召开", title]


@pytest.mark.parametrize("sub_head", ["超越——永恒的魅力之所在", "特区未来的发展方向——三个转变"])
def test_a_sub_head_with_a_dash_stays_in_its_story(sub_head: str) -> None:
    # A word on one side of the dash ("超越——…", "…——三个转变") is a sub-head's shape.
    text = "全国体育工作会议在京召开\n\n" + "".join(f"{p}\n\n" for p in SPORTS[:2]) + f"{sub_head}\n\n"
    text += "".join(f"{p}\n\n" for p in SPORTS[2:])
    _, heads = tagged_headlines(text, lambda line: False)
    assert [h.title for h in heads] == ["全国体育工作会议在京召开"]


TALENT = [
    "这些年来，不少基层体校生源不足，教练员待遇偏低，一些项目的苗子越来越难找。",
    "一位老教练说，过去一个县体校能招上百名学生，如今报名的孩子只有二三十个。",
    "家长们担心孩子练体育耽误文化课，将来升学和就业没有保障，宁愿送去补习班。",
    "业余训练的场地也在减少，一些学校的操场被改作他用，孩子们课后没有地方练球。",
    "有的地方尝试把训练放进中小学，让孩子在本校就能得到教练的指导，效果不错。",
    "还有的地方与高校合作，为优秀的年轻选手打通升学的路子，解除家长的后顾之忧。",
    "专家认为，选材要从娃娃抓起，更要让孩子喜欢运动，不能只盯着几块奖牌看。",
    "体校的文化课教学也要跟上，让练体育的孩子同样能读好书，走好今后的路。",
    "社会力量办体育也是一条路子，一些俱乐部已经培养出了全国冠军，值得总结推广。",
    "说到底，孩子们有地方练、有人教、有出路，好苗子自然会一茬接一茬地冒出来。",
]


def _paras(lines: list[str]) -> str:
    return "".join(f"{p}\n\n" for p in lines)


def test_a_line_after_the_opening_whose_text_goes_on_about_the_title_is_the_first_section() -> None:
    # The tagger takes "后备人才从哪里来" for a title. It comes after the story's one
    # opening paragraph, a sub-head follows it, and the text it would head comes back
    # to the story's title (the meeting): it is the story's first section. The 300
    # characters right under it say nothing of the title, so no cue that reads only
    # them settles it. After a full story, or with no sub-head after it, it is a title.
    title, line = "全国体育工作会议在京召开", "后备人才从哪里来"
    tail = (
        "全民健身成效明显\n\n"
        "出席全国体育工作会议的代表说，全民健身工作会议部署的任务正在各地落实。\n\n"
        "全国体育工作会议在京召开期间，代表们还参观了北京的社区健身设施。\n\n"
    )

    def page(opening: list[str], sub_head: bool = True) -> str:
        under = _paras(TALENT) + (tail if sub_head else tail.split("\n\n", 1)[1])
        return f"{title}\n\n" + _paras(opening) + f"{line}\n\n" + under + "夏粮收购全面展开\n\n" + _paras(GRAIN)

    sections: dict[int, str] = {}
    blocks, heads = tagged_headlines(page(SPORTS[:1]), lambda text: text in (title, line, "夏粮收购全面展开"), sections)
    assert [h.title for h in heads] == [title, "夏粮收购全面展开"]
    assert [blocks[k].text for k in sections] == [line]
    assert "first section" in next(iter(sections.values()))

    for text in (page(SPORTS * 4), page(SPORTS[:1], sub_head=False)):
        _, heads = tagged_headlines(text, lambda text: text in (title, line, "夏粮收购全面展开"))
        assert [h.title for h in heads] == [title, line, "夏粮收购全面展开"]


def test_a_line_the_story_above_names_word_for_word_heads_a_section_of_it() -> None:
    # An essay's summary names its parts ("本文建议：……要办好体育传统项目学校……"); the
    # tagger takes the line that heads that part, far down the essay, for a title. The
    # next story's title, which the essay quotes as another article's, is one.
    title, line = "全国体育工作会议在京召开", "要办好体育传统项目学校"
    summary = (
        "本文建议：要加强后备人才的培养，要办好体育传统项目学校，要让更多孩子爱上运动。"
        "粮食的事另见本版《夏粮收购全面展开》。"
    )
    text = (
        f"{title}\n\n{summary}\n\n"
        + _paras(SPORTS * 4)
        + f"{line}\n\n"
        + _paras(TALENT)
        + "夏粮收购全面展开\n\n"
        + _paras(GRAIN)
    )
    sections: dict[int, str] = {}
    blocks, heads = tagged_headlines(text, lambda text: text in (title, line, "夏粮收购全面展开"), sections)
    assert [h.title for h in heads] == [title, "夏粮收购全面展开"]
    assert [blocks[k].text for k in sections] == [line]

    _, heads = tagged_headlines(
        text.replace(summary, SPORTS[0]), lambda text: text in (title, line, "夏粮收购全面展开")
    )
    assert [h.title for h in heads] == [title, line, "夏粮收购全面展开"]


def test_a_row_of_a_form_heads_no_story() -> None:
    # A volunteers' form under its title: rows and options, not one sentence. The
    # tagger takes the form's title and one row of options for titles; the row heads
    # no text, so it stays in the form. The next story, with sentences under it, opens.
    form = "“送双运动鞋”公益行动志愿者登记表"
    row = "工作日的上午 工作日的下午"
    text = (
        "全国体育工作会议在京召开\n\n"
        + _paras(SPORTS)
        + f"{form}\n\n个人信息\n\n愿意参加的服务（请画勾，可多选）\n\n宣传发动工作 学校考察\n\n"
        + f"服务时间选择（请画勾，可多选）\n\n{row}\n\n周六的上午 周六的下午\n\n其它\n\n"
        + "夏粮收购全面展开\n\n"
        + _paras(GRAIN)
    )
    titles = ("全国体育工作会议在京召开", form, row, "夏粮收购全面展开")
    _, heads = tagged_headlines(text, lambda text: text in titles)
    assert [h.title for h in heads] == [titles[0], form, "夏粮收购全面展开"]


def test_a_related_report_with_its_own_dateline_after_the_opening_is_a_section() -> None:
    # A web story: the title, one opening paragraph, then a related report under a
    # short line with its own "本报讯" lead, among the story's sub-heads, its text going
    # on about the story's title. The dateline would open a story by layout alone;
    # here the report is a section. After a full story the same line opens one.
    title, line = "全国体育工作会议在京召开", "代表热议后备人才"
    tail = (
        "全民健身成效明显\n\n"
        "出席全国体育工作会议的代表说，全民健身工作会议部署的任务正在各地落实。\n\n"
        "全国体育工作会议在京召开期间，代表们还参观了北京的社区健身设施。\n\n"
    )

    def page(opening: list[str]) -> str:
        report = _paras([f"本报讯（记者王明）{TALENT[0]}", *TALENT[1:]]) + tail
        return f"{title}\n\n" + _paras(opening) + f"{line}\n\n" + report + "夏粮收购全面展开\n\n" + _paras(GRAIN)

    sections: dict[int, str] = {}
    blocks, heads = tagged_headlines(page(SPORTS[:1]), lambda text: text in (title, "夏粮收购全面展开"), sections)
    assert [h.title for h in heads] == [title, "夏粮收购全面展开"]
    assert [blocks[k].text for k in sections] == [line]

    _, heads = tagged_headlines(page(SPORTS * 4), lambda text: text in (title, "夏粮收购全面展开"))
    assert [h.title for h in heads] == [title, line, "夏粮收购全面展开"]


def test_explain_says_why_a_line_taken_for_a_title_is_none() -> None:
    # The tagger takes a note and a list's last entry for titles; the rules overrule
    # both. An editor reading --explain sees which rule did it, not only the tagger's
    # reading, on the lines left in the story.
    from audiopaper.split import explain
    from audiopaper.split.headline import plan
    from audiopaper.split.tagger import Tag

    note, entry = "编者按：本文有删节", "朝阳区：团结湖中学"
    text = (
        "全国体育工作会议在京召开\n\n"
        + f"{SPORTS[0]}\n\n名单如下：\n\n东城区：和平里第四小学\n\n{entry}\n\n"
        + "".join(f"{p}\n\n" for p in SPORTS[1:])
        + f"{note}\n\n夏粮收购全面展开\n\n"
        + "".join(f"{p}\n\n" for p in GRAIN)
    )
    titles = (note, entry, "夏粮收购全面展开")
    overruled: dict[int, str] = {}
    blocks, heads = tagged_headlines(text, lambda line: line in titles, overruled=overruled)
    assert [h.title for h in heads] == ["全国体育工作会议在京召开", "夏粮收购全面展开"]
    tags = {(b.source, b.line): Tag("title", 0.9, 0.9 if b.text in titles else 0.0) for b in blocks}
    notes = {n.text: n for n in explain.notes(blocks, blocks, plan(blocks), heads, tags, {}, overruled)}
    assert notes[note].label == "body" and notes[note].why.startswith("never a headline: ")
    assert notes[entry].label == "body" and "next entry of the list" in notes[entry].why
    assert notes["夏粮收购全面展开"].label == "headline"
