"""Line labels for training and checking the line tagger, read off a corpus issue's
gold file (never off the splitter): a line that is a story's title is ``title``, its
subtitle ``subtitle``, its byline ``byline``, part of a body paragraph ``body``, or
``subhead`` where that body line is set like a headline (a sub-head of the story)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from audiopaper import ingest
from audiopaper.models import Block
from audiopaper.split.rules import headline_like

PLAIN_SHAPES = ("plain-1990s", "plain-indent")
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def label_pages(paths: list[Path], gold: dict[str, Any]) -> list[tuple[list[Block], list[str]]]:
    """(paragraph blocks of each page file, their labels)."""
    titles = {_norm(s["title"]) for s in gold["stories"]}
    subtitles = {_norm(s["subtitle"]).lstrip("—") for s in gold["stories"] if s.get("subtitle")}
    bylines = [_norm(s["byline"]) for s in gold["stories"] if s.get("byline")]
    body = "\n".join(_norm(p) for s in gold["stories"] for p in s["paragraphs"])
    pages: dict[str, list[Block]] = {}
    for block in ingest.read_issue(paths).blocks:
        if block.kind == "paragraph":
            pages.setdefault(block.source, []).append(block)
    out = []
    for blocks in pages.values():
        labels = []
        for block in blocks:
            text = _norm(block.text)
            if text in titles:
                labels.append("title")
            elif text.lstrip("—") in subtitles:
                labels.append("subtitle")
            elif any(b and text.endswith(b) and len(text) <= len(b) + 8 for b in bylines):
                labels.append("byline")
            elif text in body:
                # A line of a story's body set like a headline is its sub-head: the
                # one kind of line most like a title, given a label of its own.
                labels.append("subhead" if headline_like(block.text, allow_lead=True) else "body")
            else:
                labels.append("other")
        out.append((blocks, labels))
    return out
