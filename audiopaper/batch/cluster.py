"""Ray actors as the batch's workers, when one machine is not enough.

Each actor is a ``work.Worker`` in its own process: it builds its engines once, from the
frozen ``WorkerSpec`` (engine names and ``EngineConfig``, never engine objects), opens the
cache from its location (a folder every machine mounts, or an fsspec URL) and reads the
articles it is sent. Work is pulled: an actor is sent another article when one of its
own comes back, so a fast actor takes more. An actor on a GPU (``num_gpus=1``: Ray
places it on a machine that has one, and onnxruntime-gpu reads there) gets a deeper
queue, since it empties it faster. The driver (this process) reads and scripts the
issues and assembles and publishes the editions into OUT.

Ray is an optional extra (``pip install 'audiopaper[cluster]'``); every worker machine
needs audiopaper installed with the same version, and the cache location.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections import deque
from dataclasses import replace
from typing import Any

from ..errors import AudiopaperError, UsageError
from .work import ArticleResult, ArticleTask, Worker, WorkerSpec

INSTALL_HINT = "pip install 'audiopaper[cluster]'"
#: articles in flight per actor: one being read and one waiting, so no actor idles while
#: the driver hands out the next; a GPU actor reads faster and gets more
CPU_DEPTH = 2
GPU_DEPTH = 4
LOCAL = ("auto", "local")


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError("--ray needs Ray, which is not installed", INSTALL_HINT) from None
    return ray


class SynthActor:
    """The body of one Ray actor (made remote in ``RayPool``)."""

    def __init__(self, spec: WorkerSpec, threads: int) -> None:
        # Read with this actor's share of the machine's cores, not all of them.
        os.environ["AUDIOPAPER_KOKORO_THREADS"] = str(max(1, threads))
        self.name = f"{socket.gethostname()} pid {os.getpid()}"
        self.worker = Worker(spec, self.name)

    def where(self) -> str:
        return self.name

    def synthesize(self, task: ArticleTask) -> ArticleResult:
        return self.worker.synthesize(task)


class RayPool:
    """Articles sent to Ray actors that each hold one loaded engine."""

    def __init__(
        self,
        spec: WorkerSpec,
        address: str = "auto",
        workers: int | None = None,
        cpus_per_worker: float = 1.0,
        gpus: int | None = None,
    ) -> None:
        ray = self.ray = import_ray()
        self.started_here = False
        if not ray.is_initialized():
            options: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,
                "logging_level": logging.ERROR,
                "configure_logging": True,
            }
            if address in LOCAL:
                # a local instance big enough for the actors asked for (fractional CPUs allowed)
                need = (workers or 0) * cpus_per_worker
                options["num_cpus"] = max(os.cpu_count() or 1, int(need + 0.999))
                # its workers import what this process can (an engine defined outside the package)
                own = [p for p in sys.path if p and not p.startswith((sys.prefix, sys.base_prefix))]
                options["runtime_env"] = {"env_vars": {"PYTHONPATH": os.pathsep.join(own)}}
            else:
                options["address"] = address
            try:
                ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise AudiopaperError(f"--ray {address}: cannot reach a Ray cluster ({exc})") from None
            self.started_here = True
        resources = ray.cluster_resources()
        cluster_gpus = int(resources.get("GPU", 0))
        gpu_actors = cluster_gpus if gpus is None else min(gpus, cluster_gpus)
        total = workers or max(1, int(resources.get("CPU", 1) // cpus_per_worker))
        gpu_actors = min(gpu_actors, total)
        remote = ray.remote(SynthActor)
        self.actors: list[Any] = []
        self.depth: list[int] = []
        for n in range(total):
            on_gpu = n < gpu_actors
            actor_spec = spec
            if on_gpu:
                actor_spec = replace(spec, engine_config=replace(spec.engine_config, device="gpu"))
            handle = remote.options(num_cpus=cpus_per_worker, num_gpus=1 if on_gpu else 0).remote(
                actor_spec, round(cpus_per_worker)
            )
            self.actors.append(handle)
            self.depth.append(GPU_DEPTH if on_gpu else CPU_DEPTH)
        self.load = [0] * total
        self.waiting: deque[ArticleTask] = deque()
        self.inflight: dict[Any, tuple[int, ArticleTask]] = {}
        self.dead: set[int] = set()
        self.slots = sum(self.depth)
        where = "a local Ray instance" if address in LOCAL else f"the Ray cluster at {address}"
        gpu_note = f" ({gpu_actors} on GPUs)" if gpu_actors else ""
        self.description = f"{total} Ray actors{gpu_note} on {where}"

    def _dispatch(self) -> None:
        while self.waiting:
            free = [(self.depth[i] - self.load[i], i) for i in range(len(self.actors)) if i not in self.dead]
            free = [f for f in free if f[0] > 0]
            if not free:
                return
            _, i = max(free)
            task = self.waiting.popleft()
            ref = self.actors[i].synthesize.remote(task)
            self.inflight[ref] = (i, task)
            self.load[i] += 1

    def submit(self, task: ArticleTask) -> None:
        self.waiting.append(task)
        self._dispatch()

    def pending(self) -> int:
        return len(self.inflight) + len(self.waiting)

    def next_result(self) -> ArticleResult:
        ray = self.ray
        while True:
            self._dispatch()
            if not self.inflight:
                raise AudiopaperError("every Ray actor has died", "check the cluster, then rerun to resume")
            ready, _ = ray.wait(list(self.inflight), num_returns=1)
            ref = ready[0]
            i, task = self.inflight.pop(ref)
            self.load[i] -= 1
            try:
                result: ArticleResult = ray.get(ref)
                return result
            except ray.exceptions.RayActorError:
                # the actor (or its machine) is gone: another one reads the article
                self.dead.add(i)
                self.waiting.appendleft(task)
            except ray.exceptions.RayTaskError as exc:
                cause = exc.cause if isinstance(getattr(exc, "cause", None), BaseException) else None
                if isinstance(cause, AudiopaperError):
                    raise cause from None
                raise

    def close(self, wait: bool = True) -> None:
        for actor in self.actors:
            try:
                self.ray.kill(actor)
            except Exception:  # an actor already gone; nothing to free
                pass
        if self.started_here:
            self.ray.shutdown()
