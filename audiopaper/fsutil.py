"""Atomic file writes: a temporary name in the same folder, then a rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part" + path.suffix)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: Path, data: bytes) -> None:
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise output_error(path, exc) from None


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def output_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"{path}: the disk is full", "free some space and rerun; finished work is kept")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"{path}: cannot write here ({exc.strerror})", "choose another folder with -o")
    return OutputError(f"{path}: cannot write ({exc.strerror})")


def ensure_writable_dir(folder: Path) -> None:
    """Create ``folder`` if needed and prove a file can be written in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise output_error(folder, exc) from None


def clean_partials(folder: Path, recursive: bool = True, older_than_s: float = 0.0) -> int:
    """Remove temporary files a killed run left behind; returns how many. ``older_than_s``
    spares what a live build may be writing right now (a feed is written in well under a
    minute)."""
    removed = 0
    if not folder.is_dir():
        return 0
    now = time.time()
    for p in folder.rglob(".*.part*") if recursive else folder.glob(".*.part*"):
        try:
            if p.is_file() and now - p.stat().st_mtime >= older_than_s:
                p.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed
