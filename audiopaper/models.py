"""Typed data passed between the pipeline stages.

Every stage takes and returns these frozen dataclasses; nothing downstream relies on
dicts with magic keys. Durations are float seconds named ``*_s``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # only annotations name it: commands that never touch audio need not load numpy
    import numpy as np

# --- ingest -------------------------------------------------------------------------

BlockKind = Literal["heading", "paragraph", "list_item", "break"]


@dataclass(frozen=True)
class Block:
    """One block of an issue's text, in page order, with markup removed.

    ``level`` is the heading level (1–6) for headings, 0 otherwise. ``strong`` marks a
    paragraph that was entirely bold in the source (a sub-headline in HTML pages).
    ``hard_breaks`` records that the paragraph was made of lines joined by hard line
    breaks (a signature block, for example). Plain text keeps its layout cues:
    ``indent`` (the line was indented) and ``gap_before`` (a blank line above it).
    """

    kind: BlockKind
    text: str
    level: int = 0
    source: str = ""
    line: int = 0
    strong: bool = False
    lines: tuple[str, ...] = ()
    indent: bool = False
    gap_before: bool = False


#: Where an issue's paper name or date was read, in ``ingest.identity``'s order of trust
#: (``option``: given by the user; ``story_date``: no issue date was printed, so the
#: edition took the latest date its stories mention; ``today``: not even that).
Cue = Literal["option", "masthead", "source_line", "dateline", "html", "file_name", "story_date", "today"]


@dataclass(frozen=True)
class Clue:
    """Where an issue's paper name or date came from: the kind of line, the file and line
    (``issue.md:3``, ``page-01.html <title>``) and the text as printed there."""

    cue: Cue
    text: str
    where: str = ""


@dataclass(frozen=True)
class Issue:
    """The text of one newspaper issue, possibly read from several page files.

    ``paper`` and ``date`` are the issue's own, as its input prints them (None: not
    printed, or the clues disagree); ``paper_from`` and ``date_from`` say where.
    """

    sources: tuple[Path, ...]
    blocks: tuple[Block, ...]
    paper: str | None = None
    date: dt.date | None = None
    warnings: tuple[str, ...] = ()
    paper_from: Clue | None = None
    date_from: Clue | None = None


# --- split --------------------------------------------------------------------------

ArticleKind = Literal["article", "continuation", "photo", "notice", "brief", "contents"]
ParagraphRole = Literal["body", "heading", "list_item", "signature"]
RepairKind = Literal["join", "reattach", "remove", "merge"]


@dataclass(frozen=True)
class Paragraph:
    text: str
    role: ParagraphRole = "body"


@dataclass(frozen=True)
class Repair:
    """A change the splitter made to the page text, reported for an editor to review."""

    kind: RepairKind
    article: int
    detail: str


@dataclass(frozen=True)
class Article:
    index: int
    kind: ArticleKind
    title: str
    paragraphs: tuple[Paragraph, ...]
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    dateline: str | None = None
    credit: str | None = None

    @property
    def chars(self) -> int:
        return len(self.title) + sum(len(p.text) for p in self.paragraphs)


LineLabel = Literal[
    "headline", "kicker", "subtitle", "byline", "body", "section", "heading", "caption", "chrome", "marker"
]


@dataclass(frozen=True)
class LineNote:
    """Why the splitter read one block of the page as it did (``split --explain``)."""

    source: str
    line: int
    text: str
    label: LineLabel
    why: str


@dataclass(frozen=True)
class SplitResult:
    issue: Issue
    articles: tuple[Article, ...]
    repairs: tuple[Repair, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[LineNote, ...] = ()


# --- speech -------------------------------------------------------------------------

SentenceRole = Literal["title", "subtitle", "kicker", "byline", "heading", "body", "signature", "intro"]


#: How a voice wants the text spelled; each engine declares one, and the speech stage
#: makes one Reading per spelling in use:
#:
#: - ``spelled``: Latin letters written as the characters Mandarin readers use for letter
#:   names (G → 吉), with one pinyin syllable per character, lexicon applied: for a voice
#:   driven by phonemes, which reads exactly that pinyin;
#: - ``respelled``: Latin kept, the lexicon's homophone respellings substituted: for a voice
#:   that reads letters itself and takes no phoneme markup;
#: - ``plain``: the normalized text as it is.
Spelling = Literal["spelled", "respelled", "plain"]
SPELLINGS: tuple[Spelling, ...] = ("spelled", "respelled", "plain")


@dataclass(frozen=True)
class Reading:
    """A sentence in one spelling: the text a voice is sent and, where asked for (always
    for ``spelled``), one pinyin entry per character of that text; for ``spelled`` also
    the lengths of the segmenter's words, in order (they sum to the text's length), so a
    voice that groups syllables by word needs no segmenter of its own."""

    spelling: Spelling
    text: str
    pinyin: tuple[str, ...] | None = None
    words: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Sentence:
    """One unit of speech.

    ``text`` is exactly what is read (no digits, no markup); ``source`` is the page text
    it came from, for transcripts. ``pinyin`` is the ``spelled`` reading's pinyin (one
    entry per character of that reading's text): tone syllables for Han characters, the
    character itself otherwise.
    """

    role: SentenceRole
    text: str
    source: str
    pause_s: float = 0.3
    pinyin: tuple[str, ...] | None = None
    #: the sentence in each spelling the speech stage was asked for; ``text`` keeps the
    #: Latin as printed
    readings: tuple[Reading, ...] = ()

    def reading(self, spelling: Spelling) -> Reading | None:
        return next((r for r in self.readings if r.spelling == spelling), None)


@dataclass(frozen=True)
class Script:
    """What one article will be read as."""

    article: Article
    sentences: tuple[Sentence, ...]

    @property
    def title(self) -> str:
        return self.article.title


# --- synth --------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """A resolved voice: which engine voice to use and how fast to read."""

    preset: str
    engine: str
    name: str
    speed: float = 1.0
    pitch: str = "+0Hz"
    #: edge's prosody rate ("+0%"); offline engines use ``speed``
    rate: str = "+0%"


@dataclass(frozen=True)
class Synthesis:
    """Audio for a chunk of sentences.

    ``pcm`` is int16 mono at ``sample_rate``; ``spans`` holds (start_s, end_s) per input
    sentence, in order. ``engine_s`` is the time spent inside inference or network calls.
    """

    pcm: np.ndarray = field(repr=False)  # int16, mono
    sample_rate: int
    spans: tuple[tuple[float, float], ...]
    engine_s: float


@dataclass(frozen=True)
class Span:
    """Where one sentence sits in a clip, in seconds from the clip's start."""

    start_s: float
    end_s: float
    text: str
    role: SentenceRole = "body"


