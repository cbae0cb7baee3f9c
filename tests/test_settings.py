"""Publisher settings: audiopaper.toml, its flags, what OUT remembers, `audiopaper init`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audiopaper.cli import app
from audiopaper.errors import UsageError
from audiopaper.settings import (
    APPLE_CATEGORIES,
    DEFAULT_BITRATE,
    DEFAULT_FEED_LIMIT,
    KEYS,
    Show,
    for_out,
    read_file,
    resolve,
    template,
)

runner = CliRunner()


def write(tmp_path: Path, text: str, name: str = "audiopaper.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_file_the_defaults_are_what_audiopaper_did_before() -> None:
    settings = resolve([])
    assert settings.paper.show == Show()
    assert settings.paper.show.category == "News" and settings.paper.show.language == "zh-cn"
    assert settings.paper.show.explicit is False and settings.paper.show.owner_email is None
    assert settings.paper.engine == "auto" and settings.paper.voice is None and settings.paper.name is None
    assert settings.paper.bitrate == DEFAULT_BITRATE == 64
    assert settings.paper.show.feed_limit == DEFAULT_FEED_LIMIT
    assert settings.site.base_url is None  # the loopback address `serve` answers on


def test_init_writes_every_key_commented_and_each_example_is_valid(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "audiopaper.toml")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "audiopaper.toml").read_text(encoding="utf-8")
    assert read_file(tmp_path / "audiopaper.toml") == {}  # all commented out: the defaults hold
    written = set(re.findall(r"^# (\w+) = ", text, re.M))
    assert written == set(KEYS)
    # Uncommented, every example parses and passes the checks.
    live = write(tmp_path, re.sub(r"^# (\w+ = )", r"\1", text, flags=re.M), "live.toml")
    layer = read_file(live)
    assert set(layer) == set(KEYS)
    assert layer["artwork"] == tmp_path / "cover.jpg"  # relative to the file
    again = runner.invoke(app, ["init", str(tmp_path / "audiopaper.toml")])
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert runner.invoke(app, ["init", str(tmp_path / "audiopaper.toml"), "--force"]).exit_code == 0


def test_template_mentions_every_flag() -> None:
    text = template()
    for key in KEYS.values():
        assert key.flag.split("/")[0] in text


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[paper]\nowner_mail = "a@b.org"\n', "did you mean 'owner_email'"),
        ('[paper]\ncategory = "Newz"\n', "did you mean 'News'"),
        ('[paper]\ncategory = "News"\nsubcategory = "Comedy Interviews"\n', "not a subcategory of News"),
        ('[paper]\nowner_email = "nobody"\n', "not an e-mail address"),
        ("[paper]\nbitrate = 65\n", "not an MP3 bitrate"),
        ('[paper]\nlanguage = "Chinese (China)"\n', "not a language code"),
        ('[paper]\nexplicit = "no"\n', "must be true or false"),
        ("[paper]\nfeed_limit = -1\n", "feed_limit"),
        ('[site]\nbase_url = "ftp://example.org/"\n', "not an http(s) URL"),
        # [papers] is a typo of [paper] (several papers are [[papers]] tables)
        ('[papers]\ntitle = "x"\n', "did you mean [paper]"),
        ('[pappers]\ntitle = "x"\n', "unknown setting 'pappers'"),
        ('[[papers]]\ntitle = "x"\n', "every paper needs its name"),
        ('[[papers]]\nname = "甲报"\nsources = 3\n', "sources must be a list"),
        ('[[papers]]\nname = "甲报"\nowner = "x"\n', "unknown setting 'owner'"),
        ('[paper]\ntitle = "unclosed\n', "not valid TOML"),
    ],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path: Path, toml: str, message: str) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(UsageError) as caught:
        read_file(path)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_categories_are_checked_against_apples_list_and_spelled_its_way(tmp_path: Path) -> None:
    path = write(tmp_path, '[paper]\ncategory = "society & culture"\nsubcategory = "places & travel"\n')
    show = resolve([read_file(path)]).paper.show
    assert (show.category, show.subcategory) == ("Society & Culture", "Places & Travel")
    assert "Daily News" in APPLE_CATEGORIES["News"] and APPLE_CATEGORIES["Technology"] == ()
    none = resolve([{"category": "Technology", "subcategory": ""}]).paper.show
    assert none.subcategory is None


def test_flag_wins_over_file_which_wins_over_what_out_remembers(tmp_path: Path) -> None:
    from audiopaper.publish import catalog

    out = tmp_path / "out"
    out.mkdir()
    with catalog.connect(out) as conn:
        catalog.remember_settings(
            conn, {"title": "记得的标题", "owner_email": "old@example.org", "base_url": "https://old.example.org/"}
        )
    config = write(tmp_path, '[paper]\ntitle = "文件里的标题"\n[site]\nbase_url = "https://file.example.org/"\n')
    settings = for_out(out, {"base_url": "https://flag.example.org/x"}, config)
    assert settings.site.base_url == "https://flag.example.org/x/"  # the flag
    assert settings.paper.show.title == "文件里的标题"  # the file
    assert settings.paper.show.owner_email == "old@example.org"  # OUT's memory
    assert settings.paper.show.category == "News"  # the default
    assert settings.source == config
    # "" clears what OUT remembers
    assert for_out(out, {"owner_email": ""}, config).paper.show.owner_email is None


def test_the_file_is_found_in_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, '[paper]\nname = "邵阳日报"\nvoice = "news-male"\nengine = "espeak"\n')
    monkeypatch.chdir(tmp_path)
    settings = for_out(tmp_path / "out", {})
    assert (settings.paper.name, settings.paper.voice, settings.paper.engine) == ("邵阳日报", "news-male", "espeak")
    assert settings.source == tmp_path / "audiopaper.toml"
    assert for_out(tmp_path / "out", {"engine": "kokoro"}).paper.engine == "kokoro"


def test_old_catalogs_remember_their_base_url_title_and_limit(tmp_path: Path) -> None:
    from audiopaper.publish import catalog, remembered

    with catalog.connect(tmp_path) as conn:
        for key, value in (("base_url", "https://example.org/p/"), ("title", "旧标题"), ("limit", "7")):
            catalog.set_meta(conn, key, value)
    assert remembered(tmp_path) == {"base_url": "https://example.org/p/", "title": "旧标题", "feed_limit": 7}


def test_cli_rejects_a_bad_settings_file_before_any_work(tiny_issue: Path, tmp_path: Path) -> None:
    config = write(tmp_path, '[paper]\ncategory = "Gossip"\n', "bad.toml")
    out = tmp_path / "o"
    result = runner.invoke(app, ["build", str(tiny_issue), "-o", str(out), "--config", str(config)])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.toml" in lines[0] and "Gossip" in lines[0]
    assert not out.exists()
    bad_flag = runner.invoke(app, ["build", str(tiny_issue), "-o", str(out), "--bitrate", "100"])
    assert bad_flag.exit_code == 2 and "bitrate" in bad_flag.stderr
