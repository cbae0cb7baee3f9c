"""The speech stage: an Article becomes a Script of speakable sentences."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Article, Script, Sentence, SentenceRole
from .normalize import normalize
from .pinyin import pinyin_of
from .segment import split_sentences

__all__ = ["ScriptOptions", "make_script", "speak_line"]


@dataclass(frozen=True)
class ScriptOptions:
    read_kicker: bool = False
    pinyin: bool = True


PAUSES: dict[SentenceRole, float] = {
    "title": 0.8,
    "subtitle": 0.6,
    "kicker": 0.4,
    "byline": 0.4,
    "heading": 0.6,
    "body": 0.3,
    "signature": 0.4,
    "intro": 0.5,
}


def speak_line(text: str, role: SentenceRole, options: ScriptOptions | None = None) -> list[Sentence]:
    """Sentences for one line of page text."""
    options = options or ScriptOptions()
    out = []
    pieces = split_sentences(text)
    for n, piece in enumerate(pieces):
        spoken = normalize(piece)
        if not spoken:
            continue
        last = n == len(pieces) - 1
        pause = PAUSES[role] if last or role == "body" else PAUSES["body"]
        out.append(
            Sentence(
                role=role,
                text=spoken,
                source=piece,
                pause_s=pause,
                pinyin=pinyin_of(spoken) if options.pinyin else None,
            )
        )
    return out


def make_script(article: Article, options: ScriptOptions | None = None) -> Script:
    options = options or ScriptOptions()
    sentences: list[Sentence] = []
    if article.kicker and options.read_kicker:
        sentences += speak_line(article.kicker, "kicker", options)
    sentences += speak_line(article.title, "title", options)
    if article.subtitle:
        sentences += speak_line(article.subtitle, "subtitle", options)
    for paragraph in article.paragraphs:
        role: SentenceRole = (
            "heading" if paragraph.role == "heading" else ("signature" if paragraph.role == "signature" else "body")
        )
        sentences += speak_line(paragraph.text, role, options)
    return Script(article=article, sentences=tuple(sentences))
