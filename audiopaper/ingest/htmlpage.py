"""HTML pages (a paper's website or e-paper) into blocks: the article text only."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser

from ..models import Block, BlockKind
from .inline import join_text, squeeze_spaces
from .inline import word_set as _names

_BLOCK = _names(
    "p div section article blockquote table tbody thead tr td th ul ol center figure figcaption "
    "header footer main dl dt dd pre address body html"
)
_VOID = _names("area base br col embed hr img input link meta param source track wbr")
# Never article text, wherever they appear.
_SKIP = _names("script style noscript template head title nav aside form button select iframe svg canvas object")
# Page chrome named by class or id; matched per token so that "article-header" or
# "content-main" do not count.
_CHROME = _names(
    "nav navbar navigation menu breadcrumb breadcrumbs sidebar share sharing footer copyright "
    "toolbar banner ad ads advert advertisement comment comments related recommend pager "
    "pagination login search masthead topbar"
)
_STORY = _names("article post entry story content news title detail")
_HEADING = re.compile(r"h([1-6])")


def _is_chrome(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if not value:
            continue
        if name in ("class", "id", "role"):
            tokens = set(re.split(r"[\s_\-]+", value.lower()))
            if _CHROME & tokens:
                return True
            # "header" alone is the site's; "article-header" holds the headline.
            if {"header", "top", "head"} & tokens and not _STORY & tokens:
                return True
        if name == "style" and re.search(r"display\s*:\s*none", value, re.IGNORECASE):
            return True
        if name == "hidden":
            return True
    return False


class _PageReader(HTMLParser):
    def __init__(self, scope: str | None, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.scope = scope
        self.source = source
        self.in_scope = 0 if scope else 1
        self.stack: list[tuple[str, bool]] = []  # (tag, opened a skipped region)
        self.skip = 0
        self.article_depth = 0
        self.blocks: list[Block] = []
        self.kind: BlockKind = "paragraph"
        self.level = 0
        self.lines: list[list[str]] = [[]]
        self.strong_depth = 0
        self.strong_chars = 0
        self.all_chars = 0
        self.link_depth = 0
        self.link_chars = 0

    # -- block assembly ------------------------------------------------------------

    def _flush(self, keep_kind: bool = False) -> None:
        lines = tuple(x for x in (squeeze_spaces("".join(parts)) for parts in self.lines) if x)
        if not lines and keep_kind:
            # A <div> or <p> nested in an <li> or <h2> must not lose the outer kind.
            return
        # A block that is mostly link text is a menu, a list of the page's other
        # stories or a "related" box, never the story itself.
        linked = self.all_chars > 0 and self.link_chars * 2 > self.all_chars
        if lines and not linked:
            text = lines[0]
            for piece in lines[1:]:
                text = join_text(text, piece)
            strong = self.kind == "paragraph" and self.all_chars > 0 and self.strong_chars >= self.all_chars
            self.blocks.append(
                Block(
                    self.kind,
                    text,
                    level=self.level,
                    source=self.source,
                    line=self.getpos()[0],
                    strong=strong,
                    lines=lines,
                )
            )
        self.kind, self.level = "paragraph", 0
        self.lines = [[]]
        self.strong_chars = self.all_chars = self.link_chars = 0

    def _start_block(self, kind: BlockKind, level: int = 0) -> None:
        self._flush()
        self.kind, self.level = kind, level

    # -- parser callbacks ------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._void(tag)
            return
        if tag == "p" and self.stack and self.stack[-1][0] == "p":
            self.handle_endtag("p")
        if tag == "li" and self.stack and self.stack[-1][0] == "li":
            self.handle_endtag("li")
        chrome = tag in _SKIP or (tag in ("header", "footer") and not self.article_depth) or _is_chrome(attrs)
        self.stack.append((tag, chrome))
        if chrome:
            self.skip += 1
        if tag == self.scope:
            self.in_scope += 1
        if tag == "article":
            self.article_depth += 1
        if not self._live():
            return
        heading = _HEADING.fullmatch(tag)
        if heading:
            self._start_block("heading", int(heading.group(1)))
        elif tag == "li":
            self._start_block("list_item")
        elif tag in _BLOCK:
            self._flush(keep_kind=True)
        elif tag in ("strong", "b"):
            self.strong_depth += 1
        elif tag == "a":
            self.link_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._void(tag)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def _void(self, tag: str) -> None:
        if not self._live():
            return
        if tag == "br":
            if len(self.lines) > 1 and not "".join(self.lines[-1]).strip():
                # <br><br> is how many sites separate paragraphs.
                self.lines.pop()
                kind, level = self.kind, self.level
                self._flush()
                self.kind, self.level = kind, level
            else:
                self.lines.append([])
        elif tag == "hr":
            self._flush()
            self.blocks.append(Block("break", "", source=self.source, line=self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            open_tag, chrome = self.stack.pop()
            live_before = self._live()
            if live_before and (open_tag in _BLOCK or open_tag == "li" or _HEADING.fullmatch(open_tag)):
                self._flush()
            if live_before and open_tag in ("strong", "b"):
                self.strong_depth = max(0, self.strong_depth - 1)
            if live_before and open_tag == "a":
                self.link_depth = max(0, self.link_depth - 1)
            if chrome:
                self.skip -= 1
            if open_tag == self.scope:
                self.in_scope -= 1
            if open_tag == "article":
                self.article_depth -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._live():
            return
        self.lines[-1].append(data)
        visible = len(data.strip())
        self.all_chars += visible
        if self.strong_depth:
            self.strong_chars += visible
        if self.link_depth:
            self.link_chars += visible

    def close(self) -> None:
        super().close()
        self._flush()

    def _live(self) -> bool:
        return self.skip == 0 and self.in_scope > 0


def looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\n")[:1024].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and head[:1] == "<")


def html_blocks(text: str, source: str = "") -> list[Block]:
    """The article text of an HTML page as blocks; navigation, scripts and styles dropped.

    Pages that mark their story with ``<article>`` (or ``<main>``) are read only there;
    otherwise the whole body is read minus the page chrome.
    """
    lowered = text.lower()
    scope = "article" if "<article" in lowered else ("main" if "<main" in lowered else None)
    reader = _PageReader(scope, source)
    reader.feed(text)
    reader.close()
    return _bold_title(reader.blocks)


MAX_TITLE = 60


def _bold_title(blocks: list[Block]) -> list[Block]:
    """Older e-paper pages set the headline in bold type, not in a heading element:
    on a page without headings, the first short bold line is the title (a question
    or an exclamation too; a bold sentence ends in a full stop)."""
    if any(b.kind == "heading" for b in blocks):
        return blocks
    for i, block in enumerate(blocks):
        if block.strong and len(block.text) <= MAX_TITLE and block.text[-1] not in "。；，":
            return [*blocks[:i], replace(block, kind="heading", level=1, strong=False), *blocks[i + 1 :]]
    return blocks


@dataclass(frozen=True)
class PageHead:
    """What an HTML page says about itself outside its story: the ``<title>``, the meta
    tags (name or property → content), and the short text lines above the story's first
    heading, where e-paper pages print the paper's name and the date."""

    title: str = ""
    meta: tuple[tuple[str, str], ...] = ()
    top_lines: tuple[str, ...] = ()


