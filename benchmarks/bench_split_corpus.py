"""Score the splitter on a corpus of real issues: per shape, story F1, precision,
recall and page-furniture or markup leaks, overall and leave-one-source-out.

    python benchmarks/bench_split_corpus.py [CORPUS] [--shape S] [--source S] [--show N]

CORPUS defaults to /work/corpora/split (build it with benchmarks/corpus/; see
SOURCES.md there). A story counts as found when exactly one item (two where the issue
prints the same story twice) carries its title (as title, or inside kicker + title +
subtitle) and contains every body paragraph (whitespace ignored; a paragraph whose opening dateline or byline was lifted into the
item's byline fields still counts; a staff credit such as ``（编辑：常红）`` may be left
out, as page furniture, and so may a bare web address). Precision is found stories over items, items of
kind ``contents`` (an issue's own table of contents) left out. A leak is an item that
carries page furniture listed in the gold file or markup (``#``, ``>``, tags,
entities, ``**``, link syntax).

Leave-one-source-out: the line tagger's model is trained on every source but one and
scored on the held-out source; the table gives that score per shape and source.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent / "corpus")]

from audiopaper import ingest, split  # noqa: E402
from audiopaper.models import Article, SplitResult  # noqa: E402

DEFAULT_CORPUS = Path("/work/corpora/split")
CORPUS = DEFAULT_CORPUS
_SPACE = re.compile(r"\s+")
_MARKUP = re.compile(r"^#{1,6}\s|^>|</?[A-Za-z][A-Za-z0-9]*[^<>]*>|&[a-z]{2,8};|&#\d+;|\*\*|\]\(|!\[")
# How much of a paragraph's opening may have moved into byline fields
# ("本报讯（记者 X）", "新华社北京6月11日电").
_LIFTED = 40
# A staff credit set as a paragraph of its own ("（编辑：常红）", "版式设计：张芳曼") is
# page furniture to a listener; an item may leave it out.
# So is a web address under a short label ("請點擊連結觀看： https://…").
_ADDRESS = re.compile(r"^[^，。！？；]{0,8}[：:]?(?:https?://|www\.)\S+$")
_STAFF = re.compile(
    r"^[（(]?(?:责任编辑|本版编辑|编辑|责编|版式设计|美术编辑|图表绘制|制图|校对)\s*[：:／/]\s*[^，。；]{1,20}[）)]?$"
)


def norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass
class Score:
    gold: int = 0
    items: int = 0
    found: int = 0
    leaks: int = 0
    issues: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.gold += other.gold
        self.items += other.items
        self.found += other.found
        self.leaks += other.leaks
        self.issues += other.issues
        self.misses += other.misses

    @property
    def precision(self) -> float:
        return self.found / self.items if self.items else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _head(a: Article) -> str:
    return norm("".join(x for x in (a.kicker, a.title, a.subtitle) if x))


def _text(a: Article) -> str:
    return norm("".join(p.text for p in a.paragraphs))


_ENUM = re.compile(r"^(?:\d{1,3}[.)、]|[-*+•·])")


def _has_paragraph(body: str, para: str) -> bool:
    # A list item's number or bullet is markup to a reader and may be gone; a row of
    # asterisks between sections ("＊ ＊") is no text at all.
    p = _ENUM.sub("", norm(para))
    if not p or p in body or not any(c.isalnum() for c in p):
        return True
    # The opening may have become the byline/dateline: the rest must be there.
    return any(p[k:] in body for k in range(1, min(_LIFTED, len(p) - 8) + 1))


def _carries(a: Article, story: dict[str, Any]) -> bool:
    title = norm(story["title"])
    if not title or not (norm(a.title) == title or title in _head(a)):
        return False
    body = _text(a)
    # A short paragraph may rightly have become the byline ("（本报记者 王五）").
    meta = norm("".join(x for x in (a.byline, a.dateline, a.credit, a.subtitle) if x))
    return all(
        _has_paragraph(body, p)
        or (len(p) <= 40 and norm(p).strip("()") in meta)
        or _STAFF.match(norm(p))
        or _ADDRESS.match(norm(p))
        for p in story["paragraphs"]
    )


def _marked_up(field: str, source_text: str) -> bool:
    """Markup in a field that the source does not print itself. A paragraph the repairs
    joined, or one a Markdown reader took a pair of ``**`` out of, is no longer a line
    of the source, so each match is looked up with the characters around it
    ("闽D/Y**72", a number plate the source masks, is text)."""
    if not field or norm(field) in source_text:
        return False
    return any(norm(field[max(0, m.start() - 3) : m.end() + 3]) not in source_text for m in _MARKUP.finditer(field))


def _leaky(a: Article, chrome: Sequence[str], source_text: str = "") -> bool:
    """Markup or furniture in an item. Text the source itself prints (a paragraph that
    opens with ">") is not markup."""
    fields = [a.title, a.kicker or "", a.subtitle or "", a.byline or "", a.dateline or "", a.credit or ""]
    fields += [p.text for p in a.paragraphs]
    if any(_marked_up(f, source_text) for f in fields):
        return True
    joined = norm("".join(fields))
    return any(norm(c) in joined for c in chrome if norm(c))


def _key(story: dict[str, Any]) -> str:
    return norm(story["title"] + "".join(story["paragraphs"]))


def score_issue(result: SplitResult, gold: dict[str, Any]) -> Score:
    items = [a for a in result.articles if a.kind != "contents"]
    s = Score(gold=len(gold["stories"]), items=len(items), issues=1)
    # A story the issue prints twice (the same title and text) is rightly two items.
    copies = Counter(_key(story) for story in gold["stories"])
    for story in gold["stories"]:
        hits = [a for a in items if _carries(a, story)]
        if len(hits) == copies[_key(story)]:
            s.found += 1
        else:
            s.misses.append(f"{story['title']} ({len(hits)} items)")
    source_text = "\n".join(norm(x) for story in gold["stories"] for x in [story["title"], *story["paragraphs"]])
    s.leaks = sum(1 for a in result.articles if _leaky(a, gold["chrome"], source_text))
    return s


@dataclass(frozen=True)
class Issue:
    shape: str
    source: str
    folder: Path
    gold: dict[str, Any]

    @property
    def paths(self) -> list[Path]:
        return [self.folder / name for name in self.gold["files"]]


def load_corpus(root: Path) -> list[Issue]:
    issues = []
    # issues/: assembled by benchmarks/corpus/assemble.py; native/: a source's own
    # issues in its own shape (benchmarks/corpus/extract.py).
    for gold_path in sorted([*(root / "issues").glob("*/*/gold.json"), *(root / "native").glob("*/*/gold.json")]):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        issues.append(Issue(gold["shape"], gold["source"], gold_path.parent, gold))
    return issues


Splitter = Callable[[list[Path]], SplitResult]


def default_splitter(paths: list[Path]) -> SplitResult:
    return split.split(ingest.read_issue(paths))


def run(issues: Sequence[Issue], splitter: Splitter) -> dict[tuple[str, str], Score]:
    scores: dict[tuple[str, str], Score] = defaultdict(Score)
    for issue in issues:
        try:
            result = splitter(issue.paths)
            s = score_issue(result, issue.gold)
        except Exception as exc:  # a crash is a miss of every story, and worth seeing
            s = Score(gold=len(issue.gold["stories"]), issues=1, misses=[f"crash: {exc!r}"])
        s.misses = [f"{issue.folder.name}: {m}" for m in s.misses]
        scores[(issue.shape, issue.source)].add(s)
    return scores


def loso_splitters(issues: Sequence[Issue]) -> dict[str, Splitter]:
    """One splitter per held-out source, its model trained on the other sources.
    Without a trainable tagger the splitter is the same for every source."""
    try:
        import pycrfsuite  # noqa: F401
    except ImportError:
        return {}
    from train_split_tagger import examples

    from audiopaper.split import tagger

    sources = sorted({i.source for i in issues})
    out: dict[str, Splitter] = {}
    for held in sources:
        model = tagger.train(examples([i for i in load_corpus(CORPUS) if i.source != held]))

        def run_one(paths: list[Path], model: Any = model) -> SplitResult:
            return split.split(ingest.read_issue(paths), model=model)

        out[held] = run_one
    return out


def _table(scores: dict[tuple[str, str], Score], by: str) -> list[str]:
    groups: dict[str, Score] = defaultdict(Score)
    for (shape, source), s in scores.items():
        groups[shape if by == "shape" else source].add(s)
    total = Score()
    lines = [f"| {by} | issues | stories | items | P | R | F1 | leaks |", "|---|---|---|---|---|---|---|---|"]
    for name in sorted(groups):
        s = groups[name]
        total.add(s)
        lines.append(
            f"| {name} | {s.issues} | {s.gold} | {s.items} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.leaks} |"
        )
    lines.append(
        f"| all | {total.issues} | {total.gold} | {total.items} | {total.precision:.3f} | {total.recall:.3f} | "
        f"{total.f1:.3f} | {total.leaks} |"
    )
    return lines


def _grid(scores: dict[tuple[str, str], Score]) -> list[str]:
    shapes = sorted({k[0] for k in scores})
    sources = sorted({k[1] for k in scores})
    lines = ["| shape | " + " | ".join(sources) + " | min |", "|---" * (len(sources) + 2) + "|"]
    for shape in shapes:
        f1s = [scores[(shape, src)].f1 for src in sources if (shape, src) in scores]
        cells = [f"{scores[(shape, src)].f1:.3f}" if (shape, src) in scores else "—" for src in sources]
        lines.append(f"| {shape} | " + " | ".join(cells) + f" | {min(f1s):.3f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--shape", help="only this shape")
    parser.add_argument("--source", help="only this source")
    parser.add_argument("--show", type=int, default=0, help="print up to N missed stories")
    parser.add_argument("--no-loso", action="store_true", help="skip the leave-one-source-out runs")
    args = parser.parse_args()
    if not (args.corpus / "issues").is_dir():
        sys.exit(
            f"no corpus at {args.corpus}: build it with benchmarks/corpus/extract.py and "
            "benchmarks/corpus/assemble.py (see benchmarks/corpus/SOURCES.md)"
        )
    global CORPUS
    CORPUS = args.corpus
    issues = [
        i
        for i in load_corpus(args.corpus)
        if (not args.shape or i.shape == args.shape) and (not args.source or i.source == args.source)
    ]
    t0 = time.perf_counter()
    scores = run(issues, default_splitter)
    elapsed = time.perf_counter() - t0
    crashes = [m for sc in scores.values() for m in sc.misses if ": crash: " in m]
    print(f"## Shipped splitter on {len(issues)} issues ({elapsed:.1f} s)\n")
    if crashes:
        print(f"**{len(crashes)} issues crashed** (each counted as every story missed), e.g. {crashes[0]}\n")
    print("\n".join(_table(scores, "shape")))
    print()
    print("\n".join(_table(scores, "source")))
    if not args.no_loso:
        splitters = loso_splitters(issues)
        if splitters:
            loso: dict[tuple[str, str], Score] = {}
            for held, splitter in splitters.items():
                loso.update(run([i for i in issues if i.source == held], splitter))
            print("\n## Leave-one-source-out: F1 on the held-out source, model trained on the others\n")
            print("\n".join(_grid(loso)))
            print()
            print("\n".join(_table(loso, "shape")))
        else:
            print("\n## Per source (no trainable part: leave-one-source-out equals this)\n")
            print("\n".join(_grid(scores)))
    if args.show:
        misses = [m for s in scores.values() for m in s.misses]
        print(f"\n{len(misses)} missed stories; first {args.show}:")
        for m in misses[: args.show]:
            print("  " + m)


if __name__ == "__main__":
    main()
