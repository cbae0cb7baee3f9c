"""Per-story records from two newswire sources of the 2000s (see SOURCES.md).

- NIST Open MT Chinese evaluation sets 2002–2008 (Xinhua, AFP's Chinese service,
  Lianhe Zaobao, People's Daily, Guangming Daily, PLA Daily, China News Service): one
  ``<DOC>`` per story, the headline in ``<hl>`` (or the first ``<p>``), paragraphs in
  ``<p>``. The sets were distributed word-segmented and with ASCII punctuation; the
  spaces between words are removed and the punctuation between Chinese characters is
  set full-width again, which is how the papers printed it. Nothing else is changed.
- The Chinese Emergency Corpus (CEC, Shanghai University): 332 web news reports of
  2005–2008, one raw text file per story (a time stamp, then paragraphs separated by
  blank lines) and one XML file with its ``<Title>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

Story = dict[str, object]
Files = Callable[[Path, str], Iterator[tuple[str, bytes]]]

# Which NIST documents are newspaper or agency copy, by docid prefix, and the source
# each is counted under. Broadcast transcripts (CCTV, Phoenix, NTDTV) and web forum
# posts are left out: they are not what a paper prints, and CCTV is reserved anyway.
_NIST_SOURCES = (
    (re.compile(r"^XIN"), "nist-xinhua", "新华社"),
    (re.compile(r"^(?:AFC|AFP_CMN)"), "nist-afp", "法新社"),
    (re.compile(r"^ZBN"), "nist-dailies", "联合早报"),
    (re.compile(r"^PDA?_?(?:CMN)?"), "nist-dailies", "人民日报"),
    (re.compile(r"^GMW"), "nist-dailies", "光明日报"),
    (re.compile(r"^PLA"), "nist-dailies", "解放军报"),
    (re.compile(r"^CNS"), "nist-dailies", "中国新闻社"),
)
_NIST_SETS = ("02/nist_c2e_02_src.utf8", "03/nist_c2e_03_src.utf8", "05/nist_c2e_05_src.utf8",
              "06/nist_c2e_06_src.utf8", "08/nist_c2e_08_src.utf8")  # fmt: skip
_HAN = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’…—·]"
_GAP = re.compile(rf"(?<={_HAN})\s+|\s+(?={_HAN})|(?<=[,;:()?!%])\s+|\s+(?=[,;:()?!%])")
_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"})
_ASCII_PUNCT = re.compile(rf"(?<={_HAN})[,;:()?!]|[,;:()?!](?={_HAN})")


def unsegment(text: str) -> str:
    """Undo word segmentation: no spaces next to Chinese, full-width punctuation there."""
    text = re.sub(r"\s+", " ", text).strip()
    text = _GAP.sub("", text)
    # Twice: "，(" has punctuation on both sides of the bracket.
    for _ in range(2):
        text = _ASCII_PUNCT.sub(lambda m: m.group(0).translate(_FULL), text)
    return text


def _segs(block: str) -> str:
    return unsegment(" ".join(html.unescape(s) for s in re.findall(r"<seg[^>]*>(.*?)</seg>", block, re.S)))


def nist(clone: Path, files: Files) -> dict[str, list[Story]]:
    out: dict[str, list[Story]] = {}
    seen: set[str] = set()
    wanted = {f"test_bleu/sgm/{name}" for name in _NIST_SETS}
    for name, data in files(clone, "test_bleu/sgm"):
        if name not in wanted:
            continue
        text = data.decode("utf-8", errors="replace")
        for docid, body in re.findall(r'<doc docid="([^"]+)"[^>]*>(.*?)</doc>', text, re.S | re.I):
            match = next(((src, paper) for pat, src, paper in _NIST_SOURCES if pat.match(docid)), None)
            if match is None or docid in seen:
                continue
            headline = re.search(r"<hl>(.*?)</hl>", body, re.S)
            paragraphs = [_segs(p) for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
            paragraphs = [p for p in paragraphs if p]
            if headline is not None:
                title = _segs(headline.group(1))
            elif paragraphs:
                title, paragraphs = paragraphs[0], paragraphs[1:]
            else:
                continue
            if not title or len(paragraphs) < 2 or title[-1] in "。！？":
                continue  # an untitled excerpt (the set's headline slot holds a sentence)
            seen.add(docid)
            source, paper = match
            date = re.search(r"(\d{8})", docid)
            out.setdefault(source, []).append(
                {
                    "source": source,
                    "id": docid,
                    "paper": paper,
                    "date": date.group(1) if date else "",
                    "page": "",
                    "kicker": None,
                    "title": title,
                    "subtitle": None,
                    "byline": None,
                    "paragraphs": paragraphs,
                }
            )
    return out


def cec(clone: Path, files: Files) -> dict[str, list[Story]]:
    titles: dict[str, tuple[str, str]] = {}
    raws: dict[str, str] = {}
    for name, data in files(clone, ""):
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        if name.endswith(".xml"):
            found = re.search(r"<Title>(.*?)</Title>", text, re.S)
            paper = re.search(r"</ReportTime>\s*([^<\s][^<]*?)\s*<", text)
            if found:
                titles[stem] = (re.sub(r"\s+", " ", found.group(1)).strip(), paper.group(1).strip() if paper else "")
        elif name.startswith("raw corpus/") and name.endswith(".txt"):
            raws[stem] = text
    stories: list[Story] = []
    for stem, text in sorted(raws.items()):
        if stem not in titles:
            continue
        lines = text.split("\n")
        stamp = lines[0].strip()
        paragraphs = [p.strip(" \u3000\t") for p in lines[1:] if p.strip(" \u3000\t")]
        headline, name_of_paper = titles[stem]
        if len(paragraphs) < 2 or not headline:
            continue
        date = re.match(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})", stamp)
        stories.append(
            {
                "source": "cec",
                "id": stem,
                "paper": name_of_paper or "网络新闻",
                "date": f"{date.group(1)}{int(date.group(2)):02d}{int(date.group(3)):02d}" if date else "",
                "page": "",
                "kicker": None,
                "title": headline,
                "subtitle": None,
                "byline": None,
                "paragraphs": paragraphs,
            }
        )
    return {"cec": stories}
