"""Character-level rules an editor applies by eye: where a sentence ends, what a
headline looks like, which brackets are left open."""

from __future__ import annotations

import re

# Sentence-final marks. A closing quote or bracket ends a paragraph as often as a full
# stop does (a quotation, a "(完)"), and a dash introduces what follows (a kicker).
FINAL = frozenset("。！？!?…；;：:”’」』）)】〕》—")
_SENTENCE_MARKS = re.compile(r"[。！？!?；;]")
_DATE = re.compile(
    r"^(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*日$|^\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}$"
)
_PAIRS = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》", "「": "」", "『": "』", "【": "】", "〔": "〕"}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}
_BRACKET = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_CLOSERS)) + "]")
_NOTICE = re.compile(r"倡议书|通告|公告|启事|声明|公开信|一封信|告知书|告市民书|通知$|致.{1,20}的信")
_BRIEF = re.compile(r"^(?:.{0,6})(?:快讯|简讯|速递|简报|短讯|速览|一句话新闻|新闻集锦|动态)$")
_CONTENTS = re.compile(r"^(?:今日|本期|本版|新闻)?(?:导读|目录|要目|提要|看点|内容提要|摘要|新闻摘要)$")
# Page furniture of websites and e-papers: navigation, tools, footers, time stamps.
# Words a site shows around every story, the same on every paper's site.
_UI_WORDS = (
    "上一版|下一版|上一篇|下一篇|上一页|下一页|返回目录|返回首页|返回顶部|返回|打印本页|打印本文|打印|关闭窗口|关闭"
    "|分享到|分享|收藏|字号|默认|放大|缩小|微信|微博|大|中|小|本版新闻|本版导航|版面导航|标题导航|往期回顾|相关阅读|相关新闻"
)
_UI_LINE = re.compile(rf"^(?:(?:{_UI_WORDS})[\s:：>|/【】\[\]·]*)+$")
_NAV = re.compile(r"上一版|下一版|上一篇|下一篇|返回目录")
_FOOTER = re.compile(r"版权所有|Copyright|©|ICP备|未经.{0,6}授权")
_STAMP = re.compile(r"^[(（]?\s*(?:更新时间戳|更新时间|发布时间|责任编辑|编辑|来源|点击数|浏览次数)\s*[:：]")
_PAGE_LABEL = re.compile(r"第\s*[A-Z]?\d{1,2}\s*版(?:[:：]\s*\S{1,8})?")
_LEADIN = re.compile(
    r"^(?:连日来|近日|日前|近期|近年来|今年以来|当天|当日|昨天|昨日|今天|今日|春节前夕|节前|\d{1,2}月\d{1,2}日|为了?|在|随着)"
)


def ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in FINAL


def dangles(text: str) -> bool:
    """The paragraph stops mid-sentence (a column or page break, or a removed splice)."""
    return bool(text) and text[-1] not in FINAL


def is_date_line(text: str) -> bool:
    return _DATE.match(text.strip()) is not None


# A field of a form or a notice: a short label, a colon, a short value ("地点：市第一中学",
# "时间：1月5日", "主办：市文明办"). Headlines that open with a label go on at length
# ("港报：动车事故幸存女孩被幼儿园拒收").
_FIELD = re.compile(r"^[\u4e00-\u9fff]{2,4}[：:]\s*[^，。；：:\s]{1,10}$")


def is_field(text: str) -> bool:
    return _FIELD.match(text.strip()) is not None


def headline_like(text: str, *, allow_lead: bool = False) -> bool:
    """Short, one phrase, no sentence punctuation at the end: how headline lines look.

    ``allow_lead`` admits the colon and dash that end a kicker ("系列报道之三：",
    "…机制建设——").
    """
    if not 2 <= len(text) <= 42 or _SENTENCE_MARKS.search(text[:-1]) or text.count("，") >= 2 or is_field(text):
        # Two commas make a sentence, not a headline.
        return False
    last = text[-1]
    if last in "，,、。；;…":  # a question or an exclamation can be a headline
        return False
    if last in "：:—":
        return allow_lead
    return not is_date_line(text)


def enclosed(text: str) -> bool:
    """The whole line is one bracketed note (``（新华社北京3月12日电）``,
    ``（作者系…教授）``): a credit or a note, never a headline line."""
    text = text.strip()
    if len(text) < 2 or text[0] not in "（(【〔" or _PAIRS.get(text[0]) != text[-1]:
        return False
    depth = 0
    for k, ch in enumerate(text):
        if ch == text[0]:
            depth += 1
        elif ch == text[-1]:
            depth -= 1
            if depth == 0 and k < len(text) - 1:
                return False
    return True


def imbalance(text: str) -> int:
    """How many quotation marks and brackets are left unmatched in ``text``."""
    depth = dict.fromkeys(_PAIRS, 0)
    unmatched = 0
    for ch in _BRACKET.findall(text):
        if ch in _PAIRS:
            depth[ch] += 1
        else:
            opener = _CLOSERS[ch]
            if depth[opener]:
                depth[opener] -= 1
            else:
                unmatched += 1
    return unmatched + sum(depth.values())


def is_furniture(text: str) -> bool:
    """A line of a website's or e-paper's page furniture rather than of any story:
    navigation (``上一版 下一版``), tools (``大 中 小 打印``), a footer, a time stamp,
    or a page label (``人民日报 2000年2月27日 第01版：要闻``)."""
    line = text.strip()
    if not line or len(line) > 80:
        return False
    if _UI_LINE.match(line) or _STAMP.match(line):
        return True
    if _NAV.search(line) and len(line) <= 40 and not _SENTENCE_MARKS.search(line):
        return True  # a bar of the paper's name, the date and 上一版 下一版
    if _FOOTER.search(line) and not _SENTENCE_MARKS.search(line):
        return True
    # A page label is short and carries no sentence: the paper's name, a date, the page.
    label = _PAGE_LABEL.search(line)
    # (An archive's source line, 《人民日报》（…第 01 版）, names the author: not furniture.)
    return label is not None and len(line) <= 40 and not _SENTENCE_MARKS.search(line) and not re.search("[，《]", line)


def is_notice_title(title: str) -> bool:
    return _NOTICE.search(title) is not None


def is_brief_title(title: str) -> bool:
    return _BRIEF.match(title) is not None


def is_contents_title(title: str) -> bool:
    return _CONTENTS.match(title) is not None


def clause_title(text: str, limit: int = 24) -> str:
    """A title made from a passage that has none: its first main clause, skipping the
    time and purpose phrases that open a news lead ("连日来，为保障…，")."""
    first = re.split(r"[。！？!?；;]", text, maxsplit=1)[0]
    clauses = [c.strip() for c in re.split(r"[，,：:]", first) if c.strip()]
    for clause in clauses:
        if not _LEADIN.match(clause) and len(clause) >= 4:
            return clause[:limit]
    return (clauses[0] if clauses else text)[:limit]
