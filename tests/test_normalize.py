"""Normalization: every rule, and every case docs/notes.md lists as failing in the
libraries, with the reading a news anchor gives written out by hand."""

from __future__ import annotations

import re

import pytest

from audiopaper.speech.normalize import normalize, read_digits, read_number


@pytest.mark.parametrize(
    ("page", "spoken"),
    [
        # model numbers: a code, never fractions or minus signs
        ("ZZDFPZ-415000/500-600±600kV换流变压器", "ZZDFPZ杠四一五零零零斜杠五零零杠六零零正负六百千伏换流变压器"),
        ("C919大飞机", "C九一九大飞机"),
        ("A380客机", "A三八零客机"),
        ("PM2.5浓度", "PM二点五浓度"),
        ("5G基站", "五G基站"),
        ("G20峰会", "G二十峰会"),
        # bracketed document numbers: the year digit by digit
        ("衡阳发[2019]1号", "衡阳发二零一九年第一号"),
        ("湘政发〔2021〕3号", "湘政发二零二一年第三号"),
        ("衡政办发【2020】12号", "衡政办发二零二零年第十二号"),
        ("（衡阳发[2019]1号）的相关要求", "衡阳发二零一九年第一号的相关要求"),
        # unit symbols
        ("±600kV", "正负六百千伏"),
        ("220kV变电站", "二百二十千伏变电站"),
        ("800kVA变压器", "八百千伏安变压器"),
        ("功率5kW", "功率五千瓦"),
        ("用电100kWh", "用电一百千瓦时"),
        ("装机500MW", "装机五百兆瓦"),
        ("装机1.2GW", "装机一点二吉瓦"),
        ("电池5000mAh", "电池五千毫安时"),
        ("压力10MPa", "压力十兆帕"),
        ("全长35km", "全长三十五千米"),
        ("重3kg", "重三千克"),
        ("气温-5℃", "气温负五摄氏度"),
        ("最高25℃", "最高二十五摄氏度"),
        ("400 kV", "四百千伏"),
        # ±N%
        ("误差±5%", "误差正负百分之五"),
        ("±0.5%", "正负百分之零点五"),
        # year ranges with dashes
        ("2021—2025年", "二零二一至二零二五年"),
        ("2021-2025年", "二零二一至二零二五年"),
        ("2020年—2021年", "二零二零年至二零二一年"),
        ("2020—2021年度", "二零二零至二零二一年度"),
        # other ranges
        ("今年1—11月", "今年一至十一月"),
        ("3～5天", "三至五天"),
        ("10%-20%", "百分之十至百分之二十"),
        # Latin-hyphen-digits: no minus
        ("COVID-19疫情", "COVID十九疫情"),
        # decorative symbols
        ("■通讯员 邓威", "通讯员，邓威"),  # a space between words is a pause
        ("●要闻", "要闻"),
        ("◆简讯◆", "简讯"),
        ("★★★景区", "景区"),
        # phone numbers with area codes; 1 is 幺 on the phone
        ("电话0734-8222222", "电话零七三四，八二二二二二二"),
        ("（0734）8222222", "零七三四，八二二二二二二"),
        ("热线0734—12345678", "热线零七三四，幺二三四五六七八"),
        ("手机13812345678", "手机幺三八幺二三四五六七八"),
        # money with thousands separators
        ("¥1,234.56", "一千二百三十四点五六元"),
        ("￥1,000元", "一千元"),
        ("$5", "五美元"),
        ("共1,990万元", "共一千九百九十万元"),
        ("4,000人", "四千人"),
        # 5·12 style dates
        ("5·12汶川地震", "五一二汶川地震"),
        ("“9·11”事件", "“九一一”事件"),
        ("3·15晚会", "三一五晚会"),
        # ratios
        ("比例1∶2", "比例一比二"),
        ("3∶1获胜", "三比一获胜"),
        # per: 元/公斤
        ("单价12.5元/公斤", "单价十二点五元每公斤"),
        # symbols between words
        ("“互联网+监督”平台", "“互联网加监督”平台"),
        ("“互联网+”行动", "“互联网加”行动"),
        ("研发&设计", "研发和设计"),
        # ISO dates
        ("2021-01-27", "二零二一年一月二十七日"),
        # brackets never read; a long aside becomes commas
        ("青年(大学生)创业", "青年大学生创业"),
        ("《管理办法（试行）》", "《管理办法试行》"),
        ("（包括政法篇、公安篇、卫健篇）十多部", "包括政法篇、公安篇、卫健篇，十多部"),
        # full-width digits
        ("２０２１年", "二零二一年"),
    ],
)
def test_project_rules(page: str, spoken: str) -> None:
    assert normalize(page) == spoken


@pytest.mark.parametrize(
    ("page", "spoken"),
    [
        # the sample issue's numbers (Done-when strings), through wetext
        ("分别完成投资78.04亿元、9.85亿元、5.12亿元", "分别完成投资七十八点零四亿元、九点八五亿元、五点一二亿元"),
        ("完成率为123.87%、146.36%、153%", "完成率为百分之一百二十三点八七、百分之一百四十六点三六、百分之一百五十三"),
        ("截至2021年底", "截至二零二一年底"),
        ("1月27日下午", "一月二十七日下午"),
        ("引进500强及行业龙头企业", "引进五百强及行业龙头企业"),
        ("累计播放1020场次，观看人数达10余万人次", "累计播放一千零二十场次，观看人数达十余万人次"),
        ("授信创业贴息担保贷款1990万元", "授信创业贴息担保贷款一千九百九十万元"),
        ("旅客发送量仅3000余人次", "旅客发送量仅三千余人次"),
        ("2022年1月27日", "二零二二年一月二十七日"),
        ("“五个100”项目", "“五个一百”项目"),
        ("技术市场成交额占GDP的比重增长7.6倍", "技术市场成交额占GDP的比重增长七点六倍"),
        ("第1版", "第一版"),
        ("会议于9:30召开", "会议于九点三十分召开"),
        ("约5.8万", "约五点八万"),
        ("1990年", "一九九零年"),
    ],
)
def test_wetext_readings(page: str, spoken: str) -> None:
    assert normalize(page) == spoken


@pytest.mark.parametrize(
    "page",
    [
        "V1.2.3版",
        "编号123456789012345678901234567890",
        "1/2/3/4",
        "第3-1号",
        "0.0.0.0",
        "x86_64",
        "3.14159265358979",
        "100-200-300",
        "１２３",
    ],
)
def test_no_ascii_digit_survives(page: str) -> None:
    assert not re.search(r"[0-9]", normalize(page))


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("78.04", "七十八点零四"),
        ("1020", "一千零二十"),
        ("10", "十"),
        ("100000", "十万"),
        ("0.5", "零点五"),
        ("1,234", "一千二百三十四"),
    ],
)
def test_read_number(number: str, spoken: str) -> None:
    assert read_number(number) == spoken


def test_read_digits() -> None:
    assert read_digits("2019") == "二零一九"
