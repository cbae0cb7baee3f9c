"""Find headline blocks (kicker, title, subtitle) in the stream of page blocks.

Marked-up pages give titles as headings; lines around a heading that look like
headlines are its kicker (above) and subtitle (below). Pages without markup are read
by shape alone: a run of short unpunctuated lines that opens a story.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..models import Block
from .byline import (
    continued_from,
    is_bare_wire_line,
    is_credit_line,
    is_marker,
    is_meta_line,
    is_source_line,
    is_wire_close,
    parse_author,
    parse_credit,
    parse_dateline,
)
from .rules import enclosed, headline_like, is_brief_title, is_date_line, is_field, is_notice_title
from .sections import dated_section, section_head
from .shape import (
    NUMBERED,
    SENTENCE_STOP,
    Headline,
    between_paragraphs,
    body_line,
    byline_follows,
    plain_line,
    tag_label,
)
from .tagger import Tag

MAX_KICKER_LINES = 3
MAX_SUBTITLE_LINES = 2
STUB_ENDS = "、，,；;"


def _join_lines(lines: Sequence[str]) -> str | None:
    """Headline lines as one string; a space only where no punctuation separates them."""
    if not lines:
        return None
    out = lines[0]
    for line in lines[1:]:
        out += line if out[-1] in "：:—，,、" else " " + line
    return out


DEFAULT_TITLE_LEVEL = 2  # "#" and "##" are titles unless the page's structure says otherwise
MAX_LABEL = 6  # characters: "要闻", "详细新闻", "国内新闻" label a section, titles are longer
_ENUMERATED = re.compile(r"^[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]")
_MASTHEAD = re.compile(r"《[^》]{1,20}》|\d{4}\s*[年\-/.]\s*\d{1,2}")


@dataclass(frozen=True)
class Structure:
    """How headings are used on each page: which level marks a story where, and which
    headings only label a section (``## 详细新闻`` above ``###`` stories, a masthead)."""

    title_level: tuple[int, ...]  # per block: headings at this level or above are titles
    labels: frozenset[int] = frozenset()
    warnings: tuple[str, ...] = ()
    reasons: dict[int, str] = field(default_factory=dict)

    def is_title(self, blocks: Sequence[Block], i: int) -> bool:
        block = blocks[i]
        return block.kind == "heading" and i not in self.labels and block.level <= self.title_level[i]


def _next_text(blocks: Sequence[Block], i: int) -> int | None:
    j = i + 1
    while j < len(blocks) and blocks[j].kind == "break":
        j += 1
    return j if j < len(blocks) and blocks[j].source == blocks[i].source else None


def _scope_end(blocks: Sequence[Block], i: int) -> int:
    """First block after heading ``i`` that is a heading of its level or above, or on another page."""
    j = i + 1
    while j < len(blocks) and blocks[j].source == blocks[i].source:
        if blocks[j].kind == "heading" and blocks[j].level <= blocks[i].level:
            break
        j += 1
    return j


def _opens_with_byline(blocks: Sequence[Block], i: int) -> bool:
    j = _next_text(blocks, i)
    while j is not None and blocks[j].kind == "heading":
        j = _next_text(blocks, j)
    if j is None:
        return False
    text = blocks[j].text
    return parse_dateline(text) is not None or parse_author(text) is not None or is_source_line(text)


def plan(blocks: Sequence[Block], story_level: int | None = None) -> Structure:
    """Decide, per page, which heading level marks stories.

    A heading with no text of its own, directly followed by two or more deeper headings
    that each open a story, labels a section: ``## 详细新闻`` above ``### 标题`` stories,
    or a masthead (``# 《新闻联播》 (2026年1月5日)``). Deeper headings right under a title
    are otherwise its subtitle and sections. ``story_level`` (the user's word) overrides.
    """
    n = len(blocks)
    if story_level is not None:
        above = {
            i
            for i, b in enumerate(blocks)
            if b.kind == "heading" and b.level < story_level and _next_is_heading(blocks, i)
        }
        return Structure(
            (story_level,) * n,
            frozenset(above),
            reasons={i: f"above the story level {story_level} given" for i in above},
        )
    levels = [DEFAULT_TITLE_LEVEL] * n
    labels: set[int] = set()
    warnings: list[str] = []
    reasons: dict[int, str] = {}
    for i, block in enumerate(blocks):
        if block.kind != "heading" or not _next_is_heading(blocks, i):
            continue
        j = _next_text(blocks, i)
        assert j is not None
        deeper = blocks[j].level
        if deeper <= block.level:
            continue
        end = _scope_end(blocks, i)
        children = [k for k in range(j, end) if blocks[k].kind == "heading" and blocks[k].level == deeper]
        if len(children) < 2 or any(_ENUMERATED.match(blocks[k].text) for k in children):
            continue
        masthead = _MASTHEAD.search(block.text) is not None
        bylines = sum(_opens_with_byline(blocks, k) for k in children)
        short = len(block.text) <= MAX_LABEL
        if masthead or (len(children) >= 3 and short) or bylines >= max(2, (len(children) + 1) // 2):
            labels.add(i)
            why = "masthead" if masthead else f"no text of its own, {len(children)} level-{deeper} stories under it"
            reasons[i] = why
            for k in range(j, end):
                levels[k] = max(levels[k], deeper)
        elif len(children) >= 3 and block.level <= levels[i]:
            warnings.append(
                f"“{block.text}” has {len(children)} level-{deeper} headings under it and no text of its own: "
                f"read as one story with sections; if they are separate stories, use --story-level {deeper}"
            )
    return Structure(tuple(levels), frozenset(labels), tuple(warnings), reasons)


def _next_is_heading(blocks: Sequence[Block], i: int) -> bool:
    j = _next_text(blocks, i)
    return j is not None and blocks[j].kind == "heading"


def _opens_story(block: Block) -> bool:
    """A block that can follow a headline: a byline, or body text."""
    if block.kind == "list_item":
        return True
    if block.kind != "paragraph" or is_date_line(block.text) or parse_credit(block.text):
        return False
    text = block.text
    if parse_dateline(text) is not None or parse_author(text) is not None or is_source_line(text):
        return True
    # A line ending in a colon after a title is a salutation ("广大市民朋友们：").
    return text[-1] in "：:" or not headline_like(text, allow_lead=True)


def _closes_story(block: Block) -> bool:
    """A block after which a new story is expected: a credit, a date, a jump marker."""
    if block.kind == "break":
        return True
    text = block.text
    last = block.lines[-1] if block.lines else text
    return parse_credit(text) is not None or is_date_line(last) or is_marker(text) or is_wire_close(text)


def _later_same_level(blocks: Sequence[Block], st: Structure, start: int, level: int) -> bool:
    """Another heading of this level before the next title: then it is a section."""
    for k in range(start + 1, len(blocks)):
        block = blocks[k]
        if st.is_title(blocks, k):
            return False
        if block.kind == "heading" and block.level == level:
            return True
    return False


def _cut_short(blocks: Sequence[Block], j: int) -> bool:
    """The next paragraph opens with the stub of a cut word ("设、要素保障…"), so this
    line is the first half of a paragraph, not a headline line."""
    if j + 1 >= len(blocks) or blocks[j + 1].kind != "paragraph":
        return False
    nxt = blocks[j + 1].text
    return len(nxt) > 1 and nxt[1] in STUB_ENDS


def _is_byline_next(blocks: Sequence[Block], j: int) -> bool:
    if j + 1 >= len(blocks):
        return False
    text = blocks[j + 1].text
    return parse_dateline(text) is not None or parse_author(text) is not None


def _region_top(blocks: Sequence[Block], st: Structure, k: int, floor: int, source: str) -> bool:
    """Nothing of an earlier story's text lies directly above block ``k``."""
    above = k - 1
    return (
        above < floor
        or blocks[above].kind in ("break", "heading")
        or blocks[above].source != source
        or above in st.labels
    )


def _plain_kicker(blocks: Sequence[Block], st: Structure, k: int, floor: int, source: str) -> bool:
    """A plain line above a marked title is its kicker when it leads into it (ends in a
    colon or dash: "系列报道之三：", "…机制建设——") or when nothing of the story before
    lies above it. Otherwise it is that story's last line: a signature, a credit, the
    end of a list, which a page that marks its titles does not set as a kicker."""
    block = blocks[k]
    if not plain_line(block, allow_lead=True):
        return False
    return block.text[-1] in "：:—" or _region_top(blocks, st, k, floor, source)


def _marked_up(blocks: Sequence[Block], st: Structure, i: int, floor: int) -> Headline:
    title = blocks[i]
    k = i - 1
    kicker: list[str] = []
    while k >= floor and len(kicker) < MAX_KICKER_LINES and blocks[k].source == title.source:
        # A kicker is on the title's own page: text above it on an earlier page file
        # is the end of another story.
        block = blocks[k]
        if (block.kind == "heading" and block.level > title.level and k not in st.labels) or _plain_kicker(
            blocks, st, k, floor, title.source
        ):
            kicker.insert(0, block.text)
            k -= 1
        else:
            break
    j = i + 1
    subtitle: list[str] = []
    brief = is_brief_title(title.text)
    while not brief and j < len(blocks) and len(subtitle) < MAX_SUBTITLE_LINES:
        block = blocks[j]
        deeper = block.kind == "heading" and block.level > title.level
        # A heading right under the title is its subtitle, unless it is the first of
        # several sections that start straight away (no byline after it).
        section = deeper and _later_same_level(blocks, st, j, block.level) and not _is_byline_next(blocks, j)
        if (deeper and not section) or (plain_line(block) and not _cut_short(blocks, j)):
            subtitle.append(block.text)
            j += 1
        else:
            break
    why = f"heading level {title.level}: titles on this page are level {st.title_level[i]} or above"
    return Headline(k + 1, j, title.text, _join_lines(kicker), _join_lines(subtitle), why=why)


def _run_end(blocks: Sequence[Block], start: int, indented: bool = False) -> int:
    """End of a run of headline-like lines. Lines ending in a colon or dash only lead a
    headline (kickers); after the title such a line is a salutation ("市民朋友们：").
    On a page whose paragraphs are indented, an indented line ends the run."""
    end = start
    leading = True
    while (
        end < len(blocks)
        and plain_line(blocks[end], allow_lead=True)
        and not (indented and end > start and blocks[end].indent and not blocks[start].indent)
    ):
        lead_mark = blocks[end].text[-1] in "：:—"
        if lead_mark and not leading:
            break
        leading = leading and lead_mark
        end += 1
    return end


def _by_shape(blocks: Sequence[Block], start: int, end: int) -> Headline:
    lines = [b.text for b in blocks[start:end]]
    lead = 0
    while lead < len(lines) - 1 and lines[lead][-1] in "：:—":
        lead += 1
    return Headline(
        start,
        end,
        lines[lead],
        _join_lines(lines[:lead]),
        _join_lines(lines[lead + 1 :]),
        why=CREDIT_WHY if _credit_closes(blocks, start - 1) else "rule: short unpunctuated line(s) opening a story",
    )


CREDIT_WHY = "rule: short line(s) under a credit that signs the story above off"


# "文／记者 …　图／记者 …" credits the story or section under it, not the one above.
_OPENING_CREDIT = re.compile(r"^[文图]\s*[／/]")


def _credit_closes(blocks: Sequence[Block], k: int) -> bool:
    """Block ``k`` signs off the story above it: a credit or a reporter's name
    ("作者：刘俊 （来源：广州日报）", "图片提供／钱俊", "本报见习记者刘帅") right under body
    text. A byline heads its story; under body text it closes one. In the corpus gold
    (plain pages), 7 headline-shaped lines stand right under such a line, all titles,
    in 3 sources; the 2 sub-heads so placed (1 story printed twice) stand under a
    "文／…图／…" credit, which opens a section. A wire dateline alone under body text
    ("新华社北京3月14日电") is the same credit as its bracketed form, which closes the
    story above: the short lines under the bracketed form are 20 titles and no sub-head
    (2 sources), under the bare form 2 titles."""
    if k < 1 or blocks[k].kind != "paragraph":
        return False
    text = blocks[k].text
    if _OPENING_CREDIT.match(text) or not (
        is_credit_line(text) or parse_author(text) is not None or is_bare_wire_line(text)
    ):
        return False
    above = blocks[k - 1]
    return above.source == blocks[k].source and body_line(above)


def _shape_run_is_headline(blocks: Sequence[Block], start: int, end: int) -> bool:
    """The rules' reading of a run of short lines: a headline when a byline follows,
    or it has several lines, or it opens the page or follows the end of a story."""
    if end >= len(blocks) or end - start > MAX_KICKER_LINES + MAX_SUBTITLE_LINES or not _opens_story(blocks[end]):
        return False
    follower = blocks[end].text
    if parse_dateline(follower) or parse_author(follower):
        return True
    return end - start >= 2 or _story_ended_above(blocks, start) or is_notice_title(blocks[start].text)


def _story_ended_above(blocks: Sequence[Block], i: int) -> bool:
    """Line ``i`` opens its page file, or the line above it closes a story (a credit, a
    date, a jump marker, a wire credit, a reporter's name under body text)."""
    before = blocks[i - 1] if i else None
    return before is None or before.source != blocks[i].source or _closes_story(before) or _credit_closes(blocks, i - 1)


def unmarked_sources(blocks: Sequence[Block], st: Structure | None = None) -> frozenset[str]:
    """Page files without a single title heading: their headlines are found by shape.
    Decided per file, as pages of one issue may come in different formats."""
    st = st or plan(blocks)
    marked = {b.source for i, b in enumerate(blocks) if st.is_title(blocks, i)}
    return frozenset(b.source for b in blocks) - marked


@dataclass(frozen=True)
class Layout:
    """The conventions of one page file without markup, which give layout cues their
    meaning: where paragraphs are indented and headlines are not, an indented line is
    body text, never a headline line; where blank lines set stories apart, a story
    starts after one; where nearly every paragraph has a title line above it (a page
    of briefs), a title line between two paragraphs opens a story."""

    indented: bool = False
    gapped: bool = False
    briefs: bool = False


MIN_GAPS = 2
MIN_BRIEFS = 3  # body lines: fewer say nothing about how a page sets its stories


def _brief_title(block: Block) -> bool:
    """A line that could title a brief: no stop at its end, not a form's field, a
    byline or a note, not a numbered point of a list."""
    text = block.text
    return (
        block.kind == "paragraph"
        and len(text) <= MAX_LONG_HEADLINE
        and text[-1] not in "。！？!?；;，,、…：:"
        and not SENTENCE_STOP.search(text)
        and not _never_title(text)
        and not _ENUMERATED.match(text)
    )


def _briefs(paragraphs: Sequence[Block]) -> bool:
    """A page of one-paragraph stories: nearly every body paragraph has a title line
    right above it (a wire or web digest). There a title line between two paragraphs
    opens a story, whatever it says: a story's sub-heads stand over runs of paragraphs."""
    bodies = [k for k, b in enumerate(paragraphs) if body_line(b)]
    headed = sum(1 for k in bodies if k and _brief_title(paragraphs[k - 1]))
    return len(bodies) >= MIN_BRIEFS and headed * 10 >= len(bodies) * 8


def page_layouts(blocks: Sequence[Block]) -> dict[str, Layout]:
    by_source: dict[str, list[Block]] = {}
    for block in blocks:
        by_source.setdefault(block.source, []).append(block)
    out: dict[str, Layout] = {}
    for source, page in by_source.items():
        paragraphs = [b for b in page if b.kind == "paragraph"]
        flush = sum(not b.indent for b in paragraphs)
        indented = 0 < flush * 2 < len(paragraphs)
        after_gap = [page[k + 1] for k in range(len(page) - 1) if page[k].kind == "break"]
        opening = [b for b in after_gap if b.kind == "paragraph" and plain_line(b, allow_lead=True)]
        gapped = len(after_gap) >= MIN_GAPS and len(opening) * 10 >= len(after_gap) * 7
        out[source] = Layout(indented, gapped, _briefs(paragraphs))
    return out


MAX_LONG_HEADLINE = 120
SHORT_LONG_HEADLINE = 80  # beyond this, a line with a sentence stop inside is a paragraph
MAX_SUBTITLE = 60
# The note under a document's title: "（2000年3月11日政协第九届全国委员会第三次会议通过）".
_DOCUMENT_NOTE = re.compile(r"^[（(]\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年.{0,60}(?:通过|发布|公布|施行)[)）]$")


def _dash_subtitle(text: str) -> bool:
    """A subtitle set under its title with a dash: "——在全国双拥模范城命名大会上的报告"."""
    return text.startswith(("——", "－－", "--")) and len(text) <= MAX_SUBTITLE and not SENTENCE_STOP.search(text)


# A subtitle run into its title's line: "深化干部人事制度改革势在必行——访…曾庆红",
# "再创辉煌——一九九五年我国体育运动成绩综述". A sub-head so set has a word or two on
# either side ("超越——永恒的魅力之所在", "…发展方向——三个转变").
_RUN_IN_SUBTITLE = re.compile(r"^[^—－\-，,]{4,}(?:——|－－|--)[^—－]{8,}$")


def _run_in_subtitle(blocks: Sequence[Block], i: int) -> bool:
    """Line ``i``, between two body paragraphs, is a title with its subtitle run into
    the same line. In the corpus gold (plain pages), 53 lines are so worded, all titles
    (fudan-gmrb, fudan-other, fudan-rmrb), 3 of them between body paragraphs; the 6
    other lines so worded are a list's entries (sogou: "作品名称：安全驾驶－－…"), none
    between body paragraphs."""
    text = blocks[i].text.strip()
    if not _RUN_IN_SUBTITLE.match(text) or SENTENCE_STOP.search(text) or len(text) > MAX_LONG_HEADLINE:
        return False
    return between_paragraphs(blocks, i)


RUN_IN_WHY = "layout: a title with its ——subtitle run in, between two paragraphs"


def _deck(blocks: Sequence[Block], heads: Sequence[Headline], i: int) -> bool:
    """Block ``i`` is one of the lines under a headline before any body text: the
    headline's deck ("中央政治局主持会议 总书记江泽民同志作重要讲话 …"), not a new one."""
    if not heads or heads[-1].end > i or blocks[heads[-1].start].source != blocks[i].source:
        return False
    return all(b.kind == "paragraph" and b.text[-1] not in "。！？!?…" for b in blocks[heads[-1].end : i])


def _long_headline(blocks: Sequence[Block], i: int, layout: Layout) -> bool:
    """A headline too long or too punctuated to look like one ("…会议上强调，认真开展…，
    推动…") has no sentence stop and still stands where headlines stand: right above its
    byline or dateline, above a document's note (adopted on…), or first after a gap on a
    page whose stories are set apart by gaps."""
    block = blocks[i]
    text = block.text
    if (
        block.kind != "paragraph"
        or len(text) > MAX_LONG_HEADLINE
        or text[-1] in "。！？!?；;，,、…：:"
        or (len(text) > SHORT_LONG_HEADLINE and SENTENCE_STOP.search(text))
        or text.startswith(("—", "－－", "--"))  # a subtitle under its title
        or _never_title(text)
        or i + 1 >= len(blocks)
        or blocks[i + 1].source != block.source
    ):
        return False
    below = blocks[i + 1].text
    if (
        parse_author(below) is not None
        or parse_dateline(below) is not None
        or _DOCUMENT_NOTE.match(below)
        # (a quotation's "——鲁迅" is no subtitle: a title has no stop inside)
        or (_dash_subtitle(below) and not SENTENCE_STOP.search(text))
    ):
        return True
    if _brief_slot(blocks, i, i + 1, layout) or _run_in_subtitle(blocks, i):
        return True
    after_gap = i > 0 and blocks[i - 1].kind == "break"
    return layout.gapped and after_gap and not block.indent and blocks[i + 1].kind == "paragraph"


def _brief_slot(blocks: Sequence[Block], i: int, end: int, layout: Layout) -> bool:
    """On a page of briefs, a title line between the body of one brief and the next."""
    if not layout.briefs or end - i != 1 or not _brief_title(blocks[i]):
        return False
    if end >= len(blocks) or blocks[end].source != blocks[i].source or not body_line(blocks[end]):
        return False
    above = next((b for b in reversed(blocks[:i]) if b.kind != "break"), None)
    return above is None or above.source != blocks[i].source or body_line(above)


def _signed_off(blocks: Sequence[Block], end: int) -> bool:
    """A date or a photo credit right under short lines: they sign a notice or a
    picture off (衡阳市人民政府 / 2022年1月27日); no story opens that way."""
    if end >= len(blocks) or blocks[end].kind != "paragraph":
        return False
    return is_date_line(blocks[end].text) or parse_credit(blocks[end].text) is not None


_FORMULA = re.compile(r"[=＝]")


# A form's field is labelled with a word of two characters (地点, 时间, 主办, 地址).
_FORM_LABEL = re.compile(r"^[\u4e00-\u9fff]{2}[：:]")


# A list's entry: a label, a colon and three or more items ("东区：体育公园、游泳馆、网球中心").
_LIST_ENTRY = re.compile(r"^[^：:]{1,12}[：:][^：:]*、[^：:]*、")
# A note on the story, at its head or its end ("註: 此稿19:45更新內容", "编者按：…", "注："):
# in the corpus gold (plain pages) 9 such lines in 3 sources, no title.
_NOTE = re.compile(r"^(?:註|注|编者按|編者按)\s*[:：]")


# An entry of a list or a form: a label, a colon and a value with no sentence in it
# ("甘肃省：玉门市、永昌县", "新疆维吾尔自治区：察布察尔锡伯自治县", "姓名：").
_ENTRY = re.compile(r"^[^：:，。；\s]{1,12}[：:][^：:，。；]{0,40}$")


def _continues_list(blocks: Sequence[Block], i: int) -> bool:
    """Line ``i`` is the next entry of a list or form: shaped like an entry, right under
    another. In the corpus gold (plain pages) 44 lines stand so, in 3 sources, all of them
    body text or a story's sub-heads; no title does, but for 2 titles printed twice over
    (the same line under itself, which this leaves alone)."""
    if i < 1 or blocks[i - 1].kind != "paragraph" or blocks[i - 1].source != blocks[i].source:
        return False
    line, above = blocks[i].text.strip(), blocks[i - 1].text.strip()
    return line != above and bool(_ENTRY.match(line)) and bool(_ENTRY.match(above))


NEVER_WHY = "never a headline: a form's field, a byline or credit, a note, a formula or a list's entry"
LIST_WHY = "never a headline: the next entry of the list or form above it"
LAYOUT_WHY = (
    "not a headline here: against the page's layout (indented where its headlines are flush,"
    " or no blank line above where blank lines part its stories)"
)


def _overruled_why(blocks: Sequence[Block], head: Headline) -> str:
    """Why a headline found by a rule or the tagger is dropped, for --explain."""
    if _never_title(head.title):
        return NEVER_WHY
    if _nothing_under(blocks, head.end):
        return "not a headline: no text under it on its page, so it ends the story above"
    return "not a headline: a date or a photo credit under it signs a notice or a picture off"


def _nothing_under(blocks: Sequence[Block], end: int) -> bool:
    """No text under a headline on its page: a headline heads a story, so a short
    line that ends a page ("音頻: …", a closing label) is the last of the story above."""
    source = blocks[end - 1].source
    return not any(b.kind == "paragraph" for b in itertools.takewhile(lambda b: b.source == source, blocks[end:]))


def _never_title(text: str, *, field: bool = False) -> bool:
    """Lines no score makes a headline: a form's field, a byline or credit, a note, a
    formula or a table's row (an equals sign: in no title of the corpus), a list's entry
    (a label, a colon, three items: 30 sub-heads and body lines of the corpus's plain
    pages have two 、 or more, 3 titles, none of them after a label).

    ``field``: a line shaped like a field may still be a title when the tagger says
    so, unless its label is a form's two-character word. A topic, a colon and a short
    headline ("体育产业：回顾与思考", "纽约时报：白宫研拟制裁北韩措施") looks like a field;
    what stands around it tells them apart, and the tagger reads that. On the corpus's
    pages without markup, 4 titles are so shaped, their labels three or four characters
    long, and the held-out tagger gives them all p ≥ 0.5; of the 51 other lines so
    shaped it gives 1 p ≥ 0.5, and none of the 15 with a two-character label."""
    if is_field(text) and (not field or _FORM_LABEL.match(text.strip())):
        return True
    return (
        is_meta_line(text)
        or enclosed(text)
        or bool(_FORMULA.search(text) or _LIST_ENTRY.match(text) or _NOTE.match(text))
    )


def _strong_start(blocks: Sequence[Block], i: int, end: int) -> bool:
    """Layout that opens a story whatever the words say: a byline or dateline right
    under the run, the top of a page file, a deliberate gap above it, or a line that
    closes a story (a photo credit, a signature's date, a jump marker)."""
    return byline_follows(blocks, end) or _story_ended_above(blocks, i)


def _against_layout(blocks: Sequence[Block], i: int, end: int, layout: Layout) -> bool:
    """The page's conventions rule out a headline here: an indented line where headlines
    are flush, or no blank line above where blank lines set stories apart."""
    if layout.indented and blocks[i].indent:
        return True
    return layout.gapped and not _strong_start(blocks, i, end)


DASH_WHY = "layout: a short line over its —— subtitle"
NAMES_WHY = "layout: a short line over a byline of bare names and the lead"
LEAD_IN_WHY = "layout: a report's lead-in (…强调, …认为) over its headline"
# A report's lead-in names who spoke and leads into what they said, the headline under
# it ("吴邦国在全国国有企业党建工作会议上强调" / "充分发挥企业党组织政治核心作用").
_LEAD_IN = re.compile(r"(?:认为|指出|表示|强调)$")
# A byline of bare names, two or three characters each ("江泽民", "龚业明 蔡淑琴").
_BARE_NAMES = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:[ \u3000]+[\u4e00-\u9fff]{2,3}){0,3}$")


def _signed_by_names(blocks: Sequence[Block], i: int) -> bool:
    """Line ``i`` stands over a line of bare names and then the lead, as essays and
    commentaries set their author under the title ("新形势下如何…" / "江泽民" / "在谈到…").
    In the corpus gold (plain pages), 73 lines that open a run of short lines stand so,
    all titles (3 sources: the papers that sign with names alone); no sub-head does (a
    "——…" subtitle over its interviewee's name is left out: it is no title). Two
    name-shaped lines in a row ("北京" / "两万人") are a table's cells, not a title and
    its author."""
    if i + 2 >= len(blocks) or blocks[i].text.startswith(("—", "－－", "--")):
        return False
    if _BARE_NAMES.match(blocks[i].text.strip()):
        return False
    lead = blocks[i + 2]
    return bool(_BARE_NAMES.match(blocks[i + 1].text.strip())) and lead.source == blocks[i].source and body_line(lead)


def _tagger_decides(
    blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], i: int, end: int, indented: bool
) -> Headline | None:
    """A run of short lines in text without markup: a headline when layout says so
    beyond doubt, else when the tagger finds a title in it."""
    if _strong_start(blocks, i, end) and _shape_run_is_headline(blocks, i, end):
        return _by_shape(blocks, i, end)
    if end - i == 2 and _dash_subtitle(blocks[i + 1].text) and not SENTENCE_STOP.search(blocks[i].text):
        # A short line over a "——…" subtitle is a title and its subtitle, whatever the
        # tagger thinks of the words: in the corpus gold (plain shapes) 87 titles stand
        # so, and 2 of a story's sub-heads (an interview's, with subtitles of their own).
        return Headline(i, end, blocks[i].text, None, blocks[i + 1].text, why=DASH_WHY)
    if (
        2 <= end - i <= MAX_KICKER_LINES + MAX_SUBTITLE_LINES
        and _LEAD_IN.search(blocks[i].text)
        and end < len(blocks)
        and _opens_story(blocks[end])
    ):
        # In the corpus gold (plain pages), 15 lines so worded stand over another short
        # line, all of them titles (2 sources); no sub-head ends so.
        return Headline(
            i, end, blocks[i].text, None, _join_lines([b.text for b in blocks[i + 1 : end]]), why=LEAD_IN_WHY
        )
    if end - i == 1 and _run_in_subtitle(blocks, i):
        return Headline(i, end, blocks[i].text, why=RUN_IN_WHY)
    if end - i == 2 and _signed_by_names(blocks, i):
        # The names are the byline: they stay with the body.
        return Headline(i, i + 1, blocks[i].text, why=NAMES_WHY)
    for k in range(i, max(end, i + 1)):
        if tag_label(tags, blocks[k]) == "title":
            head = _tagged_run(blocks, tags, k, indented)
            if _signed_off(blocks, head.end):
                return None
            if k - i > MAX_KICKER_LINES or not all(b.text[-1] in "：:—" for b in blocks[i:k]):
                # A kicker is a line or three over its title that leads into it
                # ("系列报道之三：", "…机制建设——"); a longer run of short lines, or one
                # that does not lead on, is the end of the story before (a table's rows,
                # a note, a signature). In the corpus's plain pages, no story has a
                # kicker: the 59 short lines right over a title that are not titles
                # themselves all end the story above.
                return Headline(k, head.end, head.title, None, head.subtitle, why=head.why)
            kicker = _join_lines([b.text for b in blocks[i:k]])
            return Headline(i, head.end, head.title, kicker, head.subtitle, why=head.why)
    return None


