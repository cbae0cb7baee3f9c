"""Leave-one-source-out score of the plain shapes only, fast enough to compare one
change of the line model or the rules against another.

    python benchmarks/loso_plain.py [CORPUS] [--misses FILE] [--against FILE]

The same folds and scoring as bench_split_corpus.py (each source held out in turn, the
tagger trained on the other nine), restricted to the shapes without markup, where
the trained part is used. Each page's features are computed once and shared by the
ten trainings. ``--misses`` writes the held-out misses, one per line; ``--against``
prints the stories won and lost against such a file from an earlier run, per source,
so a change is judged by every held-out source's net change, not the total alone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "corpus")]

from bench_split_corpus import DEFAULT_CORPUS, Score, load_corpus, score_issue  # noqa: E402
from labels import PLAIN_SHAPES, label_pages  # noqa: E402

from audiopaper import ingest, split  # noqa: E402
from audiopaper.split import tagger  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--misses", type=Path, help="write held-out misses here")
    parser.add_argument("--lines", type=Path, help="write each held-out line's gold label and title probability here")
    parser.add_argument("--against", type=Path, help="misses file of an earlier run to compare with")
    args = parser.parse_args()
    import pycrfsuite

    t0 = time.perf_counter()
    issues = [i for i in load_corpus(args.corpus) if i.shape in PLAIN_SHAPES]
    labelled = {i.folder: [(b, lab) for b, lab in label_pages(i.paths, i.gold) if b] for i in issues}
    pages = {k: [(tagger.features(b), lab) for b, lab in v] for k, v in labelled.items()}
    rows: list[str] = []
    sources = sorted({i.source for i in issues})
    scores: dict[tuple[str, str], Score] = defaultdict(Score)
    misses: list[str] = []
    for held in sources:
        trainer = pycrfsuite.Trainer(verbose=False)
        for i in issues:
            if i.source != held:
                for feats, labels in pages[i.folder]:
                    trainer.append(feats, labels)
        trainer.set_params(
            {"c1": tagger.C1, "c2": tagger.C2, "max_iterations": 150, "feature.possible_transitions": True}
        )
        path = Path(tempfile.mkstemp(suffix=".crfsuite")[1])
        trainer.train(str(path))
        model = tagger.Tagger(path)
        for i in issues:
            if i.source == held:
                for blocks, labels in labelled[i.folder]:
                    for b, lab, tag in zip(blocks, labels, model.tag(blocks), strict=True):
                        rows.append(f"{i.source}\t{i.shape}\t{i.folder.name}\t{lab}\t{tag.title_p:.3f}\t{b.text[:60]}")
                s = score_issue(split.split(ingest.read_issue(i.paths), model=model), i.gold)
                misses += [f"{i.source}\t{i.shape}\t{i.folder.name}: {m}" for m in s.misses]
                scores[(i.shape, i.source)].add(s)
        path.unlink()
    print(f"held-out, plain shapes ({time.perf_counter() - t0:.0f} s)")
    for shape in PLAIN_SHAPES:
        total = Score()
        cells = []
        for src in sources:
            if (shape, src) in scores:
                s = scores[(shape, src)]
                total.add(s)
                cells.append(f"{src} {s.f1:.3f} ({s.found}/{s.gold}, {s.items} items)")
        print(f"{shape}: {total.f1:.3f} ({total.found}/{total.gold}, {total.items} items)")
        for c in cells:
            print("   " + c)
    if args.misses:
        args.misses.write_text("".join(m + "\n" for m in misses), encoding="utf-8")
    if args.lines:
        args.lines.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    if args.against:
        before = set(args.against.read_text(encoding="utf-8").splitlines())
        after = set(misses)
        for src in sources:
            won = sorted(m for m in before - after if m.startswith(src + "\t"))
            lost = sorted(m for m in after - before if m.startswith(src + "\t"))
            if won or lost:
                print(f"{src}: +{len(won)} -{len(lost)}")
                for m in won:
                    print("   + " + m.split("\t", 2)[2])
                for m in lost:
                    print("   - " + m.split("\t", 2)[2])


if __name__ == "__main__":
    main()
