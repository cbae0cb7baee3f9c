"""What a line of plain text looks like, as features for the line tagger.

Text without markup tells its headlines apart only by layout and wording: length, the
mark it ends with, indentation, blank lines around it, what the lines around it look
like, and whether it reads as a byline, a date or a note. These are the cues an
editor uses by eye; the tagger weighs them as learnt from real issues.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..models import Block
from .byline import is_marker, is_source_line, parse_author, parse_credit, parse_dateline
from .rules import enclosed, headline_like, is_date_line

_ENUMERATED = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．])"
)
_NAMES = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:[\s、，,/][\u4e00-\u9fff]{2,4}){0,4}$")
_STOPS = "。！？!?…"
_LENGTHS = (4, 8, 12, 16, 20, 25, 30, 40, 60, 100)


def _bucket(n: int) -> str:
    for edge in _LENGTHS:
        if n <= edge:
            return f"<={edge}"
    return ">100"


def _end(text: str) -> str:
    last = text[-1]
    if last in _STOPS:
        return "stop"
    if last in "，,、；;":
        return "comma"
    if last in "：:":
        return "colon"
    if last in "）)】〕":
        return "bracket"
    if last in '”’」』"':
        return "quote"
    if last in "—-":
        return "dash"
    return "none"


def _own(block: Block, full_width: int) -> dict[str, str | float]:
    text = block.text
    inner = text[:-1]
    f: dict[str, str | float] = {
        "len": _bucket(len(text)),
        "end": _end(text),
        "inner_stop": float(any(c in _STOPS + "；;" for c in inner)),
        "commas": str(min(2, sum(text.count(c) for c in "，,"))),
        "indent": float(block.indent),
        "gap": float(block.gap_before),
        "enclosed": float(enclosed(text)),
        "enumerated": float(bool(_ENUMERATED.match(text))),
        "dash_lead": float(text.startswith(("——", "--", "－－"))),
        "headline_like": float(headline_like(text, allow_lead=True)),
        "date": float(is_date_line(text)),
        "dateline": float(parse_dateline(text) is not None),
        "author": float(parse_author(text) is not None),
        "credit": float(parse_credit(text) is not None),
        "source_line": float(is_source_line(text)),
        "marker": float(is_marker(text)),
        "names": float(bool(_NAMES.match(text.replace("\u3000", " ")))),
        "spaces": float(" " in text),
        "quotes": float(any(c in text for c in '“”"')),
        "full": float(full_width > 0 and len(text) >= full_width - 1),
    }
    return f


def _full_width(blocks: Sequence[Block]) -> int:
    """The width a file's lines were cut at, if they were: the commonest long length."""
    lengths = Counter(len(b.text) + (2 if b.indent else 0) for b in blocks if len(b.text) >= 20)
    if not lengths:
        return 0
    width, count = lengths.most_common(1)[0]
    return width if count >= max(5, len(blocks) // 5) else 0


def _bigrams(text: str) -> set[str]:
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    return {han[k] + han[k + 1] for k in range(len(han) - 1)}


def _overlap(mine: set[str], pool: set[str]) -> float:
    return len(mine & pool) / len(mine) if mine else 0.0


def _shift(before: set[str], after: set[str]) -> float:
    """How far the vocabulary changes across a line: high where one story ends and
    the next begins, low at a sub-heading inside a story (TextTiling's cue)."""
    if not before or not after:
        return 1.0
    return 1.0 - len(before & after) / min(len(before), len(after))


def _level(x: float) -> str:
    return str(min(4, int(x * 5)))


WINDOW = 4  # lines each side for vocabulary comparisons


def features(blocks: Sequence[Block]) -> list[dict[str, str | float]]:
    """One feature dict per block of one page file (paragraph blocks only)."""
    width = _full_width(blocks)
    own = [_own(b, width) for b in blocks]
    # A cue means what the file's own convention makes it mean: an unindented line
    # stands out only where paragraphs are indented, a blank line only where
    # paragraphs are not all separated by one.
    indents = sum(b.indent for b in blocks) * 2 > len(blocks)
    gaps = sum(b.gap_before for b in blocks) * 2 > len(blocks)
    for b, f in zip(blocks, own, strict=True):
        f["layout"] = f"{'I' if indents else '-'}{'G' if gaps else '-'}|{int(b.indent)}{int(b.gap_before)}"
    grams = [_bigrams(b.text) for b in blocks]
    for i, f in enumerate(own):
        before = set().union(*grams[max(0, i - WINDOW) : i])
        after = set().union(*grams[i + 1 : i + 1 + WINDOW])
        f["shift"] = _level(_shift(before, grams[i] | after))
        f["echo_next"] = _level(_overlap(grams[i], after))
        f["echo_prev"] = _level(_overlap(grams[i], before))
        f["echo_lead"] = _level(_overlap(grams[i], grams[i + 1] if i + 1 < len(grams) else set()))
        f["echo_far"] = _level(_overlap(grams[i], set().union(*grams[i + 1 + WINDOW : i + 1 + 3 * WINDOW])))
    out: list[dict[str, str | float]] = []
    for i, f in enumerate(own):
        row: dict[str, str | float] = {"bias": 1.0, **f}
        row["first"] = float(i == 0)
        row["last"] = float(i == len(own) - 1)
        row["gap_after"] = float(i + 1 < len(blocks) and blocks[i + 1].gap_before)
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(own):
                other = own[j]
                for key in (
                    "len",
                    "end",
                    "indent",
                    "headline_like",
                    "author",
                    "names",
                    "enclosed",
                    "dateline",
                    "shift",
                ):
                    row[f"{offset}:{key}"] = other[key]
            else:
                row[f"{offset}:none"] = 1.0
        row["end+next_indent"] = f"{f['end']}|{row.get('1:indent', 'x')}"
        row["len+gap"] = f"{f['len']}|{f['gap']}|{f['indent']}"
        row["layout+end"] = f"{f['layout']}|{f['end']}"
        out.append(row)
    return out
