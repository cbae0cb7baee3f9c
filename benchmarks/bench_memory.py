"""Memory benchmark (issue #16): peak resident memory of a build against the issue's size.

A build's memory must be bounded by the article, not the issue: before the fix every
article's PCM waited in memory for the audio stage, about 130 MB more per copy of the
sample, and a 5 MB input (the sample 285 times) grew to 23 GB. This builds the sample
repeated k times with espeak, each build a fresh process measured by the kernel
(``wait4``'s peak RSS, the same figure as ``/usr/bin/time -v``), after one build that
fills a shared cache (so every measured build reads the same audio from the cache and
runs the whole audio stage: the part of the build that used to hold it all). Then the
5 MB input itself, which is beyond the documented input limit and must stop with one
line.

Prints one JSON document: per multiple, peak_rss_mb, seconds, articles; the per-copy
growth (MB) from the smallest to the largest multiple; and the 5 MB run's exit code,
its stderr and peak RSS.

Usage: python benchmarks/bench_memory.py [--copies 1 2 4] [--big 285]
Each copy of the sample adds ~25 s of encoding on a free core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "hengyang-daily.md"


def repeated(folder: Path, copies: int) -> Path:
    path = folder / f"sample-x{copies}.md"
    text = SAMPLE.read_text(encoding="utf-8")
    path.write_text((text + "\n\n") * copies, encoding="utf-8")
    return path


def measured(args: list[str]) -> tuple[int, float, float, str, str]:
    """Run a command; its exit code, peak RSS in MB, wall seconds, stdout and stderr."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        # wait4 rather than wait: it also gives the child's rusage (ru_maxrss, in KiB)
        _pid, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return code, usage.ru_maxrss / 1024, secs, out.read(), err.read()


def build(issue: Path, out: Path, cache: Path) -> list[str]:
    return [sys.executable, "-m", "audiopaper", "build", str(issue), "-o", str(out), "--engine", "espeak",
            "--cache-dir", str(cache), "--date", "2022-01-28", "-q", "--json"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--big", type=int, default=285, help="copies in the over-the-limit input (285: 5 MB)")
    args = parser.parse_args()

    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder, cache = Path(tmp), Path(tmp) / "cache"
        code, *_rest, err = measured(build(SAMPLE, folder / "warm", cache))
        if code != 0:
            raise SystemExit(f"warm-up build failed: {err}")
        runs = {}
        for k in args.copies:
            code, rss, secs, out, err = measured(build(repeated(folder, k), folder / f"out{k}", cache))
            if code != 0:
                raise SystemExit(f"build of {k} copies failed: {err}")
            runs[k] = {"peak_rss_mb": round(rss), "seconds": round(secs, 1), "articles": len(json.loads(out)["articles"])}
        report["builds"] = runs
        lo, hi = min(runs), max(runs)
        if hi > lo:
            growth = (runs[hi]["peak_rss_mb"] - runs[lo]["peak_rss_mb"]) / (hi - lo)
            report["growth_mb_per_copy"] = round(growth, 1)
        big = repeated(folder, args.big)
        code, rss, secs, _out, err = measured(build(big, folder / "big", cache))
        report["big_input"] = {
            "mb": round(big.stat().st_size / 1e6, 2),
            "exit": code,
            "stderr": err.strip(),
            "peak_rss_mb": round(rss),
            "seconds": round(secs, 1),
        }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
