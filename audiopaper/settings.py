"""Publisher settings: ``audiopaper.toml``, command-line flags and what OUT remembers.

A producer states once who publishes the paper (owner e-mail, category, artwork, the
public URL...) instead of repeating a dozen flags every morning. This module is the one
place that reads those settings; it turns them into frozen dataclasses the stages take.

Every key comes from, in order: its command-line flag; ``audiopaper.toml`` (found in the
working folder, or given with ``--config``); what OUT's catalog remembers from the last
run that published into it (so ``audiopaper feed OUT`` run from anywhere keeps the
owner and the public URL); the default. Without a file and a catalog, the defaults are
what audiopaper did before settings existed.

The settings are split by what they describe, so that a file naming several papers
(issue #12) can reuse the same keys per paper: ``PaperSettings`` (one paper: its name,
what podcast apps show about it in ``Show``, its artwork, voice, engine and bitrate)
and ``SiteSettings`` (where OUT is published). ``paper_layer`` reads one paper's table.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import UsageError

CONFIG_NAME = "audiopaper.toml"

#: Apple Podcasts' categories and their subcategories (the list Apple has used since
#: 2019); podcast directories reject any other text in ``itunes:category``.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

#: MP3 bitrates (kb/s) valid both for MPEG-1 (32, 44.1, 48 kHz) and MPEG-2 (16, 22.05,
#: 24 kHz) layer III, so a bitrate works whatever sample rate the engine reads at.
BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160)
DEFAULT_BITRATE = 64
#: Items per feed. An unbounded feed grows by about 10 MB a year for one daily paper, and
#: every subscribed app downloads the whole file on every refresh; 100 items keep the
#: editions feed at about three months and each feed in the low hundreds of kilobytes.
#: Older episodes stay in the catalog and on the listening pages.
DEFAULT_FEED_LIMIT = 100

_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Show:
    """What podcast apps show about a paper's feeds (the RSS channel)."""

    title: str | None = None  # None: the paper's name
    description: str | None = None  # None: a sentence made from the title
    language: str = "zh-cn"
    author: str | None = None  # None: the title
    owner_name: str | None = None
    owner_email: str | None = None  # Apple and Spotify send ownership checks here
    category: str = "News"
    subcategory: str | None = "Daily News"
    explicit: bool = False
    copyright: str | None = None
    locked: bool = True  # podcast:locked yes (with the owner's e-mail): no other host may import the feed
    feed_limit: int = DEFAULT_FEED_LIMIT  # items per feed; 0: no limit


@dataclass(frozen=True)
class PaperSettings:
    """One paper: its name, its show, and how its editions are made."""

    name: str | None = None  # None: from the issue, else the default paper
    show: Show = field(default_factory=Show)
    artwork: Path | None = None  # the show's own square image; None: drawn
    voice: str | None = None
    engine: str = "auto"
    bitrate: int = DEFAULT_BITRATE  # kb/s, mono


@dataclass(frozen=True)
class SiteSettings:
    """Where OUT is published: one place for every paper built into it."""

    base_url: str | None = None  # None: the loopback address `serve` answers on
    moved_to: str | None = None  # the new base URL after a move (itunes:new-feed-url)


@dataclass(frozen=True)
class Settings:
    paper: PaperSettings = field(default_factory=PaperSettings)
    site: SiteSettings = field(default_factory=SiteSettings)
    source: Path | None = None  # the file read, if any


# --- the keys ------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One setting: its table in the file, its flag, its type and what it means."""

    name: str
    table: str  # "paper" or "site"
    kind: type
    help: str
    flag: str
    example: str = ""  # shown (commented out) by `audiopaper init`
    remembered: bool = False  # kept in OUT's catalog for later runs