def _tagged_run(
    blocks: Sequence[Block], tags: Mapping[tuple[str, int], Tag], i: int, indented: bool = False
) -> Headline:
    """A title line the tagger found, with the title and subtitle lines right after it."""
    titles = [blocks[i].text]
    subtitles: list[str] = []
    j = i + 1
    while (
        j < len(blocks)
        and blocks[j].kind == "paragraph"
        and blocks[j].source == blocks[i].source
        and not (indented and blocks[j].indent and not blocks[i].indent)
    ):
        tag = tags.get((blocks[j].source, blocks[j].line))
        if tag is None or tag.label not in ("title", "subtitle") or len(titles) + len(subtitles) >= 4:
            break
        (titles if tag.label == "title" and not subtitles else subtitles).append(blocks[j].text)
        j += 1
    tag = tags.get((blocks[i].source, blocks[i].line))
    why = f"tagger: title, p={tag.score:.2f}" if tag is not None else "tagger: title"
    return Headline(i, j, " ".join(titles), None, _join_lines(subtitles), why=why)


def find_headlines(
    blocks: Sequence[Block],
    st: Structure | None = None,
    tags: Mapping[tuple[str, int], Tag] | None = None,
    sections: dict[int, str] | None = None,
    overruled: dict[int, str] | None = None,
) -> list[Headline]:
    """Headline groups in page order; blocks between them are the stories' bodies.

    In pages without markup, ``tags`` (the line tagger's labels, by source and line)
    say which lines are titles; without them the rules judge by shape. ``sections``,
    when given, gets why each line the tagger took for a title heads a section of a
    story instead (by block index), for ``--explain``; ``overruled`` gets why each line
    a rule or the tagger took for a headline is none after all.
    """
    sections = {} if sections is None else sections
    overruled = {} if overruled is None else overruled
    st = st or plan(blocks)
    tags = tags or {}
    tagged = {source for source, _ in tags}
    shape_sources = unmarked_sources(blocks, st)
    layouts = page_layouts([b for b in blocks if b.source in shape_sources])
    heads: list[Headline] = []
    floor = 0
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if i in st.labels:
            i += 1
            continue
        if st.is_title(blocks, i):
            head = _marked_up(blocks, st, i, floor)
        elif block.kind == "paragraph" and continued_from(block.text)[0]:
            marker, rest = continued_from(block.text)
            if rest:
                # The marker opens a paragraph: the item starts here and the body
                # reader strips the marker from the text.
                heads.append(
                    Headline(i, i, marker or "", continued_from=marker, why="jump marker opens a continuation")
                )
                floor = i = i + 1
                continue
            head = _after_marker(blocks, st, i)
        elif (
            block.source in shape_sources
            and plain_line(block, allow_lead=True)
            and not _continues_list(blocks, i)
            and (not i or not plain_line(blocks[i - 1], allow_lead=True) or _continues_list(blocks, i - 1))
        ):
            # A page that marks its titles marks all of them: short lines there are
            # kickers, subtitles or the text's own sub-heads, never a story's start.
            layout = layouts.get(block.source, Layout())
            end = _run_end(blocks, i, layout.indented)
            found = (
                None
                if _against_layout(blocks, i, end, layout)
                else _by_shape(blocks, i, end)
                if _brief_slot(blocks, i, end, layout)
                else _tagger_decides(blocks, tags, i, end, layout.indented)
                if block.source in tagged
                else _by_shape(blocks, i, end)
                if _shape_run_is_headline(blocks, i, end)
                else None
            )
            section = (
                section_head(blocks, tags, heads, found)
                if found and found.why.startswith(("tagger", "layout"))
                else dated_section(blocks, tags, heads, found)
                if found and block.source in tagged
                else None
            )
            if (
                found is None
                or section
                or (
                    found.why.startswith(("tagger", "layout"))
                    and (_never_title(found.title) or _nothing_under(blocks, found.end))
                )
            ):
                if found is not None and section:
                    sections.update(dict.fromkeys(range(found.start, found.end), section))
                elif found is not None:
                    overruled.update(dict.fromkeys(range(found.start, found.end), _overruled_why(blocks, found)))
                i += 1
                continue
            head = found
        elif (
            block.source in shape_sources
            and not _deck(blocks, heads, i)
            and _long_headline(blocks, i, layouts.get(block.source, Layout()))
            and not _against_layout(blocks, i, i + 1, layouts.get(block.source, Layout()))
        ):
            dashed = (
                i + 1 < len(blocks)
                and blocks[i + 1].kind == "paragraph"
                and _dash_subtitle(blocks[i + 1].text)
                and not SENTENCE_STOP.search(block.text)
            )
            head = Headline(
                i,
                i + 2 if dashed else i + 1,
                block.text,
                subtitle=blocks[i + 1].text if dashed else None,
                why=RUN_IN_WHY
                if _run_in_subtitle(blocks, i)
                else "rule: a long unpunctuated line above a byline, a dateline or a subtitle, or after a story gap",
            )
        elif block.source in tagged and block.kind == "paragraph" and tag_label(tags, block) == "title":
            # A headline the rules did not see (long, or punctuated like a sentence).
            never = _never_title(block.text, field=True)
            if never or _continues_list(blocks, i):
                overruled[i] = NEVER_WHY if never else LIST_WHY
                i += 1
                continue
            layout = layouts.get(block.source, Layout())
            if _against_layout(blocks, i, i + 1, layout):
                overruled[i] = LAYOUT_WHY
                i += 1
                continue
            head = _tagged_run(blocks, tags, i, layout.indented)
            signed = _signed_off(blocks, head.end)
            section = None if signed else section_head(blocks, tags, heads, head)
            if section:
                sections.update(dict.fromkeys(range(head.start, head.end), section))
            if signed or section or _nothing_under(blocks, head.end):
                if not section:
                    overruled.update(dict.fromkeys(range(head.start, head.end), _overruled_why(blocks, head)))
                i += 1
                continue
        else:
            i += 1
            continue
        heads.append(head)
        floor = i = head.end
    return _report_titles(blocks, heads, shape_sources, layouts)


