"""A fast, robotic offline engine: libespeak-ng from the ``espeakng-loader`` wheel.

Meant for quick checks and tests that need some real audio fast, not for listeners.
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

from ..errors import EngineUnavailable, SynthesisError
from ..models import Sentence, Voice
from .base import Availability, Synthesis, register

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_VOICES = ["cmn", "yue", "cmn-latn-pinyin"]


class EspeakEngine:
    name = "espeak"
    chunk_chars = 0

    def __init__(self) -> None:
        self._lib: Any = None
        self._lock = threading.Lock()
        self.sample_rate = 22050
        self._buffer: list[np.ndarray] = []
        self._callback = _CALLBACK(self._collect)

    def available(self) -> Availability:
        if importlib.util.find_spec("espeakng_loader") is None:
            return Availability(False, "Python package 'espeakng-loader' is missing", "run `make install`")
        return Availability(True)

    def voices(self) -> list[str]:
        return list(_VOICES)

    def version(self) -> str:
        try:
            return f"espeak-ng/{importlib.metadata.version('espeakng-loader')}"
        except importlib.metadata.PackageNotFoundError:
            return "espeak-ng/?"

    def text_for(self, sentence: Sentence) -> str:
        from ..speech.spelling import text_for

        return text_for(sentence, self.name)

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if count > 0 and wav:
            self._buffer.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def _load(self) -> Any:
        if self._lib is None:
            avail = self.available()
            if not avail.ok:
                raise EngineUnavailable(f"espeak engine unavailable: {avail.reason}", avail.hint)
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

    def synthesize(self, sentences: Sequence[Sentence], voice: Voice) -> Synthesis:
        with self._lock:
            lib = self._load()
            if lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
                raise SynthesisError(f"espeak has no voice {voice.name!r}")
            lib.espeak_SetParameter(_RATE, int(175 * voice.speed), 0)
            pieces: list[np.ndarray] = []
            spans: list[tuple[float, float]] = []
            pos = 0
            engine_s = 0.0
            for sentence in sentences:
                data = self.text_for(sentence).encode("utf-8") + b"\0"
                self._buffer = []
                t0 = time.perf_counter()
                err = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
                engine_s += time.perf_counter() - t0
                if err != 0:
                    raise SynthesisError(f"espeak failed ({err}) on {sentence.text[:30]!r}")
                pcm = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.int16)
                pcm = pcm.astype(np.int16)
                pieces.append(pcm)
                spans.append((pos / self.sample_rate, (pos + len(pcm)) / self.sample_rate))
                pos += len(pcm)
            pcm = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
            return Synthesis(pcm=pcm, sample_rate=self.sample_rate, spans=tuple(spans), engine_s=engine_s)


@register("espeak")
def _factory() -> EspeakEngine:
    return EspeakEngine()
