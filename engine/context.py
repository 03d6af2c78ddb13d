"""Text before the cursor -> what the model must have seen, and the word being typed.

The context is the current sentence: the model was trained on sentences
closed by </s>, and the engine starts each sentence from the state after the
start token, so finishing a sentence costs nothing (the stack pops back to its
first snapshot, whose searches are kept) and no keystroke ever re-feeds a
window of earlier text. A sentence ends at a chunk closed by . ! ? … (with
closing quotes or brackets) or at a line break.

Inside one very long sentence (a paste without punctuation) the context is a
bounded window of its tail, so a keystroke costs the same after 5 words or
after 1 MB. The window starts at a position that only moves every ``block``
characters (then at the next word start). Both rules make the context a pure
function of the text: an engine fed keystroke by keystroke and a fresh engine
given the same text see the same words. Where the window will move, ``ahead``
holds the units it will then start with, so that the state stack can feed
them a few steps per keystroke beforehand (state.py) and the move itself
re-feeds nothing; it changes the cost of a keystroke, never its answer. Units are whitespace chunks
(SentencePiece segments each chunk on its own, so feeding unit by unit gives
the same tokens as encoding the whole window).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .lexicon import fold
from .text import AT_SENTENCE_START, PARTIAL, SENTENCE_BREAK, clean, partial_word


@dataclass(frozen=True)
class Context:
    units: tuple[str, ...]  # committed chunks fed to the model, oldest first
    partial: str  # the word being typed ('' right after a space or punctuation)
    needs_space: bool  # the word being typed opens a new chunk (its first piece has '▁')
    sentence_start: bool  # the next word starts a sentence (capitalize it)
    ahead: tuple[str, ...] = ()  # the committed units the window will start with after its next move
    stem: str = ""  # the word's parts before its last hyphen ("role-" in "role-pl"), fed as context


@dataclass(frozen=True)
class WindowConfig:
    window_chars: int = 480
    block_chars: int = 160
    sentence_scope: bool = True  # the context starts at the current sentence (bench/engine_bench.py measured it)


def window_start(text: str, cfg: WindowConfig) -> int:
    return _window_starts(text, cfg)[0]


def _window_starts(text: str, cfg: WindowConfig) -> tuple[int, int | None]:
    """Where the window starts, and where it will start after its next move (None:
    not inside the committed text yet). It moves as words are committed, not while
    one is typed: a move then comes with the space that ends a word, whose keystroke
    starts a new search anyway."""
    n = len(text) - len(partial_word(text))
    blocks = (n - cfg.window_chars) // cfg.block_chars + 1 if n > cfg.window_chars else 0
    following = _block_start(text, blocks + 1, cfg)
    return _block_start(text, blocks, cfg), (following if following < n else None)


def _block_start(text: str, blocks: int, cfg: WindowConfig) -> int:
    pos = blocks * cfg.block_chars
    # Begin at the next word so that no chunk is cut in two.
    while 0 < pos < len(text) and not text[pos].isspace():
        pos += 1
    return min(pos, len(text))


def parse(text: str, cfg: WindowConfig = WindowConfig(), keep_whole: Callable[[str], bool] | None = None) -> Context:
    """``keep_whole(folded partial word)``: whether a hyphenated word being typed is
    completed whole (some known word begins with it) rather than part by part; None:
    always whole."""
    start, following = _window_starts(text, cfg)
    window = clean(text[start:])
    chunks, partial, needs_space, stem = _committed(window, cfg, keep_whole)
    committed = window[: len(window) - len(stem) - len(partial)]
    sentence_start = bool(AT_SENTENCE_START.search(committed)) or committed.endswith("\n")
    if not needs_space:
        sentence_start = False
    return Context(tuple(chunks), partial, needs_space, sentence_start, _ahead(text, cfg, following, chunks), stem)


def _ahead(text: str, cfg: WindowConfig, start: int | None, units: list[str]) -> tuple[str, ...]:
    """The committed units of the window once it starts at ``start`` (its next move), when
    that move will change them (the sentence, or the text without sentence scope, began before it)."""
    if len(text) <= cfg.window_chars - cfg.block_chars or start is None \
            or (cfg.sentence_scope and SENTENCE_BREAK.search(text, start)):
        return ()  # the current sentence begins after the next window start: the move changes nothing
    ahead = _committed(clean(text[start:]), cfg)[0]
    return tuple(ahead) if ahead != units else ()


def _committed(window: str, cfg: WindowConfig, keep_whole: Callable[[str], bool] | None = None
               ) -> tuple[list[str], str, bool, str]:
    """(the committed chunks, the word being typed, whether it opens a new chunk,
    the stem of a hyphenated word being typed)."""
    chunks = _sentence_chunks(window) if cfg.sentence_scope else window.split()
    ends_with_space = not window or window[-1].isspace()
    partial, needs_space, stem = "", True, ""
    if chunks and not ends_with_space:
        last = chunks.pop()
        m = PARTIAL.search(last)
        if m is None:  # ends in punctuation ("hello,"): committed; the next word follows a space
            chunks.append(last)
        else:
            partial = m.group(0)
            # A hyphenated word no known word begins with is predicted one part at a
            # time ("role-pl": "pl" after "role-"), so "role-playing" needs no entry of
            # its own; "well-kn" stays whole while the lexicon has "well-known".
            if "-" in partial and keep_whole is not None and not keep_whole(fold(partial)):
                cut = partial.rfind("-") + 1
                stem, partial = partial[:cut], partial[cut:]
            head = last[: m.start()] + stem
            if head:  # "(wor", "role-pl": the word continues the chunk without a space
                chunks.append(head)
                needs_space = False
    return chunks, partial, needs_space, stem


def _sentence_chunks(window: str) -> list[str]:
    """The chunks of the window from the start of its last sentence on: after the
    last chunk that closes a sentence (. ! ? … with closing quotes or brackets)
    and is followed by more text, or after the last line break."""
    start = 0
    for m in SENTENCE_BREAK.finditer(window):
        start = m.end()
    return window[start:].split()
