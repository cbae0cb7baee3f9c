"""An engine added from outside the package (tests/toneengine.py) is used by every
command, and the intro is synthesized once per build, after the articles."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from audiopaper.cli import app

from .test_pipeline import decodes
from .toneengine import ToneEngine, registered

runner = CliRunner()


@pytest.fixture
def tone() -> Iterator[type[ToneEngine]]:
    yield from registered()


def test_build_reads_the_edition_with_the_new_engine(tone: type[ToneEngine], tiny_issue: Path, tmp_path: Path) -> None:
    r = runner.invoke(
        app, ["build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "tone", "--date", "2022-01-28", "--json"]
    )
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["edition"]["engine"] == "tone" and doc["edition"]["engine_voice"] == "low"
    assert doc["edition"]["engine_reason"] == "tone requested" and "fallback_engine" not in doc["edition"]
    assert [a["engine"] for a in doc["articles"]] == ["tone", "tone"]
    folder = tmp_path / "o" / "editions" / "2022-01-28"
    assert decodes(folder / "edition.mp3") and all(decodes(folder / a["mp3"]) for a in doc["articles"])
    assert "市民纷纷出门赏雪。" in tone.heard


def test_say_reads_with_the_new_engine_and_its_voice(tone: type[ToneEngine], tmp_path: Path) -> None:
    out = tmp_path / "x.wav"
    r = runner.invoke(app, ["say", "今天衡阳下雪了。", "-o", str(out), "--engine", "tone", "--voice", "high"])
    assert r.exit_code == 0, r.stderr
    with wave.open(str(out)) as w:
        rate, pcm = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64)))
    assert rate == 16000 and abs(np.argmax(spectrum) * rate / len(pcm) - 440) < 5
    r = runner.invoke(app, ["say", "你好。", "-o", str(out), "--engine", "tone", "--voice", "shrill"])
    assert r.exit_code == 2 and "shrill" in r.stderr and "news-female" in r.stderr  # the presets are suggested


def test_voices_and_doctor_list_the_new_engine(tone: type[ToneEngine]) -> None:
    r = runner.invoke(app, ["voices"])
    assert r.exit_code == 0 and "tone: available\n  low (220 Hz)\n  high (440 Hz)\n" in r.stdout
    [entry] = json.loads(runner.invoke(app, ["voices", "--engine", "tone", "--json"]).stdout)["engines"]
    assert entry["engine"] == "tone" and entry["voices"] == ["low", "high"]
    r = runner.invoke(app, ["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
    assert checks["engine tone"] == {"name": "engine tone", "ok": True, "detail": "2 voices", "required": False}


def test_script_shows_what_the_new_engine_is_sent(tone: type[ToneEngine], tmp_path: Path) -> None:
    issue = tmp_path / "t.md"
    issue.write_text("## 标题\n\n技术市场成交额占GDP的比重。\n", encoding="utf-8")
    r = runner.invoke(app, ["script", str(issue), "--engine", "tone"])
    assert r.exit_code == 0 and "占GDP的比重" in r.stdout  # plain spelling: the letters as printed


def test_an_unregistered_engine_is_unknown_again(tmp_path: Path) -> None:
    r = runner.invoke(app, ["say", "你好。", "-o", str(tmp_path / "x.wav"), "--engine", "tone"])
    assert r.exit_code == 2 and "unknown engine 'tone'" in r.stderr


def test_the_intro_is_synthesized_once_from_the_articles_that_were_read(
    tone: type[ToneEngine], tiny_issue: Path, tmp_path: Path
) -> None:
    tone.poison = "九点"  # the second article cannot be read
    args = ["build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "tone", "--date", "2022-01-28"]
    r = runner.invoke(app, [*args, "--json", "--no-cache"])
    assert r.exit_code == 3, r.stderr  # partial
    doc = json.loads(r.stdout)
    assert [a["title"] for a in doc["articles"]] == ["衡阳迎来降雪"]
    intro = [t for t in tone.heard if "本期要目" in t]
    assert len(intro) == 1  # one intro, read once
    after = tone.heard[tone.heard.index(intro[0]) :]
    assert "衡阳迎来降雪。" in after and not any("市图书馆" in t for t in after)
    # the intro comes after every article was tried
    assert tone.heard.index(intro[0]) > max(i for i, t in enumerate(tone.heard) if "九点" in t)
