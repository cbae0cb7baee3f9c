"""The issue's own identity: which paper it is, and which day's issue.

A listener must hear the paper they subscribed to, so the name and the date are read
from the input, by the position and the shape of the lines that carry them, never from
a list of known papers. The clues, in order of trust (the first level where three
quarters of the clues agree decides; a level whose clues disagree says nothing and the
next one is asked):

1. ``masthead``: a title line at the top of a page file: ``# 人民日报``,
   ``# 《新闻联播》 (20220928)``, ``人民日报 2019年2月6日 星期三``, a line holding only
   the date.
2. ``source_line``: the line a per-article archive puts under each story:
   ``《人民日报》（2019年02月06日第 01 版）``.
3. ``dateline``: the paper's own dateline opening a story, ``衡阳日报讯（记者 …）``; the
   paper only, and only when most of the issue's datelines say so (``本报讯`` names no
   paper and counts against a name another paper's reprinted story carries).
4. ``html``: an HTML page's ``<title>`` (the part that is not the headline), its meta
   tags, and the header bar above the story.
5. ``file_name``: the file or its folders: ``20190206.md``, ``2022-01-27/page-01.html``,
   ``衡阳日报-20220128.txt``.

The value chosen must not be contradicted by what another level of the text (masthead,
source line, page) agrees on: a compilation of several papers' pages, or a portal whose
titles name the portal while its datelines name the papers it reprints, gets nothing
rather than a guess. Datelines and file names never contradict: an issue carries other
papers' reports, and a file may be named by the day it was downloaded.

A paper name is a name of paper shape (…日报, …晚报, …时报, …报; not 汇报 or 通报), or,
at the top of the issue only, a programme title in 《》 (《新闻联播》) or a short name
that heads the issue's sections. A name inside a story (另据《环球时报》报道) is never
read: only whole lines in those positions are. Dates are read in YYYYMMDD and Chinese
forms (``dates``); the latest date a story mentions is not the issue's date and is left
to the edition to fall back on (``edition``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from ..models import Block, Clue, Cue
from . import dates
from .htmlpage import PageHead, page_head

#: the order of trust, highest first
TRUST: tuple[Cue, ...] = ("masthead", "source_line", "dateline", "html", "file_name")
#: the share of one level's clues that must name the same value for the level to decide
AGREEMENT = 3 / 4
#: a paper named by datelines must open at least this many stories
MIN_DATELINES = 2
#: how many blocks at the top of a page file may hold its masthead
MASTHEAD_BLOCKS = 4
MAX_MASTHEAD = 60
#: a source line shares its paragraph at most with a byline (a blockquote of two lines)
MAX_SOURCE_LINE = 160

_HAN = r"[\u4e00-\u9fff]"
# Words ending in 报 that name a report, not a paper.
_NOT_PAPERS = frozenset(
    {
        "汇报",
        "举报",
        "预报",
        "通报",
        "捷报",
        "喜报",
        "简报",
        "海报",
        "年报",
        "公报",
        "警报",
        "电报",
        "回报",
        "情报",
        "申报",
        "上报",
        "填报",
        "呈报",
        "谎报",
        "虚报",
        "瞒报",
        "漏报",
        "季报",
        "月报",
        "战报",
        "学报",
        "板报",
        "黑报",
        "小报",
        "大报",
        "读报",
        "看报",
        "办报",
        "订报",
        "送报",
        "卖报",
        "见报",
        "登报",
    }
)
# What a paper calls itself: the kinds of paper a name may end in, before the words
# above are asked (中国青年报 ends in 年报, 文汇报 in 汇报).
_KINDS = ("日报", "晚报", "早报", "晨报", "时报", "商报", "快报", "周报", "导报", "青年报", "画报", "邮报")
_PAPER = re.compile(rf"{_HAN}{{1,10}}报")
_BRACKETED = re.compile(r"《\s*([^《》]{1,20}?)\s*》")
_NAME = re.compile(rf"(?:{_HAN}|[A-Za-z·]){{2,12}}")
_SOURCE_LINE = re.compile(
    r"《\s*(?P<paper>[^《》]{2,20}?)\s*》\s*[（(]\s*(?P<date>[^（）()]{0,24}?)\s*第?\s*[\dA-Za-z一二三四五六七八九十]{1,3}\s*版\s*[)）]\s*$"
)
_DATELINE = re.compile(
    rf"^[■□●◆▲★☆◇\s]*(?P<name>{_HAN}{{1,10}}?报)社?(?:{_HAN}{{0,8}}?)(?:\d{{1,2}}月\d{{1,2}}日)?(?P<kind>[讯电])"
)
# Any other source's own report (南都讯, 某某网讯): a story the paper took from elsewhere.
_OTHER_DATELINE = re.compile(rf"^[■□●◆▲★☆◇\s]*{_HAN}{{2,8}}?(?<![通资喜简快音审传质问])讯(?=[（(\s\u3000：:])")
# What a masthead or header bar prints besides the name and the date.
_FURNITURE = re.compile(
    r"第\s*[A-Z]?\d{1,6}\s*[版期号](?:\s*[:：]\s*\S{1,8})?|总第\s*\d+\s*期|农历\S{2,10}|(?:今日|本期)\s*\d+\s*版"
    r"|上一版|下一版|返回目录|返回首页|版面导航|电子版|数字报|有声版|文字版|文字稿"
)
_SEPARATORS = re.compile(r"\s*(?:--|——|—|–|-|\||｜|_|·|：|:)\s*")
_META_PAPER = ("og:site_name", "application-name", "apple-mobile-web-app-title", "author", "publisher", "source")
_META_DATE = (
    "publishdate",
    "pubdate",
    "publish_date",
    "publication_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "article:published_time",
    "og:published_time",
)


def paper_name(text: str) -> str | None:
    """``text`` as a paper's name when it has a paper's shape (衡阳日报, 文汇报, 人民日报社
    → 人民日报), else None (工作汇报, 本报)."""
    name = re.sub(r"\s+", "", text).removesuffix("社")
    if not _PAPER.fullmatch(name) or len(name) < 3:
        return None
    if not name.endswith(_KINDS) and len(name) >= 4 and name[-2:] in _NOT_PAPERS:
        return None  # 工作汇报, 天气预报; a three-character name (文汇报) is a paper's
    return name


@dataclass(frozen=True)
class PaperClaim:
    #: "" for 本报讯 (the paper's own report, unnamed); UNREAD for a masthead or report
    #: line whose name cannot be read: both count against the names other lines give
    name: str
    clue: Clue


@dataclass(frozen=True)
class DateClaim:
    date: dt.date
    clue: Clue


@dataclass(frozen=True)
class Claims:
    """Everything the input says about its identity, before anything is decided."""

    papers: tuple[PaperClaim, ...] = ()
    dates: tuple[DateClaim, ...] = ()

    def __add__(self, other: Claims) -> Claims:
        return Claims(self.papers + other.papers, self.dates + other.dates)


@dataclass(frozen=True)
class Identity:
    """The issue's paper and date (None: not printed, or the clues disagree) and the
    clue each was read from."""

    paper: str | None = None
    date: dt.date | None = None
    paper_from: Clue | None = None
    date_from: Clue | None = None
    #: every claim the input made, for ``split --explain``-style inspection and scoring
    claims: Claims = field(default=Claims(), repr=False)


# --- the clues of one page file ------------------------------------------------------


def where(block: Block) -> str:
    """A block's place, as clues name it: ``issue.md:3``."""
    return f"{block.source}:{block.line}" if block.source else str(block.line)


