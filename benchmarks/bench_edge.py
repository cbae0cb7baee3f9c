"""How much concurrency buys against a slow edge service.

Builds the two-article excerpt with edge against the loopback protocol server from the
test suite, 0.5 s of latency per request, with --concurrency 1 and 4 (no cache), and
prints the ratio of build times and the most connections the server saw at once.

    .venv/bin/python benchmarks/bench_edge.py [--latency 0.5] [--rounds 3]

Builds run in this process after one warm-up build, so imports and first-use loading
(jieba, ffmpeg lookup) do not count against the first configuration measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audiopaper.engines import EngineConfig  # noqa: E402
from audiopaper.pipeline import BuildOptions, build  # noqa: E402
from tests.edgefake import EdgeServer  # noqa: E402

EXCERPT = ROOT / "examples" / "excerpt.md"


def one_build(server: EdgeServer, concurrency: int, out: Path, issue: Path = EXCERPT) -> tuple[float, float, int, int]:
    """Wall seconds, synth seconds, most simultaneous connections, requests."""
    server.stats.max_active = 0
    before = len(server.stats.requests)
    t0 = time.perf_counter()
    result = build(
        [issue],
        BuildOptions(
            out=out,
            engine="edge",
            date=dt.date(2022, 1, 28),
            use_cache=False,
            engine_config=EngineConfig(concurrency=concurrency),
        ),
    )
    wall = time.perf_counter() - t0
    assert all(a["engine"] == "edge" for a in result.manifest["articles"]), "an article fell back"
    return wall, result.manifest["timings"]["synth_s"], server.stats.max_active, len(server.stats.requests) - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5, help="seconds before each answer")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--issue", type=Path, default=EXCERPT, help="issue file (default: the two-article excerpt)")
    args = parser.parse_args()
    for var in [v for v in os.environ if "proxy" in v.lower()]:
        del os.environ[var]

    with EdgeServer("slow", latency_s=args.latency) as server, tempfile.TemporaryDirectory() as tmp:
        os.environ["AUDIOPAPER_EDGE_URL"] = server.url
        one_build(server, 4, Path(tmp) / "warm", args.issue)
        runs: dict[int, list[tuple[float, float, int, int]]] = {1: [], 4: []}
        for r in range(args.rounds):
            for c in (1, 4) if r % 2 == 0 else (4, 1):
                runs[c].append(one_build(server, c, Path(tmp) / f"c{c}-{r}", args.issue))

    def med(c: int, i: int) -> float:
        return statistics.median(run[i] for run in runs[c])

    requests = runs[4][0][3]
    print(
        f"{args.issue.name}: {requests} requests per build, {args.latency:g} s latency each, {args.rounds} rounds, median"
    )
    for c in (1, 4):
        print(
            f"--concurrency {c}: build {med(c, 0):.2f} s, synth {med(c, 1):.2f} s,"
            f" max simultaneous connections {max(run[2] for run in runs[c])}"
        )
    print(f"ratio (build, concurrency 1 / 4): {med(1, 0) / med(4, 0):.2f}x")
    print(f"ratio (synth stage, concurrency 1 / 4): {med(1, 1) / med(4, 1):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
