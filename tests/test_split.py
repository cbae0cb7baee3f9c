"""The sample issue, split as an editor would (issue #3's nine-item table)."""

from __future__ import annotations

import codecs
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from audiopaper import ingest, split
from audiopaper.cli import app
from audiopaper.models import SplitResult
from audiopaper.render import split_doc, split_outline

from .conftest import SAMPLE

FIXTURES = Path(__file__).parent / "fixtures" / "split"
GOLDEN = json.loads((FIXTURES / "hengyang-daily.expected.json").read_text(encoding="utf-8"))["articles"]
FIELDS = ("kind", "title", "kicker", "subtitle", "byline", "dateline", "credit", "paragraphs", "roles")
STRAY = "场次，观看人数达10余万人次。"

runner = CliRunner()


def split_paths(*paths: Path) -> SplitResult:
    return split.split(ingest.read_issue(paths))


def editorial(result: SplitResult) -> list[dict[str, Any]]:
    return [{k: a[k] for k in FIELDS} for a in split_doc(result)["articles"]]


@pytest.fixture(scope="module")
def sample() -> SplitResult:
    return split_paths(SAMPLE)


def test_sample_matches_the_golden_file(sample: SplitResult) -> None:
    got = editorial(sample)
    assert len(got) == len(GOLDEN) == 9
    for index, (mine, expected) in enumerate(zip(got, GOLDEN, strict=True), start=1):
        assert mine == expected, f"item {index} differs"
    assert [a.index for a in sample.articles] == list(range(1, 10))


def test_nine_items_in_reading_order(sample: SplitResult) -> None:
    kinds = [a.kind for a in sample.articles]
    assert kinds == [
        "article",
        "article",
        "continuation",
        "article",
        "article",
        "article",
        "article",
        "photo",
        "notice",
    ]


@pytest.mark.parametrize(
    ("index", "kicker", "title", "subtitle"),
    [
        (1, None, "真抓实干 为高质量发展打造新引擎培育新动能", "我市实施“三高四新”产业项目建设获省政府表彰"),
        (
            2,
            "“护航‘中心化’答卷2021”系列报道之三：市纪委监委一体统筹谋划、协调推进“三不”机制建设——",
            "筑牢三重防线 深化标本兼治",
            None,
        ),
        (3, None, "创新能力日益提升（续）", None),
        (4, None, "送“政策”送“资金”送“服务”", "我市首次举办青年(大学生)创业人才座谈会"),
        (5, None, "用心用情用力做好老干部工作", "市领导走访慰问老干部"),
        (6, None, "寒潮来了，市应急管理局发布安全提示", "迎战低温雨雪冰冻天气"),
        (7, None, "客源虽“缩水” 防疫不松懈", "市中心汽车站全力保障旅客安全有序出行"),
        (9, None, "弃旧俗扬新风 不燃放烟花爆竹倡议书", None),
    ],
)
def test_headline_parts(sample: SplitResult, index: int, kicker: str | None, title: str, subtitle: str | None) -> None:
    article = sample.articles[index - 1]
    assert (article.kicker, article.title, article.subtitle) == (kicker, title, subtitle)


def test_kicker_is_not_left_in_the_previous_article(sample: SplitResult) -> None:
    first = sample.articles[0]
    assert first.paragraphs[0].text.startswith("近日，省政府对2021年度")
    assert first.paragraphs[-1].text.endswith("填补了国内空白。")
    assert not any("系列报道" in p.text or "协调推进“三不”" in p.text for p in first.paragraphs)


def test_bylines_and_datelines_stay_out_of_the_body(sample: SplitResult) -> None:
    a1, a2 = sample.articles[0], sample.articles[1]
    assert (a1.dateline, a1.byline) == ("衡阳日报讯", "全媒体记者 向吟吟")
    assert a2.byline is not None and "王靖" in a2.byline and "邱红燕 谢琼" in a2.byline and "■" not in a2.byline
    for article in sample.articles:
        for para in article.paragraphs:
            assert not para.text.startswith(("衡阳日报讯", "■")), para.text


def test_sections_of_the_second_article(sample: SplitResult) -> None:
    a2 = sample.articles[1]
    headings = [p.text for p in a2.paragraphs if p.role == "heading"]
    assert headings == ["制度常驻，扎紧“不能腐”的笼子", "警钟常鸣，增强“不想腐”的自觉"]
    assert a2.paragraphs[0].role == "heading"
    assert a2.paragraphs[-1].text.endswith("纪律保障。")


