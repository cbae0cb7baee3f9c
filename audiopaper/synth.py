"""Synthesis around an engine: chunking, the cache, concurrency, retries, failover,
timing, and joining a clip's chunks.

An article is planned as chunks of whole sentences, each sent to the engine in the
spelling it declares; chunks found in the cache are used as they are, the rest are
synthesized (an online engine's concurrently, each request retried on its own; a local
engine that schedules its own cores, ``engines.base.Batched``, gets every chunk of every
article at once, so no core waits at an article's end) and written to the cache as soon
as each arrives, so an interrupted build resumes where it stopped. An article whose chunks
cannot all be had from the online engine is read whole by the fallback engine: never two
voices inside one article.

The articles of several editions can share one queue (``synthesize_editions``): a batch
of builds keeps the cores as busy as one build does. A finished article's clip is made
as soon as its last chunk arrives (and, given a ``ClipStore``, kept on disk), so its
chunks' audio is not held beside it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .cache import AudioCache, cache_key
from .clipstore import ClipStore
from .engines.base import Batched, Engine, Reader, Remote, Request
from .errors import EngineFailure, SynthesisError
from .models import Clip, Progress, ProgressFn, Reading, Script, Sentence, Span, Synthesis, Voice, no_progress
from .resilience import Attempt, CoolDown, NetClock, RetryPolicy, with_retries
from .speech import reading_for


@dataclass
class SynthTimer:
    """Time spent inside engines (inference or network), summed over a run."""

    engine_s: float = 0.0
    audio_done_s: float = 0.0
    started: float = field(default_factory=time.perf_counter)


def reading_of(sentence: Sentence, engine: Engine) -> Reading:
    """What ``engine`` is sent for a sentence: the speech stage's reading in its spelling
    (made now for a sentence that does not carry one)."""
    return sentence.reading(engine.spelling) or reading_for(sentence.text, engine.spelling, with_pinyin=False)


def chunks_for(engine: Engine, sentences: Sequence[Sentence]) -> list[list[Sentence]]:
    """Group the sentences the engine has something to read in into engine calls: one
    each, or up to ``chunk_chars`` characters."""
    groups: list[list[Sentence]] = []
    size = 0
    for sentence in sentences:
        text = reading_of(sentence, engine).text
        if not text.strip():
            continue
        n = len(text)
        if engine.chunk_chars > 0 and groups and size + n <= engine.chunk_chars:
            groups[-1].append(sentence)
            size += n
        else:
            groups.append([sentence])
            size = n
    return groups


def chunk_key(engine: Engine, voice: Voice, chunk: Sequence[Sentence]) -> str:
    texts = [reading_of(s, engine).text for s in chunk]
    phon = [list(s.pinyin) if s.pinyin else None for s in chunk]
    # engine.version() names the engine (and edge-tts's version), so audio from a
    # fallback engine can never answer for the online one.
    return cache_key(engine.version(), voice.name, voice.speed, voice.pitch, voice.rate, texts, phon)


def join_chunks(sentences: Sequence[Sentence], parts: Sequence[Synthesis]) -> tuple[np.ndarray, int, list[Span]]:
    """Join chunk audio with each sentence's pause after it; sentence spans in the result."""
    rate = parts[0].sample_rate if parts else 24000
    pieces: list[np.ndarray] = []
    spans: list[Span] = []
    pos = 0
    it = iter(sentences)
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
    """How hard to try an online engine; offline engines ignore all of it. (How many
    requests at once and each one's deadline are the engine's own ``EngineConfig``.)"""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: after this many requests in a row failed (no success between them, whatever the
    #: chunk), stop asking: the service is down, and every further chunk would only add
    #: its retries and deadlines before the fallback reads it anyway
    give_up_after: int = 12


@dataclass(frozen=True)
class SynthReport:
    clips: tuple[tuple[Script, Clip], ...]
    failed: tuple[str, ...]
    warnings: tuple[str, ...]
    #: the engine was asked for audio and answered none of it (its service is down)
    engine_down: bool = False
    #: the intro given with the articles, read by the engine in the same queue (None:
    #: none given, or it could not be read: ``synthesize_intro`` then reads it)
    intro: Clip | None = None


@dataclass
class _Job:
    """One chunk of one item (article or intro) to synthesize."""

    item: int
    key: str
    sentences: list[Sentence]
    readings: list[Reading]
    result: Synthesis | None = None
    error: str = ""


@dataclass
class _Item:
    script: Script
    sentences: list[Sentence]
    jobs: list[_Job]
    #: which of the editions given to the session it belongs to
    edition: int = 0
    #: its clip, made as soon as its last chunk came (the chunks' audio is then let go),
    #: kept in the session's ClipStore when it has one
    clip: Clip | None = None

    @property
    def error(self) -> str:
        return next((j.error for j in self.jobs if j.error), "")

    @property
    def done(self) -> bool:
        return self.clip is not None or all(j.result is not None or j.error for j in self.jobs)


@dataclass
class _Session:
    """One engine and voice working through items, with everything that goes with it."""

    engine: Engine
    voice: Voice
    cache: AudioCache
    timer: SynthTimer
    options: SynthOptions
    on_done: Callable[[_Job], None] = lambda _job: None
    on_retry: Callable[[Attempt], None] = lambda _attempt: None
    #: where finished clips' PCM is kept (None: held in memory)
    store: ClipStore | None = None
    #: chunks the engine was asked for (cache misses), and those it answered
    asked: int = 0
    answered: int = 0

    @property
    def engine_down(self) -> bool:
        """The engine was asked for audio and gave none."""
        return self.asked > 0 and self.answered == 0

    def plan(self, scripts: Sequence[Script], edition: int = 0, first: int = 0) -> list[_Item]:
        """Items for ``scripts``, numbered from ``first`` (the items already planned)."""
        items = []
        for n, script in enumerate(scripts, start=first):
            chunks = chunks_for(self.engine, script.sentences)
            jobs = [
                _Job(n, chunk_key(self.engine, self.voice, c), c, [reading_of(s, self.engine) for s in c])
                for c in chunks
            ]
            items.append(_Item(script, [s for c in chunks for s in c], jobs, edition))
        return items

    def clip(self, item: _Item, fallback: bool = False) -> Clip:
        if item.clip is not None:
            return item.clip
        parts = [j.result for j in item.jobs if j.result is not None]
        pcm, rate, spans = join_chunks(item.sentences, parts)
        return Clip(pcm, rate, tuple(spans), engine=self.engine.name, voice=self.voice.name, fallback=fallback)

    def finish(self, item: _Item) -> None:
        """Make a complete item's clip now and let its chunks go: a long edition's audio
        is then held once (or, with a store, not at all), not twice."""
        if item.clip is None and item.done and not item.error:
            clip = self.clip(item)
            item.clip = self.store.keep(clip) if self.store is not None else clip
            for job in item.jobs:
                job.result = None

    def run(self, items: Sequence[_Item], not_asked: str = "") -> None:
        """Fill every job with a result or an error; cache hits first, then the misses
        (or, with ``not_asked``, the misses fail with that reason and the engine is not asked)."""
        misses: list[_Job] = []
        for item in items:
            for job in item.jobs:
                found = self.cache.get(job.key)
                if found is not None and len(found.spans) == len(job.sentences):
                    self.cache.stats.hit()
                    job.result = found
                    self.on_done(job)
                else:
                    self.cache.stats.miss()
                    misses.append(job)
        if not_asked:
            for job in misses:
                job.error = not_asked
                self.on_done(job)
            return
        self.asked += len(misses)
        if self.engine.remote is not None:
            asyncio.run(self._run_remote(self.engine.remote, items, misses))
        else:
            self._run_here(items, misses)
        # a job's audio may already be let go, its item's clip made (or kept on disk)
        self.answered += sum(1 for job in misses if job.result is not None or items[job.item].clip is not None)

    def _run_here(self, items: Sequence[_Item], misses: Sequence[_Job]) -> None:
        if isinstance(self.engine, Batched):
            self._run_batched(self.engine, misses)
            return
        for job in misses:
            if items[job.item].error:
                # The article already failed; its other chunks would be thrown away.
                job.error = items[job.item].error
            else:
                try:
                    job.result = self.engine.synthesize(job.readings, self.voice)
                except SynthesisError as exc:
                    job.error = str(exc)
                else:
                    self.timer.engine_s += job.result.engine_s
                    self.cache.put(job.key, job.result)
            self.on_done(job)

    def _run_batched(self, engine: Batched, misses: Sequence[_Job]) -> None:
        """Every miss to the engine at once; each result cached and reported as it comes."""
        results = engine.synthesize_many([Request(tuple(job.readings), self.voice) for job in misses])
        try:
            for n, result in results:
                job = misses[n]
                if isinstance(result, SynthesisError):
                    job.error = str(result)
                else:
                    job.result = result
                    self.timer.engine_s += result.engine_s
                    self.cache.put(job.key, result)
                self.on_done(job)
        finally:
            results.close()  # Ctrl-C, or an error here: what has not started is dropped

    async def _run_remote(self, remote: Remote, items: Sequence[_Item], jobs: Sequence[_Job]) -> None:
        slots = asyncio.Semaphore(max(1, remote.concurrency))
        gate = CoolDown()
        clock = NetClock()
        failed_in_a_row = 0
        gave_up = ""

        def failure(exc: EngineFailure) -> EngineFailure:
            nonlocal failed_in_a_row, gave_up
            failed_in_a_row += 1
            if failed_in_a_row >= self.options.give_up_after and not gave_up:
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
                            answer = await remote.fetch(job.readings, self.voice)
                    except EngineFailure as exc:
                        raise failure(exc) from None
                try:
                    result = await asyncio.to_thread(remote.finish, answer, job.readings)
                except EngineFailure as exc:
                    raise failure(exc) from None
                failed_in_a_row = 0
                return result

            label = items[job.item].script.title or "intro"
            try:
                result = await with_retries(call, self.options.retry, gate, label, self.on_retry)
            except EngineFailure as exc:
                job.error = str(exc)
            else:
                # Written the moment it arrives: a build killed later keeps this chunk.
                await asyncio.to_thread(self.cache.put, job.key, result)
                job.result = result
            self.on_done(job)

        try:
            async with asyncio.TaskGroup() as group:
                for job in jobs:
                    group.create_task(one(job))
        except BaseExceptionGroup as errors:
            # A usage error (bad voice) or a bug in one task stops them all; show the first.
            raise errors.exceptions[0] from None
        finally:
            self.timer.engine_s += clock.total_s


def _retry_reporter(engine: Engine, progress: ProgressFn) -> Callable[[Attempt], None]:
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

    return on_retry


def _outcome(session: _Session, item: _Item, fallback: Reader | None, what: str) -> tuple[Clip | None, str, str | None]:
    """An item's clip (from the engine, else read whole by the fallback), or the error;
    and a warning when the fallback read it."""
    error = item.error
    if not error:
        return item.clip if item.clip is not None else session.clip(item), "", None
    engine = session.engine
    if fallback is None or fallback.engine.name == engine.name:
        return None, error, None
    clip, why = _read_with_fallback(item.script, fallback, session, engine.sample_rate)
    if clip is None:
        return None, f"{engine.name} failed ({error}); {fallback.engine.name} failed ({why})", None
    warning = (
        f"{what}: {engine.name} failed ({error}); read by {fallback.engine.name} instead,"
        f" {engine.name} is tried again next build"
    )
    return clip, "", warning


def synthesize_edition(
    scripts: Sequence[Script],
    engine: Engine,
    voice: Voice,
    cache: AudioCache,
    timer: SynthTimer,
    options: SynthOptions | None = None,
    fallback: Reader | None = None,
    progress: ProgressFn = no_progress,
    store: ClipStore | None = None,
    intro: Script | None = None,
) -> SynthReport:
    """Clips for every article that could be read, by ``engine`` or, whole, by the
    fallback; a line per article left out and per fallback used. With a ``store``, each
    clip goes to disk the moment it is whole, so memory holds the articles in progress,
    not the issue. ``intro``: read after the articles in the same queue
    (``SynthReport.intro``), so the cores do not wait for the articles' last sentence
    before starting on it."""
    (report,) = synthesize_editions([scripts], engine, voice, cache, timer, options, fallback, progress, store, [intro])
    return report


def synthesize_editions(
    editions: Sequence[Sequence[Script]],
    engine: Engine,
    voice: Voice,
    cache: AudioCache,
    timer: SynthTimer,
    options: SynthOptions | None = None,
    fallback: Reader | None = None,
    progress: ProgressFn = no_progress,
    store: ClipStore | None = None,
    intros: Sequence[Script | None] = (),
) -> list[SynthReport]:
    """``synthesize_edition`` for the articles of several editions read in one voice,
    through one queue: the engine's cores go from one edition's articles to the next
    without waiting for either to end. One report per edition, in order; progress
    counts the articles of all of them (``intros``, one per edition or none, are read
    in the queue too, after all the articles, and not counted)."""
    session = _Session(engine, voice, cache, timer, options or SynthOptions(), store=store)
    items: list[_Item] = []
    for n, scripts in enumerate(editions):
        items += session.plan(scripts, n, len(items))
    total = len(items)
    intro_items: dict[int, _Item] = {}
    for n, intro in enumerate(intros):
        if intro is not None:
            (intro_items[n],) = session.plan([intro], n, len(items))
            items.append(intro_items[n])
    total_chars = sum(it.script.article.chars for it in items[:total]) or 1
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
        session.finish(item)
        if job.item >= total:  # an intro: not an article
            return
        finished.add(job.item)
        done_chars += item.script.article.chars
        elapsed = time.perf_counter() - t0
        eta = elapsed / done_chars * (total_chars - done_chars) if done_chars else None
        nxt = next((it.script.title for n, it in enumerate(items[:total]) if n not in finished), "")
        progress(Progress("synth", len(finished), total, nxt, timer.audio_done_s, eta))

    session.on_done, session.on_retry = on_done, _retry_reporter(engine, progress)
    if items:
        progress(Progress("synth", 0, total, items[0].script.title, timer.audio_done_s, None))
    session.run(items)

    reports: list[SynthReport] = []
    for n in range(len(editions)):
        clips: list[tuple[Script, Clip]] = []
        failed: list[str] = []
        warnings: list[str] = []
        for item in (it for it in items[:total] if it.edition == n):
            what = f"{item.script.article.index:02d} {item.script.title}"
            clip, error, warning = _outcome(session, item, fallback, what)
            if clip is not None:
                clips.append((item.script, store.keep(clip) if store is not None else clip))
            else:
                failed.append(f"{what}: {error}")
            if warning:
                warnings.append(warning)
        read = intro_items.get(n)
        intro_clip = session.clip(read) if read is not None and not read.error else None
        reports.append(SynthReport(tuple(clips), tuple(failed), tuple(warnings), session.engine_down, intro_clip))
    progress(Progress("synth", total, total, "", timer.audio_done_s, 0.0))
    return reports


def synthesize_intro(
    script: Script,
    engine: Engine,
    voice: Voice,
    cache: AudioCache,
    timer: SynthTimer,
    options: SynthOptions | None = None,
    fallback: Reader | None = None,
    progress: ProgressFn = no_progress,
    engine_down: bool = False,
    store: ClipStore | None = None,
) -> tuple[Clip, tuple[str, ...]]:
    """The intro's clip, and a warning when the fallback read it or it could not be read
    at all (then half a second of silence keeps the edition's layout: intro, gap, articles).

    ``engine_down``: the engine answered nothing for the articles, so it is not asked again
    (another round of deadlines and retries) unless the cache has the intro; the fallback
    reads it.
    """
    session = _Session(engine, voice, cache, timer, options or SynthOptions(), store=store)
    session.on_retry = _retry_reporter(engine, progress)
    (item,) = session.plan([script])
    session.run([item], f"not tried: {engine.name} read none of the articles" if engine_down else "")
    timer.audio_done_s += sum(len(j.result.pcm) / j.result.sample_rate for j in item.jobs if j.result is not None)
    clip, error, warning = _outcome(session, item, fallback, "the intro")
    if clip is None:
        silent = np.zeros(engine.sample_rate // 2, np.int16)
        clip = Clip(pcm=silent, sample_rate=engine.sample_rate, spans=(), engine=engine.name, voice=voice.name)
        warning = f"the intro could not be read ({error}); the edition starts without it"
    return clip, (warning,) if warning else ()


def _read_with_fallback(script: Script, fallback: Reader, main: _Session, rate: int) -> tuple[Clip | None, str]:
    """The whole article read by the fallback engine, at the main engine's sample rate
    (the edition's MP3s are joined without re-encoding, so they must share one format)."""
    session = _Session(fallback.engine, fallback.voice, main.cache, main.timer, main.options)
    try:
        avail = fallback.engine.available()
        if not avail.ok:
            return None, avail.reason
        (item,) = session.plan([script])
        session.run([item])
    except SynthesisError as exc:
        return None, str(exc)
    if item.error:
        return None, item.error
    clip = session.clip(item, fallback=True)
    if clip.sample_rate != rate:
        clip = replace(clip, pcm=resample(clip.audio(), clip.sample_rate, rate), sample_rate=rate)
    main.timer.audio_done_s += clip.duration_s
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
    session = _Session(engine, voice, cache, timer, options or SynthOptions())
    (item,) = session.plan([script])
    session.run([item])
    if item.error:
        raise SynthesisError(f"{engine.name} failed: {item.error}")
    for job in item.jobs:
        if job.result is not None:
            timer.audio_done_s += len(job.result.pcm) / job.result.sample_rate
    return session.clip(item)
