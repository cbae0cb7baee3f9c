"""Command line: parse options, call the pipeline (or one stage's entry point), render
results with ``render.py``, map errors to one line and an exit code."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer import _click as click  # the click Typer bundles (its exceptions are not click's)
from typer.core import TyperGroup

from . import __version__, interrupts
from .errors import AudiopaperError, UsageError

if TYPE_CHECKING:
    from .models import Progress


class OneLineErrors(TyperGroup):
    """Usage errors (an unknown option, a value that does not parse) as one line with
    the hint, like every other error, instead of Typer's five-line box."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # the help itself
            rv = exc.exit_code
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "audiopaper"
            err(f"error: {exc.format_message()} (see '{where} --help')")
            rv = exc.exit_code
        except typer.Abort:
            err("error: aborted")
            rv = EXIT_ERROR
        code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=OneLineErrors,
    help="Turn a daily newspaper issue into an audio edition: MP3s, chapters, transcripts, a podcast feed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# 2 (usage) comes with the error: UsageError.exit_code, or Typer's own for bad options
EXIT_OK, EXIT_ERROR, EXIT_PARTIAL, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 3, 130, 143


def err(message: str) -> None:
    typer.echo(message, err=True)


def fail(exc: AudiopaperError) -> typer.Exit:
    err(f"error: {exc}")
    return typer.Exit(exc.exit_code)


def run_guarded(fn: Callable[[], int | None]) -> None:
    """Run a command body; library errors become one line and an exit code."""
    try:
        code = fn() or 0
    except AudiopaperError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt as exc:
        raise typer.Exit(interrupted(exc)) from None
    if code:
        raise typer.Exit(code)


def interrupted(exc: BaseException) -> int:
    """Say so in one line; the exit code the shell expects for the signal."""
    interrupts.quiet_unwinding()
    code = interrupts.exit_code(exc)
    what = "terminated" if code == 128 + signal.SIGTERM else "interrupted"
    err(f"{what}; finished work is kept, rerun to resume")
    return code


def emit_json(doc: Any) -> None:
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2022-01-28") from None


