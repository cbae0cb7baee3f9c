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
import secrets
import shutil
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import layout, naming
from ..fsutil import clean_dead_work, ensure_writable_dir, write_text
from ..models import ArticleAudio, Clip, LoudnessReport, Script
from . import ffmpeg, master, transcript
from .chapters import edition_chapters, write_chapters
from .cover import embedded_cover
from .tags import TagInfo, write_tags

PAUSE_BEFORE_CHIME_S = 0.6
PAUSE_AFTER_CHIME_S = 0.5
PAUSE_NO_CHIME_S = 1.2
ENCODERS = 2
ENCODE_ATTEMPTS = 4
TRUE_PEAK_MARGIN_DB = 0.3  # how far our meter and ffmpeg's may differ on a true peak


@dataclass(frozen=True)
class EditionInfo:
    """What the audio stage needs to know about the edition (for tags, links and names);
    ``paper`` is None when the edition's paper was never named."""

    paper: str | None
    date: dt.date
    title: str
    source: str = ""  # where the text came from, for the ID3 comment
    url: str | None = None  # public URL of the edition folder, for links in chapters.json
    cover: Path | None = None  # image to embed in every MP3
    chime: bool = True
    bitrate: int = 64  # kb/s

    @property
    def album(self) -> str:
        """The paper and the date; for an unnamed paper, the edition's own (neutral) title."""
        if not self.paper:
            return self.title
        return f"{self.paper} {self.date.year}年{self.date.month}月{self.date.day}日"


@dataclass(frozen=True)
class Assembled:
    """Every file the audio stage wrote for an edition."""

    mp3: Path
    duration_s: float
    intro_s: float
    articles: tuple[ArticleAudio, ...]
    vtt: Path
    srt: Path
    chapters: Path  # chapters.json
    loudness: LoudnessReport  # edition.mp3 measured with ffmpeg ebur128


@dataclass(frozen=True)
class _Part:
    """One encoded piece of the edition, waiting in the work folder."""

    mp3: Path
    duration_s: float
    lufs: float  # measured on the encoded file
    true_peak_db: float


def _master_and_encode(
    clip: Clip, out: Path, out_rate: int, pool: Executor | None = None, bitrate: str = ffmpeg.BITRATE
) -> Future[_Part]:
    """Master on the PCM now; encode (and check) in ``pool`` while the next clip is mastered."""
    # Aim above -16 by however much the encoder takes off, so the *file* measures -16.
    encoder_db = ffmpeg.encoder_gain_db(out_rate, bitrate)
    target = master.TARGET_LUFS - encoder_db
    pcm = clip.audio()
    if len(pcm) < clip.sample_rate // 10:  # an empty clip would make an MP3 with no frames
        pcm = np.concatenate([pcm, ffmpeg.silence(0.1, clip.sample_rate)])
    done = master.master(pcm, clip.sample_rate, target, master.CEILING_DBTP)

    def encode() -> _Part:
        mastered, ceiling = done, master.CEILING_DBTP
        best: tuple[float, float, Path] | None = None  # (peak, lufs, file)
        for attempt in range(ENCODE_ATTEMPTS):
            path = out if attempt == 0 else out.with_name(f".{out.stem}.try{attempt}.mp3")
            ffmpeg.encode_mp3(mastered.pcm, clip.sample_rate, path, bitrate, out_rate=out_rate)
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


def _tag_info(
    info: EditionInfo,
    title: str,
    cover: tuple[bytes, str] | None,
    length_s: float,
    track: tuple[int, int] | None = None,
) -> TagInfo:
    comment = f"来源：{info.album}" + (f"（{info.source}）" if info.source else "") + "；audiopaper 朗读"
    return TagInfo(
        title=title,
        album=info.album,
        artist=info.paper or "",
        date=info.date,
        comment=comment,
        cover=cover[0] if cover else None,
        cover_mime=cover[1] if cover else "image/jpeg",
        track=track,
        length_s=length_s,
    )


def _write_transcripts(mp3: Path, cues: Sequence[transcript.Cue]) -> tuple[Path, Path]:
    """The WebVTT and SRT transcripts beside ``mp3``."""
    vtt, srt = mp3.with_suffix(".vtt"), mp3.with_suffix(".srt")
    write_text(vtt, transcript.to_vtt(cues))
    write_text(srt, transcript.to_srt(cues))
    return vtt, srt


def _article_audio(folder: Path, script: Script, clip: Clip, part: _Part, start_s: float) -> ArticleAudio:
    art_id = naming.article_id(script.article.index, script.title)
    return ArticleAudio(
        index=script.article.index,
        id=art_id,
        kind=script.article.kind,
        title=script.title,
        mp3=layout.article_file(folder, art_id, ".mp3"),
        vtt=layout.article_file(folder, art_id, ".vtt"),
        duration_s=part.duration_s,
        start_s=start_s,
        chars=script.article.chars,
        engine=clip.engine,
        fallback=clip.fallback,
        spans=clip.spans,
        srt=layout.article_file(folder, art_id, ".srt"),
        lufs=part.lufs,
        true_peak_db=part.true_peak_db,
    )


