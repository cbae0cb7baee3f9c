"""The only place that composes the stages: ingest → split → speech → synth → audio → publish."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import ingest, naming, speech, split
from .audio import cover, ffmpeg
from .audio.assemble import Assembled, EditionInfo, assemble_edition
from .cache import AudioCache
from .engines import EngineConfig, select
from .errors import AudiopaperError, UsageError
from .fsutil import clean_partials, ensure_writable_dir
from .models import SPELLINGS, Article, Edition, ProgressFn, Script, Spelling, SplitResult, no_progress
from .publish import public_base_url, publish_edition
from .publish.feed import normalize_base_url
from .publish.manifest import Timings
from .resilience import RetryPolicy
from .synth import Fallback, SynthOptions, SynthTimer, synthesize_edition, synthesize_intro, synthesize_script

DEFAULT_PAPER = "衡阳日报"


@dataclass(frozen=True)
class BuildOptions:
    out: Path = Path("output")
    engine: str = "auto"
    voice: str | None = None
    date: dt.date | None = None
    title: str | None = None
    paper: str | None = None
    base_url: str | None = None  # None: the one OUT's catalog remembers, else DEFAULT_BASE_URL
    feed_limit: int | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    lexicon: Path | None = None
    #: offline engine that reads, whole, an article the online engine could not
    #: (None: the preferred offline engine; "none": leave such articles out)
    fallback: str | None = None
    #: what the engines are built with: an online engine's endpoint, deadline, concurrency
    engine_config: EngineConfig = EngineConfig()
    retry: RetryPolicy = RetryPolicy()
    cover: Path | None = None  # the user's own artwork instead of the drawn one
    chime: bool = True


@dataclass(frozen=True)
class BuildResult:
    edition: Edition
    manifest_path: Path
    manifest: dict[str, Any]
    engine_reason: str = ""
    #: lines for stderr: articles read by the fallback engine, an intro left out
    warnings: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return bool(self.edition.failed)


def load_split(paths: Sequence[Path]) -> SplitResult:
    return split.split(ingest.read_issue(paths))


@dataclass(frozen=True)
class IssueScript:
    """What ``script`` shows: every article's Script, and the spelling the engine reads."""

    scripts: tuple[Script, ...]
    spelling: Spelling


def script_issue(
    paths: Sequence[Path],
    engine: str | None = None,
    *,
    pinyin: bool = False,
    read_kicker: bool = False,
    photo_credits: bool = True,
    lexicon: Path | None = None,
) -> IssueScript:
    """The exact text each article will be read as by ``engine`` (None: the preferred
    offline engine)."""
    spelling = select.spelling_of(engine or select.preferred_offline())
    options = speech.ScriptOptions(
        read_kicker=read_kicker,
        photo_credits=photo_credits,
        pinyin=pinyin,
        lexicon=speech.load_lexicon(lexicon),
        spellings=(spelling,),
    )
    return IssueScript(tuple(speech.make_script(a, options) for a in load_split(paths).articles), spelling)


def say_script(text: str, lexicon: Path | None = None, spelling: Spelling | None = None) -> Script:
    """The Script ``say`` reads: one line of text, lexicon (and the user's) applied."""
    if not text.strip():
        raise UsageError("nothing to say", "give some text")
    options = speech.ScriptOptions(
        lexicon=speech.load_lexicon(lexicon), spellings=(spelling,) if spelling else SPELLINGS
    )
    article = Article(index=1, kind="article", title="", paragraphs=())
    return Script(article=article, sentences=tuple(speech.speak_line(text, "body", options)))


