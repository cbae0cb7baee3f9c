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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from . import ingest, isolated, layout, locking, speech, split
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
from .publish import (
    HomeSettings,
    home_settings,
    public_base_url,
    publish_home_edition,
    remembered_artwork,
    write_edition_manifest,
)
from .publish.catalog import EditionRow
from .publish.feed import DEFAULT_BASE_URL, url_for
from .publish.homes import Home, home_for
from .publish.manifest import BuildRecord, RunStats, Timings, edition_folder, manifest_dict
from .recipe import RecipeParts, edition_recipe
from .resilience import RetryPolicy
from .settings import BITRATES, DEFAULT_BITRATE, Request, Show, SiteSettings
from .speech.intro import IntroParts
from .speech.stage import SpokenIssue, speak_issue
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
    #: the flags and settings file of the run: when given, the show and URL are resolved
    #: from them over the memory of the paper's home, once the paper is known
    request: Request | None = None
    #: a new OUT becomes a site of several papers (batch), not a one-paper folder
    new_site: bool = False
    #: the paper's folder in a site (None: from its name)
    slug: str | None = None


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
    record: BuildRecord | None = None

    @property
    def partial(self) -> bool:
        return bool(self.edition.failed)

    @property
    def manifest(self) -> dict[str, Any]:
        """The document written to ``manifest_path``."""
        return manifest_dict(self.edition, self.out, self.stats, self.published, self.record)


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

    def add(self, name: Stage, seconds: float) -> None:
        """Time spent on a stage elsewhere (a batch's synthesis, spread over its workers)."""
        self.spent[name] = self.spent.get(name, 0.0) + seconds

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
    #: lines for stderr about the issue itself (articles with a headline and no text)
    warnings: tuple[str, ...] = ()

    @property
    def paper(self) -> str | None:
        return self.name.paper

    @property
    def date(self) -> dt.date:
        return self.name.date

    @property
    def title(self) -> str:
        return self.name.title


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
    warnings = (
        f"{len(bare)} article(s) have a headline and no text, read as the headline alone: {'; '.join(bare[:3])}",
    )
    # the user's own names go into tags, feeds and pages: no control or direction characters
    name = name_edition(
        result.issue,
        result.articles,
        strip_controls(options.paper or "").strip() or None,
        options.date,
        strip_controls(options.title or "").strip() or None,
    )
    return IssueFacts(result, name, warnings if bare else ())


def check_options(options: BuildOptions) -> None:
    """Everything about the options that can fail, before any long work."""
    public_base_url(options.out, options.site)  # a bad URL fails now, not after synthesis
    if options.bitrate not in BITRATES:
        raise UsageError(f"--bitrate {options.bitrate}: not an MP3 bitrate", f"choose from {BITRATES}")
    ensure_writable_dir(options.out)
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


def cache_root(options: BuildOptions) -> Path | None:
    """Where synthesized audio is kept: ``--cache-dir``, else OUT/.cache (shared by every
    paper of a site: the cache is keyed by content)."""
    return None if not options.use_cache else (options.cache_dir or options.out / layout.CACHE)


def open_cache(options: BuildOptions) -> AudioCache:
    cache = AudioCache(cache_root(options))
    cache.clean_stale()
    return cache


def settings_for(home: Home, options: BuildOptions) -> HomeSettings:
    """The show and URL the edition is published with in its home: resolved from the
    run's request over the home's memory, else the ``show`` and ``site`` given (else the
    memory)."""
    if options.request is not None:
        return home_settings(home, options.request.layers, options.request.where)
    memory = home_settings(home, ())
    site = memory.site
    if options.site is not None:
        base = home.url(options.site.base_url or DEFAULT_BASE_URL)
        moved = home.url(options.site.moved_to) if options.site.moved_to else None
        site = SiteSettings(base, moved)
    asked = {"base_url": options.site.base_url, "moved_to": options.site.moved_to} if options.site else {}
    return HomeSettings(options.show or memory.show, site, asked)


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


