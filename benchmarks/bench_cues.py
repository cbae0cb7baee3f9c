"""Where transcript cues break on a whole edition: how many cue boundaries fall inside a
sentence, and how many of those cut a word.

  .venv/bin/python benchmarks/bench_cues.py examples/hengyang-daily.md [--old PATH]

The sentences are the ones the speech stage makes for the issue (what the transcripts
show), cut by ``audio.transcript.split_line`` exactly as a build cuts them; no audio is
needed, since timing does not move a cut. ``--old FILE`` also cuts them with another
version of transcript.py (e.g. ``git show 30d866c:audiopaper/audio/transcript.py``), for
a before/after in one run. A boundary cuts a word when ``transcript.inside_word`` says so
(a jieba word, a Latin word or number, a number and its measure word); the first ones
are printed as ``before｜after`` for a reader to judge.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audiopaper.audio.transcript import inside_word, split_line, word_starts  # noqa: E402
from audiopaper.pipeline import script_issue  # noqa: E402


def count(sentences: list[str], cut: Callable[[str], list[str]]) -> tuple[int, list[str]]:
    inner, bad = 0, []
    for sentence in sentences:
        text = " ".join(sentence.split())
        starts = word_starts(text)
        pos = 0
        for piece in cut(text)[:-1]:
            pos = text.index(piece, pos) + len(piece)
            inner += 1
            if inside_word(text, pos, starts):
                bad.append(f"{text[max(0, pos - 6) : pos]}｜{text[pos : pos + 6]}")
    return inner, bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("issue", type=Path)
    parser.add_argument("--old", type=Path, help="another transcript.py to compare with")
    args = parser.parse_args()
    scripts = script_issue([args.issue]).scripts
    sentences = [s.source for script in scripts for s in script.sentences]
    versions: list[tuple[str, Callable[[str], list[str]]]] = [("now", split_line)]
    if args.old:
        spec = importlib.util.spec_from_file_location("audiopaper.audio._old_transcript", args.old)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        versions.insert(0, (f"old ({args.old.name})", module.split_line))
    print(f"{args.issue}: {len(scripts)} articles, {len(sentences)} sentences")
    for label, cut in versions:
        inner, bad = count(sentences, cut)
        print(f"{label:>24}: {inner} cue boundaries inside sentences, {len(bad)} inside a word")
        for example in bad[:12]:
            print(f"{'':>26}{example}")


if __name__ == "__main__":
    main()
