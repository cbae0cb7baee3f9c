"""A fast, robotic offline engine: libespeak-ng from the ``espeakng-loader`` wheel.

Meant for quick checks and tests that need some real audio fast, not for listeners.
The C library keeps one global state per process (its voice, its callback), so it is
loaded once here and every engine instance takes turns at it under one lock.
"""

from __future__ import annotations

import _ctypes
import contextlib
import ctypes
import importlib.metadata
import importlib.util
import os
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .. import interrupts
from ..errors import EngineUnavailable, SynthesisError, UsageError
from ..models import Reading, Spelling, Synthesis, Voice
from ..presets import Preset
from .base import Availability, EngineConfig, Remote, VoiceListing, register, spans_of

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_VOICES = ["cmn", "yue", "cmn-latn-pinyin"]
DEFAULT_RATE = 22050


class _Library:
    """libespeak-ng, loaded afresh for every sentence, and the buffer its callback fills.

    The library carries state from one utterance to the next (its pitch flutter and
    voice source run on), so a sentence read after another one sounds slightly different
    from the same sentence read first: audio would depend on what a process happened to
    read before, and the same edition built by two workers (or rebuilt without the
    cache) would differ. Each sentence therefore gets its own instance: opened,
    initialized, read, and closed again (about 5 ms). It keeps global state, so instances
    take turns under one lock.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sample_rate = DEFAULT_RATE
        self._path: str | None = None
        self._data = b""
        self._buffer: list[np.ndarray] = []
        #: the library called back with no audio: the text was read to its end
        self._ended = False
        self._failed: BaseException | None = None
        self._callback = _CALLBACK(self._collect)

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        """Store one block of audio; returning 1 tells the library to stop. An exception
        must not escape (ctypes would print and drop it, and the block with it)."""
        try:
            if interrupts.pending():
                return 1
            if not wav:
                self._ended = True
            elif count > 0:
                self._buffer.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
            return 0
        except BaseException as exc:  # raised again once the C call returns
            self._failed = exc
            return 1

    def load(self) -> None:
        """Find the library and learn its sample rate; call with ``lock`` held."""
        if self._path is None:
            if importlib.util.find_spec("espeakng_loader") is None:
                raise EngineUnavailable("espeak engine unavailable: espeakng-loader is missing", "run `make install`")
            import espeakng_loader

            self._data = str(espeakng_loader.get_data_path()).encode()
            path = str(espeakng_loader.get_library_path())
            with self._open(path) as (_lib, rate):
                self.sample_rate = rate
            self._path = path

    @contextlib.contextmanager
    def _open(self, path: str) -> Iterator[tuple[Any, int]]:
        """A fresh instance of the library (its own state), closed on leaving."""
        lib = ctypes.CDLL(path, mode=os.RTLD_LOCAL)
        try:
            lib.espeak_Initialize.restype = ctypes.c_int
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, self._data, 0)
            if rate <= 0:
                raise EngineUnavailable("libespeak-ng failed to initialize", "reinstall espeakng-loader")
            lib.espeak_SetSynthCallback(self._callback)
            try:
                yield lib, rate
            finally:
                lib.espeak_Terminate()
        finally:
            _ctypes.dlclose(lib._handle)  # unloaded, so the next open starts clean

    def say(self, text: str, voice: str, rate: int) -> tuple[np.ndarray, float]:
        """One sentence as int16 PCM, and the seconds spent in the library; lock held."""
        self.load()
        assert self._path is not None
        data = text.encode("utf-8") + b"\0"
        self._buffer, self._ended, self._failed = [], False, None
        t0 = time.perf_counter()
        with self._open(self._path) as (lib, _rate):
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise SynthesisError(f"espeak has no voice {voice!r}")
            lib.espeak_SetParameter(_RATE, rate, 0)
            # A Ctrl-C meanwhile is raised when the library returns, not inside its callback.
            with interrupts.shielded():
                err = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        spent = time.perf_counter() - t0
        if self._failed is not None:
            raise self._failed
        if err != 0:
            raise SynthesisError(f"espeak failed ({err}) on {text[:30]!r}")
        if not self._ended:
            # Audio that stopped before the text's end must never reach the cache.
            raise SynthesisError(f"espeak stopped before the end of {text[:30]!r}")
        pcm = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.int16)
        return pcm.astype(np.int16), spent


_LIBRARY = _Library()


class EspeakEngine:
    name = "espeak"
    offline = True
    # espeak reads Latin letters itself and takes no pinyin
    spelling: Spelling = "plain"
    chunk_chars = 0
    remote: Remote | None = None

    def __init__(self, config: EngineConfig) -> None:
        self.config = config

    @property
    def sample_rate(self) -> int:
        return _LIBRARY.sample_rate

    def available(self) -> Availability:
        if importlib.util.find_spec("espeakng_loader") is None:
            return Availability(False, "Python package 'espeakng-loader' is missing", "run `make install`")
        return Availability(True)

    def probe(self) -> Availability:
        return self.available()

    def voices(self) -> list[str]:
        return list(_VOICES)

    def describe_voices(self, live: bool = False) -> VoiceListing:
        return VoiceListing(tuple(self.voices()))

    def voice_for(self, preset: Preset) -> Voice:
        return Voice(preset=preset.name, engine=self.name, name=preset.voice(self.name), speed=preset.speed)

    def check_voice(self, voice: Voice) -> None:
        if voice.name not in _VOICES:
            raise UsageError(f"espeak has no voice {voice.name!r}", f"espeak voices: {', '.join(_VOICES)}")

    def version(self) -> str:
        # "/fresh": every sentence read by a fresh instance (audio made before differs)
        try:
            return f"espeak-ng/{importlib.metadata.version('espeakng-loader')}/fresh"
        except importlib.metadata.PackageNotFoundError:
            return "espeak-ng/?/fresh"

    def synthesize(self, readings: Sequence[Reading], voice: Voice) -> Synthesis:
        with _LIBRARY.lock:
            pieces: list[np.ndarray] = []
            engine_s = 0.0
            for reading in readings:
                pcm, spent = _LIBRARY.say(reading.text, voice.name, int(175 * voice.speed))
                pieces.append(pcm)
                engine_s += spent
            rate = _LIBRARY.sample_rate
        pcm = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
        return Synthesis(pcm=pcm, sample_rate=rate, spans=spans_of([len(p) for p in pieces], rate), engine_s=engine_s)

    def close(self) -> None:
        """Nothing to free: the library is small and shared by the whole process."""


@register("espeak", rank=90)
def _factory(config: EngineConfig) -> EspeakEngine:
    return EspeakEngine(config)