class ProgressView:
    """Progress on stderr: a live bar with ETA (rich) on a terminal; elsewhere (logs, CI,
    a pipe) one plain line per change, which stays readable; nothing when disabled.

    Use it as a context manager, so the bar is closed (and the cursor restored) however
    the build ends."""

    def __init__(self, enabled: bool = True, stream: Any = None, live: bool | None = None) -> None:
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.live = enabled and (live if live is not None else _is_terminal(self.stream))
        self._last = ""
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> ProgressView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        if self.live:
            self._update_bar(p)
        else:
            self._line(p)

    def _line(self, p: Progress) -> None:
        eta = f", ETA {_mmss(p.eta_s)}" if p.eta_s else ""
        if p.item:
            # one issue of a batch: its start and its end; the batch's own line counts articles
            if 0 < p.done < p.total:
                return
            line = f"[{p.stage}] {p.message}"
        elif p.total:
            line = (
                f"[{p.stage}] article {min(p.done + 1, p.total)} of {p.total}: {p.message[:24]}"
                if p.done < p.total
                else f"[{p.stage}] {p.total} articles done"
            )
            line += f" ({p.audio_s / 60:.1f} min audio{eta})"
        else:
            line = f"[{p.stage}] {p.message}"
        if line != self._last:
            self._last = line
            print(line, file=self.stream, flush=True)

    def _update_bar(self, p: Progress) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

        if self._bar is None:
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[audio]}"),
                TextColumn("{task.fields[eta]}"),
                TextColumn("{task.fields[note]}", style="dim"),
                console=Console(file=self.stream, stderr=self.stream is sys.stderr),
            )
            self._bar.start()
        task = self._tasks.get(p.stage)
        fields = {
            "audio": f"{p.audio_s / 60:.1f} min audio" if p.total and not p.item else "",
            # the synth stage's own estimate (it knows what the cache will answer)
            "eta": f"ETA {_mmss(p.eta_s)}" if p.eta_s else "",
            "note": p.message[:40],
        }
        if task is None:
            task = self._tasks[p.stage] = self._bar.add_task(p.stage, total=p.total or None, **fields)
        self._bar.update(task, completed=p.done, total=p.total or None, **fields)
        if p.item and p.total and p.done >= p.total:
            # a finished issue of a batch leaves the screen (a year's archive would not fit)
            self._bar.remove_task(task)
            del self._tasks[p.stage]


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _mmss(seconds: float | None) -> str:
    s = int(seconds or 0)
    return f"{s // 60}:{s % 60:02d}"


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"audiopaper {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """audiopaper: a newspaper issue in, an audio edition out."""


# Publisher settings: each key of audiopaper.toml (see settings.py) has a flag, and the
# flag wins. None means "not given here", so the file, then OUT's memory, decide.
CONFIG = typer.Option(None, "--config", help="Settings file (default: audiopaper.toml in the working folder, if any).")
SHOW_TITLE = typer.Option(None, "--show-title", help="The show's title in podcast apps (default: the paper's name).")
DESCRIPTION = typer.Option(None, "--description", help="What the show is, for directories and apps.")
LANGUAGE = typer.Option(None, "--language", help="Language code of the feeds (default zh-cn).")
AUTHOR = typer.Option(None, "--author", help="itunes:author (default: the show's title).")
OWNER_NAME = typer.Option(None, "--owner-name", help="itunes:owner name.")
OWNER_EMAIL = typer.Option(None, "--owner-email", help="itunes:owner e-mail: Apple and Spotify verify ownership by it.")
CATEGORY = typer.Option(None, "--category", help="Apple Podcasts category (default News).")
SUBCATEGORY = typer.Option(None, "--subcategory", help='Apple Podcasts subcategory (default Daily News; "" for none).')
EXPLICIT = typer.Option(None, "--explicit/--no-explicit", help="itunes:explicit (default: not explicit).")
COPYRIGHT = typer.Option(None, "--copyright", help="The feeds' copyright line.")
LOCKED = typer.Option(
    None,
    "--locked/--no-locked",
    help="podcast:locked: no other host may import the feed (default locked, with the owner's e-mail).",
)
BASE_URL = typer.Option(
    None,
    "--base-url",
    help="Public URL of the output folder (default: the last one used, else http://127.0.0.1:8000/).",
)
MOVED_TO = typer.Option(
    None, "--moved-to", help='The feeds\' new base URL after a move: announced with itunes:new-feed-url ("" to stop).'
)
FEED_LIMIT = typer.Option(None, "--feed-limit", min=0, help="At most this many items per feed (default 100; 0: no limit).")
BITRATE = typer.Option(None, "--bitrate", help="MP3 bitrate in kb/s, mono (default 64).")
NO_CACHE = typer.Option(False, "--no-cache", help="Synthesize everything anew.")


def publisher_flags(**flags: Any) -> dict[str, Any]:
    """Flag values by settings key (None: not given)."""
    return {k: v for k, v in flags.items() if v is not None}


@app.command()
def init(
    path: Path = typer.Argument(Path("audiopaper.toml"), help="Where to write the settings file."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
) -> None:
    """Write a commented audiopaper.toml (publisher settings) to fill in."""
    from .settings import write_template

    def body() -> int:
        typer.echo(str(write_template(path, force)))
        return 0

    run_guarded(body)


@app.command()
def build(
    issue: list[Path] = typer.Argument(..., help="The issue's text file(s): pages of one issue, in order."),
    out: Path = typer.Option(Path("output"), "-o", "--out", help="Output folder."),
    config: Path | None = CONFIG,
    engine: str | None = typer.Option(None, "--engine", help="auto (default), or an engine from `audiopaper voices`."),
    voice: str | None = typer.Option(None, "--voice", help="Voice preset (news-female, news-male) or engine voice."),
    date: str | None = typer.Option(None, "--date", help="Edition date, YYYY-MM-DD."),
    title: str | None = typer.Option(None, "--title", help="Edition title."),
    paper: str | None = typer.Option(None, "--paper", help="Paper name (default: as the issue prints it)."),
    show_title: str | None = SHOW_TITLE,
    description: str | None = DESCRIPTION,
    language: str | None = LANGUAGE,
    author: str | None = AUTHOR,
    owner_name: str | None = OWNER_NAME,
    owner_email: str | None = OWNER_EMAIL,
    category: str | None = CATEGORY,
    subcategory: str | None = SUBCATEGORY,
    explicit: bool | None = EXPLICIT,
    copyright_: str | None = COPYRIGHT,
    locked: bool | None = LOCKED,
    base_url: str | None = BASE_URL,
    moved_to: str | None = MOVED_TO,
    feed_limit: int | None = FEED_LIMIT,
    bitrate: int | None = BITRATE,
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Synthesis cache (default OUT/.cache)."),
    no_cache: bool = NO_CACHE,
    fallback: str | None = typer.Option(
        None,
        "--fallback",
        help="Offline engine that reads, whole, an article the online engine could not, or none"
        " (default: the preferred offline engine).",
    ),
    concurrency: int = typer.Option(
        4,
        "--concurrency",
        min=1,
        # engines.MAX_CONCURRENCY, checked with the other options (importing the engines here
        # would slow every command's start)
        help="Most simultaneous connections to an online engine (at most 16).",
    ),
    edge_timeout: float = typer.Option(
        60.0, "--edge-timeout", min=0.1, help="Deadline for one online engine request, seconds."
    ),
    retries: int = typer.Option(3, "--retries", min=0, help="Retries of a failed online request (with backoff)."),
    max_memory: int | None = typer.Option(
        None,
        "--max-memory",
        min=300,
        help="MB the build may use while an offline engine reads: fewer readings run at once to stay within it"
        " (default: 900, or 250 per core on bigger machines, at most half of the free memory; below what the model"
        " itself needs, one at a time). Same audio either way.",
    ),
    cover: Path | None = typer.Option(
        None, "--cover", help="The show's artwork instead of the drawn one: square PNG or JPEG, 1400-3000 px."
    ),
    no_chime: bool = typer.Option(False, "--no-chime", help="Silence between stories instead of a chime."),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
    lexicon: Path | None = typer.Option(None, "--lexicon", help="Your pronunciation lexicon (TOML), on top of ours."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress on stderr."),
) -> None:
    """Build the audio edition of an issue into OUT."""
    from .engines import EngineConfig
    from .pipeline import BuildOptions
    from .pipeline import build as run_build
    from .publish import remembered
    from .resilience import RetryPolicy
    from .settings import request, resolve

    def body() -> int:
        flags = publisher_flags(
            name=paper, title=show_title, description=description, language=language, author=author,
            owner_name=owner_name, owner_email=owner_email, category=category, subcategory=subcategory,
            explicit=explicit, copyright=copyright_, locked=locked, feed_limit=feed_limit, artwork=cover,
            voice=voice, engine=engine, bitrate=bitrate, base_url=base_url, moved_to=moved_to,
        )  # fmt: skip
        # The show and URL are resolved again once the paper is known, over its home's memory.
        asked = request(flags, config)
        settings = resolve([*asked.layers, remembered(out)], where=asked.where)
        paper_settings = settings.paper
        options = BuildOptions(
            out=out,
            engine=paper_settings.engine,
            voice=paper_settings.voice,
            date=parse_date(date),
            title=title,
            paper=paper_settings.name,
            show=paper_settings.show,
            site=settings.site,
            bitrate=paper_settings.bitrate,
            cache_dir=cache_dir,
            use_cache=not no_cache,
            lexicon=lexicon,
            fallback=fallback,
            engine_config=EngineConfig(timeout_s=edge_timeout, concurrency=concurrency, max_memory_mb=max_memory),
            retry=RetryPolicy(attempts=retries + 1),
            cover=paper_settings.artwork,
            chime=not no_chime,
            request=asked,
        )
        with ProgressView(not quiet) as view:
            result = run_build(issue, options, progress=view)
        if not quiet:
            err(f"engine: {result.engine_reason}")
        for warning in result.warnings:
            err(f"warning: {warning}")
        for failure in result.edition.failed:
            err(f"failed: {failure}")
        if as_json:
            emit_json(result.manifest)
        else:
            typer.echo(str(result.edition.mp3))
        return EXIT_PARTIAL if result.partial else EXIT_OK

    run_guarded(body)


@app.command()
def batch(
    source: list[str] = typer.Argument(
        None,
        help="Issues: a folder laid out by date (2022-01-27/*.md), files with dates in their names,"
        " a list file, or a glob (quoted). Optional with --papers.",
        show_default=False,
        metavar="SOURCE",
    ),
    out: Path = typer.Option(Path("output"), "-o", "--out", help="Output folder (one or several papers)."),
    papers: Path | None = typer.Option(
        None, "--papers", help="papers.toml: several papers, each with its sources, folder, title, voice and feed."
    ),
    config: Path | None = CONFIG,
    paper: list[str] = typer.Option(
        [],
        "--paper",
        help="Paper name: once for every SOURCE, or once per SOURCE in order (default: as each issue prints it).",
    ),
    engine: str | None = typer.Option(None, "--engine", help="auto (default), or an engine from `audiopaper voices`."),
    voice: str | None = typer.Option(None, "--voice", help="Voice preset (news-female, news-male) or engine voice."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Workers reading articles on this machine (processes), or Ray actors with --ray."
    ),
    ray: str | None = typer.Option(
        None, "--ray", help="Send articles to Ray actors: a cluster's ADDRESS, or auto for a local Ray instance."
    ),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Synthesis cache folder (default OUT/.cache)."),
    cache_url: str | None = typer.Option(
        None, "--cache-url", help="Synthesis cache every worker reaches, as an fsspec URL (s3://…, file://…)."
    ),
    no_cache: bool = NO_CACHE,
    language: str | None = LANGUAGE,
    owner_name: str | None = OWNER_NAME,
    owner_email: str | None = OWNER_EMAIL,
    category: str | None = CATEGORY,
    subcategory: str | None = SUBCATEGORY,
    explicit: bool | None = EXPLICIT,
    copyright_: str | None = COPYRIGHT,
    locked: bool | None = LOCKED,
    base_url: str | None = BASE_URL,
    moved_to: str | None = MOVED_TO,
    feed_limit: int | None = FEED_LIMIT,
    bitrate: int | None = BITRATE,
    fallback: str | None = typer.Option(
        None, "--fallback", help="Offline engine that reads, whole, an article the online engine could not, or none."
    ),
    concurrency: int = typer.Option(
        4, "--concurrency", min=1, help="Most simultaneous connections to an online engine."
    ),
    edge_timeout: float = typer.Option(
        60.0, "--edge-timeout", min=0.1, help="Deadline for one online request, seconds."
    ),
    retries: int = typer.Option(3, "--retries", min=0, help="Retries of a failed online request (with backoff)."),
    no_chime: bool = typer.Option(False, "--no-chime", help="Silence between stories instead of a chime."),
    lexicon: Path | None = typer.Option(None, "--lexicon", help="Your pronunciation lexicon (TOML), on top of ours."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress on stderr."),
) -> None:
    """Build many issues (of one or several papers) into OUT: one engine load, one work
    queue, each edition published as soon as it is read; a rerun resumes. Exit 3 if any
    issue failed."""
    from .batch import default_publishers, run
    from .batch.plan import plan, settings_file
    from .batch.work import Pool, WorkerSpec, local_pool
    from .engines import EngineConfig
    from .engines.base import plugins
    from .pipeline import BuildOptions
    from .render import batch_doc, batch_table
    from .resilience import RetryPolicy

    def body() -> int:
        if cache_url and (cache_dir or no_cache):
            raise UsageError("--cache-url with --cache-dir or --no-cache", "give one place for the cache")
        flags = publisher_flags(
            language=language, owner_name=owner_name, owner_email=owner_email, category=category,
            subcategory=subcategory, explicit=explicit, copyright=copyright_, locked=locked, feed_limit=feed_limit,
            voice=voice, engine=engine, bitrate=bitrate, base_url=base_url, moved_to=moved_to,
        )  # fmt: skip
        engine_config = EngineConfig(timeout_s=edge_timeout, concurrency=concurrency)
        base = BuildOptions(
            out=out,
            cache_dir=cache_dir,
            use_cache=not no_cache,
            lexicon=lexicon,
            fallback=fallback,
            engine_config=engine_config,
            retry=RetryPolicy(attempts=retries + 1),
            chime=not no_chime,
        )
        issues = plan(source or [], paper, base, flags, settings_file(papers, config))
        # Workers may run elsewhere (Ray actors start in folders of their own): an absolute place.
        cache = cache_url or (None if no_cache else str((cache_dir or out / ".cache").resolve()))
        spec = WorkerSpec(cache, engine_config, base.retry, plugins())
        pool: Pool
        if ray is not None:
            from .batch.cluster import LOCAL, RayPool

            if ray not in LOCAL and cache_url is None and not quiet:
                err(
                    f"note: every Ray worker machine must reach the cache {cache} (a shared folder), else give --cache-url"
                )
            pool = RayPool(spec, ray, workers if workers > 1 else None)
        else:
            pool = local_pool(spec, workers)
        try:
            with ProgressView(not quiet) as view:
                report = run(issues, out, pool, progress=view, publishers=default_publishers())
        except BaseException:
            pool.close(wait=False)
            raise
        pool.close()
        for outcome in report.outcomes:
            where = " ".join(str(x) for x in (outcome.paper, outcome.date) if x) or str(outcome.files[0])
            for warning in outcome.warnings:
                err(f"warning: {where}: {warning}")
            for failure in outcome.failed:
                err(f"failed: {where}: {failure}")
        if as_json:
            emit_json(batch_doc(report))
        else:
            typer.echo(batch_table(report))
        return EXIT_OK if report.ok else EXIT_PARTIAL

    run_guarded(body)


@app.command("split")
def split_cmd(
    issue: list[Path] = typer.Argument(..., help="The issue's text file(s)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (schema 1)."),
    explain: bool = typer.Option(False, "--explain", help="Show each line's label and the rule or score behind it."),
    story_level: int | None = typer.Option(
        None, "--story-level", min=1, max=6, help="Heading level that marks stories (1 for #, 3 for ###)."
    ),
) -> None:
    """Show the articles found in an issue."""
    from . import ingest, split
    from .render import split_doc, split_explain, split_explain_doc, split_outline

    def body() -> int:
        result = split.split(ingest.read_issue(issue), story_level=story_level)
        for warning in (*result.issue.warnings, *result.warnings):
            err(f"warning: {warning}")
        if as_json:
            doc = split_doc(result)
            if explain:
                doc["lines"] = split_explain_doc(result)
            emit_json(doc)
        elif explain:
            typer.echo(split_explain(result))
        else:
            typer.echo(split_outline(result))
        return 0

    run_guarded(body)


@app.command("script")
def script_cmd(
    issue: list[Path] = typer.Argument(..., help="The issue's text file(s)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (schema 1)."),
    pinyin: bool = typer.Option(False, "--pinyin", help="Include the pinyin the offline voice reads."),
    engine: str | None = typer.Option(
        None, "--engine", help="Show the text this engine is sent (default: the preferred offline engine)."
    ),
    lexicon: Path | None = typer.Option(None, "--lexicon", help="Your pronunciation lexicon (TOML), on top of ours."),
    kicker: bool = typer.Option(False, "--kicker", help="Read kickers (the line above a headline)."),
    no_photo_credits: bool = typer.Option(
        False, "--no-photo-credits", help="Drop photo credits instead of reading them."
    ),
) -> None:
    """Show the exact text each article will be read as."""
    from . import speech
    from .pipeline import script_issue
    from .render import script_doc, script_text

    def body() -> int:
        found = script_issue(
            issue, engine, pinyin=pinyin, read_kicker=kicker, photo_credits=not no_photo_credits, lexicon=lexicon
        )
        for script in found.scripts:
            for warning in speech.script_warnings(script):
                err(f"warning: {warning}")
        if as_json:
            emit_json(script_doc(found.scripts, pinyin, found.spelling))
        else:
            typer.echo(script_text(found.scripts, pinyin, found.spelling))
        return 0

    run_guarded(body)


@app.command()
def say(
    text: str = typer.Argument(..., help="Text to speak."),
    out: Path = typer.Option(..., "-o", "--out", help="Output file (.mp3 or .wav)."),
    engine: str | None = typer.Option(
        None, "--engine", help="auto, or an engine from `audiopaper voices` (default: the preferred offline one)."
    ),
    voice: str | None = typer.Option(None, "--voice", help="Voice preset or engine voice."),
    lexicon: Path | None = typer.Option(None, "--lexicon", help="Your pronunciation lexicon (TOML), on top of ours."),
) -> None:
    """Synthesize one snippet (for checking voices and the lexicon)."""
    from .pipeline import say as run_say

    def body() -> int:
        path = run_say(text, out, engine, voice, lexicon)
        typer.echo(str(path))
        return 0

    run_guarded(body)


@app.command()
def voices(
    engine: str | None = typer.Option(None, "--engine", help="Only this engine."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List engines and voices available here, and why an engine is not."""
    from .doctor import voices_report
    from .presets import load_presets
    from .render import voices_doc, voices_text

    def body() -> int:
        report = voices_report(engine, live=engine is not None)
        if as_json:
            emit_json(voices_doc(report))
        else:
            default, presets = load_presets()
            typer.echo(voices_text(report, default, presets))
        return 0

    run_guarded(body)


