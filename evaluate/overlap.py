"""Does an evaluation text share text with the training text? Shared sentences and long word n-grams.

A held-out figure means something only if the model never trained on the
held-out words. Two counts per evaluation text:

- sentences of the evaluation text that are also sentences of the training
  text (exact, after the corpus's normalization: the files hold it);
- word n-grams (default 8) of the evaluation text that also occur in the
  training text, and the evaluation sentences holding one: a long run of
  words in common is a copied passage, a quoted message or a template, not
  chance. Words are compared lowercased, without punctuation (``words``).

Only the evaluation text's n-grams are held in memory; the training text is
streamed past them, so millions of training words cost seconds, not gigabytes.
bench/eval_overlap.py runs it on the project's evaluation texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def words(sentence: str) -> list[str]:
    """The words of a sentence, lowercased, without punctuation ("Don't stop!" -> ["don't", "stop"])."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(sentence)]


def ngrams(sentence: str, n: int) -> set[tuple[str, ...]]:
    w = words(sentence)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


@dataclass
class Overlap:
    sentences: int  # of the evaluation text
    ngrams: int  # distinct n-grams of the evaluation text
    shared_sentences: int = 0  # evaluation sentences that are training sentences
    shared_ngrams: int = 0  # distinct evaluation n-grams found in the training text
    sentences_with_shared_ngram: int = 0
    examples: list[str] = field(default_factory=list)  # a few evaluation sentences with a shared n-gram

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def overlap(evaluation: list[str], training: Iterable[str], n: int = 8, examples: int = 5) -> Overlap:
    """What ``evaluation`` (sentences) shares with ``training`` (sentences, streamed once)."""
    assert n >= 1
    wanted = set(evaluation)
    grams = set().union(*(ngrams(s, n) for s in evaluation)) if evaluation else set()
    found_sentences: set[str] = set()
    found_grams: set[tuple[str, ...]] = set()
    for s in training:
        if s in wanted:
            found_sentences.add(s)
        w = words(s)
        for i in range(len(w) - n + 1):
            g = tuple(w[i:i + n])
            if g in grams:
                found_grams.add(g)
    with_gram = [s for s in evaluation if ngrams(s, n) & found_grams]
    return Overlap(sentences=len(evaluation), ngrams=len(grams), shared_sentences=len(found_sentences),
                   shared_ngrams=len(found_grams), sentences_with_shared_ngram=len(with_gram),
                   examples=with_gram[:examples])
