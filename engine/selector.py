"""What the strip shows, from the combined words: the selector.

- each word in the user's own spelling where they have one ("GitHub"; memory.py),
  shaped as the user types it (case, sentence start, "I", the user's
  apostrophe; form.py; a word typed in full is shown as typed), forms that differ only in case or apostrophe shown once
  with their probabilities summed;
- only words that start with what was typed (corrections aside);
- no blocked word (nor any of its inflected or possessive forms), unless the user
  typed it in full; never a contraction's apostrophe-less misspelling ("dont"):
  the contraction is offered instead (with_respellings);
- after a hyphenated word's stem ("role-"), no word that never ends one, and only
  parts that make an attested compound or two common words the model finds likely
  together (known.py: compound_ok);
- corrections (words a slip may have meant) join the strip by score, but a real
  word typed in full is never pushed out by one (the exact-word rule).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable

from .form import merge, merge_corrections, shown_as
from .lang import LanguagePack
from .sources import Query


def _logsumexp(xs: list[float]) -> float:
    if not xs:
        return 0.0
    hi = max(xs)
    return hi + math.log(sum(math.exp(x - hi) for x in xs))


MAX_SHOWN = 4096  # shaped words kept per session (a keystroke shapes a few dozen)
_UNSEEN = object()


class Selector:
    """``pack``: the bundle's language (its fold, casing rules, apostrophes, and the
    words that never end a hyphenated word); ``is_blocked(word)``: the blocklist (the
    shipped list and the user's never-suggest entries)."""

    def __init__(self, pack: LanguagePack, is_blocked: Callable[[str], bool],
                 compound_ok: Callable[[str, str, float], bool] | None = None,
                 spelling: Callable[[str], str | None] | None = None,
                 has_form: Callable[[str], bool] | None = None):
        """``compound_ok(stem, part, log-prob)``: whether a part typed after a hyphenated
        word's stem may be offered (known.py; None: any). ``spelling(word)``: the user's own
        spelling of a word, shown in place of the sources' ("GitHub"), or None (memory.py).
        ``has_form(word)``: whether a spelling is the lexicon's (lexicon.Lexicon.has_form):
        lowercase letters typed keep a word lowercase where it has that spelling (form.shape)."""
        self.pack, self.fold, self.is_blocked, self.has_form = pack, pack.fold, is_blocked, has_form
        self.compound_ok, self.spelling = compound_ok, spelling
        self.hyphen_edge = pack.hyphen_stop_words
        self.misspellings = pack.misspellings
        # How each word is shown, by (word, typed, sentence start, apostrophe): the prefix chain
        # shapes the same words several times per keystroke. Bounded; one selector per session.
        self._shown: dict[tuple[str, str, bool, str], str | None] = {}

    def _shown_as(self, word: str, typed: str, sentence_start: bool, apostrophe: str) -> str | None:
        key = (word, typed, sentence_start, apostrophe)
        shown = self._shown.get(key, _UNSEEN)
        if shown is _UNSEEN:
            if len(self._shown) >= MAX_SHOWN:
                self._shown = {}
            shown = self._shown[key] = shown_as(word, typed, sentence_start, apostrophe, self.pack, self.has_form)
        return shown

    def pick(self, scored: list[tuple[str, float]], q: Query) -> list[tuple[str, float]]:
        """The showable words of ``scored`` (best first, log-probs), one form each."""
        fold, typed = self.fold, q.typed
        spelling = self.spelling
        if spelling is not None:
            scored = [(spelling(w) or w, sc) for w, sc in scored]
        if q.stem and self.compound_ok is not None:
            ok, stem = self.compound_ok, q.stem
            parts = [(w, sc) for w, sc in self.pick(scored, replace(q, stem="")) if fold(w) not in self.hyphen_edge]
            # How likely the part is: its probability, or once letters of it are typed, its share
            # of the words that agree with them (the letters are evidence for the part).
            total = _logsumexp([sc for _, sc in parts]) if typed else 0.0
            return [(w, sc) for w, sc in parts if ok(stem, w, sc - total)]
        return [(w, sc) for w, sc in merge(scored, typed, q.sentence_start, q.apostrophe, self.pack, self._shown_as)
                if (fold(w) == fold(typed) or not self.is_blocked(w))
                and not (q.stem and fold(w) in self.hyphen_edge) and fold(w) not in self.misspellings]

    def with_respellings(self, found: list[tuple[str, float, bool]], respelled: list[tuple[str, float]],
                         q: Query) -> list[tuple[str, float, bool]]:
        """Merge words the typed one may stand for with another spelling (a contraction
        typed without its apostrophe: (word, log-prob)) into the strip ``found`` by score,
        shaped as typed ("Dont" -> "Don't") and marked corrected. The typed word itself,
        when it is in the strip ("ill" beside "I'll"), keeps its place."""
        fold, low = self.fold, self.fold(q.typed)
        shown = {fold(w) for w, _, _ in found}
        extra = [(w, sc, True) for w, sc in merge_corrections(respelled, q.typed, q.sentence_start, q.apostrophe, self.pack, self.has_form)
                 if fold(w) not in shown and not self.is_blocked(w)]
        if not extra:
            return found
        merged = sorted(found + extra, key=lambda s: -s[1])[: q.n]
        exact = next((s for s in found[: q.n] if fold(s[0]) == low), None)  # (shown before the merge)
        if exact is not None and exact not in merged:
            merged[-1] = exact
            merged.sort(key=lambda s: -s[1])
        return merged

    def with_corrections(self, found: list[tuple[str, float, bool]], corrected: list[tuple[str, float]],
                         q: Query, typed_is_word: bool,
                         exact: Callable[[], tuple[str, float]]) -> list[tuple[str, float, bool]]:
        """Merge corrected words (word, log-prob) into the strip ``found`` ((word, log-prob,
        corrected) best first). ``typed_is_word``: whether the typed word is a known word;
        ``exact()``: that word as shown and its model score (computed only when needed)."""
        fold, low = self.fold, self.fold(q.typed)
        shown = {fold(w) for w, _, _ in found}
        # a correction to a contraction's bare misspelling ("dpnt" -> "dont") is the contraction
        contraction_of, misspellings = self.pack.contraction_of, self.misspellings
        corrected = [(contraction_of[fold(w)][0] if fold(w) in misspellings else w, sc) for w, sc in corrected]
        extra = []
        for w, sc in merge_corrections(corrected, q.typed, q.sentence_start, q.apostrophe, self.pack, self.has_form):
            if fold(w) not in shown and not self.is_blocked(w):
                shown.add(fold(w))
                extra.append((w, sc, True))
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
        shaped = merge_corrections([(form, 0.0)], q.typed, q.sentence_start, q.apostrophe, self.pack, self.has_form)
        return shaped[0][0] if shaped else q.typed
