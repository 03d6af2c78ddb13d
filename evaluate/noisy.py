"""Typing with slips of the finger: how much of the strip's help survives them.

A seeded typist types each sentence as ``typing_sim`` does, but on a share
``rate`` of its letter keystrokes it slips (adjacent key, two letters swapped,
a letter left out) and fixes nothing itself: a slipped word is only repaired
when the strip offers the intended word and the typist selects it. Measured:

- KSR under noise: 1 - keystrokes / characters of the intended text (words
  left misspelled still cost what was typed);
- slipped words rescued: of the words with a slip, the share for which the
  intended word was offered (and selected) after the slip;
- clean words displaced: of the words typed without a slip, the share whose
  full spelling, typed to the end, is not in the strip while a correction is
  (with ``known``, only words the engine knows count: a word it cannot offer
  is not displaced by a correction);
- words left misspelled.

``slip_probe`` is the narrow test: in each word of 4+ letters, one
adjacent-key slip at a random inner letter plus one more letter typed, against
the same number of clean letters: how often is the intended word offered?
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Iterable

from nextkey.engine.keyboard import Layout
from nextkey.engine.lexicon import fold
from nextkey.engine.text import WORD, partial_word

from .stats import Predictor


@dataclass(frozen=True)
class NoiseConfig:
    rate: float = 0.05  # share of letter keystrokes that slip
    seed: int = 0
    layout: str = "qwerty"
    kinds: tuple[tuple[str, float], ...] = (("adjacent", 0.6), ("swap", 0.2), ("omit", 0.2))


@dataclass
class NoisyResult:
    n: int
    characters: int = 0
    keystrokes: int = 0
    words: int = 0
    slipped_words: int = 0
    rescued: int = 0
    clean_words: int = 0
    displaced: int = 0
    misspelled: int = 0

    @property
    def ksr(self) -> float:
        return 1.0 - self.keystrokes / max(self.characters, 1)

    def summary(self) -> dict:
        return {"suggestions": self.n, "characters": self.characters, "keystrokes": self.keystrokes,
                "ksr": self.ksr, "words": self.words, "slipped_words": self.slipped_words,
                "slipped_rescued_share": self.rescued / max(self.slipped_words, 1),
                "clean_words": self.clean_words, "clean_displaced_share": self.displaced / max(self.clean_words, 1),
                "misspelled_share": self.misspelled / max(self.words, 1)}


def letter_neighbours(layout: str) -> dict[str, frozenset[str]]:
    """The layout's neighbouring letters (the number row left out: the typist slips on
    letters, as in every figure measured before the layouts had it)."""
    return {k: frozenset(x for x in v if x.isalpha()) for k, v in Layout.build(layout, 1.3).neighbours.items()
            if k.isalpha()}


class Typist:
    def __init__(self, cfg: NoiseConfig):
        self.cfg, self.rng = cfg, random.Random(cfg.seed)
        self.near = letter_neighbours(cfg.layout)

    def slip(self, word: str, i: int) -> tuple[str, int] | None:
        """A slip on letter ``i``: (what is typed instead, how many intended letters it covers), or None."""
        if self.rng.random() >= self.cfg.rate:
            return None
        kinds, weights = zip(*self.cfg.kinds)
        kind = self.rng.choices(kinds, weights)[0]
        ch = word[i]
        if kind == "adjacent" and ch.lower() in self.near:
            alt = self.rng.choice(sorted(self.near[ch.lower()]))
            return (alt.upper() if ch.isupper() else alt), 1
        if kind == "swap" and i + 1 < len(word) and word[i + 1] != ch:
            return word[i + 1] + ch, 2
        if kind == "omit":
            return "", 1
        return None


def type_with_slips(typist: "Typist", word: str) -> str:
    """``word`` as the typist types it in full, slips included (no suggestion taken)."""
    typed, i = "", 0
    while i < len(word):
        slip = typist.slip(word, i)
        typed, i = (typed + word[i], i + 1) if slip is None else (typed + slip[0], i + slip[1])
    return typed


def _offered(predict: Predictor, text: str, n: int) -> list[str]:
    return predict(text, n)[:n]


def type_noisy(predict: Predictor, sentence: str, n: int, typist: Typist, result: NoisyResult,
               known: Callable[[str], bool] | None = None) -> None:
    spans = {m.start(): m.end() for m in WORD.finditer(sentence)}
    result.characters += len(sentence)
    text, i = "", 0
    while i < len(sentence):
        end = spans.get(i)
        if end is None:
            text += sentence[i]
            result.keystrokes += 1
            i += 1
            continue
        word = sentence[i:end]
        result.words += 1
        typed, j, slipped, done = "", 0, False, False
        while j < len(word):
            if word in _offered(predict, text + typed, n):
                result.keystrokes += 1
                text += word
                done = True
                if end < len(sentence) and sentence[end] == " ":
                    text += " "
                    end += 1
                break
            s = typist.slip(word, j)
            result.keystrokes += 1
            if s is None:
                typed += word[j]
                j += 1
            else:
                typed += s[0]
                j += s[1]
                slipped = True
        if not done:
            if not slipped:  # typed in full and right: is it still offered?
                strip = _offered(predict, text + typed, n)
                if word not in strip and any(not fold(w).startswith(fold(typed)) for w in strip) \
                        and (known is None or known(word)):
                    result.displaced += 1
            text += typed
            if typed != word:
                result.misspelled += 1
        if slipped:
            result.slipped_words += 1
            result.rescued += done
        else:
            result.clean_words += 1
        i = end


def simulate_noisy(predict: Predictor, sentences: Iterable[str], n: int, cfg: NoiseConfig,
                   progress=None, known: Callable[[str], bool] | None = None) -> NoisyResult:
    typist, result = Typist(cfg), NoisyResult(n)
    for s in sentences:
        type_noisy(predict, s, n, typist, result, known)
        if progress is not None:
            progress(1)
    return result


def slip_probe(predict: Predictor, sentences: Iterable[str], n: int, seed: int = 0, layout: str = "qwerty") -> dict:
    """In each word of 4+ letters: one adjacent-key slip at a random inner letter
    plus one more letter, against the same number of clean letters."""
    rng, near = random.Random(seed), letter_neighbours(layout)
    clean_hits = slip_hits = total = 0
    for s in sentences:
        for m in WORD.finditer(s):
            word = m.group(0)
            letters = [k for k in range(1, len(word) - 1) if word[k].lower() in near]
            if len(word) < 4 or not word.isalpha() or not letters:
                continue
            k = rng.choice(letters)
            before = s[: m.start()]
            alt = rng.choice(sorted(near[word[k].lower()]))
            slipped = word[:k] + alt + word[k + 1: k + 2]
            clean = word[: k + 2]
            total += 1
            clean_hits += word in _offered(predict, before + clean, n)
            slip_hits += word in _offered(predict, before + slipped, n)
    return {"words": total, "clean_offered": clean_hits / max(total, 1), "slipped_offered": slip_hits / max(total, 1),
            "ratio": (slip_hits / clean_hits) if clean_hits else 0.0}