@pytest.mark.parametrize(
    ("index", "joined"),
    [
        (1, "产品创新强基项目、科技创新攻关项目"),
        (1, "制度建设、要素保障"),
        (4, "组织、人社、司法"),
        (5, "亲切交谈，关切询问"),
        (6, "各项责任、做好预警响应"),
        (9, "积极向亲朋好友"),
    ],
)
def test_cut_paragraphs_are_joined(sample: SplitResult, index: int, joined: str) -> None:
    texts = [p.text for p in sample.articles[index - 1].paragraphs]
    assert sum(joined in t for t in texts) == 1
    assert any(
        r.kind == "join" and r.article == index and joined[len(joined) // 2] in r.detail for r in sample.repairs
    ), "each join is reported for review"


def test_continuation_gets_its_stray_ending_back(sample: SplitResult) -> None:
    item = sample.articles[2]
    texts = [p.text for p in item.paragraphs]
    assert texts[0].startswith("创新能力日益提升")
    assert any("发展思路，成为助力企业发展的科创名片。" in t for t in texts)
    assert texts[-1].endswith("标签更加清晰。")
    assert [r.kind for r in sample.repairs if r.article == 3] == ["reattach"]


def test_stray_fragment_is_removed_and_the_sentence_rejoined(sample: SplitResult) -> None:
    a7 = sample.articles[6]
    body = "".join(p.text for p in a7.paragraphs)
    assert STRAY not in body
    assert "节前客流以省内中短途务工流为主" in body
    # the passage it duplicates stays where it belongs
    a2 = sample.articles[1]
    assert sum(STRAY in p.text for p in a2.paragraphs) == 1
    removed = [r for r in sample.repairs if r.kind == "remove"]
    assert len(removed) == 1 and removed[0].article == 7 and STRAY in removed[0].detail


def test_photo_news(sample: SplitResult) -> None:
    photo = sample.articles[7]
    assert photo.kind == "photo"
    assert photo.credit == "通讯员 邓威 摄"
    assert [p.text[:24] for p in photo.paragraphs] == ["连日来，为保障农民工平安顺利返乡，蒸湘区雨母山镇"]
    assert photo.title
    assert not any("连日来" in p.text for p in sample.articles[6].paragraphs)


def test_notice_keeps_signature_and_date(sample: SplitResult) -> None:
    notice = sample.articles[8]
    assert notice.kind == "notice"
    assert [(p.text, p.role) for p in notice.paragraphs[-2:]] == [
        ("衡阳市人民政府", "signature"),
        ("2022年1月27日", "signature"),
    ]
    assert notice.paragraphs[0].text == "广大市民朋友们："
    assert [p.role for p in notice.paragraphs].count("list_item") == 3


def _body_lines() -> list[str]:
    """Body text of the sample by the editor's reading: every non-empty line except
    headline lines, bylines, credit, jump marker and signature; byline prefixes cut."""
    not_body = {3, 5, 21, 23, 25, 27, 29, 47, 71, 79, 81, 91, 93, 103, 105, 115, 117, 133, 135, 151, 152}
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    out = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or number in not_body:
            continue
        text = re.sub(r"^- ", "", text)
        text = re.sub(r"^衡阳日报讯（[^）]*）", "", text)
        out.append(text)
    return out


def test_every_body_paragraph_lands_in_exactly_one_item_once(sample: SplitResult) -> None:
    bodies = ["\n".join(p.text for p in a.paragraphs if p.role != "signature") for a in sample.articles]
    lines = _body_lines()
    assert len(lines) == 56
    for line in lines:
        piece = line.replace(STRAY, "") if line.startswith("“因高校学生") else line
        homes = [i for i, body in enumerate(bodies, start=1) if piece in body]
        assert len(homes) == 1, (piece[:20], homes)
        assert bodies[homes[0] - 1].count(piece) == 1
    # and nothing else: the bodies hold exactly these characters, less the stray run
    total = sum(len(p.text) for a in sample.articles for p in a.paragraphs if p.role in ("body", "list_item"))
    assert total == sum(len(x) for x in lines) - len(STRAY)


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("gb18030"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("gb18030").decode("gb18030").encode("utf-8"),
        lambda t: t.replace("\n", "\r\n").encode("gb18030"),
    ],
    ids=["gb18030", "crlf", "bom", "bom-crlf", "gb18030-crlf"],
)
def test_encodings_and_line_ends_give_the_same_articles(tmp_path: Path, encode: Any, sample: SplitResult) -> None:
    path = tmp_path / "issue.md"
    path.write_bytes(encode(SAMPLE.read_text(encoding="utf-8")))
    assert editorial(split_paths(path)) == editorial(sample)


