"""How much the text on either side of a line is about the same thing.

A sub-heading sits inside one story: the paragraphs above and below it share names
and key words. A headline sits between two stories, which share little. This is
TextTiling's cue (Hearst 1997), measured on character bigrams, the unit Chinese text
offers without a dictionary, weighted by how rare each bigram is in the issue itself
so that words every story of the page uses (发展, 记者, 我们) count for little.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 400  # characters of text taken on each side of a line


def _bigrams(text: str) -> list[str]:
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    return [han[k] + han[k + 1] for k in range(len(han) - 1)]


@dataclass(frozen=True)
class Cohesion:
    across: float  # cosine of the text above the line with the text below it
    above: float  # of the line itself with the text above
    below: float  # of the line itself with the text below


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(g, 0.0) for g, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def measure(texts: Sequence[str], width: int = WIDTH) -> list[Cohesion]:
    """One :class:`Cohesion` per line of one page file, in order."""
    grams = [Counter(_bigrams(t)) for t in texts]
    df: Counter[str] = Counter()
    for g in grams:
        df.update(g.keys())
    n = len(texts)
    idf = {g: math.log((n + 1) / c) for g, c in df.items()}
    weighted = [{g: c * idf[g] for g, c in line.items()} for line in grams]

    def window(indices: range) -> dict[str, float]:
        out: dict[str, float] = {}
        taken = 0
        for j in indices:
            for g, w in weighted[j].items():
                out[g] = out.get(g, 0.0) + w
            taken += len(texts[j])
            if taken >= width:
                break
        return out

    result = []
    for i in range(n):
        above = window(range(i - 1, -1, -1))
        below = window(range(i + 1, n))
        result.append(Cohesion(_cosine(above, below), _cosine(weighted[i], above), _cosine(weighted[i], below)))
    return result
