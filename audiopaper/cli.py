"""Command line: parse options, call the library, render results. No logic of its own."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from . import __version__
from .errors import AudiopaperError
from .models import Progress

app = typer.Typer(
    help="Turn a daily newspaper issue into an audio edition: MP3s, chapters, transcripts, a podcast feed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


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
    except KeyboardInterrupt:
        err("interrupted; finished work is kept, rerun to resume")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if code:
        raise typer.Exit(code)


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
    """Progress on stderr: a rich bar on a terminal, plain lines otherwise."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._last = ""

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        eta = f", ETA {int(p.eta_s // 60)}:{int(p.eta_s % 60):02d}" if p.eta_s else ""
        if p.total:
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
            err(line)


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


@app.command()
def build(
    issue: list[Path] = typer.Argument(..., help="The issue's text file(s): pages of one issue, in order."),
    out: Path = typer.Option(Path("output"), "-o", "--out", help="Output folder."),
    engine: str = typer.Option("auto", "--engine", help="auto, kokoro, edge or espeak."),
    voice: str | None = typer.Option(None, "--voice", help="Voice preset (news-female, news-male) or engine voice."),
    date: str | None = typer.Option(None, "--date", help="Edition date, YYYY-MM-DD."),
    title: str | None = typer.Option(None, "--title", help="Edition title."),
    paper: str | None = typer.Option(None, "--paper", help="Paper name (default 衡阳日报)."),
    base_url: str = typer.Option("http://127.0.0.1:8000/", "--base-url", help="Public URL of the output folder."),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Synthesis cache (default OUT/.cache)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Synthesize everything anew."),
    cover: Path | None = typer.Option(
        None, "--cover", help="Artwork to use instead of the drawn one: square PNG or JPEG, 1400-3000 px."
    ),
    no_chime: bool = typer.Option(False, "--no-chime", help="Silence between stories instead of a chime."),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress on stderr."),
) -> None:
    """Build the audio edition of an issue into OUT."""
    from .pipeline import BuildOptions
    from .pipeline import build as run_build

    options = BuildOptions(
        out=out,
        engine=engine,
        voice=voice,
        date=parse_date(date),
        title=title,
        paper=paper,
        base_url=base_url,
        cache_dir=cache_dir,
        use_cache=not no_cache,
        cover=cover,
        chime=not no_chime,
    )

    def body() -> int:
        result = run_build(issue, options, progress=ProgressView(not quiet))
        if not quiet:
            err(f"engine: {result.engine_reason}")
        for failure in result.edition.failed:
            err(f"failed: {failure}")
        if as_json:
            emit_json(result.manifest)
        else:
            typer.echo(str(result.edition.mp3))
        return EXIT_PARTIAL if result.partial else EXIT_OK

    run_guarded(body)


@app.command("split")
def split_cmd(
    issue: list[Path] = typer.Argument(..., help="The issue's text file(s)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (schema 1)."),
) -> None:
    """Show the articles found in an issue."""
    from .pipeline import load_split
    from .render import split_doc, split_outline

    def body() -> int:
        result = load_split(issue)
        for warning in (*result.issue.warnings, *result.warnings):
            err(f"warning: {warning}")
        if as_json:
            emit_json(split_doc(result))
        else:
            typer.echo(split_outline(result))
        return 0

    run_guarded(body)


@app.command("script")
def script_cmd(
    issue: list[Path] = typer.Argument(..., help="The issue's text file(s)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (schema 1)."),
    pinyin: bool = typer.Option(False, "--pinyin", help="Include the pinyin the offline voice reads."),
) -> None:
    """Show the exact text each article will be read as."""
    from . import speech
    from .pipeline import load_split
    from .render import script_doc, script_text

    def body() -> int:
        result = load_split(issue)
        scripts = [speech.make_script(a) for a in result.articles]
        if as_json:
            emit_json(script_doc(scripts, pinyin))
        else:
            typer.echo(script_text(scripts, pinyin))
        return 0

    run_guarded(body)


@app.command()
def say(
    text: str = typer.Argument(..., help="Text to speak."),
    out: Path = typer.Option(..., "-o", "--out", help="Output file (.mp3 or .wav)."),
    engine: str = typer.Option("kokoro", "--engine", help="kokoro, edge or espeak."),
    voice: str | None = typer.Option(None, "--voice", help="Voice preset or engine voice."),
) -> None:
    """Synthesize one snippet (for checking voices and the lexicon)."""
    from .say import say as run_say

    def body() -> int:
        path = run_say(text, out, engine, voice)
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

    def body() -> int:
        report = voices_report(engine)
        if as_json:
            emit_json({"schema": 1, "engines": report})
        else:
            for e in report:
                state = (
                    "available"
                    if e["available"]
                    else f"unavailable: {e['reason']}" + (f" ({e['hint']})" if e["hint"] else "")
                )
                typer.echo(f"{e['engine']}: {state}")
                for v in e["voices"]:
                    typer.echo(f"  {v}")
            from .presets import load_presets

            default, presets = load_presets()
            typer.echo("presets:")
            for name, p in presets.items():
                mark = " (default)" if name == default else ""
                typer.echo(f"  {name}{mark}: " + ", ".join(f"{k}={v}" for k, v in p.voices.items()))
        return 0

    run_guarded(body)


@app.command()
def doctor(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Check what is installed and working: ffmpeg, engines, voices, cache."""
    from .doctor import checks

    def body() -> int:
        results = checks()
        if as_json:
            emit_json({"schema": 1, "checks": results})
        else:
            for c in results:
                typer.echo(f"{'ok ' if c['ok'] else 'NO '} {c['name']}: {c['detail']}")
        return 0 if all(c["ok"] or not c.get("required", True) for c in results) else EXIT_ERROR

    run_guarded(body)


@app.command()
def feed(
    out: Path = typer.Argument(Path("output"), help="Output folder."),
    base_url: str = typer.Option("http://127.0.0.1:8000/", "--base-url", help="Public URL of the output folder."),
    title: str = typer.Option("衡阳日报", "--title", help="Feed title."),
) -> None:
    """Rebuild the feeds and pages from what is in OUT."""
    from .publish.feed import write_feed

    def body() -> int:
        if not out.is_dir():
            raise AudiopaperError(f"{out}: no such output folder", "build an edition first")
        typer.echo(str(write_feed(out, title, base_url)))
        return 0

    run_guarded(body)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
