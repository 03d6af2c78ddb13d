"""The lexicon's prior as a source: the words the bundle may offer, by corpus frequency.

A rare real word the model spells poorly ("photosynthesis") still reaches the strip:
its prior is mixed into the model's score, and the most frequent words of the typed
prefix are proposed to fill slots the model's words leave empty (in the final pass
only, so they never cut the model's search short: pipeline.py).
"""

from __future__ import annotations

from ..lexicon import Lexicon
from . import Query


class LexiconPrior:
    """``proposals``: how many of the prefix's most frequent words are added."""

    name = "prior"

    def __init__(self, lexicon: Lexicon, proposals: int):
        self.lexicon, self.proposals = lexicon, proposals

    active = True

    def logprob(self, word: str, query: Query, pos=None) -> float | None:
        """log of the word's share of the lexicon's counts; None for a word outside the lexicon."""
        i = self.lexicon.index(word)
        return None if i is None else float(self.lexicon.logprior[i])

    def propose(self, query: Query, pos=None) -> list[str]:
        if not query.final or self.proposals <= 0:
            return []
        return [self.lexicon.forms[i] for i in self.lexicon.completions(query.folded, self.proposals)]
