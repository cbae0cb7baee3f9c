"""The spellings of a sentence's text (``models.Spelling``), one per kind of voice.

The Script keeps Latin letters (GDP, 5G, ZZDFPZ) as printed. Each engine declares the
spelling it reads best, and gets that:

- ``spelled``: every Latin letter written with the characters Mandarin readers use for
  letter names (G → 吉, P → 皮), with fixed pinyin; the pinyin of the whole spelled text,
  lexicon applied, is what a phoneme-driven voice reads (one whose vocabulary would
  silently drop Latin capitals).
- ``respelled``: for a voice that reads Latin letters itself and takes no phoneme markup,
  the lexicon's ``[respell]`` homophones are substituted.
- ``plain``: the text unchanged.

Nothing here knows which engine uses which spelling.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..models import Reading, Spelling
from .lexicon import Lexicon, default_lexicon
from .pinyin import pinyin_of, words

__all__ = ["LETTERS", "reading_for", "respell", "spell", "spelled_reading"]

# Letter names as Mandarin newsreaders say them, written with characters whose
# reading is fixed below (the pinyin is forced, so the characters are only a display).
LETTERS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "A": ("诶", ("ei1",)),
    "B": ("比", ("bi4",)),
    "C": ("西", ("xi1",)),
    "D": ("迪", ("di4",)),
    "E": ("伊", ("yi1",)),
    "F": ("艾弗", ("ai4", "fu2")),
    "G": ("吉", ("ji4",)),
    "H": ("艾尺", ("ai4", "chi3")),
    "I": ("艾", ("ai4",)),
    "J": ("杰", ("jie4",)),
    "K": ("开", ("kai1",)),
    "L": ("艾勒", ("ai4", "le5")),
    "M": ("艾姆", ("ai4", "mu5")),
    "N": ("恩", ("en1",)),
    "O": ("欧", ("ou1",)),
    "P": ("皮", ("pi1",)),
    "Q": ("丘", ("qiu1",)),
    "R": ("阿尔", ("a4", "er3")),
    "S": ("艾斯", ("ai4", "si1")),
    "T": ("提", ("ti1",)),
    "U": ("优", ("you1",)),
    "V": ("维", ("wei1",)),
    "W": ("达布溜", ("da2", "bu5", "liu1")),
    "X": ("艾克斯", ("ai4", "ke4", "si1")),
    "Y": ("歪", ("wai1",)),
    "Z": ("贼德", ("zei4", "de5")),
}

_LATIN = re.compile(r"[A-Za-z]")
_EMPTY_RESPELL: Mapping[str, str] = {}


def spell_letters(text: str) -> tuple[str, dict[int, str]]:
    """Text with each Latin letter spelled in characters, and the forced syllables by position."""
    if not _LATIN.search(text):
        return text, {}
    out: list[str] = []
    forced: dict[int, str] = {}
    pos = 0
    for char in text:
        entry = LETTERS.get(char.upper()) if char.isascii() and char.isalpha() else None
        if entry is None:
            out.append(char)
            pos += 1
            continue
        chars, syllables = entry
        for offset, syllable in enumerate(syllables):
            forced[pos + offset] = syllable
        out.append(chars)
        pos += len(chars)
    return "".join(out), forced


def respell(text: str, table: Mapping[str, str]) -> str:
    """Replace lexicon words by their homophone spelling, longest match first."""
    if not table:
        return text
    words = sorted((w for w in table if w in text), key=len, reverse=True)
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in words))
    return pattern.sub(lambda m: table[m.group()], text)


def spelled_reading(text: str, lexicon: Lexicon | None = None) -> Reading:
    """The ``spelled`` reading: letters spelled, pinyin with the lexicon applied."""
    lexicon = lexicon or default_lexicon()
    spelled, forced = spell_letters(text)
    segmented = words(spelled)  # one segmentation: the pinyin's and the reading's words
    pinyin = list(pinyin_of(spelled, lexicon.pinyin, segmented))
    for pos, syllable in forced.items():
        pinyin[pos] = syllable
    return Reading(spelling="spelled", text=spelled, pinyin=tuple(pinyin), words=tuple(len(w) for w in segmented))


def spell(text: str, spelling: Spelling, lexicon: Lexicon | None = None) -> str:
    """The text of a sentence whose Script text is ``text``, in ``spelling``."""
    if spelling == "spelled":
        return spell_letters(text)[0]
    if spelling == "respelled":
        return respell(text, (lexicon or default_lexicon()).respell)
    return text


def reading_for(text: str, spelling: Spelling, lexicon: Lexicon | None = None, with_pinyin: bool = True) -> Reading:
    """A Reading in one spelling; the pinyin (when asked, and always for ``spelled``) is
    that of the spelled text."""
    if spelling == "spelled":
        return spelled_reading(text, lexicon)
    spoken = spell(text, spelling, lexicon)
    pinyin = pinyin_of(spoken, (lexicon or default_lexicon()).pinyin) if with_pinyin else None
    return Reading(spelling=spelling, text=spoken, pinyin=pinyin)
