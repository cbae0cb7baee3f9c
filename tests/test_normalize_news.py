"""Normalization of what papers print beyond the sample (issue #11): every class the
issue lists, each with the reading a news anchor gives written out by hand."""

from __future__ import annotations

import pytest

from audiopaper.speech.normalize import normalize


@pytest.mark.parametrize(
    ("page", "spoken"),
    [
        # list markers: the number, then a pause
        ("（4）3月，新增就业两千人。", "四，三月，新增就业两千人。"),
        ("（2）11月末，贷款余额增长。", "二，十一月末，贷款余额增长。"),
        ("12.8月份以来，降水偏少。", "十二，八月份以来，降水偏少。"),
        ("①加强领导；②落实责任。", "一，加强领导；二，落实责任。"),
        ("做法：1、洗净；2、切段。", "做法：一，洗净；二，切段。"),
        ("1.坚持问题导向。", "一，坚持问题导向。"),
        ("2)不轻易相信别人。", "二，不轻易相信别人。"),
        # symbols the offline voice would drop
        ("增长7.0％", "增长百分之七点零"),
        ("二〇二六年", "二零二六年"),
        ("二○○八年", "二零零八年"),
        ("Ⅲ级响应", "三级响应"),
        ("IV级", "四级"),
        ("最高气温4～8℃", "最高气温四至八摄氏度"),
        ("“5G＋工业互联网”", "“五G加工业互联网”"),
        ("来稿请发至news@hnrb.cn", "来稿请发至news艾特hnrb点cn"),
        ("1+1=2", "一加一等于二"),
        ("5-3=2", "五减三等于二"),
        ("8÷2=4", "八除以二等于四"),
        # the retail calendar's named days, written without the dot; a quantity keeps its reading
        ("商家都说618还是要抢", "商家都说六一八还是要抢"),
        ("今年315前后投诉增多", "今年三一五前后投诉增多"),
        ("全市共315人报名", "全市共三百一十五人报名"),
        ("销售额达618万元", "销售额达六百一十八万元"),
        # years that are names; hyphens before numbers in names
        ("“剑网2023”专项行动", "“剑网二零二三”专项行动"),
        ("《2030年前碳达峰行动方案》", "《二零三零年前碳达峰行动方案》"),
        ("2019全球汽车产业创新大会", "二零一九全球汽车产业创新大会"),
        ("该景区已有2000年历史", "该景区已有两千年历史"),
        ("运-20运输机", "运二十运输机"),
        ("东风-41导弹", "东风四十一导弹"),
        # counts against hotline digits; decimals against dates
        ("新增病例119例", "新增病例一百一十九例"),
        ("遇到火情请拨打119", "遇到火情请拨打幺幺九"),
        ("体重增加10.4公斤", "体重增加十点四公斤"),
        ("5.12灾后重建", "五一二灾后重建"),
        ("2个项目", "两个项目"),
        ("第2名", "第二名"),
        # stamps and codes
        ("文件编号20210127", "文件编号二零二一零一二七"),
        ("时间戳1609459200", "时间戳一六零九四五九二零零"),
        ("邮编421001", "邮编四二一零零一"),
        ("身份证号码43040219900101123X", "身份证号码四三零四零二一九九零零一零一一二三X"),
        ("服务热线400-810-8888", "服务热线四零零，八幺零，八八八八"),
        ("股票代码600519", "股票代码六零零五一九"),
        ("白云山（00874）发布公告", "白云山，零零八七四，发布公告"),
        ("1043次旅客列车", "一零四三次旅客列车"),
        # clock times against scores
        ("会议于9:30召开", "会议于九点三十分召开"),
        ("凌晨2:30", "凌晨两点三十分"),
        ("16时08分48秒", "十六时零八分四十八秒"),
        ("开放时间为8:00-18:00", "开放时间为八点至十八点"),
        ("以3:1战胜对手", "以三比一战胜对手"),
        ("湖人104-98击败国王", "湖人一百零四比九十八击败国王"),
        ("两队本赛季交手战绩为2-2", "两队本赛季交手战绩为二比二"),
        # fractions, ranges with an approximation word, signed percentages
        ("超过1/3的受访者", "超过三分之一的受访者"),
        ("每秒60/50帧", "每秒六十、五十帧"),
        ("约3-5天", "约三至五天"),
        ("价格在5万-8万元之间", "价格在五万至八万元之间"),
        ("利润增长-3.5%", "利润增长负百分之三点五"),
        ("营收增长+12.1%", "营收增长正百分之十二点一"),
        ("10%-20%", "百分之十至百分之二十"),
        # compound units, Latin unit letters, multiplication
        ("房价1.2万元/平方米", "房价一点二万元每平方米"),
        ("风速25m/s", "风速二十五米每秒"),
        ("浓度35μg/m³", "浓度三十五微克每立方米"),
        ("排量1.5L", "排量一点五升"),
        ("切成1cm的段", "切成一厘米的段"),
        ("容量512GB", "容量五百一十二GB"),
        ("118.31mm×82.35mm", "一百一十八点三一毫米乘八十二点三五毫米"),
        ("光圈F/3.1-5.9", "光圈F三点一至五点九"),
        # URLs
        ("登录www.gov.cn查询", "登录www点gov点cn查询"),
        ("访问http://www.hnrb.com.cn了解", "访问www点hnrb点com点cn了解"),
        # a space between words and a bracketed tag are pauses
        ("会议时强调 围绕中心任务", "会议时强调，围绕中心任务"),
        ("【领航中国】健全制度体系", "领航中国，健全制度体系"),
        # dates with leading zeros, a full-width thousands comma
        ("2009年05月01日", "二零零九年五月一日"),
        ("25/07/2009", "二零零九年七月二十五日"),
        ("结余706，189.1元", "结余七十万六千一百八十九点一元"),
    ],
)
def test_news_classes(page: str, spoken: str) -> None:
    assert normalize(page) == spoken


@pytest.mark.parametrize(
    "page",
    ["增长7.0％", "二〇二六年", "4～8℃", "5G＋工业互联网", "news@hnrb.cn", "①②③", "Ⅳ级", "★", "1/2", "A&B", "x=y"],
)
def test_no_symbol_a_voice_would_drop(page: str) -> None:
    from audiopaper.speech.speakable import unspeakable

    assert unspeakable(normalize(page)) == ""
