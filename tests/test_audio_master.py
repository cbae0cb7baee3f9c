from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

from audiopaper.audio import ffmpeg, master
from audiopaper.errors import AudioError

from .audiocheck import speechlike


def ffmpeg_pcm_loudness(pcm: np.ndarray, sr: int) -> master.Loudness:
    r = subprocess.run(
        [ffmpeg.ffmpeg_exe(), "-hide_banner", "-f", "s16le", "-ar", str(sr), "-ac", "1", "-i", "pipe:0",
         "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        input=pcm.tobytes(), capture_output=True, check=True,
    )  # fmt: skip
    return master.parse_ebur128(r.stderr.decode())


def test_k_weighting_reproduces_the_bs1770_table_at_48k() -> None:
    (shelf_b, shelf_a), (hp_b, hp_a) = master._biquads(48000)
    assert shelf_b == pytest.approx((1.53512485958697, -2.69169618940638, 1.19839281085285), abs=1e-9)
    assert shelf_a[1:] == pytest.approx((-1.69065929318241, 0.73248077421585), abs=1e-9)
    assert hp_a[1:] == pytest.approx((-1.99004745483398, 0.99007225036621), abs=1e-9)


def test_full_scale_1k_sine_reads_minus_3_lufs() -> None:
    sr = 48000
    t = np.arange(sr * 5) / sr
    pcm = np.round(np.sin(2 * np.pi * 997 * t) * 32767).astype(np.int16)
    assert master.integrated_lufs(pcm, sr) == pytest.approx(-3.01, abs=0.05)


@pytest.mark.parametrize("sr", [22050, 24000, 44100])
@pytest.mark.parametrize("level", [0.08, 0.9])
def test_meter_agrees_with_ffmpeg(sr: int, level: float) -> None:
    pcm = speechlike(8.0, sr, level, seed=sr)
    ours_i = master.integrated_lufs(pcm, sr)
    ours_tp = master.db(master.true_peak(pcm, sr))
    ff = ffmpeg_pcm_loudness(pcm, sr)
    assert ours_i == pytest.approx(ff.integrated_lufs, abs=0.1)
    assert ours_tp == pytest.approx(ff.true_peak_dbtp, abs=0.3)


def test_silence_is_left_alone() -> None:
    pcm = np.zeros(24000 * 3, np.int16)
    done = master.master(pcm, 24000)
    assert math.isinf(done.lufs_in) and not done.pcm.any()


@pytest.mark.parametrize(("level", "seed"), [(0.03, 1), (0.3, 2), (0.99, 3)])
def test_mastered_pcm_is_on_target(level: float, seed: int) -> None:
    sr = 24000
    pcm = speechlike(12.0, sr, level, seed)
    done = master.master(pcm, sr)
    assert len(done.pcm) == len(pcm)
    assert abs(done.lufs - master.TARGET_LUFS) <= 0.25
    assert done.true_peak_db <= master.CEILING_DBTP + 0.05
    ff = ffmpeg_pcm_loudness(done.pcm, sr)
    assert abs(ff.integrated_lufs - -16.0) <= 0.3 and ff.true_peak_dbtp <= master.CEILING_DBTP + 0.3


def test_limiter_only_touches_peaks() -> None:
    sr = 24000
    pcm = speechlike(6.0, sr, 0.5, seed=9)
    out = master._apply(pcm, sr, 1.0, 10 ** (-12 / 20))
    x, y = pcm.astype(np.float64), out.astype(np.float64)
    quiet = np.abs(x) < 0.05 * 32768
    # far from any peak the signal passes unchanged
    assert np.mean(np.abs(y[quiet] - x[quiet]) <= 2) > 0.5
    assert master.true_peak(out, sr) <= 10 ** (-12 / 20) * 1.01


def test_encoder_gain_is_measured_not_assumed() -> None:
    g = ffmpeg.encoder_gain_db(24000)
    assert -1.5 < g < 0.5


def test_chime_is_quiet_short_and_clean() -> None:
    c = ffmpeg.chime(24000)
    assert 0.5 < len(c) / 24000 < 1.5
    assert np.abs(c.astype(np.int32)).max() == pytest.approx(32767 * 10 ** (-14 / 20), rel=0.01)
    assert abs(int(c[-1])) < 50  # faded out, no click


def test_unreadable_summary_is_one_audio_error() -> None:
    with pytest.raises(AudioError):
        master.parse_ebur128("no summary here")


def test_streaming_meter_matches_whole_array() -> None:
    sr = 24000
    pcm = speechlike(9.0, sr, 0.7, seed=5)
    meter = master.Meter(sr)
    for a in range(0, len(pcm), 7777):  # pieces that split sub-blocks and peaks anywhere
        meter.feed(pcm[a : a + 7777])
    assert meter.integrated_lufs() == pytest.approx(master.integrated_lufs(pcm, sr), abs=1e-6)
    assert meter.true_peak() == pytest.approx(master.true_peak(pcm, sr), rel=1e-5)


def test_decoding_a_broken_file_is_one_audio_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio at all" * 100)
    with pytest.raises(AudioError, match="ffmpeg failed"):
        list(ffmpeg.decode_chunks(bad, 24000))
