"""The batch's unit of work: one article (or an edition's intro) to read, and a pool of
workers that read them and say when each is done.

Synthesis is independent per article, so a batch hands articles out rather than issues:
the last articles of one edition and the first of the next keep every worker busy, and
an edition is published as soon as its own last article is back. The interface is small
on purpose (``Worker.run``: "read these articles with this engine, voice and cache, and
call me back as each is done"), so the same call runs in this process, in worker
processes, or in Ray actors on other machines, and a smarter scheduler inside the synth
stage (one queue across articles, issue #15) can take its place without the batch
changing.

A worker builds its engines itself, once, from a frozen ``WorkerSpec`` (engine names
and ``EngineConfig``, never engine objects, cross process boundaries), and opens the
cache from its location: a folder every worker can reach, or an fsspec URL.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ..cache import AudioCache, open_cache
from ..engines import EngineConfig, Reader, create
from ..engines.base import Plugin, install
from ..errors import AudiopaperError, EngineUnavailable
from ..models import Clip, Script, Voice
from ..resilience import RetryPolicy
from ..synth import SynthOptions, SynthTimer, synthesize_edition, synthesize_intro

#: the position an edition's intro takes among its tasks
INTRO = -1


@dataclass(frozen=True)
class ReaderSpec:
    """Who reads a task: an engine by name (already chosen: never ``auto``), its voice,
    and the offline engine and voice that read, whole, what it could not."""

    engine: str
    voice: Voice
    fallback: str | None = None
    fallback_voice: Voice | None = None


@dataclass(frozen=True)
class ArticleTask:
    """One article of one edition of the batch (``position`` INTRO: the intro)."""

    edition: int
    position: int
    script: Script
    reader: ReaderSpec
    #: for an intro: the engine read none of the edition's articles, so it is not asked
    #: again (the fallback reads the intro)
    engine_down: bool = False

    @property
    def key(self) -> tuple[int, int]:
        return (self.edition, self.position)

    @property
    def intro(self) -> bool:
        return self.position == INTRO


@dataclass(frozen=True)
class ArticleResult:
    """What reading one task gave: its clip, or why there is none."""

    edition: int
    position: int
    clip: Clip | None
    error: str = ""
    warnings: tuple[str, ...] = ()
    engine_s: float = 0.0
    cache_hits: int = 0
    cache_misses: int = 0
    #: the engine was asked for audio and gave none (its service is down)
    engine_down: bool = False
    worker: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.edition, self.position)


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs to build its engines and open the cache; frozen and
    small, so it can be sent to another process or machine."""

    cache: str | None  # a folder or an fsspec URL; None: no cache
    engine_config: EngineConfig = field(default_factory=EngineConfig)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: engines registered from outside the package (``engines.base.plugins``)
    plugins: tuple[Plugin, ...] = ()


class Worker:
    """Reads tasks with engines it creates on first use and keeps (one model load per
    process), writing every chunk to the shared cache as it is made."""

    def __init__(self, spec: WorkerSpec, name: str = "") -> None:
        self.spec = spec
        self.name = name or f"pid {os.getpid()}"
        install(spec.plugins)
        self.cache: AudioCache = open_cache(spec.cache)
        self.cache.clean_stale()
        self._readers: dict[tuple[str, Voice], Reader] = {}

    def _reader(self, engine: str, voice: Voice) -> Reader:
        found = self._readers.get((engine, voice))
        if found is None:
            made = create(engine, self.spec.engine_config)
            avail = made.available()
            if not avail.ok:
                raise EngineUnavailable(f"engine {engine!r} unavailable on {self.name}: {avail.reason}", avail.hint)
            found = self._readers[(engine, voice)] = Reader(made, voice)
        return found

    def synthesize(self, task: ArticleTask) -> ArticleResult:
        """One task, with today's synth stage (chunking, cache, retries, fallback)."""
        spec = task.reader
        main = self._reader(spec.engine, spec.voice)
        fallback = (
            self._reader(spec.fallback, spec.fallback_voice)
            if spec.fallback is not None and spec.fallback_voice is not None
            else None
        )
        timer, options = SynthTimer(), SynthOptions(self.spec.retry)
        hits, misses = self.cache.stats.hits, self.cache.stats.misses
        clip: Clip | None
        if task.intro:
            clip, warnings = synthesize_intro(
                task.script, main.engine, main.voice, self.cache, timer, options, fallback, engine_down=task.engine_down
            )
            error, down = "", False
        else:
            report = synthesize_edition([task.script], main.engine, main.voice, self.cache, timer, options, fallback)
            clip = report.clips[0][1] if report.clips else None
            error = report.failed[0] if report.failed else ""
            warnings, down = report.warnings, report.engine_down
        return ArticleResult(
            task.edition,
            task.position,
            clip,
            error,
            tuple(warnings),
            timer.engine_s,
            self.cache.stats.hits - hits,
            self.cache.stats.misses - misses,
            down,
            self.name,
        )

    def run(self, tasks: Iterable[ArticleTask], on_done: Callable[[ArticleResult], None]) -> None:
        """Read ``tasks`` in order, calling ``on_done`` as each one is done."""
        for task in tasks:
            on_done(self.synthesize(task))

    def close(self) -> None:
        for reader in self._readers.values():
            reader.engine.close()
        self._readers.clear()


