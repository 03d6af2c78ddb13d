"""How a decoded word is shown: the case the user typed, capitalized sentence
starts, "I", and nothing that is not a clean word."""

from __future__ import annotations

import math

_BROKEN = "\ufffd"


def presentable(word: str) -> bool:
    return bool(word) and any(ch.isalpha() for ch in word) and _BROKEN not in word \
        and not any(ch.isspace() or not ch.isprintable() for ch in word)


def shape(word: str, typed: str, sentence_start: bool) -> str:
    """The model's spelling of ``word`` in the case the user is typing.

    "HEL" -> "HELLO", "Hel" -> "Hello", a sentence start capitalizes, and
    otherwise the model's own case stands ("mon" -> "Monday").
    """
    if word == "i" or word.startswith(("i'", "i’")):
        word = "I" + word[1:]
    if len(typed) >= 2 and typed.isupper():
        return word.upper()
    if (typed[:1].isupper() or sentence_start) and word[:1].islower():
        return word[:1].upper() + word[1:]
    return word


def merge(scored: list[tuple[str, float]], typed: str, sentence_start: bool) -> list[tuple[str, float]]:
    """Shape every word, drop what cannot be shown, and add up the probabilities
    of words that look the same once shaped ("Hello" and "hello" at a sentence start)."""
    total: dict[str, float] = {}
    for word, logp in scored:
        shown = shape(word, typed, sentence_start)
        if not presentable(shown) or not shown.lower().startswith(typed.lower()):
            continue
        prev = total.get(shown)
        total[shown] = logp if prev is None else max(prev, logp) + math.log1p(math.exp(-abs(prev - logp)))
    return sorted(total.items(), key=lambda kv: -kv[1])
