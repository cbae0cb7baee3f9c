"""ID3 v2.3 tags and chapters (mutagen).

Podcast apps read ID3 v2.3 most reliably (v2.4's UTF-8 text and TDRC are not understood
everywhere), so tags are saved as v2.3: mutagen turns TDRC into TYER + TDAT and text
into UTF-16 on the way out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioError
from ..models import Chapter

GENRE = "Podcast"
NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: players seek by time


@dataclass(frozen=True)
class TagInfo:
    title: str
    album: str
    artist: str
    date: dt.date
    comment: str
    cover: bytes | None = None  # JPEG or PNG
    cover_mime: str = "image/jpeg"
    track: tuple[int, int] | None = None
    length_s: float | None = None


def write_tags(path: Path, info: TagInfo, chapters: Sequence[Chapter] = ()) -> None:
    """Replace any tag on ``path`` with ours (ID3 v2.3), chapters included when given."""
    from mutagen.id3 import (
        APIC,
        CHAP,
        COMM,
        CTOC,
        ID3,
        TALB,
        TCON,
        TDRC,
        TIT2,
        TLAN,
        TLEN,
        TPE1,
        TRCK,
        CTOCFlags,
        Encoding,
        PictureType,
    )

    enc = Encoding.UTF16
    tags = ID3()
    tags.add(TIT2(encoding=enc, text=[info.title]))
    tags.add(TALB(encoding=enc, text=[info.album]))
    if info.artist:  # an unnamed paper: no artist rather than a made-up one
        tags.add(TPE1(encoding=enc, text=[info.artist]))
    tags.add(TDRC(encoding=enc, text=[info.date.isoformat()]))
    tags.add(TCON(encoding=enc, text=[GENRE]))
    tags.add(TLAN(encoding=enc, text=["chi"]))
    tags.add(COMM(encoding=enc, lang="chi", desc="", text=[info.comment]))
    if info.track:
        tags.add(TRCK(encoding=enc, text=[f"{info.track[0]}/{info.track[1]}"]))
    if info.length_s is not None:
        tags.add(TLEN(encoding=enc, text=[str(round(info.length_s * 1000))]))
    if info.cover:
        tags.add(APIC(encoding=enc, mime=info.cover_mime, type=PictureType.COVER_FRONT, desc="", data=info.cover))
    if chapters:
        ids = [f"chp{n}" for n in range(len(chapters))]
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=enc, text=[info.title])],
            )
        )
        for element_id, ch in zip(ids, chapters, strict=True):
            tags.add(
                CHAP(
                    element_id=element_id,
                    start_time=round(ch.start_s * 1000),
                    end_time=round(ch.end_s * 1000),
                    start_offset=NO_OFFSET,
                    end_offset=NO_OFFSET,
                    sub_frames=[TIT2(encoding=enc, text=[ch.title])],
                )
            )
    # v2.3 has no TDRC: mutagen turns it into TYER (year) and TDAT (DDMM) here
    tags.update_to_v23()
    try:
        tags.save(str(path), v2_version=3, v1=0, padding=lambda _info: 1024)
    except Exception as exc:  # mutagen raises MutagenError and OSError subclasses
        raise AudioError(f"{path}: cannot write ID3 tags ({exc})") from None
