"""How a Mandarin news reader says a number: cardinals, digit strings, 两 and 二.

Which reading a number gets depends on what follows it: a measure word or unit makes
it a quantity (病例119例 is 一百一十九例, never the hotline 幺幺九), a code or a name
makes it a digit string. The lists of measure words live here so every rule that
needs "is this a count?" asks the same question.
"""

from __future__ import annotations

import re

import cn2an

__all__ = [
    "COUNT_AFTER",
    "DIGIT_NAMES",
    "PHONE_DIGITS",
    "read_count",
    "read_digits",
    "read_number",
]

DIGIT_NAMES = "零一二三四五六七八九"
# Phone numbers are read with 幺 for 1, as every Mandarin speaker does on the phone.
PHONE_DIGITS = "零幺二三四五六七八九"

# Words that make the number before them a quantity. Longest first (a regex alternation
# tries them in order). Dates and clock words (年 月 日 号 时 点) are not here: those
# have readings of their own.
_MEASURE_TEXT = (
    # magnitudes and approximations: 10余万, 3万多, 20来个
    "万亿 亿 万 千 百 余 多 来 几 "
    # money
    "美元 欧元 英镑 日元 港元 港币 澳元 韩元 卢布 元 块 角 "
    # length, area, volume, weight
    "平方公里 平方千米 平方米 立方米 公顷 亩 公里 千米 厘米 毫米 微米 纳米 海里 英里 米 "
    "公斤 千克 毫克 克 吨 斤 两 磅 盎司 升 毫升 级 "
    # energy, power, speed, others with a Chinese name
    "千瓦时 千瓦 兆瓦 瓦 千伏 伏 安 摄氏度 度 分贝 帕 马力 "
    # time spans (not dates): 3个月, 2小时, 5分钟
    "个月 小时 分钟 秒钟 周年 周岁 星期 世纪 天 周 秒 岁 "
    # people and things
    "人次 架次 辆次 余人 个 名 位 人 户 家 次 例 起 宗 件 项 条 辆 架 艘 列 台 部 座 所 栋 幢 间 套 张 "
    "种 类 批 股 倍 只 头 匹 枚 颗 粒 根 支 把 份 本 篇 首 集 轮 届 期 场 局 盘 杆 球 分 "
    "款 杯 瓶 箱 袋 包 双 对 副 组 队 层 楼 趟 遍 回 声 句 字 页 版 段 节 门 所 处 片 道 股 笔 "
    "元 票 手 单 处 座 棵 株 尾 只"
)
_MEASURES = _MEASURE_TEXT.split()
MEASURE_RE = "|".join(sorted(set(_MEASURES), key=len, reverse=True))
#: a lookahead: what follows the number makes it a quantity
COUNT_AFTER = rf"(?=(?:{MEASURE_RE}))"

# 2 is 两 before these (两个人, 两次, 两万), 二 elsewhere (二月, 第二, 二点五).
_LIANG_BEFORE = re.compile(
    r"^(?:个|名|位|人|户|家|次|例|起|件|项|条|辆|架|艘|台|部|座|所|栋|间|套|张|种|批|股|倍|只|头|枚|颗|根|支|"
    r"把|份|本|篇|首|集|轮|届|场|局|盘|款|杯|瓶|箱|袋|双|对|组|队|趟|遍|回|句|门|道|笔|年|天|周|岁|时|"
    r"球|节|包|盒|片|棵|株|匹|口|桌|班|"
    r"个月|小时|分钟|秒钟|星期|公里|千米|厘米|毫米|米|公斤|千克|克|吨|斤|元|块|万|亿|千|百|成|点)"
)


def read_digits(digits: str, names: str = DIGIT_NAMES) -> str:
    """Digit by digit: 2019 → 二零一九."""
    return "".join(names[int(d)] if d.isdigit() else d for d in digits)


def read_number(number: str) -> str:
    """A cardinal or decimal number as spoken: 78.04 → 七十八点零四, 1020 → 一千零二十."""
    number = number.replace(",", "")
    if not number:
        return ""
    whole, _, frac = number.partition(".")
    whole = whole.lstrip("0") or "0"
    # cn2an reads the integer part idiomatically (一千零二十, 十万); past 亿亿 it gives up,
    # and such a string is an identifier anyway, so it is read digit by digit.
    if len(whole) > 16:
        spoken = read_digits(whole)
    else:
        spoken = cn2an.an2cn(whole, "low")
    if frac:
        spoken += "点" + read_digits(frac)
    return spoken


def read_count(number: str, after: str = "") -> str:
    """A quantity, with 两 where a reader says it: 2个 → 两个, 2000本 → 两千本, 200 → 两百."""
    spoken = read_number(number)
    if spoken == "二":
        return "两" if _LIANG_BEFORE.match(after.lstrip()) else spoken
    # A leading 二 before 百/千/万/亿 is 两 in speech (两千, 两万); 二十 stays.
    if spoken.startswith("二") and len(spoken) > 1 and spoken[1] in "百千万亿":
        return "两" + spoken[1:]
    return spoken
