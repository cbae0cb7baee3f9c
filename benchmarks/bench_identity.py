"""Score the issue-identity detector (``ingest.identity``): how often the paper's name
and the issue's date it reports are right, wrong or absent, per shape and source.

    python benchmarks/bench_identity.py [CORPUS] [--same-day] [--show N]

CORPUS defaults to /work/corpora/split (the splitter's development corpus, built by
benchmarks/corpus/; see SOURCES.md there). Its gold files list the stories of each
issue; each story's paper and date come from the source records
(``CORPUS/stories/*.jsonl``, matched by title). What an issue *prints* follows from its
shape, as ``benchmarks/corpus/assemble.py`` writes them:

- ``digest-md``: a masthead with the first story's paper and date;
- ``md-kicker``: a source line under every story, ``《paper》（date 第 NN 版）``;
- ``epaper-html``: every page's ``<title>`` names its paper, its header bar the date;
- ``plain-1990s``, ``plain-indent``, ``converted-md`` and the native pages: nothing.

The corpus puts stories of different days (and, for some sources, different papers)
into one issue. Where the stories disagree, the issue prints no single identity and
the right answer is to abstain; those issues are counted apart (``mixed``).
``--same-day`` scores instead issues regrouped from stories of one paper and one day,
written in every shape by the same assembler into a temporary folder (the plain shapes
into a folder named by the date, ``20190206`` or ``2019-02-06``), so every issue that
prints an identity prints one.

Columns: for issues that print the value, right / wrong / absent; for issues that do
not (or whose stories disagree), ``said`` counts a value reported anyway that is not
the truth (a wrong guess; a value that happens to be right is counted as ``lucky``).
The detector has no learnt parameters; its rules were written while looking at this
corpus, so these are development numbers, not a held-out score.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audiopaper.ingest import identify

DEFAULT_CORPUS = Path("/work/corpora/split")
PRINTS_IDENTITY = {"digest-md": "masthead", "md-kicker": "each story", "epaper-html": "each story"}
MIXED = "mixed"


@dataclass(frozen=True)
class Case:
    """One issue: its files, and what it prints about its paper and date (None: not
    printed; MIXED: printed per story, and the stories disagree)."""

    shape: str
    source: str
    name: str
    files: tuple[Path, ...]
    paper: str | None
    date: dt.date | str | None
    truth_paper: str | None  # the stories' paper when they share one, printed or not
    truth_date: dt.date | None


def _date(text: Any) -> dt.date | None:
    s = str(text or "")
    try:
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:8])) if len(s) >= 8 and s[:8].isdigit() else None
    except ValueError:
        return None


def _stories(corpus: Path) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted((corpus / "stories").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                s = json.loads(line)
                found.setdefault((path.stem, s["title"]), s)
    return found


def _shared(values: list[Any]) -> Any:
    return values[0] if values and all(v == values[0] for v in values) else (MIXED if values else None)


def _printed(shape: str, stories: list[dict[str, Any]], dated_folder: dt.date | None = None) -> tuple[Any, Any]:
    papers = [s.get("paper") or None for s in stories]
    dates = [_date(s.get("date")) for s in stories]
    if shape == "digest-md" and stories:
        return papers[0], dates[0]
    if shape in PRINTS_IDENTITY:
        return _shared(papers), _shared(dates)
    return None, dated_folder


def corpus_cases(corpus: Path) -> Iterator[Case]:
    stories = _stories(corpus)
    for gold_path in sorted([*corpus.glob("issues/*/*/gold.json"), *corpus.glob("native/*/*/gold.json")]):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        native = bool(gold.get("native"))
        matched = [stories.get((gold["source"], s["title"])) for s in gold["stories"]]
        known = [m for m in matched if m is not None]
        paper, date = (None, None) if native else _printed(gold["shape"], known)
        truth_paper = _shared([m.get("paper") for m in known])
        truth_date = _shared([_date(m.get("date")) for m in known])
        yield Case(
            ("native-" if native else "") + gold["shape"],
            gold["source"],
            gold_path.parent.name,
            tuple(gold_path.parent / f for f in gold["files"]),
            paper,
            date,
            truth_paper if truth_paper != MIXED else None,
            truth_date if isinstance(truth_date, dt.date) else None,
        )


def _assembler() -> Any:
    path = Path(__file__).resolve().parent / "corpus" / "assemble.py"
    spec = importlib.util.spec_from_file_location("assemble", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same_day_cases(corpus: Path, workdir: Path, per_source: int = 6, seed: int = 1) -> Iterator[Case]:
    """Issues of one paper and one day each, in every shape (see the module's doc)."""
    assemble = _assembler()
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for (source, _), story in _stories(corpus).items():
        if story.get("paper") and _date(story.get("date")) and story.get("paragraphs"):
            groups[(source, story["paper"], str(story["date"])[:8])].append(story)
    by_source: dict[str, list[list[dict[str, Any]]]] = defaultdict(list)
    for (source, _, _), group in sorted(groups.items()):
        if len(group) >= 3:
            by_source[source].append(group[:7])
    for source, issues in sorted(by_source.items()):
        rng = random.Random(f"{seed}:{source}")
        rng.shuffle(issues)
        for n, stories in enumerate(issues[:per_source], start=1):
            day = _date(stories[0]["date"])
            assert day is not None
            for shape, render in assemble.SHAPES.items():
                files, _ = render(stories, random.Random(f"{seed}:{source}:{shape}:{n}"))
                dated = shape not in PRINTS_IDENTITY
                folder_name = (day.strftime("%Y%m%d") if n % 2 else day.isoformat()) if dated else f"{source}-{n:02d}"
                folder = workdir / shape / source / folder_name
                folder.mkdir(parents=True, exist_ok=True)
                for name, data in files:
                    (folder / name).write_bytes(data)
                paper, date = _printed(shape, stories, day if dated else None)
                yield Case(
                    shape,
                    source,
                    folder_name,
                    tuple(folder / name for name, _ in files),
                    paper,
                    date,
                    stories[0]["paper"],
                    day,
                )


@dataclass
class Tally:
    n: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: str) -> None:
        self.counts[key] += 1


