"""OUT/catalog.sqlite: every edition and article ever built into an output folder.

The catalog, not the file tree, is what feeds and pages are made from, and it is the
memory that keeps GUIDs stable: a GUID is written once, when an edition or article is
first recorded, and a rebuild only refreshes files, sizes and timings. Podcast apps
treat a new GUID as a new episode, so changing one would make every subscriber download
the edition again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import layout, naming
from ..errors import OutputError
from ..models import ArticleAudio, Edition, Span

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS editions (
    id          INTEGER PRIMARY KEY,
    paper       TEXT NOT NULL,
    date        TEXT NOT NULL,
    folder      TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    guid        TEXT NOT NULL UNIQUE,
    mp3         TEXT NOT NULL,
    mp3_bytes   INTEGER NOT NULL,
    duration_s  REAL NOT NULL,
    vtt         TEXT,
    chapters    TEXT,
    engine      TEXT NOT NULL,
    voice       TEXT NOT NULL,
    intro_s     REAL NOT NULL DEFAULT 0,
    first_built TEXT NOT NULL,
    last_built  TEXT NOT NULL,
    builds      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (paper, date)
);
CREATE TABLE IF NOT EXISTS articles (
    id          INTEGER PRIMARY KEY,
    edition_id  INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    ident       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    slug        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    guid        TEXT NOT NULL UNIQUE,
    mp3         TEXT NOT NULL,
    mp3_bytes   INTEGER NOT NULL,
    duration_s  REAL NOT NULL,
    start_s     REAL NOT NULL,
    vtt         TEXT NOT NULL,
    chars       INTEGER NOT NULL,
    engine      TEXT NOT NULL,
    first_built TEXT NOT NULL,
    last_built  TEXT NOT NULL,
    UNIQUE (edition_id, ident)
);
CREATE TABLE IF NOT EXISTS sentences (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    start_s    REAL NOT NULL,
    end_s      REAL NOT NULL,
    text       TEXT NOT NULL,
    role       TEXT NOT NULL,
    PRIMARY KEY (article_id, n)
);
-- Every GUID ever handed out, even for articles later dropped from a rebuilt edition,
-- so that a GUID is never reused for different audio.
CREATE TABLE IF NOT EXISTS guids (
    guid       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    paper      TEXT NOT NULL,
    date       TEXT NOT NULL,
    ident      TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class SentenceRow:
    start_s: float
    end_s: float
    text: str
    role: str


@dataclass(frozen=True)
class ArticleRow:
    ident: str
    position: int
    slug: str
    kind: str
    title: str
    guid: str
    mp3: str  # relative to OUT, POSIX
    mp3_bytes: int
    duration_s: float
    start_s: float
    vtt: str
    chars: int
    engine: str
    sentences: tuple[SentenceRow, ...] = ()


@dataclass(frozen=True)
class EditionRow:
    paper: str | None  # None: an edition whose paper was never named
    date: dt.date
    folder: str  # relative to OUT, POSIX: editions/2022-01-28
    title: str
    guid: str
    mp3: str
    mp3_bytes: int
    duration_s: float
    vtt: str | None
    chapters: str | None
    engine: str
    voice: str
    intro_s: float
    first_built: str
    last_built: str
    builds: int
    articles: tuple[ArticleRow, ...] = ()

    @property
    def page(self) -> str:
        return f"{self.folder}/{layout.EDITION_PAGE}"


#: (kind, paper, date, ident) → the GUID first handed out for it
GuidHistory = dict[tuple[str, str, str, str], str]


def stored_paper(paper: str | None) -> str:
    """The paper as the catalog keys it: an unnamed paper is ``""`` (a NULL would let
    two rows of one date past the ``UNIQUE (paper, date)`` constraint)."""
    return paper or ""


def papers(conn: sqlite3.Connection) -> set[str | None]:
    """The papers whose editions the catalog holds (None: editions with no paper name)."""
    return {str(r[0]) or None for r in conn.execute("SELECT DISTINCT paper FROM editions")}


def catalog_path(out: Path) -> Path:
    return out / layout.CATALOG


@contextlib.contextmanager
def connect(out: Path, create: bool = True, readonly: bool = False) -> Iterator[sqlite3.Connection]:
    """The catalog of ``out``; ``readonly`` opens it for reading only (``check``, or an
    OUT on read-only media), which needs no write access to the file or its folder."""
    path = catalog_path(out)
    if (readonly or not create) and not path.is_file():
        raise OutputError(f"{path}: no catalog here", "build an edition into this folder first")
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        else:
            # A second build into the same OUT waits for the first one's transaction rather than failing.
            conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    except sqlite3.Error as exc:
        raise _catalog_error(path, exc) from None
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if readonly:
            conn.execute("SELECT count(*) FROM editions").fetchone()  # a file that is no catalog fails here
        else:
            # A rollback journal (not WAL) keeps the catalog one self-contained file that can be
            # copied or served along with the folder.
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.executescript(_SCHEMA)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        yield conn
    except sqlite3.Error as exc:
        raise _catalog_error(path, exc) from None
    finally:
        conn.close()


# SQLite's primary result codes (sqlite3.h)
_FULL, _READONLY, _CANTOPEN, _PERM, _BUSY, _LOCKED, _IOERR = 13, 8, 14, 3, 5, 6, 10
_CORRUPT, _NOTADB = 11, 26


def _catalog_error(path: Path, exc: sqlite3.Error) -> OutputError:
    """One line that says what is wrong: only a damaged file is worth moving away."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == _FULL:
        return OutputError(f"{path}: the disk is full", "free some space and rerun; finished work is kept")
    if code in (_READONLY, _CANTOPEN, _PERM):
        return OutputError(f"{path}: cannot write the catalog ({exc})", "the folder or the file is read-only")
    if code in (_BUSY, _LOCKED):
        return OutputError(f"{path}: the catalog is busy ({exc})", "another build holds it; try again")
    if code == _IOERR:
        return OutputError(f"{path}: cannot read or write the catalog ({exc})")
    if code in (_CORRUPT, _NOTADB):
        return OutputError(f"{path}: the catalog is unreadable ({exc})", "move it away and rebuild")
    return OutputError(f"{path}: the catalog failed ({exc})")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    # BEGIN IMMEDIATE takes the write lock up front, so two builds into one OUT queue
    # instead of failing half-way with "database is locked". Nested use joins the outer
    # transaction, which lets publishing hold the lock from recording to writing feeds.
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")  # a full disk can fail here too: then nothing was recorded
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def article_idents(titles: Sequence[str]) -> list[str]:
    """Identity of each article within its edition: the title, numbered when repeated.

    Papers repeat titles (several 图片新闻 in one issue); the n-th repeat is told apart by
    its rank among same-titled articles, not by its file name or position, so adding an
    article elsewhere in the issue does not change the others' GUIDs.
    """
    seen: dict[str, int] = {}
    out: list[str] = []
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
        out.append(title if seen[title] == 1 else f"{title}#{seen[title]}")
    return out