def say(text: str, out: Path, engine: str | None = None, voice: str | None = None, lexicon: Path | None = None) -> Path:
    """``text`` read by ``engine`` (None: the preferred offline engine) into ``out``
    (.mp3 or .wav), for checking voices and the lexicon by ear."""
    if not text.strip():
        raise UsageError("nothing to say", "give some text")
    if out.suffix.lower() not in (".mp3", ".wav"):
        raise UsageError(f"{out}: unsupported format", "use a .mp3 or .wav file name")
    ensure_writable_dir(out.parent if str(out.parent) else Path("."))
    reader = select.choose(engine or select.preferred_offline()).engine
    try:
        chosen = select.resolve_voice(reader, voice)
        script = say_script(text, lexicon, reader.spelling)
        clip = synthesize_script(script, reader, chosen, AudioCache(None), SynthTimer())
    finally:
        reader.close()
    if out.suffix.lower() == ".mp3":
        return ffmpeg.encode_mp3(clip.pcm, clip.sample_rate, out)
    return ffmpeg.write_wav(clip.pcm, clip.sample_rate, out)


def edition_folder(out: Path, date: dt.date, paper: str) -> Path:
    """editions/<date>, or <date>-<n> when that folder holds another paper's edition."""
    from .publish.manifest import read_manifest

    base = out / "editions"
    n = 1
    while True:
        folder = base / (date.isoformat() if n == 1 else f"{date.isoformat()}-{n}")
        manifest = folder / "manifest.json"
        if not manifest.exists():
            return folder
        try:
            if read_manifest(manifest)["edition"].get("paper", paper) == paper:
                return folder
        except (ValueError, KeyError, OSError):
            return folder
        n += 1


INTRO_HEADLINES = "本期要目："


def intro_script(
    paper: str, date: dt.date, articles: Sequence[Article], options: speech.ScriptOptions | None = None
) -> Script:
    """What the edition opens with (导读): the paper and the date, then the day's titles."""
    placeholder = Article(index=0, kind="contents", title="导读", paragraphs=())
    sentences = speech.speak_line(f"{paper}，{naming.spoken_date(date)}。", "intro", options)
    if len(sentences) == 1:  # the transcript shows the date as printed, not as spoken
        sentences[0] = replace(sentences[0], source=f"{paper}，{date.year}年{date.month}月{date.day}日。")
    titles = [a.title for a in articles if a.title.strip()]
    if titles:
        sentences += speech.speak_line(INTRO_HEADLINES, "intro", options)
        for title in titles:
            # each title its own line, ending in a full stop so it is read (and paused) as one
            sentences += speech.speak_line(title.rstrip("。！？!?") + "。", "heading", options)
    return Script(article=placeholder, sentences=tuple(sentences))


def number(value: float | None) -> float | None:
    """Rounded for the manifest; silence measures -inf, which JSON cannot carry."""
    return round(value, 2) if value is not None and math.isfinite(value) else None


def loudness_doc(assembled: Assembled) -> dict[str, Any]:
    """The manifest's record of what the edition and each article measure."""
    doc: dict[str, Any] = {"target_lufs": -16.0, "max_true_peak_dbtp": -1.0}
    if assembled.loudness is not None:
        measured = assembled.loudness
        doc["edition"] = {
            "integrated_lufs": number(measured.integrated_lufs),
            "true_peak_dbtp": number(measured.true_peak_dbtp),
            "measured_with": "ffmpeg ebur128",
            "ok": abs(measured.integrated_lufs + 16.0) <= 1.0 and measured.true_peak_dbtp <= -1.0,
        }
    doc["articles"] = {
        a.id: {"integrated_lufs": number(a.lufs), "true_peak_dbtp": number(a.true_peak_db)} for a in assembled.articles
    }
    return doc


def _public_url(base_url: str, rel: Path) -> str:
    base = base_url if base_url.endswith("/") else base_url + "/"
    return f"{base}{rel.as_posix()}/"


