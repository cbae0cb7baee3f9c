"""The real Kokoro engine behind the synth stage's one queue (issue #15): articles come out
in order with the audio they have when read one chunk at a time, the memory budget sets
how many inferences run at once, and an interrupt or a failing chunk loses no finished
work. Every test here runs the neural model on a few short sentences."""

from __future__ import annotations

import dataclasses
import gc
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audiopaper import engines
from audiopaper.cache import AudioCache
from audiopaper.engines import EngineConfig, kokoro
from audiopaper.engines.base import Reader, Request
from audiopaper.models import Progress, Reading, Script, Voice
from audiopaper.pipeline import BuildOptions, build, load_split
from audiopaper.speech import ScriptOptions, make_script
from audiopaper.speech.pinyin import pinyin_of
from audiopaper.synth import SynthTimer, chunks_for, join_chunks, reading_of, synthesize_edition

from .conftest import DATE, TINY_ISSUE

VOICE = Voice("t", "kokoro", "zf_xiaoxiao")


@pytest.fixture(scope="module")
def engine() -> Iterator[engines.Engine]:
    engine = engines.create("kokoro")
    yield engine
    engine.close()


def tiny_scripts(tmp_path: Path) -> list[Script]:
    issue = tmp_path / "tiny.md"
    issue.write_text(TINY_ISSUE, encoding="utf-8")
    options = ScriptOptions(spellings=("spelled",))
    return [make_script(a, options) for a in load_split([issue]).articles]


def one_at_a_time(engine: engines.Engine, script: Script) -> np.ndarray:
    """The article's PCM with every chunk read by its own ``synthesize`` call, in order."""
    chunks = chunks_for(engine, script.sentences)
    parts = [engine.synthesize([reading_of(s, engine) for s in chunk], VOICE) for chunk in chunks]
    pcm, _, _ = join_chunks([s for c in chunks for s in c], parts)
    return pcm


def cache_entries(root: Path) -> int:
    return sum(1 for _ in root.rglob("*.npz"))


@pytest.mark.slow
def test_an_edition_through_the_queue_is_its_articles_read_one_at_a_time_in_order(
    engine: engines.Engine, tmp_path: Path
) -> None:
    scripts = tiny_scripts(tmp_path)
    assert len(scripts) == 2
    timer = SynthTimer()
    report = synthesize_edition(scripts, engine, VOICE, AudioCache(None), timer)
    assert not report.failed and not report.warnings
    assert [s.title for s, _ in report.clips] == [s.title for s in scripts]  # the issue's order
    for script, clip in report.clips:
        # batching changes which core reads a sentence and when, never a sample
        assert np.array_equal(clip.pcm, one_at_a_time(engine, script))
    assert timer.engine_s > 0


