"""The pronunciation lexicon: ``voices/lexicon.toml`` plus an optional user file on top.

``[pinyin]`` maps a word to one tone syllable per character and steers the offline
voice's G2P; ``[respell]`` maps a word to a homophone spelling for edge-tts, which
accepts no phoneme markup.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ..errors import UsageError
from ..resources import voices_dir

__all__ = ["Lexicon", "default_lexicon", "load_lexicon", "parse_lexicon"]

# Tone syllables as pypinyin's TONE3 style writes them: letters (ü as v) and a tone 1–5.
_SYLLABLE = re.compile(r"^[a-z]+[1-5]$")


@dataclass(frozen=True)
class Lexicon:
    pinyin: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    respell: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other`` on top: an entry in ``other`` wins."""
        return Lexicon(
            pinyin=MappingProxyType({**self.pinyin, **other.pinyin}),
            respell=MappingProxyType({**self.respell, **other.respell}),
        )


def parse_lexicon(text: str, origin: str = "lexicon") -> Lexicon:
    """Parse and check a lexicon; a bad entry is a usage error naming the file and word."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{origin}: not valid TOML ({exc})", "see voices/lexicon.toml for the format") from None
    unknown = set(data) - {"pinyin", "respell"}
    if unknown:
        raise UsageError(f"{origin}: unknown table(s) {', '.join(sorted(unknown))}", "use [pinyin] and [respell]")
    for table in ("pinyin", "respell"):
        if not isinstance(data.get(table, {}), dict):
            raise UsageError(
                f"{origin}: {table} = {data[table]!r} is not a table", f'write entries under [{table}], one "word" = ... a line'
            )
        for word in data.get(table, {}):
            if not word.strip():
                # str.replace("", x) puts x between every two characters of every article
                raise UsageError(f"{origin}: [{table}] has an empty word", "give every entry a word to match")
    pinyin: dict[str, tuple[str, ...]] = {}
    for word, value in data.get("pinyin", {}).items():
        syllables = tuple(value.split()) if isinstance(value, str) else tuple(value) if isinstance(value, list) else ()
        syllables = tuple(str(s).strip().lower().replace("ü", "v") for s in syllables)
        if len(syllables) != len(word) or not all(_SYLLABLE.match(s) for s in syllables):
            raise UsageError(
                f"{origin}: [pinyin] {word!r} = {value!r} needs one tone syllable per character",
                'write it like "yin2 hang2" (tone 1-5, neutral 5, ü as v)',
            )
        pinyin[word] = syllables
    respell: dict[str, str] = {}
    for word, value in data.get("respell", {}).items():
        if not isinstance(value, str) or not value.strip():
            raise UsageError(f"{origin}: [respell] {word!r} needs a spelling", 'write it like "耒阳" = "垒阳"')
        respell[word] = value.strip()
    return Lexicon(pinyin=MappingProxyType(pinyin), respell=MappingProxyType(respell))


def read_lexicon(path: Path) -> Lexicon:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read lexicon ({exc})", "give a UTF-8 TOML file") from None
    return parse_lexicon(text, str(path))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon (empty when the file is missing, so a bare install still works)."""
    path = voices_dir() / "lexicon.toml"
    return read_lexicon(path) if path.is_file() else Lexicon()


def load_lexicon(user: Path | None = None) -> Lexicon:
    """The shipped lexicon with the user's file, when given, on top."""
    base = default_lexicon()
    return base.merged(read_lexicon(user)) if user is not None else base
