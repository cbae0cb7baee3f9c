"""Markdown (the sample's format) into blocks, including Markdown with embedded HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ..models import Block, BlockKind
from .inline import clean_inline, fully_bold, join_text
from .inline import word_set as _names

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s{0,3}(?:[-*+•·]\s+|\d{1,3}[.)]\s+|\d{1,3}[、．]\s*)(.*)$")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_HTML_HINT = re.compile(
    r"</?(?:p|div|br|strong|b|h[1-6]|ul|ol|li|span|a|img|table|tr|td|section|article|em|font|center|hr)\b[^>]*>"
    r"|&(?:nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)
_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_QUOTE = re.compile(r"^(?:>\s?)+")
_BR = "\x00br\x00"
# A paragraph that is nothing but a link back to the web ("查看原文") is page furniture.
_NAV_LINK = re.compile(
    r"^\[(?:查看原文|阅读原文|原文链接|点击查看|点击阅读|阅读全文|返回目录|返回首页|返回顶部|上一篇|下一篇)[^\]]{0,6}\]\([^)]*\)$"
)


# A paragraph made of links to addresses, under a short label at most ("原始網址：",
# "電子郵件:", "原文連結：[https://…](https://…)"), is a page's footer: there is
# nothing in it to read out. Links whose text is words are kept as their text.
_ADDRESS = r"(?:https?://|www\.|mailto:)\S*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_ADDRESS_LINK = re.compile(rf"\[\s*(?:{_ADDRESS})?\s*\]\([^)]*\)|<(?:https?|mailto|ftp):[^>\s]*>|{_ADDRESS}")
_LABEL = re.compile(r"^[^\s，。！？；]{1,8}[：:]?$")


def _address_only(raw: list[str]) -> bool:
    found = False
    for line in raw:
        rest, n = _ADDRESS_LINK.subn("", line.strip())
        found = found or n > 0
        rest = rest.strip(" \t\u3000")
        if rest and not (_LABEL.match(rest) and rest[-1] in "：:"):
            return False
    return found


def has_html(text: str) -> bool:
    return _HTML_HINT.search(text) is not None


class _HtmlToMarkdown(HTMLParser):
    """Rewrite the HTML inside a Markdown file as Markdown, so one reader handles both.

    Text between tags is passed through untouched: it is Markdown, and its line breaks
    mean something there, unlike in an HTML page.
    """

    _BLOCK = _names(
        "p div section article blockquote table tr td th ul ol center figure figcaption header footer main dl dt dd pre"
    )
    _SKIP = _names("script style noscript template head title nav aside form iframe svg")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.lists: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        if self.skip:
            return
        if tag in ("ul", "ol"):
            self.lists.append(tag)
        if tag in self._BLOCK:
            self.out.append("\n\n")
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "li":
            self.out.append("\n\n" + ("1. " if self.lists and self.lists[-1] == "ol" else "- "))
        elif tag == "br":
            self.out.append(_BR)
        elif tag == "hr":
            self.out.append("\n\n---\n\n")
        elif tag in ("strong", "b"):
            self.out.append("**")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in self._BLOCK or tag == "li" or re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n")
        elif tag in ("strong", "b"):
            self.out.append("**")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def html_to_markdown(text: str) -> str:
    parser = _HtmlToMarkdown()
    parser.feed(text)
    parser.close()
    text = "".join(parser.out)
    # Two <br> in a row separate paragraphs; one is a line break, and the source's own
    # newline after it adds nothing.
    text = re.sub(rf"{_BR}(?:[ \t\xa0]*\n?[ \t\xa0]*{_BR})+[ \t]*\n?", "\n\n", text)
    text = re.sub(rf"{_BR}[ \t]*\n?", "  \n", text)
    # `**` pairs that ended up around nothing but spaces are leftovers of empty tags.
    return re.sub(r"\*\*(\s*)\*\*", r"\1", text)


def _block(kind: BlockKind, raw: list[str], source: str, line: int, level: int = 0) -> Block | None:
    if (len(raw) == 1 and _NAV_LINK.match(raw[0].strip())) or _address_only(raw):
        return None
    lines = tuple(x for x in (clean_inline(r) for r in raw) if x)
    if not lines:
        return None
    text = lines[0]
    for piece in lines[1:]:
        text = join_text(text, piece)
    strong = kind == "paragraph" and fully_bold(" ".join(r.strip() for r in raw))
    return Block(kind, text, level=level, source=source, line=line, strong=strong, lines=lines)


def markdown_blocks(text: str, source: str = "") -> list[Block]:
    """Markdown into blocks: headings, paragraphs, list items, thematic breaks."""
    if has_html(text):
        text = html_to_markdown(text)
    blocks: list[Block] = []
    raw: list[str] = []
    kind: BlockKind = "paragraph"
    start = 0

    def flush() -> None:
        nonlocal raw
        if raw:
            block = _block(kind, raw, source, start)
            if block is not None:
                blocks.append(block)
        raw = []

    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip(" \t\u3000\ufeff")
        if stripped.startswith(">"):
            # A block quote's text is text; archives put the source line there.
            quoted = _QUOTE.sub("", stripped).strip(" \t\u3000")
            if raw and not quoted:
                flush()
            line = stripped = quoted
        if not stripped:
            flush()
            continue
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            block = _block("heading", [heading.group(2)], source, number, level=len(heading.group(1)))
            if block is not None:
                blocks.append(block)
            continue
        if _RULE.match(stripped):
            flush()
            blocks.append(Block("break", "", source=source, line=number))
            continue
        item = _LIST.match(line)
        if item and not stripped.startswith(("**", "__")):
            flush()
            kind, start, raw = "list_item", number, [item.group(1)]
            continue
        if raw and line.startswith("\u3000\u3000"):
            # A full-width indent opens a new paragraph in Chinese text, blank line or not.
            flush()
        if not raw:
            kind, start = "paragraph", number
        # Every source line is kept in Block.lines: a signature's lines must stay apart,
        # while the paragraph's text joins them as one.
        raw.append(_HARD_BREAK.sub("", stripped))
    flush()
    return blocks
