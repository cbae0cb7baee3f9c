"""The line tagger: labels each line of text without markup as title, subtitle,
byline, sub-head, body or other, with a linear-chain CRF trained on real issues.

Rules decide where markup says what a line is; where it does not (plain text), the
cues are many and weak, and they differ from paper to paper. Weighing them by hand
is how the splitter came to read one paper only; the CRF weighs them from varied
papers instead (benchmarks/train_split_tagger.py, benchmarks/corpus/). The model file
ships in the package; without it, or without python-crfsuite, the rules alone run.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ..models import Block
from .lines import features  # noqa: F401  (re-exported for training scripts)
from .rules import headline_like

LABELS = ("title", "subtitle", "byline", "subhead", "body", "other")
MODEL_NAME = "lines.crfsuite"
C1, C2 = 1.0, 0.1


TITLE_P = 0.5  # the tagger's probability of "title" above which a line is taken as one


@dataclass(frozen=True)
class Tag:
    label: str
    score: float  # the model's probability for this label at this line
    title_p: float = 0.0  # its probability that the line is a title
    threshold: float = TITLE_P  # the title probability that makes this line a title


# A page whose headline-shaped lines are nearly all titles (a page of news stories, not
# of essays with sub-heads) ...
TITLES_PAGE = 0.7
PAGE_TITLE_P = 0.1  # ... takes a line as a title from this probability
PAGE_TITLE_LENGTH = 0.5  # if it is at least this share of its titles' median length


def page_prior(blocks: Sequence[Block], tags: Sequence[Tag]) -> list[Tag]:
    """The title threshold of one page, read off the page itself.

    The model's probability is calibrated on papers of every kind, where a short line
    is as often a story's sub-head as a title. A page that sets nearly all its
    headline-shaped lines as titles (by the model's own reading) has few sub-heads: a
    line shaped like its titles is a title there at a lower probability. Lines much
    shorter than the page's titles (a label, a sub-head of two words) are left as
    the model reads them."""
    shaped = [(b, t) for b, t in zip(blocks, tags, strict=True) if headline_like(b.text, allow_lead=True)]
    titles = sorted(len(b.text) for b, t in shaped if t.title_p >= TITLE_P)
    if not shaped or len(titles) < TITLES_PAGE * len(shaped):
        return list(tags)
    floor = titles[len(titles) // 2] * PAGE_TITLE_LENGTH
    return [
        replace(t, threshold=PAGE_TITLE_P) if len(b.text) >= floor and headline_like(b.text, allow_lead=True) else t
        for b, t in zip(blocks, tags, strict=True)
    ]


class Tagger:
    def __init__(self, path: Path) -> None:
        import pycrfsuite

        self.path = path
        self._tagger: Any = pycrfsuite.Tagger()
        self._tagger.open(str(path))

    def tag(self, blocks: Sequence[Block]) -> list[Tag]:
        if not blocks:
            return []
        self._tagger.set(features(blocks))
        labels = self._tagger.tag()
        return [
            Tag(label, self._tagger.marginal(label, i), self._tagger.marginal("title", i))
            for i, label in enumerate(labels)
        ]


@functools.cache
def shipped() -> Tagger | None:
    """The model in the package, or None where it or python-crfsuite is missing."""
    try:
        import pycrfsuite  # noqa: F401
    except ImportError:
        return None
    path = resources.files(__package__).joinpath(MODEL_NAME)
    if not path.is_file():
        return None
    return Tagger(Path(str(path)))


def train(examples: Iterable[tuple[Sequence[Block], Sequence[str]]], path: Path | None = None) -> Tagger:
    """Train on (blocks of one page file, their labels) pairs; save to ``path`` (a
    temporary file when not given) and return a tagger that uses it."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for blocks, labels in examples:
        if blocks:
            trainer.append(features(blocks), list(labels))
    # Regularization chosen by the leave-one-source-out score, not the training fit:
    # strong L1 keeps the model to cues that hold across papers.
    trainer.set_params({"c1": C1, "c2": C2, "max_iterations": 150, "feature.possible_transitions": True})
    if path is None:
        path = Path(tempfile.mkstemp(suffix=".crfsuite")[1])
    trainer.train(str(path))
    return Tagger(path)