def without_masthead(blocks: Sequence[Block], claims: Claims) -> list[Block]:
    """The page's blocks with its masthead lines (``人民日报 2019年2月6日 星期三`` on a line
    of its own) turned into a gap: they name the issue, they are no story's headline. A
    heading is left for the splitter, which labels mastheads among headings itself."""
    clues = [p.clue for p in claims.papers] + [d.clue for d in claims.dates]
    used = {c.where for c in clues if c.cue == "masthead"}
    return [replace(b, kind="break", text="") if b.kind == "paragraph" and where(b) in used else b for b in blocks]


def _leading(blocks: Sequence[Block]) -> list[int]:
    """Indexes of the blocks at the top of the file that may hold its masthead: up to
    the first line of running text."""
    found: list[int] = []
    for i, block in enumerate(blocks):
        if block.kind == "break":
            continue
        if len(found) >= MASTHEAD_BLOCKS or (block.kind == "paragraph" and len(block.text) > MAX_MASTHEAD):
            break
        found.append(i)
    return found


def _heads_sections(blocks: Sequence[Block], i: int) -> bool:
    """A heading with no text of its own over two or more deeper headings: it heads
    the issue's sections (``# 网络新闻 2008年4月1日`` over ``## 内容提要`` and
    ``## 详细新闻``), not one story's sub-heads."""
    head = blocks[i]
    if head.kind != "heading":
        return False
    rest = [b for b in blocks[i + 1 :] if b.kind != "break"]
    if not rest or rest[0].kind != "heading" or rest[0].level <= head.level:
        return False
    children = 0
    for block in rest:
        if block.kind == "heading":
            if block.level <= head.level:
                break
            children += 1
    return children >= 2


