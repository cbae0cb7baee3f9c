"""Bad options and bad side files get one line, the hint, and the right exit code, before
any work (issue #16: usage errors, lexicons, --cache-dir, --base-url, --concurrency)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from audiopaper.cli import app
from audiopaper.engines import MAX_CONCURRENCY

from .mounts import read_only


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["build", "x.md", "--concurrency", "abc"], "--concurrency"),
        (["build", "--bogus"], "No such option: --bogus"),
        (["frob"], "No such command 'frob'"),
        (["build"], "Missing argument"),
        (["build", "x.md", "--date", "2022-13-01"], "not a date like"),
        (["serve", "--port", "70000"], "--port"),
    ],
)
def test_usage_errors_are_one_line_with_the_hint(args: list[str], words: str) -> None:
    code, stdout, stderr = run(*args)
    assert code == 2 and stdout == ""
    line = one_line(stderr)
    assert words in line and "--help'" in line
    assert "╭" not in stderr


def test_help_and_version_still_work() -> None:
    assert run("--version")[0] == 0
    code, stdout, _ = run("build", "--help")
    flat = " ".join(stdout.replace("│", " ").split())  # the help's box wraps words anywhere
    assert code == 0 and "--concurrency" in stdout and f"at most {MAX_CONCURRENCY}" in flat


def test_concurrency_is_capped(tiny_issue: Path, tmp_path: Path) -> None:
    code, _, stderr = run("build", str(tiny_issue), "-o", str(tmp_path / "o"), "--concurrency", "1000")
    assert code == 2
    assert f"1 to {MAX_CONCURRENCY}" in one_line(stderr)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("url", ["https://ex ample.org/", "https://example.org:99999/", "https://a..b/"])
def test_a_base_url_that_is_no_url_is_refused(url: str, tiny_issue: Path, tmp_path: Path) -> None:
    code, _, stderr = run("build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "espeak", "--base-url", url)
    assert code == 2
    assert "is not a host name" in one_line(stderr)


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('pinyin = "x"\n', "pinyin = 'x' is not a table"),
        ('respell = ["a"]\n', "respell = ['a'] is not a table"),
        ('[respell]\n"" = "垒阳"\n', "[respell] has an empty word"),
        ('[pinyin]\n"" = ""\n', "[pinyin] has an empty word"),
        ('[pinyin]\n"银行" = "x"\n', "needs one tone syllable per character"),
    ],
)
def test_a_bad_lexicon_is_one_line(toml: str, words: str, tiny_issue: Path, tmp_path: Path) -> None:
    lexicon = tmp_path / "mine.toml"
    lexicon.write_text(toml, encoding="utf-8")
    for args in (["script", str(tiny_issue)], ["build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "espeak"]):
        code, _, stderr = run(*args, "--lexicon", str(lexicon))
        assert code == 2
        assert words in one_line(stderr)


def test_cache_dir_on_a_file_is_one_line(tiny_issue: Path, tmp_path: Path) -> None:
    afile = tmp_path / "cache"
    afile.write_text("x", encoding="utf-8")
    code, _, stderr = run("build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "espeak", "--cache-dir", str(afile))
    assert code == 1
    line = one_line(stderr)
    assert "a file is in the way" in line and "--cache-dir" in line


def test_cache_dir_in_a_read_only_place_is_one_line(tiny_issue: Path, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with read_only(tmp_path / "src", tmp_path / "ro") as ro:
        code, _, stderr = run(
            "build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "espeak", "--cache-dir", str(ro / "c")
        )
    assert code == 1
    line = one_line(stderr)
    assert "cannot write here (Read-only file system)" in line and "--cache-dir" in line
