"""Rules on the files in OUT: what the catalog names is there (``catalog``), transcripts
(``transcript``) and where their cues break (``cues``), chapters (``chapters``), ID3
tags (``tags``), the artwork (``artwork``), the pages (``pages``), and the audio itself
(``decode``, ``loudness``: the slow ones, measured with the audio stage's own ffmpeg
helpers and targets)."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .. import layout
from ..audio import master
from ..audio.cover import draw_cover, marker
from ..audio.ffmpeg import run_ffmpeg
from ..audio.transcript import inside_word, word_starts
from ..errors import AudioError
from ..publish.catalog import ArticleRow, EditionRow
from .base import NS, Context, Problem

ART_MIN, ART_MAX = 1400, 3000


def catalog_rule(ctx: Context) -> Iterator[Problem]:
    if not ctx.editions:
        yield ctx.problem(layout.CATALOG, "catalog", "no editions recorded")
    for ed in ctx.editions:
        for rel in [ed.mp3, ed.vtt, *(x for a in ed.articles for x in (a.mp3, a.vtt))]:
            if rel and not (ctx.out / rel).is_file():
                yield ctx.problem(rel, "catalog", "in the catalog but missing on disk (rebuild the edition)")


def _json_file(ctx: Context, rel: str, rule: str, missing: str) -> tuple[Any, Problem | None]:
    """The JSON document at ``rel`` in OUT, or the problem (``rule``) it has: ``missing``
    when there is no such file, else that it does not read as JSON."""
    path = ctx.out / rel
    if not path.is_file():
        return None, ctx.problem(rel, rule, missing)
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        return None, ctx.problem(rel, rule, f"not valid JSON ({exc})")


def manifest_rule(ctx: Context) -> Iterator[Problem]:
    """Each edition's manifest.json is what tools read: JSON, schema 1, and about the
    edition and articles the catalog recorded in that folder."""
    for ed in ctx.editions:
        rel = f"{ed.folder}/{layout.MANIFEST_JSON}"
        doc, problem = _json_file(ctx, rel, "manifest", "missing (rebuild the edition)")
        if problem is not None:
            yield problem
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
        doc, problem = _json_file(ctx, rel, "chapters", "missing (the edition has no Podcasting 2.0 chapters file)")
        if problem is not None:
            yield problem
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


def _show_art(ctx: Context) -> str:
    """The show's artwork, relative to OUT: where feed.xml's itunes:image points, else
    what the catalog recorded, else cover.png."""
    channel = ctx.feed(layout.EDITIONS_FEED).channel
    image = channel.find("itunes:image", NS) if channel is not None else None
    path = ctx.local(image.get("href", "")) if image is not None else None
    if path is not None:
        return path.relative_to(ctx.root).as_posix()
    return ctx.artwork or layout.COVER_PNG


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def artwork_rule(ctx: Context) -> Iterator[Problem]:
    """The show's art: square RGB PNG/JPEG of 1400-3000 px, and undated (apps keep show
    art for months, so a date on it is soon wrong). Each edition's art: the same sizes."""
    rel = _show_art(ctx)
    path = ctx.out / rel
    if not path.is_file():
        yield ctx.problem(rel, "artwork", "missing (the feeds' itunes:image points here)")
    else:
        yield from _image_problems(ctx, path)
        dated = _dated(ctx, path)
        if dated:
            message = f"carries a date ({dated}): apps keep a show's art for months, so it must be undated"
            yield ctx.problem(path, "artwork", message)
    for ed in ctx.editions:
        art = ctx.out / ed.folder / layout.EDITION_ART
        if art.is_file():
            yield from _image_problems(ctx, art)


def _dated(ctx: Context, path: Path) -> str | None:
    """Why the show's art at ``path`` is dated art, or None."""
    from PIL import Image, UnidentifiedImageError

    mark = marker(path)
    if mark.startswith("episode|"):
        return f"it is the edition art of {mark.rsplit('|', 1)[-1]}"
    if mark:
        return None  # our drawing of the show's own, undated art
    digest = _digest(path)
    for ed in ctx.editions:
        art = ctx.out / ed.folder / layout.EDITION_ART
        if art.is_file() and _digest(art) == digest:
            return f"it is the edition art of {ed.date.isoformat()}"
    if path.suffix.lower() != ".png" or not ctx.editions:
        return None
    # Before issue #13 the show's art was drawn again on every build, with that build's
    # date: a folder built then still has it. Our drawing is deterministic, so it is known
    # by drawing it again.
    try:
        with Image.open(path) as img:
            size, pixels = img.size, img.convert("RGB").tobytes()
    except (OSError, UnidentifiedImageError):
        return None
    if size[0] != size[1]:
        return None
    for ed in sorted(ctx.editions, key=lambda e: e.last_built, reverse=True)[:2]:
        if draw_cover(ed.paper, ed.date, size[0]).tobytes() == pixels:
            return f"drawn with the date {ed.date.isoformat()}"
    return None


