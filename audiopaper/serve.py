"""`audiopaper serve`: the output folder over HTTP, the way podcast apps need it.

``http.server.SimpleHTTPRequestHandler`` ignores Range (players then cannot seek or
resume), lists directories and guesses types from the system's mime table. This
handler serves files only, with byte ranges, fixed types, and nothing outside the root.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.server
import os
import posixpath
import queue
import re
import selectors
import signal
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, cast

from .errors import AudiopaperError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
CHUNK = 64 * 1024
#: threads that read requests and send files; more requests than this wait their turn
WORKERS = 32
#: a keep-alive connection with no new request for this long is closed
IDLE_TIMEOUT_S = 15.0
#: a request or a send that stalls this long ends its connection (a slow-loris client
#: holds one worker at most this long)
REQUEST_TIMEOUT_S = 20.0

TYPES = {
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",  # the only XML in OUT is the two feeds
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def content_type(path: Path) -> str:
    return TYPES.get(path.suffix.lower(), "application/octet-stream")


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """One byte range as (first, last) inclusive; None to send the whole file; "416" if unsatisfiable.

    Several ranges, or a header we cannot parse, are answered with the whole file, which
    RFC 9110 allows; only a well-formed range that misses the file is an error.
    """
    m = _RANGE.match(header.strip().replace(" ", ""))
    if not m or (not m.group(1) and not m.group(2)):
        return None
    first_s, last_s = m.group(1), m.group(2)
    if not first_s:  # bytes=-n: the last n bytes
        n = int(last_s)
        if n == 0 or size == 0:
            return "416"
        return max(0, size - n), size - 1
    first = int(first_s)
    last = int(last_s) if last_s else None
    if last is not None and last < first:
        return None  # bytes=9-3 is malformed, not unsatisfiable
    if first >= size:
        return "416"
    if last is None:
        last = size - 1
    return first, min(last, size - 1)


def resolve(root: Path, raw_path: str) -> Path | None:
    """The file a request path names under ``root``, or None when it is refused or absent.

    ``..`` is refused before and after percent-decoding (``%2e%2e``, ``%2f``), and the
    result must still lie under the root once symlinks are followed.
    """
    path = urllib.parse.urlsplit(raw_path).path
    decoded = urllib.parse.unquote(path, errors="strict") if "%" in path else path
    for candidate in (path, decoded):
        if "\x00" in candidate or "\\" in candidate:
            return None
        if any(part == ".." for part in candidate.split("/")):
            return None
    parts = [p for p in posixpath.normpath("/" + decoded).split("/") if p not in ("", ".")]
    # Dot files are the build's internals (.cache, half-written .part files); the
    # catalog is the project's database, not something to publish.
    if any(p.startswith(".") for p in parts) or (parts and parts[-1].startswith("catalog.sqlite")):
        return None
    target = root.joinpath(*parts)
    try:
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(root):
        return None
    if real.is_dir():
        index = real / "index.html"
        return index if index.is_file() else None
    return real if real.is_file() else None


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "audiopaper"
    protocol_version = "HTTP/1.1"
    root: Path = Path(".")
    log: Callable[[str], None] | None = None
    timeout = REQUEST_TIMEOUT_S
    # Unbuffered reads: the connection goes back to the server's watcher between
    # requests, and bytes a buffer had read ahead (a pipelined request) would be lost.
    rbufsize = 0

    def handle(self) -> None:
        """One request; the server keeps the connection (keep-alive) or closes it."""
        self.close_connection = True
        self.handle_one_request()

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _refuse_method(self) -> None:
        # The request body is never read, so the connection cannot carry another request.
        self.close_connection = True
        self._error(405, extra={"Allow": "GET, HEAD", "Connection": "close"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def end_headers(self) -> None:
        # Web players on other sites fetch the feed, chapters, transcripts and audio with
        # fetch()/XHR; without this header the browser hides the answer from them. OUT
        # holds nothing private (it is what gets published), so any origin may read it.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges, ETag")
        super().end_headers()

    def _error(self, code: int, extra: dict[str, str] | None = None) -> None:
        body = f"{code} {http.HTTPStatus(code).phrase}\n".encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _serve(self, body: bool) -> None:
        try:
            path = resolve(self.root, self.path)
        except UnicodeDecodeError:
            path = None
        if path is None:
            self._error(404)
            return
        raw = urllib.parse.urlsplit(self.path).path
        if path.name == "index.html" and not raw.endswith(("/", "index.html")):
            # /editions/2022-01-28 → /editions/2022-01-28/ so the page's relative links resolve.
            self.send_response(301)
            self.send_header("Location", raw + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            f = open(path, "rb")  # noqa: SIM115 (closed by the `with f` below, after the 404 branch)
        except OSError:
            self._error(404)
            return
        with f:
            st = os.fstat(f.fileno())
            size = st.st_size
            etag = f'"{st.st_mtime_ns:x}-{size:x}"'
            last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
            span: tuple[int, int] | None | str = None
            header = self.headers.get("Range")
            if_range = self.headers.get("If-Range")
            # A resumed download of a file that has since been rebuilt must restart from
            # the beginning, or the player would splice two different files.
            if header and (if_range is None or if_range in (etag, last_modified)):
                span = parse_range(header, size)
            if span == "416":
                self._error(416, extra={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
                return
            if isinstance(span, tuple):
                first, last = span
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            else:
                first, last = 0, size - 1
                self.send_response(200)
            length = max(0, last - first + 1)
            self.send_header("Content-Type", content_type(path))
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            # Feeds and pages change with every build; audio files are replaced, not edited.
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if body and length:
                f.seek(first)
                self._copy(f, length)

    def _copy(self, f: BinaryIO, length: int) -> None:
        left = length
        try:
            while left > 0:
                chunk = f.read(min(CHUNK, left))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            # Players routinely drop a range request half-way when the listener seeks.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        if self.log is not None:
            self.log(f"{self.address_string()} {format % args}")


class Server(http.server.HTTPServer):
    """Many connections, few threads: a burst of podcast apps is answered, and sockets
    held open (idle keep-alive, or opened and never used) cost no thread.

    ``ThreadingHTTPServer`` gave each connection a thread for as long as the client held
    it, and listened with a backlog of 5: 200 connections at once left many unanswered
    for a minute, and 550 idle ones pinned 549 threads (issue #16). Here the kernel queues
    a burst (``request_queue_size``), one watcher thread waits on every open connection
    with a selector, and only a connection with a request to read gets one of
    ``WORKERS`` threads, for that one request; a keep-alive connection then goes back to
    the watcher, which closes it after ``IDLE_TIMEOUT_S`` without a request.
    """

    allow_reuse_address = True
    # the kernel caps it at net.core.somaxconn (4096 on current Linux)
    request_queue_size = 1024

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[http.server.BaseHTTPRequestHandler],
        workers: int = WORKERS,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
    ) -> None:
        super().__init__(address, handler)
        self.idle_timeout_s = idle_timeout_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="serve")
        self._incoming: queue.SimpleQueue[tuple[socket.socket, Any]] = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="serve-watcher", daemon=True)
        self._watcher.start()

    # socketserver calls this for each accepted connection, on the thread that accepts
    def process_request(self, request: Any, client_address: Any) -> None:
        self._park(request, client_address)

    def _park(self, sock: socket.socket, address: Any) -> None:
        """Hand a connection to the watcher until it has a request to read."""
        if self._closed.is_set():
            self.shutdown_request(sock)
            return
        self._incoming.put((sock, address))
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def _serve_one(self, sock: socket.socket, address: Any) -> None:
        try:
            # (typeshed types the server argument as Self of BaseServer)
            handler = self.RequestHandlerClass(sock, address, cast(Any, self))
        except Exception:
            self.handle_error(sock, address)
            self.shutdown_request(sock)
            return
        if getattr(handler, "close_connection", True):
            self.shutdown_request(sock)
        else:
            self._park(sock, address)

    def _watch(self) -> None:
        """The one thread that waits on idle connections (only it touches the selector)."""
        selector = selectors.DefaultSelector()
        selector.register(self._wake_r, selectors.EVENT_READ)
        deadlines: dict[socket.socket, float] = {}
        try:
            while not self._closed.is_set():
                for key, _ in selector.select(timeout=0.5):
                    if key.fileobj is self._wake_r:
                        with contextlib.suppress(OSError):
                            self._wake_r.recv(4096)
                        continue
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    selector.unregister(sock)
                    deadlines.pop(sock, None)
                    try:
                        self._pool.submit(self._serve_one, sock, key.data)
                    except RuntimeError:  # the pool is shut down: the server is closing
                        self.shutdown_request(sock)
                while True:
                    try:
                        sock, address = self._incoming.get_nowait()
                    except queue.Empty:
                        break
                    try:
                        selector.register(sock, selectors.EVENT_READ, address)
                    except (ValueError, OSError):  # closed meanwhile
                        continue
                    deadlines[sock] = time.monotonic() + self.idle_timeout_s
                now = time.monotonic()
                for sock in [s for s, due in deadlines.items() if due <= now]:
                    selector.unregister(sock)
                    del deadlines[sock]
                    self.shutdown_request(sock)
        finally:
            for sock in deadlines:
                self.shutdown_request(sock)
            selector.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, not socketserver's traceback: a client that vanishes mid-answer is routine."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            stderr_log(f"{client_address[0] if client_address else '?'} error: {type(exc).__name__}: {exc}")

    def server_close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")
        self._watcher.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()


class Server6(Server):
    address_family = socket.AF_INET6


def make_server(
    root: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    log: Callable[[str], None] | None = None,
    idle_timeout_s: float = IDLE_TIMEOUT_S,
) -> Server:
    """A bound (not yet running) server for ``root``; port 0 picks a free port."""
    root = root.resolve()
    if not root.is_dir():
        raise AudiopaperError(f"{root}: no such output folder", "build an edition first")
    handler = type("OutHandler", (Handler,), {"root": root, "log": staticmethod(log) if log else None})
    server_cls: type[Server] = Server6 if ":" in host else Server
    try:
        return server_cls((host, port), handler, idle_timeout_s=idle_timeout_s)
    except OSError as exc:
        raise AudiopaperError(
            f"cannot listen on {host}:{port} ({exc.strerror})", "choose another --port or --host"
        ) from None


def url_of(server: Server) -> str:
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else str(host)
    shown = f"[{name}]" if ":" in name else name
    return f"http://{shown}:{port}/"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_forever(server: Server) -> None:
    """Run until Ctrl-C or SIGTERM; the socket is closed either way."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        # A shell starts background jobs with SIGINT ignored, and Python then never raises
        # KeyboardInterrupt; a service manager stops with SIGTERM. Both should stop cleanly.
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _interrupt)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stderr_log(line: str) -> None:
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr, flush=True)
