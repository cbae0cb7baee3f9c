"""A real build process killed halfway (SIGKILL, and Ctrl-C), then run again: nothing
truncated is left behind, and the rerun asks the service only for what is missing."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from audiopaper import engines, speech
from audiopaper.pipeline import BuildOptions, read_issue
from audiopaper.speech.intro import intro_script
from audiopaper.synth import chunks_for

from .conftest import EXCERPT
from .edgefake import EdgeServer, serving
from .test_pipeline import decodes

DATE = "2022-01-28"
CLI = [sys.executable, "-m", "audiopaper"]


def chunk_count(issue: Path) -> int:
    """How many requests a build of ``issue`` makes, planned the way the build plans it."""
    edge = engines.create("edge")
    facts = read_issue([issue], BuildOptions(date=dt.date.fromisoformat(DATE)))
    scripts = [speech.make_script(a) for a in facts.split.articles]
    scripts.append(intro_script(facts.paper, facts.date, facts.split.articles))
    return sum(len(chunks_for(edge, sc.sentences)) for sc in scripts)


def start_build(out: Path, server: EdgeServer, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(AUDIOPAPER_EDGE_URL=server.url, XDG_CACHE_HOME=str(tmp_path / "xdg"), NO_PROXY="127.0.0.1")
    env["AUDIOPAPER_CONFIG"] = str(tmp_path / "no-config.toml")
    args = [*CLI, "build", str(EXCERPT), "-o", str(out), "--engine", "edge", "--date", DATE, "--concurrency", "1", "-q"]
    # A user's Ctrl-C reaches a foreground build; when the test run itself was started in
    # the background (nohup, `&`), SIGINT arrives ignored and would stay ignored in the child.
    return subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(condition, timeout_s: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.is_file() and (".part" in p.name or p.name.startswith(".tmp-"))]


def assert_nothing_truncated(out: Path) -> None:
    """Every finished file is whole: MP3s decode, cache entries load."""
    for p in out.rglob("*"):
        if not p.is_file() or p in temp_files(out):
            continue
        if p.suffix == ".mp3":
            assert decodes(p), p
        elif p.suffix == ".npz":
            with np.load(p) as data:
                assert data["pcm"].dtype == np.int16 and len(data["spans"]) > 0


def cached(out: Path) -> int:
    return len([p for p in (out / ".cache").rglob("*.npz") if not p.name.startswith(".tmp-")])


def test_sigkill_halfway_then_rerun_requests_only_missing_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    total = chunk_count(EXCERPT)
    assert total >= 4
    out = tmp_path / "out"
    with serving(monkeypatch, "slow", latency_s=0.7) as server:
        proc = start_build(out, server, tmp_path)
        try:
            wait_for(lambda: server.stats.completed >= total // 2 and cached(out) >= 1, 90)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        first_run = len(server.stats.requests)
    assert proc.returncode == -signal.SIGKILL
    kept = cached(out)
    assert 1 <= kept < total, (kept, total)
    assert_nothing_truncated(out)

    with serving(monkeypatch, "ok") as server:
        proc = start_build(out, server, tmp_path)
        stdout, stderr = proc.communicate(timeout=120)
        second_run = [r.text for r in server.stats.requests]
    assert proc.returncode == 0, stderr.decode()
    assert len(second_run) == total - kept, (first_run, kept, second_run)
    assert len(set(second_run)) == len(second_run)
    assert stdout.decode().strip().endswith("edition.mp3")
    assert temp_files(out) == []
    assert_nothing_truncated(out)
    mp3s = list((out / "editions").rglob("*.mp3"))
    assert len(mp3s) == 3 and all(decodes(p) for p in mp3s)  # two articles and the edition


def test_ctrl_c_is_exit_130_and_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with serving(monkeypatch, "hang") as server:
        proc = start_build(out, server, tmp_path)
        try:
            wait_for(lambda: len(server.stats.requests) >= 1, 90)
            proc.send_signal(signal.SIGINT)
            _stdout, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "interrupted" in lines[0]
    assert temp_files(out) == []
    assert_nothing_truncated(out)
