"""The language pack (engine/lang/): training and the engine cut sentences and
words the same way, and every English fact the engine uses comes from the pack.

The sentence tables are keystroke traces: what was typed -> whether the next
word starts a sentence, and what the model is fed (units, with </s> where
state.unit_tokens adds one).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest

from nextkey.engine import keyboard, lexicon, memory, text
from nextkey.engine.tracker import WindowConfig, parse
from nextkey.engine.form import shape
from nextkey.engine.keyboard import Layout, SlipConfig, SlipModel
from nextkey.engine.lang import DEFAULT, LanguagePack, get_pack
from nextkey.engine.memory import MemoryConfig, UserMemory
from nextkey.engine.state import unit_tokens
from nextkey.evaluate.typing_sim import simulate
from nextkey.export.lexicon import count_corpus
from nextkey.train.corpus import CorpusConfig, iter_sentences, normalize

EN = get_pack("en")


def fed(ctx) -> list[str]:
    """What the model is fed for a context: each unit's chunks, then </s> where the unit ends a sentence."""
    return [tok for u in ctx.units for tok in unit_tokens(str.split, u, "</s>")]


# ------------------------------------------------------------------- the pack

def test_get_pack_knows_english_and_names_the_known_codes():
    assert EN is DEFAULT and EN.code == "en" and EN.wordfreq_code == "en"
    with pytest.raises(ValueError, match=r"'xx'.*\['de', 'en'\]"):
        get_pack("xx")
    with pytest.raises(ValueError, match="known languages"):
        get_pack(None)


def test_module_level_names_are_the_english_packs():
    assert text.NOT_AT_HYPHEN_EDGE is EN.hyphen_stop_words and "the" in text.NOT_AT_HYPHEN_EDGE
    assert text.WORD is EN.word_re and text.CONTROL is EN.control_re
    assert lexicon.fold is EN.fold
    assert keyboard.LAYOUTS == dict(EN.layouts) and set(keyboard.LAYOUTS) == {"qwerty", "azerty", "qwertz"}
    assert memory.SHIPPED_BLOCKLIST == EN.blocklist_path and EN.blocklist_path.name == "en_blocklist.txt"
    assert "bastard" in EN.blocklist_path.read_text(encoding="utf-8").split()


@pytest.mark.parametrize("word, folded", [("Don’t", "don't"), ("DON'T", "don't"), ("Hello", "hello"), ("", "")])
def test_fold(word, folded):
    assert EN.fold(word) == folded


@pytest.mark.parametrize("word, typed, sentence_start, shown", [
    ("i", "", False, "I"), ("i'm", "", False, "I'm"), ("i’ll", "", False, "I’ll"),
    ("it", "", False, "it"), ("in", "", True, "In"), ("i", "I", False, "I"),
])
def test_the_i_rule_is_the_packs(word, typed, sentence_start, shown):
    assert shape(word, typed, sentence_start) == shown
    # A pack without the rule leaves "i" alone: the rule is data, not code.
    assert shape(word, typed, sentence_start, dataclasses.replace(EN, capitalized_words=frozenset())) \
        == (word[:1].upper() + word[1:] if sentence_start or typed[:1].isupper() else word)


LOWER_FORMS = {"constitution", "states", "apple", "sie"}


@pytest.mark.parametrize("word, typed, sentence_start, shown", [
    ("Constitution", "const", False, "constitution"),  # a lowercase spelling exists: the typed case wins
    ("States", "st", False, "states"),
    ("Apple", "appl", False, "apple"),
    ("Monday", "mon", False, "Monday"),  # no lowercase spelling: the model's capital stays
    ("London", "lond", False, "London"),
    ("Constitution", "Const", False, "Constitution"),  # a capital typed
    ("Constitution", "const", True, "Constitution"),  # a sentence start
    ("Constitution", "", False, "Constitution"),  # nothing typed: no case to follow
    ("Constitution", "CONST", False, "CONSTITUTION"),
    ("Sie", "si", False, "sie"),  # German: "sie" is a spelling too
    ("Constitution", "'c", False, "Constitution"),  # typed starts with no letter: no rule
])
def test_lowercase_typed_keeps_a_word_lowercase_where_it_has_that_spelling(word, typed, sentence_start, shown):
    assert shape(word, typed, sentence_start, EN, LOWER_FORMS.__contains__) == shown
    assert shape(word, typed, sentence_start, EN) == shape(word, typed, sentence_start)  # no lexicon: no rule


@pytest.mark.parametrize("typed, shown, not_shown", [
    ("Any proposal for a new const", "constitution", "Constitution"),  # the lexicon spells it both ways
    ("Any proposal for a new Const", "Constitution", "constitution"),
    ("groups of member st", "states", "States"),
    ("I would like to see you on mon", "Monday", "monday"),  # only "Monday" is a spelling
    ("I flew to lond", "London", "london"),
])
def test_the_default_engine_follows_the_case_typed(default_engine, typed, shown, not_shown):
    got = [s.word for s in default_engine.suggest(typed, 3)]
    assert shown in got and not_shown not in got, (typed, got)


