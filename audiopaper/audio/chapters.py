"""Podcasting 2.0 chapters (``chapters.json``, type ``application/json+chapters``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..fsutil import write_text
from .tags import Chapter

VERSION = "1.2.0"
MIME = "application/json+chapters"


def chapters_doc(chapters: Sequence[Chapter], title: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": VERSION}
    if title:
        doc["title"] = title
    doc["chapters"] = [
        {"startTime": round(ch.start_s, 3), "title": ch.title, **({"url": ch.url} if ch.url else {})} for ch in chapters
    ]
    return doc


def write_chapters(path: Path, chapters: Sequence[Chapter], title: str | None = None) -> Path:
    write_text(path, json.dumps(chapters_doc(chapters, title), ensure_ascii=False, indent=2) + "\n")
    return path
