"""`--engine auto` chooses the online engine only when its service reads a word (issue
#16): a service that accepts the handshake and then says nothing cost a build 284 s for
two articles. Against the loopback server (tests/edgefake.py)."""

from __future__ import annotations

import time

import pytest

from audiopaper.engines import select

from .edgefake import serving


@pytest.mark.parametrize(
    ("behaviour", "why"),
    [("hang", "no complete answer within 3 s"), ("no-audio", "no audio")],
)
def test_a_service_that_shakes_hands_but_does_not_speak_is_passed_over(
    monkeypatch: pytest.MonkeyPatch, behaviour: str, why: str
) -> None:
    with serving(monkeypatch, behaviour) as server:
        t0 = time.perf_counter()
        choice = select.choose("auto")
        elapsed = time.perf_counter() - t0
    assert server.stats.handshakes >= 1  # the handshake itself succeeded
    assert choice.engine.name != "edge" and choice.engine.offline
    assert elapsed < 5.0
    assert "edge: " in choice.reason and why in choice.reason


def test_a_speaking_service_is_chosen_after_one_short_request(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch) as server:
        choice = select.choose("auto")
    assert choice.engine.name == "edge"
    assert choice.reason.startswith("auto: edge (service answered with speech in")
    assert [r.text for r in server.stats.requests] == ["好。"]
