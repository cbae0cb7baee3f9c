"""The speech stage: an Article becomes a Script of speakable sentences.

What is read, in order: the kicker (only if asked), the title, the subtitle, the
dateline and reporter credit once (衡阳日报全媒体记者向吟吟报道), then the body with
section headings set off by pauses, and photo credits read as 通讯员邓威摄影 (or
dropped). A continuation says so. Every sentence is normalized (numbers, units,
symbols), planned to at most ``max_chars`` spoken characters, and carries its
readings, one per spelling in use (``models.Spelling``): the spelled text and pinyin a
phoneme-driven voice reads, the respelled text for a voice that takes no phonemes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..models import SPELLINGS, Article, Reading, Script, Sentence, SentenceRole, Spelling
from .credits import byline_line, continuation_marker, photo_credit, split_dateline, spoken_byline
from .lexicon import Lexicon, default_lexicon, load_lexicon
from .normalize import normalize
from .pinyin import pinyin_of
from .segment import MAX_CHARS, plan
from .speakable import unspoken_in_reading
from .spelling import reading_for, spell, spelled_reading

__all__ = [
    "Lexicon",
    "ScriptOptions",
    "load_lexicon",
    "make_script",
    "reading_for",
    "script_warnings",
    "speak_line",
    "spell",
]


@dataclass(frozen=True)
class ScriptOptions:
    read_kicker: bool = False
    #: read photo credits as 通讯员邓威摄影; False drops them
    photo_credits: bool = True
    #: also compute pinyin for the other spellings' readings (for ``script --engine E
    #: --pinyin``); the ``spelled`` reading always has its pinyin
    pinyin: bool = False
    lexicon: Lexicon | None = None
    #: the spellings the Sentences carry: those of the engines that will read them
    spellings: tuple[Spelling, ...] = SPELLINGS
    max_chars: int = MAX_CHARS


# The pause after a sentence, by role. A body sentence that ends its paragraph gets the
# longer paragraph pause; a piece cut at a comma (long sentence) a short one.
PAUSES: dict[SentenceRole, float] = {
    "title": 0.9,
    "subtitle": 0.7,
    "kicker": 0.5,
    "byline": 0.6,
    "heading": 0.7,
    "body": 0.35,
    "signature": 0.5,
    "intro": 0.6,
}
PARAGRAPH_PAUSE_S = 0.6
COMMA_PAUSE_S = 0.2
HEADING_BEFORE_S = 0.8


_HEADLINE_SPACE = re.compile(r"(?<=[\u4e00-\u9fff”’》」』！？])[ \t\u3000]+(?=[\u4e00-\u9fff“‘《「『])")


def _readings(spoken: str, options: ScriptOptions, lexicon: Lexicon) -> tuple[Reading, tuple[Reading, ...]]:
    """The ``spelled`` reading (always: it gives Sentence.pinyin) and the readings asked for."""
    spelled = spelled_reading(spoken, lexicon)
    out = []
    for spelling in options.spellings:
        if spelling == "spelled":
            out.append(spelled)
            continue
        text = spell(spoken, spelling, lexicon)
        pinyin = None
        if options.pinyin:
            # Most sentences read the same in every spelling: reuse the spelled pinyin then.
            pinyin = spelled.pinyin if text == spelled.text else pinyin_of(text, lexicon.pinyin)
        out.append(Reading(spelling=spelling, text=text, pinyin=pinyin))
    return spelled, tuple(out)


def script_warnings(script: Script) -> tuple[str, ...]:
    """One warning per sentence that holds characters no voice reads (the read-back
    invariant: normalization should have spelled or dropped every one of them)."""
    out = []
    for n, sentence in enumerate(script.sentences, 1):
        spelled = sentence.reading("spelled")
        text, pinyin = (spelled.text, spelled.pinyin) if spelled else (sentence.text, None)
        if silent := unspoken_in_reading(text, pinyin):
            out.append(
                f"article {script.article.index} sentence {n} 「{sentence.source[:40]}」: "
                f"{' '.join(silent)} would not be read"
            )
    return tuple(out)


def speak_line(text: str, role: SentenceRole, options: ScriptOptions | None = None) -> list[Sentence]:
    """Sentences for one line (paragraph) of page text."""
    options = options or ScriptOptions()
    lexicon = options.lexicon or default_lexicon()
    # A headline's halves are set apart by a space on the page (真抓实干 为高质量发展…),
    # in body text too (…会议时强调 围绕…); read aloud that is a short pause, which the
    # voices only make at punctuation.
    text = _HEADLINE_SPACE.sub("，", text.strip())
    pieces = plan(text, normalize, options.max_chars)
    out = []
    for n, piece in enumerate(pieces):
        last = n == len(pieces) - 1
        if piece.soft:
            pause = COMMA_PAUSE_S
        elif not last:
            pause = PAUSES["body"]
        elif role == "body":
            pause = PARAGRAPH_PAUSE_S
        else:
            pause = PAUSES[role]
        spelled, readings = _readings(piece.spoken, options, lexicon)
        out.append(
            Sentence(
                role=role,
                text=piece.spoken,
                source=piece.source,
                pause_s=pause,
                pinyin=spelled.pinyin,
                readings=readings,
            )
        )
    return out


def make_script(article: Article, options: ScriptOptions | None = None) -> Script:
    options = options or ScriptOptions()
    sentences: list[Sentence] = []
    credits: list[str] = []
    byline_read = False

    def add(text: str | None, role: SentenceRole) -> None:
        if text:
            sentences.extend(speak_line(text, role, options))

    def add_byline(dateline: str | None, credit: str | None) -> None:
        nonlocal byline_read
        spoken = spoken_byline(dateline, credit)
        if spoken and not byline_read:
            add(spoken, "byline")
            byline_read = True

    def add_photo(credit: str) -> None:
        if options.photo_credits:
            add(credit, "byline")

    # A splitter may leave a credit where a kicker or subtitle belongs; read it as what it is.
    kicker_credit = byline_line(article.kicker) if article.kicker else None
    if article.kicker:
        if photo := photo_credit(article.kicker):
            credits.append(photo)
        elif kicker_credit is None and options.read_kicker:
            add(article.kicker, "kicker")
    add(article.title, "title")
    pending_credit = kicker_credit
    if article.subtitle:
        if photo := photo_credit(article.subtitle):
            credits.append(photo)
        elif credit := byline_line(article.subtitle):
            pending_credit = pending_credit or credit
        else:
            add(article.subtitle, "subtitle")
    paragraphs = list(article.paragraphs)
    announced = False
    if paragraphs and (marker := continuation_marker(paragraphs[0].text)):
        add(marker, "subtitle")
        paragraphs = paragraphs[1:]
        announced = True
    if article.kind == "continuation" and not announced:
        add("接上文", "subtitle")
    if article.byline or article.dateline:
        add_byline(article.dateline, article.byline)
    elif pending_credit:
        add_byline(None, pending_credit)

    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text or continuation_marker(text):
            continue  # 下转第二版 means nothing to a listener
        if photo := photo_credit(text):
            add_photo(photo)
            continue
        if credit := byline_line(text):
            add_byline(None, credit)  # a second credit line is not read again
            continue
        if found := split_dateline(text):
            dateline, credit, text = found
            add_byline(dateline, credit)
            if not text:
                continue
        if paragraph.role == "heading":
            if sentences:
                sentences[-1] = replace(sentences[-1], pause_s=max(sentences[-1].pause_s, HEADING_BEFORE_S))
            add(text, "heading")
        elif paragraph.role == "signature":
            add(text, "signature")
        else:
            add(text, "body")
    if article.credit:
        credits.append(photo_credit(article.credit) or article.credit)
    for credit in credits:
        add_photo(credit)
    return Script(article=article, sentences=tuple(sentences))
