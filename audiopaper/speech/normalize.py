"""Turn page text into what a Mandarin news reader says: numbers, symbols, markup.

Two layers. The project's own rules run first and cover every pattern that the
normalization libraries were measured to get wrong (docs/notes.md and issue #11 list
them: list markers, model numbers, bracketed document years, unit symbols and compound
units, signed percentages, ranges, years that are names, counts against hotline digits,
decimals against dates, clock times and scores, codes, phone and postcodes, URLs and
e-mail, arithmetic, Roman numerals, 〇). What is left goes through ``wetext`` one
number at a time, and any ASCII digit that still survives is read digit by digit, so
none ever reaches an engine. Symbols no voice can say are spelled or dropped here;
``speakable.unspeakable`` names whatever is still left.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

from .numbers import COUNT_AFTER, DIGIT_NAMES, MEASURE_RE, PHONE_DIGITS, read_count, read_digits, read_number

__all__ = ["normalize", "read_number", "read_digits", "wetext_normalize"]

_HAN = r"\u3400-\u9fff"
_NUM = r"\d+(?:\.\d+)?"
_CN_DIGITS = "零〇○一二三四五六七八九十"

# --- page furniture -------------------------------------------------------------------

# Decorative marks and leftover Markdown: never spoken. ■ also introduces bylines, which
# the speech stage has already taken out by the time text gets here.
_DECOR = re.compile(
    r"[■□▪▫●◆◇★☆▲△▼▽◎⊙※→←↑↓♦♠♥♣✓✔✕✖❤#`|^©®™§¶†‡]+|^\s*>+|(?<!\d)\*+|\*+(?!\d)"
    r"|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])|○(?![○〇零一二三四五六七八九])"
)
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")

# A space between two Chinese words on the page is a pause read aloud: the halves of a
# headline (…会议时强调 围绕…), a name list, a dateline (…消息　据…).
_HAN_SPACE = re.compile(rf"(?<=[{_HAN}”’》」』！？）])[ \t\u3000\u00a0]+(?=[{_HAN}“‘《「『（])")

# List markers: （4） (4) 4. 4、 ① （一） at the start of a sentence or after a colon,
# semicolon or sentence end. Read as the number and a pause, never run into the text.
_MARK_LEAD = r"(?:^|(?<=[：:；;。！？!?\s]))"
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}  # ① … ⑳
_CIRCLED_RE = re.compile("[" + "".join(_CIRCLED) + "]")
_LIST_PAREN = re.compile(rf"{_MARK_LEAD}\s*[（(]\s*(?P<n>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*[）)]\s*(?![，、。；：）)])")
_LIST_CLOSE = re.compile(r"^\s*(?P<n>\d{1,2})\s*[）)]\s*(?=[\u4e00-\u9fff])")
_LIST_DOT = re.compile(rf"{_MARK_LEAD}\s*(?P<n>\d{{1,2}})\s*(?:[.．、](?!\d)|[.．](?=\d{{1,2}}\s*月))\s*")
# 【领航中国】健全…: a bracketed tag is a short heading of its own.
_TAG = re.compile(r"【(?P<tag>[^【】\d]{1,16})】\s*(?![，。、；：！？]|$)")

# --- folding ----------------------------------------------------------------------------

_FOLD = {
    "％": "%",
    "＋": "+",
    "＝": "=",
    "＠": "@",
    "＆": "&",
    "／": "/",
    "＜": "<",
    "＞": ">",
    "＊": "*",
    "＃": "#",
    "＂": '"',
    "＇": "'",
    "｛": "{",
    "｝": "}",
    "｜": "|",
    "︱": "|",
    "～": "～",
    # quotes the voices know are “ ” and 「 」
    "‘": "“",
    "’": "”",
    "『": "「",
    "』": "」",
}
_GREEK = {
    "α": "阿尔法",
    "β": "贝塔",
    "γ": "伽马",
    "δ": "德尔塔",
    "Δ": "德尔塔",
    "ε": "艾普西隆",
    "θ": "西塔",
    "λ": "兰姆达",
    "π": "派",
    "σ": "西格玛",
    "Σ": "西格玛",
    "ω": "欧米伽",
    "Ω": "欧姆",
}
_ROMAN_CHARS = {chr(0x2160 + i): i + 1 for i in range(12)} | {chr(0x2170 + i): i + 1 for i in range(12)}


def _fold(text: str) -> str:
    """Full-width digits, letters and signs become ASCII so one set of rules covers both.

    Chinese punctuation is left alone (NFKC would turn ， into ,), accented Latin letters
    lose their accents (the letter speller knows A–Z), and the Chinese zero 〇 (or a
    circle standing for it inside a Chinese numeral) is written 零, which every voice reads.
    """
    out = []
    for i, c in enumerate(text):
        if "０" <= c <= "９" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ":
            c = unicodedata.normalize("NFKC", c)
        elif c == "’" and 0 < i < len(text) - 1 and text[i - 1].isascii() and text[i + 1].isascii():
            c = "'"  # Levi’s: an apostrophe, not a quote
        elif c in _FOLD:
            c = _FOLD[c]
        elif c in "－﹣−" and (i + 1 < len(text) and text[i + 1].isdigit() or i and text[i - 1].isalnum()):
            c = "-"
        elif c in "．" and i and text[i - 1].isalnum() and i + 1 < len(text) and text[i + 1].isalnum():
            c = "."
        elif c == "，" and i and _ascii(text[i - 1]).isdigit() and _THOUSANDS_AFTER.match(text, i + 1):
            c = ","
        elif c == "：" and i and "0" <= _ascii(text[i - 1]) <= "9" and i + 1 < len(text) and _ascii(text[i + 1]).isdigit():
            c = ":"
        elif c == "〇" or (
            c in "○Ｏ"
            and ((i and text[i - 1] in _CN_DIGITS) or (i + 1 < len(text) and text[i + 1] in _CN_DIGITS))
        ):
            c = "零"
        elif c in _ROMAN_CHARS:
            c = read_number(str(_ROMAN_CHARS[c]))
        elif c in _GREEK:
            c = _GREEK[c]
        elif "À" <= c <= "ɏ":
            c = "".join(x for x in unicodedata.normalize("NFKD", c) if x.isascii()) or c
        out.append(c)
    return "".join(out)


_THOUSANDS_AFTER = re.compile(r"[0-9０-９]{3}(?![0-9０-９])(?=[.．][0-9０-９]|[元万亿]|[，,][0-9０-９]{3})")


def _ascii(c: str) -> str:
    return unicodedata.normalize("NFKC", c) if "０" <= c <= "９" else c


# --- the project's own rules ----------------------------------------------------------

# Units read after a number. Longest first so kWh is not read as kW + h. Single letters
# (m, g, L, W, V) count only right after a number and before no other letter.
_UNITS: dict[str, str] = {
    "kVA": "千伏安",
    "kWh": "千瓦时",
    "MWh": "兆瓦时",
    "GWh": "吉瓦时",
    "mAh": "毫安时",
    "MPa": "兆帕",
    "kPa": "千帕",
    "km²": "平方千米",
    "m²": "平方米",
    "m³": "立方米",
    "m2": "平方米",
    "m3": "立方米",
    "kV": "千伏",
    "kW": "千瓦",
    "MW": "兆瓦",
    "GW": "吉瓦",
    "km": "千米",
    "kg": "千克",
    "mg": "毫克",
    "μg": "微克",
    "ug": "微克",
    "mm": "毫米",
    "cm": "厘米",
    "nm": "纳米",
    "μm": "微米",
    "ml": "毫升",
    "mL": "毫升",
    "℃": "摄氏度",
    "°C": "摄氏度",
    "℉": "华氏度",
    "°F": "华氏度",
    "°": "度",
    "GHz": "吉赫兹",
    "MHz": "兆赫兹",
    "kHz": "千赫兹",
    "Hz": "赫兹",
    "Gbps": "吉比特每秒",
    "Mbps": "兆比特每秒",
    "kbps": "千比特每秒",
    "dB": "分贝",
    "db": "分贝",
    "ppm": "百万分之",
    "m": "米",
    "g": "克",
    "L": "升",
    "W": "瓦",
    "V": "伏",
    "h": "小时",
}
# Units that may stand after a number only when the next thing is not a letter or digit.
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
# A Chinese unit or measure word after "/": 元/公斤, 次/分钟, 元/平方米.
_CN_PER = r"(?:平方米|平方公里|立方米|千瓦时|小时|分钟|公里|公斤|千克|人次|[天年月日周次人个吨斤克米升台辆件户家亩秒盒包袋瓶罐股])"
_UNIT = rf"(?:{_UNIT_ALT})(?:/(?:{_UNIT_ALT}|s|min|{_CN_PER}))?(?![A-Za-z0-9])"
_NUM_UNIT = re.compile(rf"(?:(?P<sign>±|(?<![\dA-Za-z.])[+\-])|(?<![A-Za-z\d.]))(?P<num>{_NUM})\s*(?P<unit>{_UNIT})")
_PLUS_MINUS = re.compile(rf"±\s*(?P<num>{_NUM})\s*(?P<pct>%?)")
_SIGNED_PERCENT = re.compile(rf"(?<![\dA-Za-z.%])(?P<sign>[+\-])\s*(?P<num>{_NUM})\s*%")
_PERCENT = re.compile(rf"(?P<num>{_NUM})\s*%")
_PERMILLE = re.compile(rf"(?P<num>{_NUM})\s*‰")


def _unit_name(unit: str) -> str:
    if "/" in unit:
        a, b = unit.split("/", 1)
        return _UNITS.get(a, a) + "每" + {"s": "秒", "min": "分钟", "h": "小时"}.get(b, _UNITS.get(b, b))
    return _UNITS[unit]


# 衡阳发[2019]1号, 湘政发〔2021〕3号: the year is read digit by digit, then the serial.
_DOC_NUMBER = re.compile(r"[\[〔［【（(]\s*(?P<year>(?:19|20)\d{2})\s*[\]〕］】）)]\s*第?\s*(?P<serial>\d+)\s*号")

# Area code + number, a bare mobile number, 400/800 service numbers, and any number a
# phone word points at (拨打110, 热线12345): read digit by digit with 幺.
_PHONE = re.compile(
    r"(?<![\d.])(?:[（(](?P<area1>0\d{2,3})[）)]\s*|(?P<area2>0\d{2,3})\s*[-—]\s*)(?P<local>\d{7,8})(?:-(?P<ext>\d{1,5}))?(?![\d.])"
)
_MOBILE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?![\d.])")
_SERVICE = re.compile(r"(?<![\d.])(?P<a>[48]00)[-\s]?(?P<b>\d{3})[-\s]?(?P<c>\d{4})(?![\d.])")
_PHONE_WORD = re.compile(
    r"(?P<word>电话|热线|专线|拨打|致电|报警|急救|呼叫|手机|传真|号码|服务台|咨询|求助)(?P<gap>[^\d，。；]{0,6}?)"
    rf"(?P<num>\d{{3,}}(?:-\d{{3,}})*)(?![\d.]|\s*(?:{MEASURE_RE}|年|月|日|号|%))"
)
# Numbers that name something: postcodes, IDs, account, flight and train numbers.
_CODE_WORD = re.compile(
    r"(?P<word>邮编|邮政编码|编号|代码|代号|学号|工号|账号|帐号|卡号|QQ号?|微信号|身份证号?码?|车牌号?|航班号?|车次|房号|证号|批准文号)"
    r"(?P<gap>[：:\s为是]*)(?P<num>[\dA-Za-z][\dA-Za-z\-]{2,})"
)
# (00874), (600519.SH): a stock code after a company name.
_STOCK = re.compile(
    rf"(?<=[{_HAN}A-Za-z\s])\s*[（(]\s*(?P<code>\d{{5,6}}|\d{{4}}(?=\.))(?:\.(?P<ex>SH|SZ|HK|US|sh|sz|hk))?\s*(?:(?P<close>[）)])|(?=[,，]))"
)
# 512GB, 4G: storage sizes keep their letters, the number is a quantity.
_STORAGE = re.compile(r"(?<![A-Za-z\d.])(?P<n>\d+(?:\.\d+)?)\s*(?P<u>TB|GB|MB|KB|T|G|M|K)(?=B?(?![A-Za-z]))")
# 600519, 300782: an A-share code (its prefix says which board) with no measure word after.
_A_SHARE = re.compile(rf"(?<![\d.])(?:60[0135]|688|00[0-3]|30[01])\d{{3}}(?![\d.]|\s*(?:{MEASURE_RE}|年|%))")

_MONEY = re.compile(
    r"(?P<cur>HK\$|US\$|[¥￥$＄€£])\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<mag>[万亿]*)(?P<yuan>元?)"
)
_CURRENCY = {"¥": "元", "￥": "元", "$": "美元", "＄": "美元", "US$": "美元", "HK$": "港元", "€": "欧元", "£": "英镑"}
_THOUSANDS = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])")

_ISO_DATE = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*[-/.]\s*(?P<m>0?[1-9]|1[0-2])\s*[-/.]\s*(?P<d>0?[1-9]|[12]\d|3[01])(?![\d.])"
)
# 5·12 地震, “9·11”, 3·15: month·day names of events, read digit by digit; with a dot only
# when an event word follows (5.12地震), else 5.12 is a decimal.
_DOT_DATE = re.compile(r"(?<![\d.])(?P<a>\d{1,2})\s*[·•・‧]\s*(?P<b>\d{1,2})(?![\d.])")
_EVENT_DATE = re.compile(
    r"(?<![\d.])(?P<a>\d{1,2})[.\-－](?P<b>\d{1,2})(?=\s*[”」』]?\s*(?:特大|大|汶川)?"
    r"(?:地震|事件|惨案|事变|晚会|消费者|国际|纪念|灾后|运动|决议|暴雨|遇难|事故|大火|洪水|爆炸|自然灾害))"
)
_RATIO = re.compile(rf"(?P<a>{_NUM})\s*∶\s*(?P<b>{_NUM})")

# Clock times 9:30, 16:30:15 (minutes in two digits), against scores 3:1 and 104:98.
_COLON = re.compile(r"(?<![\d.:])(?P<h>\d{1,3})\s*:\s*(?P<m>\d{1,3})(?::(?P<s>\d{2}))?(?![\d:])")
_SCORE_BEFORE = re.compile(r"(?:比分|比赛|战胜|击败|负于|不敌|战平|逆转|大比分|总比分|决赛|半决赛|联赛)\s*[^，。；]{0,8}$")
_SCORE_AFTER = re.compile(r"^\s*(?:的比分|比分|获胜|取胜|战胜|击败|胜出|告负|险胜|大胜|完胜|击退|淘汰|落败|赢|胜|负|输|战平|逆转|领先|落后|晋级)")

_DASHES = r"[—–~～\-－至到]+"
_YEAR_RANGE = re.compile(
    rf"(?<!\d)(?P<a>(?:19|20)\d{{2}})\s*(?P<ya>年?)\s*(?:{_DASHES})\s*(?P<b>(?:19|20)\d{{2}})(?P<yb>\s*年)?(?!\d)"
)
# 2018-19赛季, 2020/21财年: the second year shortened to two digits.
_SHORT_YEAR_RANGE = re.compile(r"(?<!\d)(?P<a>(?:19|20)\d{2})\s*[—–\-/]\s*(?P<b>\d{2})(?=\s*(?:赛季|年度|财年|学年|年))")
# 4～8℃, 5～14岁, 3-5万, 10%-20%, 20至30人: a range, the unit shared or on both sides.
_RANGE = re.compile(
    rf"(?<![\d.:/\-])(?P<a>{_NUM})(?P<ua>%|{_UNIT})?\s*(?P<dash>[—–~～\-]+|至|到)\s*(?P<b>{_NUM})(?P<ub>%|{_UNIT})?(?![\d.:/\-])"
)
# 104-98: a score, when the sentence talks about a match.
_SCORE_DASH = re.compile(r"(?<![\d.])(?P<a>\d{1,3})\s*[-—:]\s*(?P<b>\d{1,3})(?![\d.%])")
_SPORTS = re.compile(
    r"比赛|比分|季后赛|常规赛|联赛|得分|篮板|助攻|三分|球队|主队|客队|战绩|交手|打出|高潮|暂停|罚球|赛季|系列赛|半场|"
    r"第[一二三四]节|首节|战平|追平|领先|落后|击败|战胜|逆转|险胜|告负|淘汰赛|决赛|[胜负]于"
)
_MEASURED_AFTER = re.compile(rf"\s*(?:{MEASURE_RE}|年|月|日|号|时|点|%|[A-Za-z])")

# 互联网+监督 is read 互联网加监督; R&D-style ampersands between words are 和.
_PLUS_WORD = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z\d])\s*\+\s*(?=[\u4e00-\u9fffA-Za-z\d]|[”’」』]|$)")
_AMPERSAND = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z])\s*&\s*(?=[\u4e00-\u9fffA-Za-z])")
_PER = re.compile(
    rf"(?<=[元次人个吨米克斤升台辆件户颗只条份张天年月日周亩秒时分度瓦斤方里箱盒包袋瓶])\s*[/／]\s*(?={_CN_PER}|[{_HAN}]{{1,2}}(?![{_HAN}]))"
)

# Arithmetic: 1+1=2, 3×4, 8÷2, a > b.
_TIMES = re.compile(r"(?<=\d)(?P<u>(?:mm|cm|km|m)?)\s*[×xX*]\s*(?=\d)")
_TIMES_SIGN = re.compile(r"\s*×\s*")
_EQUATION = re.compile(r"(?<=[\dA-Za-z\u4e00-\u9fff)）])\s*(?P<op>[=≈≠≥≤<>÷])\s*(?=[\dA-Za-z\u4e00-\u9fff(（+\-])")
_OPS = {"=": "等于", "≈": "约等于", "≠": "不等于", "≥": "大于等于", "≤": "小于等于", "<": "小于", ">": "大于", "÷": "除以"}
_MINUS_IN_SUM = re.compile(r"(?<=\d)\s*-\s*(?=\d+\s*(?:=|等于))")
_FRACTION = re.compile(r"(?<![\d./:A-Za-z])(?P<a>\d{1,4})\s*/\s*(?P<b>\d{1,4}(?:\.\d+)?)(?![\d/.:A-Za-z])")
# 30/25/24帧: numbers listed with slashes.
_SLASH_LIST = re.compile(r"(?<![\d./:A-Za-z])\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?){2,}(?![\d/.:A-Za-z])")
# f/2.8, F/3.1-5.9: an aperture.
_APERTURE = re.compile(r"(?<![A-Za-z])(?P<f>[fF])\s*/\s*(?P<a>\d+(?:\.\d+)?)(?:\s*-\s*(?P<b>\d+(?:\.\d+)?))?")
# 25/07/2009: day/month/year (month/day/year when the first number cannot be a day... or a month).
_DMY = re.compile(r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\d/])")
# 2010-038号, 2009-41号: a year and a serial number.
_SERIAL = re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*[-－—]\s*(?P<n>\d{1,4})(?=\s*号)")
# 1043次列车: a train number; 211工程, 985计划: numbered programmes.
_TRAIN = re.compile(r"(?<![\d.])(?P<n>\d{2,5})(?=次(?:旅客)?(?:列车|动车|快车|特快|直达|高铁|车))")
_PROGRAMME = re.compile(r"(?<![\d.])(?P<n>[1-9]\d{2})(?=[”’」』]?\s*(?:工程|计划))")
# 3·15, 9·11 written without the dot before an event word: 911袭击, 311爆炸, 315晚会.
_EVENT_NUMBER = re.compile(
    r"(?<![\d.])(?P<n>[1-9](?:0[1-9]|[12]\d|3[01])|1[0-2](?:0[1-9]|[12]\d|3[01]))"
    r"(?=[”’」』]?\s*(?:事件|袭击|爆炸|晚会|惨案|时期|期间|前夕|消费者权益|大地震|特大))"
)
# 315 and 618 standing alone are the named days of the retail calendar (3·15 consumer
# rights day, 6·18 mid-year sales) as the press writes them without the dot; a quantity
# of 315 has its measure word or unit after it, or a word of quantity before it.
_NAMED_DAY = re.compile(
    rf"(?<![\d.,，第约近共达超逾和及、至到余-])(?P<n>315|618)(?![\d.,]|{_MEASURED_AFTER.pattern}|\s*(?:{_UNIT_ALT}))"
)
# “渔政35001”: a long number right after a name, closing a quotation, is the name's
# number (a ship, a mission), read digit by digit.
_QUOTED_NAME_NUMBER = re.compile(rf"(?<=[{_HAN}A-Za-z])(?P<n>\d{{4,}})(?=[”’」』])")
# 95年: a two-digit year after a word that points at a time.
_SHORT_YEAR = re.compile(r"(?<=[从在于自])(?P<n>[5-9]\d)(?=\s*年(?!代|度|间|来|内|多|以|龄|前|后))")

# 6月23日－29日, 5万-8万: after a date word or a measure the dash is a range.
_MEASURE_DASH = re.compile(
    r"(?<=[年月日号时点分秒天周岁元万亿千百个人次家名位件条辆吨米克斤度倍期届])\s*[-－—–~～]+\s*(?=\d)"
)
# 运-20, 歼-10, 东风-41: a hyphen between a Chinese name and its number is silent.
_NAME_HYPHEN = re.compile(rf"(?<=[{_HAN}])\s*[-－—]\s*(?P<num>\d{{1,3}})(?![\d.%℃°]|\s*(?:{_UNIT_ALT}|度|摄氏度))")

# A code: Latin letters and digits, possibly joined by - / . (ZZDFPZ-415000/500-600,
# C919, COVID-19, PM2.5). Must hold both a letter and a digit.
_CODE = re.compile(
    r"(?<![A-Za-z0-9.])(?=[A-Za-z0-9\-/.]*[A-Za-z])(?=[A-Za-z0-9\-/.]*\d)"
    r"[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*(?![A-Za-z0-9])"
)
_CODE_PART = re.compile(r"[A-Za-z]+|\d+|[-/.]")
_LETTER_DECIMAL = re.compile(r"(?<![A-Za-z0-9])(?P<l>[A-Za-z]+)(?P<n>\d+\.\d+)(?![\d.A-Za-z])")
# Roman numerals in ASCII before a grade word: IV级, II类, III期.
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_ROMAN_WORD = re.compile(r"(?<![A-Za-z])(?P<r>VIII|VII|VI|IV|IX|III|II|I)(?=\s*(?:级|类|期|批|型|代|号|阶段|区|档))")

# URLs and e-mail addresses: spelled, with 点 for the dots.
_URL = re.compile(
    r"(?:(?:https?|ftp)://)?(?:www\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\."
    r"(?:com|cn|net|org|gov|edu|int|mil|io|co|info|biz|me|tv|cc|hk|tw|uk|jp|us|de|fr|ru)(?![A-Za-z])"
    r"(?:\.[a-z]{2})?(?::\d+)?(?:/[A-Za-z0-9\-._~/?=&%#]*)?"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# .CN, .com: a domain suffix on its own.
_DOT_DOMAIN = re.compile(r"(?<![A-Za-z0-9])\.(?=[A-Za-z]{2,4}(?![A-Za-z]))")

# Dates and times: 05月01日 → 五月一日, 2时 → 两时, 10时08分 → 十时零八分.
_MONTH = re.compile(r"(?<![\d.])(?P<n>0?[1-9]|1[0-2])(?=\s*月)")
_DAY = re.compile(r"(?<![\d.])(?P<n>0?[1-9]|[12]\d|3[01])(?=\s*[日号])")
_HOUR = re.compile(r"(?<![\d.])(?P<n>[01]?\d|2[0-4])(?=\s*[时点](?!\s*[.．]))")
_MINUTE = re.compile(r"(?<=[时点分])(?P<n>[0-5]\d)(?=\s*[分秒])")
# 80后, 00后: a generation, digit by digit.
_GENERATION = re.compile(r"(?<![\d.])(?P<n>\d0)(?=\s*后)")

# A year written with 年: 2021年 is 二零二一年, but 长达2000年 is a span.
_YEAR = re.compile(r"(?<![\d.])(?P<n>1\d{3}|20\d{2})(?=\s*年(?!代))")
# 3000年, 5000年: no paper prints such a year; it is a span of years.
_LONG_SPAN = re.compile(r"(?<![\d.])(?P<n>[3-9]\d{3}|\d{5,})(?=\s*年)")
_SPAN_BEFORE = re.compile(r"(?:长达|近|约|超过|超|逾|多|历时|历经|经过|有|了|达|将近|上)\s*$")
# A four-digit year without 年 that names something (剑网2023, 2019全球汽车产业创新大会).
_BARE_YEAR = re.compile(r"(?<![\d.,])(?P<n>(?:19[5-9]|20[0-4])\d)(?![\d.%]|,\d)")
_QUANTITY_BEFORE = re.compile(
    r"(?:达|达到|为|是|有|共|约|近|超|超过|逾|仅|只|计|合计|总计|累计|突破|增至|降至|增加|减少|增长|下降|上涨|多达|高达|"
    r"至|到|第|前|后|共有|剩|剩余|余|额|数|量|价|值|分|得|拿|收|售|卖|买|涨|跌|报|收于|[＝=])\s*$"
)
# An ordinal: 第2名 is 第二名, never 第两名.
_ORDINAL = re.compile(rf"(?<=第)\s*(?P<n>{_NUM})")
# A number a measure word follows is a quantity: 病例119例, 增加10.4公斤, 2000本.
_COUNT = re.compile(rf"(?<![\d.,])(?P<n>\d+(?:\.\d+)?){COUNT_AFTER}")
# 20210127 stamps, Unix times, IDs: a long digit run with no measure word is a code.
_STAMP = re.compile(
    r"(?<![\d.])(?:(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|1\d{9}|\d{9,})(?![\d.])"
    r"(?!\s*(?:人|元|个|万|亿|千|百|名|件|次|户|家|吨|辆|台|例|余|多|美元|平方|公里|公斤|千克|米|册|股|份|条|项|元))"
)
_LEADING_ZERO = re.compile(r"(?<![\d.])0\d{2,}(?![\d.])")
_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")


def _slash_list(m: re.Match[str]) -> str:
    return "、".join(read_number(x.strip()) for x in m.group().split("/"))


def _fraction(m: re.Match[str]) -> str:
    a, b = m.group("a"), m.group("b")
    if float(a) >= float(b):  # 60/50帧 is a list, not a fraction
        return read_number(a) + "、" + read_number(b)
    return read_number(b) + "分之" + read_number(a)


def _aperture(m: re.Match[str]) -> str:
    out = m.group("f") + read_number(m.group("a"))
    return out + ("至" + read_number(m.group("b")) if m.group("b") else "")


def _dmy(m: re.Match[str]) -> str:
    a, b = int(m.group("a")), int(m.group("b"))
    day, month = (a, b) if a > 12 or b <= 12 else (b, a)
    return f"{read_digits(m.group('y'))}年{read_number(str(month))}月{read_number(str(day))}日"


def _serial(m: re.Match[str]) -> str:
    n = m.group("n")
    return read_digits(m.group("y")) + "杠" + (read_digits(n) if n.startswith("0") else read_number(n))


def _unit(m: re.Match[str]) -> str:
    sign = {"±": "正负", "+": "正", "-": "负"}.get(m.group("sign") or "", "")
    return sign + read_number(m.group("num")) + _unit_name(m.group("unit"))


def _plus_minus(m: re.Match[str]) -> str:
    if m.group("pct"):
        return "正负百分之" + read_number(m.group("num"))
    return "正负" + read_number(m.group("num"))


def _doc_number(m: re.Match[str]) -> str:
    return f"{read_digits(m.group('year'))}年第{read_number(m.group('serial'))}号"


def _phone(m: re.Match[str]) -> str:
    area = m.group("area1") or m.group("area2")
    out = read_digits(area, PHONE_DIGITS) + "，" + read_digits(m.group("local"), PHONE_DIGITS)
    if m.group("ext"):
        out += "转" + read_digits(m.group("ext"), PHONE_DIGITS)
    return out


def _phone_word(m: re.Match[str]) -> str:
    digits = "，".join(read_digits(part, PHONE_DIGITS) for part in m.group("num").split("-"))
    return m.group("word") + m.group("gap") + digits


def _code_word(m: re.Match[str]) -> str:
    return m.group("word") + m.group("gap") + _spell_code(m.group("num"))


def _spell_code(token: str) -> str:
    return "".join(read_digits(c) if c.isdigit() else ("杠" if c == "-" else c) for c in token)


def _money(m: re.Match[str]) -> str:
    return read_count(m.group("num").replace(",", "")) + m.group("mag") + _CURRENCY[m.group("cur")]


def _iso_date(m: re.Match[str]) -> str:
    return f"{read_digits(m.group('y'))}年{read_number(m.group('m'))}月{read_number(m.group('d'))}日"


def _year_range(m: re.Match[str]) -> str:
    first = read_digits(m.group("a")) + ("年" if m.group("ya") else "")
    second = read_digits(m.group("b")) + ("年" if m.group("yb") else "")
    return f"{first}至{second}"


def _is_score(m: re.Match[str]) -> bool:
    before = m.string[max(0, m.start() - 12) : m.start()]
    after = m.string[m.end() : m.end() + 6]
    return bool(_SCORE_BEFORE.search(before) or _SCORE_AFTER.match(after))


def _colon(m: re.Match[str]) -> str:
    h, mm, s = m.group("h"), m.group("m"), m.group("s")
    if len(mm) == 2 and int(h) <= 24 and int(mm) < 60 and not _is_score(m):
        out = read_count(str(int(h)), "点") + "点"
        # 14:05分: the page already says 分
        minute_word = "" if m.string[m.end() : m.end() + 1] == "分" and not s else "分"
        if int(mm) or s:
            out += ("零" if mm[0] == "0" and mm != "00" else "") + (read_number(mm) if int(mm) else "零") + minute_word
        if s is not None:
            out += (read_number(s) if int(s) else "零") + "秒"
        return out
    return read_number(h) + "比" + read_number(mm) + (("比" + read_number(s)) if s else "")


def _range(m: re.Match[str]) -> str:
    ua, ub = m.group("ua") or "", m.group("ub") or ""
    if m.group("dash") in ("至", "到") and not (ua or ub):
        return m.group()  # 20至30人 reads fine as it is; the count rule does the numbers
    a, b = m.group("a"), m.group("b")
    if len(b) > 1 and b.startswith("0") and "." not in b:
        return _spell_code(a + "-" + b)
    if m.string[max(0, m.start() - 1) : m.start()] == "第":
        return read_number(a) + "至" + read_number(b) + _unit_name(ub) if ub else read_number(a) + "至" + read_number(b)
    # 10%-20%: both ends are percentages; 10-20%: the sign usually covers both.
    if ua == "%" or ub == "%":
        return "百分之" + read_number(a) + "至" + "百分之" + read_number(b)
    after = m.string[m.end() : m.end() + 3]
    left = read_count(a, ua and _unit_name(ua) or after) + (_unit_name(ua) if ua else "")
    right = read_count(b, ub and _unit_name(ub) or after) + (_unit_name(ub) if ub else "")
    return left + "至" + right


def _score_dash(m: re.Match[str]) -> str:
    if not _is_score(m) and (
        not _SPORTS.search(m.string) or _MEASURED_AFTER.match(m.string, m.end()) or m.group().find(":") >= 0
    ):
        return m.group()
    return read_number(m.group("a")) + "比" + read_number(m.group("b"))


def _code(m: re.Match[str]) -> str:
    token = m.group()
    parts = _CODE_PART.findall(token)
    digits = [p for p in parts if p.isdigit()]
    # COVID-19, G20, mate20pro: one number among letters → the dash is silent and a short
    # (or round: RX100, SAT2000) number is a cardinal. Several numbers, or ones joined by
    # / or ., make a code, read digit by digit (H1N1, A380 stays A三八零).
    simple = len(digits) == 1 and "/" not in token and "." not in token
    out: list[str] = []
    for part in parts:
        if part.isalpha():
            out.append(part)
        elif part.isdigit():
            cardinal = simple and part[0] != "0" and (len(part) <= 2 or (len(part) >= 3 and part.endswith("00")))
            out.append(read_count(part) if cardinal else read_digits(part))
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


def _url(m: re.Match[str]) -> str:
    text = re.sub(r"^(?:https?|ftp)://", "", m.group())
    text = text.rstrip("/")
    return _spell_address(text)


def _spell_address(text: str) -> str:
    names = {".": "点", "-": "杠", "_": "下划线", "/": "斜杠", "@": "艾特", ":": "冒号", "?": "问号", "=": "等于", "&": "和"}
    out = []
    for c in text:
        if c.isdigit():
            out.append(DIGIT_NAMES[int(c)])
        else:
            out.append(names.get(c, c if c.isalpha() else ""))
    return "".join(out)


def _year(m: re.Match[str]) -> str:
    before = m.string[max(0, m.start() - 4) : m.start()]
    n = m.group("n")
    if _SPAN_BEFORE.search(before) and n.endswith("00"):
        return read_count(n, "年")
    return read_digits(n)


def _bare_year(m: re.Match[str]) -> str:
    before = m.string[max(0, m.start() - 4) : m.start()]
    after = m.string[m.end() : m.end() + 2]
    if _QUANTITY_BEFORE.search(before) or re.match(r"\s*[多余万亿千百]", after):
        return m.group()
    return read_digits(m.group("n"))


def _count(m: re.Match[str]) -> str:
    return read_count(m.group("n"), m.string[m.end() : m.end() + 3])


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str]] = [
    (_EMAIL, lambda m: _spell_address(m.group())),
    (_URL, _url),
    (_DOT_DOMAIN, "点"),
    (_DOC_NUMBER, _doc_number),
    (_TAG, lambda m: m.group("tag") + "，"),
    (_PHONE, _phone),
    (_SERVICE, lambda m: "，".join(read_digits(m.group(k), PHONE_DIGITS) for k in "abc")),
    (_MOBILE, lambda m: read_digits(m.group(), PHONE_DIGITS)),
    (_CODE_WORD, _code_word),
    (_PHONE_WORD, _phone_word),
    (_STOCK, lambda m: "，" + read_digits(m.group("code")) + ("，" if m.group("close") else "")),
    (_STORAGE, lambda m: read_number(m.group("n")) + m.group("u")),
    (_MONEY, _money),
    (_THOUSANDS, lambda m: m.group().replace(",", "")),
    (_ISO_DATE, _iso_date),
    (_DMY, _dmy),
    (_SERIAL, _serial),
    (_DOT_DATE, lambda m: read_digits(m.group("a") + m.group("b"))),
    (_EVENT_DATE, lambda m: read_digits(m.group("a") + m.group("b"))),
    (_RATIO, lambda m: read_number(m.group("a")) + "比" + read_number(m.group("b"))),
    (_COLON, _colon),
    (_APERTURE, _aperture),
    (_SLASH_LIST, _slash_list),
    (_ROMAN_WORD, lambda m: read_number(str(_ROMAN[m.group("r")]))),
    (_SHORT_YEAR_RANGE, lambda m: read_digits(m.group("a")) + "至" + read_digits(m.group("b"))),
    (_YEAR_RANGE, _year_range),
    (_SCORE_DASH, _score_dash),
    (_TIMES, lambda m: m.group("u") + "乘"),
    (_MINUS_IN_SUM, "减"),
    (_RANGE, _range),
    (_MEASURE_DASH, "至"),
    (_NUM_UNIT, _unit),
    (_PLUS_MINUS, _plus_minus),
    (_SIGNED_PERCENT, lambda m: ("正" if m.group("sign") == "+" else "负") + "百分之" + read_number(m.group("num"))),
    (_PERCENT, lambda m: "百分之" + read_number(m.group("num"))),
    (_PERMILLE, lambda m: "千分之" + read_number(m.group("num"))),
    (_NAME_HYPHEN, lambda m: read_number(m.group("num"))),
    (_LETTER_DECIMAL, _decimal_code),
    (_CODE, _code),
    (_FRACTION, _fraction),
    (_EQUATION, lambda m: _OPS[m.group("op")]),
    (_TIMES_SIGN, "乘"),
    (_GENERATION, lambda m: read_digits(m.group("n"))),
    (_TRAIN, lambda m: read_digits(m.group("n"))),
    (_PROGRAMME, lambda m: read_digits(m.group("n"))),
    (_EVENT_NUMBER, lambda m: read_digits(m.group("n"))),
    (_NAMED_DAY, lambda m: read_digits(m.group("n"))),
    (_SHORT_YEAR, lambda m: read_digits(m.group("n"))),
    (_A_SHARE, lambda m: read_digits(m.group())),
    (_QUOTED_NAME_NUMBER, lambda m: read_digits(m.group("n"))),
    (_YEAR, _year),
    (_LONG_SPAN, lambda m: read_count(m.group("n"), "年")),
    (_MONTH, lambda m: read_number(m.group("n"))),
    (_DAY, lambda m: read_number(m.group("n"))),
    (_ORDINAL, lambda m: read_number(m.group("n"))),
    (_HOUR, lambda m: read_count(str(int(m.group("n"))), "点")),
    (_MINUTE, lambda m: ("零" if m.group("n")[0] == "0" and m.group("n") != "00" else "") + read_number(m.group("n"))),
    (_STAMP, lambda m: read_digits(m.group())),
    (_COUNT, _count),
    (_LEADING_ZERO, lambda m: read_digits(m.group())),
    (_BARE_YEAR, _bare_year),
    (_DECIMAL, lambda m: read_number(m.group())),
    (_PER, "每"),
    (_PLUS_WORD, "加"),
    (_AMPERSAND, "和"),
]


def apply_rules(text: str) -> str:
    """The project's own rules, in order; each sees the output of the previous one."""
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text


