"""A typist that accepts a shown word, as users do (``nextkey bench`` and the benchmarks).

The selection rule is evaluate/typing_sim.py's (how ``nextkey eval`` counts KSR):
inside a word, as soon as the word is in the strip it is taken, and the
selection also types the space after it; otherwise the next character is
typed. Unlike a typist that never accepts, this one reaches the keystrokes
that follow an accepted word (a new committed unit, a new search), which are
the costly ones.
"""

from __future__ import annotations

import time
from typing import Callable

from nextkey.engine.text import WORD

# Keystroke kinds: "next" (nothing of the word typed yet: after a space or an accepted
# word), "first_letter", "later_letter" (the second letter on), "other" (punctuation,
# spaces and symbols typed as is).
KINDS = ("next", "first_letter", "later_letter", "other")


def type_accepting(session, sentence: str, n: int,
                   timed: Callable[[str, float], None] | None = None,
                 before: Callable[[str], None] | None = None) -> int:
    """Type ``sentence`` into ``session`` (appending to its text), taking a shown word at
    once; ``timed(kind, ms)`` gets each suggestions() call's wall time in milliseconds,
    ``before(text)`` the session's text before each call (another engine can be timed on
    the same texts). Returns the keystrokes spent (a selection counts as one)."""
    keys, i = 0, 0
    spans = {m.start(): m.end() for m in WORD.finditer(sentence)}

    def ask(kind: str):
        if before is not None:
            before(session.text)
        t0 = time.perf_counter()
        strip = session.suggest(n)
        if timed is not None:
            timed(kind, (time.perf_counter() - t0) * 1e3)
        return strip

    while i < len(sentence):
        end = spans.get(i)
        if end is None:
            session.type(sentence[i])
            keys += 1
            ask("other")
            i += 1
            continue
        word, j = sentence[i:end], i
        while j < end:
            kind = "next" if j == i else "first_letter" if j == i + 1 else "later_letter"
            strip = ask(kind)
            pick = next((s for s in strip if s.word == word), None)
            keys += 1
            if pick is not None:
                session.accept(pick)
                end += end < len(sentence) and sentence[end] == " "  # the selection typed the space
                break
            session.type(sentence[j])
            j += 1
        i = end
    return keys
