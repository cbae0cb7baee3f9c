"""Loudness mastering on PCM, before the one encode each piece of audio gets.

Podcast rules (Apple, Spotify, EBU R128 for streaming) ask for -16 LUFS integrated and a
true peak at or below -1 dBTP. TTS output is level-steady, so an article needs no
dynamic processing beyond one static gain and a peak limiter: we measure it (ITU-R
BS.1770-4 gated loudness, computed here in numpy), apply the gain, and pull down the few
peaks that would pass the ceiling with a look-ahead gain curve computed on a
4–8x oversampled envelope (true peak, not sample peak). The ceiling on the PCM sits
below -1 dBTP because MP3 encoding adds a little overshoot; the encoded files are what
gets measured (``measure_file``, ffmpeg's ``ebur128``).

Everything works on bounded chunks, so memory does not grow with the length of a clip.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..models import Loudness, LoudnessReport

# The targets every published file is held to (and ``audiopaper check`` checks): here
# and nowhere else.
TARGET_LUFS = -16.0
LUFS_TOLERANCE = 1.0
FILE_MAX_TRUE_PEAK_DBTP = -1.0
# Ceiling for the mastered PCM. MP3 at 64 kbit/s overshoots by up to about 0.5 dB on
# speech (measured on kokoro and espeak output), so this leaves room under -1 dBTP.
CEILING_DBTP = -2.0
_CHUNK = 1 << 18
_ATTACK_S = 0.010  # gain ramps over 2x this: smooth enough not to distort speech peaks


@dataclass(frozen=True)
class Mastered:
    pcm: np.ndarray  # int16 mono, same length as the input
    lufs_in: float
    lufs: float
    true_peak_db: float
    gain_db: float


def db(x: float) -> float:
    return 20 * math.log10(x) if x > 0 else -math.inf


# --- BS.1770 K-weighting and gated loudness ------------------------------------------


def _biquads(sr: int) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    """The two K-weighting stages (high shelf, then high-pass), derived for any rate.

    BS.1770 lists coefficients for 48 kHz only; these are the analogue prototypes behind
    them, mapped with the bilinear transform, which reproduces the 48 kHz table.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sr)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
        (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0),
    )
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sr)
    a0 = 1 + k / q + k * k
    highpass = ((1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0))
    return [shelf, highpass]


@lru_cache(maxsize=8)
def _k_weights(sr: int) -> np.ndarray:
    """Power gain of the K-weighting cascade at each bin of a 100 ms real FFT.

    Weights are doubled for the bins that stand for two (Parseval for ``rfft``), so a
    dot product with |X|^2 divided by the block length is the block's weighted energy.
    """
    step = sr // 10
    z = np.exp(-2j * np.pi * np.fft.rfftfreq(step, 1 / sr) / sr)
    response = np.ones_like(z)
    for (b0, b1, b2), (_, a1, a2) in _biquads(sr):
        response *= (b0 + b1 * z + b2 * z * z) / (1 + a1 * z + a2 * z * z)
    w = np.abs(response) ** 2
    w[1:] *= 2
    if step % 2 == 0:
        w[-1] /= 2
    return w.astype(np.float32)


def _subblock_energy(pcm: np.ndarray, sr: int) -> np.ndarray:
    """Mean square of the K-weighted signal per 100 ms (the gating step).

    The filter is applied in the frequency domain of each 100 ms block rather than as a
    running IIR (numpy has none): the filters' memory is a few milliseconds, so what
    crosses block edges is negligible, and the result matches ffmpeg's ebur128 to 0.01 LU
    at a fraction of the cost of time-domain filtering.
    """
    step = sr // 10
    blocks = len(pcm) // step
    weights = _k_weights(sr)
    out = np.empty(blocks, np.float64)
    group = 256
    for a in range(0, blocks, group):
        b = min(blocks, a + group)
        x = pcm[a * step : b * step].reshape(b - a, step).astype(np.float32) / 32768.0
        spec = np.fft.rfft(x, axis=1)
        out[a:b] = ((spec.real**2 + spec.imag**2) @ weights) / (step * step)
    return out


def _gated(sub: np.ndarray) -> float:
    """Integrated loudness from 100 ms sub-block mean squares (BS.1770-4 gating)."""
    if len(sub) < 4:
        return -math.inf
    # 400 ms blocks overlapping by 75 %: four consecutive 100 ms sub-blocks
    z = (sub[:-3] + sub[1:-2] + sub[2:-1] + sub[3:]) / 4
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(z)
    z = z[loud > -70.0]
    if not len(z):
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(z.mean())) - 10.0
    with np.errstate(divide="ignore"):
        z = z[-0.691 + 10 * np.log10(z) > relative]
    return -0.691 + 10 * math.log10(float(z.mean()))


def integrated_lufs(pcm: np.ndarray, sr: int) -> float:
    """BS.1770-4 integrated loudness of mono int16 PCM (-inf when it is all silence)."""
    return _gated(_subblock_energy(pcm, sr))


