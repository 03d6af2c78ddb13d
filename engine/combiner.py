"""Mixing the sources' word probabilities: linear interpolation, in the settings' order.

Starting from the model's words and log-probabilities, each active source ``s``
with weight ``w_s`` (``EngineSettings.weights``) is mixed in turn:

    p(word) <- (1 - w_s) * p(word) + w_s * p_s(word)

and then adds its own proposals that are not yet there, at ``w_s * p_s(word)``
(a word proposed by a source enters the mix at that source's step). Applied in
order, this is one linear interpolation whose effective weights are
``w_s * prod(1 - w_t for the sources t after s)``, the model's being
``prod(1 - w_t)`` (Jelinek and Mercer's interpolation; presage's
LinearCombiner). A source that has no opinion about a word (``logprob`` None)
leaves its score as it was; an inactive source or a weight of 0 changes nothing.
All scores are natural-log probabilities.

Two optional attributes of a source change its step (the phrase source's,
engine/sources/ngram.py; bench/ngram_source.py measures them):

- ``mixing = "loglinear"``: ``log p(word) <- (1 - w) log p(word) + w log p_s(word)``
  (log-linear interpolation, a product of experts: not normalized, which the
  ranking does not need; Klakow 1998, "Log-linear interpolation of language models").
- ``evidence(word, query, pos) -> float`` in [0, 1]: scales ``w`` for that word, so a
  source weighs in only as far as it has evidence (an n-gram: the order it found the
  word at; 0 leaves the score as it was).
"""

from __future__ import annotations

import math
from typing import Sequence

from .sources import Query, Source


def log_mix(logp: float, other: float, weight: float) -> float:
    """log((1 - weight) * e**logp + weight * e**other), 0 < weight < 1."""
    a, b = math.log1p(-weight) + logp, math.log(weight) + other
    if b == -math.inf:
        return a
    hi, lo = (a, b) if a >= b else (b, a)
    return hi + math.log1p(math.exp(lo - hi))


class Combiner:
    """``sources``: mixed in this order; ``weights``: by source name (0 < w < 1)."""

    def __init__(self, sources: Sequence[Source], weights: dict[str, float]):
        for s in sources:
            w = weights.get(s.name)
            if w is None or not 0.0 <= w < 1.0:
                raise ValueError(f"source {s.name!r} needs a weight in [0, 1), got {w!r} (weights: {weights})")
        self.sources, self.weights = list(sources), dict(weights)

    def merge(self, base: dict[str, float], query: Query, pos=None,
              only: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """The words of ``base`` (the model's, word -> log-prob) and every source's
        proposals, scored by the mix, best first. ``only``: mix these sources alone
        (the corrections are mixed with the prior only)."""
        scored = list(base.items())
        for source in self.sources:
            w = self.weights[source.name]
            if w <= 0 or not source.active or (only is not None and source.name not in only):
                continue
            out: dict[str, float] = {}
            loglinear = getattr(source, "mixing", "linear") == "loglinear"
            evidence = getattr(source, "evidence", None)
            for word, logp in scored:
                lp = source.logprob(word, query, pos)
                ws = w if lp is None or evidence is None else w * evidence(word, query, pos)
                if lp is None or ws <= 0:
                    out[word] = logp
                elif loglinear:
                    out[word] = (1 - ws) * logp + ws * lp if lp > -math.inf else logp + math.log1p(-ws)
                else:
                    out[word] = log_mix(logp, lp, ws)
            for word in source.propose(query, pos):
                if word not in out:
                    lp = source.logprob(word, query, pos)
                    ws = w if evidence is None else w * evidence(word, query, pos)
                    if lp is not None and lp > -math.inf and ws > 0:
                        out[word] = math.log(ws) + lp
            scored = sorted(out.items(), key=lambda kv: -kv[1])
        return scored
