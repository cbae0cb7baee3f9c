"""One build at a time per edition folder.

Two builds of the same issue into one OUT would write the same article files and clean
up each other's work (issue #16: the second deleted the first's temporary folder). The
second build waits for the first instead of failing: they share the synthesis cache, so
once the first is done the second finds its audio there and finishes in seconds, and a
cron job that overlaps a manual run loses nothing.

The lock is ``flock`` on the folder itself, so a killed build (even ``kill -9``) holds it
no longer than it lives and leaves no lock file behind. Where ``fcntl`` does not exist
(Windows) builds are not serialized, and the work folders' own names keep them apart.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from .fsutil import ensure_writable_dir

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def exclusive(folder: Path, on_wait: Callable[[], None] = lambda: None) -> Iterator[bool]:
    """Create ``folder`` if needed and hold it exclusively; ``on_wait`` is called once if
    another process holds it. Yields whether the path still names the folder that was
    locked (False: it was removed or replaced while this one waited; look again)."""
    ensure_writable_dir(folder)
    if fcntl is None:  # pragma: no cover
        yield True
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.stat(folder).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        yield same
    finally:
        os.close(fd)  # releases the lock
