"""Typing in two languages at once (issue 24): engine/multi.py's language shares, the
MultiEngine over the shipped English and German bundles, and the user memory's rules
per language (a German prefix typed without umlauts finds a learned word with them;
each loaded language's shipped blocklist applies)."""

from __future__ import annotations

import math

import pytest

from nextkey.engine import Engine, MultiEngine, MultiSettings
from nextkey.engine.lang import get_pack
from nextkey.engine.memory import MemoryConfig, UserMemory
from nextkey.engine.multi import language_shares

DE = get_pack("de")


# -- the forward algorithm over sentences -------------------------------------------------

def units(*scores):
    return [(f"w{i}", s) for i, s in enumerate(scores)]


def test_a_sentence_with_no_words_yet_takes_the_language_of_the_one_before():
    earlier = [[-6.0, -28.0]]  # a sentence English's model explains far better
    share_en, share_de = language_shares(earlier, [[], []], switch=0.05)
    assert share_en == pytest.approx(0.95, abs=1e-3) and share_de == pytest.approx(0.05, abs=1e-3)
    share_en, _ = language_shares(earlier, [[], []], switch=0.2)
    assert share_en == pytest.approx(0.8, abs=1e-3)  # the switch probability is the prior of a change


def test_the_words_of_the_current_sentence_outweigh_the_switch_penalty():
    earlier = [[-3.0, -17.0], [-5.0, -20.0]]  # two English sentences
    share_en, share_de = language_shares(earlier, [units(-12.0, -10.0), units(-3.0, -2.0)], switch=0.05)
    assert share_de > 0.99 and math.isclose(share_en + share_de, 1.0)


def test_close_scores_share_the_sentence_and_no_context_is_uniform():
    shares = language_shares([], [units(-5.0), units(-5.2)], switch=0.05)
    assert 0.5 < shares[0] < 0.6
    assert language_shares([], [[], []], switch=0.05) == pytest.approx([0.5, 0.5])


def test_sentences_split_differently_are_compared_on_the_words_both_hold():
    en = [("old", -50.0), ("a", -1.0), ("b", -1.0)]
    de = [("a", -3.0), ("b", -3.0)]  # its rules started the sentence later: "old" is not compared
    share_en, _ = language_shares([], [en, de], switch=0.05)
    assert share_en == pytest.approx(1 / (1 + math.exp(-4.0)), rel=1e-6)


@pytest.mark.parametrize("switch,mix", [(0.0, 0.05), (1.0, 0.05), (0.05, 0.0), (0.05, 0.7)])
def test_settings_out_of_range_are_refused(switch, mix):
    with pytest.raises(ValueError):
        MultiSettings(switch=switch, mix_share=mix)


# -- the memory in each language ------------------------------------------------------------

@pytest.mark.parametrize("typed,expected", [
    ("schoe", ["schoe", "schö"]), ("schö", ["schö", "schoe"]), ("scho", ["scho", "schö"]),
    ("gros", ["gros", "groß"]), ("Ueber", ["ueber", "über"]), ("Haus", ["haus", "hauß"]), ("Mae", ["mae", "mä"]),
])
def test_a_german_prefix_stands_for_its_spellings_with_and_without_umlauts(typed, expected):
    assert DE.prefix_spellings(typed) == expected
    assert get_pack("en").prefix_spellings(typed) == [typed.lower()]  # English folds no letters


def test_the_memory_blocks_every_loaded_language_s_shipped_words():
    memory = UserMemory(MemoryConfig(path=None))
    assert memory.is_blocked("fuck") and not memory.is_blocked("arschloch")
    memory.add_language(DE)
    memory.add_language(DE)  # once is enough
    assert memory.languages == ["en", "de"]
    assert memory.is_blocked("Arschloch") and memory.is_blocked("Arschlochs") and memory.is_blocked("fuck")
    assert not memory.is_blocked("Arsenal") and not memory.is_blocked("Haus")


# -- the shipped bundles ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def multi():
    eng = Engine.load(lang=["en", "de"])
    yield eng
    eng.close()


def test_engine_load_with_two_languages_gives_a_multi_engine(multi):
    assert isinstance(multi, MultiEngine) and multi.languages == ["en", "de"]
    assert multi.memory is multi.engines[0].memory is multi.engines[1].memory
    assert isinstance(Engine.load(lang=["en"]), Engine)  # one language: the plain engine
    with pytest.raises(ValueError, match="each language once"):
        Engine.load(lang=["de", "de"])
    with pytest.raises(TypeError, match="lang must be"):
        Engine.load(lang=5)
    with pytest.raises(TypeError, match="lang must be"):
        Engine.load(lang=[5, "de"])
    with pytest.raises(TypeError):
        multi.knows(None)
    both = Engine.load(lang="en+de")  # as nextkey suggest --lang en+de takes it
    assert isinstance(both, MultiEngine) and both.languages == ["en", "de"]


def test_each_sentence_is_predicted_in_its_own_language(multi):
    english = "We went to the station and waited for the train."
    german = "Wir sind zum Bahnhof gegangen und haben auf den Zug gewartet."
    assert multi.shares(english + " I would like to ")["en"] > 0.99
    assert multi.shares(english + " Ich habe heute keine ")["de"] > 0.99
    assert multi.shares(german + " Ich habe heute keine ")["de"] > 0.99
    words = [s.word for s in multi.suggest(german + " Das ist ein ", 5)]
    assert words and all(w in multi.engines[1].bundle.lexicon for w in words), words
    words = [s.word for s in multi.suggest(english + " I would like to ", 5)]
    assert words and all(multi.engines[0].knows(w) for w in words), words


def test_a_sentence_start_after_one_language_offers_the_other_s_words_by_their_letters(multi):
    english = "We went to the station and waited for the train."
    shares = multi.shares(english + " ")
    assert shares["en"] == pytest.approx(1 - multi.multi.switch, abs=0.01)
    assert shares["de"] >= multi.multi.mix_share  # both strips are mixed at a sentence start ...
    german = multi.engines[1].suggest(english + " Übr", 3)
    words = [s.word for s in multi.suggest(english + " Übr", 3)]
    assert german and german[0].word in words, words  # ... so the first letters of a German word find it


def test_the_multi_session_edits_like_a_session(multi):
    s = multi.session()
    s.type("Ich habe ")
    first = s.suggest(3)
    assert first and s.last_shares["de"] > 0.5
    s.accept(first[0])
    assert s.text == f"Ich habe {first[0].word} "
    s.backspace(len(first[0].word) + 1)
    assert s.text == "Ich habe " and s.suggest(3) == first


def test_a_german_word_learned_with_umlauts_is_found_typed_without_them():
    eng = Engine.load(lang="de")
    for _ in range(3):
        eng.learn_text("Der Zwölfkampf war schön.")
    assert "Zwölfkampf" in [s.word for s in eng.suggest("Der Zwoelfk", 3)]
    assert "Zwölfkampf" in [s.word for s in eng.suggest("Der Zwölfk", 3)]
    assert not any(s.word.lower().startswith("arschl") for s in eng.suggest("Du bist ein Arschl", 5))
