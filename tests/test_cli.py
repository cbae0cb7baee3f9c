from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from audiopaper.cli import app

runner = CliRunner()


def test_missing_input_is_one_line_exit_1(tmp_path: Path) -> None:
    r = runner.invoke(app, ["build", str(tmp_path / "nope.md"), "-o", str(tmp_path / "o"), "--engine", "espeak"])
    assert r.exit_code == 1
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "nope.md" in r.stderr and "Traceback" not in r.stderr


def test_empty_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    r = runner.invoke(app, ["build", str(empty), "-o", str(tmp_path / "o"), "--engine", "espeak"])
    assert r.exit_code == 1 and "empty" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_unwritable_output(tiny_issue: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = runner.invoke(app, ["build", str(tiny_issue), "-o", str(blocker / "out"), "--engine", "espeak"])
    assert r.exit_code == 1
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_unknown_engine_is_usage_error(tiny_issue: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "nope"])
    assert r.exit_code == 2 and "kokoro" in r.stderr


def test_build_prints_path_and_json(tiny_issue: Path, tmp_path: Path) -> None:
    r = runner.invoke(
        app, ["build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "espeak", "--date", "2022-01-28"]
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip().endswith("edition.mp3")
    assert "article 1 of 2" in r.stderr
    r = runner.invoke(
        app,
        [
            "build",
            str(tiny_issue),
            "-o",
            str(tmp_path / "o"),
            "--engine",
            "espeak",
            "--date",
            "2022-01-28",
            "--json",
            "-q",
        ],
    )
    doc = json.loads(r.stdout)
    assert doc["schema"] == 1 and doc["cache"]["misses"] == 0
    assert r.stderr == ""  # -q: nothing but the result


def test_voices_and_doctor() -> None:
    r = runner.invoke(app, ["voices", "--json"])
    assert r.exit_code == 0
    engines = {e["engine"]: e for e in json.loads(r.stdout)["engines"]}
    assert "zf_xiaoxiao" in engines["kokoro"]["voices"] and engines["kokoro"]["available"]
    r = runner.invoke(app, ["doctor"])
    assert r.exit_code == 0 and "ffmpeg" in r.stdout


COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_the_commands_are_the_ones_documented() -> None:
    # A new command gets a --help test below by itself; this says the list is not empty.
    assert {"build", "split", "script", "say", "voices", "doctor", "feed", "serve", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_command_has_help(cmd: str) -> None:
    r = runner.invoke(app, [cmd, "--help"])
    assert r.exit_code == 0 and f" {cmd} [OPTIONS]" in r.stdout


# What start-up must not pay for: the audio stack, the model runtime, the word segmenter
# and the text normalizer (issue #15: `--help` stays well under half a second).
HEAVY = ("numpy", "onnxruntime", "jieba", "wetext", "misaki", "pypinyin")


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["serve", "--help"], ["--version"]])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from audiopaper.cli import main\n"
        f"sys.argv = ['audiopaper', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip().splitlines()[-1] == "[]"
    assert r.stdout  # it did print the help (or the version)


def test_max_memory_below_what_any_build_needs_is_refused_before_work(tiny_issue: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    r = runner.invoke(app, ["build", str(tiny_issue), "-o", str(out), "--engine", "kokoro", "--max-memory", "100"])
    assert r.exit_code == 2 and "--max-memory" in r.stderr and "300" in r.stderr
    assert not out.exists()


def test_progress_is_a_live_bar_on_a_terminal(tiny_issue: Path, tmp_path: Path) -> None:
    """On a terminal (a pseudo-terminal here) stderr shows rich's bar, redrawn in place."""
    import os
    import pty
    import subprocess
    import sys

    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "audiopaper", "build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine",
         "espeak", "--date", "2022-01-28"],
        stdout=subprocess.PIPE, stderr=secondary, env=env,
    )  # fmt: skip
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    stdout, _ = proc.communicate(timeout=240)
    os.close(primary)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, screen
    assert stdout.decode().strip().endswith("edition.mp3")
    assert "━" in screen and "2/2" in screen  # the bar and its count
    assert "\x1b[" in screen  # drawn with terminal control sequences, in place
    assert "article 1 of 2" not in screen  # not the plain lines meant for logs
