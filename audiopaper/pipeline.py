"""The only place that composes the stages: ingest → split → speech → synth → audio → publish."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from . import audio, engines, ingest, naming, speech, split, transcript
from .cache import AudioCache
from .engines.base import Engine
from .errors import AudiopaperError, EngineUnavailable, SynthesisError
from .fsutil import clean_partials, ensure_writable_dir, write_text
from .models import (
    ArticleAudio,
    Clip,
    Edition,
    Progress,
    ProgressFn,
    Script,
    SplitResult,
    no_progress,
)
from .presets import resolve_voice
from .publish.feed import DEFAULT_BASE_URL, write_feed
from .publish.manifest import Timings, manifest_dict, write_manifest
from .synth import SynthTimer, synthesize_script

DEFAULT_PAPER = "衡阳日报"
GAP_S = 1.2
OFFLINE_ENGINES = ("kokoro", "espeak")


@dataclass(frozen=True)
class BuildOptions:
    out: Path = Path("output")
    engine: str = "auto"
    voice: str | None = None
    date: dt.date | None = None
    title: str | None = None
    paper: str | None = None
    base_url: str = DEFAULT_BASE_URL
    cache_dir: Path | None = None
    use_cache: bool = True


@dataclass(frozen=True)
class BuildResult:
    edition: Edition
    manifest_path: Path
    manifest: dict[str, Any]
    engine_reason: str = ""

    @property
    def partial(self) -> bool:
        return bool(self.edition.failed)


@dataclass
class _Clock:
    marks: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.marks[name] = self.marks.get(name, 0.0) + seconds


def load_split(paths: Sequence[Path]) -> SplitResult:
    return split.split(ingest.read_issue(paths))


def choose_engine(name: str) -> tuple[Engine, str]:
    """The engine to use and why; ``auto`` takes the first offline engine that works."""
    if name != "auto":
        engine = engines.get(name)
        avail = engine.available()
        if not avail.ok:
            raise EngineUnavailable(f"engine {name!r} unavailable: {avail.reason}", avail.hint)
        return engine, f"{name} requested"
    reasons = []
    for candidate in OFFLINE_ENGINES:
        engine = engines.get(candidate)
        avail = engine.available()
        if avail.ok:
            return engine, f"auto: {candidate} (offline engine)" + (f"; {'; '.join(reasons)}" if reasons else "")
        reasons.append(f"{candidate}: {avail.reason}")
    raise EngineUnavailable("no speech engine available: " + "; ".join(reasons), "run `make install`")


def edition_folder(out: Path, date: dt.date, paper: str) -> Path:
    """editions/<date>, or <date>-<n> when that folder holds another paper's edition."""
    base = out / "editions"
    n = 1
    while True:
        folder = base / (date.isoformat() if n == 1 else f"{date.isoformat()}-{n}")
        manifest = folder / "manifest.json"
        if not manifest.exists():
            return folder
        try:
            from .publish.manifest import read_manifest

            if read_manifest(manifest)["edition"].get("paper", paper) == paper:
                return folder
        except (ValueError, KeyError, OSError):
            return folder
        n += 1


