"""Hostile artwork (issue #16, failure 5): a decompression bomb is refused in one line,
an oversized file is re-encoded small enough (or refused in one line when only the
user can make it fit), all before any synthesis."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from audiopaper.audio import cover
from audiopaper.cli import app
from audiopaper.errors import UsageError


def bilevel_png(path: Path, side: int) -> Path:
    """A real, valid 1-bit PNG of side x side pixels, written row by row (a 30000 px
    image is 900 million pixels: Pillow must never be asked to hold it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" + b"\0" * ((side + 7) // 8)  # filter byte, then the bits
    packer = zlib.compressobj(1)
    body = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.compress(row * (side % 1000))
    body += packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def noisy(path: Path, side: int, fmt: str, **params: int) -> Path:
    """A photo-like image (a gradient with grain) that compresses badly."""
    rng = np.random.default_rng(16)
    ramp = np.linspace(0, 255, side, dtype=np.float32)[None, :, None] * np.ones((side, 1, 3), np.float32)
    pixels = np.clip(ramp + rng.normal(0, 40, (side, side, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, format=fmt, **params)
    return path


@pytest.mark.parametrize("side", [30000, 10000])
def test_a_decompression_bomb_is_one_line_before_synthesis(side: int, tiny_issue: Path, tmp_path: Path) -> None:
    bomb = bilevel_png(tmp_path / "bomb.png", side)
    assert bomb.stat().st_size < 2_000_000
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["build", str(tiny_issue), "-o", str(out), "--engine", "espeak", "--cover", str(bomb)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "far too many pixels" in lines[0], result.stderr
    assert not (out / ".cache").exists()


def test_a_photo_png_that_cannot_fit_is_refused_in_one_line(tiny_issue: Path, tmp_path: Path) -> None:
    # 1400 px keeps the test quick; at 3000 px (27 MB, the case of #16) the same rule
    # tries the full size first, then 1400 px, and ends the same way.
    big = noisy(tmp_path / "big.png", 1400, "PNG", compress_level=1)
    assert big.stat().st_size > 5_000_000
    result = CliRunner().invoke(
        app, ["build", str(tiny_issue), "-o", str(tmp_path / "o"), "--engine", "espeak", "--cover", str(big)]
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "save it as a JPEG" in lines[0], result.stderr


def test_a_huge_jpeg_is_re_encoded_within_the_limit(tmp_path: Path) -> None:
    big = noisy(tmp_path / "big.jpg", 3000, "JPEG", quality=100)
    assert big.stat().st_size > 10_000_000
    got = cover.write_cover(tmp_path / "out", "衡阳日报", big)
    assert got.name == "cover.jpg" and got.stat().st_size <= cover.MAX_COVER_BYTES
    with Image.open(got) as img:
        assert img.format == "JPEG" and img.mode == "RGB"
        assert img.width == img.height and cover.MIN_SIZE <= img.width <= cover.MAX_SIZE


def test_a_small_enough_cover_is_still_published_byte_for_byte(tmp_path: Path) -> None:
    jpeg = noisy(tmp_path / "ok.jpg", 1400, "JPEG", quality=80)
    assert jpeg.stat().st_size <= cover.MAX_COVER_BYTES
    assert cover.write_cover(tmp_path / "out", "衡阳日报", jpeg).read_bytes() == jpeg.read_bytes()


def test_check_user_cover_names_the_bomb(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="far too many pixels"):
        cover.check_user_cover(bilevel_png(tmp_path / "b.png", 30000))
