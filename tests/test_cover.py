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


def test_drawn_show_art_is_undated_3000px_and_drawn_once(tmp_path: Path) -> None:
    path = cover.write_cover(tmp_path, "衡阳日报")
    assert path == tmp_path / "cover.png"
    with Image.open(path) as img:
        assert img.format == "PNG" and img.mode == "RGB" and img.size == (3000, 3000)
        # not a blank canvas: the masthead band and the name are drawn
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 10
    assert cover.marker(path) == "channel|衡阳日报"
    stamp = path.stat().st_mtime_ns
    assert cover.write_cover(tmp_path, "衡阳日报") == path and path.stat().st_mtime_ns == stamp  # kept, not redrawn
    cover.write_cover(tmp_path, "邵阳日报")
    assert cover.marker(path) == "channel|邵阳日报"


def test_episode_art_carries_its_date_and_the_show_art_none(tmp_path: Path) -> None:
    # The same drawing with and without the date line: the date is all that differs, and
    # only the episode art has it.
    undated = cover.draw_cover("衡阳日报", None, 1400)
    day1 = cover.draw_cover("衡阳日报", DATE, 1400)
    day2 = cover.draw_cover("衡阳日报", DATE + dt.timedelta(days=1), 1400)
    assert day1.tobytes() != day2.tobytes()
    assert undated.tobytes() != day1.tobytes()
    art = cover.write_episode_art(tmp_path, "衡阳日报", DATE)
    assert art == tmp_path / "cover.png" and cover.marker(art) == "episode|衡阳日报|2022-01-28"
    with Image.open(art) as img:
        assert img.size == (1400, 1400) and img.mode == "RGB"
        assert img.tobytes() == day1.tobytes()


def test_episode_art_from_the_users_image_keeps_it_and_adds_the_date(tmp_path: Path) -> None:
    mine = make_image(tmp_path / "mine.jpg", (2000, 2000), fmt="JPEG")
    art = cover.write_episode_art(tmp_path, "衡阳日报", DATE, mine)
    with Image.open(art) as img:
        assert img.size == (1400, 1400)
        top = img.crop((0, 0, 1400, 1000)).convert("RGB").getcolors(maxcolors=1 << 16)
        band = img.crop((0, 1220, 1400, 1400)).convert("RGB").getcolors(maxcolors=1 << 16)
    assert top is not None and max(top)[1][0] > 150  # the user's red, untouched above the band
    assert band is not None and len(band) > 2  # the date is written in the band


def test_favicon(tmp_path: Path) -> None:
    icon = cover.write_favicon(tmp_path, cover.write_cover(tmp_path, "衡阳日报"))
    with Image.open(icon) as img:
        assert img.format == "ICO" and (16, 16) in img.info["sizes"] and (48, 48) in img.info["sizes"]


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
    cover.write_cover(out, "衡阳日报")  # a drawn cover.png from an earlier build
    got = cover.write_cover(out, "衡阳日报", jpeg)
    assert got == out / "cover.jpg" and got.read_bytes() == jpeg.read_bytes()
    assert not (out / "cover.png").exists()  # one show, one image: the drawn one is gone
    rgba = make_image(tmp_path / "mine.png", (1400, 1400), mode="RGBA")
    got = cover.write_cover(out, "衡阳日报", rgba)
    with Image.open(got) as img:
        assert got.name == "cover.png" and img.mode == "RGB"
    assert not (out / "cover.jpg").exists()


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
