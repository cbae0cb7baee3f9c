"""What an edition is called and dated.

The user's options first (``--paper``, ``--date``, ``--title``), else the issue's own
identity as its input prints it (``ingest.identity``). Nothing is made up: with no
paper name the edition gets a neutral title (the date and the lead headline) and
stays unnamed in the intro, the tags, the cover and the feed; with no printed issue
date it is dated by the latest date its stories mention (else the day of the build).
Either gap gives one warning line that says how to fill it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .ingest import dates
from .models import Article, Clue, Issue

#: the longest lead headline a neutral title carries, in characters
MAX_LEAD = 30
_LEAD_KINDS = ("article", "brief", "notice")


@dataclass(frozen=True)
class EditionName:
    """The edition's paper (None: not named), date and title, where each came from, and
    the warning to show when the input did not say."""

    paper: str | None
    date: dt.date
    title: str
    paper_from: Clue | None
    date_from: Clue
    warning: str | None = None


def printed_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def lead_headline(articles: Sequence[Article]) -> str:
    """The day's first story's title (a contents list or a photo is not a lead)."""
    lead = next((a for a in articles if a.kind in _LEAD_KINDS and a.title.strip()), None)
    lead = lead or next((a for a in articles if a.title.strip()), None)
    if lead is None:
        return ""
    title = " ".join(lead.title.split())
    return title if len(title) <= MAX_LEAD else title[: MAX_LEAD - 1] + "…"


def neutral_title(date: dt.date, articles: Sequence[Article]) -> str:
    """A title that names no paper: ``2022年1月27日 我市出台十条措施稳住外贸基本盘``."""
    lead = lead_headline(articles)
    return f"{printed_date(date)} {lead}" if lead else printed_date(date)


def _fallback_date(issue: Issue, today: dt.date | None) -> tuple[dt.date, Clue]:
    """The latest date a story mentions (an issue reports the days before it), else today."""
    latest = dates.latest(b.text for b in issue.blocks)
    if latest is not None:
        block = next(b for b in issue.blocks if any(m.date == latest for m in dates.full_dates(b.text)))
        where = f"{block.source}:{block.line}" if block.source else ""
        return latest, Clue("story_date", printed_date(latest), where)
    day = today or dt.date.today()
    return day, Clue("today", day.isoformat())


def name_edition(
    issue: Issue,
    articles: Sequence[Article],
    paper: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    today: dt.date | None = None,
) -> EditionName:
    """The edition's name and date: ``paper``, ``date`` and ``title`` as asked, else the
    issue's own, else neutral (see the module's doc)."""
    paper = (paper or "").strip() or None
    if paper is not None:
        paper_from: Clue | None = Clue("option", paper)
    else:
        paper, paper_from = issue.paper, issue.paper_from
    if date is not None:
        date_from = Clue("option", date.isoformat())
    elif issue.date is not None and issue.date_from is not None:
        date, date_from = issue.date, issue.date_from
    else:
        date, date_from = _fallback_date(issue, today)
    named = title or (f"{paper} {printed_date(date)}" if paper else neutral_title(date, articles))
    return EditionName(paper, date, named, paper_from, date_from, _warning(paper, date, date_from, named))


def _warning(paper: str | None, date: dt.date, date_from: Clue, title: str) -> str | None:
    guessed = date_from.cue in ("story_date", "today")
    how = "the latest date its stories mention" if date_from.cue == "story_date" else "the day of the build"
    if paper is None and guessed:
        return (
            f"no paper name or issue date found in the input: the edition is titled “{title}”, dated"
            f" {date.isoformat()} ({how}); set them with --paper and --date (or in the config file)"
        )
    if paper is None:
        return (
            f"no paper name found in the input: the edition is titled “{title}”;"
            " name the paper with --paper (or in the config file)"
        )
    if guessed:
        return f"no issue date found in the input: the edition is dated {date.isoformat()} ({how}); set it with --date"
    return None