# --- true peak ----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _interpolator(sr: int) -> tuple[int, np.ndarray]:
    """Windowed-sinc taps for the in-between phases of an oversampled signal.

    Oversample to at least 176.4 kHz like ffmpeg's ebur128 (which resamples to 192 kHz),
    so our estimate and the acceptance measurement see the same peaks. Row r of the
    result weights sample n - half + 1 + r; column k gives the value at n + (k+1)/factor.
    """
    factor = max(4, math.ceil(176400 / sr))
    half = 16
    j = np.arange(-half + 1, half + 1)
    window = np.kaiser(2 * half, 8.0)
    phases = [np.sinc(k / factor - j) * window for k in range(1, factor)]
    return half, np.stack(phases, axis=1).astype(np.float32)


def _peak_envelope(x: np.ndarray, sr: int, floor: float) -> np.ndarray:
    """|x|, raised to the band-limited signal's peak in [n, n + 1) wherever that can matter.

    Interpolating everywhere costs more than the rest of mastering together, and an
    inter-sample peak is never far above its neighbouring samples in speech, so only
    intervals whose samples reach ``floor`` (callers use 6 dB under what they care
    about) are oversampled.
    """
    half, taps = _interpolator(sr)
    env = np.abs(x).astype(np.float32)
    pair = env.copy()
    np.maximum(pair[:-1], env[1:], out=pair[:-1])
    cand = np.flatnonzero(pair > floor)
    if cand.size:
        padded = np.concatenate([np.zeros(half - 1, np.float32), x.astype(np.float32), np.zeros(half + 1, np.float32)])
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half)
        for a in range(0, cand.size, 1 << 15):
            idx = cand[a : a + (1 << 15)]
            inter = np.abs(windows[idx] @ taps).max(axis=1)
            env[idx] = np.maximum(env[idx], inter)
    return env


def true_peak(pcm: np.ndarray, sr: int) -> float:
    """Linear true peak of int16 PCM (1.0 = full scale)."""
    meter = Meter(sr, loudness=False)
    for a in range(0, len(pcm), _CHUNK):
        meter.feed(pcm[a : a + _CHUNK])
    return meter.true_peak()


class Meter:
    """Integrated loudness and true peak of int16 PCM that arrives in pieces.

    Lets a decoded file be measured as ffmpeg streams it, without ever holding it whole.
    """

    def __init__(self, sr: int, loudness: bool = True) -> None:
        self.sr = sr
        self._step = sr // 10
        self._loudness = loudness
        self._rest = np.zeros(0, np.int16)
        self._sub: list[np.ndarray] = []
        half, _ = _interpolator(sr)
        self._half = half
        # the last samples seen: interpolation near a piece's end needs the next piece
        self._tail = np.zeros(2 * half, np.float32)
        self._peak = 0.0

    def feed(self, pcm: np.ndarray) -> Meter:
        if not len(pcm):
            return self
        if self._loudness:
            data = np.concatenate([self._rest, pcm]) if len(self._rest) else pcm
            whole = len(data) // self._step * self._step
            self._sub.append(_subblock_energy(data[:whole], self.sr))
            self._rest = data[whole:].copy()
        self._scan(np.concatenate([self._tail, pcm.astype(np.float32) / 32768.0]))
        return self

    def _scan(self, x: np.ndarray) -> None:
        sample_peak = float(np.abs(x).max())
        # only intervals within 6 dB of the loudest sample so far can hold the true peak
        env = _peak_envelope(x, self.sr, max(self._peak, sample_peak) / 2)
        valid = env[self._half : len(x) - self._half]
        if len(valid):
            self._peak = max(self._peak, float(valid.max()))
        self._tail = x[-2 * self._half :].copy()

    def true_peak(self) -> float:
        """Linear true peak of everything fed so far."""
        x = np.concatenate([self._tail, np.zeros(2 * self._half, np.float32)])
        env = _peak_envelope(x, self.sr, self._peak / 2)
        return max(self._peak, float(env[self._half : len(x) - self._half].max()))

    def integrated_lufs(self) -> float:
        return _gated(np.concatenate(self._sub)) if self._sub else -math.inf


def _chunks(pcm: np.ndarray, context: int):  # type: ignore[no-untyped-def]
    for a in range(0, len(pcm), _CHUNK):
        lo = max(0, a - context)
        yield a, pcm[lo : min(len(pcm), a + _CHUNK + context)]


# --- limiter ------------------------------------------------------------------------


def _running_min(x: np.ndarray, width: int) -> np.ndarray:
    """Minimum over the centred window of ``width`` (odd) samples, in O(n) (van Herk)."""
    half = width // 2
    n = len(x)
    padded = np.concatenate([np.ones(half, x.dtype), x, np.ones(half + width, x.dtype)])
    blocks = len(padded) // width
    p = padded[: blocks * width].reshape(blocks, width)
    forward = np.minimum.accumulate(p, axis=1).ravel()
    backward = np.minimum.accumulate(p[:, ::-1], axis=1)[:, ::-1].ravel()
    idx = np.arange(n)
    return np.minimum(backward[idx], forward[idx + width - 1])


