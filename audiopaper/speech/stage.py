"""The speech stage of one issue in a single call: every article's Script, the intro's
parts and the read-back warnings.

One call with plain arguments, so that a build can run it in a process of its own
(``isolated.call``) and never hold the stage's dictionaries next to a voice model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..models import Article, Script, Spelling
from . import ScriptOptions, load_lexicon, make_script, script_warnings
from .intro import IntroParts, intro_parts


@dataclass(frozen=True)
class SpokenIssue:
    scripts: tuple[Script, ...]
    intro: IntroParts
    #: the read-back invariant: one warning per sentence holding a character no voice says
    warnings: tuple[str, ...]


def speak_issue(
    articles: Sequence[Article],
    paper: str | None,
    date: dt.date,
    spellings: tuple[Spelling, ...],
    lexicon: Path | None = None,
) -> SpokenIssue:
    options = ScriptOptions(lexicon=load_lexicon(lexicon), spellings=spellings)
    scripts = tuple(make_script(a, options) for a in articles)
    warnings = tuple(w for s in scripts for w in script_warnings(s))
    return SpokenIssue(scripts, intro_parts(paper, date, articles, options), warnings)
