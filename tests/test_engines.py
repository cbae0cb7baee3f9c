from __future__ import annotations

import functools
import operator

import numpy as np
import pytest

from audiopaper import engines
from audiopaper.engines.kokoro import MAX_TOKENS, _token_chunks, phonemize
from audiopaper.errors import UsageError
from audiopaper.models import Sentence, Voice
from audiopaper.speech.pinyin import pinyin_of


def test_unknown_engine_lists_known_ones() -> None:
    with pytest.raises(UsageError) as info:
        engines.get("nope")
    for name in ("kokoro", "espeak"):
        assert name in str(info.value)


def test_espeak_synthesizes_with_sentence_spans() -> None:
    engine = engines.get("espeak")
    result = engine.synthesize(
        [Sentence("body", "今天天气很好。", "x"), Sentence("body", "我们去公园散步吧。", "x")],
        Voice("t", "espeak", "cmn"),
    )
    assert result.pcm.dtype == np.int16
    assert len(result.spans) == 2
    assert result.spans[0][0] == 0.0 and result.spans[0][1] == result.spans[1][0]
    assert abs(result.spans[1][1] - len(result.pcm) / result.sample_rate) < 1e-6
    assert np.abs(result.pcm.astype(np.int32)).max() > 1000  # real sound, not silence


def test_kokoro_reads_a_sentence_without_clipping() -> None:
    engine = engines.get("kokoro")
    assert engine.available().ok
    sentence = Sentence("body", "长沙银行授信一千万元。", "x", pinyin=pinyin_of("长沙银行授信一千万元。"))
    result = engine.synthesize([sentence], Voice("t", "kokoro", "zf_xiaoxiao"))
    assert result.sample_rate == 24000
    seconds = len(result.pcm) / result.sample_rate
    assert 1.0 < seconds < 6.0
    assert np.abs(result.pcm.astype(np.int32)).max() < 32767
    assert result.engine_s > 0
    # Deterministic: the same input gives the same samples.
    again = engine.synthesize([sentence], Voice("t", "kokoro", "zf_xiaoxiao"))
    assert np.array_equal(result.pcm, again.pcm)


def test_kokoro_unknown_voice_is_usage_error() -> None:
    with pytest.raises(UsageError):
        engines.get("kokoro").synthesize([Sentence("body", "你好。", "x")], Voice("t", "kokoro", "zz_nobody"))


def test_phonemes_follow_the_given_pinyin() -> None:
    text = "银行"
    assert phonemize(text, ("yin2", "hang2")) != phonemize(text, ("yin2", "xing2"))


def test_token_chunks_never_exceed_the_model_limit() -> None:
    vocab = {",": 1, " ": 2, "a": 3}
    ids = ([3] * 37 + [1] + [2]) * 60
    chunks = _token_chunks(ids, vocab)
    assert all(0 < len(c) <= MAX_TOKENS for c in chunks)
    assert functools.reduce(operator.iadd, chunks, []) == ids


def test_kokoro_release_frees_the_model_and_reloads_on_demand() -> None:
    engine = engines.get("kokoro")
    sentence = Sentence("body", "你好。", "x", pinyin=pinyin_of("你好。"))
    first = engine.synthesize([sentence], Voice("t", "kokoro", "zf_xiaoxiao"))
    engine.release()  # type: ignore[attr-defined]
    assert engine._session is None  # type: ignore[attr-defined]
    again = engine.synthesize([sentence], Voice("t", "kokoro", "zf_xiaoxiao"))
    assert np.array_equal(first.pcm, again.pcm)
