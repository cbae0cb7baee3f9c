"""Atomic file writes: a temporary name in the same folder, then a rename."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import OutputError


def temp_beside(path: Path, suffix: str = "") -> Path:
    """A fresh name for a temporary file beside ``path``: ``.<name>.<pid>.<random>.part<suffix>``.

    The name is chosen before the file exists, so a caller can hold it in a ``try`` that
    removes the file whatever interrupts the creation (a Ctrl-C between ``mkstemp``
    returning and the ``try`` used to leave the file behind). The writer's pid lets a
    later run remove a killed writer's leftover and never a live build's (clean_partials).
    """
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part{suffix}")


def create_new(path: Path) -> int:
    """Create ``path``, which must not exist (mode 0666 less the umask); its descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = temp_beside(path, path.suffix)
    try:
        os.close(create_new(tmp_path))
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


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


#: how a stage writes a text file: at once (``write_text``) or staged (``Staged.write_text``)
Writer = Callable[[Path, str], None]


def output_error(path: Path, exc: OSError, elsewhere: str = "choose another folder with -o") -> OutputError:
    """One line for a failed write; ``elsewhere`` says how to write somewhere else."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(f"{path}: the disk is full", "free some space and rerun; finished work is kept")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"{path}: cannot write here ({exc.strerror})", elsewhere)
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return OutputError(f"{path}: a file is in the way of a folder", elsewhere)
    return OutputError(f"{path}: cannot write ({exc.strerror})")


def ensure_writable_dir(folder: Path, elsewhere: str = "choose another folder with -o") -> None:
    """Create ``folder`` if needed and prove a file can be written in it."""
    probe = folder / f".probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.close(create_new(probe))
    except OSError as exc:
        raise output_error(folder, exc, elsewhere) from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def clean_partials(folder: Path, recursive: bool = True) -> int:
    """Remove temporary files a killed run left behind (not those of a live one); returns
    how many. ``recursive=False``: the folder's own files only (the top of a site, where
    the editions below are another build's business)."""
    removed = 0
    if not folder.is_dir():
        return 0
    for p in folder.rglob(".*.part*") if recursive else folder.glob(".*.part*"):
        try:
            if p.is_file() and not pid_alive(_writer_pid(p.name)):
                p.unlink(missing_ok=True)
                removed += 1
        except OSError:
            continue
    return removed


def clean_dead_work(folder: Path) -> None:
    """Remove an edition folder's work folders (``.build-<pid>-…``: the audio stage's, a
    clip store's) whose writer is gone; a live build's are left alone."""
    for stale in folder.glob(".build-*"):
        pid = stale.name.split("-")[1]
        if not (pid.isdigit() and pid_alive(int(pid))):
            shutil.rmtree(stale, ignore_errors=True)


def _writer_pid(name: str) -> int | None:
    """``.<name>.<pid>.<random>.part<suffix>`` → pid (None for a name without one)."""
    parts = name.split(".part")[0].rsplit(".", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def pid_alive(pid: int | None) -> bool:
    """Whether process ``pid`` runs on this machine (None: unknown, taken as gone)."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    except OSError:
        return False
    return True


def remove_empty_dirs(*folders: Path) -> None:
    """Remove each folder, in order, if it is empty (what a failed build created and did not fill)."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty, not there, or not ours to remove


class Staged:
    """Files written whole under temporary names, put in place together by ``commit``.

    Publishing writes feeds and pages inside the catalog's transaction; were each renamed
    into place as it was written, a full disk half-way (or at the catalog's commit) would
    leave feeds announcing an edition the catalog never recorded. Staged, nothing moves
    until the catalog has committed, and renames need no space.
    """

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []

    def write_text(self, path: Path, text: str) -> None:
        tmp = temp_beside(path)
        self._files.append((tmp, path))  # before it exists: discard() removes it however this ends
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with os.fdopen(create_new(tmp), "wb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise output_error(path, exc) from None

    def commit(self) -> list[Path]:
        """Rename every staged file into place; returns their paths."""
        for tmp, path in self._files:
            os.replace(tmp, path)
        done, self._files = [path for _, path in self._files], []
        return done

    def discard(self) -> None:
        for tmp, _ in self._files:
            tmp.unlink(missing_ok=True)
        self._files = []


@contextlib.contextmanager
def staged() -> Iterator[Staged]:
    """A ``Staged`` set whose files are removed if the block fails; call ``commit`` inside."""
    stage = Staged()
    try:
        yield stage
    finally:
        stage.discard()
