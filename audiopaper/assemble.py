"""The audio stage: article clips become article MP3s and the stitched edition.

Takes synthesized clips (PCM + sentence spans), writes ``articles/*.mp3|vtt``,
``edition.mp3`` and ``edition.vtt`` into the edition folder, and returns where each
article starts. No full-edition decode/encode: articles are encoded once and joined
with ffmpeg's concat demuxer.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import audio, naming, transcript
from .fsutil import ensure_writable_dir, write_text
from .models import ArticleAudio, Clip, Script

GAP_S = 1.2


@dataclass(frozen=True)
class Assembled:
    mp3: Path
    duration_s: float
    intro_s: float
    articles: tuple[ArticleAudio, ...]
    audio_s: float  # time spent here (mastering, encoding, joining, tagging)


@dataclass(frozen=True)
class EditionInfo:
    """What the audio stage needs to know about the edition (for tags and names)."""

    paper: str
    date: dt.date
    title: str


def write_article(folder: Path, script: Script, clip: Clip) -> ArticleAudio:
    """Encode one article's clip to ``articles/NN-slug.mp3`` with its transcript."""
    articles_dir = folder / "articles"
    ensure_writable_dir(articles_dir)
    art_id = naming.article_id(script.article.index, script.title)
    mp3 = articles_dir / f"{art_id}.mp3"
    vtt = articles_dir / f"{art_id}.vtt"
    audio.encode_mp3(clip.pcm, clip.sample_rate, mp3)
    duration = audio.mp3_duration(mp3)
    write_text(vtt, transcript.to_vtt(transcript.cues(clip.spans, limit_s=duration)))
    return ArticleAudio(
        index=script.article.index,
        id=art_id,
        kind=script.article.kind,
        title=script.title,
        mp3=mp3,
        vtt=vtt,
        duration_s=duration,
        start_s=0.0,
        chars=script.article.chars,
        engine=clip.engine,
        fallback=clip.fallback,
        spans=clip.spans,
    )


def assemble_edition(
    folder: Path,
    info: EditionInfo,
    intro: Clip,
    articles: Sequence[tuple[Script, Clip]],
) -> Assembled:
    """Write every article and the joined edition into ``folder``."""
    t0 = time.perf_counter()
    written = [write_article(folder, script, clip) for script, clip in articles]
    work = folder / ".build"
    work.mkdir(parents=True, exist_ok=True)
    try:
        intro_mp3 = audio.encode_mp3(intro.pcm, intro.sample_rate, work / "intro.mp3")
        gap_mp3 = audio.encode_mp3(audio.silence(GAP_S, intro.sample_rate), intro.sample_rate, work / "gap.mp3")
        intro_s = audio.mp3_duration(intro_mp3)
        gap_s = audio.mp3_duration(gap_mp3)
        parts = [intro_mp3]
        pos = intro_s
        placed: list[ArticleAudio] = []
        edition_cues = transcript.cues(intro.spans)
        for art in written:
            parts += [gap_mp3, art.mp3]
            pos += gap_s
            from dataclasses import replace

            placed.append(replace(art, start_s=pos))
            edition_cues += transcript.cues(art.spans, offset_s=pos, limit_s=pos + art.duration_s)
            pos += art.duration_s
        mp3 = audio.concat_mp3(parts, folder / "edition.mp3")
        duration = audio.mp3_duration(mp3)
        write_text(folder / "edition.vtt", transcript.to_vtt(edition_cues))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    keep = {a.mp3.name for a in placed} | {a.vtt.name for a in placed}
    for p in (folder / "articles").iterdir():
        if p.is_file() and p.name not in keep and p.suffix in (".mp3", ".vtt", ".srt"):
            p.unlink(missing_ok=True)
    return Assembled(
        mp3=mp3, duration_s=duration, intro_s=intro_s, articles=tuple(placed), audio_s=time.perf_counter() - t0
    )
