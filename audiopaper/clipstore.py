"""A build's finished clips on disk, so that memory is bounded by the article, not the issue.

Every article's PCM used to wait in memory until the audio stage took them all: about
130 MB per hour-long issue with espeak, so a 5 MB input (days of audio) grew to 23 GB and
was killed (issue #16). The synth stage hands each clip here as soon as the clip is
whole; it is kept in a private folder of the edition (``.build-<pid>-clips-*``, swept
like the audio stage's work folders if the build is killed) and read back by the audio
stage one article at a time.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import replace
from pathlib import Path
from types import TracebackType

import numpy as np

from .fsutil import output_error
from .models import Clip, PcmFile


class ClipStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._dir: Path | None = None
        self._count = 0

    def keep(self, clip: Clip) -> Clip:
        """The same clip, its PCM now in a file."""
        if isinstance(clip.pcm, PcmFile):
            return clip
        if self._dir is None:
            # named before it exists: close() removes it whatever interrupts its making
            self._dir = self.folder / f".build-{os.getpid()}-clips-{secrets.token_hex(4)}"
            try:
                self._dir.mkdir()
            except OSError as exc:
                raise output_error(self.folder, exc) from None
        self._count += 1
        path = self._dir / f"{self._count:05d}.pcm"
        try:
            # file.write of the array's own buffer: no copy, and a full disk is ENOSPC
            # (numpy's writers report it without an errno)
            with open(path, "wb") as f:
                f.write(np.ascontiguousarray(clip.pcm, dtype="<i2").data)
        except OSError as exc:
            path.unlink(missing_ok=True)
            raise output_error(path, exc) from None
        return replace(clip, pcm=PcmFile(path, len(clip.pcm)))

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> ClipStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
