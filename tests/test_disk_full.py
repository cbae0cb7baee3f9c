"""A full disk while caching, encoding and publishing (issue #16): one line that says the
disk is full, nothing half-written, and never feeds ahead of the catalog.

The disk is a real small tmpfs (tests/mounts.py), so ENOSPC comes from the kernel. To
run out at a chosen stage, the test fills the file system from the build's own progress
callback, the moment that stage begins: the build itself is not touched.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audiopaper.cli import app
from audiopaper.errors import AudiopaperError, OutputError
from audiopaper.models import Edition, Progress
from audiopaper.pipeline import BuildOptions, build
from audiopaper.publish import catalog, publish_edition

from .conftest import DATE, TINY_ISSUE, Built
from .mounts import fill, small_fs
from .test_interrupt import leftovers


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_disk_full_while_caching(tiny_issue: Path, tmp_path: Path) -> None:
    with small_fs(tmp_path / "disk", "200k") as disk:
        result = CliRunner().invoke(
            app,
            ["build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "espeak", "--cache-dir", str(disk), "-q"],
        )
        assert result.exit_code == 1
        assert "the disk is full (free some space and rerun; finished work is kept)" in one_line(result.stderr)
        assert leftovers(disk) == []


def after_synthesis(action: Callable[[], None]) -> Callable[[Progress], None]:
    """A progress callback that runs ``action`` once, when every article is synthesized."""
    done = False

    def progress(p: Progress) -> None:
        nonlocal done
        if p.stage == "synth" and p.total and p.done == p.total and not done:
            done = True
            action()

    return progress


def test_disk_full_while_encoding_names_the_cause(built_edition: Built, tmp_path: Path) -> None:
    issue = tmp_path / "tiny.md"
    issue.write_text(TINY_ISSUE, encoding="utf-8")
    with small_fs(tmp_path / "disk", "8m") as disk:
        out = disk / "out"
        options = BuildOptions(out=out, engine="espeak", date=DATE, cache_dir=built_edition.out / ".cache")
        # The audio comes from the shared cache; once it is all there, the disk fills up
        # to the drawn covers' size and a little (the show's and the edition's art are
        # written before encoding).
        art = built_edition.out / "cover.png", built_edition.result.edition.folder / "cover.png"
        room = sum(p.stat().st_size for p in art) + 100_000
        with pytest.raises(AudiopaperError) as caught:
            build([issue], options, progress=after_synthesis(lambda: fill(disk, room)))
        message = str(caught.value)
        assert "the disk is full" in message and "ffmpeg failed" not in message, message
        folder = out / "editions" / "2022-01-28"
        assert message.startswith(f"{folder}: "), message  # where it was writing
        assert leftovers(out) == []
        assert not (out / "feed.xml").exists() and not (out / "catalog.sqlite").exists()


def moved_edition(edition: Edition, out: Path, day: int) -> Edition:
    """The built edition as if it were the next day's: its folder copied under that date."""
    old, new = edition.folder, out / "editions" / edition.date.replace(day=day).isoformat()
    shutil.copytree(old, new)
    for made_by_publishing in ("index.html", "manifest.json"):
        (new / made_by_publishing).unlink()

    def there(path: Path | None) -> Path | None:
        return None if path is None else new / path.relative_to(old)

    articles = tuple(
        replace(a, mp3=there(a.mp3), vtt=there(a.vtt), srt=there(a.srt)) for a in edition.articles
    )
    return replace(
        edition,
        date=edition.date.replace(day=day),
        folder=new,
        mp3=there(edition.mp3),
        vtt=there(edition.vtt),
        srt=there(edition.srt),
        chapters=there(edition.chapters),
        # the show's art, in the copied OUT
        cover=None if edition.cover is None else out / edition.cover.relative_to(old.parent.parent),
        articles=articles,
    )


def test_disk_full_while_publishing_never_leaves_feeds_ahead_of_the_catalog(
    built_edition: Built, tmp_path: Path
) -> None:
    """One edition is published; publishing a second one runs out of disk. The room left
    decides where (the catalog's journal, a feed, a page, the catalog's commit), so the
    test tries every 4 KiB of room from none until publishing fits, and checks each
    failure leaves the published state exactly as it was."""
    failed_at: list[str] = []
    for room in range(0, 400_000, 4096):
        with small_fs(tmp_path / f"disk{room}", "3m") as disk:
            out = disk / "out"
            shutil.copytree(built_edition.out, out, ignore=shutil.ignore_patterns(".cache"))
            second = moved_edition(built_edition.result.edition, out, 29)  # type: ignore[attr-defined]
            shown = [*out.glob("*.xml"), out / "index.html", *out.glob("editions/*/index.html")]
            before = {p: p.read_bytes() for p in shown}
            fill(disk, room)
            try:
                publish_edition(out, second)
            except OutputError as exc:
                assert "the disk is full" in str(exc), exc
                failed_at.append(str(exc).split(": the disk is full")[0].removeprefix(f"{out}/"))
            else:
                break
            with catalog.connect(out, readonly=True) as conn:
                assert [e.date for e in catalog.editions(conn)] == [DATE]
            assert {p: p.read_bytes() for p in shown} == before, failed_at[-1]
            assert not (second.folder / "index.html").exists()
            assert leftovers(out) == []
            assert not list(out.glob("catalog.sqlite-*"))  # no journal left to replay
    else:
        pytest.fail("publishing never fit")
    # the disk filled at each step of publishing: recording, feeds, pages, and the commit
    assert {"catalog.sqlite", "feed.xml", "index.html"} <= set(failed_at), failed_at
    assert failed_at[-1] == "catalog.sqlite", failed_at
