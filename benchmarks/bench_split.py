"""How long splitting takes on a large issue: the sample repeated to 200+ articles,
as Markdown and as plain text (the markup stripped, so that the line tagger and the
cohesion measure run on every line).

    python benchmarks/bench_split.py [--articles 200] [--repeat 3]

Prints one line per measurement; the figure to compare with the 2 s budget is the
best ``split`` time (reading the file is listed apart).
"""

from __future__ import annotations

import argparse
import math
import re
import tempfile
import time
from pathlib import Path

from audiopaper import ingest, split

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hengyang-daily.md"
ITEMS_IN_SAMPLE = 9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    markdown = SAMPLE.read_text(encoding="utf-8")
    plain = re.sub(r"^(?:#+ |- )", "", markdown, flags=re.MULTILINE).replace("  \n", "\n")
    copies = math.ceil(args.articles / ITEMS_IN_SAMPLE)
    for name, text in (("big-issue.md", markdown), ("big-issue.txt", plain)):
        measure(name, "\n\n".join([text] * copies), copies, args.repeat)


def measure(name: str, text: str, copies: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        size_kib = path.stat().st_size // 1024
        read_s, split_s = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            issue = ingest.read_issue([path])
            t1 = time.perf_counter()
            result = split.split(issue)
            t2 = time.perf_counter()
            read_s.append(t1 - t0)
            split_s.append(t2 - t1)
    print(
        f"{name}: {len(result.articles)} articles ({copies} copies of the sample, {size_kib} KiB): "
        f"split {min(split_s):.3f} s (best of {repeat}), read {min(read_s):.3f} s, "
        f"{len(result.repairs)} repairs"
    )


if __name__ == "__main__":
    main()
