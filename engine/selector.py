"""What the strip shows, from the combined words: the selector.

- each word shaped as the user types it (case, sentence start, "I", the user's
  apostrophe; form.py), forms that differ only in case or apostrophe shown once
  with their probabilities summed;
- only words that start with what was typed (corrections aside);
- no blocked word, unless the user typed it in full;
- after a hyphenated word's stem ("role-"), no word that never ends one;
- corrections (words a slip may have meant) join the strip by score, but a real
  word typed in full is never pushed out by one (the exact-word rule).
"""

from __future__ import annotations

from typing import Callable

from .form import merge, merge_corrections, shown_as
from .lang import LanguagePack
from .sources import Query


MAX_SHOWN = 4096  # shaped words kept per session (a keystroke shapes a few dozen)
_UNSEEN = object()


class Selector:
    """``pack``: the bundle's language (its fold, casing rules, apostrophes, and the
    words that never end a hyphenated word); ``is_blocked(word)``: the blocklist (the
    shipped list and the user's never-suggest entries)."""

    def __init__(self, pack: LanguagePack, is_blocked: Callable[[str], bool]):
        self.pack, self.fold, self.is_blocked = pack, pack.fold, is_blocked
        self.hyphen_edge = pack.hyphen_stop_words
        # How each word is shown, by (word, typed, sentence start, apostrophe): the prefix chain
        # shapes the same words several times per keystroke. Bounded; one selector per session.
        self._shown: dict[tuple[str, str, bool, str], str | None] = {}

    def _shown_as(self, word: str, typed: str, sentence_start: bool, apostrophe: str) -> str | None:
        key = (word, typed, sentence_start, apostrophe)
        shown = self._shown.get(key, _UNSEEN)
        if shown is _UNSEEN:
            if len(self._shown) >= MAX_SHOWN:
                self._shown = {}
            shown = self._shown[key] = shown_as(word, typed, sentence_start, apostrophe, self.pack)
        return shown

    def pick(self, scored: list[tuple[str, float]], q: Query) -> list[tuple[str, float]]:
        """The showable words of ``scored`` (best first, log-probs), one form each."""
        fold, typed = self.fold, q.typed
        return [(w, sc) for w, sc in merge(scored, typed, q.sentence_start, q.apostrophe, self.pack, self._shown_as)
                if (fold(w) == fold(typed) or not self.is_blocked(w))
                and not (q.stem and fold(w) in self.hyphen_edge)]

    def with_corrections(self, found: list[tuple[str, float, bool]], corrected: list[tuple[str, float]],
                         q: Query, typed_is_word: bool,
                         exact: Callable[[], tuple[str, float]]) -> list[tuple[str, float, bool]]:
        """Merge corrected words (word, log-prob) into the strip ``found`` ((word, log-prob,
        corrected) best first). ``typed_is_word``: whether the typed word is a known word;
        ``exact()``: that word as shown and its model score (computed only when needed)."""
        fold, low = self.fold, self.fold(q.typed)
        shown = {fold(w) for w, _, _ in found}
        extra = [(w, sc, True) for w, sc in merge_corrections(corrected, q.typed, q.sentence_start, q.apostrophe, self.pack)
                 if fold(w) not in shown and not self.is_blocked(w)]
        merged = sorted(found + extra, key=lambda s: -s[1])[: q.n]
        if not any(c for _, _, c in merged) or any(fold(w) == low for w, _, _ in merged):
            return merged
        if typed_is_word:
            # A real word typed in full is never pushed out by a correction: it takes
            # the place of the weakest one, scored by the model like the others.
            hit = next((s for s in found if fold(s[0]) == low), None)
            if hit is None:
                word, score = exact()
                hit = (word, score, False)
            weakest = max((k for k, s in enumerate(merged) if s[2]), key=lambda k: -merged[k][1])
            merged[weakest] = hit
            merged.sort(key=lambda s: -s[1])
        return merged

    def shape_exact(self, form: str, q: Query) -> str:
        """The typed word's lexicon form as the strip would show it (else as typed)."""
        shaped = merge_corrections([(form, 0.0)], q.typed, q.sentence_start, q.apostrophe, self.pack)
        return shaped[0][0] if shaped else q.typed
