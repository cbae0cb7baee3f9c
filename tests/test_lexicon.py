"""The pronunciation lexicon: shipped entries, user entries on top, respellings for edge."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiopaper.errors import UsageError
from audiopaper.speech.lexicon import default_lexicon, load_lexicon, parse_lexicon
from audiopaper.speech.spelling import spell, spelled_reading


def syllables_of(text: str, word: str, lexicon_path: Path | None = None) -> str:
    reading = spelled_reading(text, load_lexicon(lexicon_path))
    i = reading.text.index(word)
    return " ".join(reading.pinyin[i : i + len(word)]) if reading.pinyin else ""


@pytest.mark.parametrize(
    ("text", "word", "pinyin"),
    [
        # the Done-when readings, in their sample sentences
        ("由市委书记、市长任总召集人", "市长任", "shi4 zhang3 ren4"),
        ("长沙银行授信人才贷额度", "长沙银行", "chang2 sha1 yin2 hang2"),
        ("引进五百强及行业龙头企业项目", "行业龙头", "hang2 ye4 long2 tou2"),
        ("着力营造文明节俭的节日氛围", "着力营造", "zhuo2 li4 ying2 zao4"),
        ("一月一调度", "调度", "diao4 du4"),
        ("由过去的行政级别管控调整为权力边界管控", "管控调整为", "guan3 kong4 tiao2 zheng3 wei2"),
        ("完成率为百分之一百五十三", "完成率为", "wan2 cheng2 lv4 wei2"),
        ("推进重大产业支撑项目", "重大产业", "zhong4 da4 chan3 ye4"),
        # notes.md: pypinyin's three misses
        ("全心全意为人民服务", "为人民", "wei4 ren2 min2"),
        ("按期还款", "还款", "huan2 kuan3"),
        # more polyphones the issue names
        ("银行行长出席", "行长", "hang2 zhang3"),
        ("省长调研", "省长", "sheng3 zhang3"),
        ("重庆市", "重庆", "chong2 qing4"),
        # Hengyang place names
        ("耒阳市", "耒阳", "lei3 yang2"),
        ("常宁市", "常宁", "chang2 ning2"),
        ("祁东县", "祁东", "qi2 dong1"),
        ("蒸湘区雨母山镇", "雨母山", "yu3 mu3 shan1"),
        ("珠晖区酃湖乡", "酃湖", "ling2 hu2"),
        ("衡阳县渣江镇", "渣江", "zha1 jiang1"),
        # dates: 一月 is January
        ("一月二十七日", "一月", "yi1 yue4"),
    ],
)
def test_shipped_readings(text: str, word: str, pinyin: str) -> None:
    assert syllables_of(text, word) == pinyin


@pytest.mark.parametrize(
    ("text", "pinyin"),
    [
        # 一/不 tone sandhi, which misaki does not apply
        ("一千零二十", "yi4 qian1 ling2 er4 shi2"),
        ("一万", "yi2 wan4"),
        ("二零二一年", "er4 ling2 er4 yi1 nian2"),
        ("十一月", "shi2 yi1 yue4"),
        ("一九九零年", "yi1 jiu3 jiu3 ling2 nian2"),
        ("统一部署", "tong3 yi1 bu4 shu3"),
        ("不是", "bu2 shi4"),
        ("不能", "bu4 neng2"),
    ],
)
def test_tone_sandhi(text: str, pinyin: str) -> None:
    assert " ".join(spelled_reading(text).pinyin or ()) == pinyin


def test_shipped_lexicon_has_both_tables() -> None:
    lexicon = default_lexicon()
    for word in (
        "银行",
        "行业",
        "行长",
        "市长",
        "省长",
        "完成率为",
        "为人民",
        "还款",
        "着力",
        "调度",
        "调整",
        "重庆",
        "重大",
        "耒阳",
    ):
        assert word in lexicon.pinyin, word
    assert lexicon.respell["耒阳"] == "垒阳"


def test_user_entry_wins(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[pinyin]\n"银行" = "yin2 xing2"\n"邓威" = "deng4 wei1"\n[respell]\n"银行" = "银航"\n', encoding="utf-8"
    )
    assert syllables_of("长沙银行", "银行", mine) == "yin2 xing2"
    assert syllables_of("长沙银行", "银行") == "yin2 hang2"
    assert spell("长沙银行", "respelled", load_lexicon(mine)) == "长沙银航"
    # entries the user did not touch stay
    assert syllables_of("耒阳", "耒阳", mine) == "lei3 yang2"


def test_respell_applies_to_the_respelled_spelling_only() -> None:
    assert spell("耒阳市完成率为百分之九十", "respelled") == "垒阳市完成率维百分之九十"
    assert spell("耒阳市", "spelled") == "耒阳市"
    assert spell("耒阳市", "plain") == "耒阳市"


@pytest.mark.parametrize(
    "toml",
    [
        '[pinyin]\n"银行" = "yin2"\n',  # one syllable short
        '[pinyin]\n"银行" = "yin hang"\n',  # no tones
        '[pinyin]\n"银行" = 3\n',
        '[respell]\n"银行" = ""\n',
        "[phonemes]\n",
        "not toml [",
    ],
)
def test_bad_lexicon_is_a_usage_error(toml: str) -> None:
    with pytest.raises(UsageError):
        parse_lexicon(toml, "mine.toml")


def test_list_syllables_and_u_umlaut_accepted() -> None:
    lexicon = parse_lexicon('[pinyin]\n"绿色" = ["lü4", "se4"]\n')
    assert lexicon.pinyin["绿色"] == ("lv4", "se4")
