"""Turn the blocks under one headline into an item: byline, body paragraphs, credit,
signature; split off photo news and passages that cannot belong to it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..models import Block, Paragraph
from .byline import (
    continued_from,
    continued_to,
    parse_author,
    parse_credit,
    parse_dateline,
    parse_source_line,
    tidy,
)
from .draft import Draft
from .headline import STUB_ENDS, Headline
from .rules import clause_title, ends_sentence, headline_like, is_brief_title, is_date_line
from .tagger import Tag
from .words import cuts_word

MAX_SIGNATURE_LINE = 25
MAX_SECTION_HEADING = 30


@dataclass(frozen=True)
class Context:
    """What the body reader needs to know about the whole issue."""

    shape_sources: frozenset[str]  # page files without markup
    new_uid: Callable[[], int]
    tags: Mapping[tuple[str, int], Tag] = field(default_factory=dict)  # line tagger's labels


def _signature_lines(block: Block) -> tuple[str, ...] | None:
    """Lines of a signature block ending in a date (``衡阳市人民政府`` / ``2022年1月27日``)."""
    lines = block.lines or (block.text,)
    if not is_date_line(lines[-1]):
        return None
    if all(len(x) <= MAX_SIGNATURE_LINE and not ends_sentence(x) for x in lines[:-1]):
        return lines
    return None


def _mark_signers(paragraphs: list[Paragraph]) -> None:
    """Short unpunctuated lines right above a date are the signers, not body text."""
    k = len(paragraphs) - 1
    while k >= 0 and len(paragraphs) - k <= 3:
        para = paragraphs[k]
        if para.role != "body" or len(para.text) > MAX_SIGNATURE_LINE or ends_sentence(para.text):
            break
        paragraphs[k] = Paragraph(para.text, "signature")
        k -= 1


def _section_heading(text: str, paragraphs: list[Paragraph], rest: Sequence[Block]) -> bool:
    """In text without markup, a short unpunctuated line between finished paragraphs."""
    if not 4 <= len(text) <= MAX_SECTION_HEADING or not headline_like(text):
        return False
    if paragraphs and paragraphs[-1].role == "body" and not ends_sentence(paragraphs[-1].text):
        return False
    following = next((b for b in rest if b.kind != "break"), None)
    if following is None or following.kind != "paragraph":
        return False
    nxt = following.text
    if headline_like(nxt) or is_date_line(nxt):
        return False
    if len(nxt) > 1 and nxt[1] in STUB_ENDS:
        # "任、做好…": a one-character stub before a comma finishes the line's last word.
        return False
    return not cuts_word(text, nxt)


def _photo_title(caption: str) -> str:
    return clause_title(caption) or "图片新闻"


def read_body(
    head: Headline | None, blocks: Sequence[Block], ctx: Context, orphan: bool = False, carried: bool = False
) -> list[Draft]:
    """The item(s) made from one headline and the blocks up to the next headline."""
    title = head.title if head else ""
    draft = Draft(
        uid=ctx.new_uid(),
        title=title,
        kicker=head.kicker if head else None,
        subtitle=head.subtitle if head else None,
        continued_from=head.continued_from if head else None,
        orphan=orphan,
        carried=carried,
        source=blocks[0].source if blocks else "",
    )
    brief = is_brief_title(title)
    paragraphs: list[Paragraph] = []
    extra: list[Draft] = []
    started = False  # body text has begun: no more bylines at the top
    blocks = [b for b in blocks if b.kind != "break"]
    for idx, block in enumerate(blocks):
        rest = blocks[idx + 1 :]
        text = block.text
        if block.kind == "heading" or block.strong:
            paragraphs.append(Paragraph(text, "heading"))
            continue
        if block.kind == "list_item":
            paragraphs.append(Paragraph(text, "list_item"))
            started = True
            continue
        draft, text = _jump_markers(draft, text, first=not paragraphs)
        if text and not started and not brief:
            draft, text = _top_matter(draft, text)
            tag = ctx.tags.get((block.source, block.line))
            if text and tag is not None and tag.label == "byline" and draft.byline is None:
                draft, text = replace(draft, byline=tidy(text)), ""
        if not text:
            continue
        credit = parse_credit(text)
        if credit:
            draft, photo = _credit(draft, paragraphs, credit, last=not rest, ctx=ctx)
            extra.extend(photo)
            continue
        if not rest and started and draft.byline is None and (author := parse_author(text)):
            draft = replace(draft, byline=author)
            continue
        signature = _signature_lines(block)
        if signature is not None:
            if len(signature) == 1:
                _mark_signers(paragraphs)
            paragraphs.extend(Paragraph(x, "signature") for x in signature)
            leftover = [b for b in rest if b.kind != "break"]
            if leftover:
                # Nothing follows a signature in the same story: what does is a passage
                # of another story that the page layout put here.
                extra.extend(read_body(None, leftover, ctx, orphan=True))
            break
        if block.source in ctx.shape_sources and _section_heading(text, paragraphs, rest):
            paragraphs.append(Paragraph(text, "heading"))
            continue
        paragraphs.append(Paragraph(text, "body"))
        started = True
    draft = replace(draft, paragraphs=tuple(paragraphs))
    if draft.kind == "photo" and draft.orphan:
        # A captioned, credited photo is complete wherever the page put it.
        draft = replace(draft, orphan=False, carried=False)
        if not draft.title:
            draft = replace(draft, title=_photo_title(paragraphs[0].text), made_up_title=True)
    if not draft.title:
        draft = _untitled(draft)
    return [draft, *extra]


def _jump_markers(draft: Draft, text: str, first: bool) -> tuple[Draft, str]:
    """Record and strip ``（上接第X版）`` at the top and ``（下转第X版）`` at a paragraph's end."""
    marker, text = continued_from(text)
    if marker and first:
        draft = replace(draft, continued_from=draft.continued_from or marker)
    marker, text = continued_to(text)
    if marker:
        draft = replace(draft, continued_to=marker)
    return draft, text


