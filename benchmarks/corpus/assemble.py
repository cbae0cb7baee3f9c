"""Assemble whole issues, in the shapes people hand over, from per-story records.

    python benchmarks/corpus/assemble.py CORPUS_DIR [--per-source 10] [--seed 1]
        [--exclude OTHER_CORPUS_DIR] [--shapes plain-1990s,plain-indent]

Reads ``CORPUS_DIR/stories/*.jsonl`` (made by extract.py) and writes
``CORPUS_DIR/issues/<shape>/<source>-<nn>/`` with the issue's file(s) and ``gold.json``:
the stories in reading order (title and body paragraphs, straight from the source's
own fields) and the page furniture put around them, which must not reach any item.

The shapes are the ones a newsroom or a reader actually has (issue #10):

- ``digest-md``: Markdown transcript with embedded HTML, a summary section, and the
  stories as ``###`` under a ``## 详细新闻``-style section heading.
- ``plain-1990s``: plain text, headlines known only by their shape, a blank line after
  every paragraph.
- ``plain-indent``: plain text, indented paragraphs, a blank line between stories; half
  of the issues saved as GB18030 with CRLF line ends. Sources wrapped at a fixed width
  keep their wrapping.
- ``md-kicker``: Markdown with ``###`` kicker, ``#`` title, ``##`` subtitle and a ``>``
  source line (byline and 《paper》（date 第 NN 版）).
- ``epaper-html``: one HTML page per story from an e-paper site, with the site's page
  furniture (page navigation, font size and print buttons, the page's list of titles,
  footer), in three different page templates.
- ``converted-md``: Markdown converted from printed pages like the sample: ``#``/``##``
  titles, subtitles and bylines as plain lines.

Every choice that varies between real papers (section names, heading levels, where the
byline goes, entity use, templates, encodings) is drawn at random per issue, so that no
single layout can be learnt by heart.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

Story = dict[str, Any]
Files = list[tuple[str, bytes]]

CN_DIGITS = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n <= 10:
        return "十" if n == 10 else CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def _date_text(story: Story) -> str:
    d = str(story.get("date") or "")
    if len(d) >= 8 and d[:8].isdigit():
        return f"{d[:4]}年{int(d[4:6])}月{int(d[6:8])}日"
    if len(d) >= 6 and d[:6].isdigit():
        return f"{d[:4]}年{int(d[4:6])}月"
    return ""


def _page_no(story: Story, rng: random.Random) -> int:
    page = str(story.get("page") or "")
    for marks in ("①②③④⑤⑥⑦⑧⑨⑩", "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽"):
        for ch in page:
            if ch in marks:
                return marks.index(ch) + 1
    digits = "".join(ch for ch in page if ch in "0123456789")
    if digits:
        return int(digits[:2])
    return rng.randint(1, 12)


def _gold(stories: list[Story], chrome: list[str], shape: str, source: str, files: Files) -> dict[str, Any]:
    return {
        "shape": shape,
        "source": source,
        "files": [name for name, _ in files],
        "stories": [
            {
                "title": s["title"],
                "subtitle": s.get("subtitle"),
                "kicker": s.get("kicker"),
                "byline": s.get("byline"),
                "paragraphs": s["paragraphs"],
            }
            for s in stories
        ],
        "chrome": chrome,
    }


# --- digest-md ----------------------------------------------------------------------

SECTION_NAMES = ("详细新闻", "要闻", "国内新闻", "新闻详情", "今日新闻", "正文")
SUMMARY_NAMES = ("新闻摘要", "内容提要", "本期导读", "今日要目")


def digest_md(stories: list[Story], rng: random.Random) -> tuple[Files, list[str]]:
    paper = stories[0]["paper"]
    date = _date_text(stories[0])
    chrome: list[str] = []
    out = [f"# 《{paper}》 ({date})" if rng.random() < 0.5 else f"# {paper} {date}", ""]
    summary = rng.choice(SUMMARY_NAMES)
    out += [f"## {summary}", ""]
    if rng.random() < 0.5:
        out += [f"- {s['title']}" for s in stories] + [""]
    else:
        out += ["本期主要内容：" + "；".join(s["title"] for s in stories) + "。", ""]
    out += [f"## {rng.choice(SECTION_NAMES)}", ""]
    as_html = rng.random() < 0.5
    for n, s in enumerate(stories):
        out += [f"### {s['title']}", ""]
        if s.get("subtitle"):
            out += [
                f"**{s['subtitle']}**" if rng.random() < 0.5 else f"<strong>{html.escape(s['subtitle'])}</strong>",
                "",
            ]
        if as_html:
            out += ["".join(f"<p>{html.escape(p).replace(' ', '&nbsp;')}</p>" for p in s["paragraphs"]), ""]
        else:
            out += [p for para in s["paragraphs"] for p in (para, "")]
        if rng.random() < 0.7:
            out += [f"[查看原文](https://news.example.cn/{s['date']}/{n + 1}.html)", ""]
    stamp = f"(更新时间戳: {rng.randint(10**12, 10**13)})"
    out += ["---", "", stamp, ""]
    chrome.append(stamp)
    return [("issue.md", "\n".join(out).encode("utf-8"))], chrome


# --- plain text ---------------------------------------------------------------------


def plain_1990s(stories: list[Story], rng: random.Random) -> tuple[Files, list[str]]:
    out: list[str] = []
    for s in stories:
        out += [s["title"], ""]
        if s.get("subtitle"):
            out += [("——" if rng.random() < 0.3 else "") + s["subtitle"], ""]
        if s.get("byline") and rng.random() < 0.6:
            out += [rng.choice(("本报记者　", "记者　", "")) + s["byline"], ""]
        out += [p for para in s["paragraphs"] for p in (para, "")]
    return [("issue.txt", "\n".join(out).encode("utf-8"))], []


def _wrapped(para: str, width: int, indent: str) -> list[str]:
    text = indent + para
    return [text[i : i + width] for i in range(0, len(text), width)]


def plain_indent(stories: list[Story], rng: random.Random) -> tuple[Files, list[str]]:
    indent = rng.choice(("\u3000\u3000", "    "))
    width = rng.choice((0, 0, 38, 64))  # some exports wrap at a fixed width
    out: list[str] = []
    for s in stories:
        out.append(s["title"])
        if s.get("subtitle"):
            out.append(s["subtitle"])
        if s.get("byline") and rng.random() < 0.5:
            out.append(indent + rng.choice(("本报记者 ", "")) + s["byline"])
        for para in s["paragraphs"]:
            out += _wrapped(para, width, indent) if width else [indent + para]
        out.append("")
    text = "\n".join(out)
    if rng.random() < 0.5:
        return [("issue.txt", text.replace("\n", "\r\n").encode("gb18030"))], []
    return [("issue.txt", text.encode("utf-8"))], []


# --- md-kicker ------------------------------------------------------------------------


def md_kicker(stories: list[Story], rng: random.Random) -> tuple[Files, list[str]]:
    out: list[str] = []
    for s in stories:
        if s.get("kicker"):
            out += [f"### {s['kicker']}", ""]
        out += [f"# {s['title']}", ""]
        if s.get("subtitle"):
            sub = s["subtitle"]
            out += [f"## {sub if sub.startswith('——') or rng.random() < 0.5 else '——' + sub}", ""]
        page = _page_no(s, rng)
        byline = ("本报记者  " + s["byline"]) if s.get("byline") else ""
        out += [f"> {byline}《{s['paper']}》（{_date_text(s)}第 {page:02d} 版）", ""]
        out += [p for para in s["paragraphs"] for p in (para, "")]
    return [("issue.md", "\n".join(out).encode("utf-8"))], []


# --- epaper-html ----------------------------------------------------------------------


def _paras_html(story: Story) -> str:
    return "\n".join(f"<p>\u3000\u3000{html.escape(p)}</p>" for p in story["paragraphs"])


def epaper_html(stories: list[Story], rng: random.Random) -> tuple[Files, list[str]]:
    template = rng.choice(("div", "table", "founder"))
    files: Files = []
    chrome_all: list[str] = []
    page = _page_no(stories[0], rng)
    for n, s in enumerate(stories, start=1):
        others = "".join(
            f'<li><a href="content_{k}.htm">{html.escape(o["title"])}</a></li>' for k, o in enumerate(stories, 1)
        )
        date = _date_text(s)
        nav = f"第{page:02d}版：要闻"
        chrome = ["上一版", "下一版", "返回目录", f"{s['paper']}版权所有"]
        kicker = f"<h3>{html.escape(s['kicker'])}</h3>" if s.get("kicker") else ""
        sub = f"<h2>{html.escape(s['subtitle'])}</h2>" if s.get("subtitle") else ""
        byline = f'<p class="author">{html.escape(s["byline"])}</p>' if s.get("byline") else ""
        if template == "div":
            body = f"""<div class="header"><a href="#">{s["paper"]}</a> {date}</div>
