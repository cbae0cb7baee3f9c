"""Blocks into articles (heading-based)."""

from __future__ import annotations

import re

from .models import Article, Issue, Paragraph, ParagraphRole, SplitResult

_FINAL = "。！？…；：”’」』）)!?;:"
_BYLINE = re.compile(r"^(?P<dateline>[^（(]{0,12}(?:讯|电|消息))[（(](?P<byline>[^）)]{1,40})[）)]：?")
_AUTHOR = re.compile(r"^■\s*(?P<byline>.{2,60})$")


def _is_short_title(text: str) -> bool:
    return len(text) <= 40 and text[-1] not in "。！？；"


def split(issue: Issue) -> SplitResult:
    articles: list[Article] = []
    current: dict | None = None
    pending_kicker: list[str] = []

    def close() -> None:
        nonlocal current
        if current is not None:
            articles.append(
                Article(
                    index=len(articles) + 1,
                    kind=current["kind"],
                    title=current["title"],
                    paragraphs=tuple(current["paragraphs"]),
                    kicker=current["kicker"],
                    subtitle=current["subtitle"],
                    byline=current["byline"],
                    dateline=current["dateline"],
                )
            )
        current = None

    blocks = list(issue.blocks)
    for i, block in enumerate(blocks):
        if block.kind == "heading" and block.level <= 2:
            if current and pending_kicker and current["paragraphs"]:
                # trailing short unpunctuated paragraphs belong to the next headline
                del current["paragraphs"][-len(pending_kicker) :]
            close()
            current = {
                "kind": "article",
                "title": block.text,
                "paragraphs": [],
                "kicker": "".join(pending_kicker) or None,
                "subtitle": None,
                "byline": None,
                "dateline": None,
                "fresh": True,
            }
            pending_kicker = []
            continue
        if current is None:
            current = {
                "kind": "article",
                "title": block.text,
                "paragraphs": [],
                "kicker": None,
                "subtitle": None,
                "byline": None,
                "dateline": None,
                "fresh": True,
            }
            continue
        text = block.text
        if (
            current["fresh"]
            and not current["paragraphs"]
            and current["subtitle"] is None
            and (block.kind == "heading" or (block.kind == "paragraph" and _is_short_title(text)))
        ):
            current["subtitle"] = text
            continue
        current["fresh"] = False
        if block.kind == "heading":
            current["paragraphs"].append(Paragraph(text, "heading"))
            pending_kicker = []
            continue
        m = _BYLINE.match(text)
        if m and not current["byline"] and len(current["paragraphs"]) <= 1:
            current["dateline"] = m.group("dateline")
            current["byline"] = m.group("byline").strip()
            text = text[m.end() :].strip()
            if not text:
                continue
        m = _AUTHOR.match(text)
        if m and not current["byline"]:
            current["byline"] = m.group("byline").strip()
            continue
        role: ParagraphRole = "list_item" if block.kind == "list_item" else "body"
        current["paragraphs"].append(Paragraph(text, role))
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if (
            block.kind == "paragraph"
            and _is_short_title(text)
            and len(text) <= 40
            and nxt is not None
            and (nxt.kind == "heading" and nxt.level <= 2 or _is_short_title(nxt.text))
        ):
            pending_kicker.append(text)
        else:
            pending_kicker = []
    close()
    return SplitResult(issue=issue, articles=tuple(articles))
