"""ASCII names: article slugs from pinyin, GUIDs; the spoken form of a date."""

from __future__ import annotations

import datetime as dt
import re
import uuid

GUID_NAMESPACE = uuid.UUID("6f1d3e56-4b8a-5c1f-9a57-6d1f0a9c2b11")


def slug(title: str, max_syllables: int = 4) -> str:
    from pypinyin import Style, lazy_pinyin

    han = re.sub(r"[^\u3400-\u9fff]", "", title)[:max_syllables]
    syllables = [s for s in lazy_pinyin(han, style=Style.NORMAL) if s.isascii()]
    words = syllables or re.findall(r"[a-z0-9]+", title.lower())[:max_syllables]
    text = "-".join(w.replace("ü", "v") for w in words)
    text = re.sub(r"[^a-z0-9-]+", "", text.lower()).strip("-")
    return text or "article"


def article_id(index: int, title: str) -> str:
    return f"{index:02d}-{slug(title)}"


def edition_guid(paper: str, date: dt.date, suffix: str = "") -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"edition|{paper}|{date.isoformat()}{suffix}"))


def article_guid(paper: str, date: dt.date, title: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"article|{paper}|{date.isoformat()}|{title}"))


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    import cn2an

    return str(cn2an.an2cn(n))


def spoken_date(date: dt.date) -> str:
    year = "".join(_CN_DIGITS[int(c)] for c in str(date.year))
    return f"{year}年{_cn_number(date.month)}月{_cn_number(date.day)}日"
