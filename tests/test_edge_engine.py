"""The edge engine, one request at a time: the real edge-tts library against the
loopback protocol server in tests/edgefake.py."""

from __future__ import annotations

import random
import socket
import time
from pathlib import Path

import numpy as np
import pytest

from audiopaper.engines import EngineConfig, edge
from audiopaper.engines.edge import Boundary, EdgeEngine, EdgeFailure, Truncated, place, probe, service_url
from audiopaper.errors import EngineFailure, UsageError
from audiopaper.models import Reading, Voice
from audiopaper.resilience import RetryPolicy

from .edgefake import closed_port_url, serving

XIAOXIAO = Voice("news-female", "edge", "zh-CN-XiaoxiaoNeural")
TWO = [Reading("respelled", "今天天气很好。"), Reading("respelled", "我们去公园散步吧！")]


def engine(**config: object) -> EdgeEngine:
    return EdgeEngine(EngineConfig(**config))  # type: ignore[arg-type]


def test_ok_gives_pcm_and_sentence_spans_from_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch) as server:
        result = engine().synthesize(TWO, Voice("p", "edge", "zh-CN-YunyangNeural", rate="-5%", pitch="+2Hz"))
    assert result.sample_rate == 24000 and result.pcm.dtype == np.int16
    assert np.abs(result.pcm.astype(np.int32)).max() > 1000
    # The server lays sentences out at 0.1 s lead + 0.06 s per character.
    (a0, a1), (b0, b1) = result.spans
    assert a0 == pytest.approx(0.1) and a1 == pytest.approx(0.1 + 7 * 0.06)
    assert b0 == pytest.approx(a1) and b1 == pytest.approx(a1 + 9 * 0.06)
    assert b1 <= len(result.pcm) / 24000
    assert result.engine_s > 0
    [request] = server.stats.requests
    assert (request.voice, request.rate, request.pitch) == ("zh-CN-YunyangNeural", "-5%", "+2Hz")
    assert request.text == "今天天气很好。我们去公园散步吧！"


@pytest.mark.parametrize(
    ("texts", "boundaries", "expected"),
    [
        # one boundary per sentence
        (["甲乙", "丙丁戊"], [("甲乙。", 0.1, 0.5), ("丙丁戊。", 0.5, 1.1)], [(0.1, 0.5), (0.5, 1.1)]),
        # the service joins two of our sentences into one boundary
        (["甲乙", "丙丁"], [("甲乙，丙丁。", 0.1, 0.9)], [(0.1, 0.9), (0.9, 0.9)]),
        # the service splits one of ours in two
        (["甲乙丙丁"], [("甲乙；", 0.1, 0.4), ("丙丁。", 0.4, 0.8)], [(0.1, 0.8)]),
    ],
)
def test_place_lines_our_sentences_up_with_the_services(
    texts: list[str], boundaries: list[tuple[str, float, float]], expected: list[tuple[float, float]]
) -> None:
    spans = place(texts, [Boundary(a, b, t) for t, a, b in boundaries], audio_s=2.0)
    assert [(round(a, 3), round(b, 3)) for a, b in spans] == expected


@pytest.mark.parametrize(
    ("texts", "sent"),
    [
        (["标题", "副标题", "正文。"], "标题。副标题。正文。"),
        (["“你好！”", "他说"], "“你好！”他说。"),
        (["问题？", "回答……"], "问题？回答……"),
    ],
)
def test_every_sentence_ends_where_ours_does(texts: list[str], sent: str) -> None:
    assert edge.framed(texts) == sent


def test_headline_and_body_get_their_own_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    title = [Reading("respelled", "衡阳迎来降雪"), Reading("respelled", "今天上午下雪了。")]
    with serving(monkeypatch) as server:
        result = engine().synthesize(title, XIAOXIAO)
    assert server.stats.requests[0].text == "衡阳迎来降雪。今天上午下雪了。"
    (a0, a1), (b0, b1) = result.spans
    assert a1 == pytest.approx(0.1 + 7 * 0.06) and b0 == pytest.approx(a1)


