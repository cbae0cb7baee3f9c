"""The only place that composes the stages: ingest → split → speech → synth → audio → publish.

``build`` reads as the list of its stage calls, each timed; the decisions inside them
belong to the stages (engine policy to ``engines.select``, the intro's words to
``speech.intro``, file names to ``layout``, the manifest to ``publish.manifest``).
``script_issue`` and ``say`` compose the stages the ``script`` and ``say`` commands show.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import ingest, layout, locking, speech, split
from .audio import cover, ffmpeg
from .audio.assemble import Assembled, EditionInfo, assemble_edition
from .cache import AudioCache
from .clipstore import ClipStore
from .edition import EditionName, name_edition
from .engines import MAX_CONCURRENCY, EngineConfig, select
from .engines.base import Batched
from .errors import AudiopaperError, InputError, UsageError
from .fsutil import clean_partials, ensure_writable_dir, remove_empty_dirs
from .ingest.inline import strip_controls
from .models import SPELLINGS, Article, Clip, Edition, Progress, ProgressFn, Script, Spelling, SplitResult, no_progress
from .publish import feed_home, public_base_url, publish_edition, remembered_artwork, write_edition_manifest
from .publish.catalog import EditionRow
from .publish.feed import url_for
from .publish.manifest import RunStats, Timings, edition_folder, manifest_dict
from .resilience import RetryPolicy
from .settings import BITRATES, DEFAULT_BITRATE, Show, SiteSettings
from .speech.intro import intro_script
from .synth import SynthOptions, SynthTimer, synthesize_edition, synthesize_intro, synthesize_script


@dataclass(frozen=True)
class BuildOptions:
    out: Path = Path("output")
    engine: str = "auto"
    voice: str | None = None
    date: dt.date | None = None
    title: str | None = None
    paper: str | None = None
    #: what podcast apps show about the paper (owner, category, title...) and where OUT
    #: is published; None: what OUT's catalog remembers from the last run, else defaults
    show: Show | None = None
    site: SiteSettings | None = None
    bitrate: int = DEFAULT_BITRATE  # kb/s, mono
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
    #: where the edition was built, the GUIDs it was published under, what the run cost
    out: Path
    published: EditionRow
    stats: RunStats
    engine_reason: str = ""
    #: lines for stderr: articles read by the fallback engine, an intro left out
    warnings: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return bool(self.edition.failed)

    @property
    def manifest(self) -> dict[str, Any]:
        """The document written to ``manifest_path``."""
        return manifest_dict(self.edition, self.out, self.stats, self.published)


Stage = Literal["split", "speech", "synth", "audio", "publish"]


@dataclass
class StageClock:
    """Wall time per stage (a stage entered twice adds up), for the manifest's timings."""

    started: float = field(default_factory=time.perf_counter)
    spent: dict[Stage, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: Stage) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - t0

    def timings(self, engine_s: float) -> Timings:
        s = self.spent.get
        total = time.perf_counter() - self.started
        return Timings(
            total, s("split", 0.0), s("speech", 0.0), s("synth", 0.0), engine_s, s("audio", 0.0), s("publish", 0.0)
        )


@dataclass(frozen=True)
class IssueFacts:
    """An issue split into articles, and the edition it makes: paper (None: not named),
    date and title, and where each came from (``edition.name_edition``)."""

    split: SplitResult
    name: EditionName

    @property
    def paper(self) -> str | None:
        return self.name.paper

    @property
    def date(self) -> dt.date:
        return self.name.date

    @property
    def title(self) -> str:
        return self.name.title
    #: lines for stderr about the issue itself (articles with a headline and no text)
    warnings: tuple[str, ...] = ()


def load_split(paths: Sequence[Path]) -> SplitResult:
    return split.split(ingest.read_issue(paths))


