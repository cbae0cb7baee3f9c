"""A fast, robotic offline engine: libespeak-ng from the ``espeakng-loader`` wheel.

Meant for quick checks and tests that need some real audio fast, not for listeners.
The C library keeps one global state per process (its voice, its callback), so it is
loaded once here and every engine instance takes turns at it under one lock.
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import importlib.util
import threading
import time
from collections.abc import Sequence
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
    """libespeak-ng, initialized once per process, and the buffer its callback fills."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sample_rate = DEFAULT_RATE
        self._lib: Any = None
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

    def load(self) -> Any:
        """The library handle; call with ``lock`` held."""
        if self._lib is None:
            if importlib.util.find_spec("espeakng_loader") is None:
                raise EngineUnavailable("espeak engine unavailable: espeakng-loader is missing", "run `make install`")
            import espeakng_loader

            lib = ctypes.cdll.LoadLibrary(str(espeakng_loader.get_library_path()))
            lib.espeak_Initialize.restype = ctypes.c_int
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(espeakng_loader.get_data_path()).encode(), 0)
            if rate <= 0:
                raise EngineUnavailable("libespeak-ng failed to initialize", "reinstall espeakng-loader")
            self.sample_rate = rate
            lib.espeak_SetSynthCallback(self._callback)
            self._lib = lib
        return self._lib

    def say(self, text: str) -> tuple[np.ndarray, float]:
        """One sentence as int16 PCM, and the seconds spent in the library; lock held."""
        data = text.encode("utf-8") + b"\0"
        self._buffer, self._ended, self._failed = [], False, None
        t0 = time.perf_counter()
        # A Ctrl-C meanwhile is raised when the library returns, not inside its callback.
        with interrupts.shielded():
            err = self._lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
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
        try:
            return f"espeak-ng/{importlib.metadata.version('espeakng-loader')}"
        except importlib.metadata.PackageNotFoundError:
            return "espeak-ng/?"

    def synthesize(self, readings: Sequence[Reading], voice: Voice) -> Synthesis:
        with _LIBRARY.lock:
            lib = _LIBRARY.load()
            if lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
                raise SynthesisError(f"espeak has no voice {voice.name!r}")
            lib.espeak_SetParameter(_RATE, int(175 * voice.speed), 0)
            pieces: list[np.ndarray] = []
            engine_s = 0.0
            for reading in readings:
                pcm, spent = _LIBRARY.say(reading.text)
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
