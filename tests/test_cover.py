from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from audiopaper.audio import cover
from audiopaper.cli import app
from audiopaper.errors import UsageError

DATE = dt.date(2022, 1, 28)


def test_drawn_cover_is_square_rgb_and_in_range(tmp_path: Path) -> None:
    path = cover.write_cover(tmp_path, "衡阳日报", DATE)
    assert path == tmp_path / "cover.png"
    with Image.open(path) as img:
        assert img.format == "PNG" and img.mode == "RGB"
        assert img.width == img.height and 1400 <= img.width <= 3000
        # not a blank canvas: the masthead band and the name are drawn
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 10


def test_fallback_without_cjk_font_draws_pinyin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cover, "find_cjk_font", lambda: None)
    img = cover.draw_cover("衡阳日报", DATE)
    assert img.size == (1400, 1400) and img.mode == "RGB"
    assert cover.romanized("衡阳日报") == "HENGYANG RIBAO"
    assert cover.romanized("北京青年报") == "BEIJING QINGNIANBAO"


def test_cjk_font_is_used_when_there_is_one() -> None:
    font = cover.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine (fonts-noto-cjk or fonts-wqy-microhei)")
    img = cover.draw_cover("衡阳日报", DATE, font=font)
    assert img.size == (1400, 1400)


def make_image(path: Path, size: tuple[int, int], mode: str = "RGB", fmt: str = "PNG") -> Path:
    colour = (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30) if mode == "RGB" else 120
    Image.new(mode, size, colour).save(path, format=fmt)
    return path


@pytest.mark.parametrize(
    ("size", "fmt", "message"),
    [
        ((1400, 1500), "PNG", "not square"),
        ((1000, 1000), "PNG", "1000x1000"),
        ((3200, 3200), "JPEG", "3200x3200"),
        ((1400, 1400), "GIF", "GIF"),
    ],
)
def test_user_cover_is_validated(tmp_path: Path, size: tuple[int, int], fmt: str, message: str) -> None:
    path = make_image(tmp_path / f"c.{fmt.lower()}", size, "RGB" if fmt != "GIF" else "P", fmt)
    with pytest.raises(UsageError, match=message):
        cover.check_user_cover(path)


def test_user_cover_not_an_image(tmp_path: Path) -> None:
    bad = tmp_path / "c.png"
    bad.write_text("hello", encoding="utf-8")
    with pytest.raises(UsageError, match="not a readable image"):
        cover.check_user_cover(bad)
    with pytest.raises(UsageError, match="no such file"):
        cover.check_user_cover(tmp_path / "missing.png")


def test_user_jpeg_is_copied_and_rgba_png_is_flattened(tmp_path: Path) -> None:
    jpeg = make_image(tmp_path / "mine.jpg", (1500, 1500), fmt="JPEG")
    out = tmp_path / "out"
    got = cover.write_cover(out, "衡阳日报", DATE, jpeg)
    assert got == out / "cover.jpg" and got.read_bytes() == jpeg.read_bytes()
    rgba = make_image(tmp_path / "mine.png", (1400, 1400), mode="RGBA")
    got = cover.write_cover(out, "衡阳日报", DATE, rgba)
    with Image.open(got) as img:
        assert got.name == "cover.png" and img.mode == "RGB"


def test_cli_rejects_a_bad_cover_before_synthesis(tiny_issue: Path, tmp_path: Path) -> None:
    small = make_image(tmp_path / "small.png", (600, 600))
    result = CliRunner().invoke(
        app, ["build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "espeak", "--cover", str(small)]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "600x600" in lines[0]
    assert not (tmp_path / "o" / ".cache").exists()
