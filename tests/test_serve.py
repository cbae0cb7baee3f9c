"""The server over real sockets on 127.0.0.1: ranges, types, refusals, shutdown."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audiopaper.serve import make_server, parse_range

DATA = bytes(range(256)) * 4  # 1024 bytes whose every offset is recognisable


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "editions" / "2022-01-28" / "articles").mkdir(parents=True)
    (out / "editions" / "2022-01-28" / "articles" / "01-a.mp3").write_bytes(DATA)
    (out / "editions" / "2022-01-28" / "articles" / "01-a.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (out / "editions" / "2022-01-28" / "chapters.json").write_text('{"version": "1.2.0"}', encoding="utf-8")
    (out / "editions" / "2022-01-28" / "index.html").write_text("<!DOCTYPE html><p>page</p>", encoding="utf-8")
    (out / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (out / "index.html").write_text("<!DOCTYPE html><p>home</p>", encoding="utf-8")
    (out / "catalog.sqlite").write_bytes(b"SQLite format 3\x00")
    (out / ".cache").mkdir()
    (out / ".cache" / "clip.pcm").write_bytes(b"x")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside OUT", encoding="utf-8")
    (out / "leak.txt").symlink_to(secret)
    (out / "empty").mkdir()
    return out


@pytest.fixture
def server(site: Path) -> Iterator[tuple[str, int]]:
    srv = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


def request(
    addr: tuple[str, int], path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    # http.client sends the path exactly as given: no normalisation of '..' or '%2e'.
    conn = http.client.HTTPConnection(*addr, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


MP3 = "/editions/2022-01-28/articles/01-a.mp3"


def test_whole_file_and_head(server: tuple[str, int]) -> None:
    status, headers, body = request(server, MP3)
    assert status == 200 and body == DATA
    assert headers["content-type"] == "audio/mpeg"
    assert headers["content-length"] == "1024" and headers["accept-ranges"] == "bytes"
    status, head_headers, body = request(server, MP3, "HEAD")
    assert status == 200 and body == b""
    assert head_headers["content-length"] == "1024" and head_headers["content-type"] == "audio/mpeg"


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=-50", 974, 1023),
        ("bytes=1000-", 1000, 1023),
        ("bytes=1000-5000", 1000, 1023),  # the end is clamped to the file
        ("bytes=-5000", 0, 1023),  # a suffix longer than the file is the whole file
        ("bytes=1023-1023", 1023, 1023),
    ],
)
def test_ranges(server: tuple[str, int], range_header: str, first: int, last: int) -> None:
    status, headers, body = request(server, MP3, headers={"Range": range_header})
    assert status == 206
    assert body == DATA[first : last + 1]
    assert headers["content-range"] == f"bytes {first}-{last}/1024"
    assert headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("range_header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(server: tuple[str, int], range_header: str) -> None:
    status, headers, _ = request(server, MP3, headers={"Range": range_header})
    assert status == 416
    assert headers["content-range"] == "bytes */1024"


@pytest.mark.parametrize("range_header", ["bytes=0-1,5-6", "items=0-5", "bytes=9-3", "bytes=abc"])
def test_ranges_we_do_not_honour_give_the_whole_file(server: tuple[str, int], range_header: str) -> None:
    status, _, body = request(server, MP3, headers={"Range": range_header})
    assert status == 200 and body == DATA


def test_if_range_with_a_stale_validator_restarts_the_download(server: tuple[str, int]) -> None:
    _, headers, _ = request(server, MP3, "HEAD")
    status, _, body = request(server, MP3, headers={"Range": "bytes=0-9", "If-Range": headers["etag"]})
    assert status == 206 and body == DATA[:10]
    status, _, body = request(server, MP3, headers={"Range": "bytes=0-9", "If-Range": '"an-older-file"'})
    assert status == 200 and body == DATA


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/editions/2022-01-28/articles/01-a.vtt", "text/vtt"),
        ("/feed.xml", "application/rss+xml"),
        ("/editions/2022-01-28/chapters.json", "application/json"),
        ("/index.html", "text/html"),
    ],
)
def test_content_types(server: tuple[str, int], path: str, expected: str) -> None:
    status, headers, _ = request(server, path)
    assert status == 200
    assert headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/editions/..%2f..%2f..%2fetc/passwd",
        "/editions/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/leak.txt",  # a symlink out of OUT
        "/catalog.sqlite",
        "/.cache/clip.pcm",
        "/empty/",  # no listing of a folder without a page
        "/editions/",
        "/%ff%fe",
        "/nope.mp3",
    ],
)
def test_refusals(server: tuple[str, int], path: str) -> None:
    status, _, body = request(server, path)
    assert status in (403, 404)
    assert b"outside OUT" not in body and b"root:" not in body and b"<a href" not in body


def test_folder_with_a_page_serves_it_and_redirects_to_the_slash(server: tuple[str, int]) -> None:
    status, headers, _ = request(server, "/editions/2022-01-28")
    assert status == 301 and headers["location"] == "/editions/2022-01-28/"
    status, _, body = request(server, "/editions/2022-01-28/")
    assert status == 200 and b"page" in body
    status, _, body = request(server, "/")
    assert status == 200 and b"home" in body


def test_other_methods_are_refused(server: tuple[str, int]) -> None:
    status, headers, _ = request(server, MP3, "POST")
    assert status == 405 and headers["allow"] == "GET, HEAD"


def test_parse_range_table() -> None:
    assert parse_range("bytes=0-99", 1000) == (0, 99)
    assert parse_range("bytes=-1", 1000) == (999, 999)
    assert parse_range("bytes=999-", 1000) == (999, 999)
    assert parse_range("bytes=1000-", 1000) == "416"
    assert parse_range("bytes=0-", 0) == "416"
    assert parse_range("bytes=-", 1000) is None


def _listeners(port: int) -> list[str]:
    """Local addresses listening on ``port``, read from the kernel's socket tables."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, port_hex = local.rsplit(":", 1)
            if int(port_hex, 16) == port and state == "0A":  # 0A: LISTEN
                found.append(addr)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp to see listening sockets")
def test_cli_listens_on_loopback_only_and_stops_cleanly_on_ctrl_c(site: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "audiopaper", "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        assert _listeners(port) == ["0100007F"]  # 127.0.0.1, and nothing else
        status, _, body = request(("127.0.0.1", port), MP3, headers={"Range": "bytes=0-99"})
        assert status == 206 and len(body) == 100
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in stderr and "stopped" in stderr
    assert _listeners(port) == []


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        (MP3, "GET", {}),
        (MP3, "HEAD", {}),
        (MP3, "GET", {"Range": "bytes=0-9"}),
        ("/feed.xml", "GET", {}),
        ("/nope", "GET", {}),
    ],
)
def test_cors_lets_web_players_read_every_answer(
    server: tuple[str, int], path: str, method: str, headers: dict[str, str]
) -> None:
    # A web player on another origin reads the feed, chapters and audio with fetch().
    _, got, _ = request(server, path, method, {"Origin": "https://player.example", **headers})
    assert got["access-control-allow-origin"] == "*"
    assert "content-range" in got["access-control-expose-headers"].lower()
