"""The recency source (engine/sources/recency.py): the field's own earlier words, offered again
from their first letters, nothing stored; Query.history as the session builds it."""

from __future__ import annotations

import math

import pytest

from nextkey.engine import Engine
from nextkey.engine.lang import DEFAULT
from nextkey.engine.sources import Query
from nextkey.engine.sources.recency import HISTORY_WORDS, RecencySource


def q(typed: str, history: tuple[str, ...]) -> Query:
    return Query(typed, DEFAULT.fold(typed), history[-1] if history else None, True, False, 3, history=history)


def test_the_cache_is_a_distribution_over_the_fields_words():
    src = RecencySource(DEFAULT, decay=1.0)
    h = ("Zorvan", "met", "zorvan", "at", "noon")
    probs = {w: math.exp(src.logprob(w, q("", h))) for w in ("zorvan", "met", "at", "noon")}
    assert probs["zorvan"] == pytest.approx(2 / 5)  # case folded: both spellings count
    assert sum(probs.values()) == pytest.approx(1.0)
    assert src.logprob("absent", q("", h)) == -math.inf
    assert src.logprob("zorvan", q("", ())) is None  # an empty field: no opinion


def test_recent_words_weigh_more_and_the_last_form_typed_is_proposed():
    src = RecencySource(DEFAULT, decay=0.5, proposals=2)
    h = ("Quillby", "and", "quarrel", "and", "quillby")
    assert src.propose(q("q", h)) == ["quillby", "quarrel"]  # the last form, the most weight
    assert src.propose(q("", h)) == []  # min_prefix 1: nothing at a word's start
    assert RecencySource(DEFAULT, min_prefix=0).propose(q("", h))[:1] == ["quillby"]


@pytest.mark.parametrize("secret", ["hunter2xk9", "4111111111111111", "a8f3c9e1d2"])
def test_the_secrets_rule_keeps_codes_and_numbers_out(secret):
    src = RecencySource(DEFAULT)
    h = ("my", "code", "is", secret)
    assert src.logprob(secret, q("", h)) == -math.inf
    assert src.propose(q(secret[:2], h)) == []


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="decay"):
        RecencySource(DEFAULT, decay=0.0)


def test_a_session_offers_a_word_typed_earlier_in_the_field_and_not_its_addresses():
    eng = Engine.load()
    eng.add_source(RecencySource(eng.pack), 0.1)
    s = eng.session()
    s.set_text("We met Zorvan at the Quillby cafe. Write to zorvan@quillmail.org today. Later Zo")
    assert "Zorvan" in [x.word for x in s.suggest(3)]
    s.set_text("We met Zorvan at the Quillby cafe. Write to zorvan@quillmail.org today. Later quillm")
    assert not any("quillmail" in x.word.lower() for x in s.suggest(3))  # an address's parts are not words
    s.set_text("Zo")
    assert "Zorvan" not in [x.word for x in s.suggest(3)]  # nothing stored: a new text forgets it


def test_history_is_the_fields_last_words_one_tuple_per_committed_text():
    eng = Engine.load()
    s = eng.session()
    s.set_text("one two thr")
    assert s._history() == ("one", "two")
    first = s._history()
    s.set_text("one two thre")
    assert s._history() is first  # same committed text: the same tuple (the source's memo key)
    s.set_text(" ".join(f"w{i}x" if i % 2 else "word" for i in range(3 * HISTORY_WORDS)) + " ")
    assert len(s._history()) <= HISTORY_WORDS


def test_the_history_is_built_only_for_a_source_that_reads_it():
    eng = Engine.load()
    assert not eng.session()._wants_history  # the default wiring: no per-keystroke history work
    eng.add_source(RecencySource(eng.pack), 0.05)
    assert eng.session()._wants_history