@app.command()
def doctor(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Check what is installed and working: ffmpeg, engines, voices, cache."""
    from .doctor import checks, healthy
    from .render import doctor_doc, doctor_text

    def body() -> int:
        results = checks()
        if as_json:
            emit_json(doctor_doc(results))
        else:
            typer.echo(doctor_text(results))
        return 0 if healthy(results) else EXIT_ERROR

    run_guarded(body)


@app.command()
def feed(
    out: Path = typer.Argument(Path("output"), help="Output folder."),
    config: Path | None = CONFIG,
    base_url: str | None = BASE_URL,
    moved_to: str | None = MOVED_TO,
    title: str | None = typer.Option(
        None, "--title", "--show-title", help="The show's title (default: the newest edition's paper)."
    ),
    description: str | None = DESCRIPTION,
    language: str | None = LANGUAGE,
    author: str | None = AUTHOR,
    owner_name: str | None = OWNER_NAME,
    owner_email: str | None = OWNER_EMAIL,
    category: str | None = CATEGORY,
    subcategory: str | None = SUBCATEGORY,
    explicit: bool | None = EXPLICIT,
    copyright_: str | None = COPYRIGHT,
    locked: bool | None = LOCKED,
    limit: int | None = typer.Option(
        None, "--limit", "--feed-limit", min=0, help="At most this many items per feed (default 100; 0: no limit)."
    ),
) -> None:
    """Rebuild the feeds and pages from OUT's catalog (with the publisher settings); for
    OUT of several papers, every paper's and the list of papers."""
    from .publish import regenerate, regenerate_site
    from .publish.homes import home_of, is_site
    from .settings import for_out, request

    def body() -> int:
        if not out.is_dir():
            raise AudiopaperError(f"{out}: no such output folder", "build an edition first")
        flags = publisher_flags(
            title=title, description=description, language=language, author=author, owner_name=owner_name,
            owner_email=owner_email, category=category, subcategory=subcategory, explicit=explicit,
            copyright=copyright_, locked=locked, feed_limit=limit, base_url=base_url, moved_to=moved_to,
        )  # fmt: skip
        if is_site(out):
            if title is not None or description is not None or author is not None:
                raise UsageError(
                    f"{out} holds several papers: --title, --description and --author name one",
                    f"give the paper's folder: audiopaper feed {out}/<paper> --title …, or set them in papers.toml",
                )
            done = regenerate_site(out, lambda paper: request(flags, config, paper=paper).layers)
        else:
            if home_of(out) is not None and (base_url is not None or moved_to is not None):
                raise UsageError(
                    f"{out} is one paper of the site {out.resolve().parent}: its URL is the site's",
                    f"audiopaper feed {out.resolve().parent} --base-url … moves every paper",
                )
            settings = for_out(out, flags, config)
            done = [regenerate(out, settings.paper.show, settings.site)]
        for published in done:
            for rel in published.missing:
                err(f"warning: {out / rel} is in the catalog but missing; left out of the feeds (rebuild that edition)")
            for path in (*published.feeds, *published.pages):
                typer.echo(str(path))
        return 0

    run_guarded(body)


@app.command()
def serve(
    out: Path = typer.Argument(Path("output"), help="Output folder."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless you say otherwise)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port (0: any free port)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No request log on stderr."),
) -> None:
    """Serve OUT for podcast apps and browsers (byte ranges, HEAD); Ctrl-C stops."""
    from .serve import make_server, serve_forever, stderr_log, url_of

    def body() -> int:
        server = make_server(out, host, port, log=None if quiet else stderr_log)
        if host not in ("127.0.0.1", "localhost", "::1"):
            err(f"warning: listening on {host}: other machines can reach {out}")
        typer.echo(url_of(server))
        sys.stdout.flush()
        serve_forever(server)
        err("stopped")
        return 0

    run_guarded(body)


@app.command()
def check(
    out: Path = typer.Argument(Path("output"), help="Output folder."),
    no_audio: bool = typer.Option(False, "--no-audio", help="Skip decoding and loudness (the slow part)."),
    skip: list[str] = typer.Option(
        [],
        "--skip",
        help="Leave out a rule (repeatable); rules: catalog, feed, owner, locked, loopback, enclosure, guid, manifest, transcript, cues, chapters, tags, artwork, pages, decode, loudness.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (schema 1)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress on stderr."),
) -> None:
    """Validate OUT: feeds, enclosures, GUIDs, files, tags, chapters, loudness, artwork. Exit 1 on any problem."""
    from .check import AUDIO_RULES
    from .check import check as run_check

    def body() -> int:
        rules = set(skip) | (set(AUDIO_RULES) if no_audio else set())
        report = run_check(out, rules, progress=None if quiet else err)
        if as_json:
            emit_json(report.doc())
        else:
            for problem in sorted(report.problems):
                typer.echo(f"{out / problem.file}: {problem.message} [{problem.rule}]")
        skipped = f" (skipped: {', '.join(report.skipped)})" if report.skipped else ""
        if report.ok:
            err(f"ok: {report.editions} editions, {report.articles} articles, {report.files} MP3s{skipped}")
            return 0
        err(f"{len(report.problems)} problem(s){skipped}")
        return EXIT_ERROR

    run_guarded(body)


def _exit_now(code: int) -> None:
    """Leave at once: after Ctrl-C, do not wait at shutdown for worker threads (a stuck
    DNS lookup, an inference in flight). Every file is written atomically, so nothing
    half-written is left, and the cache keeps what was finished."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def main() -> None:
    interrupts.install()
    try:
        app()
    except SystemExit as exc:
        if exc.code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
            _exit_now(int(exc.code))
        raise
    except KeyboardInterrupt as exc:
        _exit_now(interrupted(exc))
