"""The command line with edge: exit codes, stderr lines, the auto decision, voices."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audiopaper.cli import app

from .edgefake import closed_port_url, serving

runner = CliRunner()

# Very short articles: the kokoro fallback reads them in a second or two.
SHORT = "## 降雪\n\n今天衡阳下雪了。\n\n## 开放\n\n图书馆开放到九点。\n"


@pytest.fixture
def short_issue(tmp_path: Path) -> Path:
    path = tmp_path / "short.md"
    path.write_text(SHORT, encoding="utf-8")
    return path


def build_args(issue: Path, out: Path, *extra: str) -> list[str]:
    # paper and date given: the issue prints neither, and these tests count warnings
    return ["build", str(issue), "-o", str(out), "--date", "2022-01-28", "--paper", "衡阳日报", *extra]


def test_fallback_none_all_refused_is_exit_1_one_line(
    monkeypatch: pytest.MonkeyPatch, short_issue: Path, tmp_path: Path
) -> None:
    with serving(monkeypatch, "403-always"):
        r = runner.invoke(
            app,
            build_args(short_issue, tmp_path / "o", "--engine", "edge", "--fallback", "none", "--retries", "1", "-q"),
        )
    assert r.exit_code == 1, r.stderr
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: every article failed")
    assert "403" in lines[0] and "Traceback" not in r.stderr


def test_fallback_none_some_refused_is_exit_3(
    monkeypatch: pytest.MonkeyPatch, short_issue: Path, tmp_path: Path
) -> None:
    with serving(monkeypatch, poison="图书馆"):
        r = runner.invoke(
            app, build_args(short_issue, tmp_path / "o", "--engine", "edge", "--fallback", "none", "--retries", "0")
        )
    assert r.exit_code == 3, r.stderr
    assert "failed: 02 开放" in r.stderr and r.stdout.strip().endswith("edition.mp3")


@pytest.fixture(scope="module")
def kokoro_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Shared by the cases below: kokoro reads the short issue once, later cases hit the
    # cache (still kokoro's audio, under kokoro's keys).
    return tmp_path_factory.mktemp("kokoro-cache")


@pytest.mark.parametrize(
    "behaviour",
    # "hang" waits out every request's deadline: it runs with the slow tests
    ["403-always", "no-audio", "close-midway", pytest.param("hang", marks=pytest.mark.slow)],
)
def test_default_fallback_is_kokoro_and_says_so(
    monkeypatch: pytest.MonkeyPatch, short_issue: Path, tmp_path: Path, kokoro_cache: Path, behaviour: str
) -> None:
    with serving(monkeypatch, behaviour) as server:
        t0 = time.perf_counter()
        r = runner.invoke(
            app,
            build_args(
                short_issue,
                tmp_path / "o",
                "--engine",
                "edge",
                "--edge-timeout",
                "5",
                "--retries",
                "1",
                "--cache-dir",
                str(kokoro_cache),
                "--json",
            ),
        )
        elapsed = time.perf_counter() - t0
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [(a["engine"], a.get("fallback")) for a in doc["articles"]] == [("kokoro", True), ("kokoro", True)]
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3 and all("read by kokoro" in w for w in warnings)
    assert "Traceback" not in r.stderr
    if behaviour == "hang":
        # the two article chunks wait out their deadlines side by side: two tries, one
        # backoff; the intro is not sent to a service that answered nothing
        assert 10 <= elapsed < 30 and len(server.stats.requests) == 4


def test_auto_uses_edge_when_the_service_answers(
    monkeypatch: pytest.MonkeyPatch, short_issue: Path, tmp_path: Path
) -> None:
    with serving(monkeypatch):
        r = runner.invoke(app, build_args(short_issue, tmp_path / "o", "--json"))
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["edition"]["engine"] == "edge" and doc["edition"]["engine_reason"].startswith("auto: edge")
    assert "engine: auto: edge (service answered" in r.stderr


@pytest.mark.parametrize("service", ["refusing", "silent"])
def test_auto_without_the_service_is_kokoro_decided_quickly(monkeypatch: pytest.MonkeyPatch, service: str) -> None:
    # The whole build with kokoro is exercised by the fallback tests above; here, the decision.
    import socket

    from audiopaper.engines import select

    with socket.socket() as listener:
        if service == "refusing":
            url = closed_port_url()
        else:  # accepts TCP (the kernel's backlog), never answers the handshake
            listener.bind(("127.0.0.1", 0))
            listener.listen(8)
            url = f"ws://127.0.0.1:{listener.getsockname()[1]}/edge/v1?TrustedClientToken=t"
        monkeypatch.setenv("AUDIOPAPER_EDGE_URL", url)
        t0 = time.perf_counter()
        choice = select.choose("auto")
        elapsed = time.perf_counter() - t0
    assert elapsed < 5 and choice.engine.name == "kokoro"
    reason = choice.reason
    assert reason.startswith("auto: kokoro (offline engine); edge: ")
    assert ("cannot reach 127.0.0.1:" if service == "refusing" else "answer within 3 s") in reason


def test_voices_edge_from_service_or_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch):
        r = runner.invoke(app, ["voices", "--engine", "edge"])
    assert r.exit_code == 0
    assert "edge: available [service]" in r.stdout and "zh-CN-LoopbackNeural" in r.stdout
    monkeypatch.setenv("AUDIOPAPER_EDGE_URL", closed_port_url())
    r = runner.invoke(app, ["voices", "--engine", "edge", "--json"])
    [entry] = json.loads(r.stdout)["engines"]
    assert entry["voices_source"].startswith("shipped list") and "zh-CN-XiaoxiaoNeural" in entry["voices"]


def test_bad_options_are_usage_errors(short_issue: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, build_args(short_issue, tmp_path / "o", "--fallback", "festival"))
    assert r.exit_code == 2 and "--fallback" in r.stderr
    r = runner.invoke(app, build_args(short_issue, tmp_path / "o", "--concurrency", "0"))
    assert r.exit_code == 2
    r = runner.invoke(app, build_args(short_issue, tmp_path / "o", "--engine", "edge", "--voice", "Xiaoxiao"))
    assert r.exit_code == 2 and "Xiaoxiao" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_say_with_edge(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from .test_pipeline import decodes

    with serving(monkeypatch, "403-once", fail_times=3) as server:
        r = runner.invoke(app, ["say", "今天衡阳下雪了。", "-o", str(tmp_path / "x.mp3"), "--engine", "edge"])
    assert r.exit_code == 0, r.stderr
    assert decodes(tmp_path / "x.mp3") and server.stats.completed == 1


def test_say_and_build_accept_the_same_voice_names(
    monkeypatch: pytest.MonkeyPatch, short_issue: Path, tmp_path: Path
) -> None:
    # A voice the shipped list does not name, but the service has: both commands read with it.
    voice = "zh-CN-LoopbackNeural"
    with serving(monkeypatch) as server:
        said = runner.invoke(
            app, ["say", "你好。", "-o", str(tmp_path / "x.mp3"), "--engine", "edge", "--voice", voice]
        )
        built = runner.invoke(app, build_args(short_issue, tmp_path / "o", "--engine", "edge", "--voice", voice, "-q"))
    assert said.exit_code == 0, said.stderr
    assert built.exit_code == 0, built.stderr
    assert {r.voice for r in server.stats.requests} == {voice}
    # and both refuse the same malformed one, as a usage error
    for args in (["say", "你好。", "-o", str(tmp_path / "y.mp3")], build_args(short_issue, tmp_path / "p")):
        r = runner.invoke(app, [*args, "--engine", "edge", "--voice", "Loopback"])
        assert r.exit_code == 2 and "Loopback" in r.stderr
