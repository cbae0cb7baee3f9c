"""What one line of a page is, by its shape and its neighbours: the primitives that
the headline finder (headline.py) and the section reader (sections.py) share."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..models import Block
from .byline import is_meta_line, is_source_line, parse_author, parse_dateline
from .rules import enclosed, headline_like
from .tagger import Tag


@dataclass(frozen=True)
class Headline:
    start: int  # first block of the headline group (kicker or title)
    end: int  # first block after it
    title: str
    kicker: str | None = None
    subtitle: str | None = None
    continued_from: str | None = None
    why: str = ""  # for --explain: the rule or score that made this a headline


SENTENCE_STOP = re.compile(r"[。！？!?；;]")
BODY_END = "。！？!?…”’」』\"'）)"
# A numbered section of a story: "一、", "（三）", "2.", "２ 未现…", "第三章", "之一". No
# story title in the corpus opens so (369 sub-heads do): numbering orders parts of one
# text.
NUMBERED = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．]|\d{1,2}[\s\u3000]"
    r"|第[一二三四五六七八九十百\d]{1,4}[章节条部篇编讲]|[之其][一二三四五六七八九十])"
)


def plain_line(block: Block, *, allow_lead: bool = False) -> bool:
    """A paragraph block that could be a headline line."""
    return (
        block.kind == "paragraph"
        and not block.strong
        and headline_like(block.text, allow_lead=allow_lead)
        and not is_meta_line(block.text)
        and not enclosed(block.text)
    )


def body_line(block: Block) -> bool:
    """A paragraph that ends as a sentence does."""
    return block.kind == "paragraph" and block.text[-1] in BODY_END and bool(SENTENCE_STOP.search(block.text))


def tag_label(tags: Mapping[tuple[str, int], Tag], block: Block) -> str | None:
    tag = tags.get((block.source, block.line))
    if tag is None:
        return None
    # A missed headline merges two stories; a false one splits one: the first costs a
    # listener more, so a line the tagger finds fairly likely a title is taken as one.
    return "title" if tag.title_p >= tag.threshold else tag.label


def byline_follows(blocks: Sequence[Block], end: int) -> bool:
    """A byline or dateline right under a run of short lines: the surest sign of a headline."""
    if end >= len(blocks):
        return False
    text = blocks[end].text
    return parse_dateline(text) is not None or parse_author(text) is not None or is_source_line(text)


def between_paragraphs(blocks: Sequence[Block], i: int) -> bool:
    """Line ``i`` stands between two body paragraphs of its own page file."""
    if i < 1 or i + 1 >= len(blocks):
        return False
    above, below = blocks[i - 1], blocks[i + 1]
    return above.source == below.source == blocks[i].source and body_line(above) and body_line(below)