REPORT_WHY = "layout: a page of news reports, a short line over a dated lead"
MIN_REPORTS = 3
# A news report's lead opens with its date or dateline: "10月2日是…", "１０日上午…",
# "昨天下午…", "中新网3月6日电…", "2005年5月9日，…", "本报讯…".
_DATED_LEAD = re.compile(
    r"^(?:.{0,12}?\d{1,2}月\d{1,2}日|\d{1,2}日|\d{4}年\d{1,2}月|昨天|昨日|今天|今日|前天|日前|近日|本报讯)"
)


def _dated_lead(text: str) -> bool:
    return parse_dateline(text) is not None or bool(_DATED_LEAD.match(text))


def _story_lead(blocks: Sequence[Block], head: Headline) -> Block | None:
    """The first paragraph of a headline's story on its page, past a byline line."""
    source = blocks[head.start].source
    for block in blocks[head.end :]:
        if block.source != source:
            return None
        if block.kind == "paragraph" and parse_author(block.text) is None and not is_source_line(block.text):
            return block
    return None


def _report_pages(blocks: Sequence[Block], heads: Sequence[Headline], sources: frozenset[str]) -> set[str]:
    """Page files of news reports: every story found there, at least three, opens with
    a dated lead or a dateline."""
    leads: dict[str, list[bool]] = {}
    for head in heads:
        source = blocks[head.start].source
        if source in sources:
            lead = _story_lead(blocks, head)
            leads.setdefault(source, []).append(lead is not None and _dated_lead(lead.text))
    return {source for source, dated in leads.items() if len(dated) >= MIN_REPORTS and all(dated)}


