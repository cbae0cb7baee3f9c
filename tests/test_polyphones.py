"""Polyphones that need context (issue #11): segmenter words first, lexicon entries on
word boundaries, the news patterns 以…为 / 应…邀请, and 一/不 in numbers and ordinals.
Readings written by hand (checked against CC-CEDICT where it has the word)."""

from __future__ import annotations

import pytest

from audiopaper.models import Article, Paragraph
from audiopaper.speech import ScriptOptions, make_script, script_warnings
from audiopaper.speech.lexicon import parse_lexicon
from audiopaper.speech.pinyin import pinyin_of
from audiopaper.speech.spelling import spelled_reading


def syllables(text: str, word: str) -> str:
    reading = spelled_reading(text)
    i = reading.text.index(word)
    return " ".join((reading.pinyin or ())[i : i + len(word)])


@pytest.mark.parametrize(
    ("text", "word", "pinyin"),
    [
        ("坚持以人民为中心的发展思想", "为", "wei2"),
        ("以习近平新时代中国特色社会主义思想为指导", "为", "wei2"),
        ("以此为契机加快转型", "为", "wei2"),
        ("以更好地为企业服务", "为", "wei4"),
        ("全心全意为人民服务", "为", "wei4"),
        ("他被任命为市长", "为", "wei2"),
        ("合格率为百分之九十", "为", "wei2"),
        ("应巴基斯坦总统邀请", "应", "ying4"),
        ("各地应加强监管", "应", "ying1"),
        ("内蒙古自治区", "内蒙古", "nei4 meng3 gu3"),
        ("塞尔维亚总统", "塞尔维亚", "sai4 er3 wei2 ya4"),
        ("也门胡塞武装", "胡塞", "hu2 sai4"),
        ("积极地推进改革", "地", "de5"),
        ("记者单小明报道", "单", "shan4"),
        # 一 keeps yī in numbers, dates and ordinals and changes elsewhere
        ("基层一线", "一线", "yi1 xian4"),
        ("今年一季度", "一季度", "yi1 ji4 du4"),
        ("全市三十一个乡镇", "一个", "yi1 ge4"),
        ("贷款达七点一万亿元", "一万", "yi1 wan4"),
        ("新一轮科技革命", "一轮", "yi4 lun2"),
        ("新一届领导班子", "一届", "yi2 jie4"),
        ("百分之一百", "一百", "yi4 bai3"),
        ("第一时间", "第一", "di4 yi1"),
        ("一个项目", "一个", "yi2 ge4"),
        ("星期一上午", "一", "yi1"),
        ("坚持不懈", "不懈", "bu2 xie4"),
        ("不能", "不能", "bu4 neng2"),
    ],
)
def test_context_readings(text: str, word: str, pinyin: str) -> None:
    assert syllables(text, word) == pinyin


@pytest.mark.parametrize(
    ("text", "word", "pinyin"),
    [
        # the shipped lexicon has 处长 and 供给; neither may match across a word boundary
        ("该市地处长江中游", "处长江", "chu3 chang2 jiang1"),
        ("研究成果提供给科学家", "供给", "gong1 gei3"),
        # and an entry still applies where it is a word
        ("处长和科长", "处长", "chu4 zhang3"),
        ("加强市场供给", "供给", "gong1 ji3"),
    ],
)
def test_lexicon_on_word_boundaries(text: str, word: str, pinyin: str) -> None:
    assert syllables(text, word) == pinyin


def test_user_entry_inside_a_word_applies_at_its_start() -> None:
    lexicon = parse_lexicon('[pinyin]\n"长沙" = "chang2 sha1"\n')
    out = pinyin_of("长沙银行", lexicon.pinyin)
    assert out[:2] == ("chang2", "sha1")


def test_zero_shown_is_zero_read() -> None:
    reading = spelled_reading(make_text("二〇二六年"))
    assert "〇" not in reading.text
    i = reading.text.index("零")
    assert (reading.pinyin or ())[i] == "ling2"


def make_text(page: str) -> str:
    from audiopaper.speech.normalize import normalize

    return normalize(page)


def _article(*paragraphs: str) -> Article:
    return Article(index=3, kind="article", title="测试", paragraphs=tuple(Paragraph(p) for p in paragraphs))


def test_build_warns_naming_a_sentence_with_an_unreadable_symbol() -> None:
    script = make_script(_article("今天天气很好。", "他唱了一首歌♪，大家鼓掌。"), ScriptOptions())
    warnings = script_warnings(script)
    assert len(warnings) == 1
    assert "♪" in warnings[0] and "他唱了一首歌" in warnings[0] and "article 3" in warnings[0]


def test_no_warning_when_everything_is_read() -> None:
    script = make_script(_article("增长7.0％，气温4～8℃，二〇二六年，①加强领导。"), ScriptOptions())
    assert script_warnings(script) == ()


def test_every_pause_mark_reaches_the_offline_voice() -> None:
    from audiopaper.engines.kokoro import phonemize
    from audiopaper.speech.speakable import PAUSE_MARKS

    plain = phonemize("你好", ("ni3", "hao3"))
    for mark in PAUSE_MARKS:
        assert phonemize(f"你{mark}好", ("ni3", mark, "hao3")) != plain, mark


def test_script_command_prints_the_warning(tmp_path: object) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from audiopaper.cli import app

    issue = Path(str(tmp_path)) / "i.md"
    issue.write_text("## 音乐会举行\n\n他唱了一首歌♪，增长7.0％。\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["script", str(issue), "--pinyin"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "♪" in result.stderr and "他唱了一首歌" in result.stderr
    assert "％" not in result.stdout and "百分之七点零" in result.stdout