MAX_TOP_LINES = 40
_TEXT_SKIP = _names("script style noscript template svg")


class _HeadReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.meta: list[tuple[str, str]] = []
        self.lines: list[str] = []
        self.in_title = False
        self.skip = 0
        self.done = False  # the story's first heading has been reached

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = dict(attrs)
            key = values.get("name") or values.get("property") or values.get("itemprop")
            content = values.get("content")
            if key and content:
                self.meta.append((key.strip().lower(), content.strip()))
        elif tag == "title":
            self.in_title = True
        elif tag in _TEXT_SKIP:
            self.skip += 1
        elif tag in ("h1", "h2", "h3"):
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _TEXT_SKIP:
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        # Each piece of text on its own: a header bar sets the name, the date and the
        # page in separate elements, often with no space between them.
        line = squeeze_spaces(data.strip(" \t\r\n\u3000\xa0"))
        if line and not self.skip and not self.done and len(self.lines) < MAX_TOP_LINES:
            self.lines.append(line)


def page_head(text: str) -> PageHead:
    """The title, meta tags and top lines of an HTML page (see :class:`PageHead`)."""
    reader = _HeadReader()
    reader.feed(text)
    reader.close()
    return PageHead(squeeze_spaces("".join(reader.title)).strip(), tuple(reader.meta), tuple(reader.lines))