def _report_titles(
    blocks: Sequence[Block], heads: list[Headline], sources: frozenset[str], layouts: Mapping[str, Layout]
) -> list[Headline]:
    """On a page of news reports (every story found opens with its date or dateline),
    a short line between two paragraphs over a dated lead opens a story, whatever the
    tagger says of its words: a report has no sub-heads, and the next report's title
    looks like one ("哈尔滨学院部分学生食物中毒" over "１０日上午９时许…"). In the corpus's
    plain pages (stories as the held-out splitter finds them), 65 page files are such
    pages (cec, nist-xinhua, and one each of fudan-rmrb, nist-afp, nist-dailies); 129
    lines stand so there, all titles (3 sources). The 18 sub-heads over a dated lead
    (fudan-other, sogou: a report's sections, "６月５日上午９点，本报记者…") all stand on
    pages with stories that open otherwise, as do 87 titles."""
    pages = _report_pages(blocks, heads, sources)
    if not pages:
        return heads
    taken = {k for head in heads for k in range(head.start, max(head.end, head.start + 1))}
    found = list(heads)
    for i in range(1, len(blocks) - 1):
        block = blocks[i]
        if (
            block.source in pages
            and i not in taken
            and plain_line(block)
            and between_paragraphs(blocks, i)
            and _dated_lead(blocks[i + 1].text)
            and not NUMBERED.match(block.text)
            and not _never_title(block.text)
            and not _against_layout(blocks, i, i + 1, layouts.get(block.source, Layout()))
        ):
            found.append(Headline(i, i + 1, block.text, why=REPORT_WHY))
    return sorted(found, key=lambda head: head.start)


def _after_marker(blocks: Sequence[Block], st: Structure, i: int) -> Headline:
    """``（上接第一版）`` opens a continuation; a headline right after it is its title."""
    marker = blocks[i].text.strip()
    nxt = i + 1
    if nxt < len(blocks) and st.is_title(blocks, nxt):
        head = _marked_up(blocks, st, nxt, nxt)
        return Headline(i, head.end, head.title, head.kicker, head.subtitle, marker, head.why)
    if nxt < len(blocks) and plain_line(blocks[nxt], allow_lead=True):
        end = _run_end(blocks, nxt)
        if _shape_run_is_headline(blocks, nxt, end):
            head = _by_shape(blocks, nxt, end)
            return Headline(i, head.end, head.title, head.kicker, head.subtitle, marker, head.why)
    return Headline(i, nxt, marker, continued_from=marker, why="jump marker opens a continuation")
