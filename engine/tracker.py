"""The context tracker: text before the cursor -> what the model must have seen, and
the word being typed (presage's ContextTracker).

The context is the current sentence: the model was trained on sentences
closed by </s>, and the engine starts each sentence from the state after the
start token, so finishing a sentence costs nothing (the stack pops back to its
first snapshot, whose searches are kept) and no keystroke ever re-feeds a
window of earlier text. Where a sentence ends is the language pack's rule,
the one the training corpus was split by (engine/text.py: sentence_start):
"Dr. Sm" and "eggs, etc. an" stay in their sentence, "Hello. " starts one.
A plain sentence end followed by a lowercase word the corpus kept inside its
sentence ("late. he said"), so such a chunk is fed together with the word
after it as one unit ("late. he"): the same tokens, and no </s> between them.
E-mail and web addresses (text.ADDRESS) are not fed: the model never saw one
whole, so the word after "mail bob@example.com and" is predicted from "mail
... and", the sentence around the address.

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
the same tokens as encoding the whole window); state.unit_tokens follows a unit
with </s> when its last chunk is a plain sentence end, which with the context
scoped to the sentence happens exactly where the rule ends one (without that
scope, a benchmark option, the end after "etc." or at a line break is not fed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .lang import DEFAULT, LanguagePack
from .text import ADDRESS, clean, ends_sentence, leads_abbreviation, partial_word, sentence_gaps, sentence_start


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


def window_start(text: str, cfg: WindowConfig, pack: LanguagePack = DEFAULT) -> int:
    return _window_starts(text, cfg, pack)[0]


def _window_starts(text: str, cfg: WindowConfig, pack: LanguagePack) -> tuple[int, int | None]:
    """Where the window starts, and where it will start after its next move (None:
    not inside the committed text yet). It moves as words are committed, not while
    one is typed: a move then comes with the space that ends a word, whose keystroke
    starts a new search anyway."""
    n = len(text) - len(partial_word(text, pack))
    blocks = (n - cfg.window_chars) // cfg.block_chars + 1 if n > cfg.window_chars else 0
    following = _block_start(text, blocks + 1, cfg, n)
    return _block_start(text, blocks, cfg, n), (following if following < n else None)


def _block_start(text: str, blocks: int, cfg: WindowConfig, limit: int) -> int:
    """The start of block ``blocks``, moved on to the next space so that no chunk is cut in
    two, but never past ``limit`` (where the word being typed begins): a chunk longer than the
    window ("((((…wo", a pasted hash before a word) is cut rather than the typed word lost."""
    pos = blocks * cfg.block_chars
    while 0 < pos < limit and not text[pos].isspace():
        pos += 1
    return min(pos, limit)


def parse(text: str, cfg: WindowConfig = WindowConfig(), keep_whole: Callable[[str], bool] | None = None,
          pack: LanguagePack = DEFAULT) -> Context:
    """``keep_whole(folded partial word)``: whether a hyphenated word being typed is
    completed whole (some known word begins with it) rather than part by part; None:
    always whole. ``pack``: the bundle's language."""
    start, following = _window_starts(text, cfg, pack)
    window = clean(text[start:], pack)
    units, partial, needs_space, stem, sentence_start_ = _committed(window, cfg, pack, keep_whole)
    return Context(tuple(units), partial, needs_space, sentence_start_,
                   _ahead(text, cfg, following, units, pack), stem)


def _ahead(text: str, cfg: WindowConfig, start: int | None, units: list[str], pack: LanguagePack) -> tuple[str, ...]:
    """The committed units of the window once it starts at ``start`` (its next move), when
    that move will change them (the sentence, or the text without sentence scope, began before it)."""
    if len(text) <= cfg.window_chars - cfg.block_chars or start is None \
            or (cfg.sentence_scope and sentence_start(text[start:], pack) > 0):
        return ()  # the current sentence begins after the next window start: the move changes nothing
    ahead = _committed(clean(text[start:], pack), cfg, pack)[0]
    return tuple(ahead) if ahead != units else ()


def _committed(window: str, cfg: WindowConfig, pack: LanguagePack, keep_whole: Callable[[str], bool] | None = None
               ) -> tuple[list[str], str, bool, str, bool]:
    """(the committed units, the word being typed, whether it opens a new chunk,
    the stem of a hyphenated word being typed, whether the next word starts a sentence)."""
    gaps = sentence_gaps(window, pack, from_last_break=cfg.sentence_scope)
    begin = max((b for _, b, _, broke in gaps if broke), default=0)  # where the sentence being typed begins
    first = begin if cfg.sentence_scope else 0
    chunks = window[first:].split()
    cut = len(window)  # the committed text ends here
    partial, needs_space, stem, head = "", True, "", ""
    if chunks and not window[-1].isspace():  # the last chunk is being typed
        last = chunks[-1]
        m = pack.partial_re.search(last)
        if m is not None:  # (else it ends in punctuation, "hello,": committed; the next word follows a space)
            chunks.pop()
            cut -= len(last)
            partial = m.group(0)
            # A hyphenated word no known word begins with is predicted one part at a
            # time ("role-pl": "pl" after "role-"), so "role-playing" needs no entry of
            # its own; "well-kn" stays whole while the lexicon has "well-known".
            if "-" in partial and keep_whole is not None and not keep_whole(pack.fold(partial)):
                cut_at = partial.rfind("-") + 1
                stem, partial = partial[:cut_at], partial[cut_at:]
            head = last[: m.start()] + stem  # "(wor", "role-pl": the word continues the chunk without a space
            needs_space = not head
    in_sentence = chunks if first == begin else window[begin:cut].split()
    sentence_start_ = needs_space and (not in_sentence or ends_sentence(in_sentence[-1], pack,
                                                                        " ".join(in_sentence[-4:-1])))
    # A plain sentence end that the next (committed) chunk continues ("late." before
    # "he") is joined to it: one unit, so no </s> between them; so is the leading part of
    # an abbreviation of several parts ("d." before "h.", German), whose last part ends no
    # sentence only after it.
    joins = [len(window[first:a].split()) - 1 for a, _, chunk, broke in gaps
             if a >= first and not broke and (ends_sentence(chunk, pack) or leads_abbreviation(chunk, pack))]
    for k in reversed(joins):
        if k + 1 < len(chunks):  # (a leading part just committed waits for its next part)
            chunks[k:k + 2] = [chunks[k] + " " + chunks[k + 1]]
    if any("@" in c or "/" in c or "." in c for c in chunks):  # (a cheap test first: most chunks are words)
        chunks = [u for u in (" ".join(c for c in unit.split(" ") if ADDRESS.fullmatch(c) is None) for unit in chunks)
                  if u]
    if head:
        chunks.append(head)
    return chunks, partial, needs_space, stem, sentence_start_