_PUNCTUATION = re.compile(r"[\s()（）\[\]【】|｜·\-—,，:：]+")


def _bare(text: str) -> str:
    """What a masthead or header line holds besides its dates, page labels and
    punctuation: the name, if it has one."""
    return _PUNCTUATION.sub("", _FURNITURE.sub(" ", dates.without_dates(text)))


#: a masthead or header line whose name cannot be read (中国新闻社 beside a page label):
#: it names no paper, and counts against the name other pages' mastheads give
UNREAD = "?"
_PIECES = re.compile(r"[\s()（）\[\]【】|｜·\-—,，:：/]+")


def _masthead_name(text: str, dated: bool, structural: bool) -> str | None:
    """The paper's name on a masthead line: of paper shape; or, beside the date, a
    programme's title in 《》 (``《新闻联播》 (20220928)``) or a short name on the heading
    over the issue's sections (``# 网络新闻 2008年4月1日`` over ``## 内容提要``).
    UNREAD when the line holds names but none of these; None when it holds none."""
    rest = _FURNITURE.sub(" ", dates.without_dates(text)).strip(" ()（）[]【】|｜·-—,，:：")
    bracketed = _BRACKETED.fullmatch(rest)
    if bracketed:
        inner = re.sub(r"\s+", "", bracketed.group(1))
        if paper_name(inner) or (dated and _NAME.fullmatch(inner)):
            return paper_name(inner) or inner
        return UNREAD
    pieces = [p for p in _PIECES.split(rest) if p]
    if not pieces:
        return None
    shaped = {n for n in map(paper_name, pieces) if n}
    if shaped:
        return shaped.pop() if len(shaped) == 1 else UNREAD
    # The name stands before the date, apart from it: "2022年1月27日市政府召开常务会议"
    # is a headline.
    first = next(dates.full_dates(text), None)
    before = dates.normalize(text)[: first.start] if first else ""
    plain = re.sub(r"\s+", "", rest)
    apart = bool(before) and before[-1] in " \t\u3000(（[【" and re.sub(r"\s+", "", before).strip("(（[【") == plain
    if dated and structural and apart and _NAME.fullmatch(plain):
        return plain
    return UNREAD


def _masthead(blocks: Sequence[Block]) -> Claims:
    """The file's masthead: its first line naming the paper, and its first date line.

    A line at the top that holds a date and a page label or navigation (``中国新闻社
    2007年7月6日 第02版：要闻 上一版``) is a page header even when its name cannot be read:
    its date counts, and its name counts as UNREAD."""
    paper: PaperClaim | None = None
    date_claim: DateClaim | None = None
    leading = _leading(blocks)
    for n, i in enumerate(leading):
        block = blocks[i]
        text = block.text.strip()
        if len(text) > MAX_MASTHEAD or _SOURCE_LINE.search(text):
            continue
        mentioned = {m.date for m in dates.full_dates(text)}
        if len(mentioned) > 1:
            continue
        date = mentioned.pop() if mentioned else None
        clue = Clue("masthead", text, where(block))
        if date is not None and not _bare(text):
            # A line holding only the date (and the weekday) dates the issue at the very
            # top or right under the name; further down it dates a document or a story.
            if n == 0 or (n == 1 and paper is not None and paper.clue.where == where(blocks[leading[0]])):
                date_claim = date_claim or DateClaim(date, clue)
            continue
        if paper is not None or (block.kind != "heading" and i != leading[0] and date is None):
            continue  # a plain line names the paper alone only as the file's first line
        structural = i == leading[0] and _heads_sections(blocks, i)
        name = _masthead_name(text, date is not None, structural)
        header = date is not None and _FURNITURE.search(text) is not None
        if name is None or (name == UNREAD and not header):
            continue
        paper = PaperClaim(name, clue)
        if date is not None:
            date_claim = date_claim or DateClaim(date, clue)
    return Claims((paper,) if paper else (), (date_claim,) if date_claim else ())