def verdict(printed: Any, said: Any, truth: Any) -> str:
    if printed is not None and printed != MIXED:
        return "absent" if said is None else ("right" if said == printed else "wrong")
    if said is None:
        return "abstained"
    return "lucky" if said == truth else "said"


COLUMNS = (
    ("paper", "right"),
    ("paper", "wrong"),
    ("paper", "absent"),
    ("paper", "said"),
    ("date", "right"),
    ("date", "wrong"),
    ("date", "absent"),
    ("date", "said"),
)


def table(tallies: dict[tuple[str, str], Tally], by: int) -> str:
    """One row per shape (``by`` 0) or per source (``by`` 1), and a total."""
    rows: dict[str, Tally] = defaultdict(Tally)
    for key, t in tallies.items():
        for name in (key[by], "**all**"):
            rows[name].n += t.n
            for k, v in t.counts.items():
                rows[name].counts[k] += v
    label = ("shape", "source")[by]
    lines = [f"| {label} | issues | " + " | ".join(f"{f} {k}" for f, k in COLUMNS) + " |"]
    lines.append("|" + "---|" * (2 + len(COLUMNS)))
    for name in [*sorted(n for n in rows if n != "**all**"), "**all**"]:
        t = rows[name]
        lines.append(f"| {name} | {t.n} | " + " | ".join(str(t.counts[f"{f}:{k}"]) for f, k in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="?", default=DEFAULT_CORPUS)
    parser.add_argument("--same-day", action="store_true", help="regroup stories into issues of one paper and day")
    parser.add_argument("--show", type=int, default=0, help="print up to N wrong answers and wrong guesses")
    args = parser.parse_args()
    if not (args.corpus / "stories").is_dir():
        sys.exit(f"{args.corpus}: no corpus here (see benchmarks/corpus/SOURCES.md)")
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    shown = 0
    with tempfile.TemporaryDirectory(prefix="bench-identity-") as tmp:
        cases = same_day_cases(args.corpus, Path(tmp)) if args.same_day else corpus_cases(args.corpus)
        for case in cases:
            found = identify(case.files)
            t = tallies[(case.shape, case.source)]
            t.n += 1
            for name, printed, said, truth in (
                ("paper", case.paper, found.paper, case.truth_paper),
                ("date", case.date, found.date, case.truth_date),
            ):
                v = verdict(printed, said, truth)
                t.add(f"{name}:{v}")
                if v in ("wrong", "said", "absent") and shown < args.show:
                    clue = found.paper_from if name == "paper" else found.date_from
                    print(f"{v:6} {name}: {case.shape}/{case.source}/{case.name}: printed {printed!r}, said {said!r}"
                          f" ({clue.cue + ': ' + clue.text if clue else ''})", file=sys.stderr)  # fmt: skip
                    shown += 1
    print(table(tallies, 0))
    print()
    print(table(tallies, 1))


if __name__ == "__main__":
    main()
