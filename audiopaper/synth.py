"""Synthesis around an engine: chunking, the cache, concurrency, retries, failover,
timing, and assembly of a clip.

An article is planned as chunks of whole sentences; chunks found in the cache are
used as they are, the rest are synthesized (an online engine's concurrently, each
request retried on its own) and written to the cache as soon as each arrives, so an
interrupted build resumes where it stopped. An article whose chunks cannot all be had
from the online engine is read whole by the fallback engine: never two voices inside
one article.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .cache import AudioCache, cache_key
from .engines.base import Engine, Synthesis
from .errors import EngineFailure, SynthesisError
from .models import Clip, Progress, ProgressFn, Script, Sentence, Span, Voice, no_progress
from .resilience import Attempt, CoolDown, NetClock, NetworkEngine, RetryPolicy, with_retries


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
    # engine.version() names the engine (and edge-tts's version), so audio from a
    # fallback engine can never answer for the online one.
    return cache_key(engine.version(), voice.name, voice.speed, voice.pitch, voice.rate, texts, phon)


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


@dataclass(frozen=True)
class SynthOptions:
    """How to drive an online engine; offline engines ignore all of it."""

    concurrency: int = 4
    timeout_s: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: after this many requests in a row failed (no success between them, whatever the
    #: chunk), stop asking: the service is down, and every further chunk would only add
    #: its retries and deadlines before the fallback reads it anyway
    give_up_after: int = 12


@dataclass(frozen=True)
class Fallback:
    """The engine (and its voice) that reads an article the main engine could not."""

    engine: Engine
    voice: Voice


@dataclass(frozen=True)
class SynthReport:
    clips: tuple[tuple[Script, Clip], ...]
    intro: Clip | None
    failed: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass
class _Job:
    """One chunk of one item (article or intro) to synthesize."""

    item: int
    key: str
    sentences: list[Sentence]
    result: Synthesis | None = None
    error: str = ""


@dataclass
class _Item:
    script: Script
    sentences: list[Sentence]
    jobs: list[_Job]
    label: str = ""

    @property
    def error(self) -> str:
        return next((j.error for j in self.jobs if j.error), "")

    @property
    def done(self) -> bool:
        return all(j.result is not None or j.error for j in self.jobs)


def _plan(engine: Engine, voice: Voice, scripts: Sequence[Script], intro_at: int | None = None) -> list[_Item]:
    items = []
    for n, script in enumerate(scripts):
        sentences = [s for s in script.sentences if engine.text_for(s).strip()]
        jobs = [_Job(n, chunk_key(engine, voice, chunk), chunk) for chunk in chunks_for(engine, sentences)]
        items.append(_Item(script, sentences, jobs, "intro" if n == intro_at else script.title))
    return items


def _clip(item: _Item, engine: Engine, voice: Voice, fallback: bool = False) -> Clip:
    parts = [j.result for j in item.jobs if j.result is not None]
    pcm, rate, spans = assemble(item.sentences, parts)
    return Clip(pcm=pcm, sample_rate=rate, spans=tuple(spans), engine=engine.name, voice=voice.name, fallback=fallback)


def _run(
    engine: Engine,
    voice: Voice,
    items: Sequence[_Item],
    cache: AudioCache,
    timer: SynthTimer,
    options: SynthOptions,
    on_done: Callable[[_Job], None],
    on_retry: Callable[[Attempt], None],
) -> None:
    """Fill every job with a result or an error; cache hits first, then the misses."""
    misses: list[_Job] = []
    for item in items:
        for job in item.jobs:
            found = cache.get(job.key)
            if found is not None and len(found.spans) == len(job.sentences):
                cache.stats.hit()
                job.result = found
                on_done(job)
            else:
                cache.stats.miss()
                misses.append(job)
    if not misses:
        return
    if isinstance(engine, NetworkEngine):
        asyncio.run(_run_network(engine, voice, items, misses, cache, timer, options, on_done, on_retry))
        return
    for job in misses:
        if items[job.item].error:
            # The article already failed; its other chunks would be thrown away.
            job.error = items[job.item].error
        else:
            try:
                job.result = engine.synthesize(job.sentences, voice)
            except SynthesisError as exc:
                job.error = str(exc)
            else:
                timer.engine_s += job.result.engine_s
                cache.put(job.key, job.result)
        on_done(job)


async def _run_network(
    engine: NetworkEngine,
    voice: Voice,
    items: Sequence[_Item],
    jobs: Sequence[_Job],
    cache: AudioCache,
    timer: SynthTimer,
    options: SynthOptions,
    on_done: Callable[[_Job], None],
    on_retry: Callable[[Attempt], None],
) -> None:
    slots = asyncio.Semaphore(max(1, options.concurrency))
    gate = CoolDown()
    clock = NetClock()
    failed_in_a_row = 0
    gave_up = ""

    def failure(exc: EngineFailure) -> EngineFailure:
        nonlocal failed_in_a_row, gave_up
        failed_in_a_row += 1
        if failed_in_a_row >= options.give_up_after and not gave_up:
            gave_up = f"not tried: the last {failed_in_a_row} requests all failed (last: {exc})"
        return exc

    async def one(job: _Job) -> None:
        async def call() -> Synthesis:
            nonlocal failed_in_a_row
            # The slot covers the connection only: backoff waits and decoding do not
            # keep another chunk from the network.
            async with slots:
                # Again here: a 429 may have come while this chunk waited for its slot.
                await gate.wait()
                if gave_up:
                    raise EngineFailure(gave_up, retryable=False)
                try:
                    with clock.busy():
                        answer = await engine.fetch(job.sentences, voice, options.timeout_s)
                except EngineFailure as exc:
                    raise failure(exc) from None
            try:
                result = await asyncio.to_thread(engine.finish, answer, job.sentences)
            except EngineFailure as exc:
                raise failure(exc) from None
            failed_in_a_row = 0
            return result

        try:
            result = await with_retries(call, options.retry, gate, items[job.item].label, on_retry)
        except EngineFailure as exc:
            job.error = str(exc)
        else:
            # Written the moment it arrives: a build killed later keeps this chunk.
            await asyncio.to_thread(cache.put, job.key, result)
            job.result = result
        on_done(job)

    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(one(job))
    except BaseExceptionGroup as errors:
        # A usage error (bad voice) or a bug in one task stops them all; show the first.
        raise errors.exceptions[0] from None
    finally:
        timer.engine_s += clock.total_s


def synthesize_edition(
    scripts: Sequence[Script],
    intro: Script | None,
    engine: Engine,
    voice: Voice,
    cache: AudioCache,
    timer: SynthTimer,
    options: SynthOptions | None = None,
    fallback: Fallback | None = None,
    progress: ProgressFn = no_progress,
) -> SynthReport:
    """Clips for every article (and the intro) that could be read, by ``engine`` or,
    whole, by the fallback; a line per article left out and per fallback used."""
    options = options or SynthOptions()
    if isinstance(engine, NetworkEngine):
        engine.check_voice(voice)
    everything = [*scripts, *([intro] if intro is not None else [])]
    items = _plan(engine, voice, everything, intro_at=len(scripts) if intro is not None else None)
    total = len(scripts)
    total_chars = sum(s.article.chars for s in scripts) or 1
    finished: set[int] = set()
    done_chars = 0
    t0 = time.perf_counter()

    def on_done(job: _Job) -> None:
        nonlocal done_chars
        if job.result is not None:
            timer.audio_done_s += len(job.result.pcm) / job.result.sample_rate
        item = items[job.item]
        if job.item in finished or not item.done:
            return
        finished.add(job.item)
        if job.item >= total:
            return
        done_chars += item.script.article.chars
        elapsed = time.perf_counter() - t0
        eta = elapsed / done_chars * (total_chars - done_chars) if done_chars else None
        articles_done = len(finished - {total})
        nxt = next((it.script.title for n, it in enumerate(items[:total]) if n not in finished), "")
        progress(Progress("synth", articles_done, total, nxt, timer.audio_done_s, eta))

    def on_retry(attempt: Attempt) -> None:
        progress(
            Progress(
                engine.name,
                0,
                0,
                f"retrying {attempt.label[:20]} after try {attempt.number}: {attempt.error}"
                f" (waiting {attempt.wait_s:.1f} s)",
            )
        )

    if scripts:
        progress(Progress("synth", 0, total, scripts[0].title, timer.audio_done_s, None))
    _run(engine, voice, items, cache, timer, options, on_done, on_retry)

    clips: list[tuple[Script, Clip]] = []
    failed: list[str] = []
    warnings: list[str] = []
    intro_clip: Clip | None = None
    for n, item in enumerate(items):
        is_intro = n >= total
        what = "the intro" if is_intro else f"{item.script.article.index:02d} {item.script.title}"
        clip: Clip | None = None
        error = item.error
        if not error:
            clip = _clip(item, engine, voice)
        elif fallback is not None and fallback.engine.name != engine.name:
            clip, why = _read_with_fallback(item.script, fallback, cache, timer, options, engine.sample_rate)
            if clip is not None:
                warnings.append(
                    f"{what}: {engine.name} failed ({error}); read by {fallback.engine.name} instead,"
                    f" {engine.name} is tried again next build"
                )
            else:
                error = f"{engine.name} failed ({error}); {fallback.engine.name} failed ({why})"
        if is_intro:
            if clip is None:
                warnings.append(f"the intro could not be read ({error}); the edition starts without it")
                # Half a second of silence keeps the edition's layout (intro, gap, articles).
                silent = np.zeros(engine.sample_rate // 2, np.int16)
                clip = Clip(pcm=silent, sample_rate=engine.sample_rate, spans=(), engine=engine.name, voice=voice.name)
            intro_clip = clip
        elif clip is not None:
            clips.append((item.script, clip))
        else:
            failed.append(f"{what}: {error}")
    progress(Progress("synth", total, total, "", timer.audio_done_s, 0.0))
    return SynthReport(tuple(clips), intro_clip, tuple(failed), tuple(warnings))


def _read_with_fallback(
    script: Script, fallback: Fallback, cache: AudioCache, timer: SynthTimer, options: SynthOptions, rate: int
) -> tuple[Clip | None, str]:
    """The whole article read by the fallback engine, at the main engine's sample rate
    (the edition's MP3s are joined without re-encoding, so they must share one format)."""
    try:
        avail = fallback.engine.available()
        if not avail.ok:
            return None, avail.reason
        items = _plan(fallback.engine, fallback.voice, [script])
        _run(fallback.engine, fallback.voice, items, cache, timer, options, lambda _j: None, lambda _a: None)
    except SynthesisError as exc:
        return None, str(exc)
    if items[0].error:
        return None, items[0].error
    clip = _clip(items[0], fallback.engine, fallback.voice, fallback=True)
    if clip.sample_rate != rate:
        from dataclasses import replace

        clip = replace(clip, pcm=resample(clip.pcm, clip.sample_rate, rate), sample_rate=rate)
    timer.audio_done_s += clip.duration_s
    return clip, ""


def resample(pcm: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Linear resampling; enough for a fallback voice (espeak's 22050 Hz to 24000 Hz),
    where the point is one format per edition, not fidelity."""
    if rate == target or not len(pcm):
        return pcm
    n = round(len(pcm) * target / rate)
    x = np.arange(n) * (rate / target)
    return np.round(np.interp(x, np.arange(len(pcm)), pcm.astype(np.float64))).astype(np.int16)


def synthesize_script(
    script: Script,
    engine: Engine,
    voice: Voice,
    cache: AudioCache,
    timer: SynthTimer,
    options: SynthOptions | None = None,
) -> Clip:
    """One script's clip; raises SynthesisError when it cannot be had."""
    options = options or SynthOptions()
    if isinstance(engine, NetworkEngine):
        engine.check_voice(voice)
    items = _plan(engine, voice, [script])
    _run(engine, voice, items, cache, timer, options, lambda _j: None, lambda _a: None)
    if items[0].error:
        raise SynthesisError(f"{engine.name} failed: {items[0].error}")
    for job in items[0].jobs:
        if job.result is not None:
            timer.audio_done_s += len(job.result.pcm) / job.result.sample_rate
    return _clip(items[0], engine, voice)


def synthesize_articles(
    scripts: Sequence[Script],
    engine: Engine,
    voice: Voice,
    cache: AudioCache,
    timer: SynthTimer,
    progress: ProgressFn = no_progress,
    options: SynthOptions | None = None,
    fallback: Fallback | None = None,
) -> tuple[list[tuple[Script, Clip]], list[str]]:
    """Clips for every article that could be synthesized, and a line per failure."""
    report = synthesize_edition(scripts, None, engine, voice, cache, timer, options, fallback, progress)
    return list(report.clips), list(report.failed)
