"""Typo corrections as a source: lexicon words a slip of the finger may have meant.

keyboard.py's slip model turns the typed prefix into the prefixes the user may
have meant, each with the slip's log-likelihood; the two most frequent lexicon
words of each are candidates, the ``max_candidates`` best by slip cost plus
prior are scored by the model from the same state, mixed with the prior like
every other word (combiner.py, the prior alone), plus the slip's cost.
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..keyboard import SlipModel
from ..lexicon import Lexicon
from . import Query


class Corrections:
    name = "corrections"

    def __init__(self, slips: SlipModel, lexicon: Lexicon, model, combiner, fold):
        self.slips, self.lexicon, self.model, self.combiner, self.fold = slips, lexicon, model, combiner, fold

    def applies(self, q: Query) -> bool:
        return q.needs_space and len(q.folded) >= self.slips.cfg.min_typed

    def can_enter(self, strip_scores: list[float], n: int) -> bool:
        """Whether a corrected word could enter a strip with these scores: it scores at
        most its slip's cost (its model and prior probability are at most 1)."""
        return len(strip_scores) < n or strip_scores[n - 1] < self.slips.best_cost

    def propose_scored(self, q: Query, pos) -> list[tuple[str, float]]:
        """Corrected words (lexicon spelling, log-prob with the slip's cost), best first."""
        lexicon, low = self.lexicon, q.folded
        best: dict[int, float] = {}
        for meant, cost in self.slips.meant(low).items():
            for i in lexicon.completions(meant, 2):
                if not self.fold(lexicon.forms[i]).startswith(low):
                    best[i] = max(best.get(i, -math.inf), cost + float(lexicon.logprior[i]))
        if not best:
            return []
        chosen = sorted(best, key=lambda i: -best[i])[: self.slips.cfg.max_candidates]
        slip = {lexicon.forms[i]: best[i] - float(lexicon.logprior[i]) for i in chosen}
        model = {w: self.model.score(pos, w) for w in slip}
        mixed = self.combiner.merge(model, replace(q, final=False), pos, only=("prior",))
        return [(w, sc + slip[w]) for w, sc in mixed]

    def exact(self, q: Query, pos, selector) -> tuple[str, float]:
        """The typed word as the strip shows it, and its model score (the exact-word rule)."""
        i = self.lexicon.index(q.typed)
        form = self.lexicon.forms[i] if i is not None else q.typed
        return selector.shape_exact(form, q), self.model.score(pos, form)
