"""The cache under concurrency and after a killed writer; what its key covers."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from audiopaper import engines
from audiopaper.cache import AudioCache
from audiopaper.engines.base import Synthesis
from audiopaper.models import Sentence, Voice
from audiopaper.synth import chunk_key


def synthesis(n: int) -> Synthesis:
    pcm = np.full(24000 + n, n % 1000, np.int16)
    return Synthesis(pcm=pcm, sample_rate=24000, spans=((0.0, 1.0),), engine_s=0.0)


def test_concurrent_writers_and_readers_never_see_a_torn_entry(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "c")
    key = "ab" + "0" * 62
    bad: list[str] = []

    def write(n: int) -> None:
        for _ in range(10):
            cache.put(key, synthesis(n))

    def read() -> None:
        for _ in range(40):
            found = cache.get(key)
            if found is not None and not (len(found.pcm) - 24000 == found.pcm[0] and len(found.spans) == 1):
                bad.append("torn")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)] + [
        threading.Thread(target=read) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []
    assert cache.get(key) is not None
    assert [p.name for p in (tmp_path / "c" / "ab").iterdir()] == [f"{key}.npz"]


def test_a_killed_writers_leftovers_are_swept_but_a_live_ones_are_not(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "c")
    cache.put("cd" + "1" * 62, synthesis(1))
    folder = tmp_path / "c" / "cd"
    dead = folder / ".tmp-999999999-x.npz"
    live = folder / f".tmp-{os.getpid()}-y.npz"
    dead.write_bytes(b"half")
    live.write_bytes(b"half")
    assert cache.clean_stale() == 1
    assert not dead.exists() and live.exists()


def test_the_key_covers_engine_version_voice_prosody_and_text() -> None:
    edge, espeak = engines.create("edge"), engines.create("espeak")
    chunk = [Sentence("body", "今天天气很好。", "x")]
    voice = Voice("news-female", "edge", "zh-CN-XiaoxiaoNeural")
    base = chunk_key(edge, voice, chunk)
    variants = [
        chunk_key(espeak, voice, chunk),
        chunk_key(edge, Voice("news-female", "edge", "zh-CN-YunyangNeural"), chunk),
        chunk_key(edge, Voice("news-female", "edge", "zh-CN-XiaoxiaoNeural", rate="-5%"), chunk),
        chunk_key(edge, Voice("news-female", "edge", "zh-CN-XiaoxiaoNeural", pitch="+2Hz"), chunk),
        chunk_key(edge, voice, [Sentence("body", "今天天气不好。", "x")]),
    ]
    assert len({base, *variants}) == 6
    assert edge.version().startswith("edge-tts/7.3.1")


def test_resample_keeps_duration_and_pitch() -> None:
    from audiopaper.synth import resample

    t = np.arange(22050) / 22050
    tone = (np.sin(2 * np.pi * 440 * t) * 10000).astype(np.int16)
    out = resample(tone, 22050, 24000)
    assert len(out) == 24000
    spectrum = np.abs(np.fft.rfft(out.astype(np.float64)))
    assert abs(int(np.argmax(spectrum)) - 440) <= 1  # 1 s of audio: bin = Hz
