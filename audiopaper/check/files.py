"""Rules on the files in OUT: what the catalog names is there (``catalog``), transcripts
(``transcript``), chapters (``chapters``), ID3 tags (``tags``), the artwork
(``artwork``), the pages (``pages``), and the audio itself (``decode``, ``loudness``:
the slow ones, measured with the audio stage's own ffmpeg helpers and targets)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import layout
from ..audio import master
from ..audio.ffmpeg import run_ffmpeg
from ..errors import AudioError
from ..publish.catalog import EditionRow
from .base import Context, Problem

ART_MIN, ART_MAX = 1400, 3000


def catalog_rule(ctx: Context) -> Iterator[Problem]:
    if not ctx.editions:
        yield ctx.problem(layout.CATALOG, "catalog", "no editions recorded")
    for ed in ctx.editions:
        for rel in [ed.mp3, ed.vtt, *(x for a in ed.articles for x in (a.mp3, a.vtt))]:
            if rel and not (ctx.out / rel).is_file():
                yield ctx.problem(rel, "catalog", "in the catalog but missing on disk (rebuild the edition)")


def manifest_rule(ctx: Context) -> Iterator[Problem]:
    """Each edition's manifest.json is what tools read: JSON, schema 1, and about the
    edition and articles the catalog recorded in that folder."""
    for ed in ctx.editions:
        rel = f"{ed.folder}/{layout.MANIFEST_JSON}"
        path = ctx.out / rel
        if not path.is_file():
            yield ctx.problem(rel, "manifest", "missing (rebuild the edition)")
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            yield ctx.problem(rel, "manifest", f"not valid JSON ({exc})")
            continue
        for message in manifest_problems(doc, ed):
            yield ctx.problem(rel, "manifest", message)


def manifest_problems(doc: Any, ed: EditionRow) -> list[str]:
    if not isinstance(doc, dict) or doc.get("schema") != 1:
        return ["not a schema 1 manifest"]
    head, articles = doc.get("edition"), doc.get("articles")
    if not isinstance(head, dict) or not isinstance(articles, list):
        return ['has no "edition" object or no "articles" list']
    problems = []
    if head.get("date") != ed.date.isoformat():
        problems.append(f"edition date {head.get('date')!r}, the catalog says {ed.date.isoformat()}")
    if head.get("guid") not in (None, ed.guid):
        problems.append("edition GUID differs from the catalog's")
    folder = ed.folder + "/"
    listed = {f"{folder}{a.get('mp3')}" for a in articles if isinstance(a, dict)}
    recorded = {a.mp3 for a in ed.articles}
    if listed != recorded:
        problems.append(f"lists {len(listed)} article MP3s, the catalog {len(recorded)} (different files)")
    return problems


def transcript_rule(ctx: Context) -> Iterator[Problem]:
    for ed in ctx.editions:
        for vtt in [ed.vtt, *(a.vtt for a in ed.articles)]:
            if not vtt:
                continue
            path = ctx.out / vtt
            try:
                head = path.read_text(encoding="utf-8")[:6]
            except (OSError, UnicodeDecodeError):
                yield ctx.problem(path, "transcript", "unreadable (not UTF-8)" if path.exists() else "missing")
                continue
            if head != "WEBVTT":
                yield ctx.problem(path, "transcript", "does not start with WEBVTT")


def chapters_rule(ctx: Context) -> Iterator[Problem]:
    for ed in ctx.editions:
        rel = ed.chapters or f"{ed.folder}/{layout.CHAPTERS_JSON}"
        path = ctx.out / rel
        if not path.is_file():
            yield ctx.problem(rel, "chapters", "missing (the edition has no Podcasting 2.0 chapters file)")
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            yield ctx.problem(rel, "chapters", f"not valid JSON ({exc})")
            continue
        for message in chapter_problems(doc, ed.duration_s):
            yield ctx.problem(rel, "chapters", message)


def chapter_problems(doc: Any, duration_s: float) -> list[str]:
    """Podcasting 2.0 chapters: a version and startTime-ordered chapters with titles."""
    if not isinstance(doc, dict) or not isinstance(doc.get("version"), str):
        return ['has no "version" string']
    chapters = doc.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        return ["has no chapters"]
    problems = []
    last = -1.0
    for n, ch in enumerate(chapters, 1):
        start = ch.get("startTime") if isinstance(ch, dict) else None
        if not isinstance(start, int | float) or isinstance(start, bool):
            problems.append(f"chapter {n} has no numeric startTime")
            continue
        if start < last:
            problems.append(f"chapter {n} starts before the one before it")
        if start > duration_s + 0.5:
            problems.append(f"chapter {n} starts at {start}s, after the edition ends ({duration_s:.1f}s)")
        if not isinstance(ch.get("title"), str) or not ch["title"].strip():
            problems.append(f"chapter {n} has no title")
        last = float(start)
    return problems


def tags_rule(ctx: Context) -> Iterator[Problem]:
    from mutagen.id3 import ID3, ID3NoHeaderError

    for path, whole in ctx.mp3s():
        try:
            tags = ID3(path)
        except ID3NoHeaderError:
            yield ctx.problem(path, "tags", "no ID3 tag")
            continue
        except Exception as exc:  # mutagen raises many error types on damaged files
            yield ctx.problem(path, "tags", f"cannot read ID3 ({exc})")
            continue
        if not str(tags.get("TIT2", "")).strip():
            yield ctx.problem(path, "tags", "ID3 tag has no title (TIT2)")
        if not str(tags.get("TALB", "")).strip() and not str(tags.get("TPE1", "")).strip():
            yield ctx.problem(path, "tags", "ID3 tag has neither album (TALB) nor artist (TPE1)")
        if whole and not tags.getall("CHAP"):
            # Apps that ignore podcast:chapters read chapters from the file itself.
            yield ctx.problem(path, "tags", "no ID3 chapters (CHAP frames)")


def artwork_rule(ctx: Context) -> Iterator[Problem]:
    from PIL import Image, UnidentifiedImageError

    path = ctx.out / layout.COVER_PNG
    if not path.is_file():
        yield ctx.problem(path.name, "artwork", "missing (the feeds' itunes:image points here)")
        return
    try:
        with Image.open(path) as img:
            fmt, (w, h), mode = img.format, img.size, img.mode
    except (OSError, UnidentifiedImageError) as exc:
        yield ctx.problem(path, "artwork", f"not a readable image ({exc})")
        return
    if fmt != "PNG":
        yield ctx.problem(path, "artwork", f"is {fmt}, not PNG")
    if w != h:
        yield ctx.problem(path, "artwork", f"{w}x{h} is not square")
    if not (ART_MIN <= w <= ART_MAX and ART_MIN <= h <= ART_MAX):
        yield ctx.problem(path, "artwork", f"{w}x{h} is outside {ART_MIN}–{ART_MAX} px")
    if mode != "RGB":
        yield ctx.problem(path, "artwork", f"colour mode {mode}; Apple Podcasts wants RGB without transparency")


def pages_rule(ctx: Context) -> Iterator[Problem]:
    if not (ctx.out / layout.INDEX_PAGE).is_file():
        yield ctx.problem(layout.INDEX_PAGE, "pages", "missing (run `audiopaper feed OUT`)")
    for ed in ctx.editions:
        page = ctx.out / ed.page
        if not page.is_file():
            yield ctx.problem(ed.page, "pages", "missing (run `audiopaper feed OUT`)")
            continue
        html = page.read_text(encoding="utf-8", errors="replace")
        if 'id="edition-player"' not in html:
            yield ctx.problem(ed.page, "pages", "has no edition player")
        players = html.count('class="article-player"')
        if players != len(ed.articles):
            yield ctx.problem(ed.page, "pages", f"has {players} article players for {len(ed.articles)} articles")


def _each_mp3(ctx: Context, doing: str) -> Iterator[Path]:
    present = [p for p, _ in ctx.mp3s()]
    for n, path in enumerate(present, 1):
        ctx.progress(f"{doing} {n}/{len(present)}: {path.relative_to(ctx.out).as_posix()}")
        yield path


def decode_rule(ctx: Context) -> Iterator[Problem]:
    for path in _each_mp3(ctx, "decoding"):
        try:
            errors = run_ffmpeg(["-v", "error", "-i", str(path), "-f", "null", "-"]).stderr
        except AudioError as exc:
            yield ctx.problem(path, "decode", f"does not decode cleanly: {exc.message}")
            continue
        lines = errors.decode("utf-8", "replace").strip().splitlines()
        if lines:
            yield ctx.problem(path, "decode", f"does not decode cleanly: {lines[0]}")


def loudness_rule(ctx: Context) -> Iterator[Problem]:
    for path in _each_mp3(ctx, "loudness"):
        try:
            measured = master.measure_file(path)
        except AudioError:
            yield ctx.problem(path, "loudness", "could not measure loudness")
            continue
        lufs, peak = measured.integrated_lufs, measured.true_peak_dbtp
        if abs(lufs - master.TARGET_LUFS) > master.LUFS_TOLERANCE:
            target = f"target {master.TARGET_LUFS:.0f} ±{master.LUFS_TOLERANCE:.0f}"
            yield ctx.problem(path, "loudness", f"integrated loudness {lufs:.1f} LUFS, {target}")
        if peak > master.FILE_MAX_TRUE_PEAK_DBTP:
            yield ctx.problem(
                path, "loudness", f"true peak {peak:.1f} dBTP, limit {master.FILE_MAX_TRUE_PEAK_DBTP:.0f}"
            )
