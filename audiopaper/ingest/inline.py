"""Inline clean-up shared by the Markdown, HTML and plain-text readers."""

from __future__ import annotations

import html
import re

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^>\s]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_SPACES = re.compile(r"[ \t\xa0\u2002\u2003\u2009\u200b]+")
_WIDE = "\u3000"


def is_cjk(ch: str) -> bool:
    """Han characters and full-width punctuation: scripts written without spaces."""
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’…—·"


def join_text(left: str, right: str) -> str:
    """Join two pieces of one sentence: no space where either side is Chinese."""
    if not left or not right:
        return left + right
    if is_cjk(left[-1]) or is_cjk(right[0]):
        return left + right
    return f"{left} {right}"


def squeeze_spaces(text: str) -> str:
    """Collapse runs of spaces; drop those standing between two Chinese characters,
    which only come from line wrapping in the source."""
    text = _SPACES.sub(" ", text.replace(_WIDE, " ")).strip()
    if " " not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1 and is_cjk(text[i - 1]) and is_cjk(text[i + 1]):
            continue
        out.append(ch)
    return "".join(out)


def clean_inline(text: str) -> str:
    """Remove inline Markdown/HTML: images go, links keep their text, entities decode."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub("", text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    text = _EMPHASIS.sub(r"\2", text)
    return text.strip(" \t\n\u3000")


def fully_bold(raw: str) -> bool:
    """A paragraph that is bold from end to end is a sub-headline in news pages."""
    raw = raw.strip()
    for open_, close in (("**", "**"), ("__", "__"), ("<strong>", "</strong>"), ("<b>", "</b>")):
        if raw.lower().startswith(open_) and raw.lower().endswith(close) and len(raw) > len(open_) + len(close):
            inner = raw[len(open_) : len(raw) - len(close)]
            if open_ not in inner.lower():
                return True
    return False
