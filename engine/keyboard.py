"""Typo tolerance: which lexicon words a slip of the finger may have meant.

A keyboard layout is data: rows of keys, each row shifted as on the device;
the layouts and the letters a slip may leave out are the language pack's.
Two keys are neighbours when their centres are less than ``reach`` key widths
apart. From a typed prefix the model of slips proposes the prefixes the user
may have meant, each with the log-likelihood of the slip:

- an adjacent key hit instead ("tge" for "the"),
- two letters swapped ("teh"),
- a letter left out ("th" typed for "thr..." is not a slip, but "thnk" for "thank"),
- an extra letter: a neighbour or a double ("thhe", "thew").

Only prefixes that some lexicon word starts with are kept. One slip per word
(``max_slips``); the first letter is trusted (a wrong first key is rare and
the cost of guessing it is a strip full of unrelated words).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from .lang import DEFAULT, LanguagePack

# Rows as typed, and each row's offset in key widths (a staggered layout): the English pack's.
LAYOUTS = dict(DEFAULT.layouts)
QWERTY = LAYOUTS["qwerty"]


@dataclass(frozen=True)
class SlipConfig:
    layout: str = "qwerty"
    reach: float = 1.3  # neighbours: centres closer than this, in key widths
    # log-likelihood of each kind of slip, against 0 for a key typed as meant. Chosen by
    # measurement (100 test sentences): at -2.5..-4 clean-typing KSR fell 0.4-0.9 points; at -6
    # with 3+ letters it falls 0.19 points while 85% of one-slip words are still offered.
    adjacent: float = -6.0
    swapped: float = -6.0
    missing: float = -6.0
    extra: float = -6.0
    min_typed: int = 3  # shorter prefixes are not corrected (2 letters: too many real words nearby)
    max_candidates: int = 4  # corrected words scored by the model per keystroke
    enabled: bool = True


@dataclass
class Layout:
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, name: str, reach: float, pack: LanguagePack = DEFAULT) -> "Layout":
        """ValueError naming the pack's layouts when it has none called ``name``."""
        rows = pack.layout(name)
        pos = {ch: (x + offset, y) for y, (row, offset) in enumerate(rows) for x, ch in enumerate(row)}
        near = {a: frozenset(b for b in pos if b != a and math.dist(pos[a], pos[b]) < reach) for a in pos}
        return cls(near)


# An umlaut typed without its dots ("Madchen", "Ubersetzung") or ß as one s ("Strase"): no
# slip of the finger but the keyboard's second layer left out, as likely as a slip at its
# most likely (-6.0) would be far too rare; -2.0 lets the word into the strip beside the
# completions of what was typed (tests/test_typing_de.py), not above a likely one.
DOTLESS = -2.0


class SlipModel:
    def __init__(self, cfg: SlipConfig, pack: LanguagePack, is_prefix: Callable[[str], bool]):
        """``is_prefix(folded)``: whether some word the engine may offer starts with it (the
        bundle's lexicon): only such prefixes are proposed."""
        self.cfg, self.is_prefix = cfg, is_prefix
        self.layout = Layout.build(cfg.layout, cfg.reach, pack)
        self.alphabet = pack.alphabet  # the letters a left-out letter may be
        # A pack that folds letters (German "ü" -> "ue") has typed text and lexicon keys folded:
        # a proposal with a key's letter ("ü" for "p", an inserted "ä") is folded the same way.
        self.fold = pack.fold if pack.fold_letters else None
        self.best_cost = max(cfg.adjacent, cfg.swapped, cfg.missing, cfg.extra)  # the likeliest slip
        # (the plain letter, what its folded umlaut adds): ("a", "e") for ä -> ae, ("s", "s") for ß -> ss
        self.dotless = tuple((f[0], f[1:]) for _, f in pack.fold_letters if len(f) == 2)
        if self.dotless:
            self.best_cost = max(self.best_cost, DOTLESS)
        self._memo: dict[str, dict[str, float]] = {}

    def meant(self, typed: str) -> dict[str, float]:
        """Prefixes the user may have meant by ``typed`` (folded), with the slip's log-likelihood
        (natural log, <= 0); ``typed`` itself is not among them. Memoized (16,384 entries)."""
        found = self._memo.get(typed)
        if found is None:
            if len(self._memo) >= 1 << 14:
                self._memo.clear()
            found = self._memo[typed] = self._meant(typed, self.is_prefix)
        return found

    def _meant(self, typed: str, is_prefix: Callable[[str], bool]) -> dict[str, float]:
        c, near, fold = self.cfg, self.layout.neighbours, self.fold
        out: dict[str, float] = {}

        def add(q: str, cost: float) -> None:
            if fold is not None:
                q = fold(q)
            if q != typed and cost > out.get(q, -math.inf) and is_prefix(q):
                out[q] = cost

        n = len(typed)
        for i in range(1, n):
            ch = typed[i]
            for alt in near.get(ch, ()):
                add(typed[:i] + alt + typed[i + 1:], c.adjacent)
            if i + 1 < n and typed[i + 1] != ch:
                add(typed[:i] + typed[i + 1] + ch + typed[i + 2:], c.swapped)
            if ch == typed[i - 1] or ch in near.get(typed[i - 1], ()) or (i + 1 < n and ch in near.get(typed[i + 1], ())):
                add(typed[:i] + typed[i + 1:], c.extra)
        for i in range(1, n):  # (a letter missing at the end is just not typed yet)
            for alt in self.alphabet:
                add(typed[:i] + alt + typed[i:], c.missing)
        for i in range(n):  # the first letter too: "Ubersetzung" is no slip of the first key
            for plain, rest in self.dotless:
                if typed[i] == plain and typed[i + 1:i + 2] != rest:
                    add(typed[:i + 1] + rest + typed[i + 1:], DOTLESS)
        return out
