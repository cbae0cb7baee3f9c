"""Scoring for the speech benchmark: what the speech stage reads against the expected form.

A sentence is run through ``speech.speak_line`` exactly as the build runs it (role
"body"), its pieces' script text joined; the offline voice's reading gives the pinyin.

Comparison of spoken forms ignores spaces, quotes, brackets and book-title marks and
treats every pause mark alike (a pause must be where one is expected, of whatever kind);
``{a|b}`` in an expected form accepts either reading. A neutral tone (5) expected accepts
the syllable's full tone too (voices rarely make the difference, dictionaries disagree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audiopaper import speech
from audiopaper.speech.speakable import unspoken_in_reading

_DROP = re.compile(r"[\s“”‘’\"'《》「」『』（）()\[\]【】〔〕]")
_PAUSES = re.compile(r"[，、,。．.！!？?：:；;…—]+")


_PAUSE = "\u23f8"  # one symbol for every pause mark


def canonical(text: str) -> str:
    # 幺 is how 1 is said in phone numbers and codes; either reading is right there,
    # and where a count is meant the two forms differ elsewhere (一百一十九 / 幺幺九).
    text = _PAUSES.sub(_PAUSE, _DROP.sub("", text)).replace("幺", "一")
    return text.strip(_PAUSE)


def expected_pattern(expected: str) -> re.Pattern[str]:
    """A regex for an expected form with {a|b} alternatives, after canonicalizing."""
    text = canonical(expected)
    out = []
    pos = 0
    for m in re.finditer(r"\{([^{}]*)\}", text):
        out.append(re.escape(text[pos : m.start()]))
        out.append("(?:" + "|".join(re.escape(a) for a in m.group(1).split("|")) + ")")
        pos = m.end()
    out.append(re.escape(text[pos:]))
    return re.compile("".join(out))


def without_pauses(text: str) -> str:
    """For spans with brackets: an aside may be read with or without pauses around it."""
    return text.replace(_PAUSE, "")


@dataclass(frozen=True)
class Spoken:
    text: str  # script text (Latin letters as printed), pieces joined
    reading: str  # what the offline voice is sent (letters spelled)
    pinyin: tuple[str, ...]
    silent: str  # characters the offline voice would drop


def speak(page: str) -> Spoken:
    sentences = speech.speak_line(page, "body")
    text = "".join(s.text for s in sentences)
    reading_text = ""
    pinyin: list[str] = []
    silent = ""
    for s in sentences:
        r = s.reading("spelled")
        if r is None:
            continue
        reading_text += r.text
        pinyin.extend(r.pinyin or ())
        silent += unspoken_in_reading(r.text, r.pinyin)
    return Spoken(text, reading_text, tuple(pinyin), silent)


def syllables_match(expected: list[str], got: list[str]) -> bool:
    if len(expected) != len(got):
        return False
    return all(e == g or (e.endswith("5") and e[:-1] == g[:-1]) for e, g in zip(expected, got, strict=True))


def pinyin_checks_pass(spoken: Spoken, checks: str) -> list[str]:
    """Failed checks (``word=syl syl;…``) against the offline reading."""
    failed = []
    for check in filter(None, (c.strip() for c in checks.split(";"))):
        word, _, syllables = check.partition("=")
        i = spoken.reading.find(word)
        got = list(spoken.pinyin[i : i + len(word)]) if i >= 0 else []
        if i < 0 or not syllables_match(syllables.split(), got):
            failed.append(f"{word}: want {syllables}, got {' '.join(got) or 'absent'}")
    return failed
