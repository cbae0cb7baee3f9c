"""The audio stage end to end on synthetic clips, checked with ffmpeg and mutagen."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image

from audiopaper.audio import cover
from audiopaper.audio.assemble import Assembled, EditionInfo, assemble_edition
from audiopaper.models import Article, ArticleAudio, Clip, Paragraph, Script, Span
from audiopaper.speech.intro import INTRO_TITLE

from .audiocheck import clip_of, decode, ebur128, read_vtt

SR = 24000
DATE = dt.date(2022, 1, 28)
LONG = "受西南暖湿气流和地面冷空气不断南下影响，未来十天我市将迎来阶段性雨雪冰冻过程，市应急管理局紧急发布温馨提示"


def script(index: int, title: str) -> Script:
    return Script(article=Article(index=index, kind="article", title=title, paragraphs=(Paragraph("x"),)), sentences=())


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Assembled]:
    out = tmp_path_factory.mktemp("out")
    folder = out / "editions" / DATE.isoformat()
    folder.mkdir(parents=True)
    cover_png = cover.write_episode_art(folder, "衡阳日报", DATE)
    info = EditionInfo("衡阳日报", DATE, "衡阳日报 2022年1月28日", source="tiny.md",
                       url="http://example.test/editions/2022-01-28/", cover=cover_png)  # fmt: skip
    intro = clip_of(4.0, SR, 0.2, 1, ["衡阳日报，2022年1月28日。", "本期要目：", "寒潮来了", "图书馆开放"])
    # deliberately uneven levels: a quiet article, a hot one, one in between
    articles = [
        (script(1, "寒潮来了，市应急管理局发布安全提示"), clip_of(7.0, SR, 0.04, 2, ["寒潮来了", LONG, "完"])),
        (script(2, "图书馆延长开放时间"), clip_of(5.0, SR, 0.95, 3, ["图书馆延长开放时间", "春节期间开放到九点。"])),
        (script(3, "<小标题> & 其他"), clip_of(3.0, SR, 0.3, 4, ["<小标题> & 其他", "正文。"])),
    ]
    return folder, assemble_edition(folder, info, intro, articles)


def all_mp3s(folder: Path, result: Assembled) -> list[Path]:
    return [result.mp3, *(a.mp3 for a in result.articles)]


def test_every_mp3_meets_the_loudness_rules(edition: tuple[Path, Assembled]) -> None:
    folder, result = edition
    measured = {p.name: ebur128(p) for p in all_mp3s(folder, result)}
    for name, m in measured.items():
        assert -17.0 <= m.lufs <= -15.0, (name, m)
        assert m.true_peak <= -1.0, (name, m)
    articles = [measured[a.mp3.name].lufs for a in result.articles]
    assert max(articles) - min(articles) <= 1.0
    # the build's own verification is what ffmpeg says about edition.mp3
    assert result.loudness.edition.integrated_lufs == pytest.approx(measured["edition.mp3"].lufs, abs=0.05)
    assert result.loudness.ok
    # and the per-article numbers it records agree with ffmpeg on the files
    for a in result.articles:
        assert a.lufs == pytest.approx(measured[a.mp3.name].lufs, abs=0.2)


def test_edition_is_the_parts_joined_without_reencoding(edition: tuple[Path, Assembled]) -> None:
    _, result = edition
    info = MP3(result.mp3).info
    assert info.sample_rate == SR and info.channels == 1
    last = result.articles[-1]
    assert result.duration_s == pytest.approx(last.start_s + last.duration_s, abs=0.001)

    # the article's frames appear byte for byte in the edition (copied, not re-encoded)
    def frames(path: Path) -> bytes:
        data = path.read_bytes()
        return data[ID3(path).size :] if data.startswith(b"ID3") else data

    edition_bytes = frames(result.mp3)
    for art in result.articles:
        body = frames(art.mp3)
        assert body[len(body) // 3 : len(body) // 3 + 4000] in edition_bytes


def test_tags_are_id3v23_with_cover_and_comment(edition: tuple[Path, Assembled]) -> None:
    folder, result = edition
    for n, path in enumerate(all_mp3s(folder, result)):
        tags = ID3(path, translate=False)
        assert tags.version == (2, 3, 0)
        expected_title = "衡阳日报 2022年1月28日" if n == 0 else result.articles[n - 1].title
        assert str(tags["TIT2"]) == expected_title
        assert str(tags["TALB"]) == "衡阳日报 2022年1月28日"
        assert str(tags["TPE1"]) == "衡阳日报"
        assert str(tags["TYER"]) == "2022" and str(tags["TDAT"]) == "2801"
        assert str(tags["TCON"]) == "Podcast"
        assert "tiny.md" in str(tags.getall("COMM")[0])
        apic = tags.getall("APIC")[0]
        img = Image.open(io.BytesIO(apic.data))
        assert apic.mime == "image/jpeg" and img.mode == "RGB" and img.width == img.height
    assert str(ID3(result.articles[1].mp3)["TRCK"]) == "2/3"


def test_edition_has_one_toc_with_intro_and_every_article(edition: tuple[Path, Assembled]) -> None:
    _, result = edition
    tags = ID3(result.mp3, translate=False)
    tocs = tags.getall("CTOC")
    assert len(tocs) == 1
    toc = tocs[0]
    assert toc.flags & 0x03 == 0x03  # top level, ordered
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    assert list(toc.child_element_ids) == sorted(chaps, key=lambda k: chaps[k].start_time)
    ordered = [chaps[i] for i in toc.child_element_ids]
    titles = [str(c.sub_frames["TIT2"]) for c in ordered]
    assert titles == [INTRO_TITLE] + [a.title for a in result.articles]
    assert ordered[0].start_time == 0
    for chap, art in zip(ordered[1:], result.articles, strict=True):
        assert abs(chap.start_time / 1000 - art.start_s) <= 0.25
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert a.end_time == b.start_time
    assert abs(ordered[-1].end_time / 1000 - result.duration_s) <= 0.01


def test_each_article_really_starts_at_its_chapter(edition: tuple[Path, Assembled]) -> None:
    # An independent check of the positions: decode the edition and find each article's
    # first sound (the clips start with sound at sample 0; a quiet pause precedes them).
    _, result = edition
    pcm = np.abs(decode(result.mp3, SR))
    for art in result.articles:
        a, b = round((art.start_s - 0.45) * SR), round((art.start_s + 0.5) * SR)
        window = pcm[a:b]
        level = window.max()
        onset = a + int(np.argmax(window > level * 0.3))
        assert abs(onset / SR - art.start_s) <= 0.1, (art.title, onset / SR, art.start_s)


def test_chapters_json(edition: tuple[Path, Assembled]) -> None:
    folder, result = edition
    doc = json.loads((folder / "chapters.json").read_text(encoding="utf-8"))
    assert doc["version"] == "1.2.0"
    starts = [c["startTime"] for c in doc["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    assert [c["title"] for c in doc["chapters"]] == [INTRO_TITLE] + [a.title for a in result.articles]
    for c, art in zip(doc["chapters"][1:], result.articles, strict=True):
        assert c["url"] == "http://example.test/editions/2022-01-28/" + art.mp3.relative_to(folder).as_posix()
        assert abs(c["startTime"] - art.start_s) <= 0.25


def test_transcripts_are_valid_webvtt_within_the_audio(edition: tuple[Path, Assembled]) -> None:
    folder, result = edition
    pairs = [(folder / "edition.vtt", result.duration_s)] + [(a.vtt, a.duration_s) for a in result.articles]
    for vtt, duration in pairs:
        cues = read_vtt(vtt.read_text(encoding="utf-8"))
        assert cues
        for a, b in zip(cues, cues[1:], strict=False):
            assert b.start_s >= a.end_s - 0.001
        assert cues[-1].end_s <= duration + 0.001
        for cue in cues:
            assert all(len(line) <= 24 + 4 for line in cue.text.splitlines())  # escaped & adds 4
        assert vtt.with_suffix(".srt").is_file()
    edition_text = (folder / "edition.vtt").read_text(encoding="utf-8")
    assert "本期要目" in edition_text and "寒潮来了" in edition_text
    assert "&lt;小标题&gt; &amp; 其他" in edition_text and "<小标题>" not in edition_text
    # the long sentence came out as several even cues, not one 50-character line
    art1 = read_vtt(result.articles[0].vtt.read_text(encoding="utf-8"))
    assert sum("阶段性雨雪" in c.text or "暖湿气流" in c.text for c in art1) >= 1
    assert max(len(c.text) for c in art1) <= 24


def test_rebuild_replaces_and_leaves_no_work_files(edition: tuple[Path, Assembled]) -> None:
    folder, _ = edition
    leftovers = [p for p in folder.rglob("*") if p.name.startswith(".") or ".part" in p.name]
    assert leftovers == []


def one_article(tmp_path: Path, clip: Clip, title: str) -> ArticleAudio:
    """``clip`` as the only article of an edition (with a short intro at its rate)."""
    intro = clip_of(1.0, clip.sample_rate, 0.2, 1, ["导读"])
    info = EditionInfo("衡阳日报", DATE, "t")
    (art,) = assemble_edition(tmp_path / "edition", info, intro, [(script(1, title), clip)]).articles
    return art


def test_noisy_audio_that_mp3_overshoots_still_lands_under_the_ceiling(tmp_path: Path) -> None:
    # White-noise bursts with clicks: MP3 coding noise lifts their peaks by 2 dB or more
    # over the mastered PCM, so the first encode fails the check and is redone.
    sr = 24000
    rng = np.random.default_rng(3)
    t = np.arange(sr * 8) / sr
    x = rng.standard_normal(len(t)) * 0.1 * (np.sin(2 * np.pi * 3.7 * t) > 0.2)
    x[::997] *= 6
    pcm = np.clip(x * 32767, -32768, 32767).astype(np.int16)
    clip = Clip(pcm=pcm, sample_rate=sr, spans=(Span(0.0, 7.5, "噪声"),), engine="synthetic", voice="none")
    art = one_article(tmp_path, clip, "噪声")
    m = ebur128(art.mp3)
    assert m.true_peak <= -1.0 and abs(m.lufs + 16) <= 1.0, m


def test_an_empty_clip_still_makes_a_playable_mp3(tmp_path: Path) -> None:
    art = one_article(tmp_path, Clip(np.zeros(0, np.int16), SR, (), "synthetic", "none"), "空")
    assert MP3(art.mp3).info.length > 0
