"""Online Mandarin engine: Microsoft Edge's read-aloud voices through the pinned edge-tts.

The service fails in every way a network service can, so this module only does one
request well and says precisely how it failed; retries, deadlines between attempts,
concurrency and failover live in ``audiopaper.resilience`` and ``audiopaper.synth``.

One request is one ``Communicate`` for one chunk of whole sentences (edge-tts never
splits Chinese text without spaces, so we chunk ourselves). The answer is MP3 (24 kHz
mono 48 kbps) plus SentenceBoundary events; we check the answer is complete before
decoding it to PCM, because a connection closed before ``turn.end`` comes back from
edge-tts as a short, "successful" stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import importlib.resources
import json
import os
import threading
import time
import tomllib
import urllib.parse
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import EngineFailure, UsageError
from ..models import Reading, Spelling, Synthesis, Voice
from ..presets import Preset
from .base import Availability, EngineConfig, Remote, VoiceListing, register

SAMPLE_RATE = 24000
#: chunk size in characters: about half a minute of speech per request, so a stalled or
#: refused request costs little to redo and four connections share an article evenly;
#: far below edge-tts's 4096-byte split and the service's ten-minute cut.
CHUNK_CHARS = 120
TICKS_PER_S = 10_000_000
MP3_BYTES_PER_S = 48_000 // 8
#: how far the audio may end before the last boundary (MP3 frames are 24 ms)
END_SLACK_S = 0.1
ENV_URL = "AUDIOPAPER_EDGE_URL"
ENV_CONFIG = "AUDIOPAPER_CONFIG"
PROBE_TIMEOUT_S = 3.0
#: what ``auto`` asks the service to read before choosing it: one word, one request
PROBE_TEXT = "好。"
PROBE_VOICE = "zh-CN-XiaoxiaoNeural"


class EdgeFailure(EngineFailure):
    """One edge request failed (see ``translate`` for how each failure is classed)."""


class Truncated(EdgeFailure):
    """The answer ended before the text did."""


@dataclass(frozen=True)
class Boundary:
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Answer:
    """What one request brought back, before any checking."""

    mp3: bytes
    boundaries: tuple[Boundary, ...]
    network_s: float


# --- endpoint -----------------------------------------------------------------------


def _edge_tts() -> Any:
    import edge_tts.communicate

    return edge_tts


def default_url() -> str:
    from edge_tts.constants import WSS_URL

    return str(WSS_URL)


def config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "audiopaper" / "config.toml"


def configured_url() -> str | None:
    """``[edge] url`` from the config file, if there is one."""
    path = config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the config file ({exc})") from None
    edge = data.get("edge")
    url = edge.get("url") if isinstance(edge, dict) else None
    return str(url) if url else None


def service_url(override: str | None = None) -> str:
    """The WebSocket endpoint: an explicit override, else AUDIOPAPER_EDGE_URL, else the
    config key ``[edge] url``, else the real service."""
    url = override or os.environ.get(ENV_URL) or configured_url() or default_url()
    if not url.startswith(("ws://", "wss://")):
        raise UsageError(f"edge URL {url!r} is not a ws:// or wss:// URL", f"fix {ENV_URL} or [edge] url")
    # edge-tts appends "&ConnectionId=…", so the URL must already have a query.
    return url if "?" in url else url + "?"


def voices_url(wss_url: str) -> str:
    """The voice-list URL beside a WebSocket endpoint (same host, ``/voices/list``)."""
    if wss_url.split("?")[0] == default_url().split("?")[0]:
        from edge_tts.constants import VOICE_LIST

        return str(VOICE_LIST)
    parts = urllib.parse.urlsplit(wss_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    path = parts.path
    path = path[: -len("/edge/v1")] if path.endswith("/edge/v1") else path.rstrip("/")
    query = urllib.parse.parse_qs(parts.query)
    token = (query.get("TrustedClientToken") or [""])[0]
    return urllib.parse.urlunsplit((scheme, parts.netloc, f"{path}/voices/list", f"trustedclienttoken={token}", ""))


class _Endpoint:
    """Where edge-tts sends requests: the one place that sets it.

    edge-tts 7.3.1 takes no endpoint parameter: ``Communicate`` reads the module global
    ``edge_tts.communicate.WSS_URL`` each time it connects, and ``list_voices`` reads
    ``edge_tts.voices.VOICE_LIST`` (``edge_tts.constants`` is copied at import, so
    patching that does nothing). So the globals are set here, per request, under a
    lease: requests to one URL run side by side, and a request to another URL waits
    until they are done. Engines configured with different endpoints can then share a
    process (a batch of builds, a worker) without one's requests reaching the other's
    service; with one endpoint, as in every ordinary run, nothing ever waits.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0

    def _enter(self, url: str) -> bool:
        et = _edge_tts()
        with self._lock:
            if url != et.communicate.WSS_URL:
                if self._users:
                    return False
                et.communicate.WSS_URL = url
                et.voices.VOICE_LIST = voices_url(url)
            self._users += 1
            return True

    def _leave(self) -> None:
        with self._lock:
            self._users -= 1

    @contextlib.asynccontextmanager
    async def using(self, url: str) -> AsyncIterator[None]:
        while not self._enter(url):
            await asyncio.sleep(0.02)
        try:
            yield
        finally:
            self._leave()


