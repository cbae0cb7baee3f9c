"""The edition's name and date (edition.py) and how they flow through a real build:
the intro, the title, the ID3 tags, the cover, the catalog, the manifest and the feed;
one paper per feed."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from audiopaper import ingest, split
from audiopaper.cli import app
from audiopaper.edition import name_edition, neutral_title

from .audiocheck import read_vtt
from .test_identity import FIXTURES

runner = CliRunner()
NO_NAME = FIXTURES / "plain" / "2023-03-15.txt"
RENMIN = FIXTURES / "renmin-issue.md"


def issue_of(path: Path):  # type: ignore[no-untyped-def]
    result = split.split(ingest.read_issue([path]))
    return result.issue, result.articles


# --- name_edition ----------------------------------------------------------------------


def test_the_issue_names_the_edition() -> None:
    issue, articles = issue_of(RENMIN)
    name = name_edition(issue, articles)
    assert (name.paper, name.date, name.title) == ("人民日报", dt.date(2019, 2, 6), "人民日报 2019年2月6日")
    assert name.paper_from is not None and name.paper_from.cue == "source_line"
    assert name.warning is None


def test_options_win_over_the_input() -> None:
    issue, articles = issue_of(RENMIN)
    name = name_edition(issue, articles, paper="人民日报海外版", date=dt.date(2019, 2, 7))
    assert (name.paper, name.date, name.title) == ("人民日报海外版", dt.date(2019, 2, 7), "人民日报海外版 2019年2月7日")
    assert name.paper_from is not None and name.paper_from.cue == "option" and name.date_from.cue == "option"
    assert name_edition(issue, articles, title="春节特刊").title == "春节特刊"


def test_no_name_gives_a_neutral_title_and_one_warning_naming_the_option() -> None:
    issue, articles = issue_of(NO_NAME)
    name = name_edition(issue, articles)
    assert name.paper is None and name.paper_from is None
    assert name.title == "2023年3月15日 市区新增三处口袋公园"
    assert name.warning is not None and "--paper" in name.warning and "config file" in name.warning
    assert "\n" not in name.warning


def test_no_issue_date_falls_back_to_the_latest_story_date_with_a_warning(tmp_path: Path) -> None:
    undated = tmp_path / "issue.txt"
    undated.write_text(NO_NAME.read_text(encoding="utf-8") + "\n市政府办公室\n2023年3月14日\n", encoding="utf-8")
    issue, articles = issue_of(undated)
    name = name_edition(issue, articles)
    assert name.date == dt.date(2023, 3, 14) and name.date_from.cue == "story_date"
    # one line for both gaps, naming both options
    assert name.warning is not None and "--paper" in name.warning and "--date" in name.warning
    dated = name_edition(issue, articles, paper="某某日报")
    assert dated.warning is not None and "--date" in dated.warning and "--paper" not in dated.warning


def test_neutral_title_skips_a_contents_list_and_shortens_a_long_lead() -> None:
    from audiopaper.models import Article

    contents = Article(index=1, kind="contents", title="本期导读", paragraphs=())
    lead = Article(index=2, kind="article", title="长" * 40, paragraphs=())
    title = neutral_title(dt.date(2023, 3, 15), [contents, lead])
    assert title.startswith("2023年3月15日 长") and title.endswith("…") and "本期导读" not in title


# --- real builds -----------------------------------------------------------------------


def build(issue: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["build", str(issue), "-o", str(out), "--engine", "espeak", "-q", *extra])


@pytest.fixture(scope="module")
def unnamed(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    out = tmp_path_factory.mktemp("unnamed") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(out.parent / "xdg"))
        r = build(NO_NAME, out)
    return SimpleNamespace(out=out, result=r, folder=out / "editions" / "2023-03-15")


@pytest.fixture(scope="module")
def renmin(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    out = tmp_path_factory.mktemp("renmin") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(out.parent / "xdg"))
        r = build(RENMIN, out)
    return SimpleNamespace(out=out, result=r, folder=out / "editions" / "2019-02-06")


def intro_text(folder: Path) -> str:
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    first = doc["articles"][0]["start_s"]
    cues = read_vtt((folder / "edition.vtt").read_text(encoding="utf-8"))
    return "".join(c.text for c in cues if c.end_s <= first)


def id3(path: Path) -> dict[str, str]:
    from mutagen.id3 import ID3

    tags = ID3(path)
    return {key: str(tags[key]) for key in ("TIT2", "TALB", "TPE1") if key in tags}


def test_an_unnamed_issue_builds_with_a_neutral_title_and_exactly_one_warning(unnamed: SimpleNamespace) -> None:
    r = unnamed.result
    assert r.exit_code == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: no paper name found") and "--paper" in lines[0]
    doc = json.loads((unnamed.folder / "manifest.json").read_text(encoding="utf-8"))
    edition = doc["edition"]
    assert edition["paper"] is None and "paper_from" not in edition
    assert edition["title"] == "2023年3月15日 市区新增三处口袋公园"
    assert edition["date_from"]["cue"] == "file_name"


def test_an_unnamed_edition_names_no_paper_anywhere(unnamed: SimpleNamespace) -> None:
    intro = intro_text(unnamed.folder)
    assert intro.startswith("2023年3月15日。") and "本期要目" in intro and "报" not in intro.split("。")[0]
    tags = id3(unnamed.folder / "edition.mp3")
    assert tags["TALB"] == "2023年3月15日 市区新增三处口袋公园" and "TPE1" not in tags
    article = next((unnamed.folder / "articles").glob("*.mp3"))
    assert "TPE1" not in id3(article)
    with sqlite3.connect(unnamed.out / "catalog.sqlite") as conn:
        assert conn.execute("SELECT paper FROM editions").fetchall() == [("",)]
    feed = (unnamed.out / "feed.xml").read_text(encoding="utf-8")
    assert "日报" not in feed
    assert (unnamed.out / "cover.png").is_file()


def test_a_named_issue_is_announced_tagged_and_published_under_its_own_name(renmin: SimpleNamespace) -> None:
    r = renmin.result
    assert r.exit_code == 0, r.stderr
    assert r.stderr.strip() == ""  # paper and date both printed: nothing to warn about
    assert intro_text(renmin.folder).startswith("人民日报，2019年2月6日。")
    tags = id3(renmin.folder / "edition.mp3")
    assert tags["TPE1"] == "人民日报" and tags["TALB"] == "人民日报 2019年2月6日"
    edition = json.loads((renmin.folder / "manifest.json").read_text(encoding="utf-8"))["edition"]
    assert edition["paper"] == "人民日报" and edition["title"] == "人民日报 2019年2月6日"
    assert edition["paper_from"] == {
        "cue": "source_line",
        "text": "《人民日报》（2019年02月06日第 01 版）",
        "where": "renmin-issue.md:3",
    }
    with sqlite3.connect(renmin.out / "catalog.sqlite") as conn:
        assert conn.execute("SELECT paper, date FROM editions").fetchall() == [("人民日报", "2019-02-06")]
    assert "<title>人民日报</title>" in (renmin.out / "feed.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("issue", "extra", "hint"),
    [
        (FIXTURES / "xinwen-lianbo.md", (), "its own output folder"),
        (NO_NAME, (), "--paper 人民日报"),
    ],
)
def test_another_paper_is_not_mixed_into_a_feed(
    renmin: SimpleNamespace, issue: Path, extra: tuple[str, ...], hint: str
) -> None:
    feed = (renmin.out / "feed.xml").read_bytes()
    editions = sorted(p.name for p in (renmin.out / "editions").iterdir())
    r = build(issue, renmin.out, *extra)
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "人民日报" in lines[0] and hint in lines[0]
    assert (renmin.out / "feed.xml").read_bytes() == feed
    assert sorted(p.name for p in (renmin.out / "editions").iterdir()) == editions
