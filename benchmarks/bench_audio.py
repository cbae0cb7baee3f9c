"""What the audio stage costs: audio_s against engine_s, and peak memory.

Three ways to run it:

  # a simulated 30-minute edition (the sample read by espeak, repeated to 30 min): time and memory
  .venv/bin/python benchmarks/bench_audio.py --minutes 30 [--rtf 0.5] [--source synthetic]

  # the numbers of a real build that already ran (e.g. the whole sample with kokoro)
  .venv/bin/python benchmarks/bench_audio.py --manifest output/editions/2022-01-28/manifest.json

  # build an issue now, without the cache, and report (engine_s comes from real inference)
  .venv/bin/python benchmarks/bench_audio.py --issue examples/excerpt.md --engine kokoro

The requirement (issue #6): timings.audio_s <= 0.1 x timings.engine_s, and under 1 GB of
memory for a 30-minute edition. The simulated run measures memory and audio_s; only a
real engine gives engine_s, so the ratio needs --manifest or --issue (or --rtf to
project from a known real-time factor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from audiopaper.audio import cover  # noqa: E402
from audiopaper.audio.assemble import EditionInfo, assemble_edition  # noqa: E402
from audiopaper.models import Article, Clip, Paragraph, Script, Span  # noqa: E402


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    (ffmpeg children are not added: their ru_maxrss counts the parent's pages at fork
    time, so it says nothing about ffmpeg itself; run under /usr/bin/time -v to see them.)
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_speech(seconds: float, sr: int, seed: int) -> np.ndarray:
    """Level-steady, speech-like sound (syllable-rate voiced bursts and noise), int16."""
    rng = np.random.default_rng(seed)
    n = round(seconds * sr)
    out = np.empty(n, np.int16)
    level = rng.uniform(0.1, 0.9)
    step = sr * 10
    for a in range(0, n, step):  # in pieces, so the generator itself stays small
        t = np.arange(a, min(n, a + step)) / sr
        phase = 2 * np.pi * np.cumsum(180 + 40 * np.sin(2 * np.pi * 0.7 * t)) / sr
        voiced = sum(np.sin(k * phase) / k for k in range(1, 10))
        syll = 0.5 - 0.5 * np.cos(2 * np.pi * 4.2 * t)
        x = (0.6 * voiced + 0.3 * rng.standard_normal(len(t)) * (syll > 0.85)) * syll
        out[a : a + len(t)] = np.clip(x / 2.2 * level * 32767, -32768, 32767).astype(np.int16)
    return out


def synthetic_clips(minutes: float, articles: int, sr: int) -> tuple[Clip, list[tuple[Script, Clip]]]:
    per = minutes * 60 / articles
    clips: list[tuple[Script, Clip]] = []
    for i in range(articles):
        pcm = synthetic_speech(per, sr, i)
        spans = tuple(Span(s, min(per, s + 4.5), "模拟句子" * 5, "body") for s in np.arange(0, per - 1, 5.0))
        art = Article(index=i + 1, kind="article", title=f"第{i + 1}篇模拟稿件", paragraphs=(Paragraph("x"),))
        clips.append((Script(article=art, sentences=()), Clip(pcm, sr, spans, "synthetic", "none")))
    intro = Clip(synthetic_speech(40, sr, 999), sr, (Span(0, 39, "导读", "intro"),), "synthetic", "none")
    return intro, clips


def espeak_clips(minutes: float, issue: Path) -> tuple[Clip, list[tuple[Script, Clip]]]:
    """Real (robotic) speech: the sample issue read by espeak, repeated up to ``minutes``."""
    from dataclasses import replace

    from audiopaper import engines, speech
    from audiopaper.cache import AudioCache
    from audiopaper.engines import select
    from audiopaper.pipeline import load_split
    from audiopaper.speech.intro import intro_script
    from audiopaper.synth import SynthTimer, synthesize_edition, synthesize_script

    engine = engines.create("espeak")
    voice = select.resolve_voice(engine, None)
    scripts = [speech.make_script(a) for a in load_split([issue]).articles]
    once = synthesize_edition(scripts, engine, voice, AudioCache(None), SynthTimer()).clips
    clips: list[tuple[Script, Clip]] = []
    total = 0.0
    while total < minutes * 60:
        for script, clip in once:
            index = len(clips) + 1
            clips.append((replace(script, article=replace(script.article, index=index)), clip))
            total += clip.duration_s
            if total >= minutes * 60:
                break
    intro = synthesize_script(
        intro_script("衡阳日报", dt.date(2022, 1, 28), [s.article for s, _ in clips]),
        engine, voice, AudioCache(None), SynthTimer(),
    )  # fmt: skip
    return intro, clips


def simulated(
    minutes: float, articles: int, sr: int, rtf: float | None, source: str, issue: Path
) -> dict[str, Any]:
    if source == "espeak":
        intro, clips = espeak_clips(minutes, issue)
    else:
        intro, clips = synthetic_clips(minutes, articles, sr)
    articles = len(clips)
    sr = intro.sample_rate
    before = peak_rss_mb()
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
        out = Path(tmp)
        folder = out / "editions" / "2022-01-28"
        folder.mkdir(parents=True)
        t0 = time.perf_counter()
        cover_png = cover.write_episode_art(folder, "衡阳日报", dt.date(2022, 1, 28))
        info = EditionInfo("衡阳日报", dt.date(2022, 1, 28), "bench", cover=cover_png)
        result = assemble_edition(folder, info, intro, clips)
        audio_s = time.perf_counter() - t0
        size_mb = result.mp3.stat().st_size / 1e6
    own = peak_rss_mb()
    doc: dict[str, Any] = {
        "mode": f"simulated ({source} PCM)",
        "edition_min": round(result.duration_s / 60, 2),
        "articles": articles,
        "sample_rate": sr,
        "audio_s": round(audio_s, 2),
        "audio_s_per_audio_min": round(audio_s / (result.duration_s / 60), 3),
        "edition_mb": round(size_mb, 1),
        "loudness": result.loudness.edition.__dict__,
        "peak_rss_mb": round(own, 1),
        "peak_rss_mb_before_assembly": round(before, 1),
    }
    if rtf:
        engine_s = rtf * result.duration_s
        doc["projected_engine_s"] = round(engine_s, 1)
        doc["audio_s_over_engine_s"] = round(audio_s / engine_s, 4)
    return doc


def from_manifest(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    t = doc["timings"]
    ed = doc["edition"]
    return {
        "mode": "manifest",
        "manifest": str(path),
        "engine": ed.get("engine"),
        "edition_min": round(ed["duration_s"] / 60, 2),
        "articles": len(doc["articles"]),
        "engine_s": t["engine_s"],
        "audio_s": t["audio_s"],
        "audio_s_over_engine_s": round(t["audio_s"] / t["engine_s"], 4) if t["engine_s"] else None,
        "cache": doc.get("cache"),
        "loudness": ed.get("loudness"),
    }


def from_build(issue: list[Path], engine: str) -> dict[str, Any]:
    from audiopaper.pipeline import BuildOptions, build

    with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
        result = build(issue, BuildOptions(out=Path(tmp), engine=engine, use_cache=False))
        doc = from_manifest(result.manifest_path)
    own = peak_rss_mb()
    doc.update(mode="build", peak_rss_mb=round(own, 1))
    doc["note"] = "peak_rss_mb includes the engine (kokoro holds ~600 MB)"
    return doc


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=30.0, help="length of the simulated edition")
    p.add_argument("--articles", type=int, default=15, help="articles in the simulated edition")
    p.add_argument("--sample-rate", type=int, default=24000, help="for --source synthetic")
    p.add_argument(
        "--source", choices=["espeak", "synthetic"], default="espeak",
        help="simulated speech: the sample issue read by espeak (real speech), or generated sound",
    )  # fmt: skip
    p.add_argument("--sample-issue", type=Path, default=ROOT / "examples" / "hengyang-daily.md")
    p.add_argument("--rtf", type=float, help="engine real-time factor, to project audio_s/engine_s")
    p.add_argument("--manifest", type=Path, help="report an existing build's manifest")
    p.add_argument("--issue", type=Path, nargs="+", help="build this issue now (no cache) and report")
    p.add_argument("--engine", default="kokoro")
    args = p.parse_args()
    if args.manifest:
        doc = from_manifest(args.manifest)
    elif args.issue:
        doc = from_build(args.issue, args.engine)
    else:
        doc = simulated(args.minutes, args.articles, args.sample_rate, args.rtf, args.source, args.sample_issue)
    print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
