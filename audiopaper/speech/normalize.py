"""Turn page text into what a Mandarin news reader says: numbers, symbols, markup.

Two layers. The project's own rules run first and cover every pattern that the
normalization libraries were measured to get wrong (docs/notes.md lists them: model
numbers, bracketed document years, unit symbols, ``±N%``, year ranges, Latin-hyphen-digit,
decorative symbols, phone numbers, money with thousands separators, ``5·12`` dates,
ratios). What is left goes through ``wetext`` one sentence at a time, and any ASCII digit
that still survives is read digit by digit, so none ever reaches an engine.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

import cn2an

__all__ = ["normalize", "read_number", "read_digits", "wetext_normalize"]

_DIGIT_NAMES = "零一二三四五六七八九"
# Phone numbers are read with 幺 for 1, as every Mandarin speaker does on the phone.
_PHONE_DIGITS = "零幺二三四五六七八九"

# --- small readers ------------------------------------------------------------------


def read_digits(digits: str, names: str = _DIGIT_NAMES) -> str:
    """Digit by digit: 2019 → 二零一九."""
    return "".join(names[int(d)] if d.isdigit() else d for d in digits)


def read_number(number: str) -> str:
    """A cardinal or decimal number as spoken: 78.04 → 七十八点零四, 1020 → 一千零二十."""
    number = number.replace(",", "")
    if not number:
        return ""
    whole, _, frac = number.partition(".")
    whole = whole.lstrip("0") or "0"
    # cn2an reads the integer part idiomatically (一千零二十, 十万); past 亿亿 it gives up,
    # and such a string is an identifier anyway, so it is read digit by digit.
    if len(whole) > 16:
        spoken = read_digits(whole)
    else:
        spoken = cn2an.an2cn(whole, "low")
    if frac:
        spoken += "点" + read_digits(frac)
    return spoken


# --- the project's own rules ----------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"

# Decorative marks and leftover Markdown: never spoken. ■ also introduces bylines, which
# the speech stage has already taken out by the time text gets here.
_DECOR = re.compile(r"[■□▪▫●○◆◇★☆▲△▼▽◎※→←↑↓♦♠♥♣✓✔✕✖❤*#`>|^]+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")

# Units read after a number. Longest first so kWh is not read as kW + h.
_UNITS: dict[str, str] = {
    "kVA": "千伏安",
    "kWh": "千瓦时",
    "MWh": "兆瓦时",
    "GWh": "吉瓦时",
    "mAh": "毫安时",
    "MPa": "兆帕",
    "kPa": "千帕",
    "km/h": "千米每小时",
    "km²": "平方千米",
    "m²": "平方米",
    "m³": "立方米",
    "kV": "千伏",
    "kW": "千瓦",
    "MW": "兆瓦",
    "GW": "吉瓦",
    "km": "千米",
    "kg": "千克",
    "mg": "毫克",
    "mm": "毫米",
    "cm": "厘米",
    "℃": "摄氏度",
    "°C": "摄氏度",
    "GHz": "吉赫兹",
    "MHz": "兆赫兹",
    "kHz": "千赫兹",
    "Hz": "赫兹",
    "TB": "太字节",
    "GB": "吉字节",
    "%": "%",  # kept for the ± rule; percent itself is read below
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True) if u != "%")
_NUM_UNIT = re.compile(rf"(?P<sign>±|(?<![\dA-Za-z])[+\-－])?(?P<num>{_NUM})\s*(?P<unit>{_UNIT_RE})(?![A-Za-z])")
_PLUS_MINUS = re.compile(rf"±\s*(?P<num>{_NUM})\s*(?P<pct>[%％]?)")
_PERCENT = re.compile(rf"(?P<num>{_NUM})\s*[%％]")
_PERMILLE = re.compile(rf"(?P<num>{_NUM})\s*‰")

# 衡阳发[2019]1号, 湘政发〔2021〕3号: the year is read digit by digit, then the serial.
_DOC_NUMBER = re.compile(r"[\[〔［【（(]\s*(?P<year>(?:19|20)\d{2})\s*[\]〕］】）)]\s*第?\s*(?P<serial>\d+)\s*号")

# Area code + number, or a bare mobile number.
_PHONE = re.compile(
    r"(?<![\d.])(?:[（(](?P<area1>0\d{2,3})[）)]\s*|(?P<area2>0\d{2,3})\s*[-－—]\s*)(?P<local>\d{7,8})(?![\d.])"
)
_MOBILE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?![\d.])")

_MONEY = re.compile(r"(?P<cur>[¥￥$＄€£])\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<yuan>元?)")
_CURRENCY = {"¥": "元", "￥": "元", "$": "美元", "＄": "美元", "€": "欧元", "£": "英镑"}
_THOUSANDS = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])")

_ISO_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})-(?P<m>0?[1-9]|1[0-2])-(?P<d>0?[1-9]|[12]\d|3[01])(?!\d)")
# 5·12 地震, “9·11”, 3·15: month·day names of events, read digit by digit.
_DOT_DATE = re.compile(r"(?<![\d.])(?P<a>\d{1,2})\s*[·•・‧]\s*(?P<b>\d{1,2})(?![\d.])")
_RATIO = re.compile(rf"(?P<a>{_NUM})\s*∶\s*(?P<b>{_NUM})")

_DASHES = r"[—–~～－\-]+"
_YEAR_RANGE = re.compile(
    rf"(?<!\d)(?P<a>(?:19|20)\d{{2}})\s*(?P<ya>年?)\s*{_DASHES}\s*(?P<b>(?:19|20)\d{{2}})(?P<yb>\s*年)?(?!\d)"
)
_RANGE = re.compile(rf"(?<![\d.])(?P<a>{_NUM})(?P<pa>[%％]?)\s*[—–~～－\-]+\s*(?P<b>{_NUM})(?P<pb>[%％]?)")
# 互联网+监督 is read 互联网加监督; R&D-style ampersands between words are 和.
_PLUS_WORD = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z])\+(?![\d+])")
_AMPERSAND = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z])\s*&\s*(?=[\u4e00-\u9fffA-Za-z])")
_PER = re.compile(r"(?<=[\u4e00-\u9fff])/(?=[\u4e00-\u9fff]{1,2}(?![\u4e00-\u9fff]))")

# A code: Latin letters and digits, possibly joined by - / . (ZZDFPZ-415000/500-600,
# C919, COVID-19, PM2.5). Must hold both a letter and a digit.
_CODE = re.compile(
    r"(?<![A-Za-z0-9.])(?=[A-Za-z0-9\-/.]*[A-Za-z])(?=[A-Za-z0-9\-/.]*\d)"
    r"[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*(?![A-Za-z0-9])"
)
_CODE_PART = re.compile(r"[A-Za-z]+|\d+|[-/.]")


def _unit(m: re.Match[str]) -> str:
    sign = {"±": "正负", "+": "正", "-": "负", "－": "负"}.get(m.group("sign") or "", "")
    return sign + read_number(m.group("num")) + _UNITS[m.group("unit")]


def _plus_minus(m: re.Match[str]) -> str:
    if m.group("pct"):
        return "正负百分之" + read_number(m.group("num"))
    return "正负" + read_number(m.group("num"))


def _doc_number(m: re.Match[str]) -> str:
    return f"{read_digits(m.group('year'))}年第{read_number(m.group('serial'))}号"


def _phone(m: re.Match[str]) -> str:
    area = m.group("area1") or m.group("area2")
    return read_digits(area, _PHONE_DIGITS) + "，" + read_digits(m.group("local"), _PHONE_DIGITS)


def _money(m: re.Match[str]) -> str:
    return read_number(m.group("num")) + _CURRENCY[m.group("cur")]


def _year_range(m: re.Match[str]) -> str:
    first = read_digits(m.group("a")) + ("年" if m.group("ya") else "")
    second = read_digits(m.group("b")) + ("年" if m.group("yb") else "")
    return f"{first}至{second}"


def _range(m: re.Match[str]) -> str:
    def side(num: str, pct: str) -> str:
        return ("百分之" if pct else "") + read_number(num)

    # 10%-20%: both ends are percentages; 10-20%: the sign usually covers both.
    pa = m.group("pa") or m.group("pb")
    return side(m.group("a"), pa) + "至" + side(m.group("b"), m.group("pb"))


def _code(m: re.Match[str]) -> str:
    token = m.group()
    parts = _CODE_PART.findall(token)
    letters = [p for p in parts if p.isalpha()]
    digits = [p for p in parts if p.isdigit()]
    # COVID-19, G20, 歼-20 style: one letter part and one short number → the dash is
    # silent and the number is a cardinal. Longer or multi-part codes are read as codes.
    simple = len(letters) == 1 and len(digits) == 1 and "/" not in token and "." not in token
    out: list[str] = []
    for part in parts:
        if part.isalpha():
            out.append(part)
        elif part.isdigit():
            out.append(read_number(part) if simple and len(part) <= 2 else read_digits(part))
        elif part == "-":
            if not simple:
                out.append("杠")
        elif part == "/":
            out.append("斜杠")
        elif part == ".":
            out.append("点")
    return "".join(out)


def _decimal_code(m: re.Match[str]) -> str:
    # PM2.5: letters then a decimal number reads as a quantity.
    return m.group("l") + read_number(m.group("n"))


_LETTER_DECIMAL = re.compile(r"(?<![A-Za-z0-9])(?P<l>[A-Za-z]+)(?P<n>\d+\.\d+)(?![\d.A-Za-z])")

_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str]] = [
    (_DOC_NUMBER, _doc_number),
    (_PHONE, _phone),
    (_MOBILE, lambda m: read_digits(m.group(), _PHONE_DIGITS)),
    (_MONEY, _money),
    (_THOUSANDS, lambda m: m.group().replace(",", "")),
    (_ISO_DATE, lambda m: f"{read_digits(m.group('y'))}年{read_number(m.group('m'))}月{read_number(m.group('d'))}日"),
    (_DOT_DATE, lambda m: read_digits(m.group("a") + m.group("b"))),
    (_RATIO, lambda m: read_number(m.group("a")) + "比" + read_number(m.group("b"))),
    (_NUM_UNIT, _unit),
    (_PLUS_MINUS, _plus_minus),
    (_LETTER_DECIMAL, _decimal_code),
    (_CODE, _code),
    (_YEAR_RANGE, _year_range),
    (_RANGE, _range),
    (_PERMILLE, lambda m: "千分之" + read_number(m.group("num"))),
    (_PER, "每"),
    (_PLUS_WORD, "加"),
    (_AMPERSAND, "和"),
]


def apply_rules(text: str) -> str:
    """The project's own rules, in order; each sees the output of the previous one."""
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text