def _rel(path: Path, out: Path) -> str:
    return path.resolve().relative_to(out.resolve()).as_posix()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def record_edition(
    conn: sqlite3.Connection, out: Path, edition: Edition, now: str | None = None, guid: str | None = None
) -> EditionRow:
    """Add or refresh one edition and its articles in a single transaction; returns the
    stored row, whose GUIDs are the ones published (made here, once, when first recorded)."""
    now = now or _now()
    folder = _rel(edition.folder, out)
    vtt, chapters = edition.vtt, edition.chapters
    date = edition.date.isoformat()
    paper = stored_paper(edition.paper)
    with transaction(conn):
        # The folder's files now belong to this edition; a stale row that pointed at the
        # same folder (its manifest deleted by hand, say) describes audio that is gone.
        conn.execute("DELETE FROM editions WHERE folder = ? AND NOT (paper = ? AND date = ?)", (folder, paper, date))
        row = conn.execute("SELECT id, guid FROM editions WHERE paper = ? AND date = ?", (paper, date)).fetchone()
        fields = (
            folder,
            edition.title,
            _rel(edition.mp3, out),
            edition.mp3.stat().st_size,
            edition.duration_s,
            _rel(vtt, out) if vtt is not None and vtt.is_file() else None,
            _rel(chapters, out) if chapters is not None and chapters.is_file() else None,
            edition.engine,
            edition.voice,
            edition.intro_s,
        )
        if row is None:
            guid = guid or naming.edition_guid(paper, edition.date)
            cur = conn.execute(
                "INSERT INTO editions (folder, title, mp3, mp3_bytes, duration_s, vtt, chapters, engine, voice,"
                " intro_s, paper, date, guid, first_built, last_built, builds)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (*fields, paper, date, guid, now, now),
            )
            edition_id = int(cur.lastrowid or 0)
            _remember_guid(conn, guid, "edition", paper, date, "", now)
        else:
            edition_id = int(row[0])
            conn.execute(
                "UPDATE editions SET folder = ?, title = ?, mp3 = ?, mp3_bytes = ?, duration_s = ?, vtt = ?,"
                " chapters = ?, engine = ?, voice = ?, intro_s = ?, last_built = ?, builds = builds + 1"
                " WHERE id = ?",
                (*fields, now, edition_id),
            )
        placed = _place_articles(conn, edition_id, edition)
        # Articles the rebuilt edition no longer has: their files are gone, so they leave
        # the feed; their GUIDs stay reserved in `guids`.
        keep = [row_id for row_id, _ in placed if row_id is not None]
        marks = ",".join("?" * len(keep)) or "NULL"
        conn.execute(f"DELETE FROM articles WHERE edition_id = ? AND id NOT IN ({marks})", (edition_id, *keep))
        for art, (article_id, ident) in zip(edition.articles, placed, strict=True):
            afields = (
                art.index,
                art.id,
                art.kind,
                art.title,
                _rel(art.mp3, out),
                art.mp3.stat().st_size,
                art.duration_s,
                art.start_s,
                _rel(art.vtt, out),
                art.chars,
                art.engine,
                now,
            )
            if article_id is None:
                guid = _article_guid(conn, paper, date, ident)
                cur = conn.execute(
                    "INSERT INTO articles (position, slug, kind, title, mp3, mp3_bytes, duration_s, start_s, vtt,"
                    " chars, engine, last_built, edition_id, ident, guid, first_built)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*afields, edition_id, ident, guid, now),
                )
                article_id = int(cur.lastrowid or 0)
            else:
                conn.execute(
                    "UPDATE articles SET position = ?, slug = ?, kind = ?, title = ?, mp3 = ?, mp3_bytes = ?,"
                    " duration_s = ?, start_s = ?, vtt = ?, chars = ?, engine = ?, last_built = ? WHERE id = ?",
                    (*afields, article_id),
                )
            _store_sentences(conn, article_id, art.spans)
    stored = edition_by_folder(conn, folder)
    assert stored is not None
    return stored


