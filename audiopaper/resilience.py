"""Keeping an online engine going: bounded retries with backoff and jitter, a shared
cool-down after 429, a cap on simultaneous connections, and a clock for network time.

Nothing here knows an engine: it retries whatever raises ``errors.EngineFailure``, as the
synth stage drives any engine with a ``Remote`` interface (``engines.base``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from .errors import EngineFailure

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request.

    ``attempts`` counts the first try. Waits grow as ``base_s * 2**n`` up to ``max_s``,
    half of each wait drawn at random so that parallel requests that failed together do
    not come back together. A 429 holds every request for the service's Retry-After,
    or ``cooldown_s``, capped at ``max_cooldown_s``.
    """

    attempts: int = 4
    base_s: float = 1.0
    max_s: float = 20.0
    cooldown_s: float = 30.0
    max_cooldown_s: float = 300.0

    def backoff_s(self, failures: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.max_s, self.base_s * 2 ** max(0, failures - 1))
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)

    def cooldown(self, retry_after_s: float | None) -> float:
        return min(self.max_cooldown_s, retry_after_s if retry_after_s is not None else self.cooldown_s)


class CoolDown:
    """A gate every request passes before connecting; a 429 closes it for a while."""

    def __init__(self) -> None:
        self._until = 0.0

    def hold(self, seconds: float) -> None:
        self._until = max(self._until, time.monotonic() + seconds)

    async def wait(self) -> None:
        while (left := self._until - time.monotonic()) > 0:
            await asyncio.sleep(left)


class NetClock:
    """Wall time during which at least one request is in flight.

    With several connections open at once, summing per-request times would count the
    same second several times; ``engine_s`` must stay a share of ``synth_s``.
    """

    def __init__(self) -> None:
        self.total_s = 0.0
        self._active = 0
        self._since = 0.0

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        if self._active == 0:
            self._since = time.perf_counter()
        self._active += 1
        try:
            yield
        finally:
            self._active -= 1
            if self._active == 0:
                self.total_s += time.perf_counter() - self._since


@dataclass(frozen=True)
class Attempt:
    """A failed try, for progress reports."""

    label: str
    number: int
    error: str
    wait_s: float


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    gate: CoolDown,
    label: str = "",
    on_retry: Callable[[Attempt], None] | None = None,
    rng: random.Random | None = None,
) -> T:
    """``call()`` until it succeeds, a failure is not retryable, or attempts run out.

    Only ``EngineFailure`` (a failure the engine translated and classed) is retried;
    anything else (a usage error, a bug) goes straight up.
    """
    failures = 0
    while True:
        await gate.wait()
        try:
            return await call()
        except EngineFailure as exc:
            failures += 1
            if not exc.retryable or failures >= policy.attempts:
                raise
            if exc.status == 429:
                wait = policy.cooldown(exc.retry_after_s)
                gate.hold(wait)
            else:
                wait = policy.backoff_s(failures, rng)
            if on_retry:
                on_retry(Attempt(label, failures, str(exc), wait))
            if exc.status != 429:
                await asyncio.sleep(wait)
