from __future__ import annotations

import functools
import operator
from collections.abc import Iterator

import numpy as np
import pytest

from audiopaper import engines
from audiopaper.engines import kokoro
from audiopaper.engines.base import Batched, Request
from audiopaper.engines.kokoro import CALL_TOKENS, MAX_TOKENS, phonemize, token_chunks
from audiopaper.errors import SynthesisError, UsageError
from audiopaper.models import Reading, Synthesis, Voice
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


def test_token_chunks_never_exceed_the_limit_and_cut_after_clause_marks() -> None:
    vocab = {",": 1, " ": 2, "a": 3}
    ids = ([3] * 37 + [1] + [2]) * 60
    for limit in (CALL_TOKENS, MAX_TOKENS, 10_000):
        chunks = token_chunks(ids, vocab, limit)
        assert all(0 < len(c) <= min(limit, MAX_TOKENS) for c in chunks)
        assert all(c[-1] == 1 for c in chunks[:-1])  # each cut right after a comma
        # nothing lost but the word gap after each cut
        joined = functools.reduce(operator.iadd, chunks, [])
        assert [t for t in joined if t != 2] == [t for t in ids if t != 2]
        assert len(ids) - len(joined) == len(chunks) - 1


def test_token_chunks_are_even_not_greedy() -> None:
    # 1.2 limits' worth of clauses: two pieces of about 0.6 each, not one full and a stub
    vocab = {",": 1, "a": 3}
    ids = ([3] * 19 + [1]) * 12  # 240 tokens, a comma every 20
    chunks = token_chunks(ids, vocab, 200)
    assert [len(c) for c in chunks] == [120, 120]
    assert token_chunks(ids[:150], vocab, 200) == [ids[:150]]  # short enough: whole
    assert token_chunks([], vocab, 200) == []


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


# -- the kokoro scheduler: one queue across requests, within a memory budget ------------


def test_kokoro_reads_many_requests_as_it_reads_each_alone(kokoro_engine: engines.Engine) -> None:
    # Which core reads which sentence, and when, must not change a sample.
    voice = Voice("t", "kokoro", "zf_xiaoxiao")
    texts = [["今天天气很好。"], ["明天见。", "你好。"]]
    requests = [Request(tuple(spelled(t) for t in group), voice) for group in texts]
    assert isinstance(kokoro_engine, Batched)
    results = dict(kokoro_engine.synthesize_many(requests))
    assert sorted(results) == [0, 1]
    for n, group in enumerate(texts):
        alone = kokoro_engine.synthesize([spelled(t) for t in group], voice)
        got = results[n]
        assert isinstance(got, Synthesis)
        assert np.array_equal(got.pcm, alone.pcm) and got.spans == alone.spans
    assert len(results[1].spans) == 2  # type: ignore[union-attr]
    assert sum(r.engine_s for r in results.values()) > 0  # type: ignore[union-attr]


@pytest.mark.slow
def test_kokoro_reads_a_sentence_longer_than_one_call_in_pieces(kokoro_engine: engines.Engine) -> None:
    sentence = spelled(
        "一年来，我市坚持产业是根基、项目是抓手、科技是支撑、改革是动力、智造是方向、人才是关键的总体方针，"
        "突出优势特色产业发展，强化产业集聚。"
    )
    vocab = kokoro._vocab()
    ids = [vocab[c] for c in kokoro.phonemes(sentence) if c in vocab]
    assert len(token_chunks(ids, vocab)) >= 2  # the case under test: more than one call
    result = kokoro_engine.synthesize([sentence], Voice("t", "kokoro", "zf_xiaoxiao"))
    seconds = len(result.pcm) / result.sample_rate
    assert len(result.spans) == 1 and result.spans[0][1] == pytest.approx(seconds)
    assert len(sentence.text) / 8 < seconds < len(sentence.text) / 2  # all of it, at a reading pace


@pytest.mark.slow
def test_closing_the_results_early_drops_what_has_not_started(kokoro_engine: engines.Engine) -> None:
    voice = Voice("t", "kokoro", "zf_xiaoxiao")
    requests = [Request((spelled(t),), voice) for t in ("你好。", "今天天气很好。", "我们去公园散步吧。", "明天见。")]
    results = kokoro_engine.synthesize_many(requests)  # type: ignore[attr-defined]
    next(results)
    results.close()
    scheduler = kokoro._MODEL.scheduler
    assert scheduler is not None and not scheduler.pending
    again = kokoro_engine.synthesize([spelled("你好。")], voice)  # the engine goes on working
    assert len(again.pcm) > 0


def test_a_bad_reading_fails_its_request_only(kokoro_engine: engines.Engine) -> None:
    voice = Voice("t", "kokoro", "zf_xiaoxiao")
    requests = [Request((Reading("spelled", "你好。"),), voice), Request((spelled("你好。"),), voice)]
    results = dict(kokoro_engine.synthesize_many(requests))  # type: ignore[attr-defined]
    assert isinstance(results[0], SynthesisError) and "pinyin" in str(results[0])
    assert isinstance(results[1], Synthesis) and len(results[1].pcm) > 0


def test_the_memory_limit_is_the_given_one_else_the_default_within_what_is_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert kokoro.memory_limit_mb(1500, 2, 400.0) == 1500
    monkeypatch.setattr(kokoro, "_available_mb", lambda: 20_000.0)
    assert kokoro.memory_limit_mb(None, 2, 400.0) == kokoro.DEFAULT_MAX_MEMORY_MB
    assert kokoro.memory_limit_mb(None, 16, 400.0) == 16 * kokoro._PER_CORE_MB  # more cores, more runs at once
    monkeypatch.setattr(kokoro, "_available_mb", lambda: 600.0)
    assert kokoro.memory_limit_mb(None, 2, 400.0) == 700.0  # half of what is free, on top of what is held