def _image_problems(ctx: Context, path: Path) -> Iterator[Problem]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            fmt, (w, h), mode = img.format, img.size, img.mode
    except (OSError, UnidentifiedImageError) as exc:
        yield ctx.problem(path, "artwork", f"not a readable image ({exc})")
        return
    want = "JPEG" if path.suffix.lower() in (".jpg", ".jpeg") else "PNG"
    if fmt != want:
        yield ctx.problem(path, "artwork", f"is {fmt}, not {want}")
    if w != h:
        yield ctx.problem(path, "artwork", f"{w}x{h} is not square")
    if not (ART_MIN <= w <= ART_MAX and ART_MIN <= h <= ART_MAX):
        yield ctx.problem(path, "artwork", f"{w}x{h} is outside {ART_MIN}–{ART_MAX} px")
    if mode != "RGB":
        yield ctx.problem(path, "artwork", f"colour mode {mode}; Apple Podcasts wants RGB without transparency")


def _vtt_cues(path: Path) -> list[str] | None:
    """The text of each cue of a WebVTT file (None: unreadable)."""
    try:
        blocks = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n\n")
    except (OSError, UnicodeDecodeError):
        return None
    texts = []
    for block in blocks:
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            if "-->" in line:
                texts.append(html.unescape(" ".join(lines[i + 1 :]).strip()))
                break
    return texts


def cue_breaks(sentences: Sequence[str], cue_texts: Sequence[str]) -> tuple[int, list[str]]:
    """How many cue boundaries fall inside a sentence, and those that cut a word (shown
    as ``before｜after``). The cues must follow the sentences in order; where they stop
    following them (a transcript from elsewhere), counting stops."""
    norm = [" ".join(s.split()) for s in sentences]
    norm = [s for s in norm if s]
    inner, bad = 0, []
    n, pos = 0, 0
    for cue in (" ".join(c.split()) for c in cue_texts):
        if not cue:
            continue
        while n < len(norm) and pos < len(norm[n]) and norm[n][pos] == " ":
            pos += 1
        if n >= len(norm) or not norm[n].startswith(cue, pos):
            break
        pos += len(cue)
        if pos >= len(norm[n]):
            n, pos = n + 1, 0
            continue
        inner += 1
        text = norm[n]
        if inside_word(text, pos, word_starts(text)):
            bad.append(f"{text[max(0, pos - 6) : pos]}｜{text[pos : pos + 6]}")
    return inner, bad


def _article_cue_breaks(ctx: Context, art: ArticleRow) -> list[str] | None:
    texts = _vtt_cues(ctx.out / art.vtt)
    if texts is None:
        return None
    return cue_breaks([s.text for s in art.sentences], texts)[1]


def cues_rule(ctx: Context) -> Iterator[Problem]:
    """No cue of an article's transcript ends inside a word (请各有｜关部门, 兑现了10｜位):
    captions cut there read wrong."""
    for ed in ctx.editions:
        for art in ed.articles:
            bad = _article_cue_breaks(ctx, art)
            if bad:
                shown = "、".join(bad[:3]) + ("…" if len(bad) > 3 else "")
                yield ctx.problem(
                    art.vtt, "cues", f"{len(bad)} cue boundar{'y' if len(bad) == 1 else 'ies'} inside a word: {shown}"
                )


def pages_rule(ctx: Context) -> Iterator[Problem]:
    if not (ctx.out / layout.INDEX_PAGE).is_file():
        yield ctx.problem(layout.INDEX_PAGE, "pages", "missing (run `audiopaper feed OUT`)")
    elif 'rel="icon"' not in (ctx.out / layout.INDEX_PAGE).read_text(encoding="utf-8", errors="replace"):
        yield ctx.problem(layout.INDEX_PAGE, "pages", "has no favicon link")
    if not (ctx.out / layout.FAVICON).is_file():
        yield ctx.problem(layout.FAVICON, "pages", "missing (browsers ask for it on every page)")
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
