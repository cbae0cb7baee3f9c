"""Rebuild the development sentences of the speech benchmark from local clones.

The fetched news text never enters the repo: this script reads it from clones of the
public sources named in SOURCES.md and writes one JSON line per sentence (source,
document, sentence hash, text) to a corpus folder outside the repo. The labels in
``dev_labels.tsv`` are keyed by (source, document, sentence hash), so rebuilding from the
same commits gives back exactly the labelled sentences.

    python benchmarks/speech/corpus.py CLONES_DIR OUT_DIR

CLONES_DIR holds one folder per source, named as in SOURCES.md (thucnews, sogouca,
sogoucs, cec, headlines2019), each a checkout (or ``git archive``) of the commit listed.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

# What makes a sentence interesting here: a digit, a Latin letter or a symbol that must
# be normalized before any voice can read it.
TARGET = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ%％‰℃°〇①-⑳ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ～~＋+×÷=＝@＠/／&＆#＃±]")
# Sentence ends (kept with the sentence), and line breaks.
_STOP = re.compile(r"(?<=[。！？!?；;])(?![”’」』）)])|(?<=[。！？!?；;][”’」』）)])|\n+")
MAX_LEN = 160
MIN_LEN = 6


def sentence_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _read(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace")


def _sentences(text: str) -> Iterator[str]:
    for piece in _STOP.split(text.replace("\r", "\n")):
        piece = piece.strip().strip("\u3000").strip()
        if MIN_LEN <= len(piece) <= MAX_LEN:
            yield piece


def _damaged(sentence: str) -> bool:
    # Sogou's dumps have stretches of mis-decoded bytes; they show as '?' or U+FFFD, or
    # as private-use and rare characters. Such sentences are not real text.
    return "?" in sentence or "\ufffd" in sentence or any("\ue000" <= c <= "\uf8ff" for c in sentence)


def thucnews(root: Path) -> Iterator[tuple[str, str]]:
    path = root / "data" / "cnews" / "cnews.val.txt"
    for n, line in enumerate(_read(path).splitlines()):
        _, _, body = line.partition("\t")
        yield f"l{n}", body


def _sogou(path: Path) -> Iterator[tuple[str, str]]:
    text = _read(path)
    for doc in re.finditer(r"<doc>(.*?)</doc>", text, re.S):
        body = doc.group(1)
        docno = re.search(r"<docno>(.*?)</docno>", body)
        title = re.search(r"<contenttitle>(.*?)</contenttitle>", body, re.S)
        content = re.search(r"<content>(.*?)</content>", body, re.S)
        ident = docno.group(1) if docno else str(doc.start())
        yield ident, "\n".join(m.group(1) for m in (title, content) if m)


def sogouca(root: Path) -> Iterator[tuple[str, str]]:
    return _sogou(root / "news_tensite_xml.smarty.dat")


def sogoucs(root: Path) -> Iterator[tuple[str, str]]:
    return _sogou(root / "news_sohusite_xml.smarty.dat")


def cec(root: Path) -> Iterator[tuple[str, str]]:
    for path in sorted((root / "raw corpus" / "allSourceText").glob("*.txt")):
        yield path.stem, _read(path)


# Site names that web titles carry after the headline (…_网易汽车, …-银行频道-金融界).
_SITE_TAIL = re.compile(r"(?:\s*(?:[_|]|--|——|-(?=[^-\d]{1,12}(?:-|$)))[^_|]{0,20})+$")
# People's Daily's own site is left out: its 2019–2020 articles are reserved for evaluation.
_RESERVED = ("人民网", "people.com.cn")


def headlines2019(root: Path) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for name in ("src_label_2019_09_01_2.txt", "new_res.txt", "processed_label2w.txt", "title.txt"):
        for line in _read(root / name).splitlines():
            if any(r in line for r in _RESERVED):
                continue
            title = line.split("\t")[-1].strip()
            title = _SITE_TAIL.sub("", title).strip()
            if title and title not in seen:
                seen.add(title)
                yield f"t{sentence_hash(title)[:8]}", title


SOURCES = {
    "thucnews": thucnews,
    "sogouca": sogouca,
    "sogoucs": sogoucs,
    "cec": cec,
    "headlines2019": headlines2019,
}


def build(clones: Path) -> Iterator[dict[str, str]]:
    for source, reader in SOURCES.items():
        root = clones / source
        if not root.is_dir():
            print(f"{source}: no clone at {root}, skipped", file=sys.stderr)
            continue
        seen: set[str] = set()
        for doc, text in reader(root):
            for sentence in _sentences(text):
                if not TARGET.search(sentence) or _damaged(sentence):
                    continue
                key = sentence_hash(sentence)
                if key in seen:
                    continue
                seen.add(key)
                yield {"source": source, "doc": doc, "hash": key, "text": sentence}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-5], file=sys.stderr)
        print("usage: corpus.py CLONES_DIR OUT_DIR", file=sys.stderr)
        return 2
    clones, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    target = out / "sentences.jsonl"
    tmp = target.with_suffix(".tmp")
    counts: dict[str, int] = {}
    with tmp.open("w", encoding="utf-8") as f:
        for row in build(clones):
            counts[row["source"]] = counts.get(row["source"], 0) + 1
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(target)
    for source, n in counts.items():
        print(f"{source}: {n} candidate sentences")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
