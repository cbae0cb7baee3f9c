from __future__ import annotations

import pytest

from audiopaper.audio.transcript import MAX_CUE_CHARS, Cue, cues, inside_word, split_line, to_srt, to_vtt
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


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        # Sentences of the sample issue that the splitter before issue #13 cut inside a word
        # (请各有｜关部门, 兑现了10｜位, 筑｜牢...); the words a reader sees as one, by hand.
        (
            "1月27日，市应急管理局紧急发布温馨提示，请各有关部门、厂矿企业和广大群众注意防寒、防风、防滑、防病、"
            "防火、防爆，重点对储运系统、给排水系统、消防系统进行全面的检查，对查找的问题立即落实整改。",
            ["有关部门", "消防系统"],
        ),
        (
            "组织、人社、司法、金融等职能部门现场兑现了10位青年创业者的创业政策待遇，共发放一次性创业补贴20万元，"
            "授信创业贴息担保贷款1990万元。",
            ["10位", "20万元"],
        ),
        (
            "近期，《关于建立制度“补丁”机制的管理办法（试行）》即将下发，将进一步筑牢制度“堤坝”，"
            "确保权力在正确的轨道上运行。",
            ["筑牢", "（试行）"],
        ),
        (
            "与此同时，积极创新工作方法，提高推进实效，实行“一周一例会、一月一调度、一季一讲评”，从组织架构、"
            "制度建设、要素保障、政策激励等多方面全方位强化产业项目调度服务，全力推进产业项目建设。",
            ["全方位"],
        ),
        (
            "一年来，我市坚持“产业是根基、项目是抓手、科技是支撑、改革是动力、智造是方向、人才是关键”的总体方针，"
            "突出优势特色产业发展，强化“一核两电三色四新”产业集聚，由市发改、工信、科技、商粮、人社等5个部门"
            "分别牵头推进重大产业支撑项目、",
            ["“一核两电三色四新”", "商粮"],
        ),
        (
            "亲爱的市民朋友们，让我们从我做起，从现在做起，爱护环境，文明过节，以实际行动让衡阳更加文明卫生。",
            ["爱护"],
        ),
    ],
)
def test_no_cue_is_cut_inside_a_word(text: str, whole: list[str]) -> None:
    got = split_line(text)
    assert "".join(got) == text and all(len(p) <= MAX_CUE_CHARS for p in got) and len(got) > 1
    for word in whole:  # the words a reader sees as one (judged by hand, not by jieba)
        assert any(word in piece for piece in got), (word, got)
    assert not any(p[0] in "，、。；：！？）》」”" for p in got), got  # no line starts with a closing mark


def test_a_run_with_no_word_boundary_is_still_cut_evenly() -> None:
    # A Latin run longer than a line has no good cut: the fewest, most even pieces.
    got = split_line("A" * 50)
    assert [len(p) for p in got] in ([17, 16, 17], [16, 17, 17], [17, 17, 16])


@pytest.mark.parametrize(
    ("text", "cut", "inside"),
    [
        ("请各有关部门", 3, True),  # 请各有｜关部门
        ("兑现了10位", 4, True),  # 10｜位
        ("兑现了10位", 3, False),  # 了｜10
        ("ZZDFPZ-415000", 7, True),
        ("市民出门赏雪。明天", 7, False),  # after punctuation
        ("市民出门赏雪，明天", 6, True),  # a line must not open with the comma
        ("New York", 4, False),  # at a space
        ("强化“一核两电三色四新”产业", 7, True),  # inside a short quoted name
        ("管理办法（试行）", 5, True),  # a line must not end with the opening bracket
    ],
)
def test_inside_word(text: str, cut: int, inside: bool) -> None:
    assert inside_word(text, cut) is inside
