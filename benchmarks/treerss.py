"""Peak memory of a process together with every process it starts, sampled.

``ru_maxrss`` (getrusage, wait4) gives one process's peak, or the largest of its
children's: a build that hands part of its work to a child process (the speech stage
does, beside a voice model) would look smaller than the memory it takes. This samples
the resident set of the whole tree (the process and all its descendants, summed from
/proc) every ``interval_s`` and keeps the largest sum. Pages two processes share (the
libraries they both map) count twice, so the figure errs high, never low.

Use: ``with TreeRss(pid) as tree: ...; tree.peak_mb``. Linux only.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_rss_mb(pid: int) -> float:
    """The summed resident set of ``pid`` and its descendants now, in MB."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_mb(p)
        todo += _children(p)
    return total


class TreeRss:
    def __init__(self, pid: int, interval_s: float = 0.02) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
