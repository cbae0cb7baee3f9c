"""Batch builds: issue #12's Done-when, and throughput by number of workers.

    python benchmarks/bench_batch.py done-when [--issues 30] [--workdir DIR] [--phases first,kill,ray]
        the sample issue under 30 dates, espeak, into one OUT (a papers.toml with a public
        URL and an owner, as a producer would): the first run, `audiopaper check OUT`, a
        rerun (and its share of the first run), a batch killed with kill -9 halfway and
        rerun (no truncated file, only the missing audio synthesized, the same MP3s), and
        the same issues through a local Ray instance with 2 workers (the same MP3s).

    python benchmarks/bench_batch.py throughput [--issues 4] [--sim-issues 12] [--cost-ms 10]
                                                [--workers 1,2,4,8] [--no-ray | --ray-only]
        issues per hour and RTF with 1 and 2 workers, on this machine and through Ray:
        espeak on the sample issue, then a simulated engine with a fixed cost per character
        (benchmarks/simengine.py) with 1, 2, 4 and 8 workers, where the batch's own limits
        show: the queue, the cache, reading issues, assembling and publishing editions.

Every run starts from an empty OUT and cache. The throughput runs read without a cache
(--no-cache): their issues are one text under several dates, which a cache would read
once. Timings on a shared 2-core machine are
noisy: compare the rows of one run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "hengyang-daily.md"
PUBLIC = "https://audio.example.org/"
SETTINGS = f"""\
[site]
base_url = "{PUBLIC}"

