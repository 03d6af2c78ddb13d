"""Which words the engine may offer: the lexicon's and the user's (learned) words.

Used by the tracker (is a hyphenated word completed whole or part by part?), the
selector's exact-word rule and ``Engine.knows``.
"""

from __future__ import annotations

from .lexicon import Lexicon
from .memory import UserMemory


class KnownWords:
    def __init__(self, lexicon: Lexicon | None, memory: UserMemory, misspellings: frozenset[str] = frozenset(),
                 fold=str.lower, is_compound=None):
        """``lexicon`` None: every word counts as known (a bundle without a lexicon).
        ``misspellings``: folded spellings that are never words, though a lexicon may list
        them (the language pack's apostrophe-less contractions, "dont"); ``fold``: the pack's;
        ``is_compound(word)``: a closed compound of known words (sources/compounds.py), for a
        language that writes them as one word (None: none is known)."""
        self.lexicon, self.memory, self.misspellings, self.fold = lexicon, memory, misspellings, fold
        self.is_compound = is_compound

    def known(self, word: str) -> bool:
        """In the lexicon or learned from the user, and not a misspelling."""
        if self.fold(word) in self.misspellings:
            return False
        return self.lexicon is None or word in self.lexicon or self.memory.prob(word, None) > 0

    def knows(self, word: str) -> bool:
        """Known, or made of known words joined by hyphens ("role-playing"), or a closed
        compound of the language ("Passwortverwaltung")."""
        if self.known(word):
            return True
        parts = word.split("-")
        if len(parts) > 1:
            return all(p and (self.known(p) or (self.is_compound is not None and self.is_compound(p))) for p in parts)
        return self.is_compound is not None and self.is_compound(word)

    def keeps_whole(self, folded: str) -> bool:
        """Whether a hyphenated word being typed (folded) is completed whole: a known word
        begins with it, or a part before its last hyphen is no known word (then no whole
        word made from it would be one)."""
        lexicon = self.lexicon
        return lexicon is None or lexicon.has_prefix(folded) or bool(self.memory.candidates(folded, 1)) \
            or not all(p and self.known(p) for p in folded.split("-")[:-1])

    def compound_ok(self, stem: str, part: str, logp: float, common_rank: int, min_logp: float) -> bool:
        """Whether ``stem + part`` ("end-" + "user") may be offered as a hyphenated word built
        part by part: the compound is attested (the lexicon or the user's words have it
        whole), or both the stem's last part and ``part`` are among the lexicon's
        ``common_rank`` most frequent words and the mix gives ``part`` there a log-prob of at
        least ``min_logp``. Without a lexicon every compound may be offered."""
        lexicon = self.lexicon
        if lexicon is None or self.known(stem + part):
            return True
        if logp < min_logp:
            return False
        first = stem.rstrip("-").rsplit("-", 1)[-1]
        a, b = lexicon.index(first), lexicon.index(part)
        return a is not None and b is not None and a < common_rank and b < common_rank
