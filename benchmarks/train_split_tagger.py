"""Train the splitter's line tagger on the corpus and write the model into the package.

    python benchmarks/train_split_tagger.py [CORPUS] [--out audiopaper/split/lines.crfsuite]

Labels come from the corpus gold files (benchmarks/corpus/labels.py), never from the
splitter. Trained on every source; bench_split_corpus.py trains one model per held-out
source for the leave-one-source-out scores.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "corpus")]

from bench_split_corpus import DEFAULT_CORPUS, load_corpus  # noqa: E402
from labels import PLAIN_SHAPES, label_pages  # noqa: E402

from audiopaper.split import tagger  # noqa: E402


def examples(issues):  # type: ignore[no-untyped-def]
    for issue in issues:
        if issue.shape in PLAIN_SHAPES:
            yield from label_pages(issue.paths, issue.gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=HERE.parent / "audiopaper" / "split" / tagger.MODEL_NAME)
    args = parser.parse_args()
    issues = load_corpus(args.corpus)
    model = tagger.train(examples(issues), args.out)
    print(f"{model.path}: {model.path.stat().st_size // 1024} KiB from {len(issues)} issues")


if __name__ == "__main__":
    main()
