"""Content-addressed store of synthesized audio, outside the edition folder.

A key covers everything that changes the audio: engine and model version, voice,
speed, pitch and the exact text sent. Entries are written to a temporary name and
renamed, so concurrent writers and a crash mid-write never leave a bad entry.

Each entry records its length in samples and its duration, and a read checks them
against the audio and the sentence spans: an entry that disagrees (or predates the
record, when an interrupted espeak call could store a clip 60 ms short, issue #16) is
deleted and its text synthesized again, never served.

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
import secrets
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import UsageError
from .fsutil import create_new, output_error, pid_alive, remove_empty_dirs
from .models import Synthesis

FORMAT_VERSION = 1


def cache_key(*parts: object) -> str:
    payload = json.dumps([FORMAT_VERSION, *parts], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    discarded: int = 0  # entries found damaged or short, deleted
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hit(self) -> None:
        with self._lock:
            self.hits += 1

    def miss(self) -> None:
        with self._lock:
            self.misses += 1

    def discard(self) -> None:
        with self._lock:
            self.discarded += 1


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
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:
            self._discard(path)
            return None
        found = decode(data)
        if found is None:
            self._discard(path)
        return found

    def _discard(self, path: Path) -> None:
        """A damaged or short entry is deleted (a miss, then rewritten), so no build reads it again."""
        self.stats.discard()
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only cache: it stays a miss

    def put(self, key: str, synthesis: Synthesis) -> None:
        if self.root is None:
            return
        if not whole(synthesis):
            return  # audio shorter than its own sentences is never stored
        path = self._path(key)
        data = encode(synthesis)
        # The writer's pid in the name lets a later run tell a killed writer's leftover
        # from a file another live build is still writing (see clean_stale); the name is
        # fixed before the file exists, so whatever interrupts the write removes it.
        tmp = path.parent / f".tmp-{os.getpid()}-{secrets.token_hex(4)}.npz"
        try:
            with os.fdopen(self._create(tmp), "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            remove_empty_dirs(path.parent)
            if isinstance(exc, OSError):
                raise output_error(path, exc) from None  # a full disk: one line, not a traceback
            raise

    @staticmethod
    def _create(tmp: Path) -> int:
        for attempt in range(2):
            try:
                tmp.parent.mkdir(parents=True, exist_ok=True)
                return create_new(tmp)
            except FileNotFoundError:
                # another build removed the empty folder in between: make it again
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def clean_stale(self) -> int:
        """Remove temporary files left by writers that no longer run (a ``kill -9``)."""
        if self.root is None or not self.root.is_dir():
            return 0
        removed = 0
        for tmp in self.root.glob("*/.tmp-*"):
            pid = tmp.name.split("-")[1]
            if pid.isdigit() and pid_alive(int(pid)):
                continue
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed


def encode(synthesis: Synthesis) -> bytes:
    """An entry: the PCM, sample rate and spans, and the record a read checks them by."""
    samples, duration_s = _record(synthesis)
    buf = io.BytesIO()
    np.savez(
        buf,
        pcm=synthesis.pcm.astype(np.int16, copy=False),
        rate=np.array(synthesis.sample_rate),
        spans=np.array(synthesis.spans, dtype=np.float64).reshape(-1, 2),
        samples=np.array(samples),
        duration_s=np.array(duration_s),
    )
    return buf.getvalue()


def decode(data: bytes) -> Synthesis | None:
    """An entry's audio; None for a damaged, short or unrecorded entry (a miss: the
    caller deletes it and it is synthesized again)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            pcm = npz["pcm"].astype(np.int16, copy=False)
            rate = int(npz["rate"])
            spans = tuple((float(a), float(b)) for a, b in npz["spans"])
            recorded = (int(npz["samples"]), float(npz["duration_s"]))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    found = Synthesis(pcm=pcm, sample_rate=rate, spans=spans, engine_s=0.0)
    if recorded != _record(found) or not whole(found):
        return None
    return found


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
        entry = self._entry(key)
        try:
            data = self.fs.cat_file(entry)
        except FileNotFoundError:
            return None
        except OSError:
            return None
        found = decode(data)
        if found is None:
            # damaged or short: deleted, so no worker reads it again
            self.stats.discard()
            with contextlib.suppress(OSError, FileNotFoundError):
                self.fs.rm_file(entry)
        return found

    def put(self, key: str, synthesis: Synthesis) -> None:
        if not whole(synthesis):
            return  # audio shorter than its own sentences is never stored
        path, data = self._entry(key), encode(synthesis)
        if not self.local:
            self.fs.pipe_file(path, data)
            return
        folder = path.rsplit("/", 1)[0]
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.tmp-{os.getpid()}-{secrets.token_hex(8)}.npz"
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


def _record(synthesis: Synthesis) -> tuple[int, float]:
    """What an entry records about its audio: samples, and seconds (to the microsecond)."""
    n = len(synthesis.pcm)
    return n, round(n / synthesis.sample_rate, 6) if synthesis.sample_rate > 0 else -1.0


#: spans are computed in float seconds; a sample's worth of rounding is not a short clip
_SLACK_S = 0.002


def whole(synthesis: Synthesis) -> bool:
    """Audio that holds every sentence it claims: a sample rate, at least one sentence,
    spans in order, the last one ending inside the audio."""
    if synthesis.sample_rate <= 0 or not synthesis.spans or synthesis.pcm.ndim != 1:
        return False
    duration = len(synthesis.pcm) / synthesis.sample_rate
    last = 0.0
    for start, end in synthesis.spans:
        if not (last - _SLACK_S <= start <= end + _SLACK_S):
            return False
        last = end
    return last <= duration + _SLACK_S