def read_issue(paths: Sequence[Path], options: BuildOptions) -> IssueFacts:
    result = load_split(paths)
    if not result.articles:
        raise AudiopaperError(f"{paths[0]}: no articles found", "check that the file is an issue's text")
    bare = [a.title for a in result.articles if not a.paragraphs]
    if len(bare) == len(result.articles):
        raise InputError(
            f"{paths[0]}: only headlines, no article text ({len(bare)} titles)",
            "give the issue's full text, not its table of contents",
        )
    warnings = (f"{len(bare)} article(s) have a headline and no text, read as the headline alone: {'; '.join(bare[:3])}",)
    # the user's own names go into tags, feeds and pages: no control or direction characters
    name = name_edition(
        result.issue,
        result.articles,
        strip_controls(options.paper or "").strip() or None,
        options.date,
        strip_controls(options.title or "").strip() or None,
    )
    return IssueFacts(result, name, warnings if bare else ())


def check_options(options: BuildOptions) -> str:
    """Everything about the options that can fail, before any long work; returns the
    public base URL of OUT (for links in chapters.json)."""
    base_url = public_base_url(options.out, options.site)  # a bad URL fails now, not after synthesis
    if options.bitrate not in BITRATES:
        raise UsageError(f"--bitrate {options.bitrate}: not an MP3 bitrate", f"choose from {BITRATES}")
    ensure_writable_dir(options.out)
    clean_partials(options.out / layout.EDITIONS)
    if options.use_cache and options.cache_dir is not None:
        ensure_writable_dir(options.cache_dir, "choose another --cache-dir, or build with --no-cache")
    select.check_fallback(options.fallback)
    if not 1 <= options.engine_config.concurrency <= MAX_CONCURRENCY:
        raise UsageError(
            f"--concurrency must be 1 to {MAX_CONCURRENCY}, not {options.engine_config.concurrency}",
            "the online service throttles clients that open more connections",
        )
    if options.cover is not None:
        # re-encoded now too (a second or two), so artwork that cannot fit fails before synthesis
        cover.user_cover_bytes(options.cover, cover.check_user_cover(options.cover))
    return base_url


def open_cache(options: BuildOptions) -> AudioCache:
    cache = AudioCache(None if not options.use_cache else (options.cache_dir or options.out / layout.CACHE))
    cache.clean_stale()
    return cache


def make_edition(
    facts: IssueFacts,
    folder: Path,
    assembled: Assembled,
    cast: select.Cast,
    failed: Sequence[str],
    art: Path,
    intro: Clip,
) -> Edition:
    # The edition is named after the engine that read it: when every article fell back,
    # that is the fallback engine, not the one asked for.
    readers = {a.engine for a in assembled.articles}
    engine = readers.pop() if len(readers) == 1 else cast.main.engine.name
    return Edition(
        date=facts.date,
        paper=facts.paper,
        title=facts.title,
        folder=folder,
        mp3=assembled.mp3,
        duration_s=assembled.duration_s,
        engine=engine,
        voice=cast.main.voice.preset,
        articles=assembled.articles,
        intro_s=assembled.intro_s,
        failed=tuple(failed),
        vtt=assembled.vtt,
        srt=assembled.srt,
        chapters=assembled.chapters,
        cover=art,
        loudness=assembled.loudness,
        decision=cast.decision(),
        paper_from=facts.name.paper_from,
        date_from=facts.name.date_from,
        intro_engine=intro.engine if intro.spans else None,
        intro_fallback=intro.fallback,
    )


def build(paths: Sequence[Path], options: BuildOptions, progress: ProgressFn = no_progress) -> BuildResult:
    made_out = not options.out.exists()
    try:
        return _build(paths, options, progress)
    except BaseException:
        # A failed build leaves no empty folder behind (its edition's own is removed by claim_edition).
        remove_empty_dirs(options.out / layout.EDITIONS, *((options.out,) if made_out else ()))
        raise


@contextlib.contextmanager
def claim_edition(out: Path, date: dt.date, paper: str | None, progress: ProgressFn = no_progress) -> Iterator[Path]:
    """The edition's folder, held by this build alone until it is done (``locking``); a
    second build of the same edition waits here. Left empty, the folder is removed."""
    while True:
        folder = edition_folder(out, date, paper)

        def waiting(folder: Path = folder) -> None:
            where = folder.relative_to(out).as_posix()
            progress(Progress("build", 0, 0, f"waiting for the other build of {where} to finish"))

        with locking.exclusive(folder, waiting) as held:
            # While this build waited, the folder may have been removed (the other build
            # failed) or taken by another paper's edition of the same date: look again.
            if held and edition_folder(out, date, paper) == folder:
                try:
                    yield folder
                finally:
                    remove_empty_dirs(folder / layout.ARTICLES, folder)
                return


