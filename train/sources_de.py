"""German text from Debian's packages: the built-in sources of ``nextkey corpus --lang de``.

Each source is a Debian package (``apt-get install PACKAGE``; nothing is
downloaded at build time: the files are read where dpkg put them), with its
licence as its copyright file (/usr/share/doc/PACKAGE/copyright) states it and
its genre. Markup is cleaned the way train/corpus.py cleans the English
sources: only running text is kept.

- HTML (DocBook, Sphinx and LibreOffice's help pages): the text of paragraphs, list items and
  definitions, read with the standard library's ``html.parser``; code blocks
  (``pre``), tables, headings, tables of contents and navigation are dropped,
  inline code within a sentence is kept as text.
- Manual pages: rendered by groff (``groff -k -Kutf-8 -mandoc -Tutf8``, one
  line per paragraph, so no hyphenation), then only the paragraphs at the
  body's indent are kept: option lists and examples are indented deeper; the
  sections that are no prose (synopsis, see also, authors, the translation
  credits on every page) are dropped.
- fortune files: one entry per ``%``, its lines joined; attributions ("--
  Goethe") dropped.

Every paragraph is split into sentences by the German pack's rule
(engine/text.py), and a sentence is kept only when it reads as prose
(``is_prose``): manuals are full of commands, paths and option names.
docs/training.md gives each source's words after cleaning.
"""

from __future__ import annotations

import gzip
import logging
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

from nextkey.engine.lang import get_pack
from nextkey.engine.text import split_sentences

log = logging.getLogger(__name__)

LANGUAGE = "de"
PACK = get_pack(LANGUAGE)


class SourceMissing(RuntimeError):
    """A source's Debian package is not installed (the message names the apt-get command)."""


@dataclass(frozen=True)
class DebianSource:
    name: str  # what ``nextkey corpus --source`` calls it
    package: str  # the Debian package that holds it
    licence: str  # as /usr/share/doc/PACKAGE/copyright states it
    genre: str
    paths: tuple[str, ...]  # globs of the files read, under /
    kind: str  # "html", "man" or "fortune": how its files are read
    prose_only: bool = True  # keep only sentences that read as prose (is_prose)


SOURCES = {s.name: s for s in (
    DebianSource("debian-reference", "debian-reference-de", "GPL-2+",
                 "technical handbook: Debian system administration (translated)",
                 ("usr/share/debian-reference/*.de.html",), "html"),
    DebianSource("debian-faq", "debian-faq-de", "verbatim and modified copies permitted (SPI, 1996-2003)",
                 "questions and answers about Debian (translated)",
                 ("usr/share/doc/debian/FAQ/de/*.de.html",), "html"),
    DebianSource("developers-reference", "developers-reference-de", "GPL-2",
                 "guidelines for Debian developers (translated)",
                 ("usr/share/developers-reference/de/*.html",), "html"),
    DebianSource("maint-guide", "maint-guide-de", "GPL-2.0+",
                 "tutorial: making a Debian package (translated)",
                 ("usr/share/doc/maint-guide-de/html/*.de.html",), "html"),
    DebianSource("paketmanagement-buch", "debian-paketmanagement-buch", "CC-BY-SA-4.0",
                 "book written in German: Debian package management",
                 ("usr/share/doc/debian-paketmanagement-buch/*.html",), "html"),
    DebianSource("libreoffice-help", "libreoffice-help-de", "MPL-2.0 (some files Apache-2.0)",
                 "office help: documents, spreadsheets, presentations, Basic (translated)",
                 ("usr/share/libreoffice/help/de/text/**/*.html",), "html"),
    DebianSource("manpages", "manpages-de", "GPL-3+",
                 "manual pages: descriptions of commands and files (translated)",
                 ("usr/share/man/de/man*/*.gz",), "man"),
    DebianSource("fortunes", "fortunes-de", "GPL-2+",
                 "short everyday text: jokes, sayings, quotations, anecdotes, recipes",
                 ("usr/share/games/fortunes/de/*.u8",), "fortune", prose_only=False),
)}
DEFAULT_SOURCES = tuple(SOURCES)
DEFAULT_HOLDOUT = ("fortunes",)  # the held-out genre: short conversational text


def source_files(source: DebianSource, root: Path = Path("/")) -> list[Path]:
    """The files of ``source`` (sorted). Raises SourceMissing naming the package to install."""
    files = sorted(p for g in source.paths for p in root.glob(g) if p.is_file())
    if not files:
        raise SourceMissing(f"German source {source.name!r} needs the Debian package {source.package}: "
                            f"apt-get install {source.package} (no files at {', '.join(source.paths)})")
    return files


def source_lines(name: str, root: Path = Path("/")) -> Iterator[str]:
    """The sentences of one source, one per item. KeyError for an unknown name (the caller checks)."""
    source = SOURCES[name]
    files = source_files(source, root)
    if source.kind == "man":
        paragraphs = _man_paragraphs(files)
    else:
        read = {"html": _html_paragraphs, "fortune": _fortune_paragraphs}[source.kind]
        paragraphs = (p for f in files for p in read(f))
    for paragraph in paragraphs:
        for s in split_sentences(" ".join(paragraph.split()), PACK):
            if is_prose(s) if source.prose_only else is_line_of_text(s):
                yield s


# ---------------------------------------------------------------- what is kept

_CODE_CHARS = re.compile(r"[{}<>|\\$=#@_~^`*\[\]]")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*[.,;:!?…)\]\"'“”‘’«»]*")
_END = re.compile(r"[.!?…][\"')\]“‘”’«»]*$")