def _running_mean(x: np.ndarray, width: int) -> np.ndarray:
    """Mean over the centred window; the ends repeat the edge value, so a reduction
    that starts at sample 0 is not diluted by imagined unity gain before the clip."""
    half = width // 2
    padded = np.pad(x.astype(np.float64), half, mode="edge")
    c = np.concatenate([[0.0], np.cumsum(padded)])
    return ((c[width:] - c[:-width]) / width).astype(np.float32)


def _apply(pcm: np.ndarray, sr: int, gain: float, ceiling: float) -> np.ndarray:
    """``pcm * gain`` with every true peak held under ``ceiling`` (linear)."""
    width = 2 * round(_ATTACK_S * sr) + 1
    context = 2 * width
    out = np.empty(len(pcm), np.int16)
    for a, chunk in _chunks(pcm, context):
        lo = max(0, a - context)
        x = chunk.astype(np.float32) * np.float32(gain / 32768.0)
        need = np.minimum(1.0, ceiling / np.maximum(_peak_envelope(x, sr, ceiling / 2), 1e-9)).astype(np.float32)
        # A window minimum followed by a same-width mean never rises above the gain any
        # sample needs, and ramps smoothly into and out of each reduction.
        curve = _running_mean(_running_min(need, width), width)
        y = x * curve
        start = a - lo
        n = min(_CHUNK, len(pcm) - a)
        out[a : a + n] = np.clip(np.rint(y[start : start + n] * 32768.0), -32768, 32767).astype(np.int16)
    return out


def master(
    pcm: np.ndarray,
    sr: int,
    target_lufs: float = TARGET_LUFS,
    ceiling_dbtp: float = CEILING_DBTP,
    start_gain_db: float | None = None,
) -> Mastered:
    """Bring mono int16 PCM to ``target_lufs`` with true peaks under ``ceiling_dbtp``.

    ``start_gain_db`` skips the first measurement when a previous pass over the same PCM
    already found the gain (re-mastering with a lower ceiling).
    """
    lufs_in = integrated_lufs(pcm, sr)
    if not math.isfinite(lufs_in):
        return Mastered(pcm, lufs_in, lufs_in, db(true_peak(pcm, sr)), 0.0)
    ceiling = 10 ** (ceiling_dbtp / 20)
    gain_db = target_lufs - lufs_in if start_gain_db is None else start_gain_db
    out = pcm
    lufs = lufs_in
    # The limiter takes a little loudness off the peaks; another pass with that much
    # more gain puts the result back on target (speech needs one pass, rarely two).
    for _ in range(3):
        del out  # the previous attempt, before the next one is allocated
        out = _apply(pcm, sr, 10 ** (gain_db / 20), ceiling)
        lufs = integrated_lufs(out, sr)
        miss = target_lufs - lufs
        if abs(miss) <= 0.25:
            break
        gain_db += miss
    return Mastered(out, lufs_in, lufs, db(true_peak(out, sr)), gain_db)


# --- measuring files with ffmpeg ----------------------------------------------------

_SUMMARY_I = re.compile(r"Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-?inf|nan)\s*LUFS")
_SUMMARY_TP = re.compile(r"True peak:\s*\n\s*Peak:\s*(-?[\d.]+|-?inf|nan)\s*dBFS")


def parse_ebur128(log: str) -> Loudness:
    """The summary that ``ebur128=peak=true`` prints at the end of ffmpeg's log."""
    summary = log[log.rfind("Summary:") :]
    i = _SUMMARY_I.search(summary)
    tp = _SUMMARY_TP.search(summary)
    if not i or not tp:
        raise AudioError("could not read ffmpeg's ebur128 summary")
    return Loudness(float(i.group(1)), float(tp.group(1)))


def within_targets(measured: Loudness) -> bool:
    return (
        abs(measured.integrated_lufs - TARGET_LUFS) <= LUFS_TOLERANCE
        and measured.true_peak_dbtp <= FILE_MAX_TRUE_PEAK_DBTP
    )


def report(measured: Loudness) -> LoudnessReport:
    """The targets, and how the finished edition measures against them."""
    return LoudnessReport(TARGET_LUFS, FILE_MAX_TRUE_PEAK_DBTP, measured, within_targets(measured))


def measure_file(path: Path) -> Loudness:
    """Integrated loudness and true peak of an audio file, as ffmpeg's ebur128 sees them."""
    from .ffmpeg import run_ffmpeg

    result = run_ffmpeg(
        ["-v", "info", "-i", str(path), "-map", "0:a:0", "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    )
    return parse_ebur128(result.stderr.decode("utf-8", "replace"))
