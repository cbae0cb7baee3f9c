"""What a build says about itself (issue #16, weak spots): which engine really read the
edition and its intro, warnings only when true, text without control characters all the
way to every output, headline-only input refused, and no empty folders after a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from audiopaper.errors import AudiopaperError, InputError
from audiopaper.ingest.inline import _CONTROLS
from audiopaper.pipeline import BuildOptions, build, read_issue
from audiopaper.resilience import RetryPolicy

from .edgefake import serving
from .test_edge_build import DATE, options
from .test_interrupt import empty_folders


def test_when_every_article_fell_back_the_manifest_names_the_engine_that_read(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    with serving(monkeypatch, "403-always"):
        result = build([tiny_issue], options(tmp_path / "o", retry=RetryPolicy(1)))
    head = result.manifest["edition"]
    assert [(a["engine"], a.get("fallback")) for a in result.manifest["articles"]] == [("espeak", True)] * 2
    assert head["engine"] == "espeak" and head["fallback_engine"] == "espeak"
    assert head["intro_engine"] == "espeak" and head["intro_fallback"] is True
    assert sum("the intro" in w for w in result.warnings) == 1


def test_a_partial_build_without_fallback_keeps_and_records_its_intro(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    with serving(monkeypatch, poison="开放到晚上"):
        result = build([tiny_issue], options(tmp_path / "o", fallback="none"))
    assert result.partial and len(result.edition.failed) == 1
    head = result.manifest["edition"]
    assert head["engine"] == "edge" and head["intro_engine"] == "edge" and "intro_fallback" not in head
    assert head["intro_s"] > 1.0  # spoken, not the half second of silence a missing intro leaves
    assert not any("intro" in w for w in result.warnings), result.warnings
    chapters = json.loads((result.edition.folder / "chapters.json").read_text(encoding="utf-8"))
    assert chapters["chapters"][0]["startTime"] == 0


HOSTILE = (
    "## 衡阳\u202e迎来\x07降雪\n\n"
    "衡阳日报讯\u2066（记者 向吟吟）\u200f今天上午，衡阳迎来&#x202E;降雪。\x1b[31m\n\n"
    "## 市图书馆\u0085延长开放时间\n\n春节期间，市图书馆\ufeff每天开放到晚上九点。\n"
)


def test_control_and_direction_characters_reach_no_output(tmp_path: Path) -> None:
    issue = tmp_path / "hostile.md"
    issue.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "o"
    result = build(
        [issue], BuildOptions(out=out, engine="espeak", date=DATE, title="早\u202e报", paper="衡阳\x00日报")
    )
    assert [a.title for a in result.edition.articles] == ["衡阳迎来降雪", "市图书馆延长开放时间"]
    texts = [p for p in out.rglob("*") if p.suffix in (".json", ".xml", ".html", ".vtt", ".srt")]
    assert len(texts) >= 10
    for path in texts:
        found = _CONTROLS.findall(path.read_text(encoding="utf-8"))
        assert found == [], (path, found)
    for mp3 in out.rglob("*.mp3"):
        for frame in ID3(mp3).values():
            assert not _CONTROLS.search(str(frame)), (mp3, frame.FrameID)


def test_an_issue_of_headlines_only_is_refused_in_one_line(tmp_path: Path) -> None:
    issue = tmp_path / "titles.md"
    issue.write_text("# 衡阳日报\n\n## 衡阳迎来降雪\n\n## 市图书馆延长开放时间\n\n## 春节期间天气晴好\n", encoding="utf-8")
    with pytest.raises(InputError, match="only headlines, no article text"):
        build([issue], BuildOptions(out=tmp_path / "o", engine="espeak", date=DATE))
    assert not (tmp_path / "o").exists()


def test_a_headline_without_text_among_articles_is_a_warning(tmp_path: Path) -> None:
    issue = tmp_path / "some.md"
    issue.write_text("## 衡阳迎来降雪\n\n今天上午，衡阳迎来降雪。\n\n## 春节期间天气晴好\n", encoding="utf-8")
    facts = read_issue([issue], BuildOptions(engine="espeak"))
    assert len(facts.split.articles) == 2
    assert facts.warnings == ("1 article(s) have a headline and no text, read as the headline alone: 春节期间天气晴好",)


def test_a_failed_build_leaves_no_empty_folder(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    out = tmp_path / "new" / "out"
    with serving(monkeypatch, "403-always"), pytest.raises(AudiopaperError, match="every article failed"):
        build([tiny_issue], options(out, fallback="none", retry=RetryPolicy(1)))
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    with serving(monkeypatch, "403-always"), pytest.raises(AudiopaperError, match="every article failed"):
        build([tiny_issue], options(existing, fallback="none", retry=RetryPolicy(1)))
    assert existing.is_dir() and empty_folders(existing) == [] and list(existing.iterdir()) == []


def test_an_intro_that_could_not_be_read_is_said_once_and_shown_nowhere(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    # the service cannot read a line only the intro has
    with serving(monkeypatch, poison="本期要目"):
        result = build([tiny_issue], options(tmp_path / "o", fallback="none"))
    assert not result.partial
    assert [w for w in result.warnings if "intro" in w] == [
        "the intro could not be read (no audio received); the edition starts without it"
    ]
    head = result.manifest["edition"]
    assert head["intro_engine"] is None and head["intro_s"] < 1.0
    folder = result.edition.folder
    chapters = json.loads((folder / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    assert [c["title"] for c in chapters] == ["衡阳迎来降雪", "市图书馆延长开放时间"]
    assert chapters[0]["startTime"] == 0
    assert "导读" not in (folder / "index.html").read_text(encoding="utf-8")
