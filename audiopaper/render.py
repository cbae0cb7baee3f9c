"""Turn stage results into JSON documents and readable text for the CLI."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .models import Reading, Script, Sentence, Spelling, SplitResult

if TYPE_CHECKING:  # types only: rendering a split needs neither engines nor presets loaded
    from .doctor import Check, EngineReport
    from .presets import Preset


def split_doc(result: SplitResult) -> dict[str, Any]:
    issue = result.issue
    return {
        "schema": 1,
        "issue": {
            "sources": [str(p) for p in issue.sources],
            "paper": issue.paper,
            "date": issue.date.isoformat() if issue.date else None,
            # where each was read (ingest.identity's order of trust), None when not printed
            "paper_from": dataclasses.asdict(issue.paper_from) if issue.paper_from else None,
            "date_from": dataclasses.asdict(issue.date_from) if issue.date_from else None,
            "blocks": len(issue.blocks),
        },
        "articles": [
            {
                "index": a.index,
                "kind": a.kind,
                "kicker": a.kicker,
                "title": a.title,
                "subtitle": a.subtitle,
                "byline": a.byline,
                "dateline": a.dateline,
                "credit": a.credit,
                "paragraphs": [p.text for p in a.paragraphs],
                "roles": [p.role for p in a.paragraphs],
            }
            for a in result.articles
        ],
        "repairs": [{"kind": r.kind, "article": r.article, "detail": r.detail} for r in result.repairs],
        "warnings": [*issue.warnings, *result.warnings],
    }


def split_explain_doc(result: SplitResult) -> list[dict[str, Any]]:
    return [{"source": n.source, "line": n.line, "label": n.label, "why": n.why, "text": n.text} for n in result.notes]


def split_explain(result: SplitResult) -> str:
    """One line per block of the page: where it is, the label it got, why, and its text."""
    out = []
    for n in result.notes:
        text = n.text if len(n.text) <= 40 else n.text[:28] + " … " + n.text[-8:]
        out.append(f"{n.source}:{n.line:<5} {n.label:<9} {text}")
        if n.why:
            out.append(f"{'':>{len(n.source) + 7}}{'':<9} ↳ {n.why}")
    return "\n".join(out)


def split_outline(result: SplitResult) -> str:
    lines = []
    for a in result.articles:
        lines.append(f"{a.index:2d}. [{a.kind}] {a.title}")
        for label, value in (
            ("kicker", a.kicker),
            ("subtitle", a.subtitle),
            ("byline", a.byline),
            ("dateline", a.dateline),
            ("credit", a.credit),
        ):
            if value:
                lines.append(f"    {label}: {value}")
        for p in a.paragraphs:
            mark = {"heading": "## ", "list_item": "- ", "signature": "   — "}.get(p.role, "")
            text = p.text if len(p.text) <= 60 else p.text[:30] + " … " + p.text[-20:]
            lines.append(f"    {mark}{text}")
    for r in result.repairs:
        lines.append(f"repair ({r.kind}, article {r.article}): {r.detail}")
    return "\n".join(lines)


def _view(sentence: Sentence, spelling: Spelling) -> Reading:
    """A sentence in ``spelling`` (the Script's own reading, or one made now)."""
    found = sentence.reading(spelling)
    if found is not None:
        return found
    from .speech import reading_for

    return reading_for(sentence.text, spelling)


def script_doc(scripts: Sequence[Script], with_pinyin: bool, spelling: Spelling = "spelled") -> dict[str, Any]:
    """Schema 1: per sentence its role, the text read in ``spelling``, the pause after it
    and, with ``with_pinyin``, one pinyin entry per character of that text."""
    articles = []
    for s in scripts:
        sentences = []
        for x in s.sentences:
            view = _view(x, spelling)
            item: dict[str, Any] = {"role": x.role, "text": view.text, "pause_s": x.pause_s}
            if with_pinyin:
                item["pinyin"] = list(view.pinyin or ())
            sentences.append(item)
        articles.append({"index": s.article.index, "title": s.title, "sentences": sentences})
    return {"schema": 1, "articles": articles}


def script_text(scripts: Sequence[Script], with_pinyin: bool, spelling: Spelling = "spelled") -> str:
    lines = []
    for s in scripts:
        lines.append(f"== {s.article.index:02d} {s.title}")
        for x in s.sentences:
            view = _view(x, spelling)
            lines.append(f"[{x.role} {x.pause_s:.2f}s] {view.text}")
            if with_pinyin and view.pinyin:
                lines.append("        " + " ".join(view.pinyin))
    return "\n".join(lines)


def voices_doc(report: Sequence[EngineReport]) -> dict[str, Any]:
    engines = []
    for e in report:
        entry: dict[str, Any] = {
            "engine": e.engine,
            "available": e.available,
            "reason": e.reason,
            "hint": e.hint,
            "voices": list(e.listing.voices),
        }
        if e.listing.source:
            entry.update(voices_source=e.listing.source, voice_lines=list(e.listing.lines))
        engines.append(entry)
    return {"schema": 1, "engines": engines}


def voices_text(report: Sequence[EngineReport], default: str, presets: dict[str, Preset]) -> str:
    """Each engine's state and voices, then the presets with the voice each names per engine."""
    lines = []
    for e in report:
        state = "available" if e.available else f"unavailable: {e.reason}" + (f" ({e.hint})" if e.hint else "")
        source = f" [{e.listing.source}]" if e.listing.source else ""
        lines.append(f"{e.engine}: {state}{source}")
        lines += [f"  {v}" for v in e.listing.lines or e.listing.voices]
    engines = {e.engine for e in report}
    lines.append("presets:")
    for name, p in presets.items():
        mark = " (default)" if name == default else ""
        voices = ", ".join(f"{k}={v}" for k, v in p.settings.items() if k in engines)
        lines.append(f"  {name}{mark}: {voices}")
    return "\n".join(lines)


def doctor_doc(results: Sequence[Check]) -> dict[str, Any]:
    return {
        "schema": 1,
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail, "required": c.required} for c in results],
    }


def doctor_text(results: Sequence[Check]) -> str:
    return "\n".join(f"{'ok ' if c.ok else 'NO '} {c.name}: {c.detail}" for c in results)
