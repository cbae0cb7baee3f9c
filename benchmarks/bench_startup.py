"""Start-up benchmark: how long `audiopaper --help` (and a few other commands that do no
work) take in a fresh process, and which heavy modules they load.

Issue #15 asks for `--help` under 0.5 s; the heavy modules (numpy, onnxruntime, jieba,
wetext, misaki, pypinyin) belong to the commands that read or speak text, and
tests/test_cli.py fails if one of these commands loads them. This prints, per command,
the median and fastest wall time of ``--rounds`` fresh interpreters, and the heavy
modules it loaded (expected: none).

Usage: .venv/bin/python benchmarks/bench_startup.py [--rounds 10]
Timings on a shared machine are noisy: the fastest round is the least disturbed one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (["--help"], ["build", "--help"], ["serve", "--help"], ["--version"])
HEAVY = ("numpy", "onnxruntime", "jieba", "wetext", "misaki", "pypinyin")
PROBE = """
import sys
from audiopaper.cli import main
sys.argv = ["audiopaper", *{args!r}]
try:
    main()
except SystemExit:
    pass
print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def wall(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "audiopaper", *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def heavy_loaded(args: list[str]) -> list[str]:
    code = PROBE.format(args=args, heavy=HEAVY)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    loaded: list[str] = json.loads(r.stderr.strip().splitlines()[-1].replace("'", '"'))
    return loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    wall(["--version"])  # the first run pays for cold file caches
    print(f"| command | median s | fastest s | heavy modules loaded |  ({args.rounds} rounds)")
    print("|---|---|---|---|")
    for command in COMMANDS:
        times = [wall(command) for _ in range(args.rounds)]
        loaded = ", ".join(heavy_loaded(command)) or "none"
        print(f"| audiopaper {' '.join(command)} | {statistics.median(times):.3f} | {min(times):.3f} | {loaded} |")
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
