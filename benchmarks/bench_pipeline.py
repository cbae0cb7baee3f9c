"""Pipeline benchmark: Kokoro's real-time factor and the pipeline's overhead.

Builds an issue (default: the sample) with the offline engine into a fresh folder with
no cache, then rebuilds it from the cache, and prints:

  rtf              engine (inference) seconds per second of synthesized speech
  overhead         total_s / engine_s of the cold build (model load included)
  audio_ratio      audio_s / engine_s (mastering, encoding, joining, tagging)
  rebuild_ratio    warm rebuild total_s / cold build total_s, and its cache misses
  peak_rss_mb      peak resident memory of this process and the processes it starts
                   (the speech stage runs in one of its own), summed, sampled every 20 ms
  self_maxrss_mb   the peak getrusage gives for this process alone

Usage: python benchmarks/bench_pipeline.py [ISSUE] [--engine kokoro] [--keep DIR]
Timings on a shared machine are noisy: compare ratios from one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from treerss import TreeRss  # noqa: E402  (benchmarks/, the script's folder)

from audiopaper.pipeline import BuildOptions, build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("issue", nargs="*", type=Path, default=[ROOT / "examples" / "hengyang-daily.md"])
    parser.add_argument("--engine", default="kokoro")
    parser.add_argument("--keep", type=Path, help="build into this folder instead of a temporary one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, TreeRss(os.getpid()) as tree:
        out = args.keep or Path(tmp) / "out"
        opts = BuildOptions(out=out, engine=args.engine, date=dt.date(2022, 1, 28), cache_dir=out / ".cache")
        t0 = time.perf_counter()
        cold = build(args.issue, opts).manifest
        cold_wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = build(args.issue, opts).manifest
        warm_wall = time.perf_counter() - t0

    t = cold["timings"]
    speech_s = sum(a["duration_s"] for a in cold["articles"]) + cold["edition"].get("intro_s", 0.0)
    report = {
        "issue": [str(p) for p in args.issue],
        "engine": cold["edition"]["engine"],
        "articles": len(cold["articles"]),
        "edition_min": round(cold["edition"]["duration_s"] / 60, 2),
        "rtf": round(t["engine_s"] / speech_s, 3),
        "overhead": round(t["total_s"] / t["engine_s"], 3) if t["engine_s"] else None,
        "audio_ratio": round(t["audio_s"] / t["engine_s"], 4) if t["engine_s"] else None,
        "cold": {k: round(v, 2) for k, v in t.items()},
        "cold_wall_s": round(cold_wall, 2),
        "warm_wall_s": round(warm_wall, 2),
        "rebuild_ratio": round(warm_wall / cold_wall, 3),
        "rebuild_misses": warm["cache"]["misses"],
        "peak_rss_mb": round(tree.peak_mb, 1),
        "self_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
