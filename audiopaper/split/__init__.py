"""Split an issue's blocks into the items an editor would read out: articles with
their headline parts and bylines, continuations, photo news, notices, round-ups.

Passes, in order: find headlines → read each body (byline, credit, signature, photo
and stray passages split off) → remove layout debris → join cut paragraphs → merge
continuations → reattach stray passages → settle kinds and number the items.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from ..models import Article, Block, Issue, Repair, SplitResult
from . import explain, tagger
from .body import Context, read_body
from .byline import continued_from
from .draft import Draft, Fix
from .headline import Headline, find_headlines, plan, unmarked_sources
from .repair import join_paragraphs, merge_continuations, reattach_orphans, remove_debris
from .rules import clause_title, is_brief_title, is_contents_title, is_furniture, is_notice_title
from .tagger import Tag, Tagger

__all__ = ["split"]

# Headings that name an issue's own summary of what is inside, whatever its form.
SUMMARY_TITLES = frozenset(("新闻摘要", "内容提要", "本期导读", "今日导读", "今日要目", "本期要目"))


def _by_source(blocks: Sequence[Block]) -> list[list[Block]]:
    """Cut a run of blocks where a new page file begins."""
    parts: list[list[Block]] = []
    for block in blocks:
        if not parts or block.source != parts[-1][-1].source:
            parts.append([])
        parts[-1].append(block)
    return parts


def _drafts(blocks: Sequence[Block], heads: Sequence[Headline], ctx: Context) -> list[Draft]:
    drafts: list[Draft] = []
    first = heads[0].start if heads else len(blocks)
    for n, part in enumerate(_by_source(blocks[:first])):
        # Text above the first headline of a later page is a passage carried over.
        later_page = n > 0 or (bool(blocks) and part[0].source != blocks[0].source)
        drafts.extend(_leading(part, ctx, orphan=later_page, before_stories=bool(heads)))
    for i, head in enumerate(heads):
        end = heads[i + 1].start if i + 1 < len(heads) else len(blocks)
        parts = _by_source(blocks[head.end : end])
        same_page = parts and parts[0][0].source == blocks[head.start].source
        drafts.extend(read_body(head, parts[0] if same_page else [], ctx))
        for part in parts[1:] if same_page else parts:
            drafts.extend(read_body(None, part, ctx, orphan=True, carried=True))
    return drafts


def _leading(blocks: list[Block], ctx: Context, orphan: bool, before_stories: bool) -> list[Draft]:
    if not any(b.kind != "break" for b in blocks):
        return []
    items = read_body(None, blocks, ctx, orphan=orphan, carried=orphan)
    first = items[0]
    listed = first.paragraphs and all(p.role == "list_item" for p in first.paragraphs)
    if before_stories and not orphan and listed:
        # A list above the first story is the page's summary of what is inside.
        items[0] = replace(first, kind="contents", title="本期导读", made_up_title=True)
    return items


def _settle_kind(draft: Draft) -> Draft:
    if draft.kind in ("photo", "contents"):
        return draft
    if is_contents_title(draft.title) and (
        any(p.role == "list_item" for p in draft.paragraphs) or draft.title in SUMMARY_TITLES
    ):
        return replace(draft, kind="contents")
    if draft.continued_from or draft.orphan:
        return replace(draft, kind="continuation")
    if is_notice_title(draft.title) or any(p.role == "signature" for p in draft.paragraphs):
        return replace(draft, kind="notice")
    if is_brief_title(draft.title):
        return replace(draft, kind="brief")
    return draft


CONTINUED = "（续）"


def _continuation_title(draft: Draft) -> Draft:
    """A continuation whose first half is not in the input is named after what it says
    (its first main clause) and marked as continued: a listener or a podcast app gets
    a title, not the page's jump marker ``（上接第一版）``."""
    if draft.kind != "continuation":
        return draft
    marker, rest = continued_from(draft.title)
    if not (marker and not rest) and not draft.made_up_title:
        return draft
    texts = [p.text for p in draft.paragraphs if p.role in ("body", "list_item")]
    if not texts:
        return draft
    return replace(draft, title=clause_title(texts[0]) + CONTINUED, made_up_title=True)


def _article(index: int, draft: Draft) -> Article:
    return Article(
        index=index,
        kind=draft.kind,
        title=draft.title,
        paragraphs=draft.paragraphs,
        kicker=draft.kicker,
        subtitle=draft.subtitle,
        byline=draft.byline,
        dateline=draft.dateline,
        credit=draft.credit,
    )


def _tag_pages(blocks: Sequence[Block], sources: frozenset[str], model: Tagger | None) -> dict[tuple[str, int], Tag]:
    """The line tagger's label for every line of the pages without markup."""
    if model is None:
        return {}
    tags: dict[tuple[str, int], Tag] = {}
    for source in sorted(sources):
        lines = [b for b in blocks if b.source == source and b.kind == "paragraph"]
        for block, tag in zip(lines, tagger.page_prior(lines, model.tag(lines)), strict=True):
            tags[(block.source, block.line)] = tag
    return tags


def split(issue: Issue, story_level: int | None = None, model: Tagger | None = None) -> SplitResult:
    """The items of ``issue`` in reading order, with every repair listed for review.

    ``story_level`` says which heading level marks stories, where the page's own
    structure is ambiguous (see :func:`headline.plan`).
    """
    counter = itertools.count(1)
    read = [b for b in issue.blocks if (b.text and not is_furniture(b.text)) or b.kind == "break"]
    st = plan(read, story_level)
    # Section labels and mastheads belong to no story: they leave a gap, like a rule.
    blocks = [replace(b, kind="break", text="") if i in st.labels else b for i, b in enumerate(read)]
    shape_sources = unmarked_sources(blocks, st)
    ctx = Context(
        shape_sources=shape_sources,
        new_uid=lambda: next(counter),
        tags=_tag_pages(blocks, shape_sources, model if model is not None else tagger.shipped()),
    )
    sections: dict[int, str] = {}
    overruled: dict[int, str] = {}
    heads = find_headlines(blocks, st, ctx.tags, sections, overruled)
    drafts = _drafts(blocks, heads, ctx)
    warnings: list[str] = list(st.warnings)
    if not any(not d.made_up_title for d in drafts):
        warnings.append("no headlines found: the whole text is read as one article")
    fixes: list[Fix] = []

    drafts, found, noted = remove_debris(drafts)
    fixes += found
    warnings += noted
    joined = [join_paragraphs(d) for d in drafts]
    drafts = [d for d, _ in joined]
    fixes += [f for _, fs in joined for f in fs]
    drafts, found, moved = merge_continuations(drafts)
    fixes += found
    drafts, found, moved_orphans, noted = reattach_orphans(drafts)
    fixes += found
    warnings += noted
    moved.update(moved_orphans)

    drafts = [_continuation_title(_settle_kind(d)) for d in drafts if d.paragraphs or not d.made_up_title]
    articles = tuple(_article(i, d) for i, d in enumerate(drafts, start=1))
    numbers = {d.uid: i for i, d in enumerate(drafts, start=1)}
    repairs = tuple(Repair(f.kind, numbers.get(_final_uid(f.uid, moved), 0), f.detail) for f in fixes)
    return SplitResult(
        issue=issue,
        articles=articles,
        repairs=repairs,
        warnings=tuple(warnings),
        notes=explain.notes(issue.blocks, read, st, heads, ctx.tags, sections, overruled),
    )


def _final_uid(uid: int, moved: dict[int, int]) -> int:
    seen = set()
    while uid in moved and uid not in seen:
        seen.add(uid)
        uid = moved[uid]
    return uid
