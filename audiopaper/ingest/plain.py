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
    has to handle column breaks anyway.
    """
    blocks: list[Block] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if _RULE.match(line):
            blocks.append(Block("break", "", source=source, line=number))
            continue
        clean = squeeze_spaces(line.strip(" \t\u3000\ufeff\xa0"))
        if clean:
            blocks.append(Block("paragraph", clean, source=source, line=number, lines=(clean,)))
    return blocks
