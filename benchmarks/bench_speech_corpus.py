"""Reading accuracy of the speech stage, per class: stress suite, polyphone set, dev set.

    .venv/bin/python benchmarks/bench_speech_corpus.py [--corpus DIR] [--verbose] [--only stress|poly|dev]

- Stress suite (benchmarks/speech/stress.tsv, in the repo): sentences written for the
  benchmark with their full spoken form; a sentence is right when its whole spoken form
  and its pinyin checks are.
- Polyphone set (benchmarks/speech/polyphones.tsv, in the repo): one target word per
  phrase, right when every syllable is.
- Development set: real news sentences, rebuilt from clones of public sources by
  benchmarks/speech/corpus.py into DIR/sentences.jsonl (outside the repo); labels are
  benchmarks/speech/dev_labels.tsv. Each label is a span (a number or symbol with a
  few characters around it) and its expected reading; a span is right when that reading
  appears in the sentence's spoken form. Also reports the read-back invariant
  (characters the offline voice would drop) over every labelled sentence, and accuracy
  per source (leave-one-source-out: which sources were looked at while writing the
  rules is in benchmarks/speech/SOURCES.md).

Without the corpus the dev set is skipped and said so; the other two always run.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from speech.score import (  # noqa: E402
    canonical,
    expected_pattern,
    pinyin_checks_pass,
    speak,
    syllables_match,
    without_pauses,
)

DATA = ROOT / "benchmarks" / "speech"
DEFAULT_CORPUS = Path(os.environ.get("AUDIOPAPER_SPEECH_CORPUS", "/work/corpora/speech"))


def _rows(path: Path, columns: int) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        rows.append(fields + [""] * (columns - len(fields)))
    return rows


def _table(title: str, right: collections.Counter[str], total: collections.Counter[str]) -> float:
    print(f"\n{title}")
    print(f"  {'class':<16} {'right':>6} {'total':>6} {'acc':>8}")
    for cls in sorted(total):
        print(f"  {cls:<16} {right[cls]:>6} {total[cls]:>6} {right[cls] / total[cls]:>8.1%}")
    all_right, all_total = sum(right.values()), sum(total.values())
    acc = all_right / all_total if all_total else 0.0
    print(f"  {'ALL':<16} {all_right:>6} {all_total:>6} {acc:>8.1%}")
    return acc


def stress(verbose: bool) -> float:
    right: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    silent = 0
    for cls, page, expected, checks in _rows(DATA / "stress.tsv", 4):
        spoken = speak(page)
        ok_text = bool(expected_pattern(expected).fullmatch(canonical(spoken.text)))
        failed = pinyin_checks_pass(spoken, checks)
        silent += len(spoken.silent)
        total[cls] += 1
        if ok_text and not failed:
            right[cls] += 1
        elif verbose:
            print(f"  [{cls}] {page}\n      got  {spoken.text}\n      want {expected}" + "".join(f"\n      {f}" for f in failed))
    acc = _table("stress suite (sentences read right)", right, total)
    print(f"  dropped characters (read-back): {silent}")
    return acc


def polyphones(verbose: bool) -> float:
    right: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for context, word, syllables, cls, _check in _rows(DATA / "polyphones.tsv", 5):
        spoken = speak(context)
        i = spoken.reading.find(word)
        got = list(spoken.pinyin[i : i + len(word)]) if i >= 0 else []
        total[cls] += 1
        if syllables_match(syllables.split(), got):
            right[cls] += 1
        elif verbose:
            print(f"  [{cls}] {context}: {word} want {syllables}, got {' '.join(got)}")
    return _table("polyphone set (targets read right)", right, total)


def dev(corpus: Path, verbose: bool) -> float | None:
    sentences_path = corpus / "sentences.jsonl"
    if not sentences_path.is_file():
        print(
            f"\ndev set: SKIPPED, no corpus at {sentences_path}\n"
            f"  rebuild it: python benchmarks/speech/corpus.py CLONES_DIR {corpus} (see benchmarks/speech/SOURCES.md)"
        )
        return None
    by_key: dict[tuple[str, str], str] = {}
    for line in sentences_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_key[(row["source"], row["hash"])] = row["text"]
    labels = _rows(DATA / "dev_labels.tsv", 6)
    right: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    src_right: collections.Counter[str] = collections.Counter()
    src_total: collections.Counter[str] = collections.Counter()
    sent_ok: dict[tuple[str, str], bool] = {}
    missing = 0
    cache: dict[tuple[str, str], object] = {}
    silent_chars = 0
    silent_sentences = 0
    for source, key, cls, span, expected, _note in labels:
        text = by_key.get((source, key))
        if text is None or span not in text:
            missing += 1
            continue
        if (source, key) not in cache:
            spoken = speak(text)
            cache[(source, key)] = spoken
            silent_chars += len(spoken.silent)
            silent_sentences += bool(spoken.silent)
            if spoken.silent and verbose:
                print(f"  SILENT {spoken.silent!r} in {text}")
        spoken = cache[(source, key)]
        got = canonical(spoken.text)  # type: ignore[attr-defined]
        if any(c in span for c in "()（）"):
            # brackets on the page: reading the aside with or without pauses is right
            ok = bool(expected_pattern(without_pauses(canonical(expected))).search(without_pauses(got)))
        else:
            ok = bool(expected_pattern(expected).search(got))
        total[cls] += 1
        src_total[source] += 1
        sent_ok[(source, key)] = sent_ok.get((source, key), True) and ok
        if ok:
            right[cls] += 1
            src_right[source] += 1
        elif verbose:
            print(f"  [{cls}] {source} {span!r} want {expected!r}\n      in  {text}\n      got {spoken.text}")  # type: ignore[attr-defined]
    acc = _table("dev set (labelled spans read right, by class)", right, total)
    _table("dev set by source (leave-one-source-out)", src_right, src_total)
    good = sum(sent_ok.values())
    print(f"\n  sentences: {good}/{len(sent_ok)} read right ({good / max(1, len(sent_ok)):.1%})")
    print(f"  read-back: {silent_chars} dropped characters in {silent_sentences} of {len(cache)} sentences")
    if missing:
        print(f"  {missing} labels whose sentence is not in the corpus (rebuilt from other commits?)")
    return acc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--only", choices=("stress", "poly", "dev"))
    args = parser.parse_args()
    t0 = time.perf_counter()
    if args.only in (None, "stress"):
        stress(args.verbose)
    if args.only in (None, "poly"):
        polyphones(args.verbose)
    if args.only in (None, "dev"):
        dev(args.corpus, args.verbose)
    print(f"\n({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
