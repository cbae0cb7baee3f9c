from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from audiopaper.errors import InputError
from audiopaper.ingest import clean_inline, detect_format, html_blocks, markdown_blocks, plain_blocks, read_issue

from .conftest import SAMPLE

TEXT = "## 标题\n\n衡阳日报讯（记者 张三）今天，天气晴。\n"


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("gb18030"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t.encode("utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "crlf", "utf16"],
)
def test_encodings_give_the_same_blocks(tmp_path: Path, encode) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "issue.md"
    path.write_bytes(encode(TEXT))
    issue = read_issue([path])
    assert [b.text for b in issue.blocks] == ["标题", "衡阳日报讯（记者 张三）今天，天气晴。"]
    assert issue.blocks[0].kind == "heading" and issue.blocks[0].level == 2


def test_sample_reads_in_every_encoding(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    base = read_issue([SAMPLE]).blocks
    for name, data in {"gb.md": text.encode("gb18030"), "bom.md": codecs.BOM_UTF8 + text.encode()}.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert [b.text for b in read_issue([path]).blocks] == [b.text for b in base]


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"", "empty"), (b"  \n\n ", "empty"), (b"\x00\x01\x02binary\x00" * 20, "binary")],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "issue.md"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_issue([path])
    assert message in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("**加粗**文字", "加粗文字"),
        ("[查看原文](https://example.com/a)", "查看原文"),
        ("图片![说明](a.png)后", "图片后"),
        ("A&amp;B&nbsp;C", "A&B C"),
        ("<strong>小标题</strong>", "小标题"),
    ],
)
def test_inline_markup_is_removed(raw: str, clean: str) -> None:
    assert clean_inline(raw) == clean


def test_markdown_blocks_kinds() -> None:
    blocks = markdown_blocks("# 一\n\n段落第一行\n第二行\n\n- 条目一\n- 条目二\n\n### 小节\n")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "一"),
        ("paragraph", "段落第一行第二行"),
        ("list_item", "条目一"),
        ("list_item", "条目二"),
        ("heading", "小节"),
    ]


# --- formats --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("<!DOCTYPE html><html><body><p>正文</p></body></html>", "html"),
        ("<html lang='zh'><p>正文</p></html>", "html"),
        ("## 标题\n\n正文。\n", "markdown"),
        ("标题\n\n<p>正文&nbsp;一段</p>\n", "markdown"),
        ("- 条目\n- 条目\n", "markdown"),
        ("标题\n　　正文第一段。\n　　正文第二段。\n", "text"),
    ],
)
def test_format_is_told_by_content(text: str, fmt: str) -> None:
    assert detect_format(text) == fmt


def test_plain_text_is_one_paragraph_per_line() -> None:
    blocks = plain_blocks("标题一行\n　　第一段。\n\n　　第二段 有空格。\n")
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "标题一行"),
        ("paragraph", "第一段。"),
        ("paragraph", "第二段 有空格。"),
    ]


PAGE = """<html><head><title>站点标题</title><style>p{color:red}</style></head><body>
<div class="top-nav"><a href="/">首页</a></div>
<main>
  <h1>主标题</h1>
  <p>第一段
     接着写。</p>
  <p><b>小标题</b></p>
  <p>第二段<br>换行<br><br>第三段</p>
  <ul><li>条目一</li><li>条目<a href="x">二</a></li></ul>
  <p style="display:none">隐藏的文字</p>
  <img src="a.jpg" alt="图片说明">
  <p>A&amp;B&nbsp;C &lt;D&gt;</p>
  <script>var x = "<p>脚本</p>";</script>
</main>
<footer>版权所有</footer>
</body></html>"""


def test_html_page_blocks() -> None:
    blocks = html_blocks(PAGE, "page.html")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "主标题"),
        ("paragraph", "第一段接着写。"),
        ("paragraph", "小标题"),
        ("paragraph", "第二段换行"),
        ("paragraph", "第三段"),
        ("list_item", "条目一"),
        ("list_item", "条目二"),
        ("paragraph", "A&B C <D>"),
    ]
    assert blocks[0].level == 1
    assert [b.strong for b in blocks[1:3]] == [False, True]
    assert blocks[3].lines == ("第二段", "换行")
    assert all(b.source == "page.html" for b in blocks)


def test_html_without_main_reads_the_body_minus_chrome() -> None:
    page = (
        "<html><body><nav><p>导航</p></nav><div id='sidebar'><p>侧栏</p></div>"
        "<div class='article-header'><h2>标题</h2></div><div class='content'><p>正文。</p></div>"
        "<div class='comment-list'><p>评论</p></div></body></html>"
    )
    assert [b.text for b in html_blocks(page)] == ["标题", "正文。"]


