"""The audio stage: article clips become mastered, tagged MP3s and the stitched edition.

Every piece of audio (the intro, each article) is mastered once on its PCM (gain to
-16 LUFS, true-peak limiting, ``master.py``) and encoded once. The edition is those
same MP3 frames joined with ffmpeg's concat demuxer (``-c copy``) with a short
transition between stories, so it is already on target and is never decoded and
re-encoded; one ``ebur128`` pass over the result verifies that. Tags (ID3 v2.3, with
CTOC/CHAP chapters on the edition), ``chapters.json`` and the WebVTT/SRT transcripts
are written from the same positions.

Files are built in a private work folder and renamed into place when complete.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import naming
from ..fsutil import ensure_writable_dir, write_text
from ..models import ArticleAudio, Clip, Script
from . import ffmpeg, master, transcript
from .chapters import write_chapters
from .cover import embedded_cover
from .tags import Chapter, TagInfo, write_tags

INTRO_TITLE = "导读"
PAUSE_BEFORE_CHIME_S = 0.6
PAUSE_AFTER_CHIME_S = 0.5
PAUSE_NO_CHIME_S = 1.2
ENCODERS = 2
ENCODE_ATTEMPTS = 4
TRUE_PEAK_MARGIN_DB = 0.3  # how far our meter and ffmpeg's may differ on a true peak


@dataclass(frozen=True)
class EditionInfo:
    """What the audio stage needs to know about the edition (for tags, links and names)."""

    paper: str
    date: dt.date
    title: str
    source: str = ""  # where the text came from, for the ID3 comment
    url: str | None = None  # public URL of the edition folder, for links in chapters.json
    cover: Path | None = None  # image to embed in every MP3
    chime: bool = True

    @property
    def album(self) -> str:
        return f"{self.paper} {self.date.year}年{self.date.month}月{self.date.day}日"


@dataclass(frozen=True)
class Assembled:
    mp3: Path
    duration_s: float
    intro_s: float
    articles: tuple[ArticleAudio, ...]
    audio_s: float  # time spent here (mastering, encoding, joining, tagging)
    vtt: Path | None = None
    srt: Path | None = None
    chapters_json: Path | None = None
    chapters: tuple[Chapter, ...] = ()
    loudness: master.Loudness | None = None  # measured on edition.mp3 with ffmpeg ebur128


@dataclass(frozen=True)
class _Part:
    """One encoded piece of the edition, waiting in the work folder."""

    mp3: Path
    duration_s: float
    lufs: float  # measured on the encoded file
    true_peak_db: float


def _master_and_encode(clip: Clip, out: Path, out_rate: int, pool: Executor | None = None) -> Future[_Part]:
    """Master on the PCM now; encode (and check) in ``pool`` while the next clip is mastered."""
    # Aim above -16 by however much the encoder takes off, so the *file* measures -16.
    encoder_db = ffmpeg.encoder_gain_db(out_rate)
    target = master.TARGET_LUFS - encoder_db
    pcm = clip.pcm
    if len(pcm) < clip.sample_rate // 10:  # an empty clip would make an MP3 with no frames
        pcm = np.concatenate([pcm, ffmpeg.silence(0.1, clip.sample_rate)])
    done = master.master(pcm, clip.sample_rate, target, master.CEILING_DBTP)

    def encode() -> _Part:
        mastered, ceiling = done, master.CEILING_DBTP
        best: tuple[float, float, Path] | None = None  # (peak, lufs, file)
        for attempt in range(ENCODE_ATTEMPTS):
            path = out if attempt == 0 else out.with_name(f".{out.stem}.try{attempt}.mp3")
            ffmpeg.encode_mp3(mastered.pcm, clip.sample_rate, path, out_rate=out_rate)
            # MP3 coding overshoots peaks by a varying amount (about 0.5 dB on speech,
            # more on noisy sounds): measure the encoded file itself, as it streams out
            # of the decoder, and if a peak came too close to -1 dBTP, try again.
            meter = master.Meter(out_rate)
            for piece in ffmpeg.decode_chunks(path, out_rate):
                meter.feed(piece)
            lufs, peak = meter.integrated_lufs(), master.db(meter.true_peak())
            if best is None or peak < best[0]:
                best = (peak, lufs, path)
            excess = peak - (master.FILE_MAX_TRUE_PEAK_DBTP - TRUE_PEAK_MARGIN_DB)
            if excess <= 0:
                break
            if attempt == 0:
                # first: limit harder, which keeps the loudness
                ceiling -= excess + 0.1
                mastered = master.master(pcm, clip.sample_rate, target, ceiling, start_gain_db=mastered.gain_db)
            else:
                # then: turn the clip down. Coding noise on noisy sounds is close to random
                # from one encode to the next, so step down further each time and keep
                # whichever encode measured best.
                step = excess + 0.15 * attempt
                scaled = np.rint(mastered.pcm * 10 ** (-step / 20)).astype(np.int16)
                mastered = master.Mastered(
                    scaled, mastered.lufs_in, mastered.lufs, mastered.true_peak_db, mastered.gain_db
                )
        assert best is not None
        peak, lufs, chosen = best
        if chosen != out:
            os.replace(chosen, out)
        for attempt in range(1, ENCODE_ATTEMPTS):
            out.with_name(f".{out.stem}.try{attempt}.mp3").unlink(missing_ok=True)
        return _Part(out, ffmpeg.mp3_duration(out), lufs, peak)

    if pool is not None:
        return pool.submit(encode)
    future: Future[_Part] = Future()
    future.set_result(encode())
    return future


def _transition(sample_rate: int, with_chime: bool) -> np.ndarray:
    if not with_chime:
        return ffmpeg.silence(PAUSE_NO_CHIME_S, sample_rate)
    return np.concatenate(
        [
            ffmpeg.silence(PAUSE_BEFORE_CHIME_S, sample_rate),
            ffmpeg.chime(sample_rate),
            ffmpeg.silence(PAUSE_AFTER_CHIME_S, sample_rate),
        ]
    )


def _tag_info(info: EditionInfo, title: str, cover: tuple[bytes, str] | None, **kw: object) -> TagInfo:
    comment = f"来源：{info.album}" + (f"（{info.source}）" if info.source else "") + "；audiopaper 朗读"
    return TagInfo(
        title=title,
        album=info.album,
        artist=info.paper,
        date=info.date,
        comment=comment,
        cover=cover[0] if cover else None,
        cover_mime=cover[1] if cover else "image/jpeg",
        **kw,  # type: ignore[arg-type]
    )


def _write_transcripts(base: Path, cues: Sequence[transcript.Cue]) -> tuple[Path, Path]:
    vtt, srt = base.with_suffix(".vtt"), base.with_suffix(".srt")
    write_text(vtt, transcript.to_vtt(cues))
    write_text(srt, transcript.to_srt(cues))
    return vtt, srt


def write_article(folder: Path, script: Script, clip: Clip, info: EditionInfo | None = None) -> ArticleAudio:
    """One article on its own: mastered and tagged ``articles/NN-slug.mp3`` with transcripts."""
    articles_dir = folder / "articles"
    ensure_writable_dir(articles_dir)
    art_id = naming.article_id(script.article.index, script.title)
    mp3 = articles_dir / f"{art_id}.mp3"
    with tempfile.TemporaryDirectory(prefix=".build-", dir=folder) as tmp:
        part = _master_and_encode(clip, Path(tmp) / mp3.name, clip.sample_rate).result()
        if info is not None:
            cover = embedded_cover(info.cover) if info.cover else None
            write_tags(part.mp3, _tag_info(info, script.title, cover, length_s=part.duration_s))
        os.replace(part.mp3, mp3)
    vtt, srt = _write_transcripts(mp3, transcript.cues(clip.spans, limit_s=part.duration_s))
    return ArticleAudio(
        index=script.article.index,
        id=art_id,
        kind=script.article.kind,
        title=script.title,
        mp3=mp3,
        vtt=vtt,
        duration_s=part.duration_s,
        start_s=0.0,
        chars=script.article.chars,
        engine=clip.engine,
        fallback=clip.fallback,
        spans=clip.spans,
        srt=srt,
        lufs=part.lufs,
        true_peak_db=part.true_peak_db,
    )


def assemble_edition(
    folder: Path,
    info: EditionInfo,
    intro: Clip,
    articles: Sequence[tuple[Script, Clip]],
    verify: bool = True,
) -> Assembled:
    """Write every article and the joined edition into ``folder``."""
    t0 = time.perf_counter()
    articles_dir = folder / "articles"
    ensure_writable_dir(articles_dir)
    rate = intro.sample_rate
    cover = embedded_cover(info.cover) if info.cover else None
    for stale in folder.glob(".build-*"):  # left by a run that was killed outright
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=folder))
    # ffmpeg encodes (lame is single-threaded) in worker threads while numpy masters the
    # next clip; at most ENCODERS + 1 mastered clips are held in memory at once.
    encoders = max(1, min(ENCODERS, os.cpu_count() or 1))
    pool = ThreadPoolExecutor(max_workers=encoders, thread_name_prefix="encode")
    try:
        pending = [_master_and_encode(intro, work / "intro.mp3", rate, pool)]
        ids = []
        for script, clip in articles:
            ids.append(naming.article_id(script.article.index, script.title))
            pending.append(_master_and_encode(clip, work / f"{ids[-1]}.mp3", rate, pool))
            if len(pending) > encoders + 1:
                pending[-(encoders + 2)].result()
        transition_mp3 = ffmpeg.encode_mp3(_transition(rate, info.chime), rate, work / "transition.mp3")
        transition_s = ffmpeg.mp3_duration(transition_mp3)
        intro_part, *article_parts = [f.result() for f in pending]

        parts: list[Path] = [intro_part.mp3]
        placed: list[tuple[ArticleAudio, _Part]] = []
        pos = intro_part.duration_s
        for (script, clip), art_id, part in zip(articles, ids, article_parts, strict=True):
            pos += transition_s
            parts += [transition_mp3, part.mp3]
            placed.append(
                (
                    ArticleAudio(
                        index=script.article.index,
                        id=art_id,
                        kind=script.article.kind,
                        title=script.title,
                        mp3=articles_dir / f"{art_id}.mp3",
                        vtt=articles_dir / f"{art_id}.vtt",
                        duration_s=part.duration_s,
                        start_s=pos,
                        chars=script.article.chars,
                        engine=clip.engine,
                        fallback=clip.fallback,
                        spans=clip.spans,
                        srt=articles_dir / f"{art_id}.srt",
                        lufs=part.lufs,
                        true_peak_db=part.true_peak_db,
                    ),
                    part,
                )
            )
            pos += part.duration_s

        edition_tmp = ffmpeg.concat_mp3(parts, work / "edition.mp3")
        duration = ffmpeg.mp3_duration(edition_tmp)

        # Chapters: the intro, then each article from its first word to the next one's
        # (the transition after a story belongs to it, so skipping lands on a title).
        starts = [0.0] + [a.start_s for a, _ in placed]
        ends = starts[1:] + [duration]
        titles = [INTRO_TITLE] + [a.title for a, _ in placed]
        urls: list[str | None] = [None] + [
            (info.url + a.mp3.relative_to(folder).as_posix()) if info.url else a.mp3.relative_to(folder).as_posix()
            for a, _ in placed
        ]
        chapters = tuple(Chapter(t, s, e, u) for t, s, e, u in zip(titles, starts, ends, urls, strict=True))

        write_tags(edition_tmp, _tag_info(info, info.title, cover, length_s=duration), chapters)
        for n, (art, part) in enumerate(placed, start=1):
            write_tags(part.mp3, _tag_info(info, art.title, cover, track=(n, len(placed)), length_s=art.duration_s))
            os.replace(part.mp3, art.mp3)
            _write_transcripts(art.mp3, transcript.cues(art.spans, limit_s=art.duration_s))
        mp3 = folder / "edition.mp3"
        os.replace(edition_tmp, mp3)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(work, ignore_errors=True)

    edition_cues = transcript.cues(intro.spans, limit_s=intro_part.duration_s)
    for art, _ in placed:
        edition_cues += transcript.cues(art.spans, offset_s=art.start_s, limit_s=art.start_s + art.duration_s)
    vtt, srt = _write_transcripts(mp3, edition_cues)
    chapters_json = write_chapters(folder / "chapters.json", chapters, info.title)

    keep = {p.name for a, _ in placed for p in (a.mp3, a.vtt, a.srt) if p is not None}
    for p in articles_dir.iterdir():
        if p.is_file() and p.name not in keep and p.suffix in (".mp3", ".vtt", ".srt"):
            p.unlink(missing_ok=True)

    # One pass of ebur128 over the finished edition: the parts were mastered, this
    # checks the joined file really measures what podcast apps will measure.
    loudness = master.measure_file(mp3) if verify else None
    return Assembled(
        mp3=mp3,
        duration_s=duration,
        intro_s=intro_part.duration_s,
        articles=tuple(a for a, _ in placed),
        audio_s=time.perf_counter() - t0,
        vtt=vtt,
        srt=srt,
        chapters_json=chapters_json,
        chapters=chapters,
        loudness=loudness,
    )
