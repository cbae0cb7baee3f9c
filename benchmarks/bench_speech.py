"""Speed of the speech stage: the whole sample issue, and a 60,000-character paragraph
with no punctuation at all. Loading (wetext's FSTs, jieba's and pypinyin's dictionaries)
is timed apart, because it happens once per process.

    .venv/bin/python benchmarks/bench_speech.py
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "hengyang-daily.md"
UNPUNCTUATED_CHARS = 60_000


def main() -> int:
    t0 = time.perf_counter()
    from audiopaper import speech
    from audiopaper.pipeline import load_split
    from audiopaper.speech.normalize import wetext_normalize
    from audiopaper.speech.pinyin import pinyin_of, words

    wetext_normalize("2021年")
    words("长沙银行")
    pinyin_of("长沙银行")
    speech.load_lexicon()
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = load_split([SAMPLE])
    options = speech.ScriptOptions()
    scripts = [speech.make_script(a, options) for a in result.articles]
    sample_s = time.perf_counter() - t0
    sentences = sum(len(s.sentences) for s in scripts)

    # The sample's text with every punctuation mark and space removed (digits, Latin
    # letters and % stay, so numbers still need normalizing), repeated to 60,000 chars.
    body = re.sub(r"[^\w%±]", "", SAMPLE.read_text(encoding="utf-8")).replace("_", "")
    paragraph = (body * (UNPUNCTUATED_CHARS // len(body) + 1))[:UNPUNCTUATED_CHARS]
    t0 = time.perf_counter()
    long = speech.speak_line(paragraph, "body", options)
    long_s = time.perf_counter() - t0
    longest = max(len(s.text) for s in long)
    digits = sum(bool(re.search(r"[0-9]", s.text)) for s in long)

    print(f"load: {load_s:.2f} s")
    print(f"sample: {len(result.articles)} articles, {sentences} sentences scripted in {sample_s:.2f} s (after loading)")
    print(
        f"unpunctuated: {len(paragraph):,} chars -> {len(long)} sentences (longest {longest} chars, "
        f"{digits} with ASCII digits) in {long_s:.2f} s"
    )
    ok = sample_s < 2.0 and long_s < 10.0 and longest <= 120 and digits == 0
    print("ok" if ok else "TOO SLOW OR WRONG")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
