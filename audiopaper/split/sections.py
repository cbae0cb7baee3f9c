"""Why a line the tagger takes for a title heads a section of the story above it.

In pages without markup a story's sub-heads and the next story's title look alike; the
tagger reads each line with its neighbours, and these cues read what it cannot: the
story's title above the line, the other sub-heads under it, and the stretch of text the
line would head. Each cue is counted in the corpus gold (docs/design.md, splitter).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..models import Block
from .lines import bigrams
from .shape import NUMBERED, Headline, body_line, byline_follows, plain_line, tag_label
from .tagger import Tag

ECHO = 0.4  # share of a line's words already in the title above: a sub-head's, never a title's


def _echoes(above: Headline, head: Headline) -> bool:
    """A headline-shaped line that repeats the words of the title of the story it stands
    in ("贴过膜更难砸" under "…汽车玻璃贴膜更难砸") heads a section of that story: the
    next story's title says something new (in every corpus source, 2 titles in 725
    repeat the one before this much, against 74 of 900 sub-heads)."""
    mine = bigrams(head.title)
    return bool(mine) and len(mine & bigrams(above.title)) >= ECHO * len(mine)


CARRIES = 0.6  # share of a story's title that the text under one of its sub-heads repeats
CARRY_WIDTH = 300  # characters of text read under the line
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _word_pairs(text: str) -> set[str]:
    """Pairs of Chinese characters that stand next to each other in the text (never
    across a figure: "发生6.2级" gives 发生, not 生级)."""
    return {run[k : k + 2] for run in _HAN_RUN.findall(text) for k in range(len(run) - 1)}


def _repeats(title: str, text: str, share: float) -> bool:
    """``text`` repeats at least ``share`` of the title's word pairs."""
    pairs = _word_pairs(title)
    return bool(pairs) and len(pairs & _word_pairs(text)) >= share * len(pairs)


def _carries_title(blocks: Sequence[Block], above: Headline, head: Headline, share: float = CARRIES) -> bool:
    """The text under a headline-shaped line goes on about what the title of the story
    above names ("…调整情况" under "出租车燃油费跟涨不跟跌…"): the line heads a section
    of that story. A new story's lead names its own subject: across the ten corpus
    sources, the first 300 characters of 1 story in 1489 repeat 60 % of the word pairs
    of the title before them, against the text under 266 of 1520 sub-heads."""
    source = blocks[head.start].source
    text = ""
    for block in blocks[head.end :]:
        if block.source != source or len(text) >= CARRY_WIDTH:
            break
        if block.kind == "paragraph":
            text += block.text
    return _repeats(above.title, text[:CARRY_WIDTH], share)


def _byline_under(blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], end: int) -> bool:
    """A byline or dateline right under a headline, by rule or by the tagger (a bare
    name, "缪合林", is a byline only by where it stands): a story opens there."""
    if end >= len(blocks) or blocks[end].kind != "paragraph" or blocks[end].source != blocks[end - 1].source:
        return False
    tag = tags.get((blocks[end].source, blocks[end].line))
    return byline_follows(blocks, end) or (tag is not None and tag.label == "byline")


GROUP_CARRIES = 0.3  # CARRIES, for a line that stands among sub-heads of the story above


def _among_sub_heads(
    blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], above: Headline, head: Headline
) -> bool:
    """Other lines set like sub-heads (headline-shaped, between two body paragraphs, not
    tagged a title) stand under the same title as ``head``: between that title and
    ``head``, or after ``head`` before the next line tagged a title. They and ``head``
    are read as one group, the story's sub-heads; a byline under ``head`` says a story
    opens there instead. A table's rows or a list's entries stand in runs, not between
    paragraphs, and do not count."""
    source = blocks[head.start].source
    if _byline_under(blocks, tags, head.end):
        return False
    if any(_set_as_sub_head(blocks, tags, k, source) for k in range(above.end, head.start)):
        return True
    return any(_set_as_sub_head(blocks, tags, k, source) for k in _stretch(blocks, tags, head.end))


def _body_at(blocks: Sequence[Block], k: int, source: str) -> bool:
    return blocks[k].kind == "paragraph" and blocks[k].source == source and not plain_line(blocks[k], allow_lead=True)


def _shaped_at(blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], k: int, source: str) -> bool:
    return blocks[k].source == source and plain_line(blocks[k], allow_lead=True) and (source, blocks[k].line) in tags


def _set_as_sub_head(blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], k: int, source: str) -> bool:
    """A headline-shaped line the tagger does not take for a title, between two body paragraphs."""
    return (
        _shaped_at(blocks, tags, k, source)
        and tag_label(tags, blocks[k]) != "title"
        and 0 < k < len(blocks) - 1
        and _body_at(blocks, k - 1, source)
        and _body_at(blocks, k + 1, source)
    )


def _stretch(blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], start: int) -> range:
    """The blocks from ``start`` to the next line the tagger takes for a title, or the end of the page."""
    source = blocks[start - 1].source
    k = start
    while k < len(blocks) and blocks[k].source == source:
        if _shaped_at(blocks, tags, k, source) and tag_label(tags, blocks[k]) == "title":
            break
        k += 1
    return range(start, k)


OPENING = 500  # characters of text under a title: its opening paragraph or two
STRETCH_CARRIES = 0.4