def test_closing_midway_is_truncation_not_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch, "close-midway"), pytest.raises(Truncated):
        engine().synthesize(TWO, XIAOXIAO)


def test_an_answer_missing_its_last_sentence_is_truncation() -> None:
    from audiopaper.engines.edge import Answer

    from .edgefake import tone_mp3

    whole = Answer(tone_mp3(1.0, 440), (Boundary(0.1, 0.5, "今天天气很好。"),), 0.1)
    with pytest.raises(Truncated, match="6 of 14"):
        engine().finish(whole, TWO)
    with pytest.raises(EdgeFailure, match="no audio"):
        engine().finish(Answer(b"", whole.boundaries, 0.1), TWO)


def test_no_audio_and_unknown_voice_fail_as_retryable(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch, "no-audio"), pytest.raises(EdgeFailure, match="no audio") as info:
        engine().synthesize(TWO, XIAOXIAO)
    assert info.value.retryable


def test_a_hanging_stream_ends_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    impatient = engine(timeout_s=1.0)
    with serving(monkeypatch, "hang"):
        t0 = time.perf_counter()
        with pytest.raises(EdgeFailure, match="within 1 s"):
            asyncio.run(impatient.fetch(TWO, XIAOXIAO))
        assert time.perf_counter() - t0 < 3


def test_refusals_carry_their_status(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch, "429", fail_times=5, retry_after="7"), pytest.raises(EdgeFailure) as info:
        engine().synthesize(TWO, XIAOXIAO)
    assert info.value.status == 429 and info.value.retry_after_s == 7.0
    with serving(monkeypatch, "403-always") as server, pytest.raises(EdgeFailure) as info:
        engine().synthesize(TWO, XIAOXIAO)
    assert info.value.status == 403 and info.value.retryable
    assert server.stats.refused == 2  # edge-tts itself tries once more after correcting its clock


@pytest.mark.parametrize(
    "voice",
    [
        Voice("x", "edge", "Xiaoxiao"),
        Voice("x", "edge", "zh-CN-XiaoxiaoNeural", rate="fast"),
        Voice("x", "edge", "zh-CN-XiaoxiaoNeural", pitch="+2"),
    ],
)
def test_bad_voice_or_prosody_is_a_usage_error_naming_the_voice(voice: Voice) -> None:
    with pytest.raises(UsageError) as info:
        engine().check_voice(voice)
    assert voice.name in str(info.value) and info.value.exit_code == 2


def test_endpoint_from_config_then_env_then_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUDIOPAPER_EDGE_URL", raising=False)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("AUDIOPAPER_CONFIG", str(config))
    assert service_url() == edge.default_url()
    config.write_text('[edge]\nurl = "ws://127.0.0.1:9/relay/edge/v1?TrustedClientToken=t"\n', encoding="utf-8")
    assert service_url() == "ws://127.0.0.1:9/relay/edge/v1?TrustedClientToken=t"
    monkeypatch.setenv("AUDIOPAPER_EDGE_URL", "ws://127.0.0.1:8/edge/v1")
    assert service_url() == "ws://127.0.0.1:8/edge/v1?"
    assert engine().url() == "ws://127.0.0.1:8/edge/v1?"
    assert engine(url="ws://127.0.0.1:7/edge/v1?x=1").url() == "ws://127.0.0.1:7/edge/v1?x=1"
    monkeypatch.setenv("AUDIOPAPER_EDGE_URL", "http://example.invalid/")
    with pytest.raises(UsageError):
        service_url()


def test_engines_with_different_endpoints_share_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # A batch or a worker holds several configurations at once: each engine's requests
    # reach its own service, even when they are in flight together.
    import asyncio

    with serving(monkeypatch, latency_s=0.2) as first, serving(monkeypatch, latency_s=0.2) as second:
        a, b = engine(url=first.url), engine(url=second.url)

        async def both() -> None:
            await asyncio.gather(a.fetch(TWO, XIAOXIAO), b.fetch(TWO[:1], XIAOXIAO), a.fetch(TWO[1:], XIAOXIAO))

        asyncio.run(both())
    assert sorted(r.text for r in first.stats.requests) == ["今天天气很好。我们去公园散步吧！", "我们去公园散步吧！"]
    assert [r.text for r in second.stats.requests] == ["今天天气很好。"]


