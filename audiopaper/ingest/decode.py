"""Bytes on disk into text: encodings, line ends, and the errors a user can act on."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import InputError
from .inline import strip_controls

#: the files of one issue together; HTML pages carry markup and menus, so this is far
#: more than the text limit (ingest.MAX_CHARS) needs
MAX_BYTES = 8 * 1024 * 1024

# Formats people hand over by mistake; recognised by their first bytes so the message
# can say "binary" instead of "cannot decode".
_MAGIC = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"ID3",
    b"RIFF",
    b"\x1f\x8b",
    b"\xd0\xcf\x11\xe0",
    b"\x7fELF",
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _looks_binary(data: bytes) -> bool:
    if data.startswith(_MAGIC):
        return True
    if data.startswith(_UTF16_BOMS):
        return False
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\f\x1b")
    return controls > max(8, len(head) // 100)


def _garbled(text: str) -> bool:
    """GB18030 maps almost any byte sequence to *something*; text from another legacy
    encoding (Big5, Latin-1, Shift-JIS) comes out full of private-use and rare
    four-byte characters, which no newspaper prints."""
    sample = text[:20000]
    if not sample:
        return False
    odd = sum(1 for ch in sample if "\ue000" <= ch <= "\uf8ff" or ord(ch) > 0x2FFFF or "\x80" <= ch <= "\x9f")
    return odd > max(3, len(sample) // 200)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a BOM (some Windows tools do): its ASCII characters, line
    ends included, put a zero byte in every other position."""
    head = data[:8192]
    zeros_even = head[0::2].count(0)
    zeros_odd = head[1::2].count(0)
    if len(data) % 2 or max(zeros_even, zeros_odd) < max(2, len(head) // 40):
        return None
    if min(zeros_even, zeros_odd) * 10 > max(zeros_even, zeros_odd):
        return None
    try:
        text = data.decode("utf-16-le" if zeros_odd > zeros_even else "utf-16-be")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def decode(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 (with BOM, or recognised by
    its zero bytes), else GB18030/GBK."""
    utf16 = _utf16_without_bom(data) if not data.startswith(_UTF16_BOMS) else None
    if utf16 is not None:
        return utf16
    if _looks_binary(data):
        raise InputError(f"{name}: looks like a binary file, not text", "give the issue as .md, .txt or .html")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                raise InputError(f"{name}: cannot decode the text as {enc}", "save it as UTF-8") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if not text or _garbled(text):
        raise InputError(f"{name}: cannot decode the text (not UTF-8, UTF-16 or GB18030)", "save it as UTF-8")
    return text


def too_large(path: Path, size: int) -> InputError:
    return InputError(
        f"{path}: {size / 1_048_576:.1f} MiB is more than one issue (at most {MAX_BYTES // 1_048_576} MiB of files)",
        "build it as several issues, a few pages at a time",
    )


def read_text(path: Path) -> str:
    """The text of one issue file with line ends normalised to ``\\n``."""
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not an issue file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise too_large(path, size)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", "check the path") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip():
        raise InputError(f"{path}: the file is empty", "give an issue with some text")
    text = strip_controls(decode(data, str(path)).replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip("\ufeff \t\n\u3000\xa0"):
        raise InputError(f"{path}: the file is empty", "give an issue with some text")
    return text
