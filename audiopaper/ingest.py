"""Read issue files (any common encoding, Markdown or plain text) into blocks."""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .models import Block, Issue

MAX_BYTES = 50 * 1024 * 1024

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s{0,3}(?:[-*+•]|\d{1,3}[.)、])\s+(.*)$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def decode(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name}: looks like a binary file, not text", "give the issue as .md, .txt or .html")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(f"{name}: cannot decode the text (not UTF-8, UTF-16 or GB18030)", "save it as UTF-8") from None


def read_text(path: Path) -> str:
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not an issue file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: {size // 1_048_576} MiB is too large for one issue", "split it into pages")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", "check the path") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    text = decode(data, str(path)).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{path}: the file is empty", "give an issue with some text")
    return text


def clean_inline(text: str) -> str:
    """Remove inline Markdown/HTML: images go, links keep their text, entities decode."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    text = _EMPHASIS.sub(r"\2", text)
    return text.strip()


def markdown_blocks(text: str, source: str = "") -> list[Block]:
    """Markdown (or plain text) into blocks: headings, paragraphs, list items."""
    blocks: list[Block] = []
    para: list[str] = []
    para_line = 0

    def flush() -> None:
        nonlocal para
        if para:
            lines = tuple(clean_inline(x) for x in para)
            lines = tuple(x for x in lines if x)
            if lines:
                blocks.append(Block("paragraph", "".join(lines), source=source, line=para_line, lines=lines))
        para = []

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            body = clean_inline(heading.group(2))
            if body:
                blocks.append(Block("heading", body, level=len(heading.group(1)), source=source, line=number))
            continue
        item = _LIST.match(line)
        if item:
            flush()
            body = clean_inline(item.group(1))
            if body:
                blocks.append(Block("list_item", body, source=source, line=number))
            continue
        if not para:
            para_line = number
        para.append(stripped)
    flush()
    return blocks


def read_issue(paths: Iterable[Path]) -> Issue:
    """Read one issue from one or more page files, in the order given."""
    paths = tuple(Path(p) for p in paths)
    if not paths:
        raise InputError("no issue file given", "pass the issue's text file(s)")
    blocks: list[Block] = []
    for path in paths:
        blocks.extend(markdown_blocks(read_text(path), source=path.name))
    if not blocks:
        raise InputError(f"{paths[0]}: no text found", "give an issue with some text")
    return Issue(sources=paths, blocks=tuple(blocks))
