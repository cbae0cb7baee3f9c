"""Ctrl-C and SIGTERM as one exception that is never lost and never lands inside C code.

Python raises KeyboardInterrupt at the next bytecode the main thread runs. While
libespeak-ng synthesizes, that bytecode is the first line of our ctypes audio callback:
ctypes prints the exception as "ignored", the C call runs on without the block of audio
the callback never stored, and the build finishes with exit 0 and a clip 60 ms short in
the cache (issue #16). ``shielded()`` holds a signal back while such C code runs and
raises it the moment the C call returns; ``pending()`` lets the callback ask the library
to stop early.

SIGTERM (a service manager, ``kill``) kills a Python process outright by default, so no
``finally`` runs and temporary files stay behind. ``install()`` turns it into
``Interrupted`` as well, so a build unwinds the same way for both signals.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

__all__ = ["Interrupted", "exit_code", "install", "pending", "quiet_unwinding", "shielded"]

#: the signals that stop a run
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """A signal asked the run to stop. A KeyboardInterrupt, so asyncio and every
    ``except KeyboardInterrupt`` treat SIGTERM as they treat Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def exit_code(exc: BaseException) -> int:
    """The shell's convention: 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM)."""
    return 128 + (exc.signum if isinstance(exc, Interrupted) else signal.SIGINT)


_held: int | None = None  # a signal that arrived inside a shield, waiting to be raised
_depth = 0


def _raise_on(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install() -> None:
    """SIGTERM raises ``Interrupted`` (Ctrl-C already raises KeyboardInterrupt). Call
    from the main thread of a program, not from a library."""
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
        signal.signal(signal.SIGTERM, _raise_on)


def quiet_unwinding() -> None:
    """Once a run is stopping on a signal, say nothing more about half-made objects.

    The signal can land inside any constructor (a ``ZipFile`` reading a cache entry, say);
    when the unwinding frees that object its ``__del__`` fails on a missing attribute, and
    Python prints "Exception ignored in ..." and a traceback after our one line. Nothing
    such an object does matters any more: the process is about to leave."""
    sys.unraisablehook = lambda _unraisable: None
    threading.excepthook = lambda _args: None


def pending() -> bool:
    """A signal is held by a shield: C code running now should stop as soon as it can."""
    return _held is not None


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Run C code that calls back into Python with SIGINT and SIGTERM held back; a held
    signal is handed to its own handler as the block ends (also when the block fails
    because the C code was told to stop), which raises it there."""
    global _depth, _held
    if threading.current_thread() is not threading.main_thread():
        # Python runs signal handlers in the main thread only: nothing can land here.
        yield
        return
    previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
    if _depth == 0:
        for sig in SIGNALS:
            handler = signal.getsignal(sig)
            if callable(handler):  # SIG_IGN and SIG_DFL stay as they are
                previous[sig] = handler
                signal.signal(sig, _hold)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            held, _held = _held, None
            restored = previous.get(held) if held is not None else None
            if held is not None and callable(restored):
                restored(held, None)  # raises, unless the program chose to carry on


def _hold(signum: int, _frame: FrameType | None) -> None:
    global _held
    if _held is None:
        _held = signum
