"""The recency source: words already in the text being typed are likely to come again (a
cache language model: Kuhn and De Mori 1990, "A cache-based natural language model for
speech recognition"; presage's DefaultRecencyPredictor). A name, a rare term or a word the
lexicon lacks ("skrimshander", "Quillby") is offered from its first letters once it has been
typed in the same field, with nothing stored: the cache is the field's own text, read at each
keystroke, and forgotten with it.

    p_cache(w) = sum over w's earlier occurrences i of decay**(words since i) / Z

over the last ``HISTORY_WORDS`` words of the field before the one typed (``Query.history``),
the words the secrets rule allows (text.learnable: no numbers, codes, addresses, hashes), case
folded by the language pack (the last form typed is the one proposed). Mixed with the model
like every source (combiner.py); the weight and decay were chosen on the validation split
(bench/recency.py).
"""

from __future__ import annotations

import math
from typing import Callable

from ..lang import DEFAULT, LanguagePack
from ..text import learnable
from . import Query

HISTORY_WORDS = 200  # Query.history holds at most this many words


class RecencySource:
    """``proposals``: how many of the field's words that start with the typed prefix are added
    (most recent and frequent first); ``min_prefix``: letters typed before it proposes (0: also
    at a word's start); ``decay``: the weight of an occurrence per word since it (0 < decay <= 1);
    ``rank`` (a word's rank in the lexicon, None for a word it lacks) and ``min_rank``: the
    lexicon's ``min_rank`` most frequent words are left out of the cache ("the", "and" recur in
    every text: the model predicts them already, and a cache that boosts them crowds out better
    words; bench/recency.py measured it)."""

    name = "recency"
    active = True
    needs_history = True  # the session builds Query.history only for sources that say so

    def __init__(self, pack: LanguagePack = DEFAULT, proposals: int = 2, min_prefix: int = 1, decay: float = 0.99,
                 rank: Callable[[str], int | None] | None = None, min_rank: int = 0):
        if not 0 < decay <= 1:
            raise ValueError(f"decay must be in (0, 1], got {decay!r}")
        if min_rank and rank is None:
            raise ValueError("min_rank needs rank (the lexicon's Lexicon.index)")
        self.pack, self.proposals, self.min_prefix, self.decay = pack, proposals, min_prefix, decay
        self.rank, self.min_rank = rank, min_rank
        self._memo: tuple[tuple[str, ...], dict[str, tuple[float, str]], float] | None = None

    def _cache(self, history: tuple[str, ...]) -> tuple[dict[str, tuple[float, str]], float]:
        """folded word -> (weight, the form typed last), and the weights' sum (one memo: the
        history changes only when a word is committed)."""
        if self._memo is not None and self._memo[0] is history:
            return self._memo[1], self._memo[2]
        cache: dict[str, tuple[float, str]] = {}
        total, w = 0.0, 1.0
        is_common = self.pack.is_common_alnum
        for word in reversed(history[-HISTORY_WORDS:]):
            r = self.rank(word) if self.min_rank else None
            if learnable(word, is_common) and (r is None or r >= self.min_rank):
                key = self.pack.fold(word)
                old = cache.get(key)
                cache[key] = (w + (old[0] if old else 0.0), old[1] if old else word)
                total += w
            w *= self.decay
        self._memo = (history, cache, total)
        return cache, total

    def logprob(self, word: str, query: Query, pos=None) -> float | None:
        if not query.history:
            return None  # an empty field: no opinion
        cache, total = self._cache(query.history)
        if total <= 0:
            return None  # only frequent words (or none the secrets rule allows): no opinion
        hit = cache.get(self.pack.fold(word))
        if hit is None and self.min_rank:
            r = self.rank(word)
            if r is not None and r < self.min_rank:
                return None  # a frequent word: the cache has no opinion of it
        return math.log(hit[0] / total) if hit else -math.inf

    def propose(self, query: Query, pos=None) -> list[str]:
        if not query.history or len(query.folded) < self.min_prefix or self.proposals <= 0:
            return []
        cache, _ = self._cache(query.history)
        prefix = query.folded
        found = sorted(((wt, form) for key, (wt, form) in cache.items() if key.startswith(prefix)), reverse=True)
        return [form for _, form in found[: self.proposals]]