def _k(name: str, table: str, kind: type, help: str, flag: str = "", example: str = "", remembered: bool = True) -> Key:
    return Key(name, table, kind, help, flag or "--" + name.replace("_", "-"), example, remembered)


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        _k("name", "paper", str, "The paper's name, read in the intro.", "--paper", '"衡阳日报"', remembered=False),
        _k(
            "title",
            "paper",
            str,
            "The show's title in podcast apps (default: the paper's name).",
            "--show-title",
            '"衡阳日报有声版"',
        ),
        _k(
            "description",
            "paper",
            str,
            "What the show is, for directories and apps.",
            "",
            '"衡阳日报有声版：每天一期，逐篇朗读当天的新闻。"',
        ),
        _k("language", "paper", str, "Language code of the feeds.", "", '"zh-cn"'),
        _k("author", "paper", str, "itunes:author (default: the title).", "", '"衡阳日报社"'),
        _k("owner_name", "paper", str, "itunes:owner name.", "", '"衡阳日报社新媒体部"'),
        _k(
            "owner_email",
            "paper",
            str,
            "itunes:owner e-mail: Apple and Spotify send the ownership check here; podcast:locked names it.",
            "",
            '"podcast@example.org"',
        ),
        _k("category", "paper", str, "Apple Podcasts category.", "", '"News"'),
        _k("subcategory", "paper", str, 'Subcategory of that category ("" for none).', "", '"Daily News"'),
        _k("explicit", "paper", bool, "itunes:explicit.", "--explicit/--no-explicit", "false"),
        _k("copyright", "paper", str, "The feeds' copyright line.", "", '"© 衡阳日报社"'),
        _k(
            "locked",
            "paper",
            bool,
            "podcast:locked: other hosts may not import the feed (needs owner_email).",
            "--locked/--no-locked",
            "true",
        ),
        _k("feed_limit", "paper", int, "Most items per feed, newest first (0: no limit).", "", str(DEFAULT_FEED_LIMIT)),
        _k(
            "artwork",
            "paper",
            Path,
            "The show's square PNG or JPEG, 1400-3000 px, relative to this file (default: drawn).",
            "--cover",
            '"cover.jpg"',
            remembered=False,
        ),
        _k("voice", "paper", str, "Voice preset or engine voice.", "", '"news-female"', remembered=False),
        _k("engine", "paper", str, "auto, or an engine from `audiopaper voices`.", "", '"auto"', remembered=False),
        _k(
            "bitrate",
            "paper",
            int,
            f"MP3 bitrate in kb/s, mono: one of {', '.join(map(str, BITRATES))}.",
            "",
            str(DEFAULT_BITRATE),
            remembered=False,
        ),
        _k("base_url", "site", str, "Public URL of the output folder.", "", '"https://example.org/paper/"'),
        _k(
            "moved_to",
            "site",
            str,
            "After moving the feeds: the new base URL, announced with itunes:new-feed-url.",
            "",
            '"https://new.example.org/paper/"',
        ),
    )  # fmt: skip
}
#: what `audiopaper feed` and `check` read back from OUT's catalog
REMEMBERED = tuple(k for k, key in KEYS.items() if key.remembered)

Layer = dict[str, Any]  # key name → value; a key missing from a layer is not set there


# --- reading -------------------------------------------------------------------------


def _unknown(where: str, name: str, known: Iterable[str]) -> UsageError:
    close = difflib.get_close_matches(name, list(known), n=1)
    return UsageError(f"{where}: unknown setting {name!r}", f"did you mean {close[0]!r}?" if close else None)


def _typed(where: str, key: Key, value: Any, base_dir: Path | None) -> Any:
    if key.kind is bool:
        if not isinstance(value, bool):
            raise UsageError(f"{where}: {key.name} must be true or false, not {value!r}")
        return value
    if key.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise UsageError(f"{where}: {key.name} must be a whole number, not {value!r}")
        return value
    if not isinstance(value, str):
        raise UsageError(f"{where}: {key.name} must be a string, not {value!r}")
    if key.kind is Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() or base_dir is None else base_dir / path
    return value


def paper_layer(table: Mapping[str, Any], where: str, base_dir: Path | None = None) -> Layer:
    """The settings one paper's table states (typed, not yet checked against each other)."""
    layer: Layer = {}
    paper_keys = [k for k, key in KEYS.items() if key.table == "paper"]
    for name, value in table.items():
        key = KEYS.get(name)
        if key is None or key.table != "paper":
            raise _unknown(f"{where} [paper]", name, paper_keys)
        layer[name] = _typed(f"{where} [paper]", key, value, base_dir)
    return layer


