"""The GRU language model as a source: the base of the mix.

Its words come from the decoder's best-first search over subword pieces from
the current state (decoder.py); their scores are natural-log probabilities of
the whole word, boundary included. Searches are memoized per state and prefix
in the Position, so the keystrokes of one word reuse them.
"""

from __future__ import annotations

from typing import Callable

from ..decoder import WordDecoder
from . import Query


class ModelSource:
    name = "model"
    active = True

    def __init__(self, decoder: WordDecoder, encode: Callable[[str], list[int]], fold: Callable[[str], str]):
        self.decoder, self.encode, self.fold = decoder, encode, fold

    def search(self, pos, prefix: str, needs_space: bool, n: int) -> list[tuple[str, float]]:
        """The words the search finds for ``prefix`` from the position's state, best
        first, (lexicon spelling, log-prob); run once per (state, folded prefix)."""
        key = (self.fold(prefix), needs_space, n)
        found = pos.searches.get(key)
        if found is None:
            found = pos.searches[key] = self.decoder.search(pos.nodes, prefix, needs_space, n)
        return found

    def score(self, pos, word: str, max_pieces: int | None = None) -> float:
        """log p of ``word`` (its tokenizer segmentation) from the position's state; costs
        up to one model step per piece not yet computed. ``max_pieces``: how many of its
        pieces are scored (None: as far as the search reaches; a long compound needs all)."""
        return self.decoder.score_path(pos.nodes, self.encode(word), max_pieces)

    def logprob(self, word: str, query: Query, pos) -> float:
        return self.score(pos, word)

    def propose(self, query: Query, pos) -> list[str]:
        low = query.folded
        return [w for w, _ in self.search(pos, query.typed, query.needs_space, query.n)
                if self.fold(w).startswith(low)]
