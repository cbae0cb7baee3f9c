"""The edition page in a real headless Chromium, from file:// and through `serve`.

Chromium is driven over the DevTools protocol with the `websockets` client the tests
already use, so no driver download is needed: only Debian's `chromium` package, which
.ci/run installs. Without it these tests are skipped and say why.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audiopaper.serve import make_server

from .conftest import Built

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless browser test needs Chromium: apt-get install -y chromium (.ci/run does)"
)

# What this closed network needs: without the background-networking flags Chromium keeps
# trying to reach Google and its connections are refused.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    "--remote-debugging-port=0",
]


class Page:
    """One browser tab, spoken to over the DevTools protocol."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        n = next(self.ids)
        self.ws.send(json.dumps({"id": n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == n:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return dict(msg["result"])

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, userGesture=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression: str, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait(f"document.readyState === 'complete' && location.href === {json.dumps(url)}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Page]:
    from websockets.sync.client import connect

    assert CHROMIUM is not None
    profile = Path(tempfile.mkdtemp(prefix="audiopaper-chromium-"))
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Chromium did not start (exit code {proc.poll()})")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        page_ws = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(page_ws, max_size=None, open_timeout=10) as ws:
            page = Page(ws)
            page.call("Page.enable")
            yield page
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def out(built_edition: Built) -> Path:
    return built_edition.out


def exercise(page: Page, url: str) -> None:
    page.open(url)
    assert page.js("document.querySelectorAll('#edition-player').length") == 1
    assert page.js("document.querySelectorAll('article.story audio.article-player').length") == 2
    assert page.js("document.querySelector('article.story h2').textContent") == "衡阳迎来降雪"
    # The audio must really load (right path, decodable MP3), not just be in the markup.
    duration = page.wait(
        "(function (a) { return a.readyState >= 1 && a.duration; })(document.getElementById('edition-player'))"
    )
    assert duration > 5
    page.wait("Array.from(document.querySelectorAll('audio.article-player')).every(a => a.readyState >= 1)")

    # Clicking the second article's chapter seeks the edition player to where it starts.
    start = page.js("parseFloat(document.querySelectorAll('button.chapter')[2].dataset.start)")
    assert start > 1
    page.js("document.querySelectorAll('button.chapter')[2].click()")
    at = page.wait(
        f"(function (t) {{ return t >= {start} - 0.05 && t < {start} + 3 ? t : 0; }})"
        "(document.getElementById('edition-player').currentTime)"
    )
    assert start - 0.05 <= at < start + 3
    assert page.js("document.querySelectorAll('button.chapter')[2].classList.contains('current')")
    page.js("document.getElementById('edition-player').pause()")

    # Seeking an article's own player highlights the sentence being read there (once the
    # player knows its duration; a seek before that is only a start position).
    page.wait("document.querySelectorAll('article.story')[0].querySelector('audio').readyState >= 1")
    page.js(
        "(function () { var story = document.querySelectorAll('article.story')[0];"
        " var s = story.querySelectorAll('.transcript .s')[1];"
        " story.querySelector('audio').currentTime = (parseFloat(s.dataset.start) + parseFloat(s.dataset.end)) / 2; })()"
    )
    page.wait(
        "document.querySelectorAll('article.story')[0].querySelectorAll('.transcript .s')[1].classList.contains('now')"
    )
    assert page.js("document.querySelectorAll('.transcript .s.now').length") == 1


def test_page_from_file_url(browser: Page, out: Path) -> None:
    exercise(browser, (out / "editions" / "2022-01-28" / "index.html").as_uri())


def test_page_through_serve(browser: Page, out: Path) -> None:
    server = make_server(out, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        exercise(browser, f"http://127.0.0.1:{server.server_address[1]}/editions/2022-01-28/index.html")
    finally:
        server.shutdown()
        server.server_close()


def test_highlight_follows_playback(browser: Page, out: Path) -> None:
    browser.open((out / "editions" / "2022-01-28" / "index.html").as_uri())
    browser.wait("document.querySelectorAll('audio.article-player')[1].readyState >= 1")
    # Start just before the second sentence of the second article and let it play into it.
    second = browser.js(
        "(function () { var story = document.querySelectorAll('article.story')[1];"
        " var s = story.querySelectorAll('.transcript .s')[1]; var a = story.querySelector('audio');"
        " a.currentTime = Math.max(0, parseFloat(s.dataset.start) - 0.3); a.play(); return s.textContent; })()"
    )
    now = browser.wait(
        "(function () { var n = document.querySelector('.transcript .s.now');"
        " return n && !document.querySelectorAll('audio.article-player')[1].paused"
        f" && n.textContent === {json.dumps(second)} ? n.textContent : null; }})()"
    )
    assert now == second
    browser.js("document.querySelectorAll('audio.article-player')[1].pause()")


def test_index_lists_the_edition(browser: Page, out: Path) -> None:
    browser.open((out / "index.html").as_uri())
    assert (
        browser.js("document.querySelector('ul.editions a').getAttribute('href')") == "editions/2022-01-28/index.html"
    )
    # A phone-width viewport does not scroll sideways.
    browser.call("Emulation.setDeviceMetricsOverride", width=360, height=740, deviceScaleFactor=2, mobile=True)
    try:
        browser.open((out / "editions" / "2022-01-28" / "index.html").as_uri())
        assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride")


LINE_BREAKS = """(function () {
  var found = [];
  document.querySelectorAll('.feed-url code').forEach(function (code) {
    var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT), node, top = null, last = '', breaks = [];
    while ((node = walker.nextNode())) {
      for (var i = 0; i < node.length; i++) {
        var r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
        var box = r.getClientRects()[0];
        if (!box) { continue; }
        if (top !== null && box.top > top + 2) { breaks.push(last + '|' + node.data[i]); }
        top = box.top; last = node.data[i];
      }
    }
    found.push({url: code.textContent, breaks: breaks});
  });
  return found;
})()"""


@pytest.mark.parametrize("page", ["index.html", "editions/2022-01-28/index.html"])
def test_feed_addresses_wrap_between_their_parts_never_inside_a_word(browser: Page, out: Path, page: str) -> None:
    browser.call("Emulation.setDeviceMetricsOverride", width=300, height=640, deviceScaleFactor=1, mobile=True)
    try:
        browser.open((out / page).as_uri())
        found = browser.js(LINE_BREAKS)
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride")
    assert [f["url"] for f in found] == ["http://127.0.0.1:8000/feed.xml", "http://127.0.0.1:8000/feed-articles.xml"]
    breaks = [b for f in found for b in f["breaks"]]
    assert breaks, "at 300 px the long address must wrap somewhere"
    assert all(b[0] in "/.-?&=" for b in breaks), breaks  # after a separator, not inside a word