[paper]
owner_email = "podcast@example.org"
owner_name = "衡阳日报社新媒体部"
"""
sys.path.insert(0, str(Path(__file__).resolve().parent))


def archive(root: Path, issues: int, text: Path = SAMPLE) -> Path:
    """``root/<date>/<name>`` for ``issues`` days from 2022-01-01."""
    import datetime as dt

    for n in range(issues):
        day = dt.date(2022, 1, 1) + dt.timedelta(days=n)
        (root / day.isoformat()).mkdir(parents=True, exist_ok=True)
        shutil.copy(text, root / day.isoformat() / text.name)
    return root


#: `audiopaper` with the simulated engine registered (as a plugin would register its own)
PRELUDE = (
    "import sys, simengine; simengine.register(); from audiopaper.cli import main;"
    " sys.argv = ['audiopaper', *sys.argv[1:]]; main()"
)


def command(args: list[str]) -> list[str]:
    return [sys.executable, "-c", PRELUDE, *args]


def cli(args: list[str], cwd: Path) -> tuple[int, dict[str, Any], float, str]:
    """``audiopaper ARGS`` in a fresh process (as a user runs it): exit code, JSON, seconds."""
    t0 = time.perf_counter()
    r = subprocess.run(command(args), cwd=cwd, capture_output=True, text=True, env=_env())
    seconds = time.perf_counter() - t0
    doc = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
    return r.returncode, doc, seconds, r.stderr


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent), str(ROOT)])}


def mp3_digests(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*.mp3"))
    }


def entries(cache: Path) -> int:
    return sum(1 for _ in cache.rglob("*.npz"))


def leftovers(out: Path) -> list[str]:
    return [str(p) for p in out.rglob("*") if p.name.startswith((".tmp-", ".build-")) or ".part" in p.name]


def done_when(args: argparse.Namespace) -> None:
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    src = archive(work / "archive", args.issues)
    (work / "audiopaper.toml").write_text(SETTINGS, encoding="utf-8")
    base = ["batch", str(src), "--engine", "espeak", "--paper", "衡阳日报", "--json", "-q"]
    print(f"work folder: {work}\n")

    out = work / "out"
    if "first" not in args.phases:
        # the first run's OUT from an earlier run of this script, for the later phases
        assert (out / "papers.json").is_file(), f"{out}: no first run to compare with"
    else:
        first_run(args, base, out, work)
    if "kill" in args.phases:
        kill_and_resume(args, base, out, work)
    if "ray" in args.phases and not args.no_ray:
        ray_run(base, out, work)


def first_run(args: argparse.Namespace, base: list[str], out: Path, work: Path) -> None:
    code, doc, first_s, err = cli([*base, "-o", str(out)], work)
    assert code == 0, err
    print(
        f"first run: {args.issues} issues in {first_s:.1f} s (exit {code}); {doc['counts']};"
        f" {doc['cache']['misses']} chunks synthesized, {doc['audio_s'] / 3600:.2f} h of audio"
    )
    publish = [json.loads(m.read_text())["timings"] for m in sorted(out.glob("*/editions/*/manifest.json"))]
    if publish:
        print(
            f"  per edition: audio stage {sum(t['audio_s'] for t in publish) / len(publish):.1f} s,"
            f" publish {publish[0]['publish_s']:.2f} s (first) .. {publish[-1]['publish_s']:.2f} s (last)"
        )

    t0 = time.perf_counter()
    check = subprocess.run(command(["check", str(out), "-q"]), capture_output=True, text=True, env=_env())
    print(f"audiopaper check OUT: exit {check.returncode} ({time.perf_counter() - t0:.0f} s){check.stdout[-300:]}")

    code, doc, rerun_s, err = cli([*base, "-o", str(out)], work)
    print(
        f"rerun: {rerun_s:.2f} s (exit {code}), {doc['counts']}, {doc['cache']['misses']} chunks synthesized:"
        f" {100 * rerun_s / first_s:.2f} % of the first run"
    )


def kill_and_resume(args: argparse.Namespace, base: list[str], out: Path, work: Path) -> None:
    killed = work / "killed"
    shutil.rmtree(killed, ignore_errors=True)
    proc = subprocess.Popen(
        command([*base[:-2], "-q", "-o", str(killed)]),
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    )
    half = args.issues // 2
    while proc.poll() is None and len(list(killed.glob("*/editions/*/manifest.json"))) < half:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list(killed.glob("*/editions/*/manifest.json")))
    at_kill = entries(killed / ".cache")
    left = leftovers(killed)
    code, doc, resume_s, err = cli([*base, "-o", str(killed)], work)
    new = entries(killed / ".cache") - at_kill
    # its MP3s are compared byte for byte with the first run's, which check decoded whole
    check2 = subprocess.run(
        command(["check", str(killed), "-q", "--no-audio"]), capture_output=True, text=True, env=_env()
    )
    same = mp3_digests(killed) == mp3_digests(out)
    print(
        f"kill -9 after {finished} of {args.issues} editions ({at_kill} chunks cached, {len(left)} temporary files"
        f" left by the kill): rerun {resume_s:.1f} s, exit {code}, {doc['counts']},"
        f" {doc['cache']['misses']} chunks synthesized = {new} new cache entries;"
        f" temporary files after: {len(leftovers(killed))}; check exit {check2.returncode}; MP3s identical to the first run: {same}"
    )


def ray_run(base: list[str], out: Path, work: Path) -> None:
    rayout = work / "ray"
    shutil.rmtree(rayout, ignore_errors=True)
    code, doc, ray_s, err = cli([*base, "-o", str(rayout), "--ray", "auto", "--workers", "2"], work)
    assert code == 0, err
    a, b = mp3_digests(out), mp3_digests(rayout)
    print(
        f"Ray, 2 workers: {ray_s:.1f} s (exit {code}) {doc['workers']}; {len(b)} MP3s,"
        f" byte-identical to the local run: {a == b} ({sum(a[k] == b.get(k) for k in a)} of {len(a)} equal)"
    )


def _row(mode: str, workers: int, issues: int, seconds: float, audio_s: float) -> str:
    per_hour = issues / seconds * 3600
    return f"| {mode} | {workers} | {issues} | {seconds:.1f} | {per_hour:.0f} | {audio_s / 60:.1f} | {seconds / audio_s:.4f} |"


HEADER = "| how | workers | issues | seconds | issues/hour | audio min | RTF |\n|---|---|---|---|---|---|---|"


def _measured(src: Path, out: Path, engine: str, workers: int, extra: list[str], label: str, issues: int) -> str:
    """One ``batch`` of ``src`` into ``out`` with ``engine`` and ``workers``, as a table row."""
    cmd = ["batch", str(src), "-o", str(out), "--engine", engine, "--paper", "衡阳日报", "--json", "-q"]
    code, doc, seconds, err = cli([*cmd, "--no-cache", "--workers", str(workers), *extra], out.parent)
    assert code == 0, err
    return _row(label, workers, issues, seconds, doc["audio_s"])


def throughput(args: argparse.Namespace) -> None:
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "audiopaper.toml").write_text(SETTINGS, encoding="utf-8")
    print(f"work folder: {work}\n")
    modes = [("this machine", [])] if not args.ray_only else []
    modes += [] if args.no_ray else [("Ray (local)", ["--ray", "auto"])]

    print(f"espeak, the sample issue x {args.issues}:\n\n{HEADER}")
    src = archive(work / "espeak", args.issues)
    for label, extra in modes:
        for workers in (1, 2):
            print(
                _measured(
                    src, work / f"out-espeak-{len(extra)}-{workers}", "espeak", workers, extra, label, args.issues
                ),
                flush=True,
            )

    text = work / "quarter.md"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    text.write_text("".join(lines[: len(lines) // 4]), encoding="utf-8")
    src = archive(work / "sim", args.sim_issues, text)
    os.environ["AUDIOPAPER_SIM_MS_PER_CHAR"] = str(args.cost_ms)
    print(
        f"\nsimulated engine, {args.cost_ms} ms per character (a quarter of the sample x {args.sim_issues}):\n\n{HEADER}"
    )
    for label, extra in modes:
        for workers in args.workers:
            print(
                _measured(src, work / f"out-sim-{len(extra)}-{workers}", "sim", workers, extra, label, args.sim_issues),
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    d = sub.add_parser("done-when")
    d.add_argument("--issues", type=int, default=30)
    d.add_argument("--workdir")
    d.add_argument("--no-ray", action="store_true")
    d.add_argument(
        "--phases",
        type=lambda s: set(s.split(",")),
        default={"first", "kill", "ray"},
        help="first (with check and rerun), kill, ray; without first, --workdir's earlier first run is used",
    )
    t = sub.add_parser("throughput")
    t.add_argument("--issues", type=int, default=4)
    t.add_argument("--sim-issues", type=int, default=12)
    t.add_argument("--cost-ms", type=float, default=10.0)
    t.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4, 8])
    t.add_argument("--workdir")
    t.add_argument("--no-ray", action="store_true")
    t.add_argument("--ray-only", action="store_true", help="only the Ray rows (the local ones measured apart)")
    args = parser.parse_args()
    done_when(args) if args.what == "done-when" else throughput(args)


if __name__ == "__main__":
    main()