@pytest.fixture(scope="module")
def default_engine():
    from nextkey.engine import Engine

    return Engine.load()


def test_one_control_set_for_training_and_input():
    """train/corpus.normalize and engine/text.clean drop the same characters
    (they differed: the corpus kept C1 controls and zero-width joiners and dropped
    vertical tab and form feed)."""
    differ = [hex(c) for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF
              and normalize(f"a{chr(c)}b") != " ".join(text.clean(f"a{chr(c)}b").split())]
    assert differ == []
    assert normalize("a\u200db\x85c\x0bd") == "abc d"


def test_the_typo_model_uses_the_packs_layouts_and_alphabet():
    fewer = dataclasses.replace(EN, alphabet="xz")
    is_prefix = {"txh", "tzh", "tah"}.__contains__  # a letter left out after the first: "th" for "tah"
    assert set(SlipModel(SlipConfig(), fewer, is_prefix).meant("th")) == {"txh", "tzh"}
    assert set(SlipModel(SlipConfig(), DEFAULT, is_prefix).meant("th")) == {"tah", "txh", "tzh"}
    with pytest.raises(ValueError, match=r"'dvorak'.*\['azerty', 'qwerty', 'qwertz'\]"):
        Layout.build("dvorak", 1.3)


def test_the_memory_folds_as_the_lexicon():
    """The user memory kept the curly apostrophe in its keys: "don’t" and "don't"
    were two words, and a prefix typed with the other apostrophe missed them."""
    mem = UserMemory(MemoryConfig(path=None))
    for word in ("Don’t", "don't", "Don’t"):
        mem.observe(word, None)
    assert len(mem.words) == 1 and mem.prob("DON'T", None) > 0
    assert mem.candidates("don’", 5) == mem.candidates("don'", 5) != []


# ------------------------------------------------------------- the one rule

@pytest.mark.parametrize("typed, sentence_start, units", [
    ("", True, []),
    ("Hello. ", True, []),
    ("Hello.", True, ["Hello.", "</s>"]),  # until text follows, the sentence end is being typed
    ("Hello.\n", True, []),
    ("Thanks\nwh", True, []),  # a line break ends a sentence whatever came before it
    ("Yes! ", True, []),
    ("Really? yes ", False, ["Really?", "yes"]),  # a lowercase word continues it (the corpus's rule)
    ("It was late. h", True, []),  # the word being typed is not known yet
    ("It was late. he said ", False, ["It", "was", "late.", "he", "said"]),  # no </s> inside
    ("It was late. He said ", False, ["He", "said"]),
    ("Is it 5? 6 of them ", False, ["6", "of", "them"]),  # a digit starts a sentence
    ('He said "Stop." ', True, []),
    ('He said "Stop." Then ', False, ["Then"]),
    ('"Stop!" he said ', False, ['"Stop!"', "he", "said"]),  # a dialogue tag stays in its sentence
    # abbreviations and initials never end a sentence
    ("I met Dr. ", False, ["I", "met", "Dr."]),
    ("I met Dr. Sm", False, ["I", "met", "Dr."]),
    ("I met Dr. Smith ", False, ["I", "met", "Dr.", "Smith"]),
    ("Mr. ", False, ["Mr."]),
    ("Mr.", False, ["Mr."]),
    ("Use a tool, e.g. a hammer ", False, ["Use", "a", "tool,", "e.g.", "a", "hammer"]),
    ("That is, i.e. ", False, ["That", "is,", "i.e."]),
    ("The U.S. ", False, ["The", "U.S."]),
    ("The U.S. Senate ", False, ["The", "U.S.", "Senate"]),
    ("John F. Ken", False, ["John", "F."]),
    # "etc.", lowercase dotted forms and ellipses end one only before a capital
    ("I bought milk, eggs, etc. an", False, ["I", "bought", "milk,", "eggs,", "etc."]),
    ("I bought eggs, etc. ", False, ["I", "bought", "eggs,", "etc."]),
    ("I bought eggs, etc.", False, ["I", "bought", "eggs,", "etc."]),
    ("I bought eggs, etc. The ", False, ["The"]),
    ("See you at 5 p.m. ", False, ["See", "you", "at", "5", "p.m."]),
    ("See you at 5 p.m. Then ", False, ["Then"]),
    ("at 5 p.m. 6 came ", False, ["at", "5", "p.m.", "6", "came"]),
    ("Wait... ", False, ["Wait..."]),
    ("Wait... what ", False, ["Wait...", "what"]),
    ("Wait… what ", False, ["Wait…", "what"]),
    ("Wait... What ", False, ["What"]),
    ("Wait… What ", False, ["What"]),
    # decimals and times: no whitespace after the period
    ("It costs 3.5 ", False, ["It", "costs", "3.5"]),
    ("We met at 10.30 ", False, ["We", "met", "at", "10.30"]),
])
def test_sentence_start_and_what_the_model_is_fed(typed, sentence_start, units):
    ctx = parse(typed)
    assert (ctx.sentence_start, fed(ctx)) == (sentence_start, units)