def _top_matter(draft: Draft, text: str) -> tuple[Draft, str]:
    """Take the dateline and byline off the top of the body; returns what text is left."""
    dateline = parse_dateline(text)
    if dateline and draft.dateline is None:
        return replace(draft, dateline=dateline.dateline, byline=draft.byline or dateline.byline), dateline.rest
    author = parse_author(text)
    if author and draft.byline is None:
        return replace(draft, byline=author), ""
    source = parse_source_line(text)
    if source is not None:
        # The archive's line naming paper, date and page: its author is the byline,
        # the rest is not read.
        return replace(draft, byline=draft.byline or source[0]), ""
    return draft, text


def _credit(
    draft: Draft, paragraphs: list[Paragraph], credit: str, last: bool, ctx: Context
) -> tuple[Draft, list[Draft]]:
    """A ``摄`` credit. At the end of an item, the caption above it is photo news: the
    whole item if it is the only paragraph, else split off as an item of its own."""
    body = [p for p in paragraphs if p.role == "body"]
    if not last or not body or paragraphs[-1].role != "body":
        return replace(draft, credit=draft.credit or credit), []
    if len(body) == 1:
        return replace(draft, kind="photo", credit=credit), []
    caption = paragraphs.pop()
    photo = Draft(
        uid=ctx.new_uid(),
        title=_photo_title(caption.text),
        paragraphs=(caption,),
        kind="photo",
        credit=credit,
        made_up_title=True,
        source=draft.source,
    )
    return draft, [photo]


def _untitled(draft: Draft) -> Draft:
    texts = [p.text for p in draft.paragraphs if p.role in ("body", "list_item")] or [p.text for p in draft.paragraphs]
    first = texts[0] if texts else ""
    return replace(draft, title=clause_title(first) if first else "", made_up_title=True)
