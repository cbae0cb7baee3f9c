"""Readings that depend on context, which no phrase table holds.

- 为 is wéi in 以…为 + a short noun phrase (以人民为中心), after verbs of naming and
  becoming (任命为, 列为) and before a number (完成率为百分之九十); wèi otherwise.
- 应 is yìng in 应…邀请 / 应…之邀.
- 地 standing alone after a word and before a verb is the particle de (积极地推进).
- A polyphonic surname at the start of a person's name (单霁翔, 解振华, 曾国藩).
- 一 keeps yī in numbers, dates and ordinals (三十一个, 七点一万亿, 一季度, 基层一线)
  and otherwise changes tone before the next syllable (一个 yí, 新一轮 yì); 不 is bú
  before a fourth tone.

Every rule reads the sentence text and the segmenter's words; none touches a position
the lexicon fixed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["apply_rules"]

_HAN_LO, _HAN_HI = "\u3400", "\u9fff"
_NUMERALS = set("零〇一二三四五六七八九十百千万亿两")
_DIGITS = set("零〇一二三四五六七八九")

# 以 … 为 + what 以 makes something into: 以人民为中心, 以此为契机.
_YI_WEI = re.compile(r"(?<![可所难予加得用足])以(?![及上下来后前外便免致至])[\u4e00-\u9fff]{1,24}?为(?=[\u4e00-\u9fff])")
_WEI_NOUNS = (
    "核心|中心|主线|指导|引领|抓手|重点|主|目标|契机|载体|导向|主题|基础|依托|根本|宗旨|例|纽带|平台|突破口|"
    "切入点|着力点|方向|原则|前提|保障|支撑|动力|标准|准则|榜样|荣|耻|己任|首要|先|本|代表|主体|核心区|"
    "龙头|骨干|支柱|重心|牵引|驱动|出发点|落脚点|标志|特色|试点|样板|单位|期|限|界|准|首"
)
_WEI_AFTER_NOUN = re.compile(rf"^(?:{_WEI_NOUNS})")
# 为 is "to be/as" after verbs of naming, making and becoming.
_WEI_VERBS = re.compile(
    r"(?:任命|命名|称|视|选|改|定|列|评|分|变|化|划|升格|调整|确定|认定|聘|誉|立|设|转|更名|合并|简称|统称|并称|"
    r"号称|译|折合|折算|降|升|增至|提高|扩大|缩小|减少|增加|核定|确认|界定|认作|当选|推选|选举|任|作|成|认|"
    r"称之|奉|尊|拜|结|沦|划分|归纳|概括|总结|表述|定性|定位|修改|调)$"
)
# 应 … 邀请 / 应 … 之邀: 应 is yìng (at the invitation of).
_YING = re.compile(r"应(?=[^，。；！？、]{1,16}?(?:邀请|之邀|邀))")

# Surnames read otherwise than the character's usual reading, when the segmenter tags
# the word as a person's name.
_SURNAMES = {
    "单": "shan4",
    "解": "xie4",
    "仇": "qiu2",
    "朴": "piao2",
    "查": "zha1",
    "区": "ou1",
    "曾": "zeng1",
    "种": "chong2",
    "繁": "po2",
    "覃": "qin2",
    "缪": "miao4",
    "尉": "wei4",
    "华": "hua4",
    "纪": "ji3",
    "任": "ren2",
    "宁": "ning4",
    "过": "guo1",
    "谌": "chen2",
    "冼": "xian3",
    "燕": "yan1",
    "召": "shao4",
    "翟": "zhai2",
    "祭": "zhai4",
    "员": "yun4",
}

_TITLES = set("总长书局主部处科院校委记")

# 一 keeps yī before these (ordinals and ranks: 一季度, 一线, 一等奖, 一楼, 一号).
_YI1_BEFORE = re.compile(
    r"^(?:季度|线|审|等奖|等|级|期|号|楼|把手|年级|流|产|类|档|环|中全会|五|届中央|次全会|次会议|版|产业|"
    r"批次|轮次|号线|层楼|次党代会)"
)
# … and after these (第一, 初一, 统一, 唯一, 之一, 万一, 逐一, 同一, 单一).
_YI1_AFTER = set("第初统唯之逐同单专合划周期拜")


@lru_cache(maxsize=1)
def _posseg() -> Any:
    from ..wordseg import load_jieba

    load_jieba()
    import jieba.posseg

    return jieba.posseg


def _tone(syllable: str) -> str:
    return syllable[-1] if syllable and syllable[-1] in "12345" else ""


def _is_han(char: str) -> bool:
    return _HAN_LO <= char <= _HAN_HI


def _set(out: list[str], fixed: set[int], i: int, syllable: str) -> None:
    if i not in fixed and 0 <= i < len(out):
        out[i] = syllable


def _wei(text: str, segmented: Sequence[str], out: list[str], fixed: set[int]) -> None:
    for m in _YI_WEI.finditer(text):
        i = m.end() - 1
        if "地" in m.group():
            continue  # 以更好地为企业服务: 以 is "so as to", 为 is "for"
        if _WEI_AFTER_NOUN.match(text[i + 1 : i + 5]) or (len(m.group()) <= 12 and _ends_phrase(text, i + 1)):
            _set(out, fixed, i, "wei2")
    pos = 0
    for word in segmented:
        if word == "为":
            after = text[pos + 1 : pos + 2]
            if after and (after in _NUMERALS or after in "期负正约近") or _WEI_VERBS.search(text[max(0, pos - 4) : pos]) and text[pos + 1 : pos + 2] not in "了何什":
                _set(out, fixed, pos, "wei2")
        pos += len(word)


def _ends_phrase(text: str, start: int) -> bool:
    """以X为Y where Y is a short noun phrase ending the clause (以此为荣, 以质量为本，)."""
    m = re.match(r"[\u4e00-\u9fff]{1,4}?(?=[，。；、！？]|的|$)", text[start:])
    return bool(m) and not re.match(r"了|何|什么", text[start:])


def _ying(text: str, out: list[str], fixed: set[int]) -> None:
    for m in _YING.finditer(text):
        _set(out, fixed, m.start(), "ying4")


def _de(text: str, segmented: Sequence[str], out: list[str], fixed: set[int]) -> None:
    pos = 0
    prev = ""
    for word in segmented:
        if word == "地" and len(prev) >= 2 and _is_han(prev[-1]):
            after = text[pos + 1 : pos + 2]
            if after and _is_han(after) and after not in "区方面上下铁产震球点标块图域":
                _set(out, fixed, pos, "de5")
        prev = word
        pos += len(word)


def _surnames(text: str, segmented: Sequence[str], out: list[str], fixed: set[int]) -> None:
    """Tag names only around a candidate (the tagger's HMM is the slow part): the word
    the segmenter starts at the surname, with two characters either side."""
    pos = 0
    for word in segmented:
        if word[0] in _SURNAMES and len(word) <= 4 and pos not in fixed:
            start = max(0, pos - 2)
            offset = start
            for tagged, flag in _posseg().lcut(text[start : pos + len(word) + 2]):
                # 任总, 解局: a surname and a title is how a role is named, not a name
                if offset == pos and flag == "nr" and 2 <= len(tagged) <= 4 and tagged[1] not in _TITLES:
                    _set(out, fixed, pos, _SURNAMES[tagged[0]])
                offset += len(tagged)
        pos += len(word)


def _yi_bu(text: str, segmented: Sequence[str], out: list[str], fixed: set[int]) -> None:
    # Where each word starts and ends: 唯一一个 is 唯一 / 一个, so the second 一 does not
    # follow a numeral even though the character before it is 一.
    word_of: list[str] = []
    for word in segmented:
        word_of.extend([word] * len(word))
    for i, char in enumerate(text):
        if char not in "一不" or i in fixed:
            continue
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if not nxt or not _is_han(nxt):
            if char == "一":
                out[i] = "yi1"
            continue
        tone = _tone(out[i + 1])
        if char == "不":
            if out[i] == "bu4" and tone == "4":
                out[i] = "bu2"
            elif out[i] == "bu2" and tone and tone != "4" and tone != "5":
                out[i] = "bu4"
            continue
        prev = text[i - 1] if i else ""
        if prev and i < len(word_of) and word_of[i] is not word_of[i - 1] and not _all_numerals(word_of[i - 1]):
            prev = prev if prev not in _NUMERALS else ""  # the numeral ends another word
        decimal = nxt == "点" and i + 2 < len(text) and text[i + 2] in _DIGITS
        # 百分之一百, 第一千: a number starts here (yì bǎi); 七点一万: a decimal digit (yī)
        leads_number = nxt in "百千万亿" and prev not in _NUMERALS and prev != "点"
        if not leads_number and (
            prev in _NUMERALS
            or prev in _YI1_AFTER
            or prev == "点"
            or nxt in _DIGITS
            or nxt in "月日号"
            or decimal
            or _YI1_BEFORE.match(text[i + 1 : i + 6])
        ):
            out[i] = "yi1"
        elif nxt == "一" and (i + 2 >= len(text) or not _is_han(text[i + 2])):
            out[i] = "yi1"  # 一一 (one by one) at the end of a phrase
        elif tone in ("4", "5"):
            out[i] = "yi2"
        elif tone:
            out[i] = "yi4"


def _all_numerals(word: str) -> bool:
    return all(c in _NUMERALS or c == "点" for c in word)


def apply_rules(text: str, segmented: Sequence[str], out: list[str], fixed: set[int]) -> None:
    """Change ``out`` (one syllable per character of ``text``) where context decides."""
    if "为" in text:
        _wei(text, segmented, out, fixed)
    if "应" in text:
        _ying(text, out, fixed)
    if "地" in text:
        _de(text, segmented, out, fixed)
    _surnames(text, segmented, out, fixed)
    if "一" in text or "不" in text:
        _yi_bu(text, segmented, out, fixed)
