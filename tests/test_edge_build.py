"""Whole builds with edge against the loopback server: retries, cool-down, concurrency,
failover and the cache. Fallbacks read with espeak here (fast); the CLI tests use kokoro."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from audiopaper.engines import EngineConfig
from audiopaper.errors import AudiopaperError
from audiopaper.pipeline import BuildOptions, build
from audiopaper.resilience import RetryPolicy

from .conftest import EXCERPT
from .edgefake import serving
from .test_pipeline import decodes

FAST = RetryPolicy(attempts=3, base_s=0.05, max_s=0.2, cooldown_s=0.5)
DATE = dt.date(2022, 1, 28)


def options(out: Path, timeout_s: float = 5.0, concurrency: int = 4, **kw: object) -> BuildOptions:
    base: dict[str, object] = {
        "out": out,
        "engine": "edge",
        "date": DATE,
        "fallback": "espeak",
        "retry": FAST,
        "engine_config": EngineConfig(timeout_s=timeout_s, concurrency=concurrency),
    }
    base.update(kw)
    return BuildOptions(**base)  # type: ignore[arg-type]


def manifest(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "editions" / DATE.isoformat() / "manifest.json").read_text(encoding="utf-8"))


def test_ok_reads_the_edition_with_the_requested_voice(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    with serving(monkeypatch) as server:
        result = build([tiny_issue], options(tmp_path / "o", voice="news-male"))
    doc = result.manifest
    assert doc["edition"]["engine"] == "edge" and doc["edition"]["engine_voice"] == "zh-CN-YunyangNeural"
    assert [a["engine"] for a in doc["articles"]] == ["edge", "edge"]
    assert not any(a.get("fallback") for a in doc["articles"]) and not result.warnings
    assert {r.voice for r in server.stats.requests} == {"zh-CN-YunyangNeural"}
    # Every sentence of the issue was sent, in whole sentences, once.
    sent = "".join(r.text for r in server.stats.requests)
    assert "市民纷纷出门赏雪。" in sent and "春节期间，市图书馆每天开放到晚上九点。" in sent
    assert doc["cache"]["misses"] == len(server.stats.requests)
    assert 0 < doc["timings"]["engine_s"] <= doc["timings"]["synth_s"]
    folder = tmp_path / "o" / "editions" / DATE.isoformat()
    for art in doc["articles"]:
        assert decodes(folder / art["mp3"])
        assert "-->" in (folder / art["vtt"]).read_text(encoding="utf-8")
    assert decodes(result.edition.mp3)


@pytest.mark.parametrize("refusals", [1, 3])
def test_403_then_success(monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path, refusals: int) -> None:
    # One 403 is absorbed by edge-tts's own clock-skew retry; three need ours.
    with serving(monkeypatch, "403-once", fail_times=refusals) as server:
        result = build([tiny_issue], options(tmp_path / "o", concurrency=1))
    assert [a["engine"] for a in result.manifest["articles"]] == ["edge", "edge"]
    assert server.stats.refused == refusals and not result.warnings


def test_503_is_retried_with_backoff(monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path) -> None:
    with serving(monkeypatch, "503", fail_times=2) as server:
        result = build([tiny_issue], options(tmp_path / "o", concurrency=1))
    assert [a["engine"] for a in result.manifest["articles"]] == ["edge", "edge"]
    assert server.stats.refused == 2 and not result.warnings


def test_429_cools_every_request_down(monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path) -> None:
    seen: list[str] = []
    with serving(monkeypatch, "429", fail_times=1, retry_after="1") as server:
        t0 = time.perf_counter()
        result = build([tiny_issue], options(tmp_path / "o", concurrency=1), progress=lambda p: seen.append(p.message))
        elapsed = time.perf_counter() - t0
    assert [a["engine"] for a in result.manifest["articles"]] == ["edge", "edge"]
    assert server.stats.refused == 1 and elapsed >= 1.0  # waited the service's Retry-After
    assert any("429" in m and "waiting 1.0 s" in m for m in seen)


@pytest.mark.parametrize("behaviour", ["403-always", "no-audio", "close-midway", "hang"])
def test_failed_articles_are_read_whole_by_the_fallback(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path, behaviour: str
) -> None:
    with serving(monkeypatch, behaviour) as server:
        t0 = time.perf_counter()
        result = build([tiny_issue], options(tmp_path / "o", timeout_s=1.0, retry=RetryPolicy(2, 0.05, 0.1)))
        elapsed = time.perf_counter() - t0
    doc = result.manifest
    assert [(a["engine"], a.get("fallback")) for a in doc["articles"]] == [("espeak", True), ("espeak", True)]
    # every article (and the intro) was read by the fallback: the edition is named after it (#16)
    assert doc["edition"]["engine"] == "espeak" and doc["edition"]["fallback_engine"] == "espeak"
    assert doc["edition"]["intro_engine"] == "espeak" and doc["edition"]["intro_fallback"] is True
    assert len(result.warnings) == 3  # two articles and the intro
    assert all("read by espeak" in w and "tried again next build" in w for w in result.warnings)
    assert not result.partial and decodes(result.edition.mp3)
    assert elapsed < 15
    if behaviour != "403-always":
        # two article chunks, two attempts each; the intro is not asked of a service that
        # answered nothing (the fallback reads it)
        assert len(server.stats.requests) == 2 * 2


def test_one_failing_article_falls_back_alone_in_one_edition_format(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    # espeak speaks at 22050 Hz, edge at 24000 Hz; the edition is joined without re-encoding.
    with serving(monkeypatch, poison="开放到晚上"):
        result = build([tiny_issue], options(tmp_path / "o"))
    doc = result.manifest
    assert [(a["engine"], a.get("fallback", False)) for a in doc["articles"]] == [("edge", False), ("espeak", True)]
    assert len(result.warnings) == 1 and result.warnings[0].startswith("02 市图书馆延长开放时间: edge failed (no audio")
    folder = tmp_path / "o" / "editions" / DATE.isoformat()
    assert all(decodes(folder / a["mp3"]) for a in doc["articles"]) and decodes(result.edition.mp3)
    from .test_pipeline import mp3_params

    assert {mp3_params(folder / a["mp3"])[0] for a in doc["articles"]} == {24000}


def test_fallback_audio_never_answers_for_edge(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    with serving(monkeypatch, "403-always"):
        first = build([tiny_issue], options(out, retry=RetryPolicy(1)))
    assert all(a["engine"] == "espeak" for a in first.manifest["articles"])
    with serving(monkeypatch, "ok") as server:
        second = build([tiny_issue], options(out))
    assert all(a["engine"] == "edge" and "fallback" not in a for a in second.manifest["articles"])
    assert second.manifest["cache"]["hits"] == 0 and len(server.stats.requests) == 3
    with serving(monkeypatch, "ok") as server:
        third = build([tiny_issue], options(out))
    assert third.manifest["cache"]["misses"] == 0 and server.stats.requests == []


def test_fallback_none_leaves_failed_articles_out(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    with serving(monkeypatch, poison="开放到晚上"):
        result = build([tiny_issue], options(tmp_path / "o", fallback="none"))
    assert result.partial
    assert [a["title"] for a in result.manifest["articles"]] == ["衡阳迎来降雪"]
    [failure] = result.edition.failed
    assert "市图书馆延长开放时间" in failure and "no audio" in failure
    with serving(monkeypatch, "403-always"), pytest.raises(AudiopaperError, match="every article failed"):
        build([tiny_issue], options(tmp_path / "o2", fallback="none", retry=RetryPolicy(1)))


def test_never_more_connections_than_concurrency(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for n in (1, 2, 4):
        with serving(monkeypatch, "ok", latency_s=0.4) as server:
            build([EXCERPT], options(tmp_path / f"o{n}", concurrency=n, use_cache=False))
        assert server.stats.max_active == n, (n, server.stats.max_active)
        assert len(server.stats.requests) >= 4


def test_a_bad_voice_is_a_usage_error_before_any_request(
    monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path
) -> None:
    from audiopaper.errors import UsageError

    with serving(monkeypatch) as server, pytest.raises(UsageError, match="zh-CN-Nobody"):
        build([tiny_issue], options(tmp_path / "o", voice="zh-CN-Nobody"))
    assert server.stats.handshakes == 0


def test_any_edge_voice_name_is_accepted(monkeypatch: pytest.MonkeyPatch, tiny_issue: Path, tmp_path: Path) -> None:
    with serving(monkeypatch) as server:
        result = build([tiny_issue], options(tmp_path / "o", voice="zh-CN-LoopbackNeural"))
    assert {r.voice for r in server.stats.requests} == {"zh-CN-LoopbackNeural"}
    assert all(a["engine"] == "edge" for a in result.manifest["articles"])


def test_a_dead_service_is_given_up_on_not_retried_chunk_after_chunk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from audiopaper.cache import AudioCache
    from audiopaper.engines import Reader, create
    from audiopaper.models import Voice
    from audiopaper.pipeline import load_split
    from audiopaper.speech import make_script
    from audiopaper.synth import SynthOptions, SynthTimer, synthesize_edition

    scripts = [make_script(a) for a in load_split([EXCERPT]).articles]
    opts = SynthOptions(retry=RetryPolicy(3, 0.01, 0.02), give_up_after=4)
    fallback = Reader(create("espeak"), Voice("news-female", "espeak", "cmn"))
    with serving(monkeypatch, "no-audio") as server:
        report = synthesize_edition(
            scripts,
            create("edge", EngineConfig(concurrency=1)),
            Voice("news-female", "edge", "zh-CN-XiaoxiaoNeural"),
            AudioCache(None),
            SynthTimer(),
            opts,
            fallback,
        )
    # Five chunks would make fifteen requests; after four failures in a row no request
    # is sent any more, retries included.
    assert len(server.stats.requests) == 4
    assert [c.engine for _, c in report.clips] == ["espeak", "espeak"]
    assert any("not tried: the last 4 requests all failed" in w for w in report.warnings)
