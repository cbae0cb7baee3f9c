"""Turn local clones of public per-story sources into one story list per source.

    python benchmarks/corpus/extract.py fudan  CLONE_GIT_DIR OUT_DIR
    python benchmarks/corpus/extract.py sogou  CLONE_GIT_DIR OUT_DIR
    python benchmarks/corpus/extract.py nist   CLONE_GIT_DIR OUT_DIR
    python benchmarks/corpus/extract.py cec    CLONE_GIT_DIR OUT_DIR
    python benchmarks/corpus/extract.py feeds  CLONE_GIT_DIR OUT_DIR

A clone may be a bare git directory (as the mirror tool leaves it) or a work tree.
Each source becomes ``OUT_DIR/stories/<source>.jsonl``: one story per line with its
title, subtitle, byline, paper, date and body paragraphs, exactly as the source's own
structure gives them (its fields and per-story files). Nothing here looks at what the
splitter does: these records are the gold standard the splitter is scored against.

Sources (see benchmarks/corpus/SOURCES.md): the Fudan text-classification corpus
(1990s newspaper articles reprinted by a clipping service, one file per article, a
header of 【field】 lines, wrapped at a fixed width), the SogouCS sample (2012 news
pages, one <doc> per story), the NIST Open MT Chinese newswire (2002–2008) and the
Chinese Emergency Corpus (newswire.py), and RTHK/TDM news feeds (feeds.py). The feeds
also give issues in their own native shape, written to ``OUT_DIR/native/``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feeds  # noqa: E402
import newswire  # noqa: E402

# Newspapers only: the Fudan corpus is mostly journal papers, which are not what a
# daily's reader hands over.
_PAPER = re.compile(r"报")
_NOT_PAPER = re.compile(r"学报|导报|学刊|论坛|周刊|文摘")
# The PKU January 1998 People's Daily corpus is reserved for independent evaluation:
# skip People's Daily articles of that month even though this is another corpus.
_RESERVED = re.compile(r"^199801")


def _git_files(clone: Path, prefix: str) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of every file under ``prefix`` in a clone, bare or not."""
    if not (clone / "HEAD").is_file():  # a work tree, not a bare git directory
        for path in sorted((clone / prefix).rglob("*")):
            if path.is_file():
                yield str(path.relative_to(clone)), path.read_bytes()
        return
    archive = subprocess.run(
        ["git", "--git-dir", str(clone), "archive", "--format=tar", "HEAD", *([prefix] if prefix else [])],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                yield member.name, handle.read()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _fields(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """The 【name】 header fields (each with its continuation lines) and the body lines."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    body: list[str] = []
    in_body = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        m = re.match(r"^【\s*(.+?)\s*】(.*)$", raw)
        if m and not in_body:
            name = re.sub(r"\s+", "", m.group(1))
            current = fields.setdefault(name, [])
            if m.group(2).strip():
                current.append(m.group(2).strip())
            if name == "正文":
                in_body = True
            continue
        if in_body:
            body.append(raw)
        elif current is not None and raw.strip():
            current.append(raw.strip())
    return fields, body


def _paragraphs(lines: list[str]) -> list[str]:
    """Body lines wrapped at a fixed width into paragraphs: a paragraph opens with an
    indent; lines without one continue it."""
    paragraphs: list[str] = []
    for raw in lines:
        line = raw.rstrip()
        if not line.strip() or line.strip() in ("＊", "*"):
            continue
        if line.startswith((" ", "\u3000", "\t")) or not paragraphs:
            paragraphs.append(line.strip())
        else:
            paragraphs[-1] += line.strip()
    # The clipping service's notes on characters its font lacked are not the paper's text.
    kept = [p.rstrip("＊").strip() for p in paragraphs]
    return [p for p in kept if p and not p.startswith(("字库未存", "＠")) and not re.match(r"^[①-⑳]原字", p)]


TITLE_WIDTH = 56  # characters: where the clipping service wrapped its title field


def _title_lines(lines: list[str]) -> list[str]:
    """The 【标题】 field wraps a long headline over lines; a line ending in a comma or
    an enumeration mark, or filling the field's width, is cut mid-headline and goes
    on in the next line."""
    out: list[str] = []
    for line in lines:
        if out and (out[-1][-1:] in "，,、" or (len(out[-1]) >= TITLE_WIDTH and out[-1][-1:] not in "。！？）)》”")):
            out[-1] += line
        else:
            out.append(line)
    return out


def fudan(clone: Path) -> dict[str, list[dict[str, object]]]:
    by_source: dict[str, list[dict[str, object]]] = {}
    seen: set[str] = set()
    for name, data in _git_files(clone, "Corpus_Fudan"):
        if not name.endswith(".txt") or ".ipynb" in name:
            continue
        fields, body = _fields(_decode(data))
        paper = "".join(fields.get("原文出处", [])).strip("《》 ")
        if not paper or not _PAPER.search(paper) or _NOT_PAPER.search(paper):
            continue
        date = "".join(fields.get("原刊期号", []))
        if paper.startswith("人民日报") and _RESERVED.match(date):
            continue
        title_lines = _title_lines(fields.get("标题", []))
        paragraphs = _paragraphs(body)
        if not title_lines or len(paragraphs) < 2:
            continue
        key = hashlib.sha1("".join(paragraphs).encode()).hexdigest()
        if key in seen:  # the corpus repeats articles across its train and test halves
            continue
        seen.add(key)
        source = {"人民日报": "fudan-rmrb", "光明日报": "fudan-gmrb"}.get(paper, "fudan-other")
        author = "".join(fields.get("作者", [])).replace("/", " ")
        by_source.setdefault(source, []).append(
            {
                "source": source,
                "id": name.rsplit("/", 1)[-1].removesuffix(".txt"),
                "paper": paper,
                "date": date,
                "page": "".join(fields.get("原刊页号", [])),
                "kicker": None,
                "title": title_lines[0],
                "subtitle": " ".join(title_lines[1:]) or None,
                "byline": author or None,
                "paragraphs": paragraphs,
            }
        )
    return by_source


def sogou(clone: Path) -> dict[str, list[dict[str, object]]]:
    stories: list[dict[str, object]] = []
    for name, data in _git_files(clone, ""):
        if not name.endswith(".dat"):
            continue
        text = _decode(data)
        for doc in re.findall(r"<doc>(.*?)</doc>", text, re.S):
            url = re.search(r"<url>(.*?)</url>", doc, re.S)
            title = re.search(r"<contenttitle>(.*?)</contenttitle>", doc, re.S)
            content = re.search(r"<content>(.*?)</content>", doc, re.S)
            if not (url and title and content):
                continue
            # News pages carry their date in the URL; channel pages and promotions do not.
            date = re.search(r"/(20\d{6})/", url.group(1))
            body = content.group(1).strip()
            if not date or len(body) < 150 or body.endswith("［详细］"):
                continue
            stories.append(
                {
                    "source": "sogou",
                    "id": url.group(1).rsplit("/", 1)[-1],
                    "paper": "搜狐新闻",
                    "date": date.group(1),
                    "page": "",
                    "kicker": None,
                    "title": title.group(1).strip(),
                    "subtitle": None,
                    "byline": None,
                    # SogouCS marks paragraph ends with U+E40C, a private-use character.
                    "paragraphs": [p.strip(" \u3000") for p in body.split("\ue40c") if p.strip(" \u3000")],
                }
            )
    return {"sogou": stories}


def _native(
    out: Path, shape: str, source: str, issues: list[tuple[str, bytes, list[Any]]], chrome: tuple[str, ...]
) -> None:
    """Write issues in a source's own shape, with gold from its own markup."""
    root = out / "native" / shape
    shutil.rmtree(root, ignore_errors=True)
    for n, (name, data, stories) in enumerate(issues, start=1):
        folder = root / f"{source}-{n:03d}"
        folder.mkdir(parents=True)
        (folder / "issue.md").write_bytes(data)
        gold = {
            "shape": shape,
            "source": source,
            "native": True,
            "origin": name,
            "files": ["issue.md"],
            "stories": [{k: s[k] for k in ("title", "subtitle", "kicker", "byline", "paragraphs")} for s in stories],
            "chrome": list(chrome),
        }
        (folder / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{source}: {len(issues)} native {shape} issues -> {root}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", choices=("fudan", "sogou", "nist", "cec", "feeds"))
    parser.add_argument("clone", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.source == "feeds":
        stories, issues = feeds.rthk(args.clone, _git_files)
        found = {"rthk": stories, "tdm": feeds.tdm(args.clone, _git_files)}
        _native(args.out, "digest-md", "rthk", issues, feeds.RTHK_CHROME)
    elif args.source in ("nist", "cec"):
        found = getattr(newswire, args.source)(args.clone, _git_files)
    else:
        found = {"fudan": fudan, "sogou": sogou}[args.source](args.clone)
    (args.out / "stories").mkdir(parents=True, exist_ok=True)
    for source, stories in found.items():
        path = args.out / "stories" / f"{source}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for story in stories:
                fh.write(json.dumps(story, ensure_ascii=False) + "\n")
        print(f"{source}: {len(stories)} stories -> {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
