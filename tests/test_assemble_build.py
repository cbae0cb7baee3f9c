"""A whole build (espeak, and kokoro on two sentences) meets the podcast rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from PIL import Image

from audiopaper.pipeline import BuildOptions, build
from audiopaper.speech.intro import intro_script
from audiopaper.split import split

from .audiocheck import ebur128, read_vtt
from .conftest import Built

DATE = dt.date(2022, 1, 28)


def check_edition(out: Path) -> dict:  # type: ignore[type-arg]
    folder = out / "editions" / DATE.isoformat()
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    ed = doc["edition"]
    assert ed["chapters"] == "chapters.json" and ed["vtt"] == "edition.vtt"
    with Image.open(out / ed["cover"]) as img:
        assert img.mode == "RGB" and img.width == img.height >= 1400
    mp3s = [folder / ed["mp3"]] + [folder / a["mp3"] for a in doc["articles"]]
    measured = [ebur128(p) for p in mp3s]
    for p, m in zip(mp3s, measured, strict=True):
        assert abs(m.lufs + 16) <= 1.0 and m.true_peak <= -1.0, (p.name, m)
    art = [m.lufs for m in measured[1:]]
    assert max(art) - min(art) <= 1.0
    assert ed["loudness"]["edition"]["integrated_lufs"] == measured[0].lufs
    assert ed["loudness"]["edition"]["ok"] is True
    # chapters: ID3 and chapters.json agree with the manifest
    tags = ID3(folder / "edition.mp3", translate=False)
    assert tags.version == (2, 3, 0) and len(tags.getall("CTOC")) == 1
    toc = tags.getall("CTOC")[0]
    chaps = [tags[f"CHAP:{i}"] for i in toc.child_element_ids]
    assert len(chaps) == len(doc["articles"]) + 1 and chaps[0].start_time == 0
    for chap, a in zip(chaps[1:], doc["articles"], strict=True):
        assert abs(chap.start_time / 1000 - a["start_s"]) <= 0.25
        assert str(chap.sub_frames["TIT2"]) == a["title"]
    cj = json.loads((folder / "chapters.json").read_text(encoding="utf-8"))
    starts = [c["startTime"] for c in cj["chapters"]]
    assert starts == sorted(starts) and len(starts) == len(chaps)
    assert all(c["url"].endswith(a["mp3"]) for c, a in zip(cj["chapters"][1:], doc["articles"], strict=True))
    cues = read_vtt((folder / "edition.vtt").read_text(encoding="utf-8"))
    assert cues[-1].end_s <= ed["duration_s"] + 0.001
    assert all(b.start_s >= a.end_s - 0.001 for a, b in zip(cues, cues[1:], strict=False))
    return doc


def test_espeak_build_is_podcast_grade(built_edition: Built) -> None:
    out = built_edition.out
    doc = check_edition(out)
    folder = out / "editions" / DATE.isoformat()
    cues = read_vtt((folder / "edition.vtt").read_text(encoding="utf-8"))
    first = doc["articles"][0]["start_s"]
    intro = " ".join(c.text for c in cues if c.end_s <= first)
    # 导读: paper and date, 本期要目, then every title, all before the first story
    assert (
        intro.index("衡阳日报")
        < intro.index("本期要目")
        < intro.index("衡阳迎来降雪")
        < intro.index("市图书馆延长开放时间")
    )
    for a in doc["articles"]:
        assert (folder / a["vtt"]).with_suffix(".srt").is_file()


def test_intro_script_lists_the_titles() -> None:
    from audiopaper.ingest import read_issue
    from tests.conftest import EXCERPT

    articles = split(read_issue([EXCERPT])).articles
    script = intro_script("衡阳日报", DATE, articles)
    sources = [s.source for s in script.sentences]
    assert sources[0] == "衡阳日报，2022年1月28日。"
    assert "本期要目" in sources[1]
    assert [s.rstrip("。") for s in sources[2:]] == [a.title.rstrip("。") for a in articles]
    assert "二零二二年一月二十八日" in script.sentences[0].text


@pytest.mark.slow
def test_kokoro_build_is_podcast_grade(tmp_path: Path) -> None:
    issue = tmp_path / "t.md"
    issue.write_text(
        "## 降雪\n\n今天衡阳下雪了，市民纷纷出门赏雪。\n\n## 开放\n\n图书馆春节期间开放到九点。\n", encoding="utf-8"
    )
    build([issue], BuildOptions(out=tmp_path / "o", engine="kokoro", date=DATE))
    doc = check_edition(tmp_path / "o")
    assert doc["edition"]["engine"] == "kokoro"
    # (audio_s / engine_s is a benchmark number: on two sentences fixed costs dominate)