def _source_lines(blocks: Sequence[Block]) -> Claims:
    papers: list[PaperClaim] = []
    found_dates: list[DateClaim] = []
    for block in blocks:
        if block.kind == "break" or len(block.text) > MAX_SOURCE_LINE:
            continue
        m = _SOURCE_LINE.search(block.text)
        if not m:
            continue
        clue = Clue("source_line", m.group(0).strip(), where(block))
        name = re.sub(r"\s+", "", m.group("paper"))
        if _NAME.fullmatch(name):
            papers.append(PaperClaim(name, clue))
        mentioned = {d.date for d in dates.full_dates(m.group("date"))}
        if len(mentioned) == 1:
            found_dates.append(DateClaim(mentioned.pop(), clue))
    return Claims(tuple(papers), tuple(found_dates))


def _datelines(blocks: Sequence[Block]) -> Claims:
    """Every story's own report line (…讯): a paper's name, ``""`` for 本报讯 (the
    paper's own, unnamed) and ``"?"`` for any other source's (南都讯), which count
    against a name only a few stories carry. A wire's dateline (新华社…电) is neither."""
    papers: list[PaperClaim] = []
    for block in blocks:
        if block.kind not in ("paragraph", "list_item"):
            continue
        m = _DATELINE.match(block.text)
        other = None if m else _OTHER_DATELINE.match(block.text)
        if m:
            name = m.group("name")
            clue = Clue("dateline", m.group(0).strip(), where(block))
            if name == "本报":
                papers.append(PaperClaim("", clue))
            elif (named := paper_name(name)) is not None:
                papers.append(PaperClaim(named, clue))
            elif m.group("kind") == "讯":
                papers.append(PaperClaim("?", clue))
        elif other:
            papers.append(PaperClaim(UNREAD, Clue("dateline", other.group(0).strip(), where(block))))
    return Claims(tuple(papers), ())


def _headline_texts(blocks: Sequence[Block]) -> set[str]:
    return {re.sub(r"\s+", "", b.text) for b in blocks if b.kind == "heading"}


def _title_parts(title: str, headlines: set[str]) -> list[str]:
    """The parts of a page's ``<title>`` besides the story's headline and page labels."""
    plain = re.sub(r"\s+", "", title)
    for headline in sorted(headlines, key=len, reverse=True):
        if len(headline) >= 4 and headline in plain:
            plain = plain.replace(headline, "|")
            break
    return [p for p in (_bare(part) for part in _SEPARATORS.split(plain)) if p and p not in headlines]


def _html(head: PageHead, source: str, blocks: Sequence[Block]) -> Claims:
    """One page's own statement of its paper and date (at most one of each: a page that
    names two papers, a menu of sister papers, names none)."""
    papers: dict[str, Clue] = {}
    found_dates: dict[dt.date, Clue] = {}
    bars = {line: _bare(line) for line in head.top_lines if len(line) <= MAX_MASTHEAD}
    if head.title:
        clue = Clue("html", head.title, f"{source} <title>")
        parts = _title_parts(head.title, _headline_texts(blocks))
        shaped = {n for n in (paper_name(p) for p in parts) if n}
        if len(shaped) == 1:
            papers.setdefault(shaped.pop(), clue)
        elif len(parts) == 1 and _NAME.fullmatch(parts[0]) and parts[0] in bars.values():
            # The title's one part besides the headline, printed again in the header
            # bar: the site's own name, whatever its shape (法新社, 搜狐新闻).
            papers.setdefault(parts[0], clue)
        title_dates = {m.date for m in dates.full_dates(head.title)}
        if len(title_dates) == 1:
            found_dates.setdefault(title_dates.pop(), clue)
    for key, content in head.meta:
        clue = Clue("html", content, f"{source} <meta {key}>")
        if key in _META_PAPER and (named := paper_name(content)):
            papers.setdefault(named, clue)
        if key in _META_DATE:
            meta_dates = {m.date for m in dates.full_dates(content)}
            if len(meta_dates) == 1:
                found_dates.setdefault(meta_dates.pop(), clue)
    bar_papers = {n: Clue("html", line, f"{source} header") for line, rest in bars.items() if (n := paper_name(rest))}
    if len(bar_papers) == 1:
        for name, clue in bar_papers.items():
            papers.setdefault(name, clue)
    site = next(iter(papers)) if len(papers) == 1 else None
    bar_dates: dict[dt.date, Clue] = {}
    for line, rest in bars.items():
        mentioned = {m.date for m in dates.full_dates(line)}
        # The date on the bar that names the page's paper, or on a line of its own.
        if len(mentioned) == 1 and (not rest or rest == site or paper_name(rest)):
            bar_dates.setdefault(mentioned.pop(), Clue("html", line, f"{source} header"))
    if len(bar_dates) == 1:
        for date, clue in bar_dates.items():
            found_dates.setdefault(date, clue)
    return Claims(
        tuple(PaperClaim(n, c) for n, c in papers.items()) if len(papers) == 1 else (),
        tuple(DateClaim(d, c) for d, c in found_dates.items()) if len(found_dates) == 1 else (),
    )


