"""Limits that keep a build's memory and time sane (issue #16, failure 3): an input
larger than one issue stops with one line before any work; clips wait on disk, not in
memory, between synthesis and the audio stage."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from audiopaper import engines, ingest, speech
from audiopaper.cache import AudioCache
from audiopaper.clipstore import ClipStore
from audiopaper.engines import select
from audiopaper.errors import InputError
from audiopaper.models import PcmFile
from audiopaper.pipeline import load_split
from audiopaper.synth import SynthTimer, synthesize_edition

from .conftest import SAMPLE
from .toneengine import NAME, ToneEngine, registered

CLI = [sys.executable, "-m", "audiopaper"]


def test_text_beyond_the_limit_is_one_line_before_any_work(tmp_path: Path) -> None:
    copies = ingest.MAX_CHARS // 6000 + 2  # the sample holds ~6,250 characters of text
    big = tmp_path / "big.md"
    big.write_text((SAMPLE.read_text(encoding="utf-8") + "\n\n") * copies, encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([*CLI, "build", str(big), "-o", str(out), "--engine", "espeak"], capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {big}: ") and "at most 400,000" in lines[0], r.stderr
    assert not out.exists()  # nothing made, not even an empty folder


def test_files_beyond_the_byte_limit_are_refused_before_reading(tmp_path: Path) -> None:
    pages = [tmp_path / f"page{n}.html" for n in range(3)]
    for page in pages:
        with open(page, "wb") as f:  # sparse: the limit must be told from the size alone
            f.truncate(ingest.MAX_BYTES // 2)
    with pytest.raises(InputError, match="MiB is more than one issue"):
        ingest.read_issue(pages)


def test_the_sample_is_well_within_the_limits() -> None:
    issue = ingest.read_issue([SAMPLE])
    assert sum(len(b.text) for b in issue.blocks) < ingest.MAX_CHARS // 50


@pytest.fixture
def tone_engine() -> Iterator[type[ToneEngine]]:
    yield from registered()


def test_with_a_store_every_clip_waits_on_disk_and_reads_back_the_same(
    tone_engine: type[ToneEngine], tmp_path: Path
) -> None:
    tone = engines.create(NAME)
    voice = select.resolve_voice(tone, None)
    options = speech.ScriptOptions(spellings=("plain",))
    scripts = [speech.make_script(a, options) for a in load_split([SAMPLE]).articles[:4]]
    in_memory = synthesize_edition(scripts, tone, voice, AudioCache(None), SynthTimer())
    folder = tmp_path / "edition"
    folder.mkdir()
    with ClipStore(folder) as store:
        stored = synthesize_edition(scripts, tone, voice, AudioCache(None), SynthTimer(), store=store)
        assert len(stored.clips) == len(in_memory.clips) == 4
        for (_, a), (_, b) in zip(in_memory.clips, stored.clips, strict=True):
            assert isinstance(b.pcm, PcmFile) and b.pcm.path.is_file()
            assert np.array_equal(a.audio(), b.audio()) and a.spans == b.spans
            assert b.duration_s == a.duration_s
    assert list(folder.iterdir()) == []  # the store's folder goes with it
