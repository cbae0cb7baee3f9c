from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from lxml import etree

from audiopaper.audio.ffmpeg import ffmpeg_exe
from audiopaper.pipeline import BuildOptions, BuildResult, build

from .conftest import TINY_ISSUE, Built


def decodes(path: Path) -> bool:
    r = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "null", "-"], capture_output=True)
    return r.returncode == 0 and not r.stderr.strip()


def mp3_params(path: Path) -> tuple[int, int, int]:
    from mutagen.mp3 import MP3

    info = MP3(path).info
    return info.sample_rate, info.channels, info.bitrate


def test_layout_manifest_and_audio(built_edition: Built) -> None:
    out = built_edition.out
    folder = out / "editions" / "2022-01-28"
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert doc["schema"] == 1
    assert doc["edition"]["date"] == "2022-01-28"
    assert doc["edition"]["mp3"] == "edition.mp3"
    assert set(doc["timings"]) == {"total_s", "split_s", "speech_s", "synth_s", "engine_s", "audio_s", "publish_s"}
    assert doc["cache"]["misses"] > 0 and doc["cache"]["hits"] == 0
    titles = [a["title"] for a in doc["articles"]]
    assert titles == ["衡阳迎来降雪", "市图书馆延长开放时间"]
    starts = [a["start_s"] for a in doc["articles"]]
    assert starts == sorted(starts) and starts[0] > 0
    for art in doc["articles"]:
        mp3 = folder / art["mp3"]
        assert art["mp3"].isascii() and art["id"].startswith(f"{art['index']:02d}-")
        assert decodes(mp3)
        assert (folder / art["vtt"]).read_text(encoding="utf-8").startswith("WEBVTT")
    edition = folder / "edition.mp3"
    assert decodes(edition)
    rate, channels, bitrate = mp3_params(edition)
    assert rate >= 22050 and channels == 1 and bitrate >= 48000
    total = sum(a["duration_s"] for a in doc["articles"])
    assert doc["edition"]["duration_s"] > total
    # nothing half-written left behind
    assert not [p for p in out.rglob("*") if ".part" in p.name]


def test_feed_has_exact_enclosure_and_stable_guid(built_edition: Built, edition_copy: Path) -> None:
    out = edition_copy
    root = etree.parse(str(out / "feed.xml")).getroot()
    channel = root.find("channel")
    assert channel.findtext("language") == "zh-cn"
    items = channel.findall("item")
    assert len(items) == 1
    enclosure = items[0].find("enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length")) == (out / "editions/2022-01-28/edition.mp3").stat().st_size
    guid = items[0].findtext("guid")
    assert items[0].findtext("pubDate").endswith("+0800")
    assert items[0].findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}duration").count(":") == 2
    build([built_edition.issue], BuildOptions(out=out, engine="espeak", date=dt.date(2022, 1, 28)))
    again = etree.parse(str(out / "feed.xml")).getroot().find("channel").findall("item")
    assert len(again) == 1 and again[0].findtext("guid") == guid


def test_rebuild_is_free_and_a_change_resynthesizes_one_article(
    built_edition: Built, edition_copy: Path, tiny_issue: Path
) -> None:
    out, first = edition_copy, built_edition.result
    assert isinstance(first, BuildResult)
    second = build([tiny_issue], BuildOptions(out=out, engine="espeak", date=dt.date(2022, 1, 28)))
    assert second.manifest["cache"]["misses"] == 0
    assert second.manifest["cache"]["hits"] == first.manifest["cache"]["misses"]
    tiny_issue.write_text(TINY_ISSUE.replace("每天开放到晚上九点", "每天开放到晚上十点"), encoding="utf-8")
    third = build([tiny_issue], BuildOptions(out=out, engine="espeak", date=dt.date(2022, 1, 28)))
    assert third.manifest["cache"]["misses"] == 1


def test_no_cache_synthesizes_everything(tiny_issue: Path, tmp_path: Path) -> None:
    opts = BuildOptions(out=tmp_path / "o", engine="espeak", date=dt.date(2022, 1, 28), use_cache=False)
    build([tiny_issue], opts)
    again = build([tiny_issue], opts)
    assert again.manifest["cache"]["hits"] == 0
    assert not (tmp_path / "o" / ".cache").exists()


def test_kokoro_build_of_a_tiny_issue(tmp_path: Path) -> None:
    issue = tmp_path / "t.md"
    issue.write_text("## 降雪\n\n今天衡阳下雪了。\n\n## 开放\n\n图书馆开放到九点。\n", encoding="utf-8")
    result = build([issue], BuildOptions(out=tmp_path / "o", engine="kokoro", date=dt.date(2022, 1, 28)))
    doc = result.manifest
    assert doc["edition"]["engine"] == "kokoro"
    assert doc["timings"]["engine_s"] > 0
    assert doc["timings"]["engine_s"] <= doc["timings"]["synth_s"] <= doc["timings"]["total_s"]
    assert decodes(result.edition.mp3)
    rate, channels, _ = mp3_params(result.edition.mp3)
    assert rate == 24000 and channels == 1
