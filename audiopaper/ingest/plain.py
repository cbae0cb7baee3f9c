"""Plain text without markup: one paragraph per line, as newsroom systems export it."""

from __future__ import annotations

import re

from ..models import Block
from .inline import squeeze_spaces

# Numbered lines ("1. 禁止…") are common in plain notices, so they are no evidence of
# Markdown; headings, bold, links, bullets and hard breaks are.
_MARKDOWN_HINT = re.compile(r"^\s{0,3}(?:#{1,6}\s|[-*+]\s)|\*\*\S|\]\(|\S  $", re.MULTILINE)
_RULE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$")


def looks_like_markdown(text: str) -> bool:
    return _MARKDOWN_HINT.search(text) is not None


def plain_blocks(text: str, source: str = "") -> list[Block]:
    """Every non-empty line is a paragraph; headlines are told apart later, by shape.

    Lines cut at a fixed width are rejoined by the splitter's paragraph repair, which
    has to handle column breaks anyway. Where paragraphs follow each other line by line,
    a blank line is a deliberate gap (between stories) and is kept as a break.
    """
    lines = text.split("\n")
    gaps_mean_something = _sparse_blank_lines(lines)
    blocks: list[Block] = []
    blank = False
    for number, line in enumerate(lines, start=1):
        line = line.lstrip("\ufeff")
        clean = squeeze_spaces(line.strip(" \t\u3000\ufeff\xa0"))
        if _RULE.match(line) or (blank and clean and gaps_mean_something and blocks):
            blocks.append(Block("break", "", source=source, line=number))
        blank = not clean
        if clean and not _RULE.match(line):
            indent = line[:1] in (" ", "\t", "\u3000", "\xa0")
            gap = number > 1 and not lines[number - 2].strip(" \t\u3000\ufeff\xa0")
            blocks.append(
                Block("paragraph", clean, source=source, line=number, lines=(clean,), indent=indent, gap_before=gap)
            )
    return blocks


def _sparse_blank_lines(lines: list[str]) -> bool:
    """True when most paragraphs are not separated by blank lines."""
    filled = [bool(line.strip(" \t\u3000\ufeff\xa0")) for line in lines]
    while filled and not filled[-1]:
        filled.pop()
    adjacent = sum(1 for a, b in zip(filled, filled[1:], strict=False) if a and b)
    gaps = sum(1 for a, b in zip(filled, filled[1:], strict=False) if a and not b)
    return adjacent > 2 * gaps