#: what an article says, as opposed to its headline and byline: what identifies it
#: when its headline is corrected
BODY_ROLES = ("body", "heading", "signature")
#: how alike two bodies must be (Jaccard index of their character bigrams) to be one
#: article: a corrected figure or sentence keeps it near 0.9, two different stories of
#: one paper share well under 0.2
SAME_BODY = 0.5


def _bigrams(text: str) -> frozenset[str]:
    text = "".join(text.split())
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def body_similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def _body(spans: Sequence[Span] | Sequence[SentenceRow]) -> str:
    return "".join(s.text for s in spans if s.role in BODY_ROLES)


def _place_articles(conn: sqlite3.Connection, edition_id: int, edition: Edition) -> list[tuple[int | None, str]]:
    """For each of the edition's articles: the catalog row it already is (None: a new
    article) and its identity.

    An article is the same one as before when it has the same headline (the n-th of
    several same-titled ones by rank), else when its body reads the same (a corrected
    headline, or a corrected sentence under the same headline): position and file name
    are no identity, since a rebuilt issue may gain or lose a story above it. The
    identity (``ident``) is the headline the article was first recorded under, and it
    never changes, so neither does the GUID made from it.
    """
    rows = conn.execute(
        "SELECT id, ident, title FROM articles WHERE edition_id = ? ORDER BY position", (edition_id,)
    ).fetchall()
    old_keys = dict(zip(article_idents([str(r[2]) for r in rows]), rows, strict=True))
    new_keys = article_idents([a.title for a in edition.articles])
    placed: list[tuple[int | None, str] | None] = [None] * len(new_keys)
    taken: set[int] = set()
    for n, key in enumerate(new_keys):
        row = old_keys.get(key)
        if row is not None:
            placed[n] = (int(row[0]), str(row[1]))
            taken.add(int(row[0]))
    left = [r for r in rows if int(r[0]) not in taken]
    if left and None in placed:
        bodies = {int(r[0]): _body(_sentences(conn, int(r[0]))) for r in left}
        pairs = sorted(
            (
                (body_similarity(_body(edition.articles[n].spans), bodies[int(r[0])]), n, int(r[0]), str(r[1]))
                for n in range(len(placed))
                if placed[n] is None
                for r in left
            ),
            key=lambda p: -p[0],
        )
        for score, n, row_id, ident in pairs:
            if score < SAME_BODY:
                break
            if placed[n] is None and row_id not in taken:
                placed[n] = (row_id, ident)
                taken.add(row_id)
    used = {p[1] for p in placed if p is not None}
    result: list[tuple[int | None, str]] = []
    for n, p in enumerate(placed):
        if p is None:
            ident, k = new_keys[n], 1
            while ident in used:  # the headline of a kept article that was renamed since
                k += 1
                ident = f"{new_keys[n]}#{k}"
            used.add(ident)
            p = (None, ident)
        result.append(p)
    return result


