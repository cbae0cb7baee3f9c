"""Run one function in a fresh Python process and bring its result back.

The speech stage loads about 270 MB of dictionaries (jieba, pypinyin and its phrase
data, the normalizer's tables) that it needs for a second or two; a voice model then
needs most of the memory a small machine has for the rest of the build. Run in a child
process, the dictionaries are gone, all of them, when the child exits: freeing them in
place would leave most of that memory with the process (Python keeps arenas that hold a
single live object, the C heap keeps its fragments).

The child is a new interpreter (``python -m audiopaper.isolated``) that reads the call
from its stdin and writes the answer to its stdout, both pickled. Not a fork: the parent
may already run threads (the model loading in the background), whose held locks a fork
would copy. Not multiprocessing's spawn either: that imports the caller's main script
again, which runs a library user's unguarded script a second time. The child ignores
Ctrl-C and SIGTERM: the parent owns the signal and stops the child however it unwinds.
Exceptions come back as they were raised (``AudiopaperError`` pickles with its hint); a
child that dies without answering is one error line.
"""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import AudiopaperError

T = TypeVar("T")

#: how long the parent waits for a child it told to stop (seconds)
_STOP_WAIT_S = 5.0


def call(fn: Callable[..., T], *args: Any, what: str = "a child process") -> T:
    """``fn(*args)`` run in a new Python process; its exception re-raised here. ``fn``
    must be a module-level function, ``args`` and the result picklable."""
    # the import path first, on its own: the child needs it to unpickle ``fn``
    payload = pickle.dumps(list(sys.path)) + pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )  # its stderr is ours: what it warns of reaches the user as if said here
    except OSError as exc:
        raise AudiopaperError(
            f"cannot start a process for {what}: {exc}", "check free memory and process limits"
        ) from None
    try:
        out, _ = proc.communicate(payload)
    finally:
        if proc.poll() is None:  # the parent is unwinding (Ctrl-C): the child goes too
            proc.terminate()
            try:
                proc.wait(_STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    try:
        ok, value = pickle.loads(out)
    except Exception:
        raise AudiopaperError(
            f"{what} stopped without an answer (exit status {proc.returncode})",
            "the machine may be short of memory; run the build again",
        ) from None
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _main() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    stdout, stdin = sys.stdout.buffer, sys.stdin.buffer
    sys.stdout = sys.stderr  # whatever the function prints must not corrupt the answer
    sys.path[:] = pickle.load(stdin)
    fn: Any = None
    try:
        fn, args = pickle.load(stdin)
        result: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        result = (False, exc)
    try:
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an exception or result that does not pickle
        data = pickle.dumps((False, AudiopaperError(f"{getattr(fn, '__name__', fn)} failed in its process: {exc}")))
    stdout.write(data)
    stdout.flush()


if __name__ == "__main__":
    _main()
