"""Short issues laid out as a newsroom's archive, for the batch tests and benchmark.

Each day's issue names its paper and date in its masthead and has two stories: one of
the day's own, and a notice every day repeats (so the cache is asked for audio it
already has).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

STORIES = (
    ("衡阳迎来降雪", "今天上午，衡阳迎来降雪，市民纷纷出门赏雪。"),
    ("蒸湘区开展核酸检测", "蒸湘区在五个社区设立检测点，方便居民就近检测。"),
    ("雁峰区新建三座公园", "三座口袋公园本月开放，周边居民步行五分钟即可到达。"),
    ("市图书馆推出夜读活动", "每周五晚上，市图书馆邀请作家与读者一起读书。"),
    ("南岳景区开展冬季救援演练", "景区联合消防部门，演练冰雪天气下的游客救援。"),
    ("衡阳高铁站增开列车", "春运期间，衡阳东站每天增开十二趟列车。"),
)
PUBLIC = "https://audio.example.org/"
OWNER = "podcast@example.org"


def issue_text(day: dt.date, n: int, paper: str = "衡阳日报") -> str:
    title, body = STORIES[n % len(STORIES)]
    return (
        f"# {paper} {day.year}年{day.month}月{day.day}日\n\n"
        f"## {title}\n\n{paper}讯（全媒体记者 向吟吟）{body}\n\n第{n + 1}期报道，记者将继续关注。\n\n"
        "## 市图书馆延长开放时间\n\n春节期间，市图书馆每天开放到晚上九点。\n"
    )


def write_archive(root: Path, days: int, paper: str = "衡阳日报", start: dt.date = dt.date(2022, 1, 27)) -> Path:
    """``root/<YYYY-MM-DD>/issue.md`` for ``days`` days from ``start``."""
    for n in range(days):
        day = start + dt.timedelta(days=n)
        folder = root / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "issue.md").write_text(issue_text(day, n, paper), encoding="utf-8")
    return root


def papers_toml(path: Path, papers: dict[str, tuple[str, str]], engine: str = "espeak") -> Path:
    """A producer's papers.toml: a public URL, an owner, and each paper with its
    sources and voice (``{name: (source, voice)}``)."""
    lines = [
        "[site]",
        f'base_url = "{PUBLIC}"',
        "",
        "[paper]",
        f'owner_email = "{OWNER}"',
        f'engine = "{engine}"',
        "",
    ]
    for name, (source, voice) in papers.items():
        lines += ["[[papers]]", f'name = "{name}"', f'sources = ["{source}"]', f'voice = "{voice}"']
        lines += [f'title = "{name}有声版"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