@pytest.mark.parametrize("cut", [13, 15, 71, 119, 131])
def test_pages_in_several_files_are_one_issue(tmp_path: Path, cut: int, sample: SplitResult) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    first, second = tmp_path / "page1.md", tmp_path / "page2.md"
    first.write_text("\n".join(lines[: cut - 1]), encoding="utf-8")
    second.write_text("\n".join(lines[cut - 1 :]), encoding="utf-8")
    assert editorial(split_paths(first, second)) == editorial(sample)


def test_sample_without_any_markup_gives_the_same_items(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    plain = re.sub(r"^(?:#+ |- )", "", text, flags=re.MULTILINE).replace("  \n", "\n")
    path = tmp_path / "issue.txt"
    path.write_text(plain, encoding="utf-8")
    got = editorial(split_paths(path))
    strip_roles = [{k: v for k, v in item.items() if k != "roles"} for item in GOLDEN]
    assert [{k: v for k, v in item.items() if k != "roles"} for item in got] == strip_roles


def test_two_hundred_articles_split_in_under_two_seconds(tmp_path: Path, sample: SplitResult) -> None:
    copies = 23
    path = tmp_path / "big.md"
    path.write_text("\n\n".join([SAMPLE.read_text(encoding="utf-8")] * copies), encoding="utf-8")
    issue = ingest.read_issue([path])
    start = time.perf_counter()
    result = split.split(issue)
    elapsed = time.perf_counter() - start
    assert len(result.articles) == 9 * copies >= 200
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    # every copy is read the same way, repairs included
    assert editorial(result) == editorial(sample) * copies
    assert len(result.repairs) == len(sample.repairs) * copies


def test_cli_split_json(tmp_path: Path) -> None:
    r = runner.invoke(app, ["split", str(SAMPLE), "--json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == 1
    assert [a["kind"] for a in doc["articles"]][:3] == ["article", "article", "continuation"]
    first = doc["articles"][0]
    for key in ("index", "kind", "kicker", "title", "subtitle", "byline", "dateline", "credit", "paragraphs"):
        assert key in first
    assert {r["kind"] for r in doc["repairs"]} == {"join", "remove", "reattach"}
    assert all(set(r) == {"kind", "article", "detail"} for r in doc["repairs"])
    text = json.dumps(doc, ensure_ascii=False)
    assert "**" not in text and "](" not in text and "<p>" not in text


def test_cli_split_outline(sample: SplitResult) -> None:
    r = runner.invoke(app, ["split", str(SAMPLE)])
    assert r.exit_code == 0
    assert r.stdout.strip() == split_outline(sample).strip()
    assert "[photo]" in r.stdout and "credit: 通讯员 邓威 摄" in r.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
        (bytes([0xA4, 0xA4, 0xB0, 0xEA, 0x81, 0x30, 0xFF, 0xFE]) * 300, "decode"),
    ],
    ids=["missing", "empty", "png", "pdf", "undecodable"],
)
def test_cli_split_bad_input_is_one_line_exit_1(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "issue.md"
    if content is not None:
        path.write_bytes(content)
    r = runner.invoke(app, ["split", str(path)])
    assert r.exit_code == 1
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0]


def test_text_without_structure_is_one_article_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_text(
        "今天上午，市政府召开常务会议，研究部署春节期间安全生产工作，要求各地各部门压紧压实责任。"
        "会议还听取了全市重点项目建设情况汇报，强调要抢抓时间节点，确保项目早开工、早见效。\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["split", str(path), "--json"])
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert len(doc["articles"]) == 1 and doc["articles"][0]["kind"] == "article"
    assert doc["articles"][0]["paragraphs"][0].startswith("今天上午")
    assert doc["warnings"] and "no headlines" in doc["warnings"][0]
    assert "warning: no headlines" in r.stderr
