"""Content-addressed store of synthesized audio, outside the edition folder.

A key covers everything that changes the audio: engine and model version, voice,
speed, pitch and the exact text sent. Entries are written to a temporary name and
renamed, so concurrent writers and a crash mid-write never leave a bad entry.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .models import Synthesis

FORMAT_VERSION = 1


def cache_key(*parts: object) -> str:
    payload = json.dumps([FORMAT_VERSION, *parts], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hit(self) -> None:
        with self._lock:
            self.hits += 1

    def miss(self) -> None:
        with self._lock:
            self.misses += 1


class AudioCache:
    """``root/<k[:2]>/<k>.npz`` holding int16 PCM, sample rate and sentence spans."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.stats = CacheStats()

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.npz"

    def get(self, key: str) -> Synthesis | None:
        if self.root is None:
            return None
        path = self._path(key)
        try:
            with np.load(path, allow_pickle=False) as data:
                pcm = data["pcm"].astype(np.int16, copy=False)
                rate = int(data["rate"])
                spans = tuple((float(a), float(b)) for a, b in data["spans"])
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            # A damaged entry is a miss; it gets rewritten.
            return None
        return Synthesis(pcm=pcm, sample_rate=rate, spans=spans, engine_s=0.0)

    def put(self, key: str, synthesis: Synthesis) -> None:
        if self.root is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.savez(
            buf,
            pcm=synthesis.pcm.astype(np.int16, copy=False),
            rate=np.array(synthesis.sample_rate),
            spans=np.array(synthesis.spans, dtype=np.float64).reshape(-1, 2),
        )
        # The writer's pid in the name lets a later run tell a killed writer's leftover
        # from a file another live build is still writing (see clean_stale).
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{os.getpid()}-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(buf.getvalue())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def clean_stale(self) -> int:
        """Remove temporary files left by writers that no longer run (a ``kill -9``)."""
        if self.root is None or not self.root.is_dir():
            return 0
        removed = 0
        for tmp in self.root.glob("*/.tmp-*"):
            pid = tmp.name.split("-")[1]
            if pid.isdigit() and _alive(int(pid)):
                continue
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True
