from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from audiopaper.audio import ffmpeg
from audiopaper.audio.tags import Chapter, TagInfo, write_tags
from audiopaper.errors import AudioError


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    return ffmpeg.encode_mp3(np.zeros(24000 * 3, np.int16), 24000, tmp_path / "a.mp3")


def test_tags_replace_and_keep_the_audio(mp3: Path) -> None:
    info = TagInfo("标题", "衡阳日报 2022年1月28日", "衡阳日报", dt.date(2022, 1, 28), "来源", track=(1, 2))
    length = MP3(mp3).info.length
    write_tags(mp3, info, [Chapter("导读", 0, 1.0), Chapter("一", 1.0, 3.0)])
    write_tags(mp3, info, [Chapter("导读", 0, 1.5), Chapter("二", 1.5, 3.0)])
    tags = ID3(mp3, translate=False)
    assert tags.version == (2, 3, 0)
    assert len(tags.getall("CTOC")) == 1 and len(tags.getall("CHAP")) == 2  # replaced, not added
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["导读", "二"]
    assert MP3(mp3).info.length == pytest.approx(length)
    assert not tags.getall("APIC")


def test_unwritable_file_is_one_audio_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError):
        write_tags(tmp_path / "missing" / "a.mp3", TagInfo("t", "a", "p", dt.date(2022, 1, 1), "c"))
