from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SAMPLE = EXAMPLES / "hengyang-daily.md"
EXCERPT = EXAMPLES / "excerpt.md"

TINY_ISSUE = """# 衡阳日报 2022年1月28日

## 衡阳迎来降雪

衡阳日报讯（全媒体记者 向吟吟）今天上午，衡阳迎来降雪。

市民纷纷出门赏雪。

## 市图书馆延长开放时间

春节期间，市图书馆每天开放到晚上九点。
"""


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # jieba writes its dictionary cache under the cache home; keep tests off the real one.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    # `--engine auto` probes the online service: tests never reach the internet, so by
    # default it is a loopback port nobody listens on (tests/edgefake.py serves one).
    monkeypatch.setenv("AUDIOPAPER_EDGE_URL", "ws://127.0.0.1:9/consumer/speech/synthesize/readaloud/edge/v1?t=0")
    monkeypatch.setenv("AUDIOPAPER_CONFIG", str(tmp_path_factory.getbasetemp() / "no-config.toml"))


@pytest.fixture
def tiny_issue(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.md"
    path.write_text(TINY_ISSUE, encoding="utf-8")
    return path


DATE = dt.date(2022, 1, 28)


@dataclass(frozen=True)
class Built:
    """An edition built once per test session: the tiny issue read by espeak."""

    out: Path
    issue: Path
    result: object  # pipeline.BuildResult (imported lazily: collection stays light)

    @property
    def folder(self) -> Path:
        return self.out / "editions" / DATE.isoformat()


@pytest.fixture(scope="session")
def built_edition(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Shared by every test that only reads a built edition; a test that changes one
    takes ``edition_copy``."""
    from audiopaper.pipeline import BuildOptions, build

    root = tmp_path_factory.mktemp("built")
    issue = root / "tiny.md"
    issue.write_text(TINY_ISSUE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        # what _isolated_home does for each test; session fixtures are made before it runs
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        mp.setenv("AUDIOPAPER_CONFIG", str(tmp_path_factory.getbasetemp() / "no-config.toml"))
        result = build([issue], BuildOptions(out=root / "out", engine="espeak", date=DATE))
    return Built(root / "out", issue, result)


@pytest.fixture
def edition_copy(built_edition: Built, tmp_path: Path) -> Path:
    """A private copy of the shared edition's output folder (cache included), to change."""
    out = tmp_path / "out"
    shutil.copytree(built_edition.out, out)
    return out


def pytest_report_header() -> str:
    return f"audiopaper tests (cpus={os.cpu_count()})"
