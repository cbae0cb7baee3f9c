"""Bylines, datelines, photo credits and page-jump markers."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLETS = "■□●◆▲★☆◇"
_ROLE = (
    r"(?:全媒体记者|融媒体记者|首席记者|见习记者|实习记者|特约记者|本报记者|记者|特约通讯员|通讯员|实习生"
    r"|撰稿人?|作者|摄影|文[/／]图|图[/／]文|文[/／]|图[/／])"
)
_SOURCE = (
    r"(?:新华社|中新社|中新网|人民网|央视网|央广网|本报|本刊"
    r"|[\u4e00-\u9fff]{2,10}?(?:日报|晚报|早报|都市报|商报|时报|新闻网|融媒体中心|报社|电视台|网|在线)"
    # Wire agencies: 法新社, 路透社, 美联社, 共同社 ("据新华社电" quotes one, inside a
    # story as often as at its head: no dateline).
    r"|(?!据)[\u4e00-\u9fff]{1,3}社)"
)
# A day of the month in figures or in words (十八日, 二十一日), with or without the month.
_DAY = r"(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})月)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})日"
# The place is a city or a country and a city (奥克兰（新西兰）): up to ten characters.
_PLACE = r"[\u4e00-\u9fff]{0,10}?(?:[（(][\u4e00-\u9fff]{2,6}[)）])?"
_DATELINE = re.compile(
    # 讯, 电, 消息; web aggregators also write 信息 ("中新社9月22日信息：").
    rf"^(?P<dateline>{_SOURCE}{_PLACE}(?:{_DAY})?(?:讯|电|消息|信息))"
    r"(?=[（(\s：:\u3000]|$)\s*[：:]?\s*(?:[（(](?P<byline>[^（()）]{1,60})[)）])?[\s\u3000]*[：:]?[\s\u3000]*"
)
# The same line in brackets at the head of the lead, as agencies set it:
# "（法新社日内瓦二十一日电）…".
_BRACKETED = re.compile(rf"^[（(](?P<dateline>{_SOURCE}{_PLACE}(?:{_DAY})?电)[)）]\s*")
_AUTHOR = re.compile(rf"^[\u4e00-\u9fff]{{0,8}}?{_ROLE}")
_ROLE_WORD = re.compile(_ROLE)
MAX_NAME = 4  # Chinese names are two to four characters
MAX_EMPLOYER = 10
_CREDIT = re.compile(
    rf"^[{_BULLETS}]?\s*[（(]?\s*(?P<credit>[^。，,！？；（()）]{{1,40}}?\s*摄|图[/／：:]\s*[^。，,！？；]{{2,30}})\s*[)）]?$"
)
_FROM = re.compile(r"[（(]\s*上接第?\s*[\d一二三四五六七八九十A-Za-z]+\s*版\s*[)）]")
_TO = re.compile(r"[（(]\s*下转第?\s*[\d一二三四五六七八九十A-Za-z]+\s*版\s*[)）]")
_SENTENCE = re.compile(r"[。，,！？!?；;]")


def tidy(text: str) -> str:
    return re.sub(r"[\s\u3000]+", " ", text.strip(f" \u3000{_BULLETS}")).strip()


@dataclass(frozen=True)
class Dateline:
    dateline: str
    byline: str | None
    rest: str


def parse_dateline(text: str) -> Dateline | None:
    """``衡阳日报讯（全媒体记者 向吟吟）近日，…`` → dateline, byline and the lead."""
    m = _DATELINE.match(text)
    if not m:
        bracketed = _BRACKETED.match(text)
        # Alone on its line, the bracketed form closes the story above it instead.
        if bracketed is None or not text[bracketed.end() :].strip():
            return None
        return Dateline(bracketed.group("dateline"), None, text[bracketed.end() :].strip())
    byline = tidy(m.group("byline")) if m.group("byline") else None
    return Dateline(m.group("dateline"), byline, text[m.end() :].strip())


def parse_author(text: str) -> str | None:
    """A byline line of its own (``■衡阳日报社全媒体记者 王靖 通讯员 邱红燕``)."""
    if len(text) > 60 or _SENTENCE.search(text) or text.rstrip(")）").endswith("摄"):
        return None
    inner = tidy(text).strip("()（） ")
    if not _AUTHOR.match(inner):
        return None
    # What is left after the role words must be names (and an employer in front):
    # "通讯员培训班开班" names no one.
    tokens = _ROLE_WORD.sub(" ", inner).split()
    if not tokens:
        return None
    names = tokens[1:] if not _ROLE_WORD.match(inner) else tokens
    if any(len(t) > MAX_NAME for t in names) or len(tokens[0]) > MAX_EMPLOYER:
        return None
    return inner


def parse_credit(text: str) -> str | None:
    """A photo credit (``■通讯员 邓威 摄``)."""
    m = _CREDIT.match(text.strip())
    return tidy(m.group("credit")) if m else None


def continued_from(text: str) -> tuple[str | None, str]:
    """A leading ``（上接第X版）`` marker and the text after it."""
    m = _FROM.match(text.strip())
    if not m:
        return None, text
    return m.group(0), text.strip()[m.end() :].strip()


def continued_to(text: str) -> tuple[str | None, str]:
    """A trailing ``（下转第X版）`` marker and the text before it."""
    m = _TO.search(text)
    if not m or text[m.end() :].strip():
        return None, text
    return m.group(0), text[: m.start()].rstrip()


def is_wire_close(text: str) -> bool:
    """A bracketed line that closes a wire story: ``（新华社北京3月11日电）``, ``（完）``."""
    inner = text.strip()
    if len(inner) < 3 or inner[0] not in "（(" or inner[-1] not in ")）":
        return False
    inner = inner[1:-1].strip()
    return inner == "完" or bool(_DATELINE.fullmatch(inner))


def is_bare_wire_line(text: str) -> bool:
    """A wire dateline alone on its line, without brackets: ``新华社北京3月14日电``.
    Over a story's lead it opens the story; under body text it is the credit that
    closes the story above, as its bracketed form is (:func:`is_wire_close`)."""
    inner = text.strip()
    return inner.endswith("电") and bool(_DATELINE.fullmatch(inner))


def is_marker(text: str) -> bool:
    """A line that is a page-jump marker, or ends with one (``…（下转第二版）``)."""
    stripped = text.strip()
    return bool(_FROM.fullmatch(stripped)) or continued_to(stripped)[0] is not None


_SOURCE_LINE = re.compile(
    r"^(?P<author>[^《》]{0,40}?)\s*《(?P<paper>[^》]{2,20})》\s*[（(]\s*(?P<date>[^（）()]{0,20}?)\s*"
    r"第?\s*(?P<page>[\dA-Za-z一二三四五六七八九十]{1,3})\s*版\s*[)）]$"
)


def parse_source_line(text: str) -> tuple[str | None, str] | None:
    """``本报记者 范昊天《人民日报》（2025年01月05日第 01 版）``: the line a per-article
    archive puts under the headline. Returns the byline (if any) and the source."""
    m = _SOURCE_LINE.match(text.strip().lstrip(">").strip())
    if not m:
        return None
    author = tidy(m.group("author")) or None
    return author, text[m.start("paper") - 1 :].strip()


def is_source_line(text: str) -> bool:
    return parse_source_line(text) is not None


# A credit line closing a story: "作者：刘俊（来源：广州日报）", "本版采写／记者 王五",
# "图片提供／钱俊".
_CREDIT_LINE = re.compile(
    r"^(?:作者|来源|编辑|责编|本版采写|本版撰文|采写|撰文|文|图|摄影|图片提供|供图)\s*[：:／/]|[（(]来源[：:]"
)


def is_credit_line(text: str) -> bool:
    return _CREDIT_LINE.search(text.strip()) is not None


def is_meta_line(text: str) -> bool:
    """Lines that look short like headlines but are not: bylines, credits, markers."""
    return (
        parse_author(text) is not None
        or parse_credit(text) is not None
        or is_marker(text)
        or parse_dateline(text) is not None
        or is_source_line(text)
        or is_credit_line(text)
    )
