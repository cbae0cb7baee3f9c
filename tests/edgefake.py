"""A loopback server that speaks the Edge read-aloud WebSocket protocol.

It lets the real edge-tts library run end to end with no internet: the client sends
``Path:speech.config`` and ``Path:ssml``; the server answers ``turn.start``,
``response``, per sentence an ``audio.metadata`` SentenceBoundary and binary audio
frames (real MP3, 24 kHz mono 48 kbps, made with ffmpeg), an empty end frame, and
``turn.end``. One connection per request, as the service does.

Behaviours (``EdgeServer.behaviour``), the ways the real service fails:

- ``ok``            answers every request
- ``403-once``      refuses the first ``fail_times`` handshakes with 403, then answers
- ``403-always``    refuses every handshake with 403
- ``429``           refuses the first ``fail_times`` handshakes with 429 + Retry-After
- ``503``           refuses the first ``fail_times`` handshakes with 503 (an outage)
- ``no-audio``      accepts, then ends the turn without audio
- ``close-midway``  sends the boundaries and half the audio, then closes (no turn.end)
- ``hang``          accepts and never answers
- ``slow``          answers after ``latency_s`` (any behaviour can add ``latency_s``)

Binds only to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, unescape

import numpy as np
from aiohttp import WSMsgType, web

from audiopaper.audio.ffmpeg import ffmpeg_exe

PATH = "/consumer/speech/synthesize/readaloud/edge/v1"
VOICES_PATH = "/consumer/speech/synthesize/readaloud/voices/list"
RATE = 24000
FRAME_BYTES = 144  # one MPEG-2 layer III frame at 48 kbps, 24 kHz
BYTES_PER_S = 6000
TICKS = 10_000_000
LEAD_S = 0.1
TAIL_S = 0.15
KNOWN = {
    "zh-CN-XiaoxiaoNeural": "Female",
    "zh-CN-YunyangNeural": "Male",
    "zh-CN-XiaoyiNeural": "Female",
    "zh-CN-YunxiNeural": "Male",
    "zh-CN-YunjianNeural": "Male",
    "zh-CN-LoopbackNeural": "Female",
    "en-US-EmmaMultilingualNeural": "Female",
}
_SENTENCE = re.compile(r"[^。！？!?；;…]+[。！？!?；;…”’」』）)]*")


@dataclass
class Request:
    voice: str
    rate: str
    pitch: str
    text: str


@dataclass
class Stats:
    handshakes: int = 0
    refused: int = 0
    active: int = 0
    max_active: int = 0
    completed: int = 0
    requests: list[Request] = field(default_factory=list)
    voice_lists: int = 0


def short_name(long_name: str) -> str:
    """'Microsoft Server Speech Text to Speech Voice (zh-CN, XiaoxiaoNeural)' → zh-CN-XiaoxiaoNeural."""
    m = re.match(r"Microsoft Server Speech Text to Speech Voice \((.+), (.+)\)$", long_name)
    return f"{m.group(1)}-{m.group(2)}" if m else long_name


@lru_cache(maxsize=64)
def tone_mp3(seconds: float, freq: int) -> bytes:
    """``seconds`` of a quiet tone as raw MP3 frames (no ID3, no Xing), like the service."""
    t = np.arange(round(seconds * RATE)) / RATE
    pcm = (np.sin(2 * np.pi * freq * t) * 6000).astype("<i2")
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0"]
    cmd += ["-c:a", "libmp3lame", "-b:a", "48k", "-ar", str(RATE), "-ac", "1"]
    cmd += ["-id3v2_version", "0", "-write_xing", "0", "-f", "mp3", "pipe:1"]
    return subprocess.run(cmd, input=pcm.tobytes(), capture_output=True, check=True).stdout


def _text_message(path: str, body: str, request_id: str) -> str:
    return f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\nPath:{path}\r\n\r\n{body}"


def _audio_frame(data: bytes, request_id: str) -> bytes:
    content = "Content-Type:audio/mpeg\r\n" if data else ""
    headers = f"X-RequestId:{request_id}\r\n{content}X-StreamId:{request_id[:8]}\r\nPath:audio\r\n".encode()
    return len(headers).to_bytes(2, "big") + headers + data


def _headers(message: str) -> tuple[dict[str, str], str]:
    head, _, body = message.partition("\r\n\r\n")
    headers = dict(line.split(":", 1) for line in head.split("\r\n") if ":" in line)
    return headers, body


class EdgeServer:
    """Run it with ``with EdgeServer("ok") as server: ... server.url ...``."""

    def __init__(
        self,
        behaviour: str = "ok",
        *,
        latency_s: float = 0.0,
        fail_times: int = 1,
        retry_after: str | None = "1",
        sec_per_char: float = 0.06,
        poison: str | None = None,
    ) -> None:
        self.behaviour = behaviour
        self.latency_s = latency_s
        self.fail_times = fail_times
        self.retry_after = retry_after
        self.sec_per_char = sec_per_char
        #: requests whose text contains this get no audio (one article failing alone)
        self.poison = poison
        self.stats = Stats()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{PATH}?TrustedClientToken=loopback"

    def __enter__(self) -> EdgeServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get(PATH, self._speak)
        app.router.add_get(VOICES_PATH, self._voices)
        # A short shutdown timeout: hanging handlers are cancelled, not waited for.
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        # Handlers of connections a killed client left open: end them before the loop stops.
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    # -- handlers ----------------------------------------------------------------------

    async def _voices(self, request: web.Request) -> web.Response:
        self.stats.voice_lists += 1
        if self.behaviour == "403-always":
            return web.Response(status=403)
        voices = [
            {
                "Name": f"Microsoft Server Speech Text to Speech Voice ({n.rsplit('-', 1)[0]}, {n.rsplit('-', 1)[1]})",
                "ShortName": n,
                "Gender": g,
                "Locale": n.rsplit("-", 1)[0],
                "VoiceTag": {"ContentCategories": ["News"], "VoicePersonalities": ["Loopback"]},
            }
            for n, g in KNOWN.items()
        ]
        return web.json_response(voices)

    async def _speak(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        if not all(k in q for k in ("TrustedClientToken", "ConnectionId", "Sec-MS-GEC", "Sec-MS-GEC-Version")):
            return web.Response(status=400, text="missing token parameters")
        self.stats.handshakes += 1
        n = self.stats.handshakes
        if self.behaviour == "403-always" or (self.behaviour == "403-once" and n <= self.fail_times):
            self.stats.refused += 1
            return web.Response(status=403)  # aiohttp adds the Date header edge-tts corrects its clock with
        if self.behaviour == "429" and n <= self.fail_times:
            self.stats.refused += 1
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return web.Response(status=429, headers=headers)

        if self.behaviour == "503" and n <= self.fail_times:
            self.stats.refused += 1
            return web.Response(status=503)

        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.stats.active += 1
        self.stats.max_active = max(self.stats.max_active, self.stats.active)
        try:
            await self._converse(ws)
        finally:
            self.stats.active -= 1
        return ws

    async def _converse(self, ws: web.WebSocketResponse) -> None:
        config_seen = False
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            headers, body = _headers(msg.data)
            if headers.get("Path") == "speech.config":
                config_seen = "audio-24khz-48kbitrate-mono-mp3" in body
            elif headers.get("Path") == "ssml" and config_seen:
                await self._answer(ws, headers.get("X-RequestId", uuid.uuid4().hex), body)
                return
            else:
                await ws.close(code=1002, message=b"protocol error")
                return

    async def _answer(self, ws: web.WebSocketResponse, rid: str, ssml: str) -> None:
        voice = re.search(r"<voice name='([^']*)'>", ssml)
        prosody = re.search(r"<prosody pitch='([^']*)' rate='([^']*)' volume='[^']*'>(.*)</prosody>", ssml, re.S)
        if not voice or not prosody:
            await ws.close(code=1002, message=b"bad ssml")
            return
        name = short_name(voice.group(1))
        text = unescape(prosody.group(3))
        self.stats.requests.append(Request(name, prosody.group(2), prosody.group(1), text))
        if self.behaviour == "hang":
            async for _ in ws:  # keep the connection open, say nothing, until the client gives up
                pass
            return
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        await ws.send_str(_text_message("turn.start", '{"context":{"serviceTag":"loopback"}}', rid))
        await ws.send_str(
            _text_message(
                "response", '{"context":{"serviceTag":"loopback"},"audio":{"type":"inline","streamId":"x"}}', rid
            )
        )
        if self.behaviour == "no-audio" or name not in KNOWN or (self.poison and self.poison in text):
            await ws.send_str(_text_message("turn.end", "{}", rid))
            return
        sentences = [s for s in _SENTENCE.findall(text) if s.strip()] or [text]
        durations = [max(0.2, round(len(s) * self.sec_per_char, 2)) for s in sentences]
        total = LEAD_S + sum(durations) + TAIL_S
        freq = 300 + (sum(map(ord, name)) % 400)
        mp3 = await asyncio.to_thread(tone_mp3, round(total, 2), freq)
        cut_at = len(mp3) // 2 if self.behaviour == "close-midway" else len(mp3)
        sent = 0
        t = LEAD_S
        for sentence, d in zip(sentences, durations, strict=True):
            meta = {
                "Metadata": [
                    {
                        "Type": "SentenceBoundary",
                        "Data": {
                            "Offset": round(t * TICKS),
                            "Duration": round(d * TICKS),
                            "text": {
                                "Text": escape(sentence),
                                "Length": len(sentence),
                                "BoundaryType": "SentenceBoundary",
                            },
                        },
                    }
                ]
            }
            await ws.send_str(_text_message("audio.metadata", json.dumps(meta, ensure_ascii=False), rid))
            t += d
            upto = min(len(mp3), round(t * BYTES_PER_S) // FRAME_BYTES * FRAME_BYTES)
            sent = await self._send_audio(ws, rid, mp3, sent, min(upto, cut_at))
            if sent >= cut_at and cut_at < len(mp3):
                await ws.close()
                return
        sent = await self._send_audio(ws, rid, mp3, sent, cut_at)
        if cut_at < len(mp3):
            await ws.close()
            return
        await ws.send_bytes(_audio_frame(b"", rid))
        await ws.send_str(_text_message("turn.end", "{}", rid))
        self.stats.completed += 1

    async def _send_audio(self, ws: web.WebSocketResponse, rid: str, mp3: bytes, start: int, end: int) -> int:
        for a in range(start, end, 4096):
            await ws.send_bytes(_audio_frame(mp3[a : min(end, a + 4096)], rid))
        return max(start, end)


def reset_client_state(monkeypatch: Any) -> None:
    """What a test must undo so the library starts clean: proxies and clock skew."""
    import edge_tts.drm

    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "WS_PROXY", "WSS_PROXY"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(edge_tts.drm.DRM, "clock_skew_seconds", 0.0)


@contextlib.contextmanager
def serving(monkeypatch: Any, behaviour: str = "ok", **options: Any) -> Iterator[EdgeServer]:
    """A loopback server, with AUDIOPAPER_EDGE_URL pointing at it for the test's duration."""
    import edge_tts.communicate
    import edge_tts.voices

    reset_client_state(monkeypatch)
    # apply_endpoint() patches these module attributes; put them back afterwards.
    monkeypatch.setattr(edge_tts.communicate, "WSS_URL", edge_tts.communicate.WSS_URL)
    monkeypatch.setattr(edge_tts.voices, "VOICE_LIST", edge_tts.voices.VOICE_LIST)
    monkeypatch.setenv("AUDIOPAPER_CONFIG", str(Path("/nonexistent/audiopaper-test.toml")))
    with EdgeServer(behaviour, **options) as server:
        monkeypatch.setenv("AUDIOPAPER_EDGE_URL", server.url)
        yield server


def closed_port_url() -> str:
    """A loopback URL nobody listens on: the service unreachable, refused at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"ws://127.0.0.1:{port}{PATH}?TrustedClientToken=loopback"
