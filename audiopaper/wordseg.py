"""jieba, loaded once: the one word segmenter of the speech stage, the kokoro phonemizer
and the transcripts.

It lives below all three so that none has to import another's stage to cut Chinese
into words (engines in particular never import the speech stage).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def load_jieba() -> Any:
    """jieba, loaded once, quiet, with its dictionary cache in the user's cache home."""
    import logging
    import os

    import jieba

    jieba.setLogLevel(logging.WARNING)
    # jieba caches its dictionary in a temp dir by default; the user's cache home is
    # where the rest of the project keeps such files (and what tests redirect).
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        os.makedirs(cache, exist_ok=True)
        jieba.dt.tmp_dir = cache
    except OSError:
        pass
    return jieba
