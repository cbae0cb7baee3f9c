from __future__ import annotations

import pytest

from audiopaper.audio.transcript import MAX_CUE_CHARS, Cue, cues, split_line, to_srt, to_vtt
from audiopaper.models import Span

from .audiocheck import read_vtt


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("短句。", ["短句。"]),
        ("一" * 24, ["一" * 24]),
        # 30 characters: two even pieces, not 24 + 6
        (
            "一二三四五六七八九十，一二三四五六七八九十一二三四五六七八九",
            ["一二三四五六七八九十，", "一二三四五六七八九十一二三四五六七八九"],
        ),
        ("甲" * 50, ["甲" * 17, "甲" * 16, "甲" * 17]),
        # between words, not inside one (率领市 | 委老干部局 would be wrong)
        (
            "市委常委、市委组织部部长胡绪阳率领市委老干部局负责人走访慰问了部分老干部。",
            ["市委常委、市委组织部部长胡绪阳率领市委", "老干部局负责人走访慰问了部分老干部。"],
        ),
        # a model number is never cut in the middle
        ("型号为ZZDFPZ-415000/500的变压器已经投入运行并且运转良好状态稳定", None),
    ],
)
def test_split_line(text: str, pieces: list[str] | None) -> None:
    got = split_line(text)
    assert "".join(got) == text.replace(" ", "")
    assert all(len(p) <= MAX_CUE_CHARS for p in got)
    if pieces is not None:
        assert got == pieces
    if "ZZDFPZ" in text:
        assert any("ZZDFPZ-415000/500" in p for p in got)


def test_cues_share_a_sentence_by_length_and_stay_in_order() -> None:
    spans = [Span(0.0, 2.0, "标题", "title"), Span(2.5, 8.5, "甲" * 48, "body"), Span(9.0, 10.0, "完。", "body")]
    got = cues(spans, offset_s=100.0, limit_s=109.6)
    assert [c.text for c in got] == ["标题", "甲" * 24, "甲" * 24, "完。"]
    assert got[1].start_s == pytest.approx(102.5) and got[1].end_s == pytest.approx(105.5)
    assert got[-1].end_s == pytest.approx(109.6)  # cut at the limit
    assert all(b.start_s >= a.end_s for a, b in zip(got, got[1:], strict=False))


def test_cues_past_the_limit_are_dropped() -> None:
    assert cues([Span(5.0, 6.0, "晚了")], limit_s=4.0) == []


def test_vtt_and_srt_render() -> None:
    cue_list = [Cue(0.0, 1.5, "A --> B & <c>"), Cue(3661.25, 3662.0, "一")]
    vtt = to_vtt(cue_list)
    parsed = read_vtt(vtt)
    assert [c.text for c in parsed] == ["A --&gt; B &amp; &lt;c&gt;", "一"]
    assert parsed[1].start_s == pytest.approx(3661.25)
    srt = to_srt(cue_list)
    assert "01:01:01,250 --> 01:01:02,000" in srt and srt.startswith("1\n00:00:00,000 --> 00:00:01,500\n")
