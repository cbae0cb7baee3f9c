"""Datelines, reporter credits and photo credits, as an anchor says them.

The page prints 衡阳日报讯（全媒体记者 向吟吟） or ■衡阳日报社全媒体记者 王靖 通讯员 邱红燕 谢琼;
a reader says 衡阳日报全媒体记者向吟吟报道 once, never the brackets or the ■.
"""

from __future__ import annotations

import re

__all__ = ["byline_line", "continuation_marker", "photo_credit", "spoken_byline", "split_dateline"]

# Role words that start a group of names in a credit, longest first.
_ROLES = (
    "全媒体记者",
    "融媒体记者",
    "特约记者",
    "见习记者",
    "本报记者",
    "实习记者",
    "记者",
    "通讯员",
    "实习生",
    "摄影",
    "编辑",
    "撰稿",
)
_ROLE_RE = "|".join(_ROLES)
_MARKS = "■□●◆★▲"
_BYLINE_LINE = re.compile(rf"^[{_MARKS}\s]*(?P<credit>[^。！？；]{{0,20}}(?:{_ROLE_RE})[^。！？；]{{1,60}})$")
_PHOTO = re.compile(rf"^[{_MARKS}\s]*(?P<who>[^。！？；]{{1,40}}?)\s*(?:摄影|摄)\s*$")
_DATELINE = re.compile(r"^(?P<dateline>[^（(，。]{0,16}(?:讯|电|消息))[（(](?P<byline>[^）)]{1,60})[）)]\s*[:：]?\s*")
_JUMP = re.compile(r"^[（(]\s*(?P<what>(?:上接|接|下转|转)\s*第?\s*[\d一二三四五六七八九十A-Za-z]+\s*版)\s*[）)]$")


def _groups(credit: str) -> list[tuple[str, list[str]]]:
    """(role prefix, names) groups: 衡阳日报社全媒体记者 王靖 通讯员 邱红燕 谢琼 → two groups."""
    groups: list[tuple[str, list[str]]] = []
    for token in credit.replace("、", " ").replace("，", " ").split():
        role = next((r for r in _ROLES if token.endswith(r) or token.startswith(r)), None)
        if role and token.endswith(role):
            groups.append((token, []))
        elif role and token.startswith(role):  # 记者王靖: role and name run together
            groups.append((token[: len(role)], [token[len(role) :]]))
        elif groups:
            groups[-1][1].append(token)
        else:
            groups.append(("", [token]))
    return groups


def spoken_byline(dateline: str | None, byline: str | None) -> str:
    """One natural sentence for the dateline and credit: 衡阳日报全媒体记者向吟吟报道。"""
    dateline = (dateline or "").strip()
    parts = []
    for role, names in _groups((byline or "").strip(_MARKS + " ")):
        parts.append(role + "、".join(names))
    credit = "，".join(p for p in parts if p)
    if dateline.endswith("讯"):
        # 衡阳日报讯 (the paper's own report): the paper's name leads the credit.
        lead = dateline[:-1]
        if not credit:
            return f"{lead}消息。" if lead else ""
        return f"{'' if credit.startswith(lead) else lead}{credit}报道。"
    if dateline and credit:
        return f"{dateline}，{credit}报道。"
    if dateline:
        return f"{dateline}。"
    return f"{credit}报道。" if credit else ""


def split_dateline(text: str) -> tuple[str, str, str] | None:
    """(dateline, credit, rest) when a paragraph opens with 衡阳日报讯（…）."""
    m = _DATELINE.match(text)
    if not m:
        return None
    return m.group("dateline"), m.group("byline"), text[m.end() :].strip()


def byline_line(text: str) -> str | None:
    """The credit in a stand-alone credit line (■衡阳日报社全媒体记者 王靖 …), else None."""
    if photo_credit(text):
        return None
    m = _BYLINE_LINE.match(text.strip())
    if not m or not text.strip().startswith(tuple(_MARKS)) and " " not in m.group("credit"):
        return None
    return m.group("credit").strip()


def photo_credit(text: str) -> str | None:
    """A photo credit (■通讯员 邓威 摄) as it is read: 通讯员邓威摄影; None if not one."""
    m = _PHOTO.match(text.strip())
    if not m:
        return None
    who = m.group("who")
    if not re.search(_ROLE_RE, who) and not text.strip().startswith(tuple(_MARKS)):
        return None
    parts = [role + "、".join(names) for role, names in _groups(who)]
    return "，".join(p for p in parts if p) + "摄影"


def continuation_marker(text: str) -> str | None:
    """上接第一版 for a jump line （上接第一版）; None otherwise."""
    m = _JUMP.match(text.strip())
    return re.sub(r"\s+", "", m.group("what")) if m else None