def test_html_articles_only_when_the_page_marks_them() -> None:
    page = "<html><body><p>页眉文字</p><article><h2>甲</h2><p>甲文。</p></article><article><h2>乙</h2></article></body></html>"
    assert [b.text for b in html_blocks(page)] == ["甲", "甲文。", "乙"]


def test_markdown_with_embedded_html() -> None:
    text = (
        "## 标题\n\n<p>&nbsp;&nbsp;第一段<br>\n第二行</p>\n<p><strong>小标题</strong></p>\n"
        "<p>见[原文](https://example.com/a)和![图](b.png)</p>\n\n[查看原文](https://example.com/x)\n\n"
        "<script>alert(1)</script>\n<ol><li>一</li><li>二</li></ol>\n"
    )
    blocks = markdown_blocks(text)
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "标题"),
        ("paragraph", "第一段第二行"),
        ("paragraph", "小标题"),
        ("paragraph", "见原文和"),
        ("list_item", "一"),
        ("list_item", "二"),
    ]
    assert blocks[1].lines == ("第一段", "第二行")
    assert blocks[2].strong


def test_markdown_hard_break_keeps_lines() -> None:
    blocks = markdown_blocks("正文。\n\n衡阳市人民政府  \n2022年1月27日\n")
    assert blocks[1].lines == ("衡阳市人民政府", "2022年1月27日")
    assert blocks[1].text == "衡阳市人民政府2022年1月27日"