@pytest.mark.slow
def test_an_interrupt_in_the_queue_keeps_what_was_finished_and_the_rerun_asks_only_for_the_rest(
    engine: engines.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Several chunks per article (a smaller chunk size than the engine's), so the queue
    # still holds work when the first article is done.
    monkeypatch.setattr(engine, "chunk_chars", 12)
    scripts = tiny_scripts(tmp_path)
    total = sum(len(chunks_for(engine, s.sentences)) for s in scripts)
    assert total >= 4
    cache = AudioCache(tmp_path / "cache")

    def stop_after_the_first_article(p: Progress) -> None:
        if p.stage == "synth" and p.done >= 1:
            raise KeyboardInterrupt  # what Ctrl-C raises in the main thread

    with pytest.raises(KeyboardInterrupt):
        synthesize_edition(scripts, engine, VOICE, cache, SynthTimer(), progress=stop_after_the_first_article)
    scheduler = kokoro._MODEL.scheduler
    assert scheduler is not None and not scheduler.pending  # the rest of the queue was dropped
    kept = cache_entries(tmp_path / "cache")
    assert 1 <= kept < total

    again = AudioCache(tmp_path / "cache")
    report = synthesize_edition(scripts, engine, VOICE, again, SynthTimer())
    assert (again.stats.hits, again.stats.misses) == (kept, total - kept)
    assert cache_entries(tmp_path / "cache") == total
    assert [s.title for s, _ in report.clips] == [s.title for s in scripts]
    for script, clip in report.clips:
        assert np.array_equal(clip.pcm, one_at_a_time(engine, script))


@pytest.mark.slow
def test_a_chunk_that_fails_in_the_queue_fails_its_article_only_and_the_fallback_reads_it(
    engine: engines.Engine, tmp_path: Path
) -> None:
    scripts = tiny_scripts(tmp_path)
    # a sentence whose pinyin does not match its text: kokoro refuses it
    broken = scripts[1].sentences[-1]
    bad = dataclasses.replace(broken, readings=(Reading("spelled", broken.text, ()),))
    scripts[1] = dataclasses.replace(scripts[1], sentences=(*scripts[1].sentences[:-1], bad))
    cache = AudioCache(tmp_path / "cache")

    alone = synthesize_edition(scripts, engine, VOICE, cache, SynthTimer())
    assert [s.title for s, _ in alone.clips] == [scripts[0].title]
    assert len(alone.failed) == 1 and scripts[1].title in alone.failed[0] and "pinyin" in alone.failed[0]
    assert np.array_equal(alone.clips[0][1].pcm, one_at_a_time(engine, scripts[0]))
    assert cache_entries(tmp_path / "cache") >= 1  # the good article's chunks were kept

    fallback = Reader(engines.create("espeak"), Voice("news-female", "espeak", "cmn"))
    helped = synthesize_edition(scripts, engine, VOICE, cache, SynthTimer(), fallback=fallback)
    assert [s.title for s, _ in helped.clips] == [s.title for s in scripts]
    first, second = helped.clips[0][1], helped.clips[1][1]
    assert (first.engine, first.fallback) == ("kokoro", False)
    assert (second.engine, second.fallback) == ("espeak", True) and second.sample_rate == first.sample_rate
    assert len(helped.warnings) == 1 and "read by espeak" in helped.warnings[0]


@pytest.mark.slow
def test_the_memory_budget_sets_how_many_inferences_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh shared model, so its budget is measured here.
    monkeypatch.setattr(kokoro, "_MODEL", kokoro._Model())
    running = 0
    most = 0
    lock = threading.Lock()
    real_infer = kokoro._Model.infer

    def counted(self: kokoro._Model, *args: Any) -> np.ndarray:
        # watches the real inference (its audio is what the test compares), does not replace it
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return real_infer(self, *args)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(kokoro._Model, "infer", counted)
    texts = ("今天天气很好。", "我们去公园散步吧。", "明天见。", "图书馆开放到九点。")
    requests = [Request((Reading("spelled", t, pinyin_of(t)),), VOICE) for t in texts]

    roomy = engines.create("kokoro", EngineConfig(max_memory_mb=100_000))
    try:
        free = dict(roomy.synthesize_many(requests))  # type: ignore[attr-defined]
        workers = kokoro._MODEL.workers
    finally:
        roomy.close()
    assert min(2, workers) <= most <= workers  # side by side when the budget has room

    most = 0
    tight = engines.create("kokoro", EngineConfig(max_memory_mb=300))  # less than the model itself
    try:
        one_by_one = dict(tight.synthesize_many(requests))  # type: ignore[attr-defined]
        assert kokoro._MODEL.room_mb == 0
    finally:
        tight.close()
    assert most == 1  # never two at once, and still every request read
    for n in range(len(texts)):
        assert np.array_equal(free[n].pcm, one_by_one[n].pcm)  # type: ignore[union-attr]


def test_a_build_leaves_no_stored_audio_behind(tmp_path: Path) -> None:
    # Finished articles' PCM is kept in a folder of the edition during the build: once
    # the build returns, neither that folder nor a descriptor open on a file in it is left.
    issue = tmp_path / "tiny.md"
    issue.write_text(TINY_ISSUE, encoding="utf-8")
    out = tmp_path / "o"
    build([issue], BuildOptions(out=out, engine="espeak", date=DATE))
    gc.collect()
    assert not list(out.rglob(".build-*")) and not list(out.rglob("*.pcm"))
    fds = Path("/proc/self/fd")
    if fds.is_dir():
        assert [link for link in map(_link, fds.iterdir()) if link.startswith(str(out))] == []


def _link(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:  # closed since it was listed
        return ""


@pytest.mark.slow
def test_closing_while_the_model_loads_in_the_background_does_not_wait_and_frees_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kokoro, "_MODEL", kokoro._Model())
    engine = engines.create("kokoro")
    engine.prepare()  # type: ignore[attr-defined]
    loader = engine._loading  # type: ignore[attr-defined]
    assert loader is not None
    engine.close()  # e.g. every chunk came from the cache: the model was never needed
    assert loader.is_alive()  # the build goes on; loading takes seconds
    loader.join()
    assert kokoro._MODEL.users == 0 and kokoro._MODEL.session is None

    engine = engines.create("kokoro")
    engine.prepare()  # type: ignore[attr-defined]
    try:
        result = engine.synthesize([Reading("spelled", "你好。", pinyin_of("你好。"))], VOICE)
        assert len(result.pcm) > 0 and kokoro._MODEL.users == 1  # the background load, used once
    finally:
        engine.close()
    assert kokoro._MODEL.users == 0 and kokoro._MODEL.session is None
