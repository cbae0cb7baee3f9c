"""Synthesize one snippet to a file (checking voices and the lexicon by ear)."""

from __future__ import annotations

import wave
from pathlib import Path

from . import audio, speech
from .cache import AudioCache
from .errors import UsageError
from .fsutil import atomic_path, ensure_writable_dir
from .models import Article, Script
from .pipeline import choose_engine
from .presets import resolve_voice
from .synth import SynthTimer, synthesize_script


def say_script(text: str, lexicon: Path | None = None) -> Script:
    """The Script ``say`` reads: one line of text, lexicon (and the user's) applied."""
    if not text.strip():
        raise UsageError("nothing to say", "give some text")
    options = speech.ScriptOptions(lexicon=speech.load_lexicon(lexicon))
    article = Article(index=1, kind="article", title="", paragraphs=())
    return Script(article=article, sentences=tuple(speech.speak_line(text, "body", options)))


def say(
    text: str, out: Path, engine_name: str = "kokoro", voice_name: str | None = None, lexicon: Path | None = None
) -> Path:
    if not text.strip():
        raise UsageError("nothing to say", "give some text")
    if out.suffix.lower() not in (".mp3", ".wav"):
        raise UsageError(f"{out}: unsupported format", "use a .mp3 or .wav file name")
    ensure_writable_dir(out.parent if str(out.parent) else Path("."))
    engine, _ = choose_engine(engine_name)
    voice = resolve_voice(engine.name, voice_name, engine.voices())
    script = say_script(text, lexicon)
    clip = synthesize_script(script, engine, voice, AudioCache(None), SynthTimer())
    if out.suffix.lower() == ".mp3":
        return audio.encode_mp3(clip.pcm, clip.sample_rate, out)
    with atomic_path(out) as tmp, wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(clip.sample_rate)
        w.writeframes(clip.pcm.tobytes())
    return out
