from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from audiopaper.errors import InputError
from audiopaper.ingest import clean_inline, markdown_blocks, read_issue

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