def _list_markers(text: str) -> str:
    """（4）3月 → 四，三月; 1.窗户 → 一，窗户; ①加强 → 一，加强."""
    text = _LIST_PAREN.sub(lambda m: _marker(m.group("n")), text)
    text = _LIST_CLOSE.sub(lambda m: _marker(m.group("n")), text)
    text = _LIST_DOT.sub(lambda m: _marker(m.group("n")), text)
    return _CIRCLED_RE.sub(lambda m: _marker(str(_CIRCLED[m.group()])), text)


def _marker(n: str) -> str:
    return (read_number(n) if n.isdigit() else n) + "，"


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
_DIGIT_RUN = re.compile(r"\d(?:[\d.,:/%‰]*\d)?[%‰]?")
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
_BRACKETS = re.compile(r"[\[\]〔〕［］【】{}<>〈〉]")

# Brackets are never read. A short aside (试行) just loses them; a long one is set off
# with commas, which is how an anchor reads it.
_PARENS = re.compile(r"[（(](?P<inner>[^（()）]*)[)）]")
_STRAY_PARENS = re.compile(r"[（()）]")


def _paren(m: re.Match[str]) -> str:
    inner = m.group("inner").strip(" ，")
    if not inner:
        return ""
    if len(inner) <= 8:
        return inner
    # No comma before a particle that ties the aside to what follows (…的相关要求).
    after = m.string[m.end() : m.end() + 1]
    return f"，{inner}" + ("" if after and after in _PARTICLES else "，")