def _sentences(conn: sqlite3.Connection, article_id: int) -> tuple[SentenceRow, ...]:
    return tuple(
        SentenceRow(float(s[0]), float(s[1]), str(s[2]), str(s[3]))
        for s in conn.execute(
            "SELECT start_s, end_s, text, role FROM sentences WHERE article_id = ? ORDER BY n", (article_id,)
        )
    )


def _article_guid(conn: sqlite3.Connection, paper: str, date: str, ident: str) -> str:
    known = conn.execute(
        "SELECT guid FROM guids WHERE kind = 'article' AND paper = ? AND date = ? AND ident = ?", (paper, date, ident)
    ).fetchone()
    if known:
        # The article was dropped by an earlier rebuild and has come back: same audio, same GUID.
        return str(known[0])
    guid = naming.article_guid(paper, dt.date.fromisoformat(date), ident)
    _remember_guid(conn, guid, "article", paper, date, ident, _now())
    return guid


def _remember_guid(conn: sqlite3.Connection, guid: str, kind: str, paper: str, date: str, ident: str, now: str) -> None:
    conn.execute("INSERT OR IGNORE INTO guids VALUES (?, ?, ?, ?, ?, ?)", (guid, kind, paper, date, ident, now))


def _store_sentences(conn: sqlite3.Connection, article_id: int, spans: Sequence[Span]) -> None:
    conn.execute("DELETE FROM sentences WHERE article_id = ?", (article_id,))
    conn.executemany(
        "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?)",
        [(article_id, n, s.start_s, s.end_s, s.text, s.role) for n, s in enumerate(spans)],
    )


_EDITION_COLUMNS = (
    "id, paper, date, folder, title, guid, mp3, mp3_bytes, duration_s, vtt, chapters, engine, voice, intro_s,"
    " first_built, last_built, builds"
)