def _encode_all(
    work: Path,
    intro: Clip,
    articles: Sequence[tuple[Script, Clip]],
    pool: Executor,
    encoders: int,
    bitrate: str = ffmpeg.BITRATE,
) -> tuple[_Part, list[_Part]]:
    """Master every clip here while ``pool`` encodes the ones before it; at most
    ``encoders + 1`` mastered clips are held in memory at once."""
    rate = intro.sample_rate
    pending = [_master_and_encode(intro, work / "intro.mp3", rate, pool, bitrate)]
    for script, clip in articles:
        art_id = naming.article_id(script.article.index, script.title)
        pending.append(_master_and_encode(clip, work / f"{art_id}.mp3", rate, pool, bitrate))
        if len(pending) > encoders + 1:
            pending[-(encoders + 2)].result()
    intro_part, *parts = [f.result() for f in pending]
    return intro_part, parts


def assemble_edition(
    folder: Path, info: EditionInfo, intro: Clip, articles: Sequence[tuple[Script, Clip]]
) -> Assembled:
    """Write every article and the joined edition into ``folder``."""
    articles_dir = folder / layout.ARTICLES
    ensure_writable_dir(articles_dir)
    rate = intro.sample_rate
    cover = embedded_cover(info.cover) if info.cover else None
    clean_dead_work(folder)  # left by a run that was killed outright, not a live one's
    # named before it exists, so the finally below removes it whatever interrupts its making
    work = folder / f".build-{os.getpid()}-{secrets.token_hex(4)}"
    # ffmpeg encodes (lame is single-threaded) in worker threads while numpy masters the
    # next clip.
    encoders = max(1, min(ENCODERS, os.cpu_count() or 1))
    pool = ThreadPoolExecutor(max_workers=encoders, thread_name_prefix="encode")
    try:
        work.mkdir()
        bitrate = f"{info.bitrate}k"
        intro_part, article_parts = _encode_all(work, intro, articles, pool, encoders, bitrate)
        transition_mp3 = ffmpeg.encode_mp3(_transition(rate, info.chime), rate, work / "transition.mp3", bitrate)
        transition_s = ffmpeg.mp3_duration(transition_mp3)

        parts: list[Path] = [intro_part.mp3]
        placed: list[tuple[ArticleAudio, _Part]] = []
        pos = intro_part.duration_s
        for (script, clip), part in zip(articles, article_parts, strict=True):
            pos += transition_s
            parts += [transition_mp3, part.mp3]
            placed.append((_article_audio(folder, script, clip, part, pos), part))
            pos += part.duration_s

        edition_tmp = ffmpeg.concat_mp3(parts, work / layout.EDITION_MP3)
        duration = ffmpeg.mp3_duration(edition_tmp)
        chapters = edition_chapters([(a.id, a.title, a.start_s) for a, _ in placed], duration, bool(intro.spans))

        write_tags(edition_tmp, _tag_info(info, info.title, cover, duration), chapters)
        for n, (art, part) in enumerate(placed, start=1):
            write_tags(part.mp3, _tag_info(info, art.title, cover, art.duration_s, (n, len(placed))))
            os.replace(part.mp3, art.mp3)
            _write_transcripts(art.mp3, transcript.cues(art.spans, limit_s=art.duration_s))
        mp3 = folder / layout.EDITION_MP3
        os.replace(edition_tmp, mp3)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(work, ignore_errors=True)

    edition_cues = transcript.cues(intro.spans, limit_s=intro_part.duration_s)
    for art, _ in placed:
        edition_cues += transcript.cues(art.spans, offset_s=art.start_s, limit_s=art.start_s + art.duration_s)
    vtt, srt = _write_transcripts(mp3, edition_cues)
    chapters_json = write_chapters(folder / layout.CHAPTERS_JSON, chapters, info.title, info.url)

    keep = {p.name for a, _ in placed for p in (a.mp3, a.vtt, a.srt) if p is not None}
    for p in articles_dir.iterdir():
        if p.is_file() and p.name not in keep and p.suffix in layout.ARTICLE_SUFFIXES:
            p.unlink(missing_ok=True)

    # One pass of ebur128 over the finished edition: the parts were mastered, this
    # checks the joined file really measures what podcast apps will measure.
    loudness = master.report(master.measure_file(mp3))
    return Assembled(
        mp3, duration, intro_part.duration_s, tuple(a for a, _ in placed), vtt, srt, chapters_json, loudness
    )
