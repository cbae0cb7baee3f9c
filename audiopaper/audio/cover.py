"""Artwork: the show's (undated) and each edition's (dated), drawn in code or made from
the user's own image, and the favicon of the listening pages.

Apps cache a show's artwork for a long time, so the channel art (``OUT/cover.png``, or
the user's ``cover.jpg``/``cover.png``) carries no date and is drawn once, at 3000 px;
the date belongs on each episode's own art (``editions/<folder>/cover.png``, the feed
item's ``itunes:image`` and the MP3s' embedded picture). Drawn images carry a PNG text
marker saying what they are, so a later run can tell its own drawing from the user's
image and ``check`` can tell dated art from undated.

Podcast directories want a square RGB JPEG or PNG of 1400–3000 px. The drawn cover uses
a CJK font when the machine has one (Debian: ``fonts-noto-cjk`` or
``fonts-wqy-microhei``); without one it falls back to the paper's name in pinyin, so it
never shows empty boxes for missing glyphs.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import layout
from ..errors import UsageError
from ..fsutil import atomic_path, output_error, write_bytes

SIZE = 1400
CHANNEL_SIZE = 3000  # what Apple Podcasts asks for; drawn once per OUT and paper
EPISODE_SIZE = 1400  # the least directories accept: one is drawn per edition
MIN_SIZE, MAX_SIZE = 1400, 3000
FAVICON_SIZES = ((16, 16), (32, 32), (48, 48))
#: PNG text key of the marker drawn images carry: "channel|<paper>" or "episode|<paper>|<date>"
MARKER_KEY = "audiopaper"
EMBED_SIZE = 1400  # APIC copy: big enough for any player, small enough to repeat per file
#: artwork larger than this is re-encoded (a 3000 px JPEG at quality 88 is ~0.5-1 MB)
MAX_COVER_BYTES = 1_000_000
PAPER_RED = (178, 34, 34)
INK = (28, 28, 30)
PAPER = (246, 242, 234)
GREY = (92, 92, 96)
_WEEKDAYS = "一二三四五六日"
_EN_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

_CJK_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
_LATIN_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0


@lru_cache(maxsize=1)
def find_cjk_font() -> FontFile | None:
    """A font that has Chinese glyphs: $AUDIOPAPER_CJK_FONT, fontconfig, then known paths."""
    env = os.environ.get("AUDIOPAPER_CJK_FONT")
    paths = [Path(env)] if env else []
    fc = shutil.which("fc-list")
    if fc:
        try:
            listed = subprocess.run(
                [fc, ":lang=zh", "file", "style"], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            listed = ""
        found = [line.split(":")[0].strip() for line in listed.splitlines() if line.strip()]
        # bold faces first: the masthead is set heavy
        found.sort(key=lambda p: ("bold" not in p.lower(), p))
        paths += [Path(p) for p in found]
    paths += [Path(p) for p in _CJK_CANDIDATES]
    for path in paths:
        if path.is_file():
            return FontFile(path, _sc_index(path))
    return None


def _sc_index(path: Path) -> int:
    """In a CJK collection, the Simplified Chinese face (the glyph shapes a mainland reader expects)."""
    if path.suffix.lower() != ".ttc":
        return 0
    from PIL import ImageFont

    for index in range(10):
        try:
            name = " ".join(n or "" for n in ImageFont.truetype(str(path), 12, index=index).getname())
        except OSError:
            break
        if " SC" in name or "SC " in name:
            return index
    return 0


def _font(file: FontFile | None, size: int) -> Any:
    from PIL import ImageFont

    if file is not None:
        return ImageFont.truetype(str(file.path), size, index=file.index)
    for candidate in _LATIN_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _fit(draw: Any, text: str, file: FontFile | None, start: int, width: int) -> Any:
    size = start
    while size > 12:
        font = _font(file, size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        if right - left <= width:
            return font
        size = int(size * 0.92)
    return _font(file, size)


def _centered(draw: Any, y: int, text: str, font: Any, fill: tuple[int, int, int], size: int) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((size - (right - left)) / 2 - left, y - top), text, font=font, fill=fill)


def romanized(paper: str) -> str:
    """The paper's name in pinyin, for machines without a CJK font: 衡阳日报 → HENGYANG RIBAO.

    Syllables are grouped in pairs, which is how nearly every paper's name reads
    (place + 日报, 晚报, 都市报...), without loading a word segmenter for one line.
    """
    from pypinyin import Style, lazy_pinyin

    syllables = [s.replace("ü", "v") for s in lazy_pinyin(paper, style=Style.NORMAL, errors="ignore")]
    syllables = [s for s in syllables if s.isascii() and s.strip()]
    words = ["".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]
    if len(words) > 1 and len(words[-1]) and len(syllables) % 2:
        words[-2:] = [words[-2] + words[-1]]
    text = " ".join(words).upper()
    return text if text.strip() else "DAILY"


def draw_cover(paper: str | None, date: dt.date | None, size: int = SIZE, font: FontFile | None = None) -> Any:
    """A square masthead: red band, the paper's name, the date (none on the show's own
    art), a row of sound bars.

    With no paper name (the input named none and neither did the user) the date takes
    the name's place: a cover never shows a paper the edition is not."""
    from PIL import Image, ImageDraw

    cjk = font if font is not None else find_cjk_font()
    img = Image.new("RGB", (size, size), PAPER)
    draw = ImageDraw.Draw(img)
    u = size / 100  # layout in percent of the side

    draw.rectangle((0, 0, size, round(16 * u)), fill=PAPER_RED)
    band = "有声版 · 每日新闻" if cjk else "AUDIO EDITION"
    _centered(draw, round(4.5 * u), band, _fit(draw, band, cjk, round(7 * u), round(80 * u)), PAPER, size)

    when = ""
    if paper:
        name = paper if cjk else romanized(paper)
        when = _when(date, bool(cjk)) if date is not None else ""
    elif date is not None:
        weekday = f"星期{_WEEKDAYS[date.weekday()]}" if cjk else _EN_WEEKDAYS[date.weekday()]
        name = f"{date.month}月{date.day}日" if cjk else date.isoformat()
        when = f"{date.year}年 {weekday}" if cjk else weekday
    else:  # the show's own art for a paper with no name
        name = "每日新闻" if cjk else "DAILY NEWS"
    name_font = _fit(draw, name, cjk, round((22 if cjk else 14) * u), round(84 * u))
    _, top, _, bottom = draw.textbbox((0, 0), name, font=name_font)
    _centered(draw, round(36 * u - (bottom - top) / 2), name, name_font, INK, size)
    draw.rectangle((round(8 * u), round(55 * u), round(92 * u), round(55.6 * u)), fill=INK)

    if date is None:
        every = "逐篇朗读 · 每日更新" if cjk else "READ ALOUD EVERY DAY"
        _centered(draw, round(60 * u), every, _fit(draw, every, cjk, round(5.5 * u), round(80 * u)), GREY, size)
    else:
        _centered(draw, round(60 * u), when, _fit(draw, when, cjk, round(6.5 * u), round(80 * u)), GREY, size)

    # a sound-wave motif: bars whose heights follow a fixed, speech-like contour
    heights = (4, 6, 10, 7, 12, 16, 11, 8, 14, 18, 13, 9, 15, 11, 7, 10, 5, 8, 5, 4)
    bar_w = 3.0 * u
    gap = 1.2 * u
    total = len(heights) * bar_w + (len(heights) - 1) * gap
    x = (size - total) / 2
    base = 86 * u
    for h in heights:
        half = h * u * 0.45
        draw.rounded_rectangle((x, base - half, x + bar_w, base + half), radius=bar_w / 2, fill=PAPER_RED)
        x += bar_w + gap
    return img