def is_prose(sentence: str) -> bool:
    """Whether a sentence of a manual reads as prose: at least 4 words, a capital, digit
    or quote first, a sentence ender last, no code characters ({ } < > | $ = # @ _ ...),
    and at least 80% of its tokens plain words (letters, perhaps with trailing
    punctuation): "Mit -l den Autor ausgeben." is not kept, nor "/etc/apt/sources.list"."""
    tokens = sentence.split()
    if len(tokens) < 4 or _CODE_CHARS.search(sentence) or not _END.search(sentence):
        return False
    first = sentence.lstrip(PACK.opening_quotes)[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    plain = sum(1 for t in tokens if _WORD.fullmatch(t.lstrip(PACK.opening_quotes)))
    return plain >= 0.8 * len(tokens)


def is_line_of_text(sentence: str) -> bool:
    """A looser test for short everyday text (fortunes): two words or more, mostly letters."""
    letters = sum(ch.isalpha() for ch in sentence)
    return len(sentence.split()) >= 2 and letters >= 0.6 * len(sentence.replace(" ", "")) \
        and not _CODE_CHARS.search(sentence)


# ---------------------------------------------------------------- HTML


class _TextBlocks(HTMLParser):
    """The running text of an HTML page, one string per block (paragraph, list item...)."""

    BLOCKS = frozenset("p li dd dt div td th tr br blockquote section body ul ol dl".split())
    SKIP = frozenset("pre table script style head title h1 h2 h3 h4 h5 h6 nav header footer aside noscript".split())
    SKIP_CLASSES = frozenset("toc navheader navfooter sphinxsidebar related footer titlepage "
                             "screen programlisting synopsis literallayout".split())

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._buf: list[str] = []
        self._skip: list[str] = []  # the open tags whose content is dropped

    def _flush(self):
        text = " ".join("".join(self._buf).split())
        if text:
            self.blocks.append(text)
        self._buf = []

    def handle_starttag(self, tag, attrs):
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.append(tag)  # nested same tag: count it, to close at the right end tag
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in self.SKIP or classes & self.SKIP_CLASSES:
            self._flush()
            self._skip.append(tag)
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._buf.append(data)

    def close(self):
        super().close()
        self._flush()


def html_paragraphs(html: str) -> list[str]:
    """The text blocks of an HTML page (code, tables, headings and navigation dropped)."""
    parser = _TextBlocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


def _html_paragraphs(path: Path) -> Iterator[str]:
    yield from html_paragraphs(path.read_text(encoding="utf-8", errors="replace"))


# ---------------------------------------------------------------- manual pages

# Sections that hold no prose (groff prints section headings at the left margin).
_MAN_SKIP = re.compile(r"BEZEICHNUNG|NAME|ÜBERSICHT|SYNOPSIS|SIEHE AUCH|AUTOR(EN)?|COPYRIGHT|"
                       r"FEHLER MELDEN|ÜBERSETZUNG|BEISPIELE?|DATEIEN|KOLOPHON|COLOPHON|"
                       r"UMGEBUNGSVARIABLEN|RÜCKGABEWERT|EXIT-STATUS|OPTIONEN", re.IGNORECASE)
_BODY_INDENT = 7  # groff's man macros indent a section's body by 7 columns at -Tutf8


def render_man(path: Path) -> str:
    """A manual page rendered as UTF-8 text, one line per paragraph. SourceMissing when groff
    is missing (apt-get install groff-base)."""
    if shutil.which("groff") is None:
        raise SourceMissing("rendering German manual pages needs groff: apt-get install groff-base")
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    proc = subprocess.run(["groff", "-k", "-Kutf-8", "-mandoc", "-Tutf8", "-rLL=5000n", "-P-cbou"],
                          input=raw, capture_output=True, timeout=60)
    return proc.stdout.decode("utf-8", errors="replace")


def man_paragraphs(rendered: str) -> Iterator[str]:
    """The prose paragraphs of a rendered page: lines at the body's indent, in sections other
    than _MAN_SKIP's, not starting with an option ("-a", "--all")."""
    skip = True
    for line in rendered.splitlines():
        if line[:1].isalpha():  # a section heading
            skip = bool(_MAN_SKIP.fullmatch(line.strip()))
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if not skip and indent == _BODY_INDENT and body and not body.startswith("-"):
            yield body


def _man_paragraphs(files: list[Path]) -> Iterator[str]:
    with ThreadPoolExecutor(max_workers=4) as pool:  # groff is one process a page
        for rendered in pool.map(render_man, files):
            yield from man_paragraphs(rendered)


# ---------------------------------------------------------------- fortunes

_ATTRIBUTION = re.compile(r"^\s*(--|—)")


def fortune_paragraphs(text: str) -> Iterator[str]:
    """The entries of a fortune file (separated by lines holding ``%``), each joined into one
    paragraph; attribution lines ("-- Goethe") and entries drawn as pictures dropped."""
    for entry in re.split(r"^%\s*$", text, flags=re.MULTILINE):
        lines = [ln.strip() for ln in entry.splitlines() if ln.strip() and not _ATTRIBUTION.match(ln)]
        if lines and sum(ch.isalpha() for ch in "".join(lines)) >= 0.5 * len("".join(lines)):
            yield " ".join(lines)


def _fortune_paragraphs(path: Path) -> Iterator[str]:
    yield from fortune_paragraphs(path.read_text(encoding="utf-8", errors="replace"))


def describe(name: str) -> dict[str, str]:
    """A source's package, licence and genre (for corpus.json and the docs)."""
    s = SOURCES[name]
    return {"package": s.package, "licence": s.licence, "genre": s.genre}

