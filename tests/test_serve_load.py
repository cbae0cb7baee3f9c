"""`serve` under load, over real sockets (issue #16, failure 7): a burst of 200
connections at once is answered within 5 s each; sockets held open cost no thread and
are closed once idle; keep-alive still carries several requests."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audiopaper.serve import WORKERS, Server, make_server

from .test_serve import DATA, site  # noqa: F401 (the fixture)

MP3 = "/editions/2022-01-28/articles/01-a.mp3"


@pytest.fixture
def running(site: Path) -> Iterator[Server]:  # noqa: F811
    srv = make_server(site, "127.0.0.1", 0, idle_timeout_s=1.0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def fetch(port: int, path: str = MP3, timeout_s: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def burst(port: int, n: int) -> list[tuple[float, int, bytes]]:
    """``n`` clients connect at the same moment; each one's seconds to a whole answer."""
    start = threading.Barrier(n)
    results: list[tuple[float, int, bytes]] = []
    lock = threading.Lock()

    def client() -> None:
        start.wait()
        t0 = time.monotonic()
        try:
            status, body = fetch(port)
        except OSError as exc:
            status, body = 0, str(exc).encode()
        with lock:
            results.append((time.monotonic() - t0, status, body))

    threads = [threading.Thread(target=client) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_200_connections_at_once_are_each_answered_within_5_s(running: Server) -> None:
    results = burst(running.server_address[1], 200)
    assert len(results) == 200
    assert [r for r in results if r[1] != 200 or r[2] != DATA] == []
    slowest = max(r[0] for r in results)
    assert slowest < 5.0, slowest


def test_held_sockets_pin_no_threads_and_do_not_block_a_real_request(running: Server) -> None:
    port = running.server_address[1]
    before = threading.active_count()
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(300)]
    try:
        t0 = time.monotonic()
        assert fetch(port, timeout_s=5) == (200, DATA)
        assert time.monotonic() - t0 < 2.0
        # the watcher and at most WORKERS request threads, however many sockets are open
        assert threading.active_count() - before <= WORKERS
        assert burst(port, 50) and max(r[0] for r in burst(port, 50)) < 5.0
    finally:
        for s in held:
            s.close()


def test_idle_connections_are_closed(running: Server) -> None:
    port = running.server_address[1]
    silent = socket.create_connection(("127.0.0.1", port))
    silent.settimeout(5)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", MP3)
    assert conn.getresponse().read() == DATA  # keep-alive: the connection stays open...
    t0 = time.monotonic()
    assert silent.recv(1) == b""  # ...until it has been idle for the timeout (1 s here)
    assert 0.5 < time.monotonic() - t0 < 4.0
    assert conn.sock is not None and conn.sock.recv(1) == b""
    silent.close()
    conn.close()


def test_keep_alive_carries_several_requests_and_pipelined_ones(running: Server) -> None:
    port = running.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    for _ in range(3):
        conn.request("GET", MP3, headers={"Range": "bytes=10-19"})
        response = conn.getresponse()
        assert response.status == 206 and response.read() == DATA[10:20]
    conn.close()
    # two requests in one packet: the second must not be lost between them
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        one = f"GET {MP3} HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\n\r\n".encode()
        raw.sendall(one + one.replace(b"Range: bytes=0-3\r\n", b"Range: bytes=4-7\r\nConnection: close\r\n"))
        got = b""
        while chunk := raw.recv(65536):
            got += chunk
    assert got.count(b"HTTP/1.1 206") == 2
    assert got.endswith(DATA[4:8])
