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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..models import Block
from .lines import features  # noqa: F401  (re-exported for training scripts)

LABELS = ("title", "subtitle", "byline", "subhead", "body", "other")
MODEL_NAME = "lines.crfsuite"
C1, C2 = 1.0, 0.1


@dataclass(frozen=True)
class Tag:
    label: str
    score: float  # the model's probability for this label at this line
    title_p: float = 0.0  # its probability that the line is a title


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