<div class="banner"><a href="node_{page - 1}.htm">上一版</a> <a href="node_{page + 1}.htm">下一版</a> {nav}</div>
<div class="left"><h4>本版新闻</h4><ul>{others}</ul></div>
<div class="right">
<div class="font">字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a> <a href="#">打印</a></div>
<div class="text_c">{kicker}<h1>{html.escape(s["title"])}</h1>{sub}{byline}
<div id="ozoom">{_paras_html(s)}</div></div>
</div>
<div class="copyright">{s["paper"]}版权所有 未经书面授权禁止使用</div>"""
            chrome += ["大 中 小", "本版新闻"]
        elif template == "table":
            body = f"""<table width="100%"><tr><td>{s["paper"]}　{date}　{nav}</td>
<td><a href="node_{page - 1}.htm">上一版</a>　<a href="node_{page + 1}.htm">下一版</a>　<a href="index.htm">返回目录</a></td></tr>
<tr><td valign="top"><table>{"".join(f'<tr><td><a href="c{k}.htm">{html.escape(o["title"])}</a></td></tr>' for k, o in enumerate(stories, 1))}</table></td>
<td valign="top"><table><tr><td class="title">{html.escape(s["kicker"] or "") if s.get("kicker") else ""}</td></tr>
<tr><td><strong><font size="5">{html.escape(s["title"])}</font></strong></td></tr>
{f"<tr><td>{html.escape(s['subtitle'])}</td></tr>" if s.get("subtitle") else ""}
{f"<tr><td>{html.escape(s['byline'])}</td></tr>" if s.get("byline") else ""}
<tr><td>{_paras_html(s)}</td></tr>
<tr><td><a href="javascript:window.print()">打印本页</a>　<a href="javascript:window.close()">关闭窗口</a></td></tr></table></td></tr>
<tr><td colspan="2">{s["paper"]}版权所有　地址：北京市朝阳区　邮编：100733</td></tr></table>"""
            chrome += ["打印本页", "关闭窗口", "邮编：100733"]
        else:
            body = f"""<div id="topnav"><span>{s["paper"]}</span><span>{date}</span><span>{nav}</span>
