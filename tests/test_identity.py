"""The issue's identity (paper and date) as its input prints it: the fixtures of issue
#17, one per shape, through ``split --json``, and the rules one by one."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audiopaper.cli import app
from audiopaper.ingest import dates, identify
from audiopaper.ingest.identity import paper_name

from .conftest import SAMPLE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "identity"
runner = CliRunner()


def split_issue(*paths: Path) -> dict:
    r = runner.invoke(app, ["split", "--json", *map(str, paths)])
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["issue"]


# --- the fixtures, through the command line ---------------------------------------


@pytest.mark.parametrize(
    ("files", "paper", "paper_cue", "date", "date_cue"),
    [
        # the sample's shape: no masthead; the paper's own datelines name it, the file its date
        (["hengyang-20220128.md"], "衡阳日报", "dateline", "2022-01-28", "file_name"),
        # a per-article archive: the source line under every story
        (["renmin-issue.md"], "人民日报", "source_line", "2019-02-06", "source_line"),
        # e-paper pages: the <title> names the paper, the header bar the date
        (["epaper/page-01.html", "epaper/page-02.html"], "江南晚报", "html", "2023-05-12", "html"),
        # a programme's transcript: the title line
        (["xinwen-lianbo.md"], "新闻联播", "masthead", "2022-09-28", "masthead"),
        # no name anywhere (本报讯 names none); the date only in the file name
        (["plain/2023-03-15.txt"], None, None, "2023-03-15", "file_name"),
    ],
)
def test_split_json_reports_the_issue_identity(
    files: list[str], paper: str | None, paper_cue: str | None, date: str, date_cue: str
) -> None:
    issue = split_issue(*(FIXTURES / f for f in files))
    assert issue["paper"] == paper
    assert issue["date"] == date
    assert (issue["paper_from"] or {}).get("cue") == paper_cue
    assert issue["date_from"]["cue"] == date_cue
    if paper is not None:
        assert paper in issue["paper_from"]["text"]  # the clue is the text as printed


def test_the_sample_is_hengyang_daily_and_prints_no_issue_date() -> None:
    issue = split_issue(SAMPLE)
    assert issue["paper"] == "衡阳日报" and issue["paper_from"]["text"] == "衡阳日报讯"
    # Its only full dates are a 2021 event and a notice signed the day before the issue:
    # neither is the issue's date, so none is reported.
    assert issue["date"] is None and issue["date_from"] is None


def test_a_paper_named_in_a_story_is_not_the_issue_paper(tmp_path: Path) -> None:
    # Every fixture's stories quote another paper (另据《环球时报》报道): none was taken.
    text = (FIXTURES / "plain" / "2023-03-15.txt").read_text(encoding="utf-8")
    assert "《中国青年报》" in text
    assert identify([FIXTURES / "plain" / "2023-03-15.txt"]).paper is None


def test_the_issue_date_beats_the_latest_date_a_story_mentions() -> None:
    text = (FIXTURES / "hengyang-20220128.md").read_text(encoding="utf-8")
    assert "2022年1月27日" in text and "2022年1月28日" not in text
    assert identify([FIXTURES / "hengyang-20220128.md"]).date == dt.date(2022, 1, 28)


def test_the_file_name_is_the_least_trusted_clue(tmp_path: Path) -> None:
    # A transcript saved under another day's name: its title line wins.
    moved = tmp_path / "20221001.md"
    shutil.copy(FIXTURES / "xinwen-lianbo.md", moved)
    found = identify([moved])
    assert found.date == dt.date(2022, 9, 28) and found.date_from is not None and found.date_from.cue == "masthead"


def test_a_folder_named_by_the_date_dates_its_pages(tmp_path: Path) -> None:
    folder = tmp_path / "2019" / "0206"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "plain" / "2023-03-15.txt", folder / "a01.txt")
    assert identify([folder / "a01.txt"]).date == dt.date(2019, 2, 6)


# --- the rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年02月06日", dt.date(2019, 2, 6)),
        ("２０１２年７月３０日", dt.date(2012, 7, 30)),
        ("二〇二二年一月二十七日", dt.date(2022, 1, 27)),
        ("二〇二二年十二月三十一日", dt.date(2022, 12, 31)),
        ("(20220928)", dt.date(2022, 9, 28)),
        ("2022-01-27", dt.date(2022, 1, 27)),
        ("2022.1.27", dt.date(2022, 1, 27)),
        ("2019/2/6", dt.date(2019, 2, 6)),
        ("nw.D110000renmrb_20190206_1-01.htm", dt.date(2019, 2, 6)),
        ("2019年2月30日", None),  # no such day
        ("电话 13820190206", None),  # inside a longer number
        ("1月27日", None),  # no year: not a full date
    ],
)
def test_dates_in_every_printed_form(text: str, expected: dt.date | None) -> None:
    found = [m.date for m in dates.full_dates(text)]
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("衡阳日报", "衡阳日报"),
        ("衡阳日报社", "衡阳日报"),
        ("文汇报", "文汇报"),
        ("中国青年报", "中国青年报"),
        ("现代快报", "现代快报"),
        ("本报", None),
        ("工作汇报", None),
        ("天气预报", None),
        ("情况通报", None),
        ("市委召开全会听取全市工作情况的汇报", None),
        ("新闻联播", None),  # a programme: only in 《》 at the top of an issue
    ],
)
def test_a_paper_name_is_known_by_its_shape(text: str, expected: str | None) -> None:
    assert paper_name(text) == expected


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


STORY = "本报讯（记者 张三）市区今天举行植树活动，一千多名市民参加，种下树苗三千余株。\n\n活动持续到中午。\n"


@pytest.mark.parametrize(
    ("head", "paper", "date"),
    [
        ("# 人民日报\n\n2019年2月6日 星期三\n\n", "人民日报", dt.date(2019, 2, 6)),
        ("人民日报 2019年2月6日 星期三 第01版\n\n", "人民日报", dt.date(2019, 2, 6)),
        ("# 《新闻联播》 (20220928)\n\n", "新闻联播", dt.date(2022, 9, 28)),
        ("# 《晚间新闻》（2024年3月8日）\n\n", "晚间新闻", dt.date(2024, 3, 8)),
        # a headline that opens with a date is a headline, not a masthead
        ("# 2022年1月27日市政府召开常务会议\n\n", None, None),
        # a review's title in 《》 over its story names no programme
        ("# 《长津湖》\n\n", None, None),
        # a short name without paper shape, heading nothing: a headline
        ("# 春风十里 2024年3月8日\n\n", None, None),
    ],
)
def test_mastheads(tmp_path: Path, head: str, paper: str | None, date: dt.date | None) -> None:
    found = identify([write(tmp_path, "issue.md", head + "## 植树活动\n\n" + STORY)])
    assert (found.paper, found.date) == (paper, date)


def test_a_short_name_heading_the_sections_is_a_masthead(tmp_path: Path) -> None:
    text = "# 城市早新闻 2024年3月8日\n\n## 要闻\n\n### 植树活动\n\n" + STORY
    found = identify([write(tmp_path, "issue.md", text)])
    assert (found.paper, found.date) == ("城市早新闻", dt.date(2024, 3, 8))


def test_datelines_name_the_paper_only_when_most_stories_carry_it(tmp_path: Path) -> None:
    own = "湘江日报讯（记者 李四）今天，天气晴好，市民出游。\n\n"
    ours = "本报讯（记者 王五）今天，市区举行了植树活动。\n\n"
    two_of_ours = "## 甲\n\n" + own + "## 乙\n\n" + own + "## 丙\n\n" + ours
    assert identify([write(tmp_path, "a.md", two_of_ours)]).paper is None  # 2 of 3: not enough
    three = "## 甲\n\n" + own + "## 乙\n\n" + own + "## 丙\n\n" + own + "## 丁\n\n" + ours
    assert identify([write(tmp_path, "b.md", three)]).paper == "湘江日报"  # 3 of 4
    # A single dateline may be another paper's story reprinted: no name.
    assert identify([write(tmp_path, "c.md", "## 甲\n\n" + own)]).paper is None


def test_a_portal_page_title_vetoes_a_reprinted_papers_datelines(tmp_path: Path) -> None:
    body = "".join(f"<h1>标题{n}</h1><p>湘江日报讯（记者 李四）今天，天气晴好，市民出游。</p>" for n in range(3))
    page = f"<!DOCTYPE html><html><head><title>新闻--长河晚报</title></head><body>{body}</body></html>"
    found = identify([write(tmp_path, "p.html", page)])
    assert found.paper is None


def test_source_lines_that_disagree_name_nothing(tmp_path: Path) -> None:
    lines = [
        "# 甲\n\n> 《文汇报》（1996年8月14日第 08 版）\n\n正文。\n\n",
        "# 乙\n\n> 《经济日报》（1996年9月1日第 02 版）\n\n正文。\n\n",
    ]
    found = identify([write(tmp_path, "mixed.md", "".join(lines))])
    assert found.paper is None and found.date is None


def test_a_menu_of_sister_papers_in_a_page_header_names_none(tmp_path: Path) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>新闻</title></head><body>"
        "<div><a>湘江日报</a> <a>湘江晚报</a> <a>城市商报</a></div><h1>植树活动</h1><p>正文。</p></body></html>"
    )
    assert identify([write(tmp_path, "p.html", page)]).paper is None


def test_a_plain_masthead_line_names_the_issue_and_is_no_story(tmp_path: Path) -> None:
    text = "人民日报 2019年2月6日 星期三\n\n春耕备耕有序推进\n\n" + STORY + "\n冰雪运动走进校园\n\n" + STORY
    issue = split_issue(write(tmp_path, "issue.txt", text))
    assert (issue["paper"], issue["date"]) == ("人民日报", "2019-02-06")
    r = runner.invoke(app, ["split", "--json", str(tmp_path / "issue.txt")])
    titles = [a["title"] for a in json.loads(r.stdout)["articles"]]
    assert titles == ["春耕备耕有序推进", "冰雪运动走进校园"]


@pytest.mark.parametrize(
    ("head", "paper", "date"),
    [
        ("# 《新闻联播》文字版 2022年9月28日\n\n", "新闻联播", dt.date(2022, 9, 28)),
        ("2019年2月6日 星期三 第25000期\n\n", None, dt.date(2019, 2, 6)),
        ("人民日报 二〇一九年二月六日 星期三 农历戊戌年腊月初二\n\n", "人民日报", dt.date(2019, 2, 6)),
    ],
)
def test_mastheads_with_their_furniture(tmp_path: Path, head: str, paper: str | None, date: dt.date) -> None:
    found = identify([write(tmp_path, "issue.md", head + "## 植树活动\n\n" + STORY)])
    assert (found.paper, found.date) == (paper, date)
