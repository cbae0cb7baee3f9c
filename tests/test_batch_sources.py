"""Which issues a batch finds in its SOURCE arguments, and papers.toml's plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audiopaper.batch.plan import plan, settings_file
from audiopaper.batch.sources import discover
from audiopaper.errors import UsageError
from audiopaper.pipeline import BuildOptions


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# x\n", encoding="utf-8")


def found(root: Path, *sources: str) -> list[tuple[str | None, list[str]]]:
    return [
        (i.date.isoformat() if i.date else None, [p.relative_to(root).as_posix() for p in i.paths])
        for i in discover(list(sources), root)
    ]


def test_a_folder_by_date_is_one_issue_per_day_with_pages_in_page_order(tmp_path: Path) -> None:
    touch(tmp_path, "a/2022-01-28/p10.md", "a/2022-01-28/p2.md", "a/2022-01-27/p1.md", "a/2022-01-27/cover.jpg")
    assert found(tmp_path, "a") == [
        ("2022-01-27", ["a/2022-01-27/p1.md"]),
        ("2022-01-28", ["a/2022-01-28/p2.md", "a/2022-01-28/p10.md"]),
    ]


def test_nested_year_month_day_folders_carry_their_date(tmp_path: Path) -> None:
    touch(tmp_path, "c/2022/01/29/x.html", "d/2019/0206/y.md")
    assert found(tmp_path, "c", "d") == [("2019-02-06", ["d/2019/0206/y.md"]), ("2022-01-29", ["c/2022/01/29/x.html"])]


def test_files_with_one_date_are_one_issue_and_undated_files_their_own(tmp_path: Path) -> None:
    touch(tmp_path, "b/衡阳日报-2022-01-30.txt", "b/20220131-02.md", "b/20220131-01.md", "b/notes.md")
    assert found(tmp_path, "b") == [
        ("2022-01-30", ["b/衡阳日报-2022-01-30.txt"]),
        ("2022-01-31", ["b/20220131-01.md", "b/20220131-02.md"]),
        (None, ["b/notes.md"]),
    ]


def test_a_list_file_and_a_glob_name_sources_and_a_file_is_built_once(tmp_path: Path) -> None:
    touch(tmp_path, "a/2022-01-27/p1.md", "a/2022-01-28/p1.md", "b/20220131.md")
    (tmp_path / "issues.txt").write_text("# the archive\na/2022-01-27\nb/*.md\n", encoding="utf-8")
    assert found(tmp_path, "issues.txt", "a/2022-01-2*") == [
        ("2022-01-27", ["a/2022-01-27/p1.md"]),
        ("2022-01-28", ["a/2022-01-28/p1.md"]),
        ("2022-01-31", ["b/20220131.md"]),
    ]


def test_an_issue_text_is_not_taken_for_a_list_file(tmp_path: Path) -> None:
    (tmp_path / "2022-01-27.txt").write_text("衡阳日报\n\n今天下雪了。\n", encoding="utf-8")
    assert found(tmp_path, "2022-01-27.txt") == [("2022-01-27", ["2022-01-27.txt"])]


@pytest.mark.parametrize(
    ("source", "message"), [("missing", "no such file or folder"), ("x*/*.md", "matches no file"), ("empty", "holds no issue")]
)
def test_a_source_naming_nothing_is_a_usage_error(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=message):
        discover([source], tmp_path)


def test_papers_toml_gives_each_paper_its_sources_settings_and_folder(tmp_path: Path) -> None:
    touch(tmp_path, "hy/2022-01-27/a.md", "xt/20220128.md")
    toml = tmp_path / "papers.toml"
    toml.write_text(
        '[site]\nbase_url = "https://audio.example.org/"\n\n[paper]\nowner_email = "p@example.org"\nbitrate = 48\n\n'
        '[[papers]]\nname = "衡阳日报"\nsources = ["hy"]\nslug = "hengyang"\nvoice = "news-male"\n\n'
        '[[papers]]\nname = "湘潭日报"\nsources = ["xt/*.md"]\nbitrate = 96\n',
        encoding="utf-8",
    )
    issues = plan([], [], BuildOptions(out=tmp_path / "out"), {"engine": "espeak"}, settings_file(toml, None))
    by_paper = {i.plan.name: i for i in issues}
    hy, xt = by_paper["衡阳日报"].plan.options, by_paper["湘潭日报"].plan.options
    assert (hy.slug, hy.voice, hy.bitrate, hy.engine, hy.paper) == ("hengyang", "news-male", 48, "espeak", "衡阳日报")
    assert (xt.slug, xt.voice, xt.bitrate) == (None, None, 96)
    assert by_paper["湘潭日报"].files.date == dt.date(2022, 1, 28)
    assert hy.new_site and hy.request is not None and hy.request.layers[1]["voice"] == "news-male"


def test_paper_names_go_to_every_source_or_one_each(tmp_path: Path) -> None:
    touch(tmp_path, "a/2022-01-27/p.md", "b/2022-01-28/p.md")
    base = BuildOptions(out=tmp_path / "out")
    one = plan([str(tmp_path / "a"), str(tmp_path / "b")], ["甲报"], base, {})
    assert [i.plan.name for i in one] == ["甲报", "甲报"]
    each = plan([str(tmp_path / "a"), str(tmp_path / "b")], ["甲报", "乙报"], base, {})
    assert [i.plan.name for i in each] == ["甲报", "乙报"]
    none = plan([str(tmp_path / "a")], [], base, {})
    assert none[0].plan.name is None


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[papers]]\nname = "甲报"\n\n[[papers]]\nname = "甲报"\n', "named twice"),
        ('[[papers]]\nname = "甲报"\nslug = 3\n', "slug must be a string"),
        ('[[papers]]\nname = "甲报"\nbitrate = 65\n', "not an MP3 bitrate"),
    ],
)
def test_a_bad_papers_toml_is_one_line(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "papers.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        settings_file(path, None)


def test_the_same_text_under_another_dated_folder_has_another_recipe(tmp_path: Path) -> None:
    from audiopaper.models import Voice
    from audiopaper.recipe import RecipeParts, edition_recipe

    text = "# 衡阳日报\n\n## 市图书馆延长开放时间\n\n春节期间，市图书馆每天开放到晚上九点。\n"
    for where in ("data/archive/2022-01-01", "data/archive/2022-01-02", "mnt/archive/2022-01-01"):
        (tmp_path / where).mkdir(parents=True)
        (tmp_path / where / "issue.md").write_text(text, encoding="utf-8")
    parts = RecipeParts("espeak", "1", Voice("news-female", "espeak", "cmn"))

    def recipe(where: str) -> str:
        return edition_recipe([tmp_path / where / "issue.md"], parts)

    # the folder's date names the edition, so it is in the recipe; the archive's place is not
    assert recipe("data/archive/2022-01-01") != recipe("data/archive/2022-01-02")
    assert recipe("data/archive/2022-01-01") == recipe("mnt/archive/2022-01-01")
