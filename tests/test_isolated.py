"""The speech stage in a process of its own (issue #15): the same scripts as in this
process, none of its dictionaries left behind, errors and Ctrl-C handled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audiopaper import isolated
from audiopaper.errors import AudiopaperError, EngineFailure, UsageError
from audiopaper.pipeline import BuildOptions, read_issue
from audiopaper.speech.stage import speak_issue

from .conftest import ROOT, SAMPLE

SPELLINGS = ("spelled", "respelled")


def refuse(hint: str) -> None:
    raise UsageError("no such voice", hint)


def fail_engine() -> None:
    raise EngineFailure("refused", retryable=False, status=403)


def die() -> None:
    os._exit(3)


def test_the_isolated_stage_gives_what_this_process_gives() -> None:
    facts = read_issue([SAMPLE], BuildOptions())
    args = (facts.split.articles, facts.paper, facts.date, SPELLINGS)
    here = speak_issue(*args)
    there = isolated.call(speak_issue, *args, what="the speech stage")
    assert there == here
    assert len(there.scripts) == len(facts.split.articles)
    # the intro's title lines follow the articles, and drop the ones not read
    read = facts.split.articles[::2]
    intro = there.intro.script(read)
    assert sum(s.role == "heading" for s in intro.sentences) == len([a for a in read if a.title.strip()])


def test_no_dictionary_is_left_in_the_parent() -> None:
    # a fresh interpreter, so that nothing this test session loaded counts
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from audiopaper import isolated
from audiopaper.pipeline import BuildOptions, read_issue
from audiopaper.speech.stage import speak_issue
facts = read_issue([__import__("pathlib").Path({str(SAMPLE)!r})], BuildOptions())
spoken = isolated.call(speak_issue, facts.split.articles, facts.paper, facts.date, ("spelled",))
print(json.dumps({{"sentences": sum(len(s.sentences) for s in spoken.scripts),
                  "loaded": sorted(m for m in ("jieba", "pypinyin", "pypinyin_dict", "wetext") if m in sys.modules)}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    assert doc["sentences"] > 100
    assert doc["loaded"] == []


def test_errors_come_back_with_their_kind_and_hint() -> None:
    with pytest.raises(UsageError) as caught:
        isolated.call(refuse, "pick one from `audiopaper voices`")
    assert str(caught.value) == "no such voice (pick one from `audiopaper voices`)"
    assert caught.value.exit_code == 2
    with pytest.raises(EngineFailure) as failed:
        isolated.call(fail_engine)
    assert (failed.value.retryable, failed.value.status) == (False, 403)


def test_a_child_that_dies_is_one_error_line() -> None:
    with pytest.raises(AudiopaperError, match=r"the test child stopped without an answer \(exit status 3\)"):
        isolated.call(die, what="the test child")


def _session_processes(sid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def test_ctrl_c_stops_parent_and_child() -> None:
    code = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from audiopaper import isolated
print("started", flush=True)
isolated.call(time.sleep, 60, what="a sleeper")
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"started"
    deadline = time.monotonic() + 30
    while len(_session_processes(proc.pid)) < 2:  # the child is up
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    proc.wait(timeout=30)
    assert b"KeyboardInterrupt" in proc.stderr.read()  # type: ignore[union-attr]
    deadline = time.monotonic() + 10
    while _session_processes(proc.pid):
        assert time.monotonic() < deadline, "the child outlived its parent"
        time.sleep(0.05)


def test_the_speech_stages_words_give_kokoro_its_own_phonemes() -> None:
    # the model's process phonemizes with the words the speech stage found, so it needs
    # no segmenter of its own: the phonemes must be those jieba's words give
    from audiopaper.engines.kokoro import phonemize

    facts = read_issue([SAMPLE], BuildOptions())
    spoken = speak_issue(facts.split.articles, facts.paper, facts.date, ("spelled",))
    readings = [s.reading("spelled") for script in spoken.scripts for s in script.sentences]
    assert len(readings) > 100
    for reading in readings:
        assert reading is not None and reading.pinyin is not None and reading.words is not None
        assert sum(reading.words) == len(reading.text)
        assert phonemize(reading.text, reading.pinyin, reading.words) == phonemize(reading.text, reading.pinyin)
    # lengths that do not add up to the text are not trusted
    reading = readings[0]
    assert reading.pinyin is not None
    bad = (len(reading.text) + 1,)
    assert phonemize(reading.text, reading.pinyin, bad) == phonemize(reading.text, reading.pinyin)


def test_kokoro_learns_syllables_without_pypinyin_in_its_process() -> None:
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from audiopaper.models import Reading
from audiopaper.engines import kokoro
reading = Reading("spelled", "中国银行行长", ("zhong1", "guo2", "yin2", "hang2", "hang2", "zhang3"))
kokoro.learn_syllables([reading])
print(json.dumps({{"ipa": kokoro._IPA, "pypinyin": "pypinyin" in sys.modules,
                  "phonemes": kokoro.phonemize(reading.text, reading.pinyin, (2, 2, 2))}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    assert doc["pypinyin"] is False
    from audiopaper.engines.kokoro import ipa_of, phonemize

    assert doc["ipa"] == ipa_of(["zhong1", "guo2", "yin2", "hang2", "zhang3"])
    assert all(doc["ipa"].values())
    text, pinyin = "中国银行行长", ("zhong1", "guo2", "yin2", "hang2", "hang2", "zhang3")
    assert doc["phonemes"] == phonemize(text, pinyin, (2, 2, 2))