def _when(date: dt.date, cjk: bool) -> str:
    if cjk:
        return f"{date.year}年{date.month}月{date.day}日 星期{_WEEKDAYS[date.weekday()]}"
    return f"{date.isoformat()} · {_EN_WEEKDAYS[date.weekday()]}"


def date_band(img: Any, date: dt.date, font: FontFile | None = None) -> Any:
    """The user's artwork with the date in a band across its foot: episode art that
    looks like the show's."""
    from PIL import ImageDraw

    cjk = font if font is not None else find_cjk_font()
    out = img.copy()
    size = out.width
    u = size / 100
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, round(86 * u), size, size), fill=PAPER_RED)
    when = _when(date, bool(cjk))
    _centered(draw, round(89 * u), when, _fit(draw, when, cjk, round(6.5 * u), round(84 * u)), PAPER, size)
    return out


def marker(path: Path) -> str:
    """The marker a drawn image carries ("" for anything else: the user's, a JPEG)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return str(getattr(img, "text", {}).get(MARKER_KEY, "")) if img.format == "PNG" else ""
    except (OSError, UnidentifiedImageError):
        return ""


def _save_png(img: Any, target: Path, mark: str) -> Path:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(MARKER_KEY, mark)
    # no optimize pass: it triples the time of a 3000 px image for 5% fewer bytes
    return _save_image(img, target, format="PNG", pnginfo=info)


def _save_image(img: Any, target: Path, **options: Any) -> Path:
    """``img`` saved by Pillow to ``target`` atomically; a full disk or a read-only
    folder is one line (``output_error``), not Pillow's traceback."""
    try:
        with atomic_path(target) as tmp:
            img.save(tmp, **options)
    except OSError as exc:
        raise output_error(target, exc) from None
    return target


