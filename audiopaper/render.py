"""Turn stage results into JSON documents and readable text for the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .models import Reading, Script, Sentence, Spelling, SplitResult

if TYPE_CHECKING:  # types only: rendering a split needs neither engines nor presets loaded
    from .batch import BatchReport
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


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def batch_doc(report: BatchReport) -> dict[str, Any]:
    """`batch --json`: every issue's outcome and the run's totals."""

    def rel(path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            return path.resolve().relative_to(report.out.resolve()).as_posix()
        except ValueError:
            return str(path)

    return {
        "schema": 1,
        "out": str(report.out),
        "workers": report.workers,
        "seconds": round(report.seconds, 3),
        "counts": {s: report.count(s) for s in ("built", "partial", "skipped", "failed")},
        "audio_s": round(report.audio_s, 3),
        "cache": {"hits": report.cache_hits, "misses": report.cache_misses},
        "issues": [
            {
                "sources": [str(p) for p in o.files],
                "status": o.status,
                "paper": o.paper,
                "date": o.date.isoformat() if o.date else None,
                "folder": rel(o.folder),
                "articles": o.articles,
                "failed": list(o.failed),
                "audio_s": round(o.audio_s, 3),
                "seconds": round(o.seconds, 3),
                "cache": {"hits": o.cache_hits, "misses": o.cache_misses},
                "warnings": list(o.warnings),
            }
            for o in report.outcomes
        ],
    }


def batch_table(report: BatchReport, width: int | None = None) -> str:
    """The summary a batch ends with: one row per issue, oldest first, then the totals."""
    import io

    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    for name, justify in (
        ("paper", "left"),
        ("date", "left"),
        ("status", "left"),
        ("articles", "right"),
        ("audio", "right"),
        ("time", "right"),
        ("edition / why", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    order = sorted(report.outcomes, key=lambda o: (o.date is None, o.date or dt.date.min, o.paper or ""))
    for o in order:
        where = ""
        if o.status == "failed":
            where = o.failed[0] if o.failed else ""
        elif o.folder is not None:
            try:
                where = o.folder.resolve().relative_to(report.out.resolve()).as_posix()
            except ValueError:
                where = str(o.folder)
            if o.status == "partial":
                where += f" ({len(o.failed)} article(s) left out)"
        table.add_row(
            o.paper or "—",
            o.date.isoformat() if o.date else "—",
            o.status,
            str(o.articles) if o.status != "failed" else "",
            _clock(o.audio_s) if o.audio_s else "",
            _clock(o.seconds) if o.status != "skipped" else "",
            where,
        )
    buf = io.StringIO()
    console = Console(file=buf, width=width or 160, no_color=True, highlight=False, soft_wrap=False)
    console.print(table)
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("built", "partial", "skipped", "failed") if report.count(s))
    hours = report.seconds / 3600
    built = report.count("built") + report.count("partial")
    rate = f", {built / hours:.1f} issues/hour" if built and hours > 0 else ""
    rtf = f", RTF {report.seconds / report.audio_s:.3f}" if report.audio_s else ""
    total = (
        f"{len(report.outcomes)} issues: {counts or 'none'} in {_clock(report.seconds)}{rate}{rtf};"
        f" {report.cache_misses} chunks synthesized, {report.cache_hits} from the cache ({report.workers})"
    )
    return buf.getvalue().rstrip() + "\n" + total