class Pool(Protocol):
    """Workers reading tasks: the batch keeps ``slots`` tasks submitted (so no worker
    waits for the next) and takes results in the order they finish."""

    @property
    def slots(self) -> int: ...

    @property
    def description(self) -> str: ...

    def submit(self, task: ArticleTask) -> None: ...

    def pending(self) -> int:
        """Tasks submitted whose result has not been taken."""
        ...

    def next_result(self) -> ArticleResult:
        """The next result to finish (blocks); only while ``pending()``."""
        ...

    def close(self, wait: bool = True) -> None:
        """Let the workers go; ``wait=False`` (Ctrl-C): without waiting for their tasks."""
        ...


class LocalPool:
    """One worker in this process: the default, and all a single machine needs for an
    engine that uses every core itself. Tasks are read when a result is asked for, up to
    ``slots`` at a time in one ``Worker.run`` (today's synth stage reads one article at a
    time; a scheduler that reads several at once across their ends fits here)."""

    def __init__(self, spec: WorkerSpec, slots: int = 1) -> None:
        self.worker = Worker(spec, "this process")
        self.slots = slots
        self._queue: deque[ArticleTask] = deque()
        self._done: deque[ArticleResult] = deque()
        self.description = "1 worker in this process"

    def submit(self, task: ArticleTask) -> None:
        self._queue.append(task)

    def pending(self) -> int:
        return len(self._queue) + len(self._done)

    def next_result(self) -> ArticleResult:
        if not self._done:
            tasks = [self._queue.popleft() for _ in range(min(self.slots, len(self._queue)))]
            self.worker.run(tasks, self._done.append)
        return self._done.popleft()

    def close(self, wait: bool = True) -> None:
        self.worker.close()


_WORKER: Worker | None = None


def _start_worker(spec: WorkerSpec, threads: int) -> None:
    global _WORKER
    # Each worker process reads with its share of the cores, not all of them.
    os.environ.setdefault("AUDIOPAPER_KOKORO_THREADS", str(threads))
    _WORKER = Worker(spec)


def _work(task: ArticleTask) -> ArticleResult:
    assert _WORKER is not None, "worker process not started"
    return _WORKER.synthesize(task)


class ProcessPool:
    """``n`` worker processes on this machine, each with its own engines: for engines
    that read on one core (espeak), or to keep cores busy while others wait."""

    def __init__(self, spec: WorkerSpec, n: int) -> None:
        threads = max(1, (os.cpu_count() or 1) // n)
        # spawn: a fresh interpreter, not a fork of one holding threads and a loaded model
        self._executor = cf.ProcessPoolExecutor(
            n, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(spec, threads)
        )
        self._futures: set[cf.Future[ArticleResult]] = set()
        self._done: deque[cf.Future[ArticleResult]] = deque()
        self.slots = n
        self.description = f"{n} worker processes on this machine"

    def submit(self, task: ArticleTask) -> None:
        self._futures.add(self._executor.submit(_work, task))

    def pending(self) -> int:
        return len(self._futures) + len(self._done)

    def next_result(self) -> ArticleResult:
        if not self._done:
            finished, self._futures = cf.wait(self._futures, return_when=cf.FIRST_COMPLETED)
            self._done.extend(finished)
        future = self._done.popleft()
        try:
            return future.result()
        except cf.process.BrokenProcessPool:
            raise AudiopaperError("a worker process died", "rerun to resume; finished audio is kept") from None

    def close(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)


def local_pool(spec: WorkerSpec, workers: int = 1) -> Pool:
    """The pool for ``--workers N`` on this machine."""
    return LocalPool(spec) if workers <= 1 else ProcessPool(spec, workers)
