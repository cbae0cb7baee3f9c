"""Content-addressed store of synthesized audio, outside the edition folder.

A key covers everything that changes the audio: engine and model version, voice,
speed, pitch and the exact text sent. Entries are written to a temporary name and
renamed, so concurrent writers and a crash mid-write never leave a bad entry.

The store is a folder (``AudioCache``), or for the workers of a cluster, which must all
reach one cache, any fsspec URL (``UrlCache``: ``s3://bucket/cache``, ``file:///shared``);
``open_cache`` takes either.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import UsageError
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

    @property
    def location(self) -> str | None:
        """Where the entries are, as ``open_cache`` takes it (for workers elsewhere)."""
        return None if self.root is None else str(self.root)

    def get(self, key: str) -> Synthesis | None:
        if self.root is None:
            return None
        path = self._path(key)
        try:
            return decode(path.read_bytes())
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:
            return None  # unreadable: a miss, rewritten

    def put(self, key: str, synthesis: Synthesis) -> None:
        if self.root is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = encode(synthesis)
        # The writer's pid in the name lets a later run tell a killed writer's leftover
        # from a file another live build is still writing (see clean_stale).
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{os.getpid()}-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
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


def encode(synthesis: Synthesis) -> bytes:
    buf = io.BytesIO()
    np.savez(
        buf,
        pcm=synthesis.pcm.astype(np.int16, copy=False),
        rate=np.array(synthesis.sample_rate),
        spans=np.array(synthesis.spans, dtype=np.float64).reshape(-1, 2),
    )
    return buf.getvalue()


def decode(data: bytes) -> Synthesis | None:
    """An entry's audio; None for a damaged entry (a miss: it gets rewritten)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            pcm = npz["pcm"].astype(np.int16, copy=False)
            rate = int(npz["rate"])
            spans = tuple((float(a), float(b)) for a, b in npz["spans"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    return Synthesis(pcm=pcm, sample_rate=rate, spans=spans, engine_s=0.0)


class UrlCache(AudioCache):
    """The same entries at an fsspec URL, which every worker of a cluster can reach.

    An object store writes an object whole or not at all, so entries are put directly;
    on a file system (``file://``, a shared mount) they go through a temporary name as
    in ``AudioCache``.
    """

    def __init__(self, url: str) -> None:
        super().__init__(None)
        try:
            import fsspec
        except ImportError:
            raise UsageError(
                f"--cache-url {url}: reading a cache URL needs fsspec", "pip install 'audiopaper[cluster]'"
            ) from None
        try:
            self.fs, self.base = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            # fsspec names the package a protocol needs (s3fs for s3://, gcsfs for gs://)
            raise UsageError(f"--cache-url {url}: {exc}") from None
        self.url = url
        self.local = "file" in (self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,))

    @property
    def location(self) -> str:
        return self.url

    def _entry(self, key: str) -> str:
        return f"{self.base.rstrip('/')}/{key[:2]}/{key}.npz"

    def get(self, key: str) -> Synthesis | None:
        try:
            return decode(self.fs.cat_file(self._entry(key)))
        except FileNotFoundError:
            return None
        except OSError:
            return None

    def put(self, key: str, synthesis: Synthesis) -> None:
        path, data = self._entry(key), encode(synthesis)
        if not self.local:
            self.fs.pipe_file(path, data)
            return
        folder = path.rsplit("/", 1)[0]
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.tmp-{os.getpid()}-{uuid.uuid4().hex}.npz"
        try:
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                self.fs.rm_file(tmp)
            raise

    def clean_stale(self) -> int:
        if not self.local:
            return 0
        return AudioCache(Path(self.base)).clean_stale()


def open_cache(location: str | Path | None) -> AudioCache:
    """The cache at a folder or an fsspec URL (None: no cache)."""
    if location is None:
        return AudioCache(None)
    text = str(location)
    return UrlCache(text) if "://" in text else AudioCache(Path(text))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True
