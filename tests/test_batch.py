"""`audiopaper batch` end to end with espeak: several short issues into one OUT, a
rerun that synthesizes nothing, a bad issue reported and skipped, a batch killed with
kill -9 that resumes, several papers in one OUT, and a single build landing where the
batch put the paper."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from audiopaper.cli import app

from .batchfiles import OWNER, PUBLIC, papers_toml, write_archive

runner = CliRunner()
SLUG = "heng-yang-ri-bao"
FLAGS = ("--engine", "espeak", "--base-url", PUBLIC, "--owner-email", OWNER)


def batch(*args: str) -> Any:
    return runner.invoke(app, ["batch", *args])


def summary(out: Path, *args: str) -> tuple[Any, dict[str, Any]]:
    r = batch(*args, "-o", str(out), "--json", "-q")
    return r, json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}


def mp3s(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.mp3"))}


def cache_entries(out: Path) -> int:
    return sum(1 for _ in (out / ".cache").rglob("*.npz"))


def leftovers(out: Path) -> list[str]:
    """Temporary files of writes that never finished."""
    return [p.name for p in out.rglob("*") if p.name.startswith((".tmp-", ".build-")) or ".part" in p.name]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Three days of one paper, batch-built once into a fresh OUT."""
    root = tmp_path_factory.mktemp("batch")
    src = write_archive(root / "archive", 3)
    out = root / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(root / "xdg"))
        mp.setenv("AUDIOPAPER_CONFIG", str(root / "none.toml"))
        r, doc = summary(out, str(src), *FLAGS)
    return SimpleNamespace(root=root, src=src, out=out, result=r, doc=doc)


