"""Stories and native issues from a public repository that mirrors two broadcasters'
news feeds (see SOURCES.md): RTHK's Chinese news as Markdown pages and Macau TDM's
news as an Atom feed with HTML bodies.

RTHK pages are a native digest: ``# title``, a photo, the text, then a footer of links
(``原始網址``, ``© rthk.hk``, ``電子郵件``, ``原文連結``) between ``---`` rules. Issues
are cut from a page at story boundaries and written byte for byte; their gold comes
from the page's own markup. Both sources also give per-story records, which the
assembler sets in the other shapes.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Story = dict[str, Any]
Files = Callable[[Path, str], Iterator[tuple[str, bytes]]]

RTHK_CHROME = ("原始網址", "© rthk.hk", "電子郵件", "cnews@rthk.hk", "原文連結", "https://news.rthk.hk")
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$")


def _rthk_page(text: str) -> list[tuple[str, Story]]:
    """(raw text of the story and its footer, story record) for each story on a page."""
    parts = re.split(r"(?m)^(?=# )", text)
    out: list[tuple[str, Story]] = []
    for part in parts:
        if not part.startswith("# "):
            continue
        head, _, rest = part.partition("\n")
        body = rest.split("\n---\n", 1)[0]
        paragraphs = [
            line.strip(" \u3000")
            for line in body.split("\n")
            if line.strip(" \u3000") and not _IMAGE.match(line.strip())
        ]
        url = re.search(r"https://news\.rthk\.hk/\S+?(\d+)-(\d{8})\.htm", part)
        out.append(
            (
                part,
                {
                    "source": "rthk",
                    "id": url.group(1) if url else head,
                    "paper": "香港電台",
                    "date": url.group(2) if url else "",
                    "page": "",
                    "kicker": None,
                    "title": head[2:].strip(),
                    "subtitle": None,
                    "byline": None,
                    "paragraphs": paragraphs,
                },
            )
        )
    return out


def rthk(clone: Path, files: Files) -> tuple[list[Story], list[tuple[str, bytes, list[Story]]]]:
    """Story records, and native issues as (name, bytes, stories in order)."""
    stories: list[Story] = []
    issues: list[tuple[str, bytes, list[Story]]] = []
    rng = random.Random("rthk")
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for name, data in files(clone, ""):
        if not re.fullmatch(r"hk_rthk_\w+_ch\.md|hk_rthk_ch\.md", name):
            continue
        page = _rthk_page(data.decode("utf-8"))
        page = [(raw, s) for raw, s in page if s["paragraphs"]]
        # The section pages repeat stories of the front page: one record each.
        for _, story in page:
            key = (story["title"], tuple(story["paragraphs"]))
            if key not in seen:
                seen.add(key)
                stories.append(story)
        i = 0
        while i + 3 <= len(page):
            chunk = page[i : i + rng.randint(3, 8)]
            raw = "".join(r for r, _ in chunk).encode()
            issues.append((f"{name.removesuffix('.md')}-{len(issues) + 1:03d}", raw, [s for _, s in chunk]))
            i += len(chunk)
    return stories, issues


_P = re.compile(r"<p[^>]*>(.*?)</p>", re.S | re.I)


def _text(fragment: str) -> str:
    fragment = re.sub(r"<br\s*/?>", " ", fragment, flags=re.I)
    fragment = re.sub(r"<[^>]+>", "", fragment)
    return re.sub(r"\s+", " ", html.unescape(fragment).replace("\xa0", " ")).strip()


def tdm(clone: Path, files: Files) -> list[Story]:
    stories: list[Story] = []
    for name, data in files(clone, ""):
        if name != "mo_tdm.xml":
            continue
        feed = data.decode("utf-8")
        for entry in re.findall(r"<entry>(.*?)</entry>", feed, re.S):
            title = re.search(r"<title>(.*?)</title>", entry, re.S)
            content = re.search(r"<content[^>]*>(.*?)</content>", entry, re.S)
            ident = re.search(r"<id>(.*?)</id>", entry)
            updated = re.search(r"<updated>(\d{4})-(\d\d)-(\d\d)", entry)
            if not (title and content):
                body = ""
            else:
                body = content.group(1).replace("<![CDATA[", "").replace("]]>", "")
            paragraphs = [t for t in (_text(p) for p in _P.findall(body)) if t]
            if not title or len(paragraphs) < 2:
                continue
            stories.append(
                {
                    "source": "tdm",
                    "id": ident.group(1) if ident else "",
                    "paper": "澳門電台",
                    "date": "".join(updated.groups()) if updated else "",
                    "page": "",
                    "kicker": None,
                    "title": _text(title.group(1)),
                    "subtitle": None,
                    "byline": None,
                    "paragraphs": paragraphs,
                }
            )
    return stories
