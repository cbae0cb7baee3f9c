"""Joining an edition's clips: ffmpeg's concat demuxer with ``-c copy`` (what the audio
stage does) against decoding every clip and encoding the whole again (what an audio
library such as pydub does: it decodes each file through ffmpeg, joins samples, and
encodes the result through ffmpeg).

  .venv/bin/python benchmarks/bench_join.py [--clips 30] [--seconds 45]

The clips are speech-like noise (a syllable-rate envelope over band-limited noise) at
24 kHz mono, encoded as the build encodes them (64 kb/s CBR), so the numbers do not
depend on an engine. Prints seconds for each way, best of three.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audiopaper.audio import ffmpeg  # noqa: E402

RATE = 24000


def clip(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4.0 * t) ** 2  # about four syllables a second
    noise = np.convolve(rng.standard_normal(t.size), np.ones(6) / 6, mode="same")
    return (np.clip(envelope * noise * 0.25, -1, 1) * 32767).astype(np.int16)


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=45.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-join-") as tmp:
        work = Path(tmp)
        parts = [ffmpeg.encode_mp3(clip(args.seconds, n), RATE, work / f"{n:02d}.mp3") for n in range(args.clips)]

        def copy() -> None:
            ffmpeg.concat_mp3(parts, work / "copy.mp3")

        def reencode() -> None:
            pcm = np.concatenate([ffmpeg.decode_pcm(p, RATE) for p in parts])
            ffmpeg.encode_mp3(pcm, RATE, work / "reencoded.mp3")

        copied, decoded = best_of(3, copy), best_of(3, reencode)
    minutes = args.clips * args.seconds / 60
    print(f"{args.clips} clips, {minutes:.1f} min of audio at {RATE} Hz, 64 kb/s:")
    print(f"  concat -c copy (the audio stage): {copied:6.2f} s")
    print(f"  decode + re-encode (pydub's way): {decoded:6.2f} s  ({decoded / copied:.0f}x)")


if __name__ == "__main__":
    main()
