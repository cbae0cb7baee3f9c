"""What an edition opens with (导读): the paper and the date, then the day's titles.

It is made after the articles are read, from the ones that were, so it never announces
a story the edition does not have. An edition whose paper was never named opens with
the date alone: it announces no paper rather than a wrong one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .. import naming
from ..models import Article, Script, Sentence
from . import ScriptOptions, speak_line

#: the intro's title: its chapter in the MP3, chapters.json and the listening page
INTRO_TITLE = "导读"
INTRO_HEADLINES = "本期要目："


@dataclass(frozen=True)
class IntroParts:
    """The intro's sentences made ahead, before anything is read: the masthead and date,
    the headlines cue, and each article's title line. ``script`` keeps the titles of the
    articles that were read, so the intro never needs the speech stage (and its
    dictionaries) again once the voice is running."""

    head: tuple[Sentence, ...]
    cue: tuple[Sentence, ...]
    #: (article index, the sentences of its title line), in the issue's order
    titles: tuple[tuple[int, tuple[Sentence, ...]], ...]

    def script(self, articles: Sequence[Article]) -> Script:
        """The intro naming ``articles`` (any of those the parts were made for)."""
        read = {a.index for a in articles}
        lines = [sentences for index, sentences in self.titles if index in read]
        sentences = [*self.head, *(self.cue if lines else ()), *(s for line in lines for s in line)]
        placeholder = Article(index=0, kind="contents", title=INTRO_TITLE, paragraphs=())
        return Script(article=placeholder, sentences=tuple(sentences))


def intro_parts(
    paper: str | None, date: dt.date, articles: Sequence[Article], options: ScriptOptions | None = None
) -> IntroParts:
    masthead = f"{paper}，" if paper else ""
    head = speak_line(f"{masthead}{naming.spoken_date(date)}。", "intro", options)
    if len(head) == 1:  # the transcript shows the date as printed, not as spoken
        head[0] = replace(head[0], source=f"{masthead}{date.year}年{date.month}月{date.day}日。")
    titled = [a for a in articles if a.title.strip()]
    cue = speak_line(INTRO_HEADLINES, "intro", options) if titled else []
    # each title its own line, ending in a full stop so it is read (and paused) as one
    titles = tuple((a.index, tuple(speak_line(a.title.rstrip("。！？!?") + "。", "heading", options))) for a in titled)
    return IntroParts(tuple(head), tuple(cue), titles)


def intro_script(
    paper: str | None, date: dt.date, articles: Sequence[Article], options: ScriptOptions | None = None
) -> Script:
    return intro_parts(paper, date, articles, options).script(articles)
