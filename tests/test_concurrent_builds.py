"""Builds that overlap in one OUT (issue #16, failure 2): the same edition twice, and two
papers of the same date. Real build processes, started a moment apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audiopaper.check import check

from .conftest import EXCERPT
from .test_interrupt import empty_folders, leftovers

CLI = [sys.executable, "-m", "audiopaper"]
DATE = "2022-01-28"


def start(out: Path, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"), AUDIOPAPER_CONFIG=str(tmp_path / "none.toml"))
    args = [*CLI, "build", str(EXCERPT), "-o", str(out), "--engine", "espeak", "--date", DATE, *extra]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(condition, proc: subprocess.Popen[str], timeout_s: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.mark.slow  # two whole builds, one after the other (~20 s)
def test_a_second_build_of_the_same_edition_waits_for_the_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = out / "editions" / DATE
    first = start(out, tmp_path, "-q")
    # Half a second behind: before the lock, the second reached encoding while the first
    # was still encoding, and deleted the first's work folder.
    time.sleep(0.5)
    second = start(out, tmp_path)
    out1, err1 = first.communicate(timeout=180)
    out2, err2 = second.communicate(timeout=180)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "Traceback" not in err1 + err2
    assert "waiting for the other build of editions/2022-01-28 to finish" in err2
    assert out1.strip() == out2.strip() == str(folder / "edition.mp3")
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert doc["cache"]["misses"] == 0  # the second read everything from the first's cache
    assert check(out, {"decode", "loudness", "owner", "loopback"}).problems == []  # built without settings
    assert leftovers(out) == [] and empty_folders(out) == []


@pytest.mark.slow  # two whole builds side by side
def test_builds_of_two_dates_started_together_both_publish(tmp_path: Path) -> None:
    """What held before #16 and must keep holding: different editions do not wait for each other."""
    out = tmp_path / "out"
    a = start(out, tmp_path, "-q")
    b = start(out, tmp_path, "-q", "--date", "2022-01-29")
    (out_a, err_a), (out_b, err_b) = a.communicate(timeout=180), b.communicate(timeout=180)
    assert a.returncode == 0 and b.returncode == 0, err_a + err_b
    assert {Path(out_a.strip()).parent.name, Path(out_b.strip()).parent.name} == {DATE, "2022-01-29"}
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 2
    assert check(out, {"decode", "loudness", "owner", "loopback"}).problems == []  # built without settings
    assert leftovers(out) == []
