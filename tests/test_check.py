"""`check`'s audio rules (tags, loudness, decoding) on files made to pass and to fail.

The files are generated here with known properties (a 997 Hz tone at a chosen level,
tags written with mutagen), so these tests do not depend on what the audio stage
currently produces.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from audiopaper.audio.ffmpeg import ffmpeg_exe
from audiopaper.audio.master import measure_file
from audiopaper.check import RULES, check


def only(*rules: str) -> set[str]:
    return set(RULES) - set(rules)


def tone(path: Path, amplitude: float, seconds: float = 4.0) -> Path:
    """A 997 Hz sine; at full scale it measures -3.01 LUFS (ITU-R BS.1770), so the level is known.

    Written as WAV or MP3 by the file's suffix (LAME takes about 0.5 dB off a pure tone).
    """
    codec = ["-c:a", "libmp3lame", "-b:a", "128k"] if path.suffix == ".mp3" else []
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i",
         f"aevalsrc={amplitude}*sin(2*PI*997*t):s=48000:d={seconds}", *codec, str(path)],
        check=True,
    )  # fmt: skip
    return path


def amplitude_for(lufs: float) -> float:
    return 10 ** ((lufs + 3.01) / 20)


@pytest.fixture
def out(edition_copy: Path) -> Path:
    return edition_copy


def mp3s(out: Path) -> list[Path]:
    folder = out / "editions" / "2022-01-28"
    return [folder / "edition.mp3", *sorted((folder / "articles").glob("*.mp3"))]


def test_measure_loudness_of_a_known_tone(tmp_path: Path) -> None:
    measured = measure_file(tone(tmp_path / "t.wav", 0.1))
    lufs, peak = measured.integrated_lufs, measured.true_peak_dbtp
    assert lufs == pytest.approx(-23.0, abs=0.15)
    assert peak == pytest.approx(20 * math.log10(0.1), abs=0.2)


def test_loudness_rule(out: Path) -> None:
    files = mp3s(out)
    for f in files:
        tone(f, amplitude_for(-16.0))
    report = check(out, skip=only("loudness"))
    assert report.ok, report.problems
    quiet, hot = files[1], files[2]
    tone(quiet, amplitude_for(-23.0))
    tone(hot, 0.99)  # about -3 LUFS with a true peak near 0 dBTP
    report = check(out, skip=only("loudness"))
    found = sorted((p.file, p.message.split(" ")[0]) for p in report.problems)
    rel = [f.relative_to(out).as_posix() for f in (quiet, hot)]
    assert found == sorted([(rel[0], "integrated"), (rel[1], "integrated"), (rel[1], "true")])


def test_tags_rule(out: Path) -> None:
    from mutagen.id3 import CHAP, CTOC, ID3, TALB, TIT2, CTOCFlags

    files = mp3s(out)
    for f in files:
        ID3().save(f)  # an empty tag: whatever the build wrote is gone
    report = check(out, skip=only("tags"))
    named = {p.file for p in report.problems}
    assert named == {f.relative_to(out).as_posix() for f in files}
    assert any("CHAP" in p.message for p in report.problems if p.file.endswith("edition.mp3"))
    for f in files:
        tags = ID3()
        tags.add(TIT2(encoding=3, text=f.stem))
        tags.add(TALB(encoding=3, text="衡阳日报 2022年1月28日"))
        if f.name == "edition.mp3":
            tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["ch0"]))
            tags.add(CHAP(element_id="ch0", start_time=0, end_time=1000, sub_frames=[TIT2(encoding=3, text="开篇")]))
        tags.save(f, v2_version=3)
    report = check(out, skip=only("tags"))
    assert report.ok, report.problems


def test_decode_rule_names_a_damaged_file(out: Path) -> None:
    assert check(out, skip=only("decode")).ok
    victim = mp3s(out)[1]
    data = bytearray(victim.read_bytes())
    # Overwrite the middle with bytes that are no MP3 frame at all.
    mid = len(data) // 2
    data[mid : mid + 2000] = b"\xff\xff" * 1000
    victim.write_bytes(bytes(data))
    report = check(out, skip=only("decode"))
    assert [p.file for p in report.problems] == [victim.relative_to(out).as_posix()]


def test_artwork_rule(out: Path) -> None:
    from PIL import Image

    cover = out / "cover.png"
    assert check(out, skip=only("artwork")).ok  # the build's own: drawn, undated
    Image.new("RGB", (1400, 1400)).save(cover)
    assert check(out, skip=only("artwork")).ok
    for size, mode, words in (
        ((1000, 1000), "RGB", "outside"),
        ((1400, 1500), "RGB", "square"),
        ((1400, 1400), "RGBA", "RGB"),
    ):
        Image.new(mode, size).save(cover)
        problems = check(out, skip=only("artwork")).problems
        assert len(problems) == 1 and problems[0].file == "cover.png" and words in problems[0].message
    # the edition's own art is held to the same sizes
    episode = out / "editions/2022-01-28/cover.png"
    Image.new("RGB", (1200, 1200)).save(cover.with_name("x.png"))
    shutil.copy(cover.with_name("x.png"), episode)
    Image.new("RGB", (1400, 1400)).save(cover)
    problems = check(out, skip=only("artwork")).problems
    assert [p.file for p in problems] == ["editions/2022-01-28/cover.png"]


def test_dated_show_art_is_found(out: Path) -> None:
    """The show's art must be undated: an edition's art copied over it, or the dated
    masthead every build before issue #13 drew, is reported."""
    import datetime as dt

    from audiopaper.audio.cover import draw_cover

    cover = out / "cover.png"
    shutil.copy(out / "editions/2022-01-28/cover.png", cover)
    problems = check(out, skip=only("artwork")).problems
    assert [(p.file, "2022-01-28" in p.message) for p in problems] == [("cover.png", True)]
    draw_cover("衡阳日报", dt.date(2022, 1, 28), 1400).save(cover)  # as the old builds wrote it
    problems = check(out, skip=only("artwork")).problems
    assert [(p.file, "drawn with the date 2022-01-28" in p.message) for p in problems] == [("cover.png", True)]
    draw_cover("衡阳日报", None, 1400).save(cover)  # the same drawing without a date is fine
    assert check(out, skip=only("artwork")).ok


def test_a_default_build_is_not_ready_to_publish(out: Path) -> None:
    """Without settings, the feeds point at this machine and name no owner: `check` says so."""
    problems = check(out, skip={"decode", "loudness"}).problems
    assert sorted({(p.file, p.rule) for p in problems}) == [
        ("feed-articles.xml", "loopback"),
        ("feed-articles.xml", "owner"),
        ("feed.xml", "loopback"),
        ("feed.xml", "owner"),
    ]


def test_unknown_rule_is_a_usage_error(out: Path) -> None:
    from audiopaper.errors import AudiopaperError

    with pytest.raises(AudiopaperError, match="unknown rule"):
        check(out, skip={"loudnes"})
