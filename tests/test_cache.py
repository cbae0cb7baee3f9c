from __future__ import annotations

from pathlib import Path

import numpy as np

from audiopaper.cache import AudioCache, cache_key
from audiopaper.engines.base import Synthesis


def test_roundtrip_and_damaged_entry(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path)
    key = cache_key("engine", "voice", 1.0, ["你好"])
    assert cache.get(key) is None
    syn = Synthesis(pcm=np.arange(100, dtype=np.int16), sample_rate=24000, spans=((0.0, 0.004),), engine_s=1.0)
    cache.put(key, syn)
    got = cache.get(key)
    assert got is not None and np.array_equal(got.pcm, syn.pcm) and got.spans == syn.spans
    path = next(tmp_path.rglob("*.npz"))
    path.write_bytes(path.read_bytes()[:50])
    assert cache.get(key) is None
    assert not list(tmp_path.rglob(".tmp-*"))


def test_key_changes_with_every_part() -> None:
    base = ("kokoro/v1", "zf_xiaoxiao", 1.0, "你好")
    keys = {cache_key(*base)}
    for i in range(len(base)):
        changed = list(base)
        changed[i] = str(changed[i]) + "x"
        keys.add(cache_key(*changed))
    assert len(keys) == len(base) + 1