def _edition_row(conn: sqlite3.Connection, r: Any) -> EditionRow:
    edition_id = r[0]
    arts = conn.execute(
        "SELECT id, ident, position, slug, kind, title, guid, mp3, mp3_bytes, duration_s, start_s, vtt, chars, engine"
        " FROM articles WHERE edition_id = ? ORDER BY position",
        (edition_id,),
    ).fetchall()
    articles = []
    for a in arts:
        sentences = _sentences(conn, int(a[0]))
        articles.append(
            ArticleRow(
                ident=str(a[1]),
                position=int(a[2]),
                slug=str(a[3]),
                kind=str(a[4]),
                title=str(a[5]),
                guid=str(a[6]),
                mp3=str(a[7]),
                mp3_bytes=int(a[8]),
                duration_s=float(a[9]),
                start_s=float(a[10]),
                vtt=str(a[11]),
                chars=int(a[12]),
                engine=str(a[13]),
                sentences=sentences,
            )
        )
    return EditionRow(
        paper=str(r[1]) or None,
        date=dt.date.fromisoformat(str(r[2])),
        folder=str(r[3]),
        title=str(r[4]),
        guid=str(r[5]),
        mp3=str(r[6]),
        mp3_bytes=int(r[7]),
        duration_s=float(r[8]),
        vtt=None if r[9] is None else str(r[9]),
        chapters=None if r[10] is None else str(r[10]),
        engine=str(r[11]),
        voice=str(r[12]),
        intro_s=float(r[13]),
        first_built=str(r[14]),
        last_built=str(r[15]),
        builds=int(r[16]),
        articles=tuple(articles),
    )


def edition_by_folder(conn: sqlite3.Connection, folder: str) -> EditionRow | None:
    r = conn.execute(f"SELECT {_EDITION_COLUMNS} FROM editions WHERE folder = ?", (folder,)).fetchone()
    return None if r is None else _edition_row(conn, r)


def newest(conn: sqlite3.Connection) -> tuple[int, EditionRow | None]:
    """How many editions the catalog holds, and the newest one (for a site's top index,
    which must not load every edition's sentences on every publish)."""
    count = int(conn.execute("SELECT COUNT(*) FROM editions").fetchone()[0])
    r = conn.execute(f"SELECT {_EDITION_COLUMNS} FROM editions ORDER BY date DESC, folder DESC LIMIT 1").fetchone()
    return count, None if r is None else _edition_row(conn, r)


def folders(conn: sqlite3.Connection) -> set[str]:
    """Every edition folder the catalog records (relative to its home)."""
    return {str(r[0]) for r in conn.execute("SELECT folder FROM editions")}


def editions(conn: sqlite3.Connection) -> list[EditionRow]:
    """Every edition, newest first (by date, then by most recent build)."""
    # One read transaction, so a build committing meanwhile cannot give a mixed view
    # (an edition without its articles) of the catalog.
    outer = conn.in_transaction
    if not outer:
        conn.execute("BEGIN")
    try:
        rows = conn.execute(f"SELECT {_EDITION_COLUMNS} FROM editions ORDER BY date DESC, folder DESC").fetchall()
        return [_edition_row(conn, r) for r in rows]
    finally:
        if not outer:
            conn.execute("COMMIT")


def remembered_settings(conn: sqlite3.Connection) -> dict[str, Any]:
    """The publishing settings the last run stored (``settings.REMEMBERED`` keys).

    Catalogs from before ``audiopaper.toml`` kept three keys of their own; they are read
    as the same settings.
    """
    raw = get_meta(conn, "settings")
    if raw:
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            return doc
    legacy: dict[str, Any] = {}
    if base_url := get_meta(conn, "base_url"):
        legacy["base_url"] = base_url
    if title := get_meta(conn, "title"):
        legacy["title"] = title
    limit = get_meta(conn, "limit")
    if limit and limit.isdigit():
        legacy["feed_limit"] = int(limit)
    return legacy


