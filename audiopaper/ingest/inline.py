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
# Characters no newspaper prints and that must never reach a feed, a tag, a transcript or
# a page: C0 and C1 controls (tab and newline are layout and stay), the bidirectional
# embeddings, overrides, isolates and marks (U+202E turns "mp3.exe" into "exe.3pm" on
# screen), the interlinear annotation controls, and a byte-order mark inside the text.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ufeff]"
)
# breaks written as characters: the line and paragraph separators, form feed, vertical tab
_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n\n", "\x0c": "\n\n", "\x0b": "\n"})
_WRAP = re.compile(r"[ \t\u3000]*\n\s*")


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


def strip_controls(text: str) -> str:
    """``text`` without invisible control and direction characters (breaks kept as newlines)."""
    return _CONTROLS.sub("", text.translate(_BREAKS))


def squeeze_spaces(text: str) -> str:
    """Collapse runs of spaces to one. A line break inside a paragraph is only wrapping
    in the source: it vanishes between Chinese characters and is a space elsewhere.
    Spaces typed on purpose (between a headline's phrases, between names) stay."""

    def unwrap(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return "" if (before and after and (is_cjk(before) or is_cjk(after))) else " "

    text = _WRAP.sub(unwrap, text)
    return _SPACES.sub(" ", text.replace(_WIDE, " ")).strip()


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


def word_set(names: str) -> frozenset[str]:
    """A set of tag or class names written as one space-separated string."""
    return frozenset(names.split())
