"""Which issues a batch builds: SOURCE arguments (and papers.toml's ``sources``) as
issues, each the page files of one day, in page order.

A SOURCE is one of:

- a folder laid out by date: ``2022-01-27/*.md`` (one issue per dated folder, its files
  the pages), also ``2022/01/27/`` and ``2022/0127/``;
- files with a date in their names: ``衡阳日报-2022-01-28.txt``, ``20220128.md``; files of
  one folder that carry the same date are the pages of one issue (``…-2022-01-28-01.md``);
- a list file: every line a SOURCE (relative to the list's folder; ``#`` comments);
- a glob (quoted, so the shell leaves it): ``'archive/2022-*/*.md'``.

A file whose path carries no date is an issue of its own (its date is read from its
text). The same file named twice is built once.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..ingest.dates import path_date

#: what an issue's page files are called (ingest reads markdown, plain text and HTML)
ISSUE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text", ".html", ".htm"})
LIST_SUFFIXES = frozenset({".list", ".lst"})
#: a list file is small; anything bigger is an issue's text
_LIST_MAX_BYTES = 1 << 20
_MAX_DEPTH = 6
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class IssueFiles:
    """One issue: its page files in order, the date its path carries, and the SOURCE
    it was found through."""

    paths: tuple[Path, ...]
    date: dt.date | None
    origin: str

    @property
    def label(self) -> str:
        first = self.paths[0]
        return first.parent.name if len(self.paths) > 1 else first.name


def _natural(path: Path) -> tuple[object, ...]:
    """Page order: ``page-2`` before ``page-10``."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name))


def folder_date(folder: Path) -> dt.date | None:
    """The date a folder's name (or its last two or three names) carries: ``2022-01-27``,
    ``2022/0127``, ``2022/01/27``."""
    parts = folder.parts
    for n in (1, 2, 3):
        if len(parts) < n:
            break
        tail = parts[-n:]
        if n > 1 and not all(p.isdigit() for p in tail):
            continue
        found = path_date("".join(tail) if n > 1 else tail[0])
        if found is not None:
            return found
    return None


def _is_issue_file(path: Path) -> bool:
    return path.suffix.lower() in ISSUE_SUFFIXES and not path.name.startswith(".")


def _list_lines(path: Path) -> list[str] | None:
    """The SOURCEs a list file names, or None when ``path`` is not a list file: one with
    a list suffix, or a text file whose every line names a path or glob that exists."""
    try:
        if path.stat().st_size > _LIST_MAX_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if path.suffix.lower() in LIST_SUFFIXES:
        return lines
    if not lines:
        return None

    def names_something(line: str) -> bool:
        target = line if Path(line).is_absolute() else str(path.parent / line)
        return bool(glob.glob(target, recursive=True)) if _GLOB.search(line) else Path(target).exists()

    return lines if all(names_something(ln) for ln in lines) else None


def _group(files: Sequence[Path], origin: str, date: dt.date | None = None) -> list[IssueFiles]:
    """Files of one folder as issues: those carrying one date (or all, under a dated
    folder) are one issue's pages; an undated file is an issue of its own."""
    by_date: dict[dt.date, list[Path]] = {}
    alone: list[IssueFiles] = []
    for f in files:
        found = date or path_date(f.stem)
        if found is None:
            alone.append(IssueFiles((f,), None, origin))
        else:
            by_date.setdefault(found, []).append(f)
    dated = [IssueFiles(tuple(sorted(fs, key=_natural)), d, origin) for d, fs in by_date.items()]
    return dated + alone


def _walk(folder: Path, origin: str, depth: int = 0) -> Iterator[IssueFiles]:
    try:
        children = sorted(folder.iterdir(), key=_natural)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot read the folder ({exc.strerror})") from None
    files = [c for c in children if c.is_file() and _is_issue_file(c)]
    date = folder_date(folder) if depth > 0 or files else None
    if files:
        yield from _group(files, origin, date)
    if depth >= _MAX_DEPTH:
        return
    for child in children:
        if child.is_dir() and not child.name.startswith("."):
            yield from _walk(child, origin, depth + 1)


def _expand(source: str, base: Path, seen_lists: frozenset[Path] = frozenset()) -> Iterator[IssueFiles]:
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = base / path
    if _GLOB.search(source):
        matches = sorted((Path(m) for m in glob.glob(str(path), recursive=True)), key=_natural)
        if not matches:
            raise UsageError(f"{source}: matches no file", "check the pattern (quote it, so the shell leaves it)")
        files = [m for m in matches if m.is_file() and _is_issue_file(m)]
        by_folder: dict[Path, list[Path]] = {}
        for f in files:
            by_folder.setdefault(f.parent, []).append(f)
        for folder, fs in by_folder.items():
            yield from _group(fs, source, folder_date(folder))
        for m in matches:
            if m.is_dir():
                yield from _walk(m, source)
        return
    if path.is_dir():
        yield from _walk(path, source)
        return
    if not path.is_file():
        raise UsageError(f"{source}: no such file or folder")
    lines = _list_lines(path) if path.resolve() not in seen_lists else None
    if lines is not None:
        for line in lines:
            yield from _expand(line, path.parent, seen_lists | {path.resolve()})
        return
    yield IssueFiles((path,), path_date(path.stem) or folder_date(path.parent), source)


def discover(sources: Sequence[str], base: Path | None = None) -> list[IssueFiles]:
    """Every issue the SOURCEs name, oldest first (undated ones last, by path); a SOURCE
    that names nothing is a usage error, before any work."""
    base = base or Path.cwd()
    found: list[IssueFiles] = []
    seen: set[Path] = set()
    for source in sources:
        issues = list(_expand(source, base))
        if not issues:
            raise UsageError(
                f"{source}: holds no issue files", f"issue files end in {', '.join(sorted(ISSUE_SUFFIXES))}"
            )
        for issue in issues:
            paths = tuple(p for p in issue.paths if p.resolve() not in seen)
            seen.update(p.resolve() for p in paths)
            if paths:
                found.append(IssueFiles(paths, issue.date, issue.origin))
    return sorted(found, key=lambda i: (i.date is None, i.date or dt.date.min, str(i.paths[0])))