def check_user_cover(path: Path) -> str:
    """Validate ``--cover FILE``; returns its format (PNG or JPEG). Raises UsageError."""
    from PIL import Image, UnidentifiedImageError

    try:
        # Pillow refuses to open an image of more than ~179 million pixels (a
        # "decompression bomb": a small file that unpacks to gigabytes) and only warns
        # between 89 and 179 million; both are refused here, with the size rule's words.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                fmt = img.format or "?"
                width, height = img.size
                img.verify()
    except FileNotFoundError:
        raise UsageError(f"--cover {path}: no such file") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UsageError(
            f"--cover {path}: far too many pixels to open safely",
            f"podcast apps want {MIN_SIZE}-{MAX_SIZE} px on a side; resize it",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UsageError(f"--cover {path}: not a readable image ({exc})", "give a PNG or JPEG file") from None
    if fmt not in ("PNG", "JPEG"):
        raise UsageError(f"--cover {path}: {fmt} image", "podcast apps take PNG or JPEG; convert it first")
    if width != height:
        raise UsageError(f"--cover {path}: {width}x{height} is not square", "crop it to a square")
    if not MIN_SIZE <= width <= MAX_SIZE:
        raise UsageError(
            f"--cover {path}: {width}x{height} px", f"podcast apps want {MIN_SIZE}-{MAX_SIZE} px on a side; resize it"
        )
    return fmt


def write_cover(out: Path, paper: str | None, user_cover: Path | None = None) -> Path:
    """The show's artwork in OUT, undated: the user's image (``cover.jpg`` for a JPEG,
    ``cover.png`` for a PNG; square, RGB, no alpha), else ``cover.png`` drawn at
    CHANNEL_SIZE, which is drawn again only for another paper."""
    if user_cover is None:
        target = out / layout.COVER_PNG
        (out / layout.COVER_JPG).unlink(missing_ok=True)  # a user's earlier image, no longer the show's
        mark = f"channel|{paper or ''}"
        if target.is_file() and marker(target) == mark:
            return target
        return _save_png(draw_cover(paper, None, CHANNEL_SIZE), target, mark)
    fmt = check_user_cover(user_cover)
    target = out / (layout.COVER_PNG if fmt == "PNG" else layout.COVER_JPG)
    other = out / (layout.COVER_JPG if fmt == "PNG" else layout.COVER_PNG)
    if user_cover.resolve() != target.resolve():
        data = user_cover_bytes(user_cover, fmt)
        if not (target.is_file() and target.read_bytes() == data):
            write_bytes(target, data)
    # One show, one image: a drawn or earlier cover of the other format would be stale.
    other.unlink(missing_ok=True)
    return target


def write_episode_art(folder: Path, paper: str | None, date: dt.date, show_art: Path | None = None) -> Path:
    """``<edition folder>/cover.png``: the edition's dated art, EPISODE_SIZE square: the
    show's own image with a date band when the user gave one, else the drawn masthead."""
    from PIL import Image

    if show_art is not None and not marker(show_art):
        with Image.open(show_art) as img:
            rgb = _flatten(img)
        if rgb.width != EPISODE_SIZE:
            rgb = rgb.resize((EPISODE_SIZE, EPISODE_SIZE), Image.Resampling.LANCZOS)
        img = date_band(rgb, date)
    else:
        img = draw_cover(paper, date, EPISODE_SIZE)
    return _save_png(img, folder / layout.EDITION_ART, f"episode|{paper}|{date.isoformat()}")


def write_favicon(out: Path, show_art: Path) -> Path:
    """``OUT/favicon.ico`` from the show's artwork, for the listening pages' tabs."""
    from PIL import Image

    with Image.open(show_art) as img:
        rgb = _flatten(img)
    small = rgb.resize((64, 64), Image.Resampling.LANCZOS)
    return _save_image(small, out / layout.FAVICON, format="ICO", sizes=list(FAVICON_SIZES))


def user_cover_bytes(path: Path, fmt: str) -> bytes:
    """The user's artwork as published: the file itself when it is RGB and at most
    MAX_COVER_BYTES, else re-encoded (alpha flattened), at full size if that fits, else
    at MIN_SIZE px. Every subscriber's app fetches the artwork, and a 27 MB file is
    megabytes of nothing a 3000 px image needs; re-encoding keeps the user's picture
    instead of refusing it. A PNG that cannot fit even at MIN_SIZE (a photo saved as
    PNG) is a UsageError: only the user can choose to make it a JPEG."""
    from PIL import Image

    size = path.stat().st_size
    with Image.open(path) as img:
        # a PNG of ours (its marker says drawn) is re-encoded, so the image is the user's now
        ours = MARKER_KEY in getattr(img, "text", {})
        if img.mode == "RGB" and "transparency" not in img.info and size <= MAX_COVER_BYTES and not ours:
            return path.read_bytes()
        rgb = _flatten(img)
    for side in dict.fromkeys((rgb.width, MIN_SIZE)):
        scaled = rgb if side == rgb.width else rgb.resize((side, side), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        scaled.save(buf, format=fmt, **({"quality": 88} if fmt == "JPEG" else {}))
        if buf.tell() <= MAX_COVER_BYTES:
            return buf.getvalue()
    raise UsageError(
        f"--cover {path}: {size / 1e6:.1f} MB, and still over {MAX_COVER_BYTES // 1_000_000} MB at {MIN_SIZE} px as {fmt}",
        "save it as a JPEG",
    )


def _flatten(img: Any) -> Any:
    """RGB without alpha: transparent parts become white, CMYK and palettes are converted."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return img.convert("RGB")


def embedded_cover(path: Path) -> tuple[bytes, str]:
    """A JPEG copy of the cover, at most EMBED_SIZE px, for the APIC frame of each MP3."""
    from PIL import Image

    with Image.open(path) as img:
        rgb = _flatten(img)
    if rgb.width > EMBED_SIZE:
        rgb = rgb.resize((EMBED_SIZE, EMBED_SIZE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    rgb.save(buf, format="JPEG", quality=88)
    return buf.getvalue(), "image/jpeg"