def remember_settings(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    set_meta(conn, "settings", json.dumps(values, ensure_ascii=False, sort_keys=True))


def feed_guid(conn: sqlite3.Connection, feed: str, minted: str, keep: bool) -> str:
    """The feed's podcast:guid: the one stored when it was first published, else ``minted``
    (stored now when ``keep``). Stored once, it outlives any change of the feed's URL."""
    key = f"podcast_guid:{feed}"
    known = get_meta(conn, key)
    if known:
        return known
    if keep:
        set_meta(conn, key, minted)
    return minted


def feed_guids(conn: sqlite3.Connection) -> dict[str, str]:
    """Every stored podcast:guid, by feed file name."""
    prefix = "podcast_guid:"
    rows = conn.execute("SELECT key, value FROM meta WHERE key LIKE 'podcast_guid:%'").fetchall()
    return {str(k)[len(prefix) :]: str(v) for k, v in rows}


def guid_history(conn: sqlite3.Connection) -> GuidHistory:
    """Every GUID ever handed out in this OUT, by what it was handed out for."""
    return {(r[0], r[1], r[2], r[3]): r[4] for r in conn.execute("SELECT kind, paper, date, ident, guid FROM guids")}


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    r = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if r is None else str(r[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value)
        )


def _vtt_spans(path: Path) -> tuple[Span, ...]:
    """Cue timings back from a WebVTT file (for editions built before the catalog existed)."""

    def seconds(stamp: str) -> float:
        h, m, rest = (["0", *stamp.split(":")])[-3:]
        return int(h) * 3600 + int(m) * 60 + float(rest)

    spans: list[Span] = []
    try:
        blocks = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n\n")
    except (OSError, UnicodeDecodeError):
        return ()
    for block in blocks:
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            if "-->" in line:
                a, b = (part.strip().split(" ")[0] for part in line.split("-->", 1))
                try:
                    spans.append(Span(seconds(a), seconds(b), "".join(lines[i + 1 :]).strip()))
                except ValueError:
                    pass
                break
    return tuple(spans)


def import_manifests(conn: sqlite3.Connection, out: Path, skip: Path | None = None) -> int:
    """Record editions that were built into OUT before it had a catalog; returns how many.

    Their manifests carry everything but sentence timings, which come back from the VTTs.
    """
    count = 0
    for manifest in sorted((out / layout.EDITIONS).glob(f"*/{layout.MANIFEST_JSON}")):
        folder = manifest.parent
        if skip is not None and folder.resolve() == skip.resolve():
            continue
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
            ed = doc["edition"]
            articles = tuple(
                ArticleAudio(
                    index=int(a["index"]),
                    id=str(a["id"]),
                    kind=str(a.get("kind", "article")),
                    title=str(a["title"]),
                    mp3=folder / a["mp3"],
                    vtt=folder / a["vtt"],
                    duration_s=float(a["duration_s"]),
                    start_s=float(a.get("start_s", 0.0)),
                    chars=int(a.get("chars", 0)),
                    engine=str(a.get("engine", ed.get("engine", ""))),
                    spans=_vtt_spans(folder / a["vtt"]),
                )
                for a in doc["articles"]
            )
            edition = Edition(
                date=dt.date.fromisoformat(ed["date"]),
                paper=str(ed.get("paper") or "") or None,
                title=str(ed["title"]),
                folder=folder,
                mp3=folder / ed["mp3"],
                duration_s=float(ed["duration_s"]),
                engine=str(ed.get("engine", "")),
                voice=str(ed.get("voice", "")),
                articles=articles,
                intro_s=float(ed.get("intro_s", 0.0)),
                vtt=folder / str(ed.get("vtt") or layout.EDITION_VTT),
                chapters=folder / str(ed.get("chapters") or layout.CHAPTERS_JSON),
            )
            if not edition.mp3.is_file() or not all(a.mp3.is_file() for a in articles):
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged manifest: that edition is rebuilt, not guessed at
        record_edition(conn, out, edition, guid=ed.get("guid"))
        count += 1
    return count


def load(out: Path) -> list[EditionRow]:
    with connect(out, readonly=True) as conn:
        return editions(conn)
