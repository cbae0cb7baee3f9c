"""Cache entries record their length and are checked on read (issue #16, failure 1): a
short, damaged or unrecorded entry is deleted and synthesized again, never served; and
the signal shield that keeps Ctrl-C out of espeak's callback."""

from __future__ import annotations

import io
import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from audiopaper import interrupts
from audiopaper.cache import AudioCache
from audiopaper.models import Synthesis
from audiopaper.pipeline import BuildOptions, build

from .conftest import DATE, Built

KEY = "ab" + "0" * 62


def synthesis(seconds: float = 1.0, rate: int = 22050) -> Synthesis:
    n = round(seconds * rate)
    pcm = (np.sin(np.arange(n) / 7) * 8000).astype(np.int16)
    return Synthesis(pcm=pcm, sample_rate=rate, spans=((0.0, 0.5), (0.5, n / rate)), engine_s=0.0)


def rewrite(path: Path, **fields: np.ndarray | None) -> None:
    """Change an entry's fields (None: drop one), as a damaged disk or an older version would."""
    with np.load(path) as data:
        doc = {k: data[k] for k in data.files}
    doc.update(fields)
    buf = io.BytesIO()
    np.savez(buf, **{k: v for k, v in doc.items() if v is not None})
    path.write_bytes(buf.getvalue())


def test_an_entry_reads_back_whole(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path)
    cache.put(KEY, synthesis())
    found = cache.get(KEY)
    assert found is not None and np.array_equal(found.pcm, synthesis().pcm)


def test_an_entry_60_ms_short_is_deleted_not_served(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path)
    cache.put(KEY, synthesis())
    path = tmp_path / KEY[:2] / f"{KEY}.npz"
    with np.load(path) as data:
        short = data["pcm"][:-1323]  # one 60 ms block of espeak's callback
    rewrite(path, pcm=short)
    assert cache.get(KEY) is None
    assert not path.exists() and cache.stats.discarded == 1


def test_an_entry_from_before_the_record_is_deleted(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path)
    cache.put(KEY, synthesis())
    path = tmp_path / KEY[:2] / f"{KEY}.npz"
    rewrite(path, samples=None, duration_s=None)  # written by a version that recorded neither
    assert cache.get(KEY) is None and not path.exists()


def test_a_torn_file_is_deleted(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path)
    cache.put(KEY, synthesis())
    path = tmp_path / KEY[:2] / f"{KEY}.npz"
    path.write_bytes(path.read_bytes()[:-100])
    assert cache.get(KEY) is None and not path.exists()


def test_audio_shorter_than_its_own_sentences_is_never_stored(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path)
    whole = synthesis()
    cut = Synthesis(pcm=whole.pcm[:-2000], sample_rate=whole.sample_rate, spans=whole.spans, engine_s=0.0)
    cache.put(KEY, cut)
    assert cache.get(KEY) is None and not (tmp_path / KEY[:2] / f"{KEY}.npz").exists()


def test_a_build_synthesizes_again_what_the_cache_held_short(built_edition: Built, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    shutil.copytree(built_edition.out / ".cache", cache)
    entries = sorted(cache.rglob("*.npz"))
    with np.load(entries[0]) as data:
        short = data["pcm"][:-1323]
    rewrite(entries[0], pcm=short)
    result = build([built_edition.issue], BuildOptions(out=out, engine="espeak", date=DATE, cache_dir=cache))
    assert result.stats.cache_misses == 1 and result.stats.cache_hits == len(entries) - 1
    with np.load(entries[0]) as data:  # written again, whole
        assert int(data["samples"]) == len(data["pcm"]) > len(short)


def test_a_signal_inside_a_shield_is_raised_when_the_shield_ends() -> None:
    # a test run started in the background inherits SIGINT ignored; a terminal's does not
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        reached = False
        with pytest.raises(KeyboardInterrupt), interrupts.shielded():
            assert not interrupts.pending()
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # unshielded, the handler would raise here, between bytecodes
            assert interrupts.pending()
            reached = True
        assert reached and not interrupts.pending()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)
