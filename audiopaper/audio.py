"""Encoding and joining audio with ffmpeg (no shell, argument lists only)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import AudioError
from .fsutil import atomic_path

BITRATE = "64k"


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """A system ffmpeg when there is one, else the one imageio-ffmpeg ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception as exc:  # imageio-ffmpeg raises RuntimeError when it has no binary
        raise AudioError("ffmpeg not found", "install imageio-ffmpeg (`make install`) or Debian's ffmpeg") from exc


def run_ffmpeg(args: Sequence[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-y", *(["-nostdin"] if stdin is None else []), *args]
    try:
        return subprocess.run(cmd, input=stdin, capture_output=True, check=True)
    except subprocess.CalledProcessError as exc:
        tail = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if exc.stderr else []
        raise AudioError(f"ffmpeg failed: {tail[0] if tail else exc.returncode}") from None
    except OSError as exc:
        raise AudioError(f"cannot run ffmpeg: {exc.strerror}") from None


def encode_mp3(pcm: np.ndarray, sample_rate: int, out: Path, bitrate: str = BITRATE) -> Path:
    """Encode mono int16 PCM to a CBR MP3 at ``out`` (atomically)."""
    with atomic_path(out) as tmp:
        run_ffmpeg(
            [
                "-f",
                "s16le",
                "-ar",
                str(sample_rate),
                "-ac",
                "1",
                "-i",
                "pipe:0",
                "-c:a",
                "libmp3lame",
                "-b:a",
                bitrate,
                "-ar",
                str(sample_rate),
                "-ac",
                "1",
                "-f",
                "mp3",
                str(tmp),
            ],
            stdin=np.ascontiguousarray(pcm, dtype="<i2").tobytes(),
        )
    return out


def concat_mp3(parts: Sequence[Path], out: Path) -> Path:
    """Join MP3 files of identical format without re-encoding (concat demuxer, -c copy)."""
    rates = {mp3_format(p) for p in parts}
    if len(rates) > 1:
        raise AudioError(f"cannot join MP3s of different formats: {sorted(rates)}")
    with atomic_path(out) as tmp:
        listing = tmp.with_suffix(".txt")
        listing.write_text(
            "".join("file '{}'\n".format(str(p.resolve()).replace("'", "'\\''")) for p in parts), encoding="utf-8"
        )
        try:
            run_ffmpeg(
                [
                    "-f",
                    "concat",
                    "-safe",
                    "0",
                    "-i",
                    str(listing),
                    "-c",
                    "copy",
                    "-map_metadata",
                    "-1",
                    "-id3v2_version",
                    "0",
                    "-write_xing",
                    "1",
                    "-f",
                    "mp3",
                    str(tmp),
                ]
            )
        finally:
            listing.unlink(missing_ok=True)
    return out


def mp3_format(path: Path) -> tuple[int, int]:
    from mutagen.mp3 import MP3

    info = MP3(path).info
    assert info is not None
    return int(info.sample_rate), int(info.channels)


def mp3_duration(path: Path) -> float:
    """Playing time as players see it: whole MP3 frames, as in the joined edition."""
    from mutagen.mp3 import MP3

    try:
        info = MP3(path).info
        assert info is not None
        return float(info.length)
    except Exception as exc:  # mutagen raises several error types for bad files
        raise AudioError(f"{path}: not a readable MP3 ({exc})") from None


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    return np.zeros(round(seconds * sample_rate), np.int16)


def decode_check(path: Path) -> None:
    """Decode a whole file; raises AudioError on any decoder error."""
    run_ffmpeg(["-v", "error", "-xerror", "-i", str(path), "-f", "null", "-"])


def decode_mp3(data: bytes, sample_rate: int) -> np.ndarray:
    """Decode MP3 bytes to mono int16 PCM at ``sample_rate`` (for engines that answer in MP3)."""
    if not data:
        return np.zeros(0, np.int16)
    # -f mp3 names the demuxer so ffmpeg does not have to guess from a pipe.
    result = run_ffmpeg(
        ["-v", "error", "-f", "mp3", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"],
        stdin=data,
    )
    return np.frombuffer(result.stdout, dtype="<i2").astype(np.int16)
