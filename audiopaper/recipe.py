"""What an edition is made from, as one digest: the recipe a rerun compares.

A batch over a year's archive is rerun after a crash, or every morning over a folder that
gained one issue. Splitting and scripting 365 issues only to find their editions already
built would take minutes, so each edition's manifest records the digest of everything
that decides its audio: the input files' bytes (in page order) and the names their
date and paper may be read from (the file's and its two folders'), the options that name
the edition, the engine (and its model version), voice, fallback, bitrate, chime, lexicon
and cover image, and audiopaper's own version. A rerun hashes the inputs (milliseconds)
and skips an edition whose manifest carries the same recipe, whose files are all there
and whose public URL has not changed (the manifest's ``url``: chapters.json links to it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from . import __version__
from .errors import InputError
from .models import Voice

#: bump when what goes into the recipe changes meaning (2: the folders a page's date and
#: paper may be read from, not its name alone)
FORMAT = 2
#: a page's name and the folders above it that the issue's date and paper are read from
#: (``ingest.identity``: ``2022/01-27/issue.md``, ``衡阳日报/2022-01-27/issue.md``)
NAMED_PARTS = 3


@dataclass(frozen=True)
class RecipeParts:
    """The options and engine an edition is built with (besides its input files)."""

    engine: str
    engine_version: str
    voice: Voice
    fallback: str | None = None
    paper: str | None = None
    date: dt.date | None = None
    title: str | None = None
    bitrate: int = 64
    chime: bool = True
    lexicon: Path | None = None
    cover: Path | None = None


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return h.hexdigest()


def edition_recipe(paths: Sequence[Path], parts: RecipeParts) -> str:
    """The digest of an edition's inputs and options (hex sha256)."""
    doc = {
        "format": FORMAT,
        "audiopaper": __version__,
        # the bytes of the pages, in order, and the names that may date them: the same text
        # under two dated folders is two editions, while a moved archive keeps its own
        "inputs": [["/".join(Path(p).resolve().parts[-NAMED_PARTS:]), _file_digest(Path(p))] for p in paths],
        "parts": {
            **asdict(parts),
            "date": parts.date.isoformat() if parts.date else None,
            "lexicon": _file_digest(parts.lexicon) if parts.lexicon else None,
            "cover": _file_digest(parts.cover) if parts.cover else None,
        },
    }
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
