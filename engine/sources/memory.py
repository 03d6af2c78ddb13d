"""The user memory as a source: words and word pairs the user committed (memory.py
holds the counts; this file only asks it)."""

from __future__ import annotations

import math

from ..memory import UserMemory
from . import Query


class MemorySource:
    """``proposals``: how many learned words of the prefix are added (strongest first).
    ``pack``: the language typed (its letter folding: a German "schoe" finds the learned
    "schön", and "scho" already does); None: the prefix as typed."""

    name = "memory"

    def __init__(self, memory: UserMemory, proposals: int = 8, pair_share: float = 0.7, pack=None):
        self.memory, self.proposals, self.pair_share = memory, proposals, pair_share
        self.spellings = None if pack is None or not pack.fold_letters else pack.prefix_spellings

    @property
    def active(self) -> bool:
        return self.memory.active

    def logprob(self, word: str, query: Query, pos=None) -> float:
        """log p_memory(word | previous word): the pair estimate mixed with the word's own."""
        p = self.memory.prob(word, query.prev, self.pair_share)
        return math.log(p) if p > 0 else -math.inf

    def propose(self, query: Query, pos=None) -> list[str]:
        if self.spellings is None:
            return self.memory.candidates(query.typed, self.proposals)
        found = {}
        for prefix in self.spellings(query.typed):
            found.update(dict.fromkeys(self.memory.candidates(prefix, self.proposals)))
        return list(found)
