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
from .cohesion import measure
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


def bigrams(text: str) -> set[str]:
    """A line's pairs of adjacent Chinese characters: its words, roughly."""
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


_COHESION = (0.01, 0.02, 0.03, 0.045, 0.07, 0.1, 0.15, 0.25)


def _cohesion_level(x: float) -> str:
    return str(sum(x > edge for edge in _COHESION))


WINDOW = 4  # lines each side for vocabulary comparisons
REACH = 30  # lines each side searched for sibling sub-heads
_LEAD = re.compile(
    r"^(?:本报|据|记者|新华社|中新社|\(|（)|^.{0,12}?(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})日"
    r"|^(?:近日|日前|近期|昨天|昨日|今天|今日|当天|前天|上周|本周|日内)"
)


def _keys(text: str) -> set[str]:
    """What sibling sub-heads of one story share: labels before a colon that begin or
    end alike ("市场化：", "产业化："; "观点之一：", "观点之二："), a number in front,
    the same opening words."""
    if _ENUMERATED.match(text):
        return {"enum"}
    colon = next((k for k, c in enumerate(text[:10]) if c in "：:"), -1)
    if colon > 0:
        label = text[:colon]
        return {f"label<{label[0]}", f"label>{label[-1]}"}
    return {f"open:{text[:2]}"}


def _siblings(blocks: Sequence[Block], candidates: list[bool]) -> tuple[list[str], list[float]]:
    """Per line: how many other short headline-like lines nearby share its template or
    its first or last character, and how much its words echo the nearest such line
    above (a story's title, when this is one of its sub-heads)."""
    texts = [b.text for b in blocks]
    count: list[str] = []
    echo: list[float] = []
    for i, text in enumerate(texts):
        if not candidates[i]:
            count.append("x")
            echo.append(0.0)
            continue
        lo, hi = max(0, i - REACH), min(len(texts), i + REACH + 1)
        mine = _keys(text)
        same = sum(1 for j in range(lo, hi) if candidates[j] and abs(j - i) > 1 and mine & _keys(texts[j]))
        count.append(str(min(same, 2)))
        above = next((j for j in range(i - 2, lo - 1, -1) if candidates[j]), None)
        echo.append(_overlap(bigrams(text), bigrams(texts[above])) if above is not None else 0.0)
    return count, echo


def _headline_words(text: str) -> dict[str, str | float]:
    """How a short line is worded: the characters it opens and closes with (headlines
    end on a verb or a result, 举行, 召开, 死亡; sub-heads on a noun), and the marks
    that join a headline's phrases."""
    return {
        "w_last": text[-1],
        "w_last2": text[-2:],
        "w_first2": text[:2],
        "inner_space": float(" " in text.strip()),
        "colon": float("：" in text or ":" in text),
        "dash": float("——" in text or "—" in text[1:]),
    }


# Neighbours' features copied onto a line. Only the adjacent lines: what lies two
# lines away is the story-length habit of the papers trained on (a brief's next
# title, a feature's next paragraph), which held-out papers do not share.
NEIGHBOUR_KEYS = ("len", "end", "indent", "headline_like", "author", "names", "enclosed", "dateline", "shift")


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
    grams = [bigrams(b.text) for b in blocks]
    candidates = [bool(f["headline_like"]) and not f["author"] and not f["enclosed"] for f in own]
    siblings, echo_head = _siblings(blocks, candidates)
    for i, f in enumerate(own):
        f["siblings"] = siblings[i]
        f["echo_head"] = _level(echo_head[i])
        f["lead_next"] = float(i + 1 < len(blocks) and bool(_LEAD.match(blocks[i + 1].text)))
        if candidates[i]:
            f.update(_headline_words(blocks[i].text))
    for f, c in zip(own, measure([b.text for b in blocks]), strict=True):
        f["coh"] = _cohesion_level(c.across)
        f["coh_above"] = _cohesion_level(c.above)
        f["coh_below"] = _cohesion_level(c.below)
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
        for offset in (-1, 1):
            j = i + offset
            if 0 <= j < len(own):
                row.update({f"{offset}:{key}": own[j][key] for key in NEIGHBOUR_KEYS})
            else:
                row[f"{offset}:none"] = 1.0
        row["end+next_indent"] = f"{f['end']}|{row.get('1:indent', 'x')}"
        row["len+gap"] = f"{f['len']}|{f['gap']}|{f['indent']}"
        row["layout+end"] = f"{f['layout']}|{f['end']}"
        out.append(row)
    return out
