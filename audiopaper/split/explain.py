"""Per-line account of a split, for ``split --explain``: the label each block got and
the rule or score behind it, so an editor can see why a story was cut where it was."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..models import Block, LineLabel, LineNote
from .byline import continued_from, is_marker, is_source_line, parse_author, parse_credit, parse_dateline
from .headline import Headline, Structure
from .tagger import Tag


def _body_note(block: Block, tag: Tag | None) -> tuple[LineLabel, str]:
    text = block.text
    if block.kind == "heading" or block.strong:
        return "heading", "a heading below the story level, or bold: a sub-head inside the story"
    if parse_dateline(text) is not None:
        return "byline", "rule: dateline (…讯 / …电) at the top of the story"
    if parse_author(text) is not None or is_source_line(text):
        return "byline", "rule: reporter names / the archive's source line"
    if parse_credit(text) is not None:
        return "caption", "rule: photo credit (…摄)"
    if is_marker(text) or continued_from(text)[0]:
        return "marker", "rule: page jump marker"
    if tag is not None:
        label: LineLabel = "byline" if tag.label == "byline" else "body"
        return label, f"tagger: {tag.label}, p={tag.score:.2f}"
    return "body", "text between headlines"


def notes(
    raw: Sequence[Block],
    read: Sequence[Block],
    st: Structure,
    heads: Sequence[Headline],
    tags: Mapping[tuple[str, int], Tag],
    sections: Mapping[int, str] | None = None,
    overruled: Mapping[int, str] | None = None,
) -> tuple[LineNote, ...]:
    """``raw``: the issue's blocks; ``read``: those the splitter read (furniture out),
    indexed as ``st`` and ``heads`` index them; ``sections``: why lines the tagger took
    for titles head sections of a story instead (by the same index); ``overruled``: why
    lines a rule or the tagger took for headlines are none after all."""
    sections = sections or {}
    overruled = overruled or {}
    head_of: dict[int, tuple[Headline, LineLabel]] = {}
    for head in heads:
        for k in range(head.start, head.end):
            text = read[k].text
            role: LineLabel
            if continued_from(text)[0]:
                role = "marker"
            elif text == head.title or head.title.startswith(text):
                role = "headline"
            elif head.kicker and text in head.kicker:
                role = "kicker"
            else:
                role = "subtitle"
            head_of[k] = (head, role)
    index = {id(b): k for k, b in enumerate(read)}
    out: list[LineNote] = []
    for block in raw:
        if block.kind == "break" or not block.text:
            continue
        found = index.get(id(block))
        label: LineLabel
        if found is None:
            label, why = "chrome", "rule: page furniture (navigation, tools, footer, time stamp, page label)"
        elif found in st.labels:
            label, why = "section", st.reasons.get(found, "labels a section, not a story")
        elif found in head_of:
            head, label = head_of[found]
            why = head.why
        elif found in sections:
            label, why = "heading", sections[found]
        elif found in overruled:
            label, why = _body_note(block, tags.get((block.source, block.line)))
            why = f"{overruled[found]} ({why})"
        else:
            label, why = _body_note(block, tags.get((block.source, block.line)))
        out.append(LineNote(block.source, block.line, block.text, label, why))
    return tuple(out)
