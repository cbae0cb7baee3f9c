"""What an edition opens with (导读): the paper and the date, then the day's titles.

It is made after the articles are read, from the ones that were, so it never announces
a story the edition does not have. An edition whose paper was never named opens with
the date alone: it announces no paper rather than a wrong one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from .. import naming
from ..models import Article, Script
from . import ScriptOptions, speak_line

#: the intro's title: its chapter in the MP3, chapters.json and the listening page
INTRO_TITLE = "导读"
INTRO_HEADLINES = "本期要目："


def intro_script(
    paper: str | None, date: dt.date, articles: Sequence[Article], options: ScriptOptions | None = None
) -> Script:
    placeholder = Article(index=0, kind="contents", title=INTRO_TITLE, paragraphs=())
    masthead = f"{paper}，" if paper else ""
    sentences = speak_line(f"{masthead}{naming.spoken_date(date)}。", "intro", options)
    if len(sentences) == 1:  # the transcript shows the date as printed, not as spoken
        sentences[0] = replace(sentences[0], source=f"{masthead}{date.year}年{date.month}月{date.day}日。")
    titles = [a.title for a in articles if a.title.strip()]
    if titles:
        sentences += speak_line(INTRO_HEADLINES, "intro", options)
        for title in titles:
            # each title its own line, ending in a full stop so it is read (and paused) as one
            sentences += speak_line(title.rstrip("。！？!?") + "。", "heading", options)
    return Script(article=placeholder, sentences=tuple(sentences))