def build(paths: Sequence[Path], options: BuildOptions, progress: ProgressFn = no_progress) -> BuildResult:
    t_start = time.perf_counter()
    out = options.out
    if options.base_url is not None:
        normalize_base_url(options.base_url)  # a bad URL fails now, not after synthesis
    ensure_writable_dir(out)
    clean_partials(out / "editions")

    t = time.perf_counter()
    result = load_split(paths)
    if not result.articles:
        raise AudiopaperError(f"{paths[0]}: no articles found", "check that the file is an issue's text")
    split_s = time.perf_counter() - t

    paper = options.paper or result.issue.paper or DEFAULT_PAPER
    date = naming.edition_date(result.issue, options.date)
    title = options.title or f"{paper} {date.year}年{date.month}月{date.day}日"

    select.check_fallback(options.fallback)
    if options.engine_config.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, not {options.engine_config.concurrency}")
    if options.cover is not None:
        cover.check_user_cover(options.cover)  # fail before the long part, not after it
    choice = select.choose(options.engine, options.engine_config)
    engine, reason, decide_s = choice.engine, choice.reason, choice.decided_s
    voice = select.resolve_voice(engine, options.voice)
    fallback_engine = select.fallback(options.fallback, engine, options.engine_config)
    fallback = Fallback(fallback_engine, select.fallback_voice(fallback_engine, voice)) if fallback_engine else None

    t = time.perf_counter()
    spellings = tuple(dict.fromkeys(e.spelling for e in (engine, fallback_engine) if e is not None))
    script_options = speech.ScriptOptions(lexicon=speech.load_lexicon(options.lexicon), spellings=spellings)
    scripts = [speech.make_script(a, script_options) for a in result.articles]
    speech_s = time.perf_counter() - t
    folder = edition_folder(out, date, paper)
    ensure_writable_dir(folder)
    cache = AudioCache(None if not options.use_cache else (options.cache_dir or out / ".cache"))
    cache.clean_stale()
    timer = SynthTimer()

    t = time.perf_counter()
    synth_options = SynthOptions(options.retry)
    report = synthesize_edition(scripts, engine, voice, cache, timer, synth_options, fallback, progress)
    clips, failed = list(report.clips), list(report.failed)
    if not clips:
        raise AudiopaperError("every article failed to synthesize: " + "; ".join(failed[:3]))
    # The intro lists only the stories the edition really has.
    intro = intro_script(paper, date, [script.article for script, _ in clips], script_options)
    intro_clip, intro_warnings = synthesize_intro(intro, engine, voice, cache, timer, synth_options, fallback, progress)
    for used in (engine, fallback.engine if fallback is not None else None):
        if used is not None:
            used.close()
    synth_s = time.perf_counter() - t

    t = time.perf_counter()
    cover_path = cover.write_cover(out, paper, date, options.cover)
    cover_s = time.perf_counter() - t
    info = EditionInfo(
        paper,
        date,
        title,
        source=", ".join(p.name for p in paths),
        url=_public_url(public_base_url(out, options.base_url), folder.relative_to(out)),
        cover=cover_path,
        chime=options.chime,
    )
    assembled = assemble_edition(folder, info, intro_clip, clips)

    edition = Edition(
        date=date,
        paper=paper,
        title=title,
        folder=folder,
        mp3=assembled.mp3,
        duration_s=assembled.duration_s,
        engine=engine.name,
        voice=voice.preset,
        articles=assembled.articles,
        intro_s=assembled.intro_s,
        failed=tuple(failed),
    )
    extra: dict[str, Any] = {
        "guid": naming.edition_guid(paper, date),
        "engine_reason": reason,
        "engine_decision_s": round(decide_s, 3),
        "engine_voice": voice.name,
        **({"fallback_engine": fallback.engine.name} if fallback is not None else {}),
        "vtt": "edition.vtt",
        "srt": "edition.srt",
        "chapters": "chapters.json",
        "cover": cover_path.relative_to(out).as_posix(),
        "loudness": loudness_doc(assembled),
    }

    def timings(publish_s: float) -> Timings:
        return Timings(
            total_s=time.perf_counter() - t_start,
            split_s=split_s,
            speech_s=speech_s,
            synth_s=synth_s,
            engine_s=timer.engine_s,
            audio_s=assembled.audio_s + cover_s,
            publish_s=publish_s,
        )

    manifest_path, doc = publish_edition(
        out,
        edition,
        timings,
        cache.stats.hits,
        cache.stats.misses,
        extra,
        base_url=options.base_url,
        feed_limit=options.feed_limit,
    )
    return BuildResult(
        edition=edition,
        manifest_path=manifest_path,
        manifest=doc,
        engine_reason=reason,
        warnings=(*report.warnings, *intro_warnings),
    )
