"""Repairs of conversion damage: paragraphs cut at column ends, passages spliced into
the wrong story, continuations and stray passages put back where they belong."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from ..ingest.inline import join_text
from ..models import Paragraph
from .draft import Draft, Fix, excerpt
from .rules import FINAL, dangles, imbalance, is_field

JOINABLE_INTO = ("body", "list_item")
DEBRIS_WINDOW = 8  # characters per shingle when looking for duplicated passages
MIN_DEBRIS = 10  # shorter shared runs are common phrases, not layout debris
MIN_REPORTED = 16  # an undecided duplicate this long is worth an editor's look
_OPENS_MID_SENTENCE = "，,、；;：:”’）)》」』"
_PUNCTUATION = frozenset("，,、；;：:。！？!?…“”‘’（）()《》「」『』【】—·")


# --- joins --------------------------------------------------------------------------


def _can_join(left: Paragraph, right: Paragraph) -> bool:
    # A form's field ("地点：市第一中学") ends without a stop and is still complete.
    return left.role in JOINABLE_INTO and right.role == "body" and dangles(left.text) and not is_field(left.text)


def join_paragraphs(draft: Draft) -> tuple[Draft, list[Fix]]:
    """Join each paragraph that stops mid-sentence to the paragraph that continues it."""
    out: list[Paragraph] = []
    fixes: list[Fix] = []
    for para in draft.paragraphs:
        if out and _can_join(out[-1], para):
            left = out[-1]
            out[-1] = Paragraph(join_text(left.text, para.text), left.role)
            fixes.append(Fix("join", draft.uid, f"{excerpt(left.text, tail=True)} + {excerpt(para.text)}"))
        else:
            out.append(para)
    return replace(draft, paragraphs=tuple(out)), fixes


def _append(target: Draft, paragraphs: Sequence[Paragraph]) -> Draft:
    """Put ``paragraphs`` after ``target``'s body, joining across the cut if it dangles."""
    body = list(target.paragraphs)
    rest = list(paragraphs)
    if body and rest and _can_join(body[-1], rest[0]):
        body[-1] = Paragraph(join_text(body[-1].text, rest[0].text), body[-1].role)
        rest = rest[1:]
    return replace(target, paragraphs=tuple(body + rest))


def _dangling(draft: Draft) -> bool:
    body = [p for p in draft.paragraphs if p.role != "heading"]
    return (
        draft.kind not in ("photo", "contents")
        and not draft.orphan
        and bool(body)
        and body[-1].role in JOINABLE_INTO
        and dangles(body[-1].text)
    )


# --- continuations and orphans ------------------------------------------------------


def merge_continuations(drafts: list[Draft]) -> tuple[list[Draft], list[Fix], dict[int, int]]:
    """Join a story marked （下转第X版） to its continuation marked （上接第Y版）.

    The continuation that repeats the story's title wins; otherwise the next one after it.
    """
    fixes: list[Fix] = []
    moved: dict[int, int] = {}
    out: list[Draft | None] = list(drafts)
    for i, head in enumerate(out):
        if head is None or not head.continued_to:
            continue
        tails = [j for j, d in enumerate(out) if j != i and d is not None and d.continued_from and not d.orphan]
        if not tails:
            continue
        same_title = [j for j in tails if (t := out[j]) is not None and t.title == head.title]
        later = [j for j in tails if j > i]
        tail = out[(same_title or later or tails)[0]]
        assert tail is not None
        out[i] = replace(_append(head, tail.paragraphs), continued_to=None)
        out[out.index(tail)] = None
        moved[tail.uid] = head.uid
        fixes.append(Fix("merge", head.uid, f"{head.continued_to} … {tail.continued_from}: {excerpt(head.title)}"))
    return [d for d in out if d is not None], fixes, moved


