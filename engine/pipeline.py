"""One keystroke's prediction: the sources, the combiner and the selector, in one direction.

    query  = Query(...)                       from the tracker's Context (session.py)
    raw    = model.search(prefix chain)       sources/model.py: the base words
    scored = combiner.merge(raw, query)       combiner.py: + prior, + memory
    strip  = selector.pick(scored, query)     selector.py
    strip  = selector.with_respellings(...)   sources/contractions.py, a contraction typed bare ("dont")
    strip  = selector.with_corrections(...)   sources/corrections.py, when a slip may be meant

The prefix chain: the searches for '', p[:1], p[:2], ... p are tried in that
order, each run at most once per state and kept (in the Position), and the
first whose words, filtered by the whole prefix and selected, fill the ``n``
slots answers. While typing a word this usually costs one search on its first
letter and only filtering after; and since the chain depends on the prefix
alone, a fresh engine and an incremental one give the same answer. The
lexicon's most frequent words of the prefix join only after the chain
(``Query.final``), so they fill slots the model's words leave empty but never
cut its search short.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .combiner import Combiner
from .position import Position
from .selector import Selector
from .sources import Query
from .sources.compounds import Compounds
from .sources.contractions import Contractions
from .sources.corrections import Corrections
from .sources.model import ModelSource


class Kind(StrEnum):
    NEXT = "next"  # nothing of the word typed yet
    COMPLETION = "completion"  # completes (or corrects) the word being typed


@dataclass(frozen=True)
class Suggestion:
    word: str  # the whole word, ready to replace the partial word
    score: float  # natural-log probability of the word given the context (the combined mix)
    kind: Kind
    corrected: bool = False  # the word does not start with what was typed: a slip was corrected


class Pipeline:
    """Wired once by the Engine per session (the model source owns the session's interpreter)."""

    def __init__(self, model: ModelSource, combiner: Combiner, selector: Selector,
                 corrections: Corrections | None, knows, contractions: Contractions | None = None,
                 compounds: Compounds | None = None, lexicon=None):
        """``knows(word)``: whether a word is one the engine may offer (known.py);
        ``compounds``: closed compounds for the free slots (a language that writes them);
        ``lexicon``: the bundle's, whose spellings a typed umlaut or ß may keep."""
        self.model, self.combiner, self.selector, self.corrections = model, combiner, selector, corrections
        self.knows, self.contractions, self.compounds = knows, contractions, compounds
        self.lexicon = lexicon  # (the spellings the umlauts typed may keep)

    def _as_typed(self, word: str, typed: str) -> str:
        """``word`` with the umlauts and ß as typed when the lexicon spells it so too (typed
        "Straß" on "Strasse" -> "Straße"); never a spelling the lexicon lacks ("aß" does not
        make "Assistent" "Aßistent")."""
        respelled = self.selector.pack.with_typed_letters(word, typed)
        if respelled == word:
            return word
        i = self.lexicon.index(respelled)
        return respelled if i is not None and self.lexicon.forms[i].lower() == respelled.lower() else word

    def predict(self, q: Query, pos: Position) -> list[Suggestion]:
        """The strip for ``q`` from the state of ``pos``: at most ``q.n`` suggestions, best first."""
        typed, low, n = q.typed, q.folded, q.n
        fold = self.model.fold
        raw: dict[str, float] = {}
        chain = replace(q, final=False)
        for k in range(len(typed) + 1):
            for w, sc in self.model.search(pos, typed[:k], q.needs_space, n):
                if fold(w).startswith(low):
                    raw[w] = max(sc, raw.get(w, sc))
            if len(self.selector.pick(self.combiner.merge(raw, chain, pos), chain)) >= n:
                break
        shown = self.selector.pick(self.combiner.merge(raw, q, pos), q)
        found = [(w, sc, False) for w, sc in shown]
        if self.compounds is not None and len(found) < n and self.compounds.applies(q):
            fold = self.model.fold
            made = self.compounds.propose_scored(q, pos, {fold(w) for w, _, _ in found})
            extra = [(w, sc, False) for w, sc in self.selector.pick(made, q) if fold(w) not in {fold(x) for x, _, _ in found}]
            found = sorted(found + extra, key=lambda s: -s[1])[:n]
        if self.contractions is not None and not q.stem:
            bare = self.contractions.propose_scored(q, pos)
            if bare:
                found = self.selector.with_respellings(found, bare, q)
        c = self.corrections
        if c is not None and c.applies(q) and c.can_enter([sc for _, sc, _ in found], n):
            found = self.selector.with_corrections(found, c.propose_scored(q, pos), q, self.knows(typed),
                                                   lambda: c.exact(q, pos, self.selector))
        if typed and self.selector.pack.fold_letters and self.lexicon is not None:
            found = [(self._as_typed(w, typed), sc, corrected) for w, sc, corrected in found]
        kind = Kind.COMPLETION if typed or q.stem else Kind.NEXT
        return [Suggestion(q.stem + w, sc, kind, corrected) for w, sc, corrected in found[:n]]