_ENDPOINT = _Endpoint()


# --- the engine ---------------------------------------------------------------------


_SENTENCE_END = "。！？!?…；;"
_CLOSERS = "”’」』）)》\"' "


def framed(texts: Sequence[str]) -> str:
    """One request's text: our sentences joined so the service ends a sentence where we do.

    A headline or byline has no full stop; sent as it is, it would run into the next
    sentence with no pause and share its boundary event, so such a sentence gets one.
    """
    out = []
    for text in texts:
        body = text.rstrip()
        out.append(body if body.rstrip(_CLOSERS)[-1:] in tuple(_SENTENCE_END) else body + "。")
    return "".join(out)


def _norm(text: str) -> str:
    """Only the characters that are read, to line our sentences up with the service's."""
    return "".join(ch for ch in text if ch.isalnum())


class EdgeEngine:
    name = "edge"
    offline = False
    # It reads Latin letters itself and takes no phoneme markup: the lexicon's
    # [respell] homophones are what make it say a word our way.
    spelling: Spelling = "respelled"
    sample_rate = SAMPLE_RATE
    chunk_chars = CHUNK_CHARS

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self._url: str | None = None

    # -- contract ---------------------------------------------------------------------

    @property
    def remote(self) -> Remote:
        return self

    @property
    def concurrency(self) -> int:
        return self.config.concurrency

    def url(self) -> str:
        """The endpoint: the config's, else AUDIOPAPER_EDGE_URL, the config file, the service."""
        if self._url is None:
            self._url = service_url(self.config.url)
        return self._url

    def available(self) -> Availability:
        try:
            _edge_tts()
        except ImportError:
            return Availability(False, "Python package 'edge-tts' is missing", "run `make install`")
        return Availability(True)

    def probe(self) -> Availability:
        """Whether the service reads right now: one short word, answered whole, within
        PROBE_TIMEOUT_S. A handshake alone proves too little: a service that accepts the
        connection and then says nothing passed it, and the build then waited out every
        request's deadline (284 s for two articles, issue #16)."""
        found = probe_speech(self, PROBE_TIMEOUT_S)
        return Availability(found.ok, found.reason)

    def voices(self) -> list[str]:
        """Known zh-CN voices (shipped list; never touches the network)."""
        return [v["ShortName"] for v in shipped_voices()]

    def describe_voices(self, live: bool = False) -> VoiceListing:
        found, source = list_voices(self.url()) if live else (shipped_voices(), "shipped list")
        return VoiceListing(tuple(v["ShortName"] for v in found), source, tuple(describe(v) for v in found))

    def voice_for(self, preset: Preset) -> Voice:
        return Voice(
            preset=preset.name,
            engine=self.name,
            name=preset.voice(self.name),
            speed=preset.speed,
            pitch=preset.settings.get(f"{self.name}_pitch", "+0Hz"),
            rate=preset.settings.get(f"{self.name}_rate", "+0%"),
        )

    def check_voice(self, voice: Voice) -> None:
        """Reject a voice or prosody the library refuses, before any request is made.

        Any well-formed name is accepted: the shipped list is not every voice there is.
        """
        self._communicate("。", voice, 10.0)

    def version(self) -> str:
        try:
            return f"edge-tts/{importlib.metadata.version('edge-tts')}"
        except importlib.metadata.PackageNotFoundError:
            return "edge-tts/?"

    def synthesize(self, readings: Sequence[Reading], voice: Voice) -> Synthesis:
        """One request, no retries (the synth stage retries; this serves one-off use)."""

        async def once() -> Synthesis:
            answer = await self.fetch(readings, voice)
            return await asyncio.to_thread(self.finish, answer, readings)

        return asyncio.run(once())

    def close(self) -> None:
        """Nothing held between requests: every request has its own connection."""

    # -- one request ------------------------------------------------------------------

    def _communicate(self, text: str, voice: Voice, timeout_s: float) -> Any:
        et = _edge_tts()
        seconds = max(1, int(timeout_s + 0.999))
        try:
            return et.Communicate(
                text,
                voice.name,
                rate=voice.rate,
                pitch=voice.pitch,
                boundary="SentenceBoundary",
                connect_timeout=seconds,
                receive_timeout=seconds,
            )
        except (ValueError, TypeError) as exc:
            # Bad voice or prosody: no retry can fix it, so it is the user's to fix.
            raise UsageError(
                f"edge rejects voice {voice.name!r} (rate {voice.rate}, pitch {voice.pitch}): {exc}",
                "see `audiopaper voices --engine edge`",
            ) from None

    async def fetch(self, readings: Sequence[Reading], voice: Voice) -> Answer:
        """Send one chunk and collect the raw answer, all within the configured deadline."""
        timeout_s, url = self.config.timeout_s, self.url()
        text = framed([r.text for r in readings])
        communicate = self._communicate(text, voice, timeout_s)
        audio = bytearray()
        boundaries: list[Boundary] = []
        t0 = time.perf_counter()
        try:
            # edge-tts's receive timeout restarts on every frame, so a trickling or
            # silent stream never ends by itself; this deadline covers the whole request.
            async with (
                asyncio.timeout(timeout_s),
                _ENDPOINT.using(url),
                contextlib.aclosing(communicate.stream()) as stream,
            ):
                async for message in stream:
                    if message["type"] == "audio":
                        audio += message["data"]
                    elif message["type"] in ("SentenceBoundary", "WordBoundary"):
                        start = message["offset"] / TICKS_PER_S
                        boundaries.append(Boundary(start, start + message["duration"] / TICKS_PER_S, message["text"]))
        except TimeoutError:
            raise EdgeFailure(f"no complete answer within {timeout_s:g} s") from None
        except Exception as exc:
            raise translate(exc) from None
        return Answer(bytes(audio), tuple(boundaries), time.perf_counter() - t0)

    def finish(self, answer: Answer, readings: Sequence[Reading]) -> Synthesis:
        """Check the answer is whole, decode it, and place each sentence in it."""
        from ..audio.ffmpeg import decode_mp3
        from ..errors import AudioError

        if not answer.mp3:
            raise EdgeFailure("the answer held no audio")
        if not answer.boundaries:
            raise Truncated("the answer held no sentence boundaries, so it cannot be checked for completeness")
        texts = [_norm(r.text) for r in readings]
        total = sum(len(t) for t in texts)
        covered = sum(len(_norm(b.text)) for b in answer.boundaries)
        # The service reads what we send; a few characters of slack allow for symbols it
        # spells differently, not for a missing sentence.
        if covered < total - max(2, total // 50):
            raise Truncated(f"the answer stopped after {covered} of {total} characters")
        last_end = max(b.end_s for b in answer.boundaries)
        if len(answer.mp3) / MP3_BYTES_PER_S + END_SLACK_S < last_end:
            raise Truncated(f"the audio stops at {len(answer.mp3) / MP3_BYTES_PER_S:.2f} s, before {last_end:.2f} s")
        try:
            pcm = decode_mp3(answer.mp3, SAMPLE_RATE)
        except AudioError as exc:
            raise EdgeFailure(f"the audio does not decode ({exc})") from None
        if len(pcm) / SAMPLE_RATE + END_SLACK_S < last_end:
            raise Truncated(f"the audio decodes to {len(pcm) / SAMPLE_RATE:.2f} s, before {last_end:.2f} s")
        spans = place(texts, answer.boundaries, len(pcm) / SAMPLE_RATE)
        return Synthesis(pcm=pcm, sample_rate=SAMPLE_RATE, spans=spans, engine_s=answer.network_s)


def place(texts: Sequence[str], boundaries: Sequence[Boundary], audio_s: float) -> tuple[tuple[float, float], ...]:
    """Each of our sentences' (start, end) from the service's boundary events.

    The service may cut sentences differently from us, so both are laid out on one
    character axis (read characters only) and each sentence takes the start of the
    boundary holding its first character and the end of the one holding its last.
    """
    marks: list[tuple[int, int, Boundary]] = []
    pos = 0
    for b in sorted(boundaries, key=lambda b: b.start_s):
        n = len(_norm(b.text))
        marks.append((pos, pos + n, b))
        pos += n
    total_b = pos or 1
    total_t = sum(len(t) for t in texts) or 1
    scale = total_b / total_t

    def at(char: int) -> Boundary:
        for a, z, b in marks:
            if a <= char < z:
                return b
        return marks[-1][2]

    spans: list[tuple[float, float]] = []
    pos = 0
    prev_end = 0.0
    for text in texts:
        if not text:
            spans.append((prev_end, prev_end))
            continue
        first = at(int(pos * scale))
        last = at(max(int((pos + len(text)) * scale) - 1, int(pos * scale)))
        start, end = max(first.start_s, prev_end), min(max(last.end_s, first.start_s), audio_s)
        spans.append((start, max(start, end)))
        prev_end = spans[-1][1]
        pos += len(text)
    return tuple(spans)


def translate(exc: BaseException) -> EdgeFailure:
    """An aiohttp or edge-tts error as one retryable (or not) line."""
    import aiohttp
    from edge_tts import exceptions as ex

    if isinstance(exc, aiohttp.ClientResponseError):
        status = exc.status
        if status == 429:
            return EdgeFailure(
                "the service says too many requests (429)", status=429, retry_after_s=_retry_after(exc.headers)
            )
        if status == 403:
            return EdgeFailure("the service refused the request (403)", status=403)
        if status >= 500 or status == 408:
            return EdgeFailure(f"the service failed ({status})", status=status)
        return EdgeFailure(f"the service answered {status} {exc.message}".strip(), retryable=False, status=status)
    if isinstance(exc, ex.NoAudioReceived):
        return EdgeFailure("no audio received")
    if isinstance(exc, ex.SkewAdjustmentError):
        return EdgeFailure("the service refused the request (403) and gave no clock to correct against")
    if isinstance(exc, ex.EdgeTTSException):
        return EdgeFailure(f"unexpected answer from the service ({exc})")
    if isinstance(exc, aiohttp.ClientConnectorError):
        why = exc.os_error.strerror or str(exc.os_error) or type(exc.os_error).__name__
        return EdgeFailure(f"cannot reach {exc.host}:{exc.port} ({why})")
    if isinstance(exc, aiohttp.ClientError):
        detail = str(exc) or type(exc).__name__
        return EdgeFailure(f"connection failed ({detail})")
    if isinstance(exc, OSError):
        return EdgeFailure(f"connection failed ({exc.strerror or exc})")
    # Malformed frames surface from the library as ValueError/KeyError (JSON, headers);
    # the request's parameters were validated before, so these are the service's fault.
    if isinstance(exc, ValueError | KeyError | IndexError | TypeError):
        return EdgeFailure(f"malformed answer from the service ({type(exc).__name__})")
    # Anything else is not a known way for the service to fail: report it (one line,
    # the article falls back) rather than retry something we do not understand.
    return EdgeFailure(f"unexpected error ({type(exc).__name__}: {exc})", retryable=False)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


# --- reachability and voices --------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    ok: bool
    reason: str
    elapsed_s: float


def probe(url: str | None = None, timeout_s: float = PROBE_TIMEOUT_S) -> Probe:
    """Does the service accept a WebSocket handshake within ``timeout_s``?

    Only the handshake: it costs the service nothing and answers the question (an
    unreachable host, a refused token, a firewall). Runs on a private event loop that
    is closed without waiting for a stuck DNS lookup, so the caller never waits longer
    than the deadline.
    """
    import aiohttp

    et = _edge_tts()
    target = service_url(url)
    t0 = time.perf_counter()

    async def handshake() -> None:
        full = (
            f"{target}&ConnectionId={et.communicate.connect_id()}"
            f"&Sec-MS-GEC={et.drm.DRM.generate_sec_ms_gec()}"
            f"&Sec-MS-GEC-Version={et.constants.SEC_MS_GEC_VERSION}"
        )
        async with (
            aiohttp.ClientSession(trust_env=True) as session,
            session.ws_connect(
                full, headers=et.drm.DRM.headers_with_muid(et.constants.WSS_HEADERS), ssl=et.communicate._SSL_CTX
            ),
        ):
            return

    async def attempt() -> None:
        async with asyncio.timeout(timeout_s):
            try:
                await handshake()
            except aiohttp.ClientResponseError as exc:
                if exc.status != 403:
                    raise
                # The same clock-skew correction edge-tts makes on a 403, then once more.
                et.drm.DRM.handle_client_response_error(exc)
                await handshake()

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(attempt())
    except TimeoutError:
        return Probe(False, f"no answer within {timeout_s:g} s", time.perf_counter() - t0)
    except Exception as exc:
        return Probe(False, str(translate(exc)), time.perf_counter() - t0)
    finally:
        loop.close()
    return Probe(True, f"service answered in {time.perf_counter() - t0:.2f} s", time.perf_counter() - t0)


def probe_speech(engine: EdgeEngine, timeout_s: float = PROBE_TIMEOUT_S) -> Probe:
    """Ask ``engine``'s service for one short word with the default voice and check the
    answer is whole audio, all within ``timeout_s``; on a private event loop that is
    closed without waiting for a stuck DNS lookup, as ``probe`` does."""
    quick = EdgeEngine(replace(engine.config, timeout_s=timeout_s))
    quick._url = engine.url()
    voice = Voice("probe", quick.name, PROBE_VOICE)
    readings = [Reading("respelled", PROBE_TEXT, None)]
    t0 = time.perf_counter()

    async def attempt() -> None:
        answer = await quick.fetch(readings, voice)
        await asyncio.to_thread(quick.finish, answer, readings)

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(attempt())
    except EngineFailure as exc:
        return Probe(False, str(exc), time.perf_counter() - t0)
    except Exception as exc:
        return Probe(False, str(translate(exc)), time.perf_counter() - t0)
    finally:
        loop.close()
    elapsed = time.perf_counter() - t0
    return Probe(True, f"service answered with speech in {elapsed:.2f} s", elapsed)


def shipped_voices() -> list[dict[str, Any]]:
    data = importlib.resources.files("audiopaper.engines") / "edge_voices.json"
    return list(json.loads(data.read_text(encoding="utf-8"))["voices"])


def list_voices(
    url: str | None = None, locale: str = "zh-CN", timeout_s: float = PROBE_TIMEOUT_S
) -> tuple[list[dict[str, Any]], str]:
    """The service's voices for ``locale`` and where the list came from."""
    et = _edge_tts()
    target = service_url(url)

    async def fetch() -> list[dict[str, Any]]:
        async with asyncio.timeout(timeout_s), _ENDPOINT.using(target):
            return list(await et.list_voices())

    loop = asyncio.new_event_loop()
    try:
        voices = loop.run_until_complete(fetch())
        source = "service"
    except Exception as exc:  # any failure means: use the shipped list, and say so
        voices = shipped_voices()
        why = "no answer" if isinstance(exc, TimeoutError) else type(exc).__name__
        source = f"shipped list (service unreachable: {why})"
    finally:
        loop.close()
    return [v for v in voices if str(v.get("Locale", "")).startswith(locale)], source


def describe(voice: dict[str, Any]) -> str:
    tags = voice.get("VoiceTag") or {}
    extra = ", ".join([*tags.get("ContentCategories", []), *tags.get("VoicePersonalities", [])])
    return f"{voice['ShortName']} ({voice.get('Gender', '?')}{'; ' + extra if extra else ''})"


@register("edge", rank=10)
def _factory(config: EngineConfig) -> EdgeEngine:
    return EdgeEngine(config)
