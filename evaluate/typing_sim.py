"""Simulated typing: the one set of selection rules every engine is measured by.

A predictor is any callable ``predict(text_before_cursor, n) -> list[str]``
(whole words, best first). Each sentence is typed from an empty field, one
character per keystroke. Before each character of a word the predictor is
asked for ``n`` words; if the intended word is among them (exact match, case
included) it is selected for one keystroke, which completes the word and also
covers the space after it when the text has one there. Spaces, punctuation and
other non-word characters are always typed.

    KSR = 1 - keystrokes / characters

Next-word accuracy is scored at each word start (empty prefix): top-1 and
top-k hits of the intended word, over words that contain a letter.

Every strip offered is also checked: with ``known`` (a predicate such as "in
the lexicon or learned from the user") the share of offered words that are
not known words is counted, and strips that offer one word twice (the same
word once folded by the text's language pack: case and the apostrophe's shape
ignored) are counted too. Words are the pack's words (engine/text.py).

``ignore_case=True`` matches words case-insensitively. It is a diagnostic (how
much an engine loses to capitalization alone, e.g. one that only knows
lowercase words), not a way to type the text: a match may insert "the" for
"The". The default, exact match, is the measure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from nextkey.engine.lang import DEFAULT, LanguagePack

from .stats import Predictor, percentiles


@dataclass
class TypingResult:
    n: int
    characters: int = 0
    keystrokes: int = 0
    words: int = 0
    next_word_top1: int = 0
    next_word_topk: int = 0
    next_word_total: int = 0
    offered: int = 0  # words shown, over all strips
    unknown: int = 0  # of those, words ``known`` rejects
    repeated_strips: int = 0  # strips that show one word twice
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def ksr(self) -> float:
        return 1.0 - self.keystrokes / max(self.characters, 1)

    def summary(self) -> dict:
        return {
            "suggestions": self.n,
            "characters": self.characters,
            "keystrokes": self.keystrokes,
            "ksr": self.ksr,
            "next_word_top1": self.next_word_top1 / max(self.next_word_total, 1),
            f"next_word_top{self.n}": self.next_word_topk / max(self.next_word_total, 1),
            "next_word_events": self.next_word_total,
            "offered": self.offered,
            "non_word_share": self.unknown / max(self.offered, 1),
            "repeated_strips": self.repeated_strips,
            "predict_calls": len(self.latencies_ms),
            "latency_ms": percentiles(self.latencies_ms),
        }


def type_sentence(predict: Predictor, sentence: str, n: int, result: TypingResult,
                  ignore_case: bool = False, known: Callable[[str], bool] | None = None,
                  pack: LanguagePack = DEFAULT,
                  on_word: Callable[[str, int, int, int], None] | None = None) -> None:
    """Type one sentence into an empty field, updating ``result``; ``pack``: the text's language.
    ``on_word(word, start, keystrokes, characters)``: called after each word with the keystrokes
    it took and the characters they covered (the word, and the space a selection typed with it)."""
    spans = {m.start(): m.end() for m in pack.word_re.finditer(sentence)}
    result.characters += len(sentence)
    i = 0
    while i < len(sentence):
        end = spans.get(i)
        if end is None:  # not a word start: typed as is
            result.keystrokes += 1
            i += 1
            continue
        word = sentence[i:end].casefold() if ignore_case else sentence[i:end]
        result.words += 1
        start, keys_before = i, result.keystrokes
        has_letter = any(ch.isalpha() for ch in word)
        j = i  # cursor inside the word
        while j < end:
            t0 = time.perf_counter()
            offered = predict(sentence[:j], n)
            result.latencies_ms.append((time.perf_counter() - t0) * 1e3)
            _check_strip(offered[:n], result, known, pack)
            if ignore_case:
                offered = [w.casefold() for w in offered[:n]]
            if j == i and has_letter:
                result.next_word_total += 1
                result.next_word_top1 += bool(offered) and offered[0] == word
                result.next_word_topk += word in offered[:n]
            if word in offered[:n]:
                result.keystrokes += 1
                j = end
                if end < len(sentence) and sentence[end] == " ":
                    end += 1  # the selection inserted the space too
                break
            result.keystrokes += 1
            j += 1
        if on_word is not None:
            on_word(sentence[start:end].rstrip(" "), start, result.keystrokes - keys_before, end - start)
        i = end


def _check_strip(strip: list[str], result: TypingResult, known: Callable[[str], bool] | None,
                 pack: LanguagePack) -> None:
    result.offered += len(strip)
    if known is not None:
        result.unknown += sum(not known(w) for w in strip)
    if len({pack.fold(w) for w in strip}) < len(strip):
        result.repeated_strips += 1


def simulate(predict: Predictor, sentences: Iterable[str], n: int, progress: Callable | None = None,
             ignore_case: bool = False, known: Callable[[str], bool] | None = None,
             pack: LanguagePack = DEFAULT) -> TypingResult:
    result = TypingResult(n=n)
    for s in sentences:
        type_sentence(predict, s, n, result, ignore_case=ignore_case, known=known, pack=pack)
        if progress is not None:
            progress(1)
    return result