def site_layer(table: Mapping[str, Any], where: str) -> Layer:
    layer: Layer = {}
    site_keys = [k for k, key in KEYS.items() if key.table == "site"]
    for name, value in table.items():
        key = KEYS.get(name)
        if key is None or key.table != "site":
            raise _unknown(f"{where} [site]", name, site_keys)
        layer[name] = _typed(f"{where} [site]", key, value, None)
    return layer


#: keys of a ``[[papers]]`` table that are no publisher setting: where the paper's issues
#: are, and the folder its feed lives in (``OUT/<slug>/``); read by ``batch``
PAPERS_KEYS = ("sources", "slug")


@dataclass(frozen=True)
class PaperEntry:
    """One ``[[papers]]`` table of a settings file (a papers.toml): the paper's own
    settings (the same keys as ``[paper]``, over it), its sources and its folder."""

    name: str
    layer: Layer
    sources: tuple[str, ...] = ()  # as written; relative ones are relative to the file
    slug: str | None = None
    where: str = ""


@dataclass(frozen=True)
class PapersFile:
    """A settings file read whole: ``[paper]`` and ``[site]`` (for every paper), and its
    ``[[papers]]``."""

    path: Path
    layer: Layer
    papers: tuple[PaperEntry, ...] = ()

    def paper(self, name: str | None) -> PaperEntry | None:
        return next((p for p in self.papers if p.name == name), None) if name else None


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such settings file", "`audiopaper init` writes one") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the settings file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None


def _paper_entry(n: int, table: Any, path: Path) -> PaperEntry:
    where = f"{path} [[papers]] #{n}"
    if not isinstance(table, dict):
        raise UsageError(f"{where} must be a table of settings")
    own = {k: v for k, v in table.items() if k not in PAPERS_KEYS}
    layer = paper_layer(own, where, path.parent)
    name = _text(layer.get("name"))
    if name is None:
        raise UsageError(f"{where}: every paper needs its name", 'add name = "…日报"')
    sources = table.get("sources", [])
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(x, str) for x in sources):
        raise UsageError(f"{where}: sources must be a list of paths or globs")
    slug = table.get("slug")
    if slug is not None and not isinstance(slug, str):
        raise UsageError(f"{where}: slug must be a string")
    return PaperEntry(name, layer, tuple(sources), slug, f"{path} [[papers]] {name}")


def read_papers(path: Path) -> PapersFile:
    """Every setting ``path`` states, ``[[papers]]`` included; a one-line UsageError for
    anything wrong in it, found now rather than after minutes of synthesis."""
    data = _load_toml(path)
    layer: Layer = {}
    entries: list[PaperEntry] = []
    for table, content in data.items():
        if table not in ("paper", "site", "papers"):
            raise _unknown(str(path), table, ["paper", "site", "papers"])
        if table == "papers":
            if not isinstance(content, list):
                raise UsageError(
                    f"{path}: [papers] is not a table of settings",
                    "did you mean [paper]? Several papers are [[papers]] tables, one per paper",
                )
            entries += [_paper_entry(n, t, path) for n, t in enumerate(content, start=1)]
            continue
        if not isinstance(content, dict):
            raise UsageError(f"{path}: [{table}] must be a table of settings")
        if table == "paper":
            layer.update(paper_layer(content, str(path), path.parent))
        else:
            layer.update(site_layer(content, str(path)))
    resolve([layer], where=str(path))
    seen: set[str] = set()
    for entry in entries:
        if entry.name in seen:
            raise UsageError(f"{path}: the paper {entry.name} is named twice", "give each paper one [[papers]] table")
        seen.add(entry.name)
        resolve([entry.layer, layer], where=entry.where)
    return PapersFile(path, layer, tuple(entries))