_PARTICLES = set("的等之中里和与及")

# Symbols still standing after the rules: what each is read as (or "" for silent).
_LEFTOVER_SYMBOLS = re.compile(r"[~～·•・‧\-－–_/\\=+@&%'\"|¦]")
_SYMBOL_WORDS = {"=": "等于", "+": "加", "@": "艾特", "&": "和", "%": "百分号"}
# Between Chinese numerals a tilde or dash is a range: 三～五 → 三至五.
_CN_RANGE = re.compile(
    r"(?<=[零一二三四五六七八九十百千万亿两点时分秒日号月年天岁元])\s*[~～\-–—]\s*(?=[零一二三四五六七八九十两])"
)
_DOT_BETWEEN_LETTERS = re.compile(r"(?<=[A-Za-z])\.(?=[A-Za-z])")


def _leftover_symbol(m: re.Match[str]) -> str:
    return _SYMBOL_WORDS.get(m.group(), "")


def normalize(text: str) -> str:
    """Speakable text for one sentence; no ASCII digit survives."""
    text = _fold(text)
    text = _DECOR.sub("", text)
    text = _list_markers(text)
    text = apply_rules(text)
    if _DIGIT_RUN.search(text):
        text = _wetext_windows(text)
    # Any digit still here is part of something nobody could read as a quantity.
    text = _LEFTOVER_DIGIT.sub(lambda m: DIGIT_NAMES[int(m.group())], text)
    text = _CN_RANGE.sub("至", text)
    text = _DOT_BETWEEN_LETTERS.sub("点", text)
    text = _LEFTOVER_SYMBOLS.sub(_leftover_symbol, text)
    text = _BRACKETS.sub("", text)
    text = _PARENS.sub(_paren, text)
    text = _STRAY_PARENS.sub("", text)
    text = _HAN_SPACE.sub("，", text)
    text = _DOUBLE_COMMA.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    text = _COMMA_RUN.sub("，", text)
    return _LEADING_COMMA.sub("", text)


# Commas that a removed aside or a marker leaves at the edges or next to other punctuation.
_DOUBLE_COMMA = re.compile(r"，\s*(?=[，。！？；、：”…])")
_COMMA_RUN = re.compile(r"(?:，\s*){2,}")
_LEADING_COMMA = re.compile(r"^[，、\s]+")
