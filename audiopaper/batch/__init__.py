"""`audiopaper batch`: many issues in one run, into one OUT of one or several papers.

One engine load for the whole run (per worker), the articles of every issue through one
work queue (``work.Pool``: this process, worker processes, or Ray actors), and each
edition published as soon as its own last article is back, while the workers go on
with the next issues. A rerun skips the editions that are finished (``resume``) and
builds the rest from the cache, so only missing audio is synthesized. One bad issue is
reported and skipped; the others finish.

Issues are read and scripted here, in the order given, only as far ahead as keeps the
workers busy; synthesized editions wait for the publishers in memory, so reading ahead
stops while the publishers are behind.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import itertools
import os
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from ..clipstore import ClipStore
from ..engines import select
from ..errors import AudiopaperError, EngineUnavailable, UsageError
from ..fsutil import clean_dead_work, clean_partials
from ..models import Progress, ProgressFn, no_progress
from ..pipeline import (
    BuildOptions,
    BuildResult,
    Prepared,
    StageClock,
    Voiced,
    check_options,
    claimed,
    finish,
    prepare,
    recipe_of,
)
from ..publish import home_settings, regenerate, remembered, write_site_index
from ..publish.feed import DEFAULT_BASE_URL, url_for
from ..publish.homes import homes, is_site, site_lock
from ..settings import PaperSettings, Settings, remembered_layer
from .plan import BatchIssue, PaperPlan
from .resume import Finished, finished_editions
from .work import INTRO, ArticleResult, ArticleTask, Pool, ReaderSpec

Status = Literal["built", "partial", "skipped", "failed"]


@dataclass(frozen=True)
class IssueOutcome:
    """What became of one issue of the batch."""

    files: tuple[Path, ...]
    status: Status
    paper: str | None = None
    date: dt.date | None = None
    folder: Path | None = None  # the edition's folder
    articles: int = 0
    failed: tuple[str, ...] = ()  # articles left out (partial), or why the issue failed
    audio_s: float = 0.0
    seconds: float = 0.0  # from reading the issue to its manifest
    warnings: tuple[str, ...] = ()
    cache_hits: int = 0
    cache_misses: int = 0
    engine_s: float = 0.0


@dataclass(frozen=True)
class BatchReport:
    out: Path
    outcomes: tuple[IssueOutcome, ...]
    seconds: float
    workers: str  # the pool, in words

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return not any(o.status in ("failed", "partial") for o in self.outcomes)

    @property
    def audio_s(self) -> float:
        return sum(o.audio_s for o in self.outcomes if o.status in ("built", "partial"))

    @property
    def cache_misses(self) -> int:
        return sum(o.cache_misses for o in self.outcomes)

    @property
    def cache_hits(self) -> int:
        return sum(o.cache_hits for o in self.outcomes)


@dataclass
class _Edition:
    """An edition between reading and publishing."""

    n: int
    issue: BatchIssue
    prepared: Prepared
    cast: select.Cast
    clock: StageClock
    reader: ReaderSpec
    started: float
    #: the edition's folder, held by this run from reading to its manifest, and the
    #: store its clips wait in for the publisher (on disk: memory is bounded by the article)
    claim: contextlib.ExitStack
    store: ClipStore
    voiced_at: float = 0.0
    results: dict[int, ArticleResult] = field(default_factory=dict)
    intro: ArticleResult | None = None
    #: the articles the queued intro names (all of them, until some fail)
    intro_names: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return len(self.prepared.scripts)

    @property
    def label(self) -> str:
        facts = self.prepared.facts
        return f"{facts.paper or '(no paper name)'} {facts.date.isoformat()}"

    def read(self) -> tuple[int, ...]:
        return tuple(i for i in range(self.size) if self.results[i].clip is not None)


def _reader(cast: select.Cast) -> ReaderSpec:
    stand_in = cast.fallback
    return ReaderSpec(
        cast.main.engine.name,
        cast.main.voice,
        stand_in.engine.name if stand_in else None,
        stand_in.voice if stand_in else None,
    )


class _Batch:
    def __init__(
        self, issues: Sequence[BatchIssue], out: Path, pool: Pool, progress: ProgressFn, publishers: int
    ) -> None:
        self.out, self.pool, self.progress = out, pool, progress
        self.waiting: deque[BatchIssue] = deque(issues)
        self.queue: deque[ArticleTask] = deque()
        self.editions: dict[int, _Edition] = {}
        self.publisher = cf.ThreadPoolExecutor(max(1, publishers), thread_name_prefix="publish")
        self.publishers = max(1, publishers)
        self.publishing: dict[cf.Future[BuildResult], _Edition] = {}
        self.outcomes: list[IssueOutcome] = []
        self.casts: dict[tuple[str, str | None, str | None], select.Cast] = {}
        self.finished: dict[str, Finished] = finished_editions(out)
        self.touched: set[Path] = set()  # homes an edition was published into
        self.skipped_homes: dict[Path, PaperPlan] = {}
        self.numbers = itertools.count(1)
        self.started = time.perf_counter()
        self.total_issues = len(issues)
        self.bytes_left = sum(p.stat().st_size for i in issues for p in i.files.paths if p.is_file())
        self.chars_known = self.chars_done = 0
        self.bytes_read = 0
        self.articles_known = self.articles_done = 0
        self.audio_s = 0.0

    # -- the loop ------------------------------------------------------------------

    def run(self) -> list[IssueOutcome]:
        # what a killed run left at the top of OUT and its homes (feeds, pages, papers.json)
        for folder in {self.out, *(home.path for home in homes(self.out))}:
            clean_partials(folder, recursive=False)
        try:
            while True:
                self._reap(block=False)
                self._read_ahead()
                self._feed()
                if self.pool.pending():
                    self._take(self.pool.next_result())
                elif self.publishing:
                    self._reap(block=True)
                elif not self.waiting and not self.queue:
                    break
            self._refresh_skipped()
        except BaseException:
            # Ctrl-C or a failure that stops the run: do not wait for editions being assembled
            # (their files are written atomically; a rerun builds them from the cache)
            self.publisher.shutdown(wait=False, cancel_futures=True)
            for ed in self.editions.values():
                ed.claim.close()  # those being published keep theirs until the process ends
            raise
        else:
            self.publisher.shutdown(wait=True)
        finally:
            for cast in self.casts.values():
                cast.close()
        return self.outcomes

    def _read_ahead(self) -> None:
        """Read and script issues while the queue runs short, unless the publishers
        are behind (their editions' audio waits in memory)."""
        while self.waiting and len(self.queue) < 2 * self.pool.slots and len(self.publishing) <= self.publishers:
            self._begin(self.waiting.popleft())

    def _feed(self) -> None:
        while self.queue and self.pool.pending() < self.pool.slots:
            self.pool.submit(self.queue.popleft())

    # -- one issue -----------------------------------------------------------------

    def _cast(self, options: BuildOptions) -> select.Cast:
        key = (options.engine, options.voice, options.fallback)
        if key not in self.casts:
            # Chosen once for the run (``auto`` probes once); the engines that read are the
            # workers' own, built from the names this decides.
            self.casts[key] = select.cast(options.engine, options.voice, options.fallback, options.engine_config)
        return self.casts[key]

    def _begin(self, issue: BatchIssue) -> None:
        t0 = time.perf_counter()
        paths, options = issue.files.paths, issue.plan.options
        self.bytes_left -= sum(p.stat().st_size for p in paths if p.is_file())
        cast = self._cast(options)  # an engine that cannot run here stops the batch
        clock = StageClock()
        try:
            recipe = recipe_of(paths, options, cast)
            done = self.finished.get(recipe)
            if done is not None and self._still_current(done, issue.plan):
                # a run killed after the manifest, before its clips were let go, left them
                clean_dead_work(done.folder)
                self.outcomes.append(self._skipped(issue, done))
                self.skipped_homes.setdefault(done.home.path, issue.plan)
                return
            prepared = prepare(paths, options, cast, clock, recipe=recipe)
        except (EngineUnavailable, UsageError):
            raise
        except AudiopaperError as exc:
            self._failed(issue, str(exc), time.perf_counter() - t0)
            return
        twin = next((e for e in self._in_flight() if e.prepared.folder == prepared.folder), None)
        if twin is not None:
            # the same paper and date twice in one run: its folder is held by this process,
            # and flock would wait for ourselves
            rel = prepared.folder.relative_to(self.out).as_posix()
            twin_files = ", ".join(str(p) for p in twin.issue.files.paths)
            self._failed(issue, f"{rel} is also the edition of {twin_files} in this run", time.perf_counter() - t0)
            return
        claim = contextlib.ExitStack()
        try:
            # a single build of the same edition running now: wait for it (its audio is then cached)
            prepared = claim.enter_context(claimed(prepared, self.progress))
            store = claim.enter_context(ClipStore(prepared.folder))
        except BaseException as exc:
            claim.close()
            if not isinstance(exc, AudiopaperError):
                raise
            self._failed(issue, str(exc), time.perf_counter() - t0)
            return
        n = next(self.numbers)
        ed = _Edition(n, issue, prepared, cast, clock, _reader(cast), t0, claim, store)
        self.editions[n] = ed
        tasks = [ArticleTask(n, i, s, ed.reader) for i, s in enumerate(prepared.scripts)]
        ed.intro_names = tuple(range(ed.size))
        intro = ArticleTask(n, INTRO, prepared.intro([s.article for s in prepared.scripts]), ed.reader)
        self.queue.extend([*tasks, intro])
        self.articles_known += ed.size
        self.chars_known += sum(s.article.chars for s in prepared.scripts)
        self.bytes_read += sum(p.stat().st_size for p in paths if p.is_file())
        self.progress(Progress(ed.label, 0, ed.size + 1, f"{ed.size} articles to read", item=True))

    def _in_flight(self) -> list[_Edition]:
        return [*self.editions.values(), *self.publishing.values()]

    def _still_current(self, done: Finished, plan: PaperPlan) -> bool:
        """A finished edition is skipped only while its public URL is the one this run
        publishes its home under (chapters.json links to it)."""
        try:
            site = home_settings(done.home, plan.options.request.layers if plan.options.request else ()).site
        except AudiopaperError:
            return False
        rel = done.folder.relative_to(done.home.path).as_posix()
        return url_for(site.base_url or DEFAULT_BASE_URL, f"{rel}/") == done.url

    # -- results -------------------------------------------------------------------

    def _take(self, result: ArticleResult) -> None:
        ed = self.editions.get(result.edition)
        if ed is None:
            return
        if result.clip is not None:
            result = replace(result, clip=ed.store.keep(result.clip))
        if result.position == INTRO:
            ed.intro = result
        else:
            ed.results[result.position] = result
            script = ed.prepared.scripts[result.position]
            self.articles_done += 1
            self.chars_done += script.article.chars
            if result.clip is not None:
                self.audio_s += result.clip.duration_s
            self.progress(Progress(ed.label, len(ed.results), ed.size + 1, script.title, item=True))
            self._overall(script.title)
        if len(ed.results) < ed.size or ed.intro is None:
            return
        read = ed.read()
        if not read:
            del self.editions[ed.n]
            why = "every article failed to synthesize: " + "; ".join(r.error for r in ed.results.values())[:300]
            self._failed(ed.issue, why, time.perf_counter() - ed.started, ed)
            return
        if read != ed.intro_names:
            # Some articles failed: the intro must not announce them. Read it again, first.
            ed.intro_names, ed.intro = read, None
            scripts = ed.prepared.scripts
            intro = ed.prepared.intro([scripts[i].article for i in read])
            self.queue.appendleft(ArticleTask(ed.n, INTRO, intro, ed.reader))
            return
        self._publish(ed)

    def _overall(self, note: str) -> None:
        """Articles done of all (those of issues not read yet estimated from their size),
        and the time left at this run's pace so far."""
        elapsed = time.perf_counter() - self.started
        unread = max(0, self.bytes_left) / self.bytes_read if self.bytes_read else 0.0  # in issues read so far
        chars_left = self.chars_known - self.chars_done + self.chars_known * unread
        eta = elapsed / self.chars_done * chars_left if self.chars_done else None
        total = max(self.articles_done, self.articles_known + round(self.articles_known * unread))
        self.progress(Progress("batch", self.articles_done, total, note, self.audio_s, eta))

    def _publish(self, ed: _Edition) -> None:
        del self.editions[ed.n]
        results = [ed.results[i] for i in range(ed.size)]
        assert ed.intro is not None and ed.intro.clip is not None
        scripts = ed.prepared.scripts
        every = [*results, ed.intro]
        voiced = Voiced(
            clips=tuple((scripts[i], r.clip) for i, r in enumerate(results) if r.clip is not None),
            intro=ed.intro.clip,
            failed=tuple(r.error for r in results if r.clip is None),
            warnings=tuple(w for r in every for w in r.warnings),
            engine_s=sum(r.engine_s for r in every),
            cache_hits=sum(r.cache_hits for r in every),
            cache_misses=sum(r.cache_misses for r in every),
        )
        ed.voiced_at = time.perf_counter()
        ed.clock.add("synth", ed.voiced_at - ed.started - sum(ed.clock.spent.values()))
        self.progress(Progress(ed.label, ed.size, ed.size + 1, "publishing", item=True))
        future = self.publisher.submit(finish, ed.prepared, voiced, ed.issue.plan.options, ed.cast, ed.clock)
        self.publishing[future] = ed

    def _reap(self, block: bool) -> None:
        if not self.publishing:
            return
        if block:
            done, _ = cf.wait(list(self.publishing), return_when=cf.FIRST_COMPLETED)
        else:
            done = {f for f in self.publishing if f.done()}
        for future in done:
            ed = self.publishing.pop(future)
            seconds = time.perf_counter() - ed.started
            ed.claim.close()  # its clips were read into the MP3s; the folder is free
            try:
                result = future.result()
            except AudiopaperError as exc:
                self._failed(ed.issue, str(exc), seconds, ed)
                continue
            except Exception as exc:  # an unexpected failure in one edition must not end the others
                self._failed(ed.issue, f"{type(exc).__name__}: {exc}", seconds, ed)
                continue
            self.touched.add(ed.prepared.home.path)
            edition = result.edition
            stats = result.stats
            outcome = IssueOutcome(
                ed.issue.files.paths,
                "partial" if edition.failed else "built",
                edition.paper,
                edition.date,
                edition.folder,
                len(edition.articles),
                edition.failed,
                edition.duration_s,
                seconds,
                result.warnings,
                stats.cache_hits,
                stats.cache_misses,
                stats.timings.engine_s,
            )
            self.outcomes.append(outcome)
            rel = edition.folder.relative_to(self.out).as_posix()
            self.progress(Progress(ed.label, ed.size + 1, ed.size + 1, f"published {rel}", item=True))

    # -- outcomes ------------------------------------------------------------------

    def _skipped(self, issue: BatchIssue, done: Finished) -> IssueOutcome:
        date = dt.date.fromisoformat(done.date)
        return IssueOutcome(
            issue.files.paths, "skipped", done.paper, date, done.folder, done.articles, (), done.duration_s
        )

    def _failed(self, issue: BatchIssue, why: str, seconds: float, ed: _Edition | None = None) -> None:
        facts = ed.prepared.facts if ed is not None else None
        if ed is not None:
            ed.claim.close()
        outcome = IssueOutcome(
            issue.files.paths,
            "failed",
            facts.paper if facts else issue.plan.name,
            facts.date if facts else issue.files.date,
            ed.prepared.folder if ed is not None else None,
            failed=(why,),
            seconds=seconds,
        )
        self.outcomes.append(outcome)
        label = ed.label if ed is not None else issue.files.label
        self.progress(Progress(label, 1, 1, f"failed: {why}", item=True))

    def _refresh_skipped(self) -> None:
        """A home whose editions were all skipped gets its feeds and pages again only if
        this run asks for other settings than it remembers (a new owner, a new URL)."""
        for path, plan in self.skipped_homes.items():
            if path in self.touched:
                continue
            done = next(f for f in self.finished.values() if f.home.path == path)
            layers = plan.options.request.layers if plan.options.request else ()
            chosen = home_settings(done.home, layers)
            wanted = remembered_layer(Settings(PaperSettings(show=chosen.show), chosen.site))
            if {k: remembered(path).get(k) for k in wanted} != wanted:
                regenerate(path, chosen.show, chosen.site)
        if is_site(self.out) and (self.touched or self.skipped_homes):
            with site_lock(self.out):
                write_site_index(self.out)


def run(
    issues: Sequence[BatchIssue],
    out: Path,
    pool: Pool,
    progress: ProgressFn = no_progress,
    publishers: int = 1,
) -> BatchReport:
    """Build every issue into ``out`` with ``pool``'s workers; never raises for one bad
    issue (it is in the report), only for what would fail them all."""
    t0 = time.perf_counter()
    for plan in {i.plan.name: i.plan for i in issues}.values():
        check_options(plan.options)
    batch = _Batch(issues, out, pool, progress, publishers)
    outcomes = batch.run()
    # in the order the issues were given (editions are published in whatever order they finish)
    given = {issue.files.paths: n for n, issue in enumerate(issues)}
    outcomes.sort(key=lambda o: given.get(o.files, len(given)))
    return BatchReport(out, tuple(outcomes), time.perf_counter() - t0, pool.description)


def default_publishers() -> int:
    """Editions assembled at once: each keeps about one core busy (mastering in numpy,
    two ffmpeg encoders); more than the cores only makes each one slower."""
    return max(1, min(4, os.cpu_count() or 1))
