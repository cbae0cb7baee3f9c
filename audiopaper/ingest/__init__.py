"""Read issue files (any common encoding; Markdown, Markdown with HTML, plain text or
HTML pages) into one :class:`Issue` of blocks in page order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Literal

from ..errors import InputError
from ..models import Block, Issue
from .decode import MAX_BYTES, decode, read_text, too_large
from .htmlpage import html_blocks, looks_like_html
from .identity import Claims, Identity, decide, page_claims, without_masthead
from .inline import clean_inline, join_text, strip_controls
from .markdown import has_html, markdown_blocks
from .plain import looks_like_markdown, plain_blocks

__all__ = [
    "MAX_BYTES",
    "MAX_CHARS",
    "clean_inline",
    "decode",
    "detect_format",
    "html_blocks",
    "identify",
    "join_text",
    "markdown_blocks",
    "page_blocks",
    "plain_blocks",
    "read_issue",
    "read_text",
]

Format = Literal["html", "markdown", "text"]

#: The text of one issue, at most: about 24 hours of reading at ~270 characters a minute.
#: A heavy day of a large national daily prints about 200,000 characters; beyond this an
#: input is several issues (or a mistake), and one build of it would run for days.
MAX_CHARS = 400_000


def detect_format(text: str, path: Path | None = None) -> Format:
    """What a file holds, from its content first: converted pages often carry the wrong
    extension (the sample is Markdown saved as .txt)."""
    suffix = path.suffix.lower() if path else ""
    if suffix in (".html", ".htm", ".xhtml") or looks_like_html(text):
        return "html"
    if looks_like_markdown(text) or has_html(text):
        return "markdown"
    return "text"


def page_blocks(text: str, source: str = "", fmt: Format | None = None) -> list[Block]:
    fmt = fmt or detect_format(text)
    if fmt == "html":
        return html_blocks(text, source)
    if fmt == "markdown":
        return markdown_blocks(text, source)
    return plain_blocks(text, source)


def _check_total_size(paths: tuple[Path, ...]) -> None:
    """Before anything is read: the files together are not larger than one issue can be."""
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size if path.is_file() else 0
        except OSError:
            continue  # read_text says what is wrong with it
    if total > MAX_BYTES:
        raise too_large(paths[0] if len(paths) == 1 else paths[0].parent, total)


def read_issue(paths: Iterable[Path]) -> Issue:
    """Read one issue from one or more page files, in the order given."""
    paths = tuple(Path(p) for p in paths)
    if not paths:
        raise InputError("no issue file given", "pass the issue's text file(s)")
    _check_total_size(paths)
    blocks: list[Block] = []
    warnings: list[str] = []
    claims = Claims()
    for path in paths:
        text = read_text(path)
        fmt = detect_format(text, path)
        found = page_blocks(text, path.name, fmt)
        if not any(b.kind != "break" for b in found):
            if len(paths) == 1:
                raise InputError(f"{path}: no article text found", "give an issue with some text")
            warnings.append(f"{path.name}: no article text found; page skipped")
        page = page_claims(path, text, found, html=fmt == "html")
        # again after the readers: HTML entities (&#x202E;) decode into them
        clean = [replace(b, text=strip_controls(b.text), lines=tuple(map(strip_controls, b.lines))) for b in found]
        blocks.extend(without_masthead(clean, page))
        claims += page
    if not any(b.kind != "break" for b in blocks):
        raise InputError(f"{paths[0]}: no article text found", "give an issue with some text")
    chars = sum(len(b.text) - b.text.count(" ") for b in blocks)
    if chars > MAX_CHARS:
        raise InputError(
            f"{paths[0]}: {chars:,} characters of text, more than one issue holds (at most {MAX_CHARS:,},"
            " about 24 hours of audio)",
            "build it as several issues, a few pages at a time",
        )
    found_identity = decide(claims)
    return Issue(
        sources=paths,
        blocks=tuple(blocks),
        warnings=tuple(warnings),
        paper=found_identity.paper,
        date=found_identity.date,
        paper_from=found_identity.paper_from,
        date_from=found_identity.date_from,
    )


def identify(paths: Iterable[Path]) -> Identity:
    """The identity alone (with every claim the input made), for scoring and inspection."""
    claims = Claims()
    for path in (Path(p) for p in paths):
        text = read_text(path)
        fmt = detect_format(text, path)
        claims += page_claims(path, text, page_blocks(text, path.name, fmt), html=fmt == "html")
    return decide(claims)
