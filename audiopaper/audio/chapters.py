"""The edition's chapters, made in one place for every place that shows them: the ID3
CHAP frames of edition.mp3, ``chapters.json`` (Podcasting 2.0, type
``application/json+chapters``) and the listening page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import layout
from ..fsutil import write_text
from ..models import Chapter
from ..speech.intro import INTRO_TITLE

VERSION = "1.2.0"
MIME = "application/json+chapters"


#: An intro that could not be read is half a second of silence (synth.synthesize_intro);
#: a spoken one (the paper, the date, the day's titles) is always longer than this.
SPOKEN_INTRO_S = 1.0


def edition_chapters(
    articles: Sequence[tuple[str, str, float]], duration_s: float, intro: bool = True
) -> tuple[Chapter, ...]:
    """The intro from the start, then each article (id, title, start) from its first word
    to the next one's: the transition after a story belongs to it, so skipping lands on
    a title. An edition that starts with its first article, or whose intro could not be
    read (``intro`` False), has no intro chapter: its first article's starts at 0."""
    starts = [start for _, _, start in articles]
    ends = [*starts[1:], duration_s]
    chapters = [
        Chapter(title, start, end, article) for (article, title, start), end in zip(articles, ends, strict=True)
    ]
    if starts and starts[0] > 0.05:
        if intro:
            chapters.insert(0, Chapter(INTRO_TITLE, 0.0, starts[0]))
        else:
            chapters[0] = Chapter(chapters[0].title, 0.0, chapters[0].end_s, chapters[0].article)
    return tuple(chapters)


def chapters_doc(chapters: Sequence[Chapter], title: str | None = None, base_url: str | None = None) -> dict[str, Any]:
    """chapters.json: each article's chapter links to its own MP3 (under ``base_url``,
    the edition folder's public URL, or relative to the folder)."""
    doc: dict[str, Any] = {"version": VERSION}
    if title:
        doc["title"] = title
    entries = []
    for ch in chapters:
        entry: dict[str, Any] = {"startTime": round(ch.start_s, 3), "title": ch.title}
        if ch.article:
            entry["url"] = (base_url or "") + layout.article_file(Path(), ch.article, ".mp3").as_posix()
        entries.append(entry)
    doc["chapters"] = entries
    return doc


def write_chapters(
    path: Path, chapters: Sequence[Chapter], title: str | None = None, base_url: str | None = None
) -> Path:
    write_text(path, json.dumps(chapters_doc(chapters, title, base_url), ensure_ascii=False, indent=2) + "\n")
    return path
