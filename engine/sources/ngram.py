"""The phrase source: a pruned Kneser-Ney word trigram (train/ngram.py writes it; the
file format is in that module's docstring and docs/bundle-format.md), read with numpy
alone. It remembers multi-word phrases and rare continuations the GRU forgets
("Best reg" -> "regards"), and is mixed with the model like any source (combiner.py).

    p(w | u v) = P3(u v w)                      if the trigram was kept
               = bow(u v) * p(w | v)            else (bow 1 for an unseen context)
    p(w | v)   = P2(v w) or bow(v) * p(w)

Keys are int64 (u * V + v) * V + w, looked up by binary search (numpy.searchsorted)
in the file's sorted arrays, which are memory-mapped: loading costs no parse.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import BundleError
from . import Query

UNK, BOS = 0, 1
_FIELDS = ("words", "uni", "bow1", "bi_key", "bi_logp", "ctx2_key", "ctx2_bow", "tri_key", "tri_logp")


class NgramModel:
    """The arrays of an ngram.npz. Raises BundleError naming the file for a missing or
    malformed one (a missing array, unsorted keys, lengths that disagree)."""

    def __init__(self, path: str | Path, fold):
        path = Path(path)
        try:
            data = np.load(path, mmap_mode="r", allow_pickle=False)
            arrays = {k: data[k] for k in _FIELDS}
        except (OSError, ValueError, KeyError, EOFError) as e:
            raise BundleError(f"phrase model {path} cannot be read: {type(e).__name__}: {e}") from None
        words = bytes(np.asarray(arrays["words"])).decode("utf-8").split("\n")
        V = len(words)
        self.V, self.fold = V, fold
        for a, b in (("uni", None), ("bow1", None), ("bi_key", "bi_logp"), ("ctx2_key", "ctx2_bow"),
                     ("tri_key", "tri_logp")):
            if b is None and len(arrays[a]) != V:
                raise BundleError(f"phrase model {path}: {a} has {len(arrays[a])} entries, not {V}")
            if b is not None and (len(arrays[a]) != len(arrays[b]) or np.any(np.diff(arrays[a]) <= 0)):
                raise BundleError(f"phrase model {path}: {a} is not sorted or does not match {b}")
        self.index = {w: i for i, w in enumerate(words)}
        self.words = words
        self.uni = np.asarray(arrays["uni"], np.float32)
        self.bow1 = np.asarray(arrays["bow1"], np.float32)
        self.bi_key, self.bi_logp = np.asarray(arrays["bi_key"]), np.asarray(arrays["bi_logp"], np.float32)
        self.ctx2_key, self.ctx2_bow = np.asarray(arrays["ctx2_key"]), np.asarray(arrays["ctx2_bow"], np.float32)
        self.tri_key, self.tri_logp = np.asarray(arrays["tri_key"]), np.asarray(arrays["tri_logp"], np.float32)
        self._memo: dict[tuple[int, int], dict] = {}

    def ids(self, context: tuple[str, ...]) -> tuple[int, int]:
        """(u, v): the ids of the last two words of the sentence so far (<s> where there are fewer)."""
        ids = [self.index.get(self.fold(w), UNK) for w in context[-2:]]
        ids = [BOS] * (2 - len(ids)) + ids
        return ids[0], ids[1]

    @staticmethod
    def _find(keys: np.ndarray, key: int) -> int:
        i = int(np.searchsorted(keys, key))
        return i if i < len(keys) and keys[i] == key else -1

    def logprob(self, u: int, v: int, w: int) -> float:
        return self.logprob_order(u, v, w)[0]

    def logprob_order(self, u: int, v: int, w: int) -> tuple[float, int]:
        """(natural-log p(w | u v), the order it was found at: 3 a kept trigram, 2 a kept
        bigram, 1 the unigram after backing off)."""
        V = self.V
        i = self._find(self.tri_key, (u * V + v) * V + w)
        if i >= 0:
            return float(self.tri_logp[i]), 3
        j = self._find(self.ctx2_key, u * V + v)
        bow = float(self.ctx2_bow[j]) if j >= 0 else 0.0
        k = self._find(self.bi_key, v * V + w)
        if k >= 0:
            return bow + float(self.bi_logp[k]), 2
        return bow + float(self.bow1[v]) + float(self.uni[w]), 1

    def continuations(self, u: int, v: int, limit: int = 64) -> list[tuple[str, float]]:
        """The kept trigram continuations of (u, v), else the bigram ones of v, best first."""
        key = (u, v)
        found = self._memo.get(key)
        if found is None:
            V = self.V
            lo = int(np.searchsorted(self.tri_key, (u * V + v) * V))
            hi = int(np.searchsorted(self.tri_key, (u * V + v + 1) * V))
            keys, lps = self.tri_key[lo:hi], self.tri_logp[lo:hi]
            if hi == lo:
                lo = int(np.searchsorted(self.bi_key, v * V))
                hi = int(np.searchsorted(self.bi_key, (v + 1) * V))
                keys, lps = self.bi_key[lo:hi], self.bi_logp[lo:hi]
            order = np.argsort(-lps)[:limit]
            found = [(self.words[int(keys[i]) % V], float(lps[i])) for i in order if int(keys[i]) % V > 2]
            if len(self._memo) >= 4096:
                self._memo.clear()
            self._memo[key] = found
        return found


class NgramSource:
    """The phrase model as a source (engine/sources/__init__.py's protocol). Its words are
    folded (lowercase): the selector shapes them. ``proposals``: how many continuations
    that fit the typed prefix it adds. ``evidence_only``: it has an opinion only where the
    trigram context (the sentence's last two words) was kept, so a context the phrase
    model knows nothing particular about leaves the model's scores as they are (a weight
    that depends on the n-gram evidence; bench/ngram_source.py measured both)."""

    name = "ngram"
    active = True

    def __init__(self, model: NgramModel, proposals: int = 3, evidence_only: bool = True,
                 mixing: str = "linear", order_weights: tuple[float, float, float] | None = None):
        """``mixing``: "linear" or "loglinear" (combiner.py). ``order_weights``: (unigram,
        bigram, trigram) scales of the source's weight by the order the word was found at
        (the combiner's ``evidence``); None: the same weight at every order."""
        if mixing not in ("linear", "loglinear"):
            raise ValueError(f"mixing must be 'linear' or 'loglinear', got {mixing!r}")
        if order_weights is not None and (len(order_weights) != 3 or not all(0 <= x <= 1 for x in order_weights)):
            raise ValueError(f"order_weights must be three scales in [0, 1], got {order_weights!r}")
        self.model, self.proposals, self.evidence_only = model, proposals, evidence_only
        self.mixing, self.order_weights = mixing, order_weights
        if order_weights is not None:
            self.evidence = self._evidence

    def _context(self, query: Query) -> tuple[int, int] | None:
        m = self.model
        u, v = m.ids(query.context)
        if self.evidence_only and m._find(m.ctx2_key, u * m.V + v) < 0:
            return None
        return u, v

    def logprob(self, word: str, query: Query, pos=None) -> float | None:
        m = self.model
        w = m.index.get(m.fold(word))
        ctx = self._context(query) if w is not None else None
        if ctx is None:
            return None  # a word or a context the phrase model knows nothing about: no opinion
        return m.logprob(ctx[0], ctx[1], w)

    def _evidence(self, word: str, query: Query, pos=None) -> float:
        m = self.model
        w = m.index.get(m.fold(word))
        ctx = self._context(query) if w is not None else None
        if ctx is None:
            return 0.0
        return self.order_weights[m.logprob_order(ctx[0], ctx[1], w)[1] - 1]

    def propose(self, query: Query, pos=None) -> list[str]:
        ctx = self._context(query) if self.proposals > 0 else None
        if ctx is None:
            return []
        low = query.folded
        return [w for w, _ in self.model.continuations(*ctx) if w.startswith(low)][: self.proposals]