<a href="node_{page - 1}.htm">上一版</a><a href="node_{page + 1}.htm">下一版</a><a href="index.htm">返回目录</a></div>
<div class="paper-bottom"><div class="news-list"><ul>{others}</ul></div></div>
<div class="article">{kicker}<h1>{html.escape(s["title"])}</h1>{sub}
<p class="sec">{html.escape(s["byline"] or "")}《{s["paper"]}》（ {date} 第 {page:02d} 版）</p>
<!--enpcontent-->{_paras_html(s)}<!--/enpcontent-->
<div class="tool"><span>分享到：</span><a href="#">打印</a></div></div>
<div class="footer">{s["paper"]}版权所有，未经书面授权禁止使用 Copyright © {s["paper"]}社</div>"""
            chrome += ["分享到", "Copyright"]
        page_html = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(s["title"])}--{s["paper"]}</title>'
            f"<script>var page={page};</script><style>.left{{float:left}}</style></head><body>\n{body}\n</body></html>"
        )
        files.append((f"page-{n:02d}.html", page_html.encode("utf-8")))
        chrome_all += [c for c in chrome if c not in chrome_all]
    return files, chrome_all


# --- converted-md ------------------------------------------------------------------------


def converted_md(stories: list[Story], rng: random.Random) -> tuple[Files, list[str]]:
    out: list[str] = [""]
    for s in stories:
        out += [("# " if rng.random() < 0.6 else "## ") + s["title"], ""]
        if s.get("subtitle"):
            out += [s["subtitle"], ""]
        if s.get("byline"):
            out += [rng.choice(("■本报记者 ", "本报记者 ", "■")) + s["byline"], ""]
        out += [p for para in s["paragraphs"] for p in (para, "")]
    return [("issue.md", "\n".join(out).encode("utf-8"))], []


SHAPES: dict[str, Callable[[list[Story], random.Random], tuple[Files, list[str]]]] = {
    "digest-md": digest_md,
    "plain-1990s": plain_1990s,
    "plain-indent": plain_indent,
    "md-kicker": md_kicker,
    "epaper-html": epaper_html,
    "converted-md": converted_md,
}

MAX_BODY = 6000  # characters: very long essays make slow issues and add nothing


def _issues(stories: list[Story], count: int, rng: random.Random) -> list[list[Story]]:
    pool = [s for s in stories if sum(len(p) for p in s["paragraphs"]) <= MAX_BODY]
    rng.shuffle(pool)
    issues: list[list[Story]] = []
    i = 0
    while len(issues) < count and i + 3 <= len(pool):
        size = rng.randint(3, 7)
        issues.append(pool[i : i + size])
        i += size
    return issues


def _key(story: Story) -> str:
    return story["title"] + "\n" + "\n".join(story["paragraphs"][:1])


def _used(corpus: Path) -> set[str]:
    """The stories a corpus's issues hold, assembled or native (a source's own pages,
    extract.py), so that a test set can be made of the others: stories the splitter's
    rules and its model were never shaped on."""
    golds = [*(corpus / "issues").glob("*/*/gold.json"), *(corpus / "native").glob("*/*/gold.json")]
    return {_key(story) for gold in golds for story in json.loads(gold.read_text(encoding="utf-8"))["stories"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--per-source", type=int, default=10, help="issues per shape and source")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exclude", type=Path, help="leave out every story that this corpus's issues hold")
    parser.add_argument("--shapes", help="comma-separated shapes to write (default: all)")
    args = parser.parse_args()
    if args.exclude is not None and args.exclude.resolve() == args.corpus.resolve():
        parser.error("--exclude names the corpus being written, whose issues are about to be replaced")
    used = _used(args.exclude) if args.exclude is not None else set()
    wanted = args.shapes.split(",") if args.shapes else list(SHAPES)
    unknown = [name for name in wanted if name not in SHAPES]
    if unknown:
        parser.error(f"unknown shape(s) {', '.join(unknown)}; the shapes are {', '.join(SHAPES)}")
    shapes = {k: v for k, v in SHAPES.items() if k in wanted}
    root = args.corpus / "issues"
    shutil.rmtree(root, ignore_errors=True)
    total = 0
    for path in sorted((args.corpus / "stories").glob("*.jsonl")):
        source = path.stem
        stories = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        stories = [s for s in stories if _key(s) not in used]
        for shape, render in shapes.items():
            rng = random.Random(f"{args.seed}:{source}:{shape}")
            for n, issue in enumerate(_issues(stories, args.per_source, rng), start=1):
                files, chrome = render(issue, rng)
                folder = root / shape / f"{source}-{n:02d}"
                folder.mkdir(parents=True)
                for name, data in files:
                    (folder / name).write_bytes(data)
                gold = _gold(issue, chrome, shape, source, files)
                (folder / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
                total += 1
    print(f"{total} issues under {root}")


if __name__ == "__main__":
    main()