def _file_name(path: Path) -> Claims:
    parts = [p for p in path.parts[-3:-1]]
    names = [path.stem, *reversed(parts)]
    found_dates: list[DateClaim] = []
    candidates = [path.stem]
    if parts:
        candidates += [parts[-1]]
    if len(parts) == 2:
        candidates += [f"{parts[0]}-{parts[1]}", f"{parts[0]}{parts[1]}"]
    for text in candidates:
        date = dates.path_date(text)
        if date is not None:
            found_dates.append(DateClaim(date, Clue("file_name", text, str(path))))
            break
    papers: list[PaperClaim] = []
    for text in names:
        for piece in re.split(r"[\s\-_.·]+", dates.without_dates(text)):
            named = paper_name(piece)
            if named:
                papers.append(PaperClaim(named, Clue("file_name", text, str(path))))
                break
        if papers:
            break
    return Claims(tuple(papers), tuple(found_dates))


def page_claims(path: Path, text: str, blocks: Sequence[Block], html: bool) -> Claims:
    """What one page file says about the issue's identity, at every level."""
    claims = _masthead(blocks) + _source_lines(blocks) + _datelines(blocks) + _file_name(path)
    if html:
        claims += _html(page_head(text), path.name, blocks)
    return claims


# --- the decision ----------------------------------------------------------------------

_T = TypeVar("_T")


def _agreed(values: Sequence[tuple[_T, Clue]], minimum: int = 1) -> tuple[_T, Clue] | None:
    """The value that at least AGREEMENT of the claims name (and at least ``minimum``
    of them), with the first clue that named it."""
    if not values:
        return None
    counts = Counter(v for v, _ in values)
    value, count = counts.most_common(1)[0]
    if count < minimum or count < AGREEMENT * len(values):
        return None
    return value, next(c for v, c in values if v == value)


#: the levels whose agreed values must not contradict the one chosen: a file name is
#: asked only when the text names nothing (it may be a download's date), and datelines
#: name the papers whose reports an issue carries, which may be others' (a portal's)
VETO: tuple[Cue, ...] = ("masthead", "source_line", "html")


def decide(claims: Claims) -> Identity:
    """The paper and the date, each from the most trusted level whose clues agree, and
    only if no other level of the text agrees on something else (a portal's pages carry
    the datelines of the papers it reprints; a compilation's pages, their own papers'
    mastheads): then nothing is chosen, rather than a guess."""
    papers: list[tuple[str, Clue]] = []
    found_dates: list[tuple[dt.date, Clue]] = []
    for cue in TRUST:
        named = [(p.name, p.clue) for p in claims.papers if p.clue.cue == cue]
        paper = _agreed(named, MIN_DATELINES if cue == "dateline" else 1)
        if paper is not None and paper[0] not in ("", UNREAD):  # 本报讯 winning names no paper
            papers.append(paper)
        date = _agreed([(d.date, d.clue) for d in claims.dates if d.clue.cue == cue])
        if date is not None:
            found_dates.append(date)
    paper_choice = _consistent(papers)
    date_choice = _consistent(found_dates)
    return Identity(
        paper=paper_choice[0] if paper_choice else None,
        date=date_choice[0] if date_choice else None,
        paper_from=paper_choice[1] if paper_choice else None,
        date_from=date_choice[1] if date_choice else None,
        claims=claims,
    )


def _consistent(found: Sequence[tuple[_T, Clue]]) -> tuple[_T, Clue] | None:
    """The most trusted level's value, unless another level of the text disagrees."""
    if not found:
        return None
    value, clue = found[0]
    if any(v != value for v, c in found[1:] if c.cue in VETO):
        return None
    return value, clue
