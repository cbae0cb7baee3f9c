"""One table per editorial rule of the splitter."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiopaper import split
from audiopaper.ingest import page_blocks
from audiopaper.models import Issue, SplitResult
from audiopaper.split.byline import (
    continued_from,
    continued_to,
    is_wire_close,
    parse_author,
    parse_credit,
    parse_dateline,
)
from audiopaper.split.rules import clause_title, dangles, headline_like, imbalance, is_date_line
from audiopaper.split.words import cuts_word

LEAD = "衡阳日报讯（记者 张三）今天上午，全市安全生产工作会议召开，会议部署了春节期间的安全生产工作。"
BODY = "会议要求，各地各部门要压紧压实责任，确保人民群众过一个安全祥和的春节。"


def split_text(text: str, name: str = "issue.md") -> SplitResult:
    return split.split(Issue(sources=(Path(name),), blocks=tuple(page_blocks(text, name))))


def texts(result: SplitResult, index: int = 1) -> list[str]:
    return [p.text for p in result.articles[index - 1].paragraphs]


# --- bylines and datelines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "dateline", "byline", "rest"),
    [
        (
            "衡阳日报讯（全媒体记者 向吟吟）近日，省政府通报表彰。",
            "衡阳日报讯",
            "全媒体记者 向吟吟",
            "近日，省政府通报表彰。",
        ),
        (
            "本报讯（记者 李明 通讯员 王芳）1月25日，会议开幕。",
            "本报讯",
            "记者 李明 通讯员 王芳",
            "1月25日，会议开幕。",
        ),
        ("新华社北京6月11日电 国务院常务会议召开。", "新华社北京6月11日电", None, "国务院常务会议召开。"),
        (
            "新华社北京6月11日电（记者 赵刚）国务院常务会议召开。",
            "新华社北京6月11日电",
            "记者 赵刚",
            "国务院常务会议召开。",
        ),
        ("央视网消息（新闻联播）：北京冬奥组委今天发布消息。", "央视网消息", "新闻联播", "北京冬奥组委今天发布消息。"),
        ("衡阳日报讯（周明韬 通讯员 周运动）受冷空气影响。", "衡阳日报讯", "周明韬 通讯员 周运动", "受冷空气影响。"),
        # Wire agencies, days written in words, a country after the city.
        ("法新社日内瓦二十一日电　联合国难民署今天表示。", "法新社日内瓦二十一日电", None, "联合国难民署今天表示。"),
        ("路透社奥克兰（新西兰）5日电 新西兰总理今天说。", "路透社奥克兰（新西兰）5日电", None, "新西兰总理今天说。"),
        # A web site's report (…在线消息), and the aggregators' 信息 for 讯.
        ("国际在线消息（记者 王方）：联合国今天宣布。", "国际在线消息", "记者 王方", "联合国今天宣布。"),
        ("京华时报8月27日信息：(记者 赵明)昨天上午，工地停工。", "京华时报8月27日信息", "记者 赵明", "昨天上午，工地停工。"),
        # The agency's line in brackets at the head of the lead.
        ("（美联社东京十二月三日电）日本央行今天宣布。", "美联社东京十二月三日电", None, "日本央行今天宣布。"),
    ],
)
def test_datelines(text: str, dateline: str, byline: str | None, rest: str) -> None:
    found = parse_dateline(text)
    assert found is not None
    assert (found.dateline, found.byline, found.rest) == (dateline, byline, rest)


@pytest.mark.parametrize(
    "text",
    [
        "本报记者从市电力公司获悉，今年以来全市用电量增长。",
        "新华社发布的消息显示，全国春运客流平稳。",
        "新华网信息显示，全国春运客流平稳。",
        "近日，衡阳日报社举办通讯员培训班。",
        "国家电网公司近日召开会议。",
        # Quoting an agency inside a story is no dateline; a bracketed line alone
        # closes the story above (see is_wire_close).
        "据新华社电　市场交易平稳。",
        "（新华社北京3月11日电）",
    ],
)
def test_not_datelines(text: str) -> None:
    assert parse_dateline(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（新华社北京3月11日电）", True),
        ("（法新社巴黎二十日电）", True),
        ("（完）", True),
        ("（本报记者 张三）", False),
        ("（图片由市文明办提供）", False),
        ("新华社北京3月11日电 会议召开。", False),
    ],
)
def test_wire_closing_lines(text: str, expected: bool) -> None:
    assert is_wire_close(text) is expected


@pytest.mark.parametrize(
    ("text", "byline"),
    [
        ("■衡阳日报社全媒体记者 王靖 通讯员 邱红燕 谢琼", "衡阳日报社全媒体记者 王靖 通讯员 邱红燕 谢琼"),
        ("本报记者 刘洋 通讯员 陈晨", "本报记者 刘洋 通讯员 陈晨"),
        ("文/图 张三", "文/图 张三"),
        ("（记者 李四）", "记者 李四"),
        ("■通讯员 邓威 摄", None),
        ("记者从市交通局获悉，春运首日发送旅客5万人次。", None),
        ("通讯员培训班开班", None),
    ],
)
def test_author_lines(text: str, byline: str | None) -> None:
    assert parse_author(text) == byline


@pytest.mark.parametrize(
    ("text", "credit"),
    [
        ("■通讯员 邓威 摄", "通讯员 邓威 摄"),
        ("（记者 张三 摄）", "记者 张三 摄"),
        ("本报记者 刘洋 摄", "本报记者 刘洋 摄"),
        ("图/李四", "图/李四"),
        ("他拿起相机拍摄了现场。", None),
        ("■衡阳日报社全媒体记者 王靖", None),
    ],
)
def test_photo_credits(text: str, credit: str | None) -> None:
    assert parse_credit(text) == credit


@pytest.mark.parametrize(
    ("text", "marker", "rest"),
    [
        ("（上接第一版）", "（上接第一版）", ""),
        ("（上接A1版）创新能力日益提升。", "（上接A1版）", "创新能力日益提升。"),
        ("(上接第2版)", "(上接第2版)", ""),
        ("创新能力日益提升。", None, "创新能力日益提升。"),
    ],
)
def test_continued_from_markers(text: str, marker: str | None, rest: str) -> None:
    assert continued_from(text) == (marker, rest)


@pytest.mark.parametrize(
    ("text", "marker", "rest"),
    [
        ("提供先进理念与发展思路，（下转第二版）", "（下转第二版）", "提供先进理念与发展思路，"),
        ("（下转A3版）", "（下转A3版）", ""),
        ("（下转第二版）后面还有字", None, "（下转第二版）后面还有字"),
    ],
)
def test_continued_to_markers(text: str, marker: str | None, rest: str) -> None:
    assert continued_to(text) == (marker, rest)


# --- character rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lead", "expected"),
    [
        ("筑牢三重防线 深化标本兼治", False, True),
        ("寒潮来了，市应急管理局发布安全提示", False, True),
        ("“护航‘中心化’答卷2021”系列报道之三：", False, False),
        ("“护航‘中心化’答卷2021”系列报道之三：", True, True),
        ("市纪委监委一体统筹谋划、协调推进“三不”机制建设——", True, True),
        ("会议要求，各地要压紧责任，确保安全。", False, False),
        ("一年来，我市坚持产业是根基，项目是抓手", False, False),
        ("2022年1月27日", False, False),
        ("组织、人", False, True),
    ],
)
def test_headline_shape(text: str, lead: bool, expected: bool) -> None:
    assert headline_like(text, allow_lead=lead) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("提供先进理念与发展思路，", True),
        ("从组织架构、制度建", True),
        ("产品创新强基项目、", True),
        ("填补了国内空白。", False),
        ("万事如意！", False),
        ("在此，我们发出以下倡议：", False),
        ("“老干部是党和国家的宝贵财富。”", False),
        ("利用“互联网+监督”平台整治“舌尖上的腐败”……", False),
    ],
)
def test_dangling_paragraphs(text: str, expected: bool) -> None:
    assert dangles(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年1月27日", True),
        ("二〇二二年一月二十七日", True),
        ("2022.1.27", True),
        ("2022年1月27日上午", False),
        ("1月27日", False),
        ("2022.1.27，会议召开。", False),
    ],
)
def test_date_lines(text: str, expected: bool) -> None:
    assert is_date_line(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("“因高校学生", 1), ("特点。”衡汽集团", 1), ("“学生客”", 0), ("《方案》（试行）", 0), ("（包括“政法篇", 2)],
)
def test_unmatched_marks(text: str, expected: int) -> None:
    assert imbalance(text) == expected


@pytest.mark.parametrize(
    ("caption", "title"),
    [
        (
            "连日来，为保障农民工平安顺利返乡，蒸湘区雨母山镇提供核酸检测“上门服务”，检测结果出来后送到农民工手上。",
            "蒸湘区雨母山镇提供核酸检测“上门服务”",
        ),
        ("1月26日，市民在南岳景区赏雪。", "市民在南岳景区赏雪"),
    ],
)
def test_titles_made_for_photos(caption: str, title: str) -> None:
    assert clause_title(caption) == title


# --- headline blocks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kicker", "title", "subtitle"),
    [
        (f"# 主题\n\n副题一行\n\n{LEAD}\n", None, "主题", "副题一行"),
        (f"引题一行\n\n## 主题\n\n{LEAD}\n", "引题一行", "主题", None),
        (
            f"系列报道之三：\n\n专项行动推进——\n\n## 主题\n\n### 副题\n\n{LEAD}\n",
            "系列报道之三：专项行动推进——",
            "主题",
            "副题",
        ),
        (f"### 引题\n\n# 主题\n\n## 副题\n\n{LEAD}\n", "引题", "主题", "副题"),
        (f"## 倡议书\n\n广大市民朋友们：\n\n{BODY}\n", None, "倡议书", None),
    ],
    ids=["subtitle-line", "kicker-line", "kicker-lead-marks", "founder-h3-h1-h2", "salutation-is-body"],
)
def test_headline_blocks(text: str, kicker: str | None, title: str, subtitle: str | None) -> None:
    article = split_text(text).articles[0]
    assert (article.kicker, article.title, article.subtitle) == (kicker, title, subtitle)


def test_kicker_lines_leave_the_previous_article() -> None:
    result = split_text(f"## 第一篇\n\n{LEAD}\n\n系列报道之三：\n\n引题——\n\n## 第二篇\n\n{BODY}\n")
    assert texts(result, 1) == [LEAD.split("）", 1)[1]]
    assert result.articles[1].kicker == "系列报道之三：引题——"


def test_a_short_last_line_stays_with_its_article() -> None:
    # A signature, a credit or the end of a list above the next marked title is the
    # end of the story before, not the next one's kicker.
    for tail in ("陈建民", "图表绘制：张莉", "宋庆龄（蜡像）"):
        result = split_text(f"## 第一篇\n\n{LEAD}\n\n{tail}\n\n## 第二篇\n\n{BODY}\n")
        assert texts(result, 1)[-1] == tail and result.articles[1].kicker is None


def test_a_plain_kicker_at_the_top_of_a_page_is_kept() -> None:
    result = split_text(f"湖北嘉鱼县加快发展现代农业\n\n## 三产融合，蔬菜产业助增收\n\n{BODY}\n")
    assert result.articles[0].kicker == "湖北嘉鱼县加快发展现代农业"


def test_h3_under_title_is_subtitle_but_inside_body_is_a_section() -> None:
    result = split_text(f"## 主题\n\n### 副题\n\n{LEAD}\n\n### 小节一\n\n{BODY}\n")
    article = result.articles[0]
    assert article.subtitle == "副题"
    assert [(p.role, p.text) for p in article.paragraphs][1] == ("heading", "小节一")


def test_h3_after_byline_is_a_section() -> None:
    result = split_text(f"## 主题\n\n■本报记者 王五\n\n### 小节一\n\n{BODY}\n")
    article = result.articles[0]
    assert article.subtitle is None and article.byline == "本报记者 王五"
    assert article.paragraphs[0].role == "heading"


def test_repeated_h3_right_under_title_are_sections() -> None:
    result = split_text(f"## 主题\n\n### 小节一\n\n{BODY}\n\n### 小节二\n\n{BODY}\n")
    assert result.articles[0].subtitle is None
    assert [p.role for p in result.articles[0].paragraphs] == ["heading", "body", "heading", "body"]


def test_bold_paragraph_is_a_section_heading() -> None:
    result = split_text(f"## 主题\n\n{LEAD}\n\n**精准服务 助企成长**\n\n{BODY}\n")
    assert [(p.role, p.text) for p in result.articles[0].paragraphs][1] == ("heading", "精准服务 助企成长")


def test_round_up_of_briefs_stays_one_item() -> None:
    text = (
        "## 快讯\n\n**市图书馆春节不打烊**\n\n本报讯（记者 甲）春节期间，市图书馆正常开放。\n\n"
        "**南岳景区实行预约游览**\n\n本报讯（记者 乙）即日起，南岳景区实行预约游览。\n"
    )
    result = split_text(text)
    assert len(result.articles) == 1
    brief = result.articles[0]
    assert brief.kind == "brief" and brief.byline is None
    assert [p.role for p in brief.paragraphs] == ["heading", "body", "heading", "body"]
    assert brief.paragraphs[1].text.startswith("本报讯（记者 甲）")


# --- paragraph repair --------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (
            "实行“一周一例会、一月一调度、一季一讲评”，从组织架构、制度建",
            "设、要素保障等多方面强化服务。",
            ["实行“一周一例会、一月一调度、一季一讲评”，从组织架构、制度建设、要素保障等多方面强化服务。"],
        ),
        ("推进重大项目、", "科技创新攻关项目等5个专项。", ["推进重大项目、科技创新攻关项目等5个专项。"]),
        ("活动全部结束。", "第二天又开始了。", ["活动全部结束。", "第二天又开始了。"]),
        (
            "项目组介绍，the speech model was trained with",
            "PyTorch and exported to ONNX.",
            ["项目组介绍，the speech model was trained with PyTorch and exported to ONNX."],
        ),
        ("他说：", "“好。”", ["他说：", "“好。”"]),
    ],
    ids=["mid-word", "after-comma", "finished", "latin-space", "colon"],
)
def test_joins(first: str, second: str, expected: list[str]) -> None:
    result = split_text(f"## 主题\n\n{LEAD}\n\n{first}\n\n{second}\n")
    assert texts(result)[1:] == expected
    assert len([r for r in result.repairs if r.kind == "join"]) == (len(expected) == 1)


def test_list_item_is_joined_to_its_continuation() -> None:
    result = split_text("## 倡议书\n\n- 第一条。\n- 积极宣传，做时代新风的倡导者。积\n\n极向亲朋好友宣传。\n")
    assert [(p.role, p.text) for p in result.articles[0].paragraphs] == [
        ("list_item", "第一条。"),
        ("list_item", "积极宣传，做时代新风的倡导者。积极向亲朋好友宣传。"),
    ]


def test_headline_lines_are_not_joined() -> None:
    result = split_text(f"## 主题没有标点\n\n副题也没有标点\n\n{LEAD}\n")
    article = result.articles[0]
    assert (article.title, article.subtitle) == ("主题没有标点", "副题也没有标点")
    assert not result.repairs


def test_no_join_across_a_section_heading() -> None:
    result = split_text(f"## 主题\n\n说到这里，\n\n### 小节\n\n{BODY}\n")
    assert texts(result) == ["说到这里，", "小节", BODY]


# --- continuations and stray passages ----------------------------------------------


def test_continuation_marker_alone_is_its_own_item() -> None:
    result = split_text(f"## 主题\n\n{LEAD}\n\n（上接第一版）\n\n{BODY}\n")
    assert [a.kind for a in result.articles] == ["article", "continuation"]
    # named after its own first clause, never after the jump marker (issue #10)
    assert result.articles[1].title == "会议要求（续）"
    assert texts(result, 2) == [BODY]


def test_both_halves_of_a_jump_are_joined() -> None:
    text = (
        "## 头版文章\n\n本报讯（记者 甲）第一段完整。\n\n第二段说到一半，（下转第二版）\n\n"
        "## 另一篇\n\n另一篇的正文。\n\n（上接第一版）\n\n接着说完了第二段。\n\n第三段。\n"
    )
    result = split_text(text)
    assert [a.title for a in result.articles] == ["头版文章", "另一篇"]
    assert texts(result, 1) == ["第一段完整。", "第二段说到一半，接着说完了第二段。", "第三段。"]
    assert [r.kind for r in result.repairs] == ["merge"]


def test_passage_after_a_signature_goes_back_where_it_was_cut() -> None:
    text = (
        "## 甲文\n\n甲文第一段写得很长，一直写到了版面的最底下，排版时这一段说到一半\n\n"
        "## 通告\n\n特此通告。\n\n某某单位  \n2022年1月27日\n\n"
        "就被排到了这里。\n"
    )
    result = split_text(text)
    assert texts(result, 1) == ["甲文第一段写得很长，一直写到了版面的最底下，排版时这一段说到一半就被排到了这里。"]
    assert [(p.role, p.text) for p in result.articles[1].paragraphs] == [
        ("body", "特此通告。"),
        ("signature", "某某单位"),
        ("signature", "2022年1月27日"),
    ]
    assert [r.kind for r in result.repairs] == ["reattach"]


def test_stray_passage_with_no_home_stays_and_is_reported() -> None:
    text = "## 通告\n\n特此通告。\n\n某某单位  \n2022年1月27日\n\n没有归属的一段话。\n"
    result = split_text(text)
    assert [a.kind for a in result.articles] == ["notice", "continuation"]
    assert result.warnings and "no story" in result.warnings[0]


# --- layout debris -----------------------------------------------------------------

SOURCE = "## 甲文\n\n一年来，拍摄了10多部警示教育片，在全市累计播放1020场次，观看人数达10余万人次。\n\n同时，我市召开通报会。\n\n"


def test_spliced_duplicate_is_removed_and_the_sentence_rejoined() -> None:
    text = SOURCE + (
        "## 乙文\n\n“因高校学生错峰返乡，眼下，节前客流以省内中短途场次，观看人数达10余万人次。\n\n"
        "务工流为主。”负责人告诉记者。\n"
    )
    result = split_text(text)
    assert texts(result, 2) == ["“因高校学生错峰返乡，眼下，节前客流以省内中短途务工流为主。”负责人告诉记者。"]
    assert "1020场次，观看人数达10余万人次。" in texts(result, 1)[0]
    assert [(r.kind, r.article) for r in result.repairs] == [("remove", 2), ("join", 2)]


def test_shared_phrase_is_not_debris() -> None:
    text = SOURCE + "## 乙文\n\n乙文也提到，观看人数达10余万人次。\n"
    result = split_text(text)
    assert texts(result, 2) == ["乙文也提到，观看人数达10余万人次。"]
    assert not result.repairs


def test_duplicate_without_a_broken_sentence_is_left_and_reported() -> None:
    text = SOURCE + "## 乙文\n\n据统计累计播放1020场次，观看人数达10余万人次。\n"
    result = split_text(text)
    assert texts(result, 2) == ["据统计累计播放1020场次，观看人数达10余万人次。"]
    assert not [r for r in result.repairs if r.kind == "remove"]
    assert result.warnings and "left in both" in result.warnings[0]


# --- photo news, notices, contents -------------------------------------------------


def test_caption_and_credit_after_an_article_are_photo_news() -> None:
    result = split_text(f"## 主题\n\n{LEAD}\n\n{BODY}\n\n1月26日，市民在南岳景区赏雪。\n\n■记者 张三 摄\n")
    assert [a.kind for a in result.articles] == ["article", "photo"]
    photo = result.articles[1]
    assert (photo.title, photo.credit) == ("市民在南岳景区赏雪", "记者 张三 摄")
    assert texts(result, 1) == [LEAD.split("）", 1)[1], BODY]


def test_headline_caption_and_credit_are_one_photo_item() -> None:
    result = split_text("## 瑞雪兆丰年\n\n1月26日，市民在南岳景区赏雪。\n\n■记者 张三 摄\n")
    assert [(a.kind, a.title, a.credit) for a in result.articles] == [("photo", "瑞雪兆丰年", "记者 张三 摄")]


def test_credit_inside_an_article_is_the_article_credit() -> None:
    result = split_text(f"## 主题\n\n{LEAD}\n\n■记者 张三 摄\n\n{BODY}\n")
    assert [a.kind for a in result.articles] == ["article"]
    assert result.articles[0].credit == "记者 张三 摄"


@pytest.mark.parametrize(
    "title", ["不燃放烟花爆竹倡议书", "关于春节期间加强烟花爆竹安全管理的通告", "致全市人民的一封信"]
)
def test_notices(title: str) -> None:
    result = split_text(f"## {title}\n\n广大市民朋友们：\n\n{BODY}\n\n衡阳市人民政府  \n2022年1月27日\n")
    article = result.articles[0]
    assert article.kind == "notice"
    assert [p.role for p in article.paragraphs] == ["body", "body", "signature", "signature"]


def test_summary_list_above_the_first_story_is_contents() -> None:
    result = split_text(f"1. 主题一\n2. 主题二\n\n## 主题一\n\n{LEAD}\n\n## 主题二\n\n{BODY}\n")
    assert [a.kind for a in result.articles] == ["contents", "article", "article"]
    assert texts(result, 1) == ["主题一", "主题二"]


def test_contents_under_a_heading() -> None:
    result = split_text(f"## 今日导读\n\n- 主题一\n- 主题二\n\n## 主题一\n\n{LEAD}\n")
    assert [a.kind for a in result.articles] == ["contents", "article"]


def test_text_without_headlines_is_one_article_with_a_warning() -> None:
    result = split_text(f"{LEAD}\n\n{BODY}\n", "blob.txt")
    assert len(result.articles) == 1 and result.articles[0].kind == "article"
    assert result.articles[0].title
    assert result.warnings == ("no headlines found: the whole text is read as one article",)


def test_cut_first_paragraph_is_not_a_subtitle() -> None:
    result = split_text("## 主题\n\n从组织架构、制度建\n\n设、要素保障等多方面强化服务。\n")
    article = result.articles[0]
    assert article.subtitle is None
    assert texts(result) == ["从组织架构、制度建设、要素保障等多方面强化服务。"]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("市应急管理局就压紧压实防范应对各项责", "任、做好预警响应", True),
        ("胡绪阳与他们亲切交谈，关", "切询问老领导的健康状况", True),
        ("抓项目稳投资", "全年计划实施重点项目三百个", False),
        ("制度常驻，扎紧“不能腐”的笼子", "不能腐，是不敢腐、不想腐的制度保障", False),
    ],
)
def test_word_cut_at_a_line_end(left: str, right: str, expected: bool) -> None:
    assert cuts_word(left, right) is expected


@pytest.mark.parametrize(
    ("lines", "roles"),
    [
        (["　　抓项目稳投资", "　　全年计划实施重点项目三百个。"], ["heading", "body"]),
        (["　　市应急管理局就压紧压实防范应对各项责", "　　任、做好预警响应和社会宣传。"], ["body"]),
        (["　　胡绪阳与他们亲切交谈，关", "　　切询问老领导的健康状况。"], ["body"]),
    ],
    ids=["section-heading", "stub-after-cut", "word-across-cut"],
)
def test_short_lines_in_plain_text(lines: list[str], roles: list[str]) -> None:
    text = "标题一行\n　　本报讯（记者 甲）今天上午，会议召开，会议部署了工作。\n" + "\n".join(lines) + "\n"
    result = split_text(text, "issue.txt")
    assert [p.role for p in result.articles[0].paragraphs][1:] == roles


def test_blank_line_before_a_title_in_dense_plain_text() -> None:
    text = (
        "第一篇标题\n　　第一篇的第一段，讲了一件事情的来龙去脉。\n　　第一篇的第二段，到此结束。\n\n"
        "第二篇标题\n　　第二篇没有电头，直接开始讲述。\n　　第二篇的第二段。\n"
    )
    result = split_text(text, "issue.txt")
    assert [a.title for a in result.articles] == ["第一篇标题", "第二篇标题"]
    assert texts(result, 2) == ["第二篇没有电头，直接开始讲述。", "第二篇的第二段。"]


# --- issue #10: structure, furniture, notes, the line tagger ----------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上一版 下一版", True),
        ("字号：大 中 小 打印", True),
        ("江城日报社版权所有 未经授权不得转载", True),
        ("(更新时间戳: 1709900000000)", True),
        ("江城日报 2024年4月18日 第02版：要闻", True),
        ("江城日报 2024年4月18日 上一版 下一版", True),
        ("责任编辑：王五", True),
        ("本报记者 王五", False),
        ("大力推进改革", False),
        ("该报版权所有的作品被盗用，损失巨大。", False),
        ("本报记者 范昊天《人民日报》（2025年01月05日第 01 版）", False),
    ],
)
def test_page_furniture(text: str, expected: bool) -> None:
    from audiopaper.split.rules import is_furniture

    assert is_furniture(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（新华社北京3月12日电）", True),
        ("（作者系某大学教授）", True),
        ("（一）", True),
        ("（上午）会议开幕（下午）分组讨论", False),
        ("会议开幕（图）", False),
    ],
)
def test_bracketed_notes(text: str, expected: bool) -> None:
    from audiopaper.split.rules import enclosed

    assert enclosed(text) is expected


@pytest.mark.parametrize(
    ("text", "byline"),
    [
        ("本报记者  范昊天《人民日报》（2025年01月05日第 01 版）", "本报记者 范昊天"),
        ("> 本报评论员《人民日报》（2025年01月05日第 05 版）", "本报评论员"),
        ("《江城日报》（2024年04月18日第 02 版）", None),
    ],
)
def test_archive_source_lines(text: str, byline: str | None) -> None:
    from audiopaper.split.byline import parse_source_line

    found = parse_source_line(text)
    assert found is not None and found[0] == byline


def test_not_a_source_line() -> None:
    from audiopaper.split.byline import parse_source_line

    assert parse_source_line("他在《人民日报》上发表文章，引起反响。") is None


STORY = "本报讯（记者 甲）今天上午，会议召开，会议部署了工作。"


def test_section_heading_over_three_stories_is_a_label() -> None:
    text = f"## 要闻\n\n### 第一条\n\n{STORY}\n\n### 第二条\n\n{BODY}\n\n### 第三条\n\n{BODY}\n"
    result = split_text(text)
    assert [a.title for a in result.articles] == ["第一条", "第二条", "第三条"]


def test_stories_that_open_with_datelines_make_a_section_of_two() -> None:
    text = f"## 本地新闻综述\n\n### 第一条\n\n{STORY}\n\n### 第二条\n\n{LEAD}\n"
    assert [a.title for a in split_text(text).articles] == ["第一条", "第二条"]


def test_numbered_sub_heads_stay_inside_one_story() -> None:
    text = f"## 报告\n\n### 一、成绩\n\n{BODY}\n\n### 二、问题\n\n{BODY}\n\n### 三、任务\n\n{BODY}\n"
    result = split_text(text)
    assert [a.title for a in result.articles] == ["报告"]
    assert [p.text for p in result.articles[0].paragraphs if p.role == "heading"] == [
        "一、成绩",
        "二、问题",
        "三、任务",
    ]


def test_ambiguous_structure_is_warned_about() -> None:
    text = f"## 关于全市安全生产工作的情况\n\n### 检查\n\n{BODY}\n\n### 整改\n\n{BODY}\n\n### 问责\n\n{BODY}\n"
    result = split_text(text)
    assert [a.title for a in result.articles] == ["关于全市安全生产工作的情况"]
    assert any("--story-level 3" in w for w in result.warnings)


def test_link_lists_in_html_pages_are_dropped() -> None:
    page = (
        "<html><body><div><a href='1'>第一篇标题在这里</a> <a href='2'>第二篇标题在这里</a></div>"
        f"<h1>标题</h1><p>{BODY}</p><p>详情见<a href='x'>网站</a>。</p></body></html>"
    )
    blocks = page_blocks(page, "p.html")
    assert [b.text for b in blocks] == ["标题", BODY, "详情见网站。"]


def test_bold_line_is_the_title_of_a_page_without_headings() -> None:
    page = f"<html><body><p><b>工业生产稳步回升</b></p><p>{BODY}</p></body></html>"
    blocks = page_blocks(page, "p.html")
    assert (blocks[0].kind, blocks[0].level, blocks[0].text) == ("heading", 1, "工业生产稳步回升")


def test_the_shipped_line_tagger_reads_plain_text() -> None:
    from audiopaper.split import tagger

    model = tagger.shipped()
    assert model is not None, "the model file ships in the package"
    text = f"第一篇标题\n　　{BODY}\n　　{BODY}\n\n第二篇的标题比较长一些\n　　{LEAD}\n"
    lines = [b for b in page_blocks(text, "t.txt") if b.kind == "paragraph"]
    assert [t.label for t in model.tag(lines)] == ["title", "body", "body", "title", "body"]
