"""`check` and `feed` on damaged and read-only output folders (issue #16, failure 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from audiopaper.check import check
from audiopaper.cli import app

from .mounts import read_only

CLI = [sys.executable, "-m", "audiopaper"]
MANIFEST = "editions/2022-01-28/manifest.json"
# The fixture is built without settings: its feeds point at 127.0.0.1 and name no owner,
# which check reports on purpose (issue #13); these tests are about other rules.
NO_SETTINGS = {"owner", "loopback"}


def test_check_names_a_garbage_manifest(edition_copy: Path) -> None:
    (edition_copy / MANIFEST).write_bytes(b"\x00\x01garbage{")
    result = CliRunner().invoke(app, ["check", str(edition_copy), "--no-audio"])
    assert result.exit_code == 1
    assert f"{edition_copy / MANIFEST}: not valid JSON" in result.stdout
    assert "[manifest]" in result.stdout


def test_check_names_a_manifest_about_another_edition(edition_copy: Path) -> None:
    path = edition_copy / MANIFEST
    path.write_text(path.read_text(encoding="utf-8").replace('"2022-01-28"', '"2021-12-31"'), encoding="utf-8")
    report = check(edition_copy, {"decode", "loudness", *NO_SETTINGS})
    assert [(p.file, p.rule) for p in report.problems] == [(MANIFEST, "manifest")]
    assert "2021-12-31" in report.problems[0].message


def test_check_and_feed_on_a_read_only_out(edition_copy: Path, tmp_path: Path) -> None:
    with read_only(edition_copy, tmp_path / "ro") as ro:
        checked = subprocess.run([*CLI, "check", str(ro), "--no-audio", "--skip", "owner", "--skip", "loopback"], capture_output=True, text=True)
        fed = subprocess.run([*CLI, "feed", str(ro)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stderr.startswith("ok: 1 editions")
    assert fed.returncode == 1
    lines = fed.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write" in lines[0] and "Read-only" in lines[0], fed.stderr
    assert "move it away" not in fed.stderr


def test_a_damaged_catalog_is_named_as_such(edition_copy: Path) -> None:
    (edition_copy / "catalog.sqlite").write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(app, ["feed", str(edition_copy)])
    assert result.exit_code == 1
    assert "catalog is unreadable" in result.stderr and "move it away" in result.stderr


def test_a_writer_killed_mid_transaction_does_not_lock_readers_out(edition_copy: Path) -> None:
    """kill -9 during publishing leaves a hot journal: check, feed and the next build's
    look at the catalog still work, and the half-done change is rolled back."""
    script = (
        "import os, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('BEGIN IMMEDIATE')\n"
        "conn.execute(\"UPDATE meta SET value = 'https://half.example/' WHERE key = 'base_url'\")\n"
        "conn.execute(\"INSERT OR REPLACE INTO meta VALUES ('base_url', 'https://half.example/')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(edition_copy / "catalog.sqlite")], check=True)
    assert (edition_copy / "catalog.sqlite-journal").exists()
    from audiopaper.publish import public_base_url

    assert public_base_url(edition_copy) == "http://127.0.0.1:8000/"
    report = check(edition_copy, {"decode", "loudness", *NO_SETTINGS})
    assert report.problems == [] and report.editions == 1
