"""Calendar dates as papers and archives print them.

An issue names its own date in a masthead (``2019年2月6日 星期三``), a source line
(``（2019年02月06日第 01 版）``), a transcript's title (``(20220928)``), a page's meta
tags (``2019-02-06``) or its file name (``20190206.md``, ``2022-01-27/``); stories
mention other dates in their text. This module reads all those forms into
``datetime.date``; which one is the issue's date is ``identity``'s decision.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_CN_DIGIT = {c: n for n, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_CN_YEAR = "[〇○零一二三四五六七八九]{4}"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"

_FULL = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|{_CN_YEAR})\s*年\s*(?P<m>\d{{1,2}}|{_CN_SMALL})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|{_CN_SMALL})\s*[日号]"
)
# 2019-02-06, 2019.2.6, 2019/02/06 and the compact 20190206, never inside a longer number
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})(?P<sep>[-./_]?)(?P<m>0[1-9]|1[0-2]|(?<=[-./_])[1-9])(?P=sep)"
    r"(?P<d>0[1-9]|[12]\d|3[01]|(?<=[-./_])[1-9])(?![\d])"
)
_WEEKDAY = re.compile(r"(?:星期|礼拜|周)[一二三四五六日天]")


@dataclass(frozen=True)
class DateMention:
    """A date found in a piece of text, where it starts and ends there."""

    date: dt.date
    start: int
    end: int


def normalize(text: str) -> str:
    """Full-width digits and letters as ASCII (``２０１２年７月３０日``), same length."""
    return "".join(unicodedata.normalize("NFKC", c) if len(unicodedata.normalize("NFKC", c)) == 1 else c for c in text)


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if all(c in _CN_DIGIT for c in text):  # a year, digit by digit: 二〇二二
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    tens, _, ones = text.partition("十")
    if "十" not in text:
        return _CN_DIGIT.get(text, 0)
    return (_CN_DIGIT.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)


def _make(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(_cn_number(y), _cn_number(m), _cn_number(d))
    except ValueError:
        return None


def full_dates(text: str) -> Iterator[DateMention]:
    """Every complete date in ``text``, Chinese or numeric form, in order."""
    text = normalize(text)
    found: list[DateMention] = []
    for m in _FULL.finditer(text):
        date = _make(m["y"], m["m"], m["d"])
        if date is not None:
            found.append(DateMention(date, m.start(), m.end()))
    taken = [(f.start, f.end) for f in found]
    for m in _NUMERIC.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        date = _make(m["y"], m["m"], m["d"])
        if date is not None:
            found.append(DateMention(date, m.start(), m.end()))
    return iter(sorted(found, key=lambda f: f.start))


def path_date(name: str) -> dt.date | None:
    """The date a file or folder name carries (``20190206``, ``2022-01-27``,
    ``rmrb_2019-02-06_01``), if exactly one."""
    dates = {m.date for m in full_dates(name)}
    return dates.pop() if len(dates) == 1 else None


def without_dates(text: str) -> str:
    """``text`` with its complete dates and weekday names taken out."""
    text = normalize(text)
    spans = [(m.start, m.end) for m in full_dates(text)]
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return _WEEKDAY.sub(" ", text)


def latest(texts: Iterable[str]) -> dt.date | None:
    """The latest complete date mentioned in ``texts``."""
    best: dt.date | None = None
    for text in texts:
        for m in full_dates(text):
            if best is None or m.date > best:
                best = m.date
    return best