def build(paths: Sequence[Path], options: BuildOptions, progress: ProgressFn = no_progress) -> BuildResult:
    t_start = time.perf_counter()
    clock = _Clock()
    out = options.out
    ensure_writable_dir(out)
    clean_partials(out / "editions")

    t = time.perf_counter()
    result = load_split(paths)
    if not result.articles:
        raise AudiopaperError(f"{paths[0]}: no articles found", "check that the file is an issue's text")
    clock.add("split", time.perf_counter() - t)

    t = time.perf_counter()
    scripts = [speech.make_script(a) for a in result.articles]
    clock.add("speech", time.perf_counter() - t)

    engine, reason = choose_engine(options.engine)
    voice = resolve_voice(engine.name, options.voice, engine.voices())
    paper = options.paper or result.issue.paper or DEFAULT_PAPER
    date = naming.edition_date(result.issue, options.date)
    title = options.title or f"{paper} {date.year}年{date.month}月{date.day}日"
    folder = edition_folder(out, date, paper)
    articles_dir = folder / "articles"
    ensure_writable_dir(articles_dir)
    cache_root = None if not options.use_cache else (options.cache_dir or out / ".cache")
    cache = AudioCache(cache_root)
    timer = SynthTimer()

    t_synth = time.perf_counter()
    audio_s = 0.0
    built: list[tuple[Script, Clip, ArticleAudio]] = []
    failed: list[str] = []
    total_chars = sum(s.article.chars for s in scripts) or 1
    done_chars = 0
    for n, script in enumerate(scripts, start=1):
        elapsed = time.perf_counter() - t_synth
        eta = elapsed / done_chars * (total_chars - done_chars) if done_chars else None
        progress(Progress("synth", n - 1, len(scripts), script.title, timer.audio_done_s, eta))
        try:
            clip = synthesize_script(script, engine, voice, cache, timer)
        except SynthesisError as exc:
            failed.append(f"{script.article.index:02d} {script.title}: {exc}")
            continue
        done_chars += script.article.chars
        ta = time.perf_counter()
        art_id = naming.article_id(script.article.index, script.title)
        mp3 = articles_dir / f"{art_id}.mp3"
        vtt = articles_dir / f"{art_id}.vtt"
        audio.encode_mp3(clip.pcm, clip.sample_rate, mp3)
        duration = audio.mp3_duration(mp3)
        write_text(vtt, transcript.to_vtt(transcript.cues(clip.spans, limit_s=duration)))
        audio_s += time.perf_counter() - ta
        built.append(
            (
                script,
                clip,
                ArticleAudio(
                    index=script.article.index, id=art_id, kind=script.article.kind, title=script.title,
                    mp3=mp3, vtt=vtt, duration_s=duration, start_s=0.0, chars=script.article.chars,
                    engine=clip.engine, fallback=clip.fallback, spans=clip.spans,
                ),
            )
        )
    progress(Progress("synth", len(scripts), len(scripts), "", timer.audio_done_s, 0.0))
    if not built:
        raise AudiopaperError("every article failed to synthesize: " + "; ".join(failed[:3]))

    # Intro: paper name and date.
    intro_script = Script(
        article=result.articles[0],
        sentences=tuple(speech.speak_line(f"{paper}，{naming.spoken_date(date)}。", "intro")),
    )
    intro_clip = synthesize_script(intro_script, engine, voice, cache, timer)
    synth_s = time.perf_counter() - t_synth - audio_s

    ta = time.perf_counter()
    work = folder / ".build"
    work.mkdir(exist_ok=True)
    try:
        intro_mp3 = audio.encode_mp3(intro_clip.pcm, intro_clip.sample_rate, work / "intro.mp3")
        gap_mp3 = audio.encode_mp3(audio.silence(GAP_S, intro_clip.sample_rate), intro_clip.sample_rate, work / "gap.mp3")
        intro_s = audio.mp3_duration(intro_mp3)
        gap_s = audio.mp3_duration(gap_mp3)
        parts = [intro_mp3]
        pos = intro_s
        placed: list[ArticleAudio] = []
        edition_cues = transcript.cues(intro_clip.spans)
        for _, clip, art in built:
            parts += [gap_mp3, art.mp3]
            pos += gap_s
            placed.append(_with_start(art, pos))
            edition_cues += transcript.cues(clip.spans, offset_s=pos, limit_s=pos + art.duration_s)
            pos += art.duration_s
        mp3 = audio.concat_mp3(parts, folder / "edition.mp3")
        duration = audio.mp3_duration(mp3)
        write_text(folder / "edition.vtt", transcript.to_vtt(edition_cues))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _remove_stale(articles_dir, {a.mp3.name for a in placed} | {a.vtt.name for a in placed})
    audio_s += time.perf_counter() - ta

    edition = Edition(
        date=date, paper=paper, title=title, folder=folder, mp3=mp3, duration_s=duration,
        engine=engine.name, voice=voice.preset, articles=tuple(placed), intro_s=intro_s, failed=tuple(failed),
    )
    tp = time.perf_counter()
    manifest_path = folder / "manifest.json"
    doc = manifest_dict(
        edition,
        Timings(),
        cache.stats.hits,
        cache.stats.misses,
        extra={"guid": naming.edition_guid(paper, date), "engine_reason": reason, "engine_voice": voice.name},
    )
    write_manifest(manifest_path, doc)
    write_feed(out, paper, options.base_url)
    clock.add("publish", time.perf_counter() - tp)
    timings = Timings(
        total_s=time.perf_counter() - t_start,
        split_s=clock.marks.get("split", 0.0),
        speech_s=clock.marks.get("speech", 0.0),
        synth_s=synth_s,
        engine_s=timer.engine_s,
        audio_s=audio_s,
        publish_s=clock.marks.get("publish", 0.0),
    )
    doc = manifest_dict(
        edition,
        timings,
        cache.stats.hits,
        cache.stats.misses,
        extra={"guid": naming.edition_guid(paper, date), "engine_reason": reason, "engine_voice": voice.name},
    )
    write_manifest(manifest_path, doc)
    return BuildResult(edition=edition, manifest_path=manifest_path, manifest=doc, engine_reason=reason)


def _with_start(art: ArticleAudio, start_s: float) -> ArticleAudio:
    from dataclasses import replace

    return replace(art, start_s=start_s)


def _remove_stale(folder: Path, keep: set[str]) -> None:
    for p in folder.iterdir():
        if p.is_file() and p.name not in keep and p.suffix in (".mp3", ".vtt", ".srt"):
            p.unlink(missing_ok=True)