def _build(paths: Sequence[Path], options: BuildOptions, progress: ProgressFn) -> BuildResult:
    clock, out = StageClock(), options.out
    base_url = check_options(options)
    with clock.stage("split"):
        facts = read_issue(paths, options)
    feed_home(out, facts.paper)  # one paper per feed: refused before any long work
    cast = select.cast(options.engine, options.voice, options.fallback, options.engine_config)
    main, fallback = cast.main, cast.fallback
    if isinstance(main.engine, Batched):
        main.engine.prepare()  # the model loads while the speech stage runs
    try:
        with clock.stage("speech"):
            lexicon = speech.load_lexicon(options.lexicon)
            script_options = speech.ScriptOptions(lexicon=lexicon, spellings=cast.spellings)
            scripts = [speech.make_script(a, script_options) for a in facts.split.articles]
            # the read-back invariant: any character no voice would say is named here
            speech_warnings = tuple(w for s in scripts for w in speech.script_warnings(s))
            # An engine that schedules its own cores reads the intro in the articles' queue:
            # made now, it names every article, as it will unless one fails.
            early_intro = (
                intro_script(facts.paper, facts.date, [s.article for s in scripts], script_options)
                if isinstance(main.engine, Batched)
                else None
            )
    except BaseException:
        cast.close()  # a model loading in the background is let go
        raise
    with claim_edition(out, facts.date, facts.paper, progress) as folder, ClipStore(folder) as store:
        cache, timer, synth_options = open_cache(options), SynthTimer(), SynthOptions(options.retry)
        try:
            with clock.stage("synth"):
                # each finished article's PCM goes to the store, not the heap, while the model runs
                engine, voice = main.engine, main.voice
                report = synthesize_edition(
                    scripts, engine, voice, cache, timer, synth_options, fallback, progress, store, early_intro
                )
            if not report.clips:
                raise AudiopaperError("every article failed to synthesize: " + "; ".join(report.failed[:3]))
            intro_warnings: tuple[str, ...] = ()
            if report.intro is not None and not report.failed:
                intro_clip = report.intro
            else:
                with clock.stage("speech"):
                    intro = intro_script(facts.paper, facts.date, [s.article for s, _ in report.clips], script_options)
                with clock.stage("synth"):
                    intro_clip, intro_warnings = synthesize_intro(
                        intro, main.engine, main.voice, cache, timer, synth_options, fallback, progress,
                        report.engine_down, store,
                    )  # fmt: skip
        finally:
            cast.close()  # the models need not sit beside the edition's audio
        with clock.stage("audio"):
            # The show's art is undated (apps cache it); the edition's own art carries the date.
            art = cover.write_cover(out, facts.paper, options.cover or remembered_artwork(out))
            episode_art = cover.write_episode_art(folder, facts.paper, facts.date, art)
            source = ", ".join(p.name for p in paths)
            url = url_for(base_url, f"{folder.relative_to(out).as_posix()}/")
            info = EditionInfo(
                facts.paper, facts.date, facts.title, source, url, episode_art, options.chime, options.bitrate
            )
            assembled = assemble_edition(folder, info, intro_clip, report.clips)
        edition = make_edition(facts, folder, assembled, cast, report.failed, art, intro_clip)
        with clock.stage("publish"):
            published = publish_edition(out, edition, options.show, options.site)
        stats = RunStats(clock.timings(timer.engine_s), cache.stats.hits, cache.stats.misses)
        path = write_edition_manifest(out, edition, stats, published)
        warnings = (
            *((facts.name.warning,) if facts.name.warning else ()),
            *facts.warnings,
            *speech_warnings,
            *report.warnings,
            *intro_warnings,
        )
        return BuildResult(edition, path, out, published, stats, cast.choice.reason, warnings)


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
    spellings = (spelling,) if spelling else SPELLINGS
    options = speech.ScriptOptions(lexicon=speech.load_lexicon(lexicon), spellings=spellings)
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
        return ffmpeg.encode_mp3(clip.audio(), clip.sample_rate, out)
    return ffmpeg.write_wav(clip.audio(), clip.sample_rate, out)