@dataclass(frozen=True)
class Prepared:
    """An issue ready for synthesis: read, named, placed in its paper's home, and
    scripted; everything before the engine is asked for audio."""

    paths: tuple[Path, ...]
    facts: IssueFacts
    home: Home
    folder: Path  # the edition's folder in its home
    scripts: tuple[Script, ...]
    intro_parts: IntroParts
    settings: HomeSettings
    record: BuildRecord  # its recipe and public URL, for the manifest
    #: the edition's name warning, the issue's own and the speech stage's read-back warnings
    warnings: tuple[str, ...] = ()

    def intro(self, articles: Sequence[Article]) -> Script:
        """The intro (导读) naming ``articles``, the ones that could be read."""
        return self.intro_parts.script(articles)


def _edition_url(settings: HomeSettings, home: Home, folder: Path) -> str:
    return url_for(settings.site.base_url or DEFAULT_BASE_URL, f"{folder.relative_to(home.path).as_posix()}/")


def prepare(
    paths: Sequence[Path],
    options: BuildOptions,
    cast: select.Cast,
    clock: StageClock,
    facts: IssueFacts | None = None,
    recipe: str | None = None,
    isolate: bool = False,
) -> Prepared:
    """Read, name and script an issue, and place its edition in its paper's home (a
    paper OUT cannot take is refused here, before any synthesis). The folder is claimed
    (``claimed``) only when synthesis starts."""
    if facts is None:
        with clock.stage("split"):
            facts = read_issue(paths, options)
    # one paper per feed: refused before any long work; in a site, the paper's folder
    home = home_for(options.out, facts.paper, new_site=options.new_site, slug=options.slug)
    settings = settings_for(home, options)
    with clock.stage("speech"):
        args = (facts.split.articles, facts.paper, facts.date, cast.spellings, options.lexicon)
        # Beside a voice model, the stage's dictionaries (~270 MB) would stay in memory
        # for the whole build: a process of its own takes them away when it ends.
        spoken: SpokenIssue = (
            isolated.call(speak_issue, *args, what="the speech stage") if isolate else speak_issue(*args)
        )
    folder = edition_folder(home.path, facts.date, facts.paper)
    record = BuildRecord(recipe or recipe_of(paths, options, cast), _edition_url(settings, home, folder))
    warnings = (*((facts.name.warning,) if facts.name.warning else ()), *facts.warnings, *spoken.warnings)
    return Prepared(tuple(paths), facts, home, folder, spoken.scripts, spoken.intro, settings, record, warnings)


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


@contextlib.contextmanager
def claimed(prepared: Prepared, progress: ProgressFn = no_progress) -> Iterator[Prepared]:
    """``prepared`` with its edition's folder held by this build alone (``claim_edition``)
    from synthesis to its manifest; what killed builds left in it is swept first."""
    home, facts = prepared.home, prepared.facts
    with claim_edition(home.path, facts.date, facts.paper, progress) as folder:
        clean_partials(folder)
        if folder != prepared.folder:  # taken meanwhile by another paper's edition of the date
            record = replace(prepared.record, url=_edition_url(prepared.settings, home, folder))
            prepared = replace(prepared, folder=folder, record=record)
        yield prepared


@dataclass(frozen=True)
class Voiced:
    """What synthesis gave an edition: the clips of the articles that could be read (in
    order), the intro's clip, the failures and warnings, and what the cache answered."""

    clips: tuple[tuple[Script, Clip], ...]
    intro: Clip
    failed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    engine_s: float = 0.0
    cache_hits: int = 0
    cache_misses: int = 0


def finish(
    prepared: Prepared, voiced: Voiced, options: BuildOptions, cast: select.Cast, clock: StageClock
) -> BuildResult:
    """The audio and publish stages: art, the edition's MP3s and transcripts, the
    catalog, feeds and pages of its home, and last its manifest. Call it with the
    edition's folder claimed (``claimed``)."""
    facts, folder, home, settings = prepared.facts, prepared.folder, prepared.home, prepared.settings
    if not voiced.clips:
        raise AudiopaperError("every article failed to synthesize: " + "; ".join(voiced.failed[:3]))
    with clock.stage("audio"):
        # The show's art is undated (apps cache it); the edition's own art carries the date.
        art = cover.write_cover(home.path, facts.paper, options.cover or remembered_artwork(home.path))
        episode_art = cover.write_episode_art(folder, facts.paper, facts.date, art)
        source = ", ".join(p.name for p in prepared.paths)
        info = EditionInfo(
            facts.paper,
            facts.date,
            facts.title,
            source,
            prepared.record.url,
            episode_art,
            options.chime,
            options.bitrate,
        )
        assembled = assemble_edition(folder, info, voiced.intro, voiced.clips)
    edition = make_edition(facts, folder, assembled, cast, voiced.failed, art, voiced.intro)
    with clock.stage("publish"):
        published = publish_home_edition(home, edition, settings)
    stats = RunStats(clock.timings(voiced.engine_s), voiced.cache_hits, voiced.cache_misses)
    path = write_edition_manifest(home.path, edition, stats, published, prepared.record)
    warnings = (*prepared.warnings, *voiced.warnings)
    return BuildResult(edition, path, home.path, published, stats, cast.choice.reason, warnings, prepared.record)