def test_a_plain_end_continued_in_lowercase_is_fed_as_one_unit():
    """"late. he" is one unit: the same tokens as two, and no </s> between them."""
    ctx = parse("It was late. he said ")
    assert ctx.units == ("It", "was", "late. he", "said")
    # without sentence scope the whole text is fed: </s> after a sentence end the rule keeps
    whole = parse("Hi. It was late. he said. Then ", WindowConfig(sentence_scope=False))
    assert fed(whole) == ["Hi.", "</s>", "It", "was", "late.", "he", "said.", "</s>", "Then"]


# Texts as a user types them and as training text holds them; a line break ends a line of a file.
TEXTS = [
    "I met Dr. Smith at the U.S. embassy. He was late. she was not.",
    "Mr. and Mrs. Jones came at 5 p.m. They left at 10.30 the next day. It cost 3.5 dollars, etc. and more.",
    "We brought apples, pears, etc. The rest, e.g. bread, came later, i.e. at noon. John F. Kennedy spoke.",
    'He said "Stop." Then he went. "Why?" she asked. Wait... what? Wait… Now it is over.',
    "It was late... and dark. Is it 5? 6 of them came! Yes. (Really.) No. 5 is mine.",
    "First line without an end\nSecond line. Third sentence\n\nA new paragraph.",
]


@pytest.mark.parametrize("raw", TEXTS)
def test_training_and_typing_cut_the_same_sentences(raw):
    """For every word typed and followed by a space (or the line break the text has
    there), the engine's current sentence is the training corpus's sentence up to that
    word, fed without </s> inside; or nothing, when that word ends a sentence (then
    the end of the text counts as one until the next word is known)."""
    cfg = CorpusConfig(out_dir=".", sources=("x",))
    sentences = list(iter_sentences(raw.splitlines(), cfg))  # the corpus: lines, then the rule
    at = []  # per chunk of the text: (its sentence, its index in it)
    for s in sentences:
        at += [(s, i) for i in range(len(s.split()))]
    chunks = list(re.finditer(r"\S+", raw))
    assert len(chunks) == len(at)
    for m, (s, i) in zip(chunks, at):
        typed = raw[: m.end()] + (raw[m.end()] if m.end() < len(raw) else " ")
        ctx = parse(typed)
        if typed.endswith("\n") or text.ends_sentence(m.group(0)):
            want = []
        else:
            want = s.split()[: i + 1]
        assert fed(ctx) == want, typed


@pytest.mark.parametrize("raw", TEXTS)
def test_training_and_the_engine_count_the_same_words(raw, tmp_path):
    """The lexicon export's corpus counts (export/lexicon.count_corpus over the corpus
    lines) are the engine's words (text.words): the words the engine learns and the
    typing simulation types."""
    cfg = CorpusConfig(out_dir=".", sources=("x",))
    path = tmp_path / "train.txt"
    path.write_text("\n".join(iter_sentences(raw.splitlines(), cfg)) + "\n", encoding="utf-8")
    counts, _ = count_corpus(path)
    engine_words = Counter(EN.fold(w) for w in text.words(raw)
                           if any(ch.isalpha() for ch in w) and not any(ch.isdigit() for ch in w))
    assert counts == engine_words
    typed = simulate(lambda t, n: [], [raw], 3)
    assert typed.words == len(text.words(raw))


@pytest.mark.parametrize("raw, words", [
    ("Don’t stop, it's well-known.", ["Don’t", "stop", "it's", "well-known"]),
    ("The U.S. e.g. p.m. 3.5 10.30", ["The", "U", "S", "e", "g", "p", "m", "3", "5", "10", "30"]),
    ("rock'n'roll — 'quoted' (x)", ["rock'n'roll", "quoted", "x"]),
])
def test_what_a_word_is(raw, words):
    assert text.words(raw) == words


def test_a_pack_without_the_capital_requirement_ends_sentences_before_lowercase():
    lax = dataclasses.replace(EN, capital_after_end=False)
    assert text.split_sentences("It was late. he left. etc. and so on", lax) == \
        ["It was late.", "he left.", "etc. and so on"]
    assert text.split_sentences("It was late. he left. etc. and so on") == ["It was late. he left. etc. and so on"]
    ctx = parse("It was late. he said ", pack=lax)
    assert fed(ctx) == ["he", "said"]


# ------------------------------------------------------- the shipped engine

@pytest.fixture(scope="module")
def default_engine():
    from nextkey.engine import Engine

    return Engine.load()


@pytest.mark.parametrize("typed, capitalized", [
    ("I met Dr. ", False),
    ("I bought milk, eggs, etc. an", False),
    ("See you at 5 p.m. ", False),
    ("It was late. ", True),
    ("It was late. h", True),
])
def test_the_strip_follows_the_rule(default_engine, typed, capitalized):
    got = [s.word for s in default_engine.suggest(typed, n=3)]
    assert len(got) == 3
    if capitalized:
        assert all(w[0].isupper() for w in got), got
    else:  # no sentence start: a capital only where the lexicon spells the word so ("Dr. " -> "John")
        assert all(w[0].islower() or default_engine.bundle.lexicon.has_form(w) for w in got), got
