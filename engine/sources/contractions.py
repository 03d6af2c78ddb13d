"""Contractions typed without the apostrophe: "im" -> "I'm", "dont" -> "don't".

On a phone the apostrophe is on a second layer, so the most frequent words of
chat ("I'm", "don't", "that's") are typed bare. Once the typed word (with no
apostrophe) runs past where a contraction's apostrophe goes and spells the
beginning of its bare form ("im", "dont", "theyr"), the contraction is a
candidate: scored by the model from the same state and mixed with the other
sources like any word (no slip cost: leaving the apostrophe out is how people
type). A bare form that is a word of its own ("ill", "were", "its") competes
with the contraction by score, so context decides; one that is no word ("dont",
"im") is never offered (the selector drops the language pack's
``misspellings``). The contraction list is the pack's (engine/lang/).
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from ..lang import LanguagePack
from ..lexicon import Lexicon
from . import Query


class Contractions:
    name = "contractions"

    def __init__(self, pack: LanguagePack, lexicon: Lexicon, model, combiner):
        """Only the contractions in the bundle's ``lexicon`` are proposed, in its spelling
        ("I'm"); ``model`` (sources/model.py) scores them, ``combiner`` mixes the other sources in."""
        self.pack, self.model, self.combiner = pack, model, combiner
        # (folded bare form, the lexicon's form, where its first apostrophe is), sorted
        entries = []
        for c in pack.contractions:
            i = lexicon.index(c)
            if i is not None:
                cut = min(c.find(a) for a in pack.apostrophes if a in c)
                entries.append((pack.bare(c), lexicon.forms[i], cut))
        self._entries = sorted(entries)
        self._bare = [e[0] for e in self._entries]

    def candidates(self, folded: str) -> list[str]:
        """The contractions (the lexicon's spelling) whose bare form starts with ``folded`` (typed with no
        apostrophe) and whose apostrophe comes before its end ("im" -> ["i'm"], "do" -> [])."""
        if not folded or any(a in folded for a in self.pack.apostrophes):
            return []
        i = bisect.bisect_left(self._bare, folded)
        out = []
        while i < len(self._bare) and self._bare[i].startswith(folded):
            _, c, cut = self._entries[i]
            if len(folded) > cut:
                out.append(c)
            i += 1
        return out

    def propose_scored(self, q: Query, pos) -> list[tuple[str, float]]:
        """The contractions for the typed word, (the lexicon's spelling, mixed log-prob), best
        first. At a sentence start the model scores the capitalized form too (it was
        trained on sentences that begin with one) and the better of the two counts."""
        found = self.candidates(q.folded)
        if not found:
            return []
        score = self.model.score
        model = {c: max(score(pos, c), score(pos, c[:1].upper() + c[1:])) if q.sentence_start else score(pos, c)
                 for c in found}
        mixed = self.combiner.merge(model, replace(q, final=False), pos)
        return [(w, sc) for w, sc in mixed if w in model]