# --- decoding and errors ----------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "issue.md"
    path.write_bytes(TEXT.encode(codec))
    assert [b.text for b in read_issue([path]).blocks] == ["标题", "衡阳日报讯（记者 张三）今天，天气晴。"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Café crème brûlée à la française, très élégant.\n".encode("latin-1") * 20, "cannot decode"),
        (b"%PDF-1.7\n" + bytes(range(128, 256)) * 8, "binary"),
        (b"PK\x03\x04" + b"word/document.xml" * 10, "binary"),
        (b"\xef\xbb\xbf\n\n  \n", "empty"),
    ],
    ids=["latin-1", "pdf", "docx", "bom-only"],
)
def test_more_bad_input(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "issue.md"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_issue([path])
    assert message in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        read_issue([tmp_path])


def test_bad_page_among_several_names_that_page(tmp_path: Path) -> None:
    good, bad = tmp_path / "p1.md", tmp_path / "p2.md"
    good.write_text(TEXT, encoding="utf-8")
    bad.write_bytes(b"")
    with pytest.raises(InputError) as info:
        read_issue([good, bad])
    assert "p2.md" in str(info.value) and "p1.md" not in str(info.value)


def test_page_with_no_article_text_is_skipped_with_a_warning(tmp_path: Path) -> None:
    good, chrome = tmp_path / "p1.md", tmp_path / "p2.html"
    good.write_text(TEXT, encoding="utf-8")
    chrome.write_text("<html><body><nav><a href='/'>首页</a></nav></body></html>", encoding="utf-8")
    issue = read_issue([good, chrome])
    assert len(issue.blocks) == 2
    assert issue.warnings == ("p2.html: no article text found; page skipped",)


def test_numbered_plain_text_is_not_markdown() -> None:
    text = "关于加强管理的通告\n　　现通告如下：\n　　1. 禁止销售。\n　　2. 禁止燃放。\n"
    assert detect_format(text) == "text"
    assert len(plain_blocks(text)) == 4


def test_full_width_indent_starts_a_paragraph_in_markdown() -> None:
    blocks = markdown_blocks("## 标题\n　　第一段。\n　　第二段。\n")
    assert [b.text for b in blocks] == ["标题", "第一段。", "第二段。"]


def test_site_header_goes_but_article_header_stays() -> None:
    page = (
        "<html><title>页面标题</title><body><div class='header'><h1>衡阳日报</h1></div>"
        "<div class='news-header'><h1>新闻标题</h1></div><div class='content'><p>正文。</p></div></body></html>"
    )
    assert [b.text for b in html_blocks(page)] == ["新闻标题", "正文。"]


# --- plain text cut at a fixed width, ornaments, link footers ----------------------------

PARAGRAPHS = (
    "斯里兰卡官员说，世界各国领袖，包括联合国秘书长和多国外长，已陆续抵达斯里兰卡，亲自了解海啸灾情。",
    "他们说，南韩总理将于中午稍后抵达，随后前往南部受灾最严重的地区，探望灾民并视察救援工作。",
    "美国大使馆的新闻稿中说，国务卿将走访海啸侵袭最严重的一些地区，包括海军陆战队驻扎的南部地区。",
    "联合国发言人说，秘书长将在世界银行行长陪同下访视南部及东部受创地区，并与政府官员会谈。",
)


def _cut(width: int, indent: str = "\u3000\u3000") -> str:
    lines = ["世界各国领袖陆续走访斯里兰卡视察灾情"]
    for para in PARAGRAPHS * 2:
        text = indent + para
        lines += [text[k : k + width] for k in range(0, len(text), width)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("width", [24, 38])
def test_lines_cut_at_a_fixed_width_are_put_back_together(width: int) -> None:
    blocks = plain_blocks(_cut(width))
    assert [b.text for b in blocks] == ["世界各国领袖陆续走访斯里兰卡视察灾情", *PARAGRAPHS * 2]
    assert all(len(b.lines) > 1 for b in blocks[1:])


def test_lines_cut_by_columns_are_put_back_together() -> None:
    # Byte-width exports cut at a number of columns, a wide character filling two, so
    # lines with digits in them hold more characters.
    paragraphs = [p.replace("联合国", "UN 2005 年") for p in PARAGRAPHS] * 2
    lines = ["海啸灾情"]
    for para in paragraphs:
        row, used = "", 0
        for ch in "\u3000\u3000" + para:
            cols = 1 if ch.isascii() else 2
            if used + cols > 40:
                lines.append(row)
                row, used = "", 0
            row, used = row + ch, used + cols
        lines.append(row)
    blocks = plain_blocks("\n".join(lines) + "\n")
    assert [b.text for b in blocks] == ["海啸灾情", *paragraphs]


def test_a_short_line_after_a_full_one_stays_apart_when_indented() -> None:
    text = _cut(30)
    # every paragraph starts indented, so the paragraph count is unchanged however
    # the previous paragraph's last line happens to end
    assert len(plain_blocks(text)) == 1 + len(PARAGRAPHS) * 2


def test_rows_of_asterisks_are_no_text() -> None:
    blocks = plain_blocks("标题\n　　第一部分。\n　　＊　＊　＊\n　　第二部分。\n※※※\n")
    assert [b.text for b in blocks] == ["标题", "第一部分。", "第二部分。"]


@pytest.mark.parametrize(
    "footer",
    [
        "原始網址：\n<https://news.rthk.hk/rthk/ch/component/k2/1800770-20250417.htm>",
        "電子郵件:\n[cnews@rthk.hk](mailto:cnews@rthk.hk)",
        "原文連結：[https://news.rthk.hk/a.htm](https://news.rthk.hk/a.htm)",
        "https://www.example.cn/news/1.html",
    ],
)
def test_paragraphs_of_web_addresses_are_dropped(footer: str) -> None:
    blocks = markdown_blocks(f"# 標題\n\n正文一段。\n\n{footer}\n")
    assert [b.text for b in blocks] == ["標題", "正文一段。"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("详情见：[市政府网站](http://www.example.cn)", "详情见：市政府网站"),
        ("请发邮件至 abc@example.cn 咨询。", "请发邮件至 abc@example.cn 咨询。"),
        ("广大市民朋友们：", "广大市民朋友们："),
    ],
)
def test_paragraphs_with_words_around_a_link_are_kept(text: str, kept: str) -> None:
    assert [b.text for b in markdown_blocks(f"{text}\n")] == [kept]


def test_bold_question_is_the_title_of_a_page_without_headings() -> None:
    page = (
        "<html><body><table><tr><td><strong><font size='5'>益调查：自救知识，你足够了解吗？</font></strong></td></tr>"
        "<tr><td><p>北京、天津等地连日来的强降雨仍在持续。</p></td></tr></table></body></html>"
    )
    blocks = html_blocks(page)
    assert (blocks[0].kind, blocks[0].text) == ("heading", "益调查：自救知识，你足够了解吗？")


def test_a_name_cut_at_the_width_does_not_make_plain_text_markdown() -> None:
    # "本报记者  王  " ends a cut line with two spaces, which Markdown reads as a break.
    text = "新华社北京2月26日电\n    会议由本报记者  王  \n霞光报道。\n    会议强调要加强团结。\n"
    assert detect_format(text) == "text"
    assert detect_format("第一行  \n第二行  \n第三行  \n第四行\n") == "markdown"


def test_blank_lines_between_stories_of_one_paragraph_are_gaps() -> None:
    text = "".join(f"标题{n}\n    第{n}条消息的正文，只有一段。\n\n" for n in "一二三四")
    kinds = [b.kind for b in plain_blocks(text)]
    assert kinds.count("break") == 3