# --- wetext -------------------------------------------------------------------------

_WETEXT: Any = None
_WETEXT_LOCK = threading.Lock()


def _wetext() -> Any:
    """The wetext normalizer, loaded once per process (about 0.4 s)."""
    global _WETEXT
    if _WETEXT is None:
        with _WETEXT_LOCK:
            if _WETEXT is None:
                from wetext import Normalizer

                _WETEXT = Normalizer(lang="zh", operator="tn")
    return _WETEXT


def wetext_normalize(text: str) -> str:
    return str(_wetext().normalize(text))


# wetext's cost grows faster than the length of its input (a 78-character sentence
# takes 21 ms, a 13-character window 4 ms), and it only ever changes numbers. So it is
# given each number with a few characters of context on either side (enough for 年, 第,
# 亿元, % to steer the reading) and the rest of the sentence is left alone.
_DIGIT_RUN = re.compile(r"\d(?:[\d.,:：/%％‰]*\d)?[%％‰]?")
_CONTEXT = 4


def _wetext_windows(text: str) -> str:
    windows: list[list[int]] = []
    for m in _DIGIT_RUN.finditer(text):
        start, end = max(0, m.start() - _CONTEXT), min(len(text), m.end() + _CONTEXT)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    out: list[str] = []
    pos = 0
    for start, end in windows:
        out.append(text[pos:start])
        out.append(wetext_normalize(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


_LEFTOVER_DIGIT = re.compile(r"\d")
# Pieces of markup that wetext may leave: keep the speech text free of them.
_BRACKETS = re.compile(r"[\[\]〔〕［］【】{}<>]")


# Brackets are never read. A short aside (试行) just loses them; a long one is set off
# with commas, which is how an anchor reads it.
_PARENS = re.compile(r"[（(](?P<inner>[^（()）]*)[)）]")
_STRAY_PARENS = re.compile(r"[（()）]")


def _paren(m: re.Match[str]) -> str:
    inner = m.group("inner").strip()
    if not inner:
        return ""
    if len(inner) <= 8:
        return inner
    # No comma before a particle that ties the aside to what follows (…的相关要求).
    after = m.string[m.end() : m.end() + 1]
    return f"，{inner}" + ("" if after and after in _PARTICLES else "，")


_PARTICLES = set("的等之中里和与及")


def _fold(text: str) -> str:
    # Full-width digits and Latin letters become ASCII so one set of rules covers both;
    # Chinese punctuation is left alone (NFKC would turn ， into ,).
    return "".join(
        unicodedata.normalize("NFKC", c) if ("０" <= c <= "９" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ") else c
        for c in text
    )


def normalize(text: str) -> str:
    """Speakable text for one sentence; no ASCII digit survives."""
    text = _fold(text)
    text = _DECOR.sub("", text)
    text = apply_rules(text)
    if _DIGIT_RUN.search(text):
        text = _wetext_windows(text)
    # Any digit still here is part of something nobody could read as a quantity.
    text = _LEFTOVER_DIGIT.sub(lambda m: _DIGIT_NAMES[int(m.group())], text)
    text = _BRACKETS.sub("", text)
    text = _PARENS.sub(_paren, text)
    text = _STRAY_PARENS.sub("", text)
    text = _DOUBLE_COMMA.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return _LEADING_COMMA.sub("", text)


# Commas that a removed aside leaves at the edges or next to other punctuation.
_DOUBLE_COMMA = re.compile(r"，(?=[，。！？；、：”…])")
_LEADING_COMMA = re.compile(r"^[，、\s]+")
