"""Where the project's shipped data lives (voices, presets, lexicon)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def voices_dir() -> Path:
    """``voices/`` at the checkout root, or AUDIOPAPER_VOICES_DIR when set."""
    env = os.environ.get("AUDIOPAPER_VOICES_DIR")
    if env:
        return Path(env)
    for candidate in (PACKAGE_DIR.parent / "voices", PACKAGE_DIR / "voices"):
        if candidate.is_dir():
            return candidate
    return PACKAGE_DIR.parent / "voices"
