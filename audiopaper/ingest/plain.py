"""Plain text without markup: one paragraph per line, as newsroom systems export it."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

from ..models import Block
from .inline import join_text, squeeze_spaces

# Numbered lines ("1. 禁止…") are common in plain notices, so they are no evidence of
# Markdown; headings, bold, links, bullets and hard breaks are.
_MARKDOWN_HINT = re.compile(r"^\s{0,3}(?:#{1,6}\s|[-*+]\s)|\*\*\S|\]\(", re.MULTILINE)
# Two spaces ending a line are a Markdown line break, or a name's spacing cut at a
# fixed width ("本报记者  王  "): evidence only when many lines end so.
_HARD_BREAK = re.compile(r"\S  $", re.MULTILINE)
MIN_HARD_BREAKS = 3
_RULE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$")
# A row of asterisks or reference marks ("＊ ＊", "※※※") sets the parts of one story
# apart; it is neither text nor a gap between stories.
_ORNAMENT = re.compile(r"^[\s\u3000]*(?:[＊*※☆★◆][\s\u3000]*){1,5}$")


def looks_like_markdown(text: str) -> bool:
    if _MARKDOWN_HINT.search(text) is not None:
        return True
    breaks = len(_HARD_BREAK.findall(text))
    lines = sum(1 for line in text.split("\n") if line.strip())
    return breaks >= MIN_HARD_BREAKS and breaks * 10 >= lines


_INDENT = (" ", "\t", "\u3000", "\xa0")
MIN_WRAPPED = 20  # characters: shorter lines are never cut at a width


def _display(line: str) -> int:
    """Columns a line fills, wide characters counting two (how byte-width exports cut)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _wrap_width(lines: list[str]) -> tuple[Callable[[str], int], int] | None:
    """The width a file's lines were cut at, if they were: the commonest length of its
    long lines, counted in characters or in columns, when many lines share it."""
    best: tuple[Callable[[str], int], int] | None = None
    best_count = 0
    long_lines = [line.rstrip() for line in lines if len(line.strip()) >= MIN_WRAPPED]
    for measure in (len, _display):
        counts = Counter(measure(line) for line in long_lines)
        if not counts:
            continue
        width, count = counts.most_common(1)[0]
        if count >= max(5, len(long_lines) // 4) and count > best_count:
            best, best_count = (measure, width), count
    return best


def _fills(line: str, measure: Callable[[str], int], width: int) -> bool:
    """The line reaches the width: in columns, one short counts, as a wide character
    does not fit in the last column and goes to the next line."""
    return measure(line) >= width - (1 if measure is _display else 0)


def plain_blocks(text: str, source: str = "") -> list[Block]:
    """Every non-empty line is a paragraph; headlines are told apart later, by shape.

    A file cut at a fixed width is put back together first: a line that fills the
    width goes on in the next line unless that one is indented or follows a blank
    line. Where paragraphs follow each other line by line, a blank line is a
    deliberate gap (between stories) and is kept as a break.
    """
    lines = text.split("\n")
    gaps_mean_something = _sparse_blank_lines(lines)
    wrap = _wrap_width(lines)
    blocks: list[Block] = []
    blank = False
    cut = False  # the previous line filled the width: this one may go on with it
    for number, line in enumerate(lines, start=1):
        line = line.lstrip("\ufeff")
        if _ORNAMENT.match(line) and not _RULE.match(line):
            continue
        clean = squeeze_spaces(line.strip(" \t\u3000\ufeff\xa0"))
        if _RULE.match(line) or (blank and clean and gaps_mean_something and blocks):
            blocks.append(Block("break", "", source=source, line=number))
        indent = line[:1] in _INDENT
        # A paragraph's indent is two spaces or a wide one; a single space opening a
        # cut line is the space that stood at the cut.
        opens = line.startswith(("\u3000", "\t", "  ", "\xa0\xa0"))
        if clean and cut and not opens and not blank and blocks and blocks[-1].kind == "paragraph":
            last = blocks[-1]
            blocks[-1] = Block(
                "paragraph",
                join_text(last.text, clean),
                source=source,
                line=last.line,
                lines=(*last.lines, clean),
                indent=last.indent,
                gap_before=last.gap_before,
            )
        elif clean and not _RULE.match(line):
            gap = number > 1 and not lines[number - 2].strip(" \t\u3000\ufeff\xa0")
            blocks.append(
                Block("paragraph", clean, source=source, line=number, lines=(clean,), indent=indent, gap_before=gap)
            )
        blank = not clean
        cut = wrap is not None and bool(clean) and _fills(line.rstrip(), *wrap)
    return blocks


SPACING = 0.7  # share of lines followed by a blank line above which blank lines are spacing


def _sparse_blank_lines(lines: list[str]) -> bool:
    """True when blank lines are a choice, not spacing: most lines are followed by no
    blank line, or several blank lines each follow a few lines (stories of a title and
    one paragraph have one blank line in two)."""
    filled = [bool(line.strip(" \t\u3000\ufeff\xa0")) for line in lines]
    while filled and not filled[-1]:
        filled.pop()
    adjacent = sum(1 for a, b in zip(filled, filled[1:], strict=False) if a and b)
    gaps = sum(1 for a, b in zip(filled, filled[1:], strict=False) if a and not b)
    return adjacent > 2 * gaps or (gaps >= 2 and gaps < SPACING * (adjacent + gaps))