def read_file(path: Path, paper: str | None = None) -> Layer:
    """Every setting ``path`` states for a run (of ``paper``: its ``[[papers]]`` table
    over ``[paper]``, when the file names it); a one-line UsageError for anything wrong."""
    found = read_papers(path)
    entry = found.paper(paper)
    return {**found.layer, **entry.layer} if entry is not None else found.layer


def find_config(explicit: Path | None = None, cwd: Path | None = None) -> Path | None:
    """``--config``, else ``audiopaper.toml`` in the working folder, else none."""
    if explicit is not None:
        return explicit
    found = (cwd or Path.cwd()) / CONFIG_NAME
    return found if found.is_file() else None


# --- resolving -----------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """Empty text means "none": it is how a file or a flag clears a remembered value."""
    text = str(value).strip() if value is not None else ""
    return text or None


def _check_show(show: Show, where: str) -> Show:
    category = next((c for c in APPLE_CATEGORIES if c.lower() == show.category.strip().lower()), None)
    if category is None:
        close = difflib.get_close_matches(show.category, list(APPLE_CATEGORIES), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "see Apple Podcasts' category list"
        raise UsageError(f"{where}: {show.category!r} is not an Apple Podcasts category", hint)
    subcategory = show.subcategory
    if subcategory is not None:
        allowed = APPLE_CATEGORIES[category]
        found = next((s for s in allowed if s.lower() == subcategory.strip().lower()), None)
        if found is None:
            choices = ", ".join(allowed) if allowed else "none"
            raise UsageError(f"{where}: {subcategory!r} is not a subcategory of {category}", f"choose from: {choices}")
        subcategory = found
    language = show.language.strip().lower()
    if not _LANGUAGE.match(language):
        raise UsageError(f"{where}: language {show.language!r} is not a language code", "like zh-cn or en")
    if show.owner_email is not None and not _EMAIL.match(show.owner_email):
        raise UsageError(f"{where}: owner_email {show.owner_email!r} is not an e-mail address")
    if show.feed_limit < 0:
        raise UsageError(f"{where}: feed_limit must be 0 (no limit) or more, not {show.feed_limit}")
    return replace(show, category=category, subcategory=subcategory, language=language)


def resolve(layers: Iterable[Layer], where: str = "settings") -> Settings:
    """Settings from ``layers``, the first that sets a key winning; checked."""
    merged: Layer = {}
    for layer in layers:
        for name, value in layer.items():
            merged.setdefault(name, value)
    from .publish.feed import normalize_base_url  # the one rule for public URLs

    def get(name: str, default: Any, convert: Callable[[Any], Any] = lambda v: v) -> Any:
        return convert(merged[name]) if name in merged and merged[name] is not None else default

    show = Show(
        title=get("title", None, _text),
        description=get("description", None, _text),
        language=get("language", Show.language, str),
        author=get("author", None, _text),
        owner_name=get("owner_name", None, _text),
        owner_email=get("owner_email", None, _text),
        category=get("category", Show.category, str),
        subcategory=get("subcategory", Show.subcategory, _text),
        explicit=get("explicit", False, bool),
        copyright=get("copyright", None, _text),
        locked=get("locked", True, bool),
        feed_limit=get("feed_limit", DEFAULT_FEED_LIMIT, int),
    )
    bitrate = get("bitrate", DEFAULT_BITRATE, int)
    if bitrate not in BITRATES:
        raise UsageError(
            f"{where}: bitrate {bitrate} kb/s is not an MP3 bitrate for mono speech",
            f"choose from {', '.join(map(str, BITRATES))}",
        )
    artwork = get("artwork", None)
    paper = PaperSettings(
        name=get("name", None, _text),
        show=_check_show(show, where),
        artwork=Path(artwork) if artwork is not None and str(artwork).strip() else None,
        voice=get("voice", None, _text),
        engine=get("engine", "auto", lambda v: _text(v) or "auto"),
        bitrate=bitrate,
    )

    def url(name: str) -> str | None:
        value = get(name, None, _text)
        try:
            return normalize_base_url(value) if value else None
        except UsageError as exc:
            # the reason as normalize_base_url words it, said of this setting
            reason = exc.message.replace("--base-url ", "", 1)
            raise UsageError(f"{where}: {name} {reason}", exc.hint) from None

    site = SiteSettings(base_url=url("base_url"), moved_to=url("moved_to"))
    return Settings(paper, site)


def remembered_layer(settings: Settings) -> Layer:
    """What OUT's catalog keeps of ``settings`` for later runs (the publishing keys)."""
    show, site = settings.paper.show, settings.site
    values: Layer = {
        **{name: getattr(show, name) for name in REMEMBERED if hasattr(show, name)},
        "base_url": site.base_url,
        "moved_to": site.moved_to,
    }
    # None is stored as "" so that it overrides an older run's value when read back.
    return {k: ("" if v is None else v) for k, v in values.items() if k in REMEMBERED}


@dataclass(frozen=True)
class Request:
    """What a run asks for, before any output folder's memory: its flags, then its
    settings file (the first that states a key wins)."""

    layers: tuple[Layer, ...] = ()
    source: Path | None = None

    @property
    def where(self) -> str:
        return str(self.source) if self.source else "settings"


def request(
    flags: Mapping[str, Any], config: Path | None = None, cwd: Path | None = None, paper: str | None = None
) -> Request:
    """The flags given (None: not given) and the settings file (``--config``, else
    audiopaper.toml in the working folder), checked now."""
    path = find_config(config, cwd)
    flag_layer = {k: v for k, v in flags.items() if v is not None}
    unknown = set(flag_layer) - set(KEYS)
    if unknown:
        raise _unknown("flags", sorted(unknown)[0], KEYS)
    named = paper if paper is not None else _text(flag_layer.get("name"))
    file_layer = read_file(path, named) if path is not None else {}
    return Request((flag_layer, file_layer), path)


def for_out(out: Path, flags: Mapping[str, Any], config: Path | None = None, cwd: Path | None = None) -> Settings:
    """The settings of a run into ``out``: flags, then the settings file, then what
    ``out``'s catalog remembers, then the defaults."""
    from .publish import remembered

    asked = request(flags, config, cwd)
    resolved = resolve([*asked.layers, remembered(out)], where=asked.where)
    return replace(resolved, source=asked.source)


# --- audiopaper init -----------------------------------------------------------------


def template() -> str:
    """A commented ``audiopaper.toml`` naming every key, with an example value."""
    lines = [
        "# audiopaper.toml: publisher settings, read from the working folder (or --config FILE).",
        "# Every key is optional and has a command-line flag of the same name that wins over it;",
        "# a key left out keeps what the output folder's catalog remembers, else the default.",
        '# "" clears a remembered value. Fill in at least title, owner_email and base_url before',
        "# publishing: podcast directories verify ownership by the owner's e-mail.",
        "",
    ]
    for table, heading in (
        ("paper", "# The paper and its show (with [[papers]] tables, the keys every paper shares)."),
        ("site", "# Where the output folder is published."),
    ):
        lines += [heading, f"[{table}]"]
        for key in KEYS.values():
            if key.table != table:
                continue
            flag = key.flag.split("/")[0]
            lines += [f"# {key.help} Flag: {flag}.", f"# {key.name} = {key.example}", ""]
    lines += [
        "# Several papers in one output folder (`audiopaper batch`): one [[papers]] table per",
        "# paper, with its name, its issues (sources: folders by date, dated files, list files,",
        "# globs; relative to this file), its folder in the output (slug; default: the pinyin",
        "# of its name) and any [paper] key of its own, over the ones above.",
        "#   [[papers]]",
        '#   name = "衡阳日报"',
        '#   sources = ["archive/hengyang"]',
        '#   slug = "hengyang"',
        '#   voice = "news-female"',
    ]
    return "\n".join(lines).rstrip() + "\n"


def write_template(path: Path, force: bool = False) -> Path:
    from .fsutil import write_text

    if path.exists() and not force:
        raise UsageError(f"{path} already exists", "edit it, or pass --force to write a fresh one")
    write_text(path, template())
    return path
