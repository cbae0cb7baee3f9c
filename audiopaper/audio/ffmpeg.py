"""Encoding and joining audio with ffmpeg (no shell, argument lists only)."""

from __future__ import annotations

import errno
import shutil
import subprocess
import wave
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import AudioError, AudiopaperError
from ..fsutil import atomic_path, output_error

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


def run_ffmpeg(args: Sequence[str], stdin: bytes | memoryview | None = None) -> subprocess.CompletedProcess[bytes]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-y", *(["-nostdin"] if stdin is None else []), *args]
    try:
        return subprocess.run(cmd, input=stdin, capture_output=True, check=True)
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if exc.stderr else ""
        raise _failure(stderr, exc.returncode, _visible_folder(args[-1]) if args else None) from None
    except OSError as exc:
        raise AudioError(f"cannot run ffmpeg: {exc.strerror}") from None


# What ffmpeg prints (strerror) when the file system refuses a write: the user's problem,
# said the way every other write failure is said, not "ffmpeg failed: Conversion failed!"
_OS_ERRORS = {
    "No space left on device": errno.ENOSPC,
    "Disk quota exceeded": errno.EDQUOT,
    "Read-only file system": errno.EROFS,
    "Permission denied": errno.EACCES,
}


def _failure(stderr: str, returncode: int, where: Path | None) -> AudiopaperError:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        for text, code in _OS_ERRORS.items():
            if text in line and where is not None:
                return output_error(where, OSError(code, text))
    tail = next((line for line in reversed(lines) if line != "Conversion failed!"), str(returncode))
    return AudioError(f"ffmpeg failed: {tail}")


def _visible_folder(output: str) -> Path | None:
    """The folder a user knows that holds ffmpeg's output file (not our work folders)."""
    if output in ("-", "") or output.startswith("pipe:"):
        return None
    folder = Path(output).parent
    while folder.name.startswith(".") and folder.parent != folder:
        folder = folder.parent
    return folder


def encode_mp3(
    pcm: np.ndarray, sample_rate: int, out: Path, bitrate: str = BITRATE, out_rate: int | None = None
) -> Path:
    """Encode mono int16 PCM to a CBR MP3 at ``out`` (atomically), resampled to ``out_rate``."""
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
                # lame's quality 5 instead of ffmpeg's default 3: half the encoding time,
                # no audible difference on speech at this bitrate
                "-compression_level",
                "5",
                "-ar",
                str(out_rate or sample_rate),
                "-ac",
                "1",
                "-f",
                "mp3",
                str(tmp),
            ],
            # a byte view, not a copy: an article's PCM can be tens of megabytes
            stdin=np.ascontiguousarray(pcm, dtype="<i2").data.cast("B"),
        )
    return out


def write_wav(pcm: np.ndarray, sample_rate: int, out: Path) -> Path:
    """Mono int16 PCM as a WAV file at ``out`` (atomically)."""
    with atomic_path(out) as tmp, wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(np.ascontiguousarray(pcm, dtype="<i2").tobytes())
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


def decode_pcm(path: Path, sample_rate: int) -> np.ndarray:
    """A whole file as mono int16 PCM (for short files: calibration and tests)."""
    raw = run_ffmpeg(["-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "-"]).stdout
    return np.frombuffer(raw, np.int16)


def decode_chunks(path: Path, sample_rate: int, samples: int = 1 << 18) -> Iterator[np.ndarray]:
    """A file as mono int16 PCM, in pieces as ffmpeg decodes it (bounded memory)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path),
           "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "-"]  # fmt: skip
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise AudioError(f"cannot run ffmpeg: {exc.strerror}") from None
    assert proc.stdout is not None and proc.stderr is not None
    try:
        carry = b""
        while True:
            block = proc.stdout.read(samples * 2)
            if not block:
                break
            block = carry + block
            usable = len(block) // 2 * 2
            carry = block[usable:]
            yield np.frombuffer(block[:usable], np.int16)
        err = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
        if proc.wait() != 0:
            raise AudioError(f"ffmpeg failed decoding {path.name}: {err[-1] if err else proc.returncode}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


@lru_cache(maxsize=8)
def encoder_gain_db(sample_rate: int, bitrate: str = BITRATE) -> float:
    """How much louder (usually: quieter) audio comes out of our MP3 encoder than it went in.

    libmp3lame as ffmpeg drives it scales its input by about 0.95 (-0.45 dB) on every
    build tried; mastering has to aim that much higher. Measured once per process on a
    second of tone rather than assumed, since another ffmpeg may behave otherwise.
    """
    import tempfile

    t = np.arange(sample_rate * 2) / sample_rate
    tone = (0.25 * 32767 * np.sin(2 * np.pi * 997 * t)).astype(np.int16)
    with tempfile.TemporaryDirectory(prefix="audiopaper-cal-") as tmp:
        mp3 = encode_mp3(tone, sample_rate, Path(tmp) / "tone.mp3", bitrate)
        back = decode_pcm(mp3, sample_rate).astype(np.float64)
    # skip the encoder delay and the fade at either end
    a, b = sample_rate // 4, min(len(back), len(tone)) - sample_rate // 4
    ref = float(np.sqrt(np.mean(tone[a:b].astype(np.float64) ** 2)))
    got = float(np.sqrt(np.mean(back[a:b] ** 2))) if b > a else ref
    return 20 * float(np.log10(got / ref)) if got > 0 else 0.0


def chime(sample_rate: int, peak_dbfs: float = -14.0) -> np.ndarray:
    """A soft two-note bell, synthesized here so no recording of unknown licence ships.

    Partials at bell-like ratios with fast-decaying upper partials; quiet next to the
    -16 LUFS speech around it, so it marks a change of story without startling.
    """
    t = np.arange(round(0.9 * sample_rate)) / sample_rate
    out = np.zeros_like(t)
    for onset, f0 in ((0.0, 880.0), (0.16, 659.26)):  # A5 then E5: a falling fourth
        tt = np.clip(t - onset, 0.0, None)
        on = (t >= onset).astype(float)
        attack = np.minimum(1.0, tt / 0.004)
        for ratio, amp, decay in ((1.0, 1.0, 0.32), (2.0, 0.35, 0.16), (3.0, 0.12, 0.08)):
            if f0 * ratio < sample_rate / 2 - 500:
                out += on * attack * amp * np.exp(-tt / decay) * np.sin(2 * np.pi * f0 * ratio * tt)
    fade = np.minimum(1.0, (t[-1] - t) / 0.05)
    out *= fade
    out *= 10 ** (peak_dbfs / 20) / max(float(np.abs(out).max()), 1e-9)
    return np.round(out * 32767).astype(np.int16)


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    return np.zeros(round(seconds * sample_rate), np.int16)


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
