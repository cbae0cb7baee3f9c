"""The audio stage: synthesized clips become the files a listener gets.

``assemble`` masters each clip (``master``: loudness and true peak), encodes and joins
them (``ffmpeg``), and writes ID3 tags (``tags``), chapters (``chapters``), transcripts
(``transcript``) and the artwork they carry (``cover``).
"""

from .assemble import Assembled, EditionInfo, assemble_edition

__all__ = ["Assembled", "EditionInfo", "assemble_edition"]
