"""Working state of the splitter: an item being edited, and the repairs made to it."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import ArticleKind, Paragraph, RepairKind


@dataclass(frozen=True)
class Draft:
    """An item before its final place in the issue is known.

    ``uid`` is stable across passes so that repairs can name the item they touched
    even after items are merged, split off or reordered.
    """

    uid: int
    title: str
    paragraphs: tuple[Paragraph, ...] = ()
    kind: ArticleKind = "article"
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    dateline: str | None = None
    credit: str | None = None
    continued_from: str | None = None
    continued_to: str | None = None
    orphan: bool = False
    carried: bool = False  # an orphan found at the top of a later page file
    made_up_title: bool = False
    source: str = ""


@dataclass(frozen=True)
class Fix:
    """A repair attributed to a draft by uid; becomes a :class:`Repair` at the end."""

    kind: RepairKind
    uid: int
    detail: str


def excerpt(text: str, width: int = 12, tail: bool = False) -> str:
    if len(text) <= width:
        return text
    return "…" + text[-width:] if tail else text[:width] + "…"
