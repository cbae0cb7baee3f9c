"""The speech stage: what is read, in which order, with which pauses; sentence planning;
engine spellings; the ``script`` and ``say`` commands."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audiopaper import engines
from audiopaper.cli import app
from audiopaper.engines.kokoro import phonemes, phonemize
from audiopaper.models import Article, Paragraph, Sentence
from audiopaper.speech import ScriptOptions, make_script, speak_line
from audiopaper.speech.credits import continuation_marker, photo_credit, split_dateline, spoken_byline
from audiopaper.speech.normalize import normalize
from audiopaper.speech.segment import MAX_CHARS, plan, split_sentences
from audiopaper.speech.spelling import spell, spelled_reading
from audiopaper.synth import reading_of

from .conftest import SAMPLE

# --- credits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dateline", "byline", "spoken"),
    [
        ("衡阳日报讯", "全媒体记者 向吟吟", "衡阳日报全媒体记者向吟吟报道。"),
        ("衡阳日报讯", "全媒体记者 胡亚华 通讯员 贺亚君", "衡阳日报全媒体记者胡亚华，通讯员贺亚君报道。"),
        ("衡阳日报讯", "周明韬 通讯员 周运动", "衡阳日报周明韬，通讯员周运动报道。"),
        (None, "衡阳日报社全媒体记者 王靖 通讯员 邱红燕 谢琼", "衡阳日报社全媒体记者王靖，通讯员邱红燕、谢琼报道。"),
        ("新华社北京1月27日电", "记者 张三", "新华社北京1月27日电，记者张三报道。"),
        (None, "■记者 李四", "记者李四报道。"),
    ],
)
def test_spoken_byline(dateline: str | None, byline: str, spoken: str) -> None:
    assert spoken_byline(dateline, byline) == spoken


@pytest.mark.parametrize(
    ("line", "spoken"),
    [
        ("■通讯员 邓威 摄", "通讯员邓威摄影"),
        ("■全媒体记者 王靖 摄", "全媒体记者王靖摄影"),
        ("通讯员 邓威 摄影", "通讯员邓威摄影"),
        ("市民纷纷出门赏雪。", None),
        ("拍摄和播放警示教育片", None),
    ],
)
def test_photo_credit(line: str, spoken: str | None) -> None:
    assert photo_credit(line) == spoken


def test_dateline_in_a_paragraph() -> None:
    assert split_dateline("衡阳日报讯（全媒体记者 向吟吟）近日，省政府表彰。") == (
        "衡阳日报讯",
        "全媒体记者 向吟吟",
        "近日，省政府表彰。",
    )


@pytest.mark.parametrize(
    ("line", "marker"), [("（上接第一版）", "上接第一版"), ("(下转第2版)", "下转第2版"), ("上接第一版的文章", None)]
)
def test_continuation_marker(line: str, marker: str | None) -> None:
    assert continuation_marker(line) == marker


# --- make_script ----------------------------------------------------------------------


def _article(**kw: object) -> Article:
    base: dict[str, object] = {"index": 1, "kind": "article", "title": "衡阳迎来降雪", "paragraphs": ()}
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_reading_order_roles_and_pauses() -> None:
    article = _article(
        kicker="护航答卷系列报道之三：",
        subtitle="市民纷纷出门赏雪",
        dateline="衡阳日报讯",
        byline="全媒体记者 向吟吟",
        paragraphs=(
            Paragraph("今天上午，衡阳迎来降雪。市民纷纷出门赏雪。"),
            Paragraph("制度常驻，扎紧笼子", "heading"),
            Paragraph("第二段。"),
            Paragraph("衡阳市人民政府", "signature"),
        ),
        credit="■通讯员 邓威 摄",
    )
    script = make_script(article)
    got = [(s.role, s.text) for s in script.sentences]
    assert got == [
        ("title", "衡阳迎来降雪"),
        ("subtitle", "市民纷纷出门赏雪"),
        ("byline", "衡阳日报全媒体记者向吟吟报道。"),
        ("body", "今天上午，衡阳迎来降雪。"),
        ("body", "市民纷纷出门赏雪。"),
        ("heading", "制度常驻，扎紧笼子"),
        ("body", "第二段。"),
        ("signature", "衡阳市人民政府"),
        ("byline", "通讯员邓威摄影"),
    ]
    pauses = [s.pause_s for s in script.sentences]
    assert pauses[0] > pauses[3]  # after the title longer than between sentences
    assert pauses[4] >= 0.8 and pauses[5] >= 0.6  # a pause before and after the heading
    assert pauses[3] < pauses[4]  # end of paragraph longer than end of sentence


@pytest.mark.parametrize(
    ("title", "spoken"),
    [
        ("真抓实干 为高质量发展打造新引擎", "真抓实干，为高质量发展打造新引擎"),
        ("客源虽“缩水” 防疫不松懈", "客源虽“缩水”，防疫不松懈"),
    ],
)
def test_headline_halves_get_a_pause(title: str, spoken: str) -> None:
    assert [s.text for s in make_script(_article(title=title)).sentences] == [spoken]


def test_kicker_read_only_when_asked_and_photo_credits_droppable() -> None:
    article = _article(kicker="系列报道之三", credit="■通讯员 邓威 摄", paragraphs=(Paragraph("正文。"),))
    assert [s.role for s in make_script(article).sentences] == ["title", "body", "byline"]
    script = make_script(article, ScriptOptions(read_kicker=True, photo_credits=False))
    assert [(s.role, s.text) for s in script.sentences] == [
        ("kicker", "系列报道之三"),
        ("title", "衡阳迎来降雪"),
        ("body", "正文。"),
    ]


def test_credit_lines_in_the_body_are_read_once_naturally() -> None:
    article = _article(
        subtitle="■衡阳日报社全媒体记者 王靖 通讯员 邱红燕 谢琼",
        paragraphs=(Paragraph("衡阳日报讯（全媒体记者 向吟吟）近日，省政府表彰。"), Paragraph("■通讯员 邓威 摄")),
    )
    texts = [s.text for s in make_script(article).sentences]
    assert texts == [
        "衡阳迎来降雪",
        "衡阳日报社全媒体记者王靖，通讯员邱红燕、谢琼报道。",
        "近日，省政府表彰。",
        "通讯员邓威摄影",
    ]


def test_continuation_is_announced() -> None:
    marked = _article(kind="continuation", paragraphs=(Paragraph("（上接第一版）"), Paragraph("创新能力日益提升。")))
    assert [s.text for s in make_script(marked).sentences] == ["衡阳迎来降雪", "上接第一版", "创新能力日益提升。"]
    bare = _article(kind="continuation", paragraphs=(Paragraph("创新能力日益提升。"),))
    assert [s.text for s in make_script(bare).sentences][1] == "接上文"


def test_sentence_keeps_latin_and_carries_engine_readings() -> None:
    (sentence,) = speak_line("技术市场成交额占GDP的比重增长7.6倍。", "body")
    assert sentence.text == "技术市场成交额占GDP的比重增长七点六倍。"
    offline = sentence.reading("spelled")
    assert offline is not None and offline.text == "技术市场成交额占吉迪皮的比重增长七点六倍。"
    assert offline.pinyin is not None and len(offline.pinyin) == len(offline.text)
    assert offline.pinyin[8:11] == ("ji4", "di4", "pi1")
    assert sentence.pinyin == offline.pinyin
    assert reading_of(sentence, engines.create("kokoro")) == offline
    assert reading_of(sentence, engines.create("espeak")).text == sentence.text
    assert reading_of(sentence, engines.create("edge")).text == spell(sentence.text, "respelled") == sentence.text


@pytest.mark.parametrize(
    ("text", "spelled"),
    [("GDP", "吉迪皮"), ("CPI", "西皮艾"), ("5G", "5吉"), ("ZZDFPZ", "贼德贼德迪艾弗皮贼德"), ("kV", "开维")],
)
def test_letters_spelled_for_the_offline_voice(text: str, spelled: str) -> None:
    reading = spelled_reading(text)
    assert reading.text == spelled
    assert reading.pinyin is not None and len(reading.pinyin) == len(spelled)


def test_offline_phonemes_use_the_script_pinyin() -> None:
    (sentence,) = speak_line("完成率为百分之九十。", "body")
    read = phonemes(reading_of(sentence, engines.create("kokoro")))
    assert read == phonemize(
        "完成率为百分之九十。", ("wan2", "cheng2", "lv4", "wei2", "bai3", "fen1", "zhi1", "jiu3", "shi2", "。")
    )
    wrong = phonemize(
        "完成率为百分之九十。", ("wan2", "cheng2", "lv4", "wei4", "bai3", "fen1", "zhi1", "jiu3", "shi2", "。")
    )
    assert read != wrong


def test_sentence_without_readings_still_works_offline() -> None:
    bare = Sentence("body", "GDP增长。", "GDP增长。")
    reading = reading_of(bare, engines.create("kokoro"))
    assert reading.text == "吉迪皮增长。"
    assert phonemes(reading)


# --- sentence planning ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("今天下雪。明天放晴！后天呢？", ["今天下雪。", "明天放晴！", "后天呢？"]),
        ("组建了专班；完善了机制", ["组建了专班；", "完善了机制"]),
        ("他说：“我们建立机制。”在会上表示。", ["他说：“我们建立机制。”", "在会上表示。"]),
        ("利用平台整治“舌尖上的腐败”……制度体系不断完善。", ["利用平台整治“舌尖上的腐败”……", "制度体系不断完善。"]),
        (
            "“获批国家创新型城市。我们将应势而谋。”市科技局表示。",
            ["“获批国家创新型城市。我们将应势而谋。”", "市科技局表示。"],
        ),
        ("出台《办法。试行》等文件。", ["出台《办法。试行》等文件。"]),
        ("增长7.6倍。获奖44项。", ["增长7.6倍。", "获奖44项。"]),
    ],
)
def test_hard_cuts(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def _long_sentence() -> str:
    clause = "全市高新技术企业增长了3.2倍，科技创新平台增长了1.6倍，《衡阳市科技创新七大工程实施方案》、“科创衡阳”"
    return "、".join([clause] * 5) + "。"


def test_long_sentences_cut_at_commas_and_never_inside_numbers_quotes_or_titles() -> None:
    pieces = plan(_long_sentence(), normalize)
    assert len(pieces) > 1
    assert all(len(p.spoken) <= MAX_CHARS for p in pieces)
    for p in pieces:
        assert p.source.count("《") == p.source.count("》")
        assert p.source.count("“") == p.source.count("”")
        assert not re.search(r"\d$", p.source) and not re.match(r"[\d.]", p.source)
    assert all(p.soft for p in pieces[:-1]) and not pieces[-1].soft
    assert "".join(p.source for p in pieces) == _long_sentence()


def test_unpunctuated_paragraph_is_cut_fast_and_whole() -> None:
    unit = "市发改委提供的数据显示截至2021年底我市重大产业支撑项目分别完成投资78.04亿元完成率为123.87%特变电工新产品ZZDFPZ-415000/500-600±600kV换流变压器成功开发"
    paragraph = (unit * (12_000 // len(unit) + 1))[:12_000]
    start = time.perf_counter()
    sentences = speak_line(paragraph, "body")
    elapsed = time.perf_counter() - start
    assert all(len(s.text) <= MAX_CHARS for s in sentences)
    assert not any(re.search(r"[0-9]", s.text) for s in sentences)
    assert "".join(s.source for s in sentences) == paragraph
    for s in sentences:  # numbers and codes stay whole
        assert not re.search(r"[\d.]$", s.source.rstrip("亿元%")) or s is sentences[-1]
    assert elapsed < 10


# --- the script command -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_doc() -> dict[str, object]:
    result = CliRunner().invoke(app, ["script", str(SAMPLE), "--json", "--pinyin"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _sentences(doc: dict[str, object]) -> list[dict[str, object]]:
    return [s for a in doc["articles"] for s in a["sentences"]]  # type: ignore[attr-defined, index]


def test_script_json_shape(sample_doc: dict[str, object]) -> None:
    assert sample_doc["schema"] == 1
    for article in sample_doc["articles"]:  # type: ignore[attr-defined]
        assert set(article) == {"index", "title", "sentences"}
        for s in article["sentences"]:
            assert set(s) == {"role", "text", "pause_s", "pinyin"}
            assert s["role"] in {"title", "subtitle", "byline", "heading", "body", "signature", "kicker"}
            assert len(s["pinyin"]) == len(s["text"])
            assert len(s["text"]) <= MAX_CHARS


def test_script_reads_the_sample_like_an_anchor(sample_doc: dict[str, object]) -> None:
    text = "\n".join(str(s["text"]) for s in _sentences(sample_doc))
    assert not re.search(r"[0-9]", text)
    assert not re.search(r"[#*\[\]【】〔〕（）()■]", text)
    for spoken in [
        "七十八点零四亿元",
        "九点八五亿元",
        "百分之一百二十三点八七",
        "百分之一百五十三",
        "二零二一年底",
        "一月二十七日",
        "正负六百千伏",
        "五百强",
        "一千零二十场次",
        "十余万人次",
        "一千九百九十万元",
        "三千余人次",
        "二零二二年一月二十七日",
        "衡阳日报全媒体记者向吟吟报道",
    ]:
        assert spoken in text, spoken
    assert re.search(r"衡阳发.*二零一九.*一号", text)
    (model,) = [line for line in text.splitlines() if "换流变压器" in line]
    assert "分之" not in model and "负" not in model.replace("正负", "")
    assert "四一五零零零" in model


@pytest.mark.parametrize(
    ("word", "pinyin"),
    [
        ("市长任", ["shi4", "zhang3", "ren4"]),
        ("长沙银行", ["chang2", "sha1", "yin2", "hang2"]),
        ("行业龙头", ["hang2", "ye4", "long2", "tou2"]),
        ("着力营造", ["zhuo2", "li4", "ying2", "zao4"]),
        ("调度服务", ["diao4", "du4", "fu2", "wu4"]),
        ("一调度", [None, "diao4", "du4"]),
        ("管控调整为", ["guan3", "kong4", "tiao2", "zheng3", "wei2"]),
        ("完成率为", ["wan2", "cheng2", "lv4", "wei2"]),
        ("重大产业", ["zhong4", "da4", "chan3", "ye4"]),
    ],
)
def test_script_pinyin(sample_doc: dict[str, object], word: str, pinyin: list[str | None]) -> None:
    for s in _sentences(sample_doc):
        i = str(s["text"]).find(word)
        if i >= 0:
            got = list(s["pinyin"][i : i + len(word)])  # type: ignore[index]
            assert [g if p else None for g, p in zip(got, pinyin, strict=True)] == pinyin
            return
    pytest.fail(f"{word} not in the script")


def test_script_engine_and_lexicon_options(tmp_path: Path) -> None:
    issue = tmp_path / "i.md"
    issue.write_text("## 耒阳GDP增长\n\n长沙银行完成率为90%。\n", encoding="utf-8")
    mine = tmp_path / "mine.toml"
    mine.write_text('[pinyin]\n"银行" = "yin2 xing2"\n', encoding="utf-8")
    runner = CliRunner()
    offline = json.loads(
        runner.invoke(app, ["script", str(issue), "--json", "--pinyin", "--lexicon", str(mine)]).stdout
    )
    sentences = offline["articles"][0]["sentences"]
    assert sentences[0]["text"] == "耒阳吉迪皮增长"
    assert sentences[1]["pinyin"][2:4] == ["yin2", "xing2"]
    edge = json.loads(runner.invoke(app, ["script", str(issue), "--json", "--engine", "edge"]).stdout)
    assert [s["text"] for s in edge["articles"][0]["sentences"]] == ["垒阳GDP增长", "长沙银行完成率维百分之九十。"]
    assert "pinyin" not in edge["articles"][0]["sentences"][0]
    bad = runner.invoke(app, ["script", str(issue), "--engine", "nope"])
    assert bad.exit_code == 2 and "known engines" in bad.stderr
    text = runner.invoke(app, ["script", str(issue), "--pinyin"]).stdout
    assert "[title" in text and "yin2 hang2" in text


# --- say ----------------------------------------------------------------------------------


def test_say_speaks_a_lexicon_entry_as_listed(tmp_path: Path) -> None:
    from audiopaper.pipeline import say, say_script

    script = say_script("长沙银行还款。")
    (sentence,) = script.sentences
    assert sentence.pinyin == ("chang2", "sha1", "yin2", "hang2", "huan2", "kuan3", "。")
    mine = tmp_path / "mine.toml"
    mine.write_text('[pinyin]\n"银行" = "yin2 xing2"\n', encoding="utf-8")
    (changed,) = say_script("长沙银行还款。", mine).sentences
    assert changed.pinyin is not None and changed.pinyin[2:4] == ("yin2", "xing2")
    kokoro = engines.create("kokoro")
    assert phonemes(reading_of(sentence, kokoro)) != phonemes(reading_of(changed, kokoro))

    out = tmp_path / "x.mp3"
    result = CliRunner().invoke(
        app, ["say", "长沙银行还款。", "-o", str(out), "--engine", "kokoro", "--lexicon", str(mine)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert out.stat().st_size > 1000
    assert say("还款。", tmp_path / "y.wav", "espeak").stat().st_size > 1000


def test_sample_readings_do_not_depend_on_article_grouping() -> None:
    # The splitter decides how blocks group into articles; every block read as an article
    # of its own must still give the anchor's readings.
    from audiopaper.ingest import read_issue

    issue = read_issue([SAMPLE])
    articles = [
        Article(index=i, kind="article", title="", paragraphs=(Paragraph(b.text),)) for i, b in enumerate(issue.blocks)
    ]
    text = "\n".join(s.text for a in articles for s in make_script(a).sentences)
    assert not re.search(r"[0-9\[\]■]", text)
    for spoken in [
        "七十八点零四亿元",
        "百分之一百二十三点八七",
        "正负六百千伏",
        "一千零二十场次",
        "二零二二年一月二十七日",
        "衡阳发二零一九年第一号",
    ]:
        assert spoken in text, spoken


def test_build_rejects_a_bad_lexicon_before_synthesizing(tiny_issue: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[pinyin]\n"银行" = "yin2"\n', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["build", str(tiny_issue), "-o", str(tmp_path / "out"), "--engine", "espeak", "--lexicon", str(bad), "-q"]
    )
    assert result.exit_code == 2
    assert "bad.toml" in result.stderr and "银行" in result.stderr
