"""feed.xml: the podcast feed, one item per edition, from a jinja2 template."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..fsutil import write_text
from ..naming import edition_guid
from .manifest import read_manifest

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


def hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def rfc2822(date: dt.date, hour: int = 6) -> str:
    moment = dt.datetime(date.year, date.month, date.day, hour, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return email.utils.format_datetime(moment)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("audiopaper.publish", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["clean"] = clean
    return env


@dataclass(frozen=True)
class FeedItem:
    title: str
    guid: str
    url: str
    length: int
    duration: str
    pub_date: str
    description: str


def edition_items(out: Path, base_url: str) -> list[FeedItem]:
    items: list[tuple[str, FeedItem]] = []
    for manifest in sorted((out / "editions").glob("*/manifest.json")):
        doc = read_manifest(manifest)
        ed = doc["edition"]
        folder = manifest.parent
        mp3 = folder / ed["mp3"]
        if not mp3.is_file():
            continue
        date = dt.date.fromisoformat(ed["date"])
        paper = ed.get("paper", "")
        rel = mp3.relative_to(out).as_posix()
        titles = "；".join(a["title"] for a in doc["articles"])
        items.append(
            (
                ed["date"] + folder.name,
                FeedItem(
                    title=ed["title"],
                    guid=ed.get("guid") or edition_guid(paper, date),
                    url=base_url + rel,
                    length=mp3.stat().st_size,
                    duration=hms(ed["duration_s"]),
                    pub_date=rfc2822(date),
                    description=f"本期要目：{titles}",
                ),
            )
        )
    items.sort(key=lambda x: x[0], reverse=True)
    return [i for _, i in items]


def write_feed(out: Path, title: str, base_url: str = DEFAULT_BASE_URL, **extra: Any) -> Path:
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    xml = (
        _env()
        .get_template("feed.xml.j2")
        .render(
            title=title,
            link=base_url,
            description=f"{title}有声版：每日新闻，逐篇朗读。",
            language="zh-cn",
            items=edition_items(out, base_url),
            build_date=email.utils.format_datetime(dt.datetime.now(dt.UTC)),
            **extra,
        )
    )
    path = out / "feed.xml"
    write_text(path, xml)
    return path