@dataclass(frozen=True)
class PcmFile:
    """Int16 mono PCM (raw, little-endian) kept in a file until the audio stage reads
    it: a long issue's audio (hours, at ~2.6 MB a minute) must not sit in memory at once."""

    path: Path
    samples: int

    def __len__(self) -> int:
        return self.samples

    def load(self) -> np.ndarray:
        import numpy as np  # here, not at the top: start-up of commands without audio stays light

        pcm = np.fromfile(self.path, dtype="<i2")
        if len(pcm) != self.samples:
            raise OSError(f"{self.path}: {len(pcm)} samples, {self.samples} were written")
        return pcm.astype(np.int16, copy=False)


@dataclass(frozen=True)
class Clip:
    """Synthesized audio for one article (or the intro): mono PCM, in memory or in a
    file (``audio()`` reads it either way), plus sentence timings."""

    pcm: np.ndarray | PcmFile = field(repr=False)  # int16, mono
    sample_rate: int
    spans: tuple[Span, ...]
    engine: str
    voice: str
    fallback: bool = False

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / self.sample_rate

    def audio(self) -> np.ndarray:
        """The PCM, read from its file (each time: the caller decides how long to hold it)."""
        return self.pcm.load() if isinstance(self.pcm, PcmFile) else self.pcm


# --- audio / publish ----------------------------------------------------------------


@dataclass(frozen=True)
class ArticleAudio:
    index: int
    id: str
    kind: str
    title: str
    mp3: Path
    vtt: Path
    duration_s: float
    start_s: float
    chars: int
    engine: str
    fallback: bool = False
    spans: tuple[Span, ...] = ()
    srt: Path | None = None
    lufs: float | None = None  # integrated loudness of the encoded file (our BS.1770 meter)
    true_peak_db: float | None = None


@dataclass(frozen=True)
class Chapter:
    """One chapter of the edition: the intro or an article (``article`` is its id)."""

    title: str
    start_s: float
    end_s: float
    article: str = ""


@dataclass(frozen=True)
class Loudness:
    """What ffmpeg's ebur128 filter measured on a file."""

    integrated_lufs: float
    true_peak_dbtp: float


@dataclass(frozen=True)
class LoudnessReport:
    """What the audio stage aimed for, and what the finished edition measures."""

    target_lufs: float
    max_true_peak_dbtp: float
    edition: Loudness
    #: the edition is within the targets
    ok: bool
    measured_with: str = "ffmpeg ebur128"


@dataclass(frozen=True)
class EngineDecision:
    """Why the edition was read by its engine, with which of the engine's voices, and
    which engine stood in for the articles it could not read."""

    reason: str
    decided_s: float
    engine_voice: str
    fallback: str | None = None


@dataclass(frozen=True)
class Edition:
    """A built edition and every file it is made of.

    ``paper`` is None when neither the input nor the user named the paper (the title is
    then neutral: the date and the lead headline); ``paper_from`` and ``date_from`` say
    where each was read. ``engine`` and ``voice`` (the preset) name what read it; the
    optional fields are unknown for an edition recorded from an older build's manifest.
    """

    date: dt.date
    paper: str | None
    title: str
    folder: Path
    mp3: Path
    duration_s: float
    engine: str
    voice: str
    articles: tuple[ArticleAudio, ...]
    intro_s: float = 0.0
    failed: tuple[str, ...] = ()
    vtt: Path | None = None
    srt: Path | None = None
    chapters: Path | None = None  # chapters.json
    cover: Path | None = None  # in OUT, shared by every edition
    loudness: LoudnessReport | None = None
    decision: EngineDecision | None = None
    paper_from: Clue | None = None
    date_from: Clue | None = None
    #: the engine that read the intro (None: it could not be read, the edition opens with
    #: silence), and whether that was the fallback engine
    intro_engine: str | None = None
    intro_fallback: bool = False


# --- progress -----------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A progress report from a long stage; the CLI decides how to show it."""

    stage: str
    done: int
    total: int
    message: str = ""
    audio_s: float = 0.0
    eta_s: float | None = None
    #: one item of a larger run (an issue of a batch): a bar of its own on a terminal,
    #: only its start and end in plain lines
    item: bool = False


ProgressFn = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    return None
