"""The synth stage's queue: articles of several editions in one run of the engine, and
finished articles' PCM kept on disk instead of held."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audiopaper.cache import AudioCache
from audiopaper.clipstore import ClipStore
from audiopaper.engines import EngineConfig
from audiopaper.models import PcmFile, Voice
from audiopaper.pipeline import load_split
from audiopaper.speech import make_script
from audiopaper.synth import SynthTimer, synthesize_edition, synthesize_editions

from .conftest import EXCERPT
from .toneengine import ToneEngine

VOICE = Voice("t", "tone", "low")


def scripts():  # type: ignore[no-untyped-def]
    return [make_script(a) for a in load_split([EXCERPT]).articles]


def test_several_editions_share_one_queue_and_get_their_own_reports() -> None:
    engine = ToneEngine(EngineConfig())
    first, second = scripts(), scripts()[:1]
    timer = SynthTimer()
    reports = synthesize_editions([first, second], engine, VOICE, AudioCache(None), timer)
    assert len(reports) == 2
    assert [s.title for s, _ in reports[0].clips] == [s.title for s in first]
    assert [s.title for s, _ in reports[1].clips] == [s.title for s in second]
    alone = synthesize_edition(first, engine, VOICE, AudioCache(None), SynthTimer())
    for (_, a), (_, b) in zip(reports[0].clips, alone.clips, strict=True):
        assert np.array_equal(a.pcm, b.pcm) and a.spans == b.spans
    # the first article of both editions is the same text: the same audio
    assert np.array_equal(reports[1].clips[0][1].pcm, reports[0].clips[0][1].pcm)
    assert timer.audio_done_s > 0


def test_a_stored_clip_is_the_same_audio_and_its_chunks_are_let_go(tmp_path: Path) -> None:
    engine = ToneEngine(EngineConfig())
    held = synthesize_edition(scripts(), engine, VOICE, AudioCache(None), SynthTimer())
    with ClipStore(tmp_path) as store:
        stored = synthesize_edition(scripts(), engine, VOICE, AudioCache(None), SynthTimer(), store=store)
        for (_, a), (_, b) in zip(held.clips, stored.clips, strict=True):
            assert isinstance(b.pcm, PcmFile) and not isinstance(a.pcm, PcmFile)
            assert np.array_equal(a.pcm, b.audio()) and a.spans == b.spans
    assert list(tmp_path.iterdir()) == []  # the store's folder goes with it