def build(paths: Sequence[Path], options: BuildOptions, progress: ProgressFn = no_progress) -> BuildResult:
    made_out = not options.out.exists()
    try:
        return _build(paths, options, progress)
    except BaseException:
        # A failed build leaves no empty folder behind (its edition's own is removed by claim_edition).
        remove_empty_dirs(options.out / layout.EDITIONS, *((options.out,) if made_out else ()))
        raise


def _build(paths: Sequence[Path], options: BuildOptions, progress: ProgressFn) -> BuildResult:
    clock = StageClock()
    check_options(options)
    with clock.stage("split"):
        facts = read_issue(paths, options)
    home_for(options.out, facts.paper)  # one paper per feed: refused before the engine is chosen
    cast = select.cast(options.engine, options.voice, options.fallback, options.engine_config)
    main, fallback = cast.main, cast.fallback
    # an engine that schedules its own cores holds a model in this process
    batched = main.engine if isinstance(main.engine, Batched) else None
    if batched is not None:
        batched.prepare()  # the model loads while the speech stage runs
    try:
        prepared = prepare(paths, options, cast, clock, facts, isolate=batched is not None)
    except BaseException:
        cast.close()  # a model loading in the background is let go
        raise
    with claimed(prepared, progress) as prepared, ClipStore(prepared.folder) as store:
        cache, timer, synth_options = open_cache(options), SynthTimer(), SynthOptions(options.retry)
        # Such an engine reads the intro in the articles' queue: it names every article, as
        # it will unless one fails (its lines were made with the scripts).
        early_intro = prepared.intro([s.article for s in prepared.scripts]) if batched is not None else None
        try:
            with clock.stage("synth"):
                # each finished article's PCM goes to the store, not the heap, while the model runs
                engine, voice = main.engine, main.voice
                report = synthesize_edition(
                    prepared.scripts, engine, voice, cache, timer, synth_options, fallback, progress, store, early_intro
                )
            if not report.clips:
                raise AudiopaperError("every article failed to synthesize: " + "; ".join(report.failed[:3]))
            intro_warnings: tuple[str, ...] = ()
            if report.intro is not None and not report.failed:
                intro_clip = report.intro
            else:
                intro = prepared.intro([s.article for s, _ in report.clips])
                with clock.stage("synth"):
                    intro_clip, intro_warnings = synthesize_intro(
                        intro, main.engine, main.voice, cache, timer, synth_options, fallback, progress,
                        report.engine_down, store,
                    )  # fmt: skip
        finally:
            cast.close()  # the models need not sit beside the edition's audio
        voiced = Voiced(
            report.clips,
            intro_clip,
            report.failed,
            (*report.warnings, *intro_warnings),
            timer.engine_s,
            cache.stats.hits,
            cache.stats.misses,
        )
        return finish(prepared, voiced, options, cast, clock)


def recipe_of(paths: Sequence[Path], options: BuildOptions, cast: select.Cast) -> str:
    """What an edition is made from (``recipe.edition_recipe``) for this build."""
    return edition_recipe(
        paths,
        RecipeParts(
            engine=cast.main.engine.name,
            engine_version=cast.main.engine.version(),
            voice=cast.main.voice,
            fallback=cast.fallback.engine.name if cast.fallback else None,
            paper=options.paper,
            date=options.date,
            title=options.title,
            bitrate=options.bitrate,
            chime=options.chime,
            lexicon=options.lexicon,
            cover=options.cover,
        ),
    )


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
