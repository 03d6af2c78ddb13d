"""Candidate sources: each proposes words for the word being typed and gives its
probability for any word, and the combiner (combiner.py) mixes them.

One keystroke, one direction (docs/architecture.md):

    tracker.parse(text)          -> Context      (tracker.py: the text's units, the word typed)
    Query.of(context, n, ...)    -> Query        (what every source is asked)
    sources                      -> proposals    (model.py: the GRU decoder; prior.py: the
                                                  lexicon's prior; memory.py: the user memory;
                                                  corrections.py: words a slip may have meant)
    combiner.merge(...)          -> scored words (linear interpolation, weights from the settings)
    selector.pick(...)           -> the strip    (casing, one form per word, blocklist, ...)

A source is one file implementing ``Source``. The model source is the base of the
mix (its search finds words and their log-probabilities); every other source is
mixed in by ``Combiner`` in the order of the settings, with its weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..position import Position


@dataclass(frozen=True)
class Query:
    """What the sources are asked at one keystroke (after the tracker).

    ``typed``: the word being typed as typed ('' right after a space); ``folded``:
    the language pack's fold of it (lowercase, one apostrophe); ``prev``: the
    previous word of the sentence (None at its start); ``needs_space``: the word
    opens a new chunk (False after "(" or a hyphenated word's stem); ``sentence_start``:
    the word starts a sentence; ``n``: slots in the strip; ``apostrophe``: the one the
    user types; ``stem``: a hyphenated word's parts typed before (``"role-"``), which
    the strip puts back in front; ``final``: False while the prefix chain (pipeline.py)
    is still looking for ``n`` words from the shortest prefixes: a proposal made then
    can end the model's search early, so a source whose words should only fill slots
    the model leaves empty (the lexicon's prior) proposes nothing until ``final``;
    ``context``: the last words of the sentence before the one typed, at most two (a
    phrase source's history; ``prev`` is its last); ``history``: the words of the whole
    field before the one typed, oldest first, at most recency.HISTORY_WORDS (the recency
    source's cache; the same tuple object while no word is committed; built only when a
    source has ``needs_history = True``, else empty)."""

    typed: str
    folded: str
    prev: str | None
    needs_space: bool
    sentence_start: bool
    n: int
    apostrophe: str = "'"
    stem: str = ""
    final: bool = True
    context: tuple[str, ...] = ()  # the sentence's last words before the one typed (at most 2), oldest first
    history: tuple[str, ...] = ()  # the field's words before the one typed (at most 200), oldest first


@runtime_checkable
class Source(Protocol):
    """A source of candidate words mixed into the model's (see combiner.py).

    ``name``: the key of its weight in ``EngineSettings.weights``.
    ``active``: False when it cannot change any score (an empty user memory): the
    combiner then skips it, which leaves the other scores exactly as they were.
    ``logprob(word, query, pos)``: natural-log probability of ``word`` as the next
    word (-inf when the source gives it none: its score is then scaled by 1 - weight),
    or None when the source has no opinion about the word (the lexicon's prior for a
    word outside the lexicon): the word then keeps its score unmixed.
    ``propose(query, pos)``: words (in the source's spelling) this source adds for the
    typed prefix, best first, at most a handful (they are scored and shaped on every
    keystroke); the combiner scores them like the others and drops those whose
    logprob is None or -inf. A source proposes only whole words the engine may offer
    (a lexicon's, the user's, a contact's name): the selector drops what cannot be
    shown (spaces, control characters), blocked words and words that do not start
    with what was typed, but it does not check a dictionary.
    ``pos`` (position.Position): what was computed below the current model state
    (the model source's node cache); other sources ignore it."""

    name: str

    @property
    def active(self) -> bool: ...

    def logprob(self, word: str, query: Query, pos: "Position") -> float | None: ...

    def propose(self, query: Query, pos: "Position") -> list[str]: ...
