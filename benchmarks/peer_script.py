"""What a user would write by hand with kokoro-onnx: the peer that bench_peer.py times.

Runs in its own virtual environment (benchmarks/.peer/venv, made by bench_peer.py), never
with audiopaper installed: misaki's Mandarin G2P turns each article into phonemes,
``Kokoro.create`` reads them (kokoro-onnx splits them into windows of at most 510
phonemes and runs the session with its default options), pydub writes one MP3 per
article through ffmpeg. Prints one JSON line: seconds of speech written per article.

Usage: python peer_script.py ARTICLES.json MODEL.onnx VOICES.npz VOICE OUT_DIR
(ARTICLES.json: a list of article texts.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from kokoro_onnx import Kokoro
from misaki import zh
from pydub import AudioSegment


def main() -> None:
    articles_json, model, voices, voice, out_dir = sys.argv[1:6]
    articles = json.loads(Path(articles_json).read_text(encoding="utf-8"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()

    g2p = zh.ZHG2P()
    kokoro = Kokoro(model, voices)
    seconds = []
    for n, text in enumerate(articles, start=1):
        phonemes, _ = g2p(text)
        samples, rate = kokoro.create(phonemes, voice=voice, speed=1.0, is_phonemes=True)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
        clip = AudioSegment(pcm.tobytes(), frame_rate=rate, sample_width=2, channels=1)
        clip.export(out / f"{n:02d}.mp3", format="mp3", bitrate="64k")
        seconds.append(len(samples) / rate)
    print(json.dumps({"speech_s": seconds}))


if __name__ == "__main__":
    main()
