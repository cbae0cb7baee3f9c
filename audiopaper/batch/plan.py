"""A batch's plan: which issues, of which paper, built with which settings.

Papers come from a papers.toml (``[[papers]]`` tables: each paper's name, its
``sources``, its folder ``slug`` and any ``[paper]`` key: title, voice, engine, owner…,
over the file's ``[paper]`` table, which every paper shares) and from SOURCE arguments
with ``--paper`` (one name for all of them, or one per SOURCE in order); an issue with
no paper given is published under the paper its own text names. Flags win over the file,
as in ``build``; a paper's show and URL are resolved again over its home's memory once
the batch places it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..pipeline import BuildOptions
from ..settings import Layer, PaperEntry, PapersFile, Request, find_config, read_papers, resolve
from .sources import IssueFiles, discover


@dataclass(frozen=True)
class PaperPlan:
    """How one paper's editions are built (None: each issue's own paper)."""

    name: str | None
    options: BuildOptions

    @property
    def label(self) -> str:
        return self.name or "(the paper each issue names)"


@dataclass(frozen=True)
class BatchIssue:
    files: IssueFiles
    plan: PaperPlan


def settings_file(papers: Path | None, config: Path | None, cwd: Path | None = None) -> PapersFile | None:
    """``--papers FILE``, else ``--config FILE`` or audiopaper.toml in the working folder."""
    if papers is not None and config is not None:
        raise UsageError("--papers and --config both name a settings file", "give one of them")
    path = papers if papers is not None else find_config(config, cwd)
    return read_papers(path) if path is not None else None


def _paper_options(
    base: BuildOptions, flags: Layer, file: PapersFile | None, name: str | None, entry: PaperEntry | None
) -> BuildOptions:
    file_layers: tuple[Layer, ...] = ()
    if file is not None:
        file_layers = (entry.layer, file.layer) if entry is not None else (file.layer,)
    named = {**flags, "name": name} if name else flags
    layers = (named, *file_layers)
    where = entry.where if entry is not None else (str(file.path) if file is not None else "settings")
    chosen = resolve(layers, where=where).paper
    return replace(
        base,
        engine=chosen.engine,
        voice=chosen.voice,
        paper=name,
        bitrate=chosen.bitrate,
        cover=chosen.artwork,
        request=Request(layers, file.path if file is not None else None),
        new_site=True,
        slug=entry.slug if entry is not None else None,
        show=None,
        site=None,
    )


def plan(
    sources: Sequence[str],
    paper_names: Sequence[str],
    base: BuildOptions,
    flags: Mapping[str, Any],
    file: PapersFile | None = None,
    cwd: Path | None = None,
) -> list[BatchIssue]:
    """Every issue to build, with its paper's options; a usage error for anything that
    cannot work, before any of them is read."""
    flag_layer: Layer = {k: v for k, v in flags.items() if v is not None}
    if paper_names and len(paper_names) not in (1, len(sources)):
        raise UsageError(
            f"{len(paper_names)} --paper names for {len(sources)} sources",
            "give one --paper for all of them, or one per SOURCE in order",
        )
    found: list[BatchIssue] = []
    plans: dict[str | None, PaperPlan] = {}

    def paper_plan(name: str | None) -> PaperPlan:
        if name not in plans:
            entry = file.paper(name) if file is not None else None
            plans[name] = PaperPlan(name, _paper_options(base, flag_layer, file, name, entry))
        return plans[name]

    for n, source in enumerate(sources):
        name = paper_names[0] if len(paper_names) == 1 else (paper_names[n] if paper_names else None)
        found += [BatchIssue(f, paper_plan(name)) for f in discover([source], cwd)]
    if file is not None:
        for entry in file.papers:
            if not entry.sources:
                continue
            base_dir = file.path.parent
            found += [BatchIssue(f, paper_plan(entry.name)) for f in discover(list(entry.sources), base_dir)]
    if not found:
        hint = "name issue files, folders or globs, or papers with sources in papers.toml"
        raise UsageError("nothing to build: no SOURCE given", hint)
    seen: set[Path] = set()
    unique = []
    for issue in found:
        key = issue.files.paths[0].resolve()
        if key not in seen:
            seen.add(key)
            unique.append(issue)
    return unique
