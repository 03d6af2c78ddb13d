"""Which words the engine may offer: the lexicon's and the user's (learned) words.

Used by the tracker (is a hyphenated word completed whole or part by part?), the
selector's exact-word rule and ``Engine.knows``.
"""

from __future__ import annotations

from .lexicon import Lexicon
from .memory import UserMemory


class KnownWords:
    def __init__(self, lexicon: Lexicon | None, memory: UserMemory):
        """``lexicon`` None: every word counts as known (a bundle without a lexicon)."""
        self.lexicon, self.memory = lexicon, memory

    def known(self, word: str) -> bool:
        """In the lexicon or learned from the user."""
        return self.lexicon is None or word in self.lexicon or self.memory.prob(word, None) > 0

    def knows(self, word: str) -> bool:
        """Known, or made of known words joined by hyphens ("role-playing")."""
        if self.known(word):
            return True
        parts = word.split("-")
        return len(parts) > 1 and all(p and self.known(p) for p in parts)

    def keeps_whole(self, folded: str) -> bool:
        """Whether a hyphenated word being typed (folded) is completed whole: a known word
        begins with it, or a part before its last hyphen is no known word (then no whole
        word made from it would be one)."""
        lexicon = self.lexicon
        return lexicon is None or lexicon.has_prefix(folded) or bool(self.memory.candidates(folded, 1)) \
            or not all(p and self.known(p) for p in folded.split("-")[:-1])
