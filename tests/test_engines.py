from __future__ import annotations

import functools
import operator
from collections.abc import Iterator

import numpy as np
import pytest

from audiopaper import engines
from audiopaper.engines import kokoro
from audiopaper.engines.kokoro import MAX_TOKENS, _token_chunks, phonemize
from audiopaper.errors import SynthesisError, UsageError
from audiopaper.models import Reading, Voice
from audiopaper.speech.pinyin import pinyin_of


def spelled(text: str) -> Reading:
    return Reading("spelled", text, pinyin_of(text))


@pytest.fixture(scope="module")
def kokoro_engine() -> Iterator[engines.Engine]:
    # one model load for the module's tests; closed (and the model freed) at its end
    engine = engines.create("kokoro")
    yield engine
    engine.close()


def test_unknown_engine_lists_known_ones() -> None:
    with pytest.raises(UsageError) as info:
        engines.create("nope")
    for name in ("kokoro", "espeak"):
        assert name in str(info.value)


def test_espeak_synthesizes_with_sentence_spans() -> None:
    engine = engines.create("espeak")
    result = engine.synthesize(
        [Reading("plain", "今天天气很好。"), Reading("plain", "我们去公园散步吧。")],
        Voice("t", "espeak", "cmn"),
    )
    assert result.pcm.dtype == np.int16
    assert len(result.spans) == 2
    assert result.spans[0][0] == 0.0 and result.spans[0][1] == result.spans[1][0]
    assert abs(result.spans[1][1] - len(result.pcm) / result.sample_rate) < 1e-6
    assert np.abs(result.pcm.astype(np.int32)).max() > 1000  # real sound, not silence


def test_kokoro_reads_a_sentence_without_clipping(kokoro_engine: engines.Engine) -> None:
    engine = kokoro_engine
    assert engine.available().ok
    sentence = spelled("长沙银行授信一千万元。")
    result = engine.synthesize([sentence], Voice("t", "kokoro", "zf_xiaoxiao"))
    assert result.sample_rate == 24000
    seconds = len(result.pcm) / result.sample_rate
    assert 1.0 < seconds < 6.0
    assert np.abs(result.pcm.astype(np.int32)).max() < 32767
    assert result.engine_s > 0
    # Deterministic: the same input gives the same samples.
    again = engine.synthesize([sentence], Voice("t", "kokoro", "zf_xiaoxiao"))
    assert np.array_equal(result.pcm, again.pcm)


def test_kokoro_unknown_voice_is_usage_error(kokoro_engine: engines.Engine) -> None:
    engine = kokoro_engine
    with pytest.raises(UsageError):
        engine.check_voice(Voice("t", "kokoro", "zz_nobody"))
    with pytest.raises(UsageError):
        engine.synthesize([spelled("你好。")], Voice("t", "kokoro", "zz_nobody"))


def test_kokoro_refuses_a_reading_without_its_pinyin(kokoro_engine: engines.Engine) -> None:
    # Engines never work pinyin out themselves: that is the speech stage's job.
    with pytest.raises(SynthesisError, match="pinyin"):
        kokoro_engine.synthesize([Reading("spelled", "你好。")], Voice("t", "kokoro", "zf_xiaoxiao"))


def test_phonemes_follow_the_given_pinyin() -> None:
    text = "银行"
    assert phonemize(text, ("yin2", "hang2")) != phonemize(text, ("yin2", "xing2"))


def test_token_chunks_never_exceed_the_model_limit() -> None:
    vocab = {",": 1, " ": 2, "a": 3}
    ids = ([3] * 37 + [1] + [2]) * 60
    chunks = _token_chunks(ids, vocab)
    assert all(0 < len(c) <= MAX_TOKENS for c in chunks)
    assert functools.reduce(operator.iadd, chunks, []) == ids


def test_kokoro_close_frees_the_shared_model_after_its_last_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kokoro, "_MODEL", kokoro._Model())  # no other user of the model in this test
    first, second = engines.create("kokoro"), engines.create("kokoro")
    voice = Voice("t", "kokoro", "zf_xiaoxiao")
    a = first.synthesize([spelled("你好。")], voice)
    b = second.synthesize([spelled("你好。")], voice)
    assert np.array_equal(a.pcm, b.pcm)
    first.close()
    assert kokoro._MODEL.session is not None  # the second engine still uses it
    second.close()
    assert kokoro._MODEL.session is None
    again = first.synthesize([spelled("你好。")], voice)  # loads again on demand
    first.close()
    assert np.array_equal(a.pcm, again.pcm)


def test_every_engine_answers_the_protocol_without_loading_anything() -> None:
    from audiopaper.presets import load_presets

    default, presets = load_presets()
    for name in engines.names():
        engine = engines.create(name)
        assert engine.name == name and engine.spelling in ("spelled", "respelled", "plain")
        assert engine.offline == (engine.remote is None)
        listing = engine.describe_voices()
        assert listing.voices and set(listing.voices) == set(engine.voices())
        voice = engine.voice_for(presets[default])
        assert voice.engine == name and voice.name in engine.voices()
        engine.check_voice(voice)