def _opening_then_sections(
    blocks: Sequence[Block],
    tags: Mapping[tuple[str, int], Tag],
    above: Headline,
    head: Headline,
    dated: bool = False,
) -> bool:
    """``head`` comes after no more than the opening of the story above (under 500
    characters since its title), sub-heads follow it, and the text it would head, up to
    the next line the tagger takes for a title, goes on about that story's title (40 % of
    its word pairs): it is the story's first section, not a story of its own. A byline
    under ``head`` says a story opens there, unless ``dated`` (the caller has read the
    dateline under it and asks whether it dates a section)."""
    source = blocks[head.start].source
    if not dated and _byline_under(blocks, tags, head.end):
        return False
    opening = sum(len(b.text) for b in blocks[above.end : head.start] if b.kind == "paragraph")
    stretch = _stretch(blocks, tags, head.end)
    if opening >= OPENING or not any(_set_as_sub_head(blocks, tags, k, source) for k in stretch):
        return False
    text = "".join(blocks[k].text for k in stretch if blocks[k].kind == "paragraph")
    return _repeats(above.title, text, STRETCH_CARRIES)


def _told_above(blocks: Sequence[Block], above: Headline, head: Headline) -> bool:
    """The line is written word for word into a sentence of the story above it (an
    outline: "本文建议：…实施提高水分生产效率的旱地农业工程，…" over a section so
    headed): it names a part of that story. A title a story quotes (《…》, “…”) or a list
    of the page's headlines (short lines, not sentences) names other stories instead."""
    line = _SPACES.sub("", blocks[head.start].text)
    if len(line) < MIN_TOLD:
        return False
    for block in blocks[above.end : head.start]:
        text = _SPACES.sub("", block.text)
        if body_line(block) and line in text and f"《{line}》" not in text and f"“{line}”" not in text:
            return True
    return False


MIN_TOLD = 6


def _among_rows(blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], above: Headline, head: Headline) -> bool:
    """No sentence stands between the title above and ``head``, nor under ``head`` up to
    the next line the tagger takes for a title: the line is one of the rows of a form or
    a table under that title ("工作日的上午 工作日的下午" in a volunteers' form), which
    heads no text of its own."""
    if head.start == above.end:
        return False
    rows = [*range(above.end, head.start), *_stretch(blocks, tags, head.end)]
    return not any(body_line(blocks[k]) for k in rows)


_SPACES = re.compile(r"\s+")


SECTION_WHY = "a section of the story above: "


def _story_above(blocks: Sequence[Block], heads: Sequence[Headline], head: Headline) -> Headline | None:
    """The headline of the story ``head`` stands in: the last one found, if it is on
    the same page file (every cue below reads that story)."""
    if heads and blocks[heads[-1].start].source == blocks[head.start].source:
        return heads[-1]
    return None


def section_head(
    blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], heads: Sequence[Headline], head: Headline
) -> str | None:
    """Why a line the tagger took for a title heads a section of the story it stands in
    (None if nothing says so): it is numbered, it repeats the story's title, or the
    text under it does.

    Read as a group (sixth pass): where the line stands among other lines under the
    same title that the tagger takes for sub-heads, less repetition does: 30 % of the
    title's word pairs in the 300 characters under it. The gold of the corpus's plain
    pages (no byline right under the line): 594 of 1679 sub-heads in stories with
    other sub-heads have text under them repeating 30–60 % of their title, against 6
    of 356 titles next to a story with sub-heads (the next story's title, whose
    "siblings" are the sub-heads of the story above, or a title over sub-heads of its
    own), in 2 of 10 sources; counting only sub-heads between body paragraphs, as
    here, 281 of 715 against 1 title of 237. Without the group, 29 titles of 1348
    fall in that band.

    Read over the stretch it would head (seventh pass): the story's first section
    after its opening, a part the story's own text names, or a row of a form."""
    if NUMBERED.match(head.title):
        return SECTION_WHY + "a numbered line"
    above = _story_above(blocks, heads, head)
    if above is None:
        return None
    if _echoes(above, head):
        return SECTION_WHY + "it repeats the story's title"
    if _carries_title(blocks, above, head):
        return SECTION_WHY + "the text under it repeats the story's title"
    if _carries_title(blocks, above, head, GROUP_CARRIES) and _among_sub_heads(blocks, tags, above, head):
        return SECTION_WHY + "one of the story's sub-heads, and the text under it goes on about its title"
    if _opening_then_sections(blocks, tags, above, head):
        return SECTION_WHY + "its first section after the opening, the text under it goes on about its title"
    if _told_above(blocks, above, head):
        return SECTION_WHY + "the story's text names it word for word"
    if _among_rows(blocks, tags, above, head):
        return SECTION_WHY + "a row of its form or table: no sentence above it or under it"
    return None


def dated_section(
    blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], heads: Sequence[Headline], head: Headline
) -> str | None:
    """Why a short line over a dateline (a headline by layout) heads a section of the
    story above instead: a web story's related report, with its own "本报讯" lead, set
    under the story's opening paragraph among its sub-heads. In the corpus gold (plain
    pages), of the lines right over a dateline or byline, 9 sub-heads (of 25) and none
    of the 398 titles stand so."""
    above = _story_above(blocks, heads, head)
    if (
        above is not None
        and byline_follows(blocks, head.end)
        and _opening_then_sections(blocks, tags, above, head, dated=True)
    ):
        return SECTION_WHY + "a related report after its opening, the text under it goes on about its title"
    return None