def test_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch) as server:
        found = probe()
        assert found.ok and server.stats.handshakes == 1
    refused = probe(closed_port_url())
    assert not refused.ok and "cannot reach 127.0.0.1" in refused.reason and refused.elapsed_s < 1


def test_probe_gives_up_on_a_silent_host_within_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Accepts TCP connections (the kernel's backlog) and never answers the upgrade.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"ws://127.0.0.1:{listener.getsockname()[1]}/edge/v1?TrustedClientToken=t"
        t0 = time.perf_counter()
        found = probe(url, timeout_s=1.0)
        assert not found.ok and "within 1 s" in found.reason
        assert time.perf_counter() - t0 < 2


def test_voices_from_the_service_else_the_shipped_list(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch):
        voices, source = edge.list_voices()
        listing = engine().describe_voices(live=True)
    names = [v["ShortName"] for v in voices]
    assert list(listing.voices) == names and listing.source == "service"
    assert source == "service" and "zh-CN-LoopbackNeural" in names and "en-US-EmmaMultilingualNeural" not in names
    monkeypatch.setenv("AUDIOPAPER_EDGE_URL", closed_port_url())
    voices, source = edge.list_voices()
    assert source.startswith("shipped list") and "zh-CN-YunyangNeural" in [v["ShortName"] for v in voices]
    assert set(engine().voices()) >= {"zh-CN-XiaoxiaoNeural", "zh-CN-YunyangNeural"}


def test_backoff_grows_with_jitter_and_is_bounded() -> None:
    policy = RetryPolicy(base_s=1.0, max_s=8.0)
    rng = random.Random(1)
    waits = [[policy.backoff_s(n, rng) for _ in range(50)] for n in (1, 2, 3, 4, 5, 6)]
    for n, ws in enumerate(waits, start=1):
        ceiling = min(8.0, 2 ** (n - 1))
        assert all(ceiling / 2 <= w <= ceiling for w in ws)
        assert len(set(ws)) > 1  # jitter
    assert policy.cooldown(None) == policy.cooldown_s and policy.cooldown(1e6) == policy.max_cooldown_s


def test_edge_failure_is_the_one_retryable_engine_failure() -> None:
    failure = edge.translate(ConnectionResetError(104, "Connection reset by peer"))
    assert isinstance(failure, EngineFailure) and failure.retryable


def _response_error(status: int, headers: dict[str, str] | None = None) -> Exception:
    import aiohttp
    from multidict import CIMultiDict, CIMultiDictProxy

    return aiohttp.WSServerHandshakeError(
        None,  # type: ignore[arg-type]
        (),
        status=status,
        message="refused",
        headers=CIMultiDictProxy(CIMultiDict(headers or {})),
    )


@pytest.mark.parametrize(
    ("make", "retryable", "status", "words"),
    [
        (lambda: _response_error(403), True, 403, "refused the request (403)"),
        (lambda: _response_error(429, {"Retry-After": "30"}), True, 429, "too many requests"),
        (lambda: _response_error(503), True, 503, "failed (503)"),
        (lambda: _response_error(404), False, 404, "answered 404"),
        (lambda: __import__("edge_tts").exceptions.NoAudioReceived("x"), True, None, "no audio received"),
        (lambda: __import__("edge_tts").exceptions.UnexpectedResponse("odd"), True, None, "unexpected answer"),
        (lambda: ConnectionResetError(104, "Connection reset by peer"), True, None, "connection failed"),
        (lambda: ValueError("Expecting value"), True, None, "malformed answer"),
        (lambda: RuntimeError("surprise"), False, None, "unexpected error (RuntimeError: surprise)"),
    ],
)
def test_every_failure_becomes_one_line(make, retryable: bool, status: int | None, words: str) -> None:  # type: ignore[no-untyped-def]
    failure = edge.translate(make())
    assert failure.retryable == retryable and failure.status == status
    assert words in str(failure) and "\n" not in str(failure)
    if status == 429:
        assert failure.retry_after_s == 30.0