def test_three_issues_build_into_a_site_that_check_accepts(archive: SimpleNamespace) -> None:
    r, doc = archive.result, archive.doc
    assert r.exit_code == 0, r.stderr
    assert doc["counts"] == {"built": 3, "partial": 0, "skipped": 0, "failed": 0}
    assert [i["date"] for i in doc["issues"]] == ["2022-01-27", "2022-01-28", "2022-01-29"]
    home = archive.out / SLUG
    site = json.loads((archive.out / "papers.json").read_text(encoding="utf-8"))
    assert site["papers"] == [
        {"name": "衡阳日报", "slug": SLUG, "feed": f"{SLUG}/feed.xml", "articles_feed": f"{SLUG}/feed-articles.xml"}
    ]
    assert site["site"]["base_url"] == PUBLIC
    feed = (home / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 3 and f"{PUBLIC}{SLUG}/editions/2022-01-28/edition.mp3" in feed
    top = (archive.out / "index.html").read_text(encoding="utf-8")
    assert f'href="{SLUG}/index.html"' in top and f"{PUBLIC}{SLUG}/feed.xml" in top and "3 期" in top
    with sqlite3.connect(home / "catalog.sqlite") as conn:
        assert conn.execute("SELECT date FROM editions ORDER BY date").fetchall() == [
            ("2022-01-27",),
            ("2022-01-28",),
            ("2022-01-29",),
        ]
    # every issue's articles were read; the notice all three days print was read once
    assert doc["cache"]["misses"] > 0 and doc["cache"]["hits"] > 0
    checked = runner.invoke(app, ["check", str(archive.out), "-q"])
    assert checked.exit_code == 0, checked.stdout


def test_the_summary_table_lists_each_issue(archive: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(archive.out, out)
    r = batch(str(archive.src), "-o", str(out), *FLAGS)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["paper", "date", "status"]
    rows = [ln.split() for ln in lines[1:4]]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("衡阳日报", "2022-01-27", "skipped"),
        ("衡阳日报", "2022-01-28", "skipped"),
        ("衡阳日报", "2022-01-29", "skipped"),
    ]
    assert lines[-1].startswith("3 issues: 3 skipped") and "0 chunks synthesized" in lines[-1]
    # progress went to stderr in plain lines (not a terminal): nothing to read here
    assert "[batch]" not in r.stdout


def test_a_rerun_synthesizes_nothing_and_changes_no_file(archive: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(archive.out, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.mp3")}
    r, doc = summary(out, str(archive.src), *FLAGS)
    assert r.exit_code == 0, r.stderr
    assert doc["counts"]["skipped"] == 3 and doc["cache"] == {"hits": 0, "misses": 0}
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.mp3")} == before


def test_an_edited_issue_is_built_again_from_the_cache(archive: SimpleNamespace, tmp_path: Path) -> None:
    out, src = tmp_path / "out", tmp_path / "archive"
    shutil.copytree(archive.out, out)
    shutil.copytree(archive.src, src)
    page = src / "2022-01-28" / "issue.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n## 新增短讯\n\n今天全市天气晴好。\n", encoding="utf-8")
    r, doc = summary(out, str(src), *FLAGS)
    assert r.exit_code == 0, r.stderr
    status = {i["date"]: i["status"] for i in doc["issues"]}
    assert status == {"2022-01-27": "skipped", "2022-01-28": "built", "2022-01-29": "skipped"}
    rebuilt = next(i for i in doc["issues"] if i["status"] == "built")
    # only the new story's sentences (and the intro naming it) were synthesized
    assert 0 < rebuilt["cache"]["misses"] <= 4 and rebuilt["cache"]["hits"] >= 6
    assert rebuilt["articles"] == 3


def test_a_bad_issue_is_reported_and_skipped_while_the_others_finish(archive: SimpleNamespace, tmp_path: Path) -> None:
    src = tmp_path / "archive"
    shutil.copytree(archive.src, src)
    bad = src / "2022-01-30"
    bad.mkdir()
    (bad / "issue.md").write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 50)
    write_archive(src, 1, start=dt.date(2022, 1, 31))
    r, doc = summary(tmp_path / "out", str(src), *FLAGS)
    assert r.exit_code == 3
    status = {i["date"]: i["status"] for i in doc["issues"]}
    assert status == {d: "built" for d in ("2022-01-27", "2022-01-28", "2022-01-29", "2022-01-31")} | {
        "2022-01-30": "failed"
    }
    failed = [ln for ln in r.stderr.splitlines() if ln.startswith("failed:")]
    assert len(failed) == 1 and "2022-01-30" in failed[0] and "issue.md" in failed[0]
    assert "binary" in failed[0] or "not a text" in failed[0] or "no articles" in failed[0]
    assert (tmp_path / "out" / SLUG / "editions" / "2022-01-31" / "manifest.json").is_file()


def test_the_same_text_in_a_new_dated_folder_is_built_not_taken_for_a_finished_edition(tmp_path: Path) -> None:
    # an issue whose date only its folder gives: the same bytes under two dates are two
    # editions (a rerun once took the second for the first and skipped it)
    src, out = tmp_path / "archive", tmp_path / "out"
    text = "## 市图书馆延长开放时间\n\n春节期间，市图书馆每天开放到晚上九点。\n"
    (src / "2022-02-01").mkdir(parents=True)
    (src / "2022-02-01" / "issue.md").write_text(text, encoding="utf-8")
    r, doc = summary(out, str(src), *FLAGS, "--paper", "衡阳日报")
    assert r.exit_code == 0, r.stderr
    assert doc["counts"]["built"] == 1
    (src / "2022-02-02").mkdir()
    shutil.copy(src / "2022-02-01" / "issue.md", src / "2022-02-02" / "issue.md")
    r, doc = summary(out, str(src), *FLAGS, "--paper", "衡阳日报")
    assert r.exit_code == 0, r.stderr
    assert {i["date"]: i["status"] for i in doc["issues"]} == {"2022-02-01": "skipped", "2022-02-02": "built"}
    assert (out / SLUG / "editions" / "2022-02-02" / "manifest.json").is_file()


def test_two_issues_of_one_paper_and_date_in_one_run_fail_the_second_in_one_line(tmp_path: Path) -> None:
    # each edition's folder is held (flock) from reading to its manifest: the second issue
    # naming the same folder must be refused, not wait for this very process
    write_archive(tmp_path / "a", 1)
    write_archive(tmp_path / "b", 1)
    r = subprocess.run(
        [sys.executable, "-m", "audiopaper", "batch", str(tmp_path / "a"), str(tmp_path / "b")]
        + ["-o", str(tmp_path / "out"), *FLAGS, "--json", "-q"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")},
    )
    assert r.returncode == 3, r.stderr
    doc = json.loads(r.stdout)
    assert [i["status"] for i in doc["issues"]] == ["built", "failed"]
    failed = [ln for ln in r.stderr.splitlines() if ln.startswith("failed:")]
    assert len(failed) == 1 and "is also the edition of" in failed[0] and str(tmp_path / "a") in failed[0]


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "audiopaper", "batch", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )


@pytest.mark.slow  # about 20 s: six issues, a kill, a resume and a full check
def test_a_batch_killed_with_kill_9_resumes_and_synthesizes_only_what_is_missing(tmp_path: Path) -> None:
    src = write_archive(tmp_path / "archive", 6)
    out = tmp_path / "out"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    args = [str(src), "-o", str(out), *FLAGS, "-q"]
    proc = _spawn(args, env)
    deadline = time.monotonic() + 120
    manifests: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        manifests = list(out.glob(f"{SLUG}/editions/*/manifest.json"))
        if manifests:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the batch ended before it could be killed"
    finished_at_kill = len(list(out.glob(f"{SLUG}/editions/*/manifest.json")))
    assert 1 <= finished_at_kill < 6
    entries_at_kill = cache_entries(out)

    r, doc = summary(out, *args[:-1])
    assert r.exit_code == 0, r.stderr
    assert doc["counts"]["skipped"] == finished_at_kill
    assert doc["counts"]["built"] == 6 - finished_at_kill
    # only the missing audio was synthesized: each miss is one new cache entry
    assert doc["cache"]["misses"] == cache_entries(out) - entries_at_kill
    assert doc["cache"]["hits"] > 0
    assert leftovers(out) == []
    checked = runner.invoke(app, ["check", str(out), "-q"])  # decodes every MP3: none is truncated
    assert checked.exit_code == 0, checked.stdout


def test_several_papers_from_a_papers_toml_each_get_their_feed(tmp_path: Path) -> None:
    write_archive(tmp_path / "hy", 2)
    write_archive(tmp_path / "xt", 1, paper="湘潭日报")
    toml = papers_toml(tmp_path / "papers.toml", {"衡阳日报": ("hy", "news-female"), "湘潭日报": ("xt", "yue")})
    out = tmp_path / "out"
    r, doc = summary(out, "--papers", str(toml))
    assert r.exit_code == 0, r.stderr
    assert doc["counts"]["built"] == 3
    site = json.loads((out / "papers.json").read_text(encoding="utf-8"))
    assert [(p["name"], p["slug"]) for p in site["papers"]] == [("衡阳日报", SLUG), ("湘潭日报", "xiang-tan-ri-bao")]
    for slug, title, items in ((SLUG, "衡阳日报有声版", 2), ("xiang-tan-ri-bao", "湘潭日报有声版", 1)):
        feed = (out / slug / "feed.xml").read_text(encoding="utf-8")
        assert f"<title>{title}</title>" in feed and feed.count("<item>") == items
        assert f"{PUBLIC}{slug}/feed.xml" in feed
    xt = json.loads((out / "xiang-tan-ri-bao/editions/2022-01-27/manifest.json").read_text(encoding="utf-8"))
    assert xt["edition"]["engine_voice"] == "yue" and xt["edition"]["paper"] == "湘潭日报"
    top = (out / "index.html").read_text(encoding="utf-8")
    assert "衡阳日报有声版" in top and "湘潭日报有声版" in top
    checked = runner.invoke(app, ["check", str(out), "-q", "--no-audio"])
    assert checked.exit_code == 0, checked.stdout


def test_a_single_build_lands_where_the_batch_put_its_paper_with_the_same_guids(
    archive: SimpleNamespace, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(archive.out, out)
    manifest = out / SLUG / "editions" / "2022-01-28" / "manifest.json"
    before = json.loads(manifest.read_text(encoding="utf-8"))
    r = runner.invoke(app, ["build", str(archive.src / "2022-01-28" / "issue.md"), "-o", str(out), "-q", *FLAGS[:2]])
    assert r.exit_code == 0, r.stderr
    after = json.loads(manifest.read_text(encoding="utf-8"))
    assert after["edition"]["guid"] == before["edition"]["guid"]
    assert [a["guid"] for a in after["articles"]] == [a["guid"] for a in before["articles"]]
    assert after["edition"]["url"] == f"{PUBLIC}{SLUG}/editions/2022-01-28/"  # the site's URL, remembered
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [SLUG, "index.html", "papers.json"]
    # a one-paper OUT (today's layout) built by `build` gives the same GUIDs
    alone = tmp_path / "alone"
    r = runner.invoke(app, ["build", str(archive.src / "2022-01-28" / "issue.md"), "-o", str(alone), "-q", *FLAGS[:2]])
    assert r.exit_code == 0, r.stderr
    single = json.loads((alone / "editions" / "2022-01-28" / "manifest.json").read_text(encoding="utf-8"))
    assert single["edition"]["guid"] == before["edition"]["guid"]
    assert [a["guid"] for a in single["articles"]] == [a["guid"] for a in before["articles"]]


def test_a_batch_into_a_one_paper_folder_keeps_that_layout(archive: SimpleNamespace, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    r = runner.invoke(app, ["build", str(archive.src / "2022-01-27" / "issue.md"), "-o", str(alone), "-q", *FLAGS[:2]])
    assert r.exit_code == 0, r.stderr
    r, doc = summary(alone, str(archive.src), *FLAGS)
    assert r.exit_code == 0, r.stderr
    assert not (alone / "papers.json").exists()
    assert sorted(p.name for p in (alone / "editions").iterdir()) == ["2022-01-27", "2022-01-28", "2022-01-29"]
    # another paper cannot be mixed into that feed: that issue fails, in one line
    other = write_archive(tmp_path / "xt", 1, paper="湘潭日报", start=dt.date(2022, 2, 1))
    r, doc = summary(alone, str(other), *FLAGS)
    assert r.exit_code == 3
    assert doc["issues"][0]["status"] == "failed" and "衡阳日报" in doc["issues"][0]["failed"][0]


def test_worker_processes_make_the_same_mp3s(archive: SimpleNamespace, tmp_path: Path) -> None:
    r, doc = summary(tmp_path / "out", str(archive.src), *FLAGS, "--workers", "2", "--no-cache")
    assert r.exit_code == 0, r.stderr
    assert doc["workers"] == "2 worker processes on this machine"
    assert mp3s(tmp_path / "out") == mp3s(archive.out)


def test_the_cache_can_live_at_an_fsspec_url(archive: SimpleNamespace, tmp_path: Path) -> None:
    pytest.importorskip("fsspec", reason="fsspec comes with the cluster extra")
    shared = tmp_path / "shared-cache"
    url = f"file://{shared}"
    r, doc = summary(tmp_path / "out", str(archive.src / "2022-01-27"), *FLAGS, "--cache-url", url)
    assert r.exit_code == 0, r.stderr
    entries = sum(1 for _ in shared.rglob("*.npz"))
    assert entries == doc["cache"]["misses"] > 0 and not (tmp_path / "out" / ".cache").exists()
    r, doc = summary(tmp_path / "again", str(archive.src / "2022-01-27"), *FLAGS, "--cache-url", url)
    assert r.exit_code == 0 and doc["cache"]["misses"] == 0 and doc["cache"]["hits"] == entries
    assert mp3s(tmp_path / "again") == mp3s(tmp_path / "out")


def test_progress_is_plain_lines_off_a_terminal_and_nothing_with_q(archive: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(archive.out, out)
    shutil.rmtree(out / SLUG / "editions" / "2022-01-29")
    r = batch(str(archive.src), "-o", str(out), *FLAGS)
    assert r.exit_code == 0, r.stderr
    lines = r.stderr.splitlines()
    assert "[衡阳日报 2022-01-29] 2 articles to read" in lines
    assert "[衡阳日报 2022-01-29] published heng-yang-ri-bao/editions/2022-01-29" in lines
    assert any(ln.startswith("[batch] ") and "ETA" in ln for ln in lines)
    shutil.rmtree(out / SLUG / "editions" / "2022-01-29")
    r = batch(str(archive.src), "-o", str(out), *FLAGS, "-q")
    assert r.exit_code == 0 and r.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere/"], "nowhere/: no such file or folder"),
        (["a/", "b/", "--paper", "甲报", "--paper", "乙报", "--paper", "丙报"], "3 --paper names for 2 sources"),
        ([], "nothing to build"),
        (["x/", "--ray", "auto", "--cache-url", "memory://c", "--no-cache"], "--cache-url with --cache-dir or --no-cache"),
    ],
)
def test_usage_errors_are_one_line_before_any_work(tmp_path: Path, args: list[str], message: str) -> None:
    for name in ("a", "b", "x"):
        write_archive(tmp_path / name, 1)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = batch(*args, "-o", str(tmp_path / "out"), "--engine", "espeak")
    finally:
        os.chdir(cwd)
    assert r.exit_code == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not (tmp_path / "out" / ".cache").exists()


def test_ray_without_ray_installed_says_how_to_install_it(
    archive: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what an environment without Ray imports
    r = batch(str(archive.src), "-o", str(tmp_path / "out"), *FLAGS, "--ray", "auto")
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert lines == ["error: --ray needs Ray, which is not installed (pip install 'audiopaper[cluster]')"]


@pytest.mark.slow
def test_a_local_ray_instance_with_two_workers_makes_the_same_mp3s(archive: SimpleNamespace, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="Ray is not installed: pip install 'audiopaper[cluster]'")
    out = tmp_path / "out"
    r, doc = summary(out, str(archive.src), *FLAGS, "--ray", "auto", "--workers", "2")
    assert r.exit_code == 0, r.stderr
    assert doc["workers"] == "2 Ray actors on a local Ray instance"
    assert doc["counts"]["built"] == 3 and doc["cache"]["misses"] > 0
    assert mp3s(out) == mp3s(archive.out)  # espeak reads each sentence alike, whichever worker reads it
    checked = runner.invoke(app, ["check", str(out), "-q", "--no-audio"])
    assert checked.exit_code == 0, checked.stdout


@pytest.mark.slow
def test_an_engine_defined_outside_the_package_reaches_ray_actors(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="Ray is not installed: pip install 'audiopaper[cluster]'")
    from .toneengine import registered

    src = write_archive(tmp_path / "archive", 2)
    for _tone in registered():
        r, doc = summary(tmp_path / "out", str(src), "--engine", "tone", "--ray", "auto", "--workers", "2")
        assert r.exit_code == 0, r.stderr
        manifest = json.loads((tmp_path / "out" / SLUG / "editions/2022-01-27/manifest.json").read_text())
        assert manifest["edition"]["engine"] == "tone" and doc["counts"]["built"] == 2


def test_publishing_one_edition_writes_its_page_alone_until_the_settings_change(
    archive: SimpleNamespace, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(archive.out, out)
    pages = {d: out / SLUG / "editions" / d / "index.html" for d in ("2022-01-27", "2022-01-28", "2022-01-29")}
    for page in pages.values():
        os.utime(page, (1, 1))
    issue = str(archive.src / "2022-01-28" / "issue.md")
    r = runner.invoke(app, ["build", issue, "-o", str(out), "-q", *FLAGS[:2]])
    assert r.exit_code == 0, r.stderr
    assert {d for d, p in pages.items() if p.stat().st_mtime > 1} == {"2022-01-28"}
    # a new show title is on every page: all of them are written again
    r = runner.invoke(app, ["build", issue, "-o", str(out), "-q", *FLAGS[:2], "--show-title", "衡阳新闻有声版"])
    assert r.exit_code == 0, r.stderr
    assert all("衡阳新闻有声版" in p.read_text(encoding="utf-8") for p in pages.values())