def reattach_orphans(drafts: list[Draft]) -> tuple[list[Draft], list[Fix], dict[int, int], list[str]]:
    """Put a stray passage back at the end of the story whose last sentence it finishes.

    The nearest earlier story left dangling wins; failing that, the nearest later one.
    A passage with no such story stays an item of its own, flagged for the editor. Text
    at the top of a later page goes on with the story the previous page ended with.
    """
    fixes: list[Fix] = []
    moved: dict[int, int] = {}
    warnings: list[str] = []
    out: list[Draft | None] = list(drafts)
    for i, orphan in enumerate(drafts):
        if not orphan.orphan:
            continue
        earlier = [j for j in range(i - 1, -1, -1) if (d := out[j]) is not None and _dangling(d)]
        later = [j for j in range(i + 1, len(out)) if (d := out[j]) is not None and _dangling(d)]
        previous = _previous_story(out, i) if orphan.carried else None
        choice = next(iter(earlier or later), None) if previous is None else previous
        if choice is None:
            out[i] = replace(orphan, orphan=False, kind="continuation")
            warnings.append(
                f"a passage starting “{excerpt(orphan.paragraphs[0].text if orphan.paragraphs else '')}” "
                "belongs to no story here; kept as an item of its own"
            )
            continue
        target = out[choice]
        assert target is not None
        # A page break between a headline and its byline leaves the byline with the
        # carried text; it belongs to the story it is put back into.
        target = replace(
            target,
            byline=target.byline or orphan.byline,
            dateline=target.dateline or orphan.dateline,
            credit=target.credit or orphan.credit,
        )
        out[choice] = _append(target, orphan.paragraphs)
        out[i] = None
        moved[orphan.uid] = target.uid
        first = orphan.paragraphs[0].text if orphan.paragraphs else ""
        fixes.append(Fix("reattach", target.uid, f"{excerpt(_last_text(target), tail=True)} + {excerpt(first)}"))
    return [d for d in out if d is not None], fixes, moved, warnings


def _previous_story(drafts: Sequence[Draft | None], i: int) -> int | None:
    """Text at the top of a page, before its first headline, goes on with the story the
    previous page ended with, unless that story was closed (a photo, a signed notice)."""
    for j in range(i - 1, -1, -1):
        draft = drafts[j]
        if draft is None or draft.orphan:
            continue
        closed = draft.kind in ("photo", "contents") or any(p.role == "signature" for p in draft.paragraphs)
        return None if closed else j
    return None


def _last_text(draft: Draft) -> str:
    return draft.paragraphs[-1].text if draft.paragraphs else ""


# --- layout debris ------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    draft: int  # position in the drafts list
    para: int
    start: int
    end: int


def _splice_score(drafts: Sequence[Draft], place: _Place) -> int:
    """How much removing the run at ``place`` mends the text around it: unmatched quotes
    and brackets that close again, a next paragraph that no longer opens mid-sentence."""
    paragraphs = drafts[place.draft].paragraphs
    text = paragraphs[place.para].text
    head, tail = text[: place.start], text[place.end :]
    nxt = paragraphs[place.para + 1] if place.para + 1 < len(paragraphs) else None
    if not tail and nxt is not None and nxt.role == "body" and dangles(head):
        before = imbalance(text) + imbalance(nxt.text)
        after = imbalance(join_text(head, nxt.text))
        return before - after + (1 if nxt.text[0] in _OPENS_MID_SENTENCE else 0)
    return imbalance(text) - imbalance(head + tail)


def _shared_runs(text: str, index: dict[str, set[int]]) -> list[tuple[int, int, set[int]]]:
    """Runs of ``text`` whose shingles are all shared with the same set of items."""
    runs: list[tuple[int, int, set[int]]] = []
    start = -1
    owners: set[int] | None = None
    last = len(text) - DEBRIS_WINDOW
    for pos in range(last + 1):
        here = index[text[pos : pos + DEBRIS_WINDOW]]
        if owners is not None and here == owners:
            continue
        if owners is not None:
            runs.append((start, pos - 1 + DEBRIS_WINDOW, owners))
        owners, start = (here, pos) if len(here) > 1 else (None, -1)
    if owners is not None:
        runs.append((start, last + DEBRIS_WINDOW, owners))
    return _bridge(runs)


def _bridge(runs: list[tuple[int, int, set[int]]]) -> list[tuple[int, int, set[int]]]:
    """Merge A, B, A where B is shared more widely than A and overlaps both: one
    duplicated passage that merely contains a phrase found elsewhere too."""
    i = 1
    while i + 1 < len(runs):
        (s0, e0, a), (s1, e1, b), (s2, e2, c) = runs[i - 1], runs[i], runs[i + 1]
        if a == c and b >= a and s1 < e0 and s2 < e1:
            runs[i - 1 : i + 2] = [(s0, e2, a)]
        else:
            i += 1
    return runs


