"""How a decoded word is shown: the case the user typed, capitalized sentence
starts, the language's always-capitalized words ("I"), and nothing that is not
a clean word."""

from __future__ import annotations

import math
from typing import Callable

from .lang import DEFAULT, LanguagePack

_BROKEN = "\ufffd"


def presentable(word: str) -> bool:
    return bool(word) and any(ch.isalpha() for ch in word) and _BROKEN not in word \
        and not any(ch.isspace() or not ch.isprintable() for ch in word)


def shape(word: str, typed: str, sentence_start: bool, pack: LanguagePack = DEFAULT,
          has_form: Callable[[str], bool] | None = None) -> str:
    """The model's spelling of ``word`` in the case the user is typing.

    "HEL" -> "HELLO" (but "E-M" -> "E-Mail", whose own capitals were typed), "Hel" -> "Hello",
    a sentence start capitalizes, "i'm" ->
    "I'm" (the pack's casing rule). Letters typed in lowercase inside a sentence keep
    a word lowercase where it has a lowercase spelling (``has_form``: the lexicon's
    forms): "const" -> "constitution", not the model's "Constitution" (both are
    English; the user typed the small letter), while a word with no such spelling
    keeps the model's case ("mon" -> "Monday", "lond" -> "London"). Otherwise the
    model's own case stands. A word typed in full is shown as typed ("GitHub" stays
    "GitHub", "monday" stays "monday"): accepting it never re-cases what the user
    wrote, except the pack's always-capitalized words ("i" -> "I").
    """
    if len(typed) == len(word) and pack.fold(typed) == pack.fold(word):
        return pack.fixed_case(typed)
    word = pack.fixed_case(word)
    # "HEL": caps lock; but not "I'", nor a word that is itself spelled so far as typed ("E-M" of
    # "E-Mail", "USB-S" of "USB-Stick": the user types its capitals)
    if sum(ch.isalpha() for ch in typed) >= 2 and typed.isupper() and not word.startswith(typed):
        return word.upper()
    if (typed[:1].isupper() or sentence_start) and word[:1].islower():
        return word[:1].upper() + word[1:]
    if (has_form is not None and not sentence_start and word[:1].isupper() and typed[:1].isalpha()
            and not any(ch.isupper() for ch in typed)):
        low = word[:1].lower() + word[1:]
        if has_form(low):
            return low
    return word


def merge(scored: list[tuple[str, float]], typed: str, sentence_start: bool,
          apostrophe: str = "'", pack: LanguagePack = DEFAULT,
          shaper: Callable[[str, str, bool, str], str | None] | None = None) -> list[tuple[str, float]]:
    """Shape every word, drop what cannot be shown, and show each word once:
    forms that differ only in case or in the apostrophe's shape ("league" and
    "League", "tomorrow's" and "tomorrow’s") add up their probabilities under
    the most probable form, shown with the user's ``apostrophe``. ``shaper``:
    a memoized ``shown_as`` for ``pack`` (the selector keeps one per session)."""
    fold = pack.fold
    total: dict[str, float] = {}  # folded word -> summed log-prob
    best: dict[str, tuple[float, str]] = {}  # folded word -> (log-prob, form) of its most probable form
    for word, logp in scored:
        shown = (shaper(word, typed, sentence_start, apostrophe) if shaper is not None
                 else shown_as(word, typed, sentence_start, apostrophe, pack))
        key = fold(shown) if shown else ""
        if not shown or not key.startswith(fold(typed)):
            continue
        prev = total.get(key)
        total[key] = logp if prev is None else max(prev, logp) + math.log1p(math.exp(-abs(prev - logp)))
        if key not in best or logp > best[key][0]:
            best[key] = (logp, shown)
    return sorted(((best[k][1], v) for k, v in total.items()), key=lambda kv: -kv[1])


def merge_corrections(scored: list[tuple[str, float]], typed: str, sentence_start: bool,
                      apostrophe: str = "'", pack: LanguagePack = DEFAULT,
                      has_form: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
    """Corrected words shaped as the user types (case, apostrophe); they need
    not start with ``typed``, which is what makes them corrections."""
    return [(shown, logp) for word, logp in scored
            if (shown := shown_as(word, typed, sentence_start, apostrophe, pack, has_form))]


def shown_as(word: str, typed: str, sentence_start: bool, apostrophe: str, pack: LanguagePack,
             has_form: Callable[[str], bool] | None = None) -> str | None:
    """``word`` as the strip shows it (case, the user's ``apostrophe``), or None when it cannot
    be shown. ``has_form``: whether a spelling is one of the lexicon's (shape's lowercase rule)."""
    shown = shape(word, typed, sentence_start, pack, has_form)
    for other in pack.apostrophes:
        if other != apostrophe:
            shown = shown.replace(other, apostrophe)
    return shown if presentable(shown) else None
