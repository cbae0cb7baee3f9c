"""`audiopaper check`: validate an output folder the way a podcast directory would.

The rules Apple Podcasts and the Podcasting 2.0 namespace set are checked together with
what only we can know: that every enclosure is on disk with the exact byte length the
feed announces, and that no GUID has changed since the catalog first recorded it.

Each rule is a function in the ``RULES`` table; ``--skip`` leaves rules out of the run.
Every problem names the file it is about, relative to OUT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from .. import layout
from ..errors import AudiopaperError, UsageError
from ..publish.homes import homes, is_site
from .base import Context, Problem, Report
from .feeds import enclosure_rule, feed_rule, guid_rule, locked_rule, loopback_rule, owner_rule
from .files import (
    artwork_rule,
    catalog_rule,
    chapters_rule,
    cues_rule,
    decode_rule,
    loudness_rule,
    manifest_rule,
    pages_rule,
    tags_rule,
    transcript_rule,
)

__all__ = ["AUDIO_RULES", "RULES", "Problem", "Report", "check"]

Rule = Callable[[Context], Iterator[Problem]]

RULES: dict[str, Rule] = {
    "catalog": catalog_rule,  # the catalog is readable and its files exist
    "feed": feed_rule,  # both feeds well-formed, with every required element, newest first, complete
    "owner": owner_rule,  # itunes:owner with an e-mail, by which directories verify the show
    "locked": locked_rule,  # podcast:locked yes/no; locked names the owner's e-mail
    "loopback": loopback_rule,  # no URL points at this machine (127.0.0.1, localhost)
    "enclosure": enclosure_rule,  # every enclosure, transcript, chapters and image URL is a file in OUT; exact length
    "guid": guid_rule,  # item GUIDs unique and unchanged; podcast:guid the catalog's record
    "manifest": manifest_rule,  # each edition's manifest.json parses, schema 1, agrees with the catalog
    "transcript": transcript_rule,  # VTT files present and WebVTT
    "cues": cues_rule,  # no transcript cue ends inside a word
    "chapters": chapters_rule,  # chapters.json present and valid
    "tags": tags_rule,  # ID3 title and album/artist in every MP3, CHAP frames in the edition's
    "artwork": artwork_rule,  # show art undated; show and edition art square, 1400–3000 px, RGB
    "pages": pages_rule,  # index.html and one page per edition with its players; the favicon
    "decode": decode_rule,  # every MP3 decodes without errors (slow)
    "loudness": loudness_rule,  # -16 LUFS ±1, true peak ≤ -1 dBTP (slow)
}
AUDIO_RULES = frozenset({"decode", "loudness"})


def check(out: Path, skip: Iterable[str] = (), progress: Callable[[str], None] | None = None) -> Report:
    """Check OUT with every rule in RULES but those named in ``skip``; a site of several
    papers paper by paper, and its top index."""
    skip = frozenset(skip)
    unknown = sorted(skip - set(RULES))
    if unknown:
        raise UsageError(f"unknown rule(s) {', '.join(unknown)}", "rules: " + ", ".join(RULES))
    if not out.is_dir():
        raise AudiopaperError(f"{out}: no such output folder", "build an edition first")
    if is_site(out):
        return _check_site(out, skip, progress)
    return _check_home(out, skip, progress)


def _check_site(out: Path, skip: frozenset[str], progress: Callable[[str], None] | None) -> Report:
    report = Report(out, skipped=tuple(r for r in RULES if r in skip))
    try:
        papers = homes(out)
    except AudiopaperError as exc:
        report.problems.append(Problem(layout.PAPERS_JSON, "catalog", str(exc).split(": ", 1)[-1]))
        return report
    index = out / layout.INDEX_PAGE
    page = index.read_text(encoding="utf-8", errors="replace") if index.is_file() else None
    if "pages" not in skip and page is None:
        report.problems.append(Problem(layout.INDEX_PAGE, "pages", "missing: the site's list of papers"))
    for home in papers:
        assert home.slug is not None
        if progress is not None:
            progress(f"checking {home.slug}/")
        if page is not None and "pages" not in skip and f'href="{home.slug}/{layout.INDEX_PAGE}"' not in page:
            report.problems.append(Problem(layout.INDEX_PAGE, "pages", f"does not list {home.paper or home.slug}"))
        if not (home.path / layout.CATALOG).is_file():
            continue  # a paper registered by a build that failed before publishing: nothing to check
        sub = _check_home(home.path, skip, progress)
        report.problems += [replace(p, file=f"{home.slug}/{p.file}") for p in sub.problems]
        report.editions += sub.editions
        report.articles += sub.articles
        report.files += sub.files
    return report


def _check_home(out: Path, skip: frozenset[str], progress: Callable[[str], None] | None) -> Report:
    report = Report(out, skipped=tuple(r for r in RULES if r in skip))
    try:
        ctx = Context.load(out, progress)
    except AudiopaperError as exc:
        # Nothing else can be checked without the catalog.
        report.problems.append(Problem(layout.CATALOG, "catalog", str(exc).split(": ", 1)[-1]))
        return report
    report.editions = len(ctx.editions)
    report.articles = sum(len(e.articles) for e in ctx.editions)
    report.files = sum(1 for _ in ctx.mp3s())
    for name, rule in RULES.items():
        if name not in skip:
            report.problems.extend(rule(ctx))
    return report