def _find(drafts: Sequence[Draft], d: int, needle: str) -> _Place | None:
    for p, para in enumerate(drafts[d].paragraphs):
        at = para.text.find(needle)
        if at >= 0 and para.role in JOINABLE_INTO:
            return _Place(d, p, at, at + len(needle))
    return None


def _readable(drafts: Sequence[Draft]) -> Iterator[tuple[int, int, str]]:
    """(item, paragraph, text) for every paragraph debris can hide in."""
    for d, draft in enumerate(drafts):
        if draft.kind == "contents":
            continue
        for p, para in enumerate(draft.paragraphs):
            if para.role in JOINABLE_INTO:
                yield d, p, para.text


def _shingle_index(drafts: Sequence[Draft]) -> dict[str, set[int]]:
    """Every window of DEBRIS_WINDOW characters and the items it occurs in."""
    index: dict[str, set[int]] = {}
    for d, _, text in _readable(drafts):
        for pos in range(len(text) - DEBRIS_WINDOW + 1):
            key = text[pos : pos + DEBRIS_WINDOW]
            owners = index.get(key)
            if owners is None:
                index[key] = {d}
            else:
                owners.add(d)
    return index


def _candidates(drafts: Sequence[Draft], index: dict[str, set[int]]) -> Iterator[tuple[_Place, set[int]]]:
    """Shared runs that start in the middle of a sentence, with the items sharing them."""
    for d, p, text in _readable(drafts):
        for start, end, owners in _shared_runs(text, index):
            if end - start < MIN_DEBRIS or (start == 0 and end == len(text)) or text[start] in _PUNCTUATION:
                # A run opening at a clause boundary is a phrase two stories share
                # ("，市委常委、市委组织部部长"), not a splice.
                continue
            if start:
                mid_sentence = text[start - 1] not in FINAL
            else:
                mid_sentence = p > 0 and dangles(drafts[d].paragraphs[p - 1].text)
            if mid_sentence:
                yield _Place(d, p, start, end), owners


def remove_debris(drafts: list[Draft]) -> tuple[list[Draft], list[Fix], list[str]]:
    """Remove passages that duplicate another story verbatim and are spliced into the
    middle of a sentence here, where the page conversion dropped a stray text box.

    Both copies of a duplicated run start mid-sentence, so the copy to remove is the one
    whose removal mends the text around it; when neither does, an editor is told.
    """
    cuts: dict[tuple[int, int], list[tuple[int, int]]] = {}
    fixes: list[Fix] = []
    warnings: list[str] = []
    for place, owners in _candidates(drafts, _shingle_index(drafts)):
        length = place.end - place.start
        here = _splice_score(drafts, place)
        if here <= 0 and length < MIN_REPORTED:
            continue
        text = drafts[place.draft].paragraphs[place.para].text
        run = text[place.start : place.end]
        others = [pl for o in sorted(owners - {place.draft}) if (pl := _find(drafts, o, run)) is not None]
        if not others:
            continue
        scores = [_splice_score(drafts, pl) for pl in others]
        clean = others[scores.index(min(scores))]
        if here > 0 and here >= max(scores) and min(scores) < here:
            cuts.setdefault((place.draft, place.para), []).append((place.start, place.end))
            fixes.append(
                Fix(
                    "remove",
                    drafts[place.draft].uid,
                    f"“{run}” after “{excerpt(text[: place.start], tail=True)}” "
                    f"(a duplicate of a passage in “{drafts[clean.draft].title}”)",
                )
            )
        elif length >= MIN_REPORTED and here == 0 == max(scores) and place.draft < min(pl.draft for pl in others):
            warnings.append(
                f"“{excerpt(run, 20)}” appears in “{drafts[place.draft].title}” and “{drafts[clean.draft].title}”; "
                "left in both"
            )
    return _apply_cuts(drafts, cuts), fixes, warnings


def _apply_cuts(drafts: list[Draft], cuts: dict[tuple[int, int], list[tuple[int, int]]]) -> list[Draft]:
    out = list(drafts)
    for (d, p), spans in cuts.items():
        paragraphs = list(out[d].paragraphs)
        text = paragraphs[p].text
        for start, end in sorted(spans, reverse=True):
            text = text[:start] + text[end:]
        paragraphs[p] = Paragraph(text, paragraphs[p].role)
        out[d] = replace(out[d], paragraphs=tuple(paragraphs))
    return out
