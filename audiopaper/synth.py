"""Synthesis around an engine: chunking, the cache, timing, and assembly of a clip."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .cache import AudioCache, cache_key
from .engines.base import Engine, Synthesis
from .errors import SynthesisError
from .models import Clip, Progress, ProgressFn, Script, Sentence, Span, Voice, no_progress


@dataclass
class SynthTimer:
    """Time spent inside engines (inference or network), summed over a run."""

    engine_s: float = 0.0
    audio_done_s: float = 0.0
    started: float = field(default_factory=time.perf_counter)


def chunks_for(engine: Engine, sentences: Sequence[Sentence]) -> list[list[Sentence]]:
    """Group sentences into engine calls: one each, or up to ``chunk_chars`` characters."""
    if engine.chunk_chars <= 0:
        return [[s] for s in sentences]
    groups: list[list[Sentence]] = []
    size = 0
    for sentence in sentences:
        n = len(engine.text_for(sentence))
        if groups and size + n <= engine.chunk_chars:
            groups[-1].append(sentence)
            size += n
        else:
            groups.append([sentence])
            size = n
    return groups


def chunk_key(engine: Engine, voice: Voice, chunk: Sequence[Sentence]) -> str:
    texts = [engine.text_for(s) for s in chunk]
    phon = [list(s.pinyin) if s.pinyin else None for s in chunk]
    return cache_key(engine.version(), voice.name, voice.speed, voice.pitch, texts, phon)


def synthesize_chunk(
    engine: Engine, voice: Voice, chunk: Sequence[Sentence], cache: AudioCache, timer: SynthTimer
) -> Synthesis:
    key = chunk_key(engine, voice, chunk)
    found = cache.get(key)
    if found is not None and len(found.spans) == len(chunk):
        cache.stats.hit()
        return found
    cache.stats.miss()
    result = engine.synthesize(chunk, voice)
    timer.engine_s += result.engine_s
    cache.put(key, result)
    return result


def assemble(script_sentences: Sequence[Sentence], parts: Sequence[Synthesis]) -> tuple[np.ndarray, int, list[Span]]:
    """Join chunk audio with each sentence's pause after it; sentence spans in the result."""
    rate = parts[0].sample_rate if parts else 24000
    pieces: list[np.ndarray] = []
    spans: list[Span] = []
    pos = 0
    it = iter(script_sentences)
    for part in parts:
        if part.sample_rate != rate:
            raise ValueError("chunks of one clip differ in sample rate")
        bounds = list(part.spans) + [(len(part.pcm) / rate, len(part.pcm) / rate)]
        for n, (start, end) in enumerate(part.spans):
            sentence = next(it)
            a = round(start * rate)
            b = round(bounds[n + 1][0] * rate) if n + 1 < len(part.spans) else len(part.pcm)
            audio = part.pcm[a:b]
            spans.append(Span(pos / rate, (pos + round((end - start) * rate)) / rate, sentence.source, sentence.role))
            pieces.append(audio)
            pos += len(audio)
            gap = round(sentence.pause_s * rate)
            pieces.append(np.zeros(gap, np.int16))
            pos += gap
    pcm = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
    return pcm, rate, spans


def synthesize_script(
    script: Script,
    engine: Engine,
    voice: Voice,
    cache: AudioCache,
    timer: SynthTimer,
) -> Clip:
    sentences = [s for s in script.sentences if engine.text_for(s).strip()]
    parts = []
    for chunk in chunks_for(engine, sentences):
        parts.append(synthesize_chunk(engine, voice, chunk, cache, timer))
        timer.audio_done_s += len(parts[-1].pcm) / parts[-1].sample_rate
    pcm, rate, spans = assemble(sentences, parts)
    return Clip(pcm=pcm, sample_rate=rate, spans=tuple(spans), engine=engine.name, voice=voice.name)


def synthesize_articles(
    scripts: Sequence[Script],
    engine: Engine,
    voice: Voice,
    cache: AudioCache,
    timer: SynthTimer,
    progress: ProgressFn = no_progress,
) -> tuple[list[tuple[Script, Clip]], list[str]]:
    """Clips for every article that could be synthesized, and a line per failure."""
    clips: list[tuple[Script, Clip]] = []
    failed: list[str] = []
    total_chars = sum(s.article.chars for s in scripts) or 1
    done_chars = 0
    t0 = time.perf_counter()
    for n, script in enumerate(scripts, start=1):
        elapsed = time.perf_counter() - t0
        eta = elapsed / done_chars * (total_chars - done_chars) if done_chars else None
        progress(Progress("synth", n - 1, len(scripts), script.title, timer.audio_done_s, eta))
        try:
            clips.append((script, synthesize_script(script, engine, voice, cache, timer)))
        except SynthesisError as exc:
            failed.append(f"{script.article.index:02d} {script.title}: {exc}")
        done_chars += script.article.chars
    progress(Progress("synth", len(scripts), len(scripts), "", timer.audio_done_s, 0.0))
    return clips, failed
