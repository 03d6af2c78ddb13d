"""Real typing (issue 20): the kinds of fault users of other keyboards report, as a table
of keystroke cases on the bundled model, 3 suggestions, fresh user data: what was
typed -> what must and must not be in the strip, and the text after accepting.

Each kind has its rule in one place (the language pack, engine/text.py, the
selector); these cases are variants of the kind, not the strings of the issue.
"""

from __future__ import annotations

import pytest

from nextkey.engine import Engine
from nextkey.engine.lang import get_pack
from nextkey.engine.text import learned_form, takes_space

EN = get_pack("en")


@pytest.fixture(scope="module")
def eng():
    return Engine.load()


def strip(eng, text, n=3):
    return [s.word for s in eng.suggest(text, n)]


# ---------------------------------------------------------------- 1. contractions typed bare

@pytest.mark.parametrize("typed, wanted", [
    ("ok so im", "I'm"), ("Im", "I'm"), ("I think thats", "that's"), ("Dont", "Don't"), ("DONT", "DON'T"),
    ("I cant", "can't"), ("she doesnt", "doesn't"), ("I havent", "haven't"), ("you know whats", "what's"),
    ("theyre", "They're"), ("we wont", "won't"), ("I told you youre", "you're"), ("I didnt", "didn't"),
    ("it isnt", "isn't"), ("they wouldnt", "wouldn't"), ("lets", "Let's"), ("tomorrow ill", "I'll"),
    ("I can’t go. Im", "I’m"),  # the user's own apostrophe
])
def test_a_contraction_typed_without_its_apostrophe_is_offered(eng, typed, wanted):
    words = strip(eng, typed)
    assert wanted in words, words
    bare = EN.bare(wanted).lower()
    if bare in EN.misspellings:  # "dont" is no word: never offered beside the contraction
        assert bare not in {w.lower() for w in words}, words


@pytest.mark.parametrize("typed, word, contraction", [
    ("tomorrow ill", "ill", "I'll"), ("I think its", "its", "it's"), ("I cant", "cant", "can't"),
])
def test_a_bare_form_that_is_a_word_is_offered_beside_the_contraction(eng, typed, word, contraction):
    words = strip(eng, typed, 5)
    assert word in words and contraction in words, words


@pytest.mark.parametrize("typed, first", [("the dog wagged its", "its"), ("we were", "were"), ("I feel well", "well")])
def test_context_decides_between_a_word_and_its_contraction(eng, typed, first):
    assert strip(eng, typed)[0] == first


@pytest.mark.parametrize("typed, wanted, after", [
    ("ok so im", "I'm", "ok so I'm "), ("Dont", "Don't", "Don't "), ("I think thats", "that's", "I think that's "),
])
def test_accepting_a_contraction_replaces_the_typed_word(eng, typed, wanted, after):
    sess = eng.session(typed)
    pick = next(s for s in sess.suggest(3) if s.word == wanted)
    assert pick.corrected  # it does not start with what was typed
    sess.accept(pick)
    assert sess.text == after


@pytest.mark.parametrize("word, learned", [("im", "I'm"), ("dont", "don't"), ("Thats", "That's"), ("ill", "ill"),
                                           ("were", "were"), ("hello", "hello")])
def test_a_bare_misspelling_is_learned_as_its_contraction(word, learned):
    assert learned_form(word, EN) == learned


def test_the_session_learns_im_as_i_m():
    eng = Engine.load()
    sess = eng.session(learn=True)
    for ch in "ok so im going home ":
        sess.type(ch)
        sess.suggest(3)
    assert eng.memory.prob("I'm", None) > 0 and eng.memory.prob("im", None) == 0


# ---------------------------------------------------------------- 2. periods that end no sentence

@pytest.mark.parametrize("typed, lower", [
    ("I bought milk, eggs, etc. an", "and"), ("I met Dr. Smith and Mr. Jones at the", None),
    ("It costs 3.5 m", None), ("We met at 10.30 a", None), ("Wait... wh", None), ("He lives in the U.S. an", "and"),
    ("see Fig. 3 and", None), ("It starts at 5 p.m. to", None), ("Ask J. R. R. Tolkien ab", None),
])
def test_a_period_that_ends_no_sentence_does_not_capitalize_the_next_word(eng, typed, lower):
    words = strip(eng, typed)
    assert words and not any(w[:1].isupper() and w != "I" and not w.startswith("I'") for w in words[:1]), words
    if lower:
        assert lower in words and lower.capitalize() not in words, words


@pytest.mark.parametrize("typed", ["It was late. Th", "Really? Wh", "Stop! Th", "He left.\nTh"])
def test_a_sentence_end_still_capitalizes(eng, typed):
    assert all(w[:1].isupper() for w in strip(eng, typed))


# ---------------------------------------------------------------- 3. addresses

@pytest.mark.parametrize("address", ["bob@example.com", "jane.doe+news@mail.example.org", "https://example.com/a-b",
                                     "www.example.co.uk", "http://localhost:8080/x?q=1"])
def test_the_word_after_an_address_is_predicted_from_the_sentence_around_it(eng, address):
    assert strip(eng, f"I sent it to {address} and ") == strip(eng, "I sent it to and ")
    assert strip(eng, f"I sent it to {address} and th") == strip(eng, "I sent it to and th")


# ---------------------------------------------------------------- 4. punctuation after a picked word

@pytest.mark.parametrize("mark", list(".,?!:;)]}…”"))
def test_punctuation_after_an_accepted_word_takes_its_space(eng, mark):
    sess = eng.session("See you tomor")
    sess.accept(sess.suggest(3)[0])
    assert sess.text == "See you tomorrow "
    sess.type(mark)
    assert sess.text == "See you tomorrow" + mark


@pytest.mark.parametrize("before, mark, takes", [
    ('He said "see you tomorrow ', '"', True), ("see you tomorrow ", '"', False),  # an opening quote keeps the space
    ("it's a 'test ", "'", True), ("it's a test ", "'", False), ("see you tomorrow ", "(", False),
    ("see you tomorrow ", "a", False), ("see you tomorrow", ".", False),
    # paired quotes: German „…“ ‚…‘ »…«, French and Swiss «…»; an English “ or ‘ opens
    ("Er sagte: „Das ist gut ", "“", True), ("He said ", "“", False), ("„Ja“, sagte er ", "“", False),
    ("Sie fragte ‚wirklich ", "‘", True), ("He said ", "‘", False),
    ("Er sagte »ja ", "«", True), ("Er sagte ", "»", False), ("Il a dit «oui ", "»", True), ("Il a dit ", "«", False),
])
def test_which_marks_take_the_space(before, mark, takes):
    assert takes_space(before, mark) is takes


@pytest.mark.parametrize("edit", ["typed space", "backspace", "set_text"])
def test_only_the_space_an_accept_added_is_taken(eng, edit):
    sess = eng.session("See you tomor")
    sess.accept(sess.suggest(3)[0])
    if edit == "typed space":
        sess.backspace()
        sess.type(" ")
    elif edit == "backspace":
        sess.type("x")
        sess.backspace()
    else:
        sess.set_text(sess.text)
    sess.type(".")
    assert sess.text == "See you tomorrow ."


def test_accepting_by_text_then_punctuation(eng):
    sess = eng.session("I will call you tod")
    sess.accept("today")
    sess.type("!")
    sess.type(" ")
    sess.type("B")
    assert sess.text == "I will call you today! B"


# ---------------------------------------------------------------- 5. digits inside words

@pytest.mark.parametrize("typed, meant", [
    ("say hell0", "hello"), ("see you t0morrow", "tomorrow"), ("wh9ch one", None), ("it was gr3at", "great"),
    ("the p4ople", "people"), ("I w8sh", "wish"),
])
def test_a_digit_beside_the_letter_meant_is_a_slip(eng, typed, meant):
    if meant is None:  # the slip is in an earlier word: the text goes on, the word typed is completed
        found = strip(eng, typed)
        last = typed.split()[-1]
        assert found and all(w.lower().startswith(last) for w in found), found
        return
    found = eng.suggest(typed, 3)
    hit = next((s for s in found if s.word == meant), None)
    assert hit is not None and hit.corrected, found


@pytest.mark.parametrize("typed", ["555", "call 911", "at 10:30", "it costs 3.5", "room 12", "PIN 4417", "v2.0.1"])
def test_numbers_and_codes_get_no_words(eng, typed):
    assert strip(eng, typed) == []


# ---------------------------------------------------------------- 6. blocking blocks every form

@pytest.mark.parametrize("word, forms, typed", [
    ("tomorrow", ["tomorrow's", "tomorrows"], "see you tomor"),
    ("city", ["cities", "city's"], "the cit"),
    ("walk", ["walked", "walking", "walks"], "we wal"),
])
def test_blocking_a_word_blocks_its_inflected_and_possessive_forms(word, forms, typed):
    eng = Engine.load()
    before = {w.lower() for w in strip(eng, typed, 10)}
    assert before & set(forms), before  # the forms were offered
    eng.memory.block(word)
    after = {w.lower() for w in strip(eng, typed, 10)}
    assert not after & set(forms + [word]), after
    for form in forms:  # corrections too: a slip of the form is not offered either
        assert eng.memory.is_blocked(form)


@pytest.mark.parametrize("blocked, other", [("ass", "class"), ("ass", "assess"), ("cat", "catch"), ("walk", "walker's")])
def test_blocking_leaves_other_words_alone(blocked, other):
    eng = Engine.load()
    eng.memory.block(blocked)
    if other == "walker's":  # -er is an inflection: the comparative form of an adjective
        assert eng.memory.is_blocked(other)
    else:
        assert not eng.memory.is_blocked(other)


def test_a_blocked_word_typed_in_full_is_still_shown(eng):
    e = Engine.load()
    e.memory.block("tomorrow")
    assert "tomorrow" in strip(e, "see you tomorrow")


# ---------------------------------------------------------------- 7. only real compounds

@pytest.mark.parametrize("typed", ["moose-", "end-", "the non-de", "a giraffe-sh", "role-"])
def test_no_compound_is_built_part_by_part_that_no_one_writes(eng, typed):
    lex = eng.bundle.lexicon
    for w in strip(eng, typed, 5):
        assert w in lex, w


@pytest.mark.parametrize("typed, wanted", [("a well-kn", "well-known"), ("twenty-f", "Twenty-five"),
                                           ("a long-t", "long-term"), ("so-cal", "So-called")])
def test_attested_compounds_are_still_completed(eng, typed, wanted):
    assert wanted in strip(eng, typed)


def test_a_compound_the_user_taught_is_completed():
    eng = Engine.load()
    eng.learn_text("the moose-hunt was on\nthe moose-hunt was on")
    assert "moose-hunt" in strip(eng, "the moose-h")


# ---------------------------------------------------------------- the measurement (nextkey eval --kinds)

def test_the_kinds_measure_what_they_say(eng):
    from nextkey.evaluate.kinds import run_kinds
    sentences = ["I don't know what it's for, but we'll see.", "They met Dr. Smith at the station.",
                 "Call me at 555 or later tonight.", "Please send the letter to my mother tomorrow.",
                 "We would like to see you at the meeting on Monday morning."]
    report = run_kinds(eng, sentences, 3, kinds=("contractions", "punctuation", "numbers", "addresses", "digits"))
    assert report["contractions"]["cases"] == 3 and report["contractions"]["rate"] == 1.0
    assert report["punctuation"]["cases"] == 6 and report["punctuation"]["rate"] == 1.0
    assert report["numbers"]["cases"] == 3 and report["numbers"]["rate"] == 1.0
    assert report["addresses"]["cases"] == 5 and report["addresses"]["rate"] == 1.0
    assert report["digits"]["cases"] >= 5 and 0 < report["digits"]["rate"] <= 1


def test_made_addresses_are_addresses_and_digit_slips_are_beside_the_letter():
    import random

    from nextkey.engine.keyboard import Layout
    from nextkey.engine.text import in_address
    from nextkey.evaluate.kinds import digit_slip, make_address
    rng = random.Random(1)
    assert all(in_address("mail " + make_address(rng)) for _ in range(50))
    near = Layout.build("qwerty", 1.3).neighbours
    for word in ["hello", "people", "wish", "great", "tomorrow"]:
        slipped = digit_slip(word, rng)
        i = next(k for k, (a, b) in enumerate(zip(word, slipped)) if a != b)
        assert i > 0 and slipped[i].isdigit() and slipped[i] in near[word[i]]


# ---------------------------------------------------------------- a newcomer's trial (variants of each kind)

@pytest.mark.parametrize("typed", ["go to example.org/pa", "see google.com", "at github.com/acme/se", "(docs.python.org/3/li",
                                   "token sk_live_4eC3", "set my_var", "see x.io"])
def test_bare_domains_and_underscore_codes_are_addresses(eng, typed):
    assert strip(eng, typed) == []


def test_bare_domains_and_codes_are_never_learned():
    from nextkey.engine.text import learnable_words
    text = "See example.org/private/path please. Token ghp_AbCdEf and sk_live_Zyx ok, google.com too."
    assert [w for _, w in learnable_words(text)] == ["See", "please", "Token", "and", "ok", "too"]


@pytest.mark.parametrize("typed, wanted", [("I dpnt", "don't"), ("you shoukdnt", "shouldn't"), ("he isnr", "isn't"),
                                           ("youte", "You're")])
def test_a_slip_of_a_bare_contraction_is_corrected_to_the_contraction(eng, typed, wanted):
    words = strip(eng, typed)
    assert wanted in words and EN.bare(wanted).lower() not in {w.lower() for w in words}, words


@pytest.mark.parametrize("word, forms", [("stab", ["stabbed", "stabbing"]), ("shop", ["shopping", "shopped", "shoppers"]),
                                         ("big", ["bigger", "biggest"]), ("love", ["lover", "lovers"]),
                                         ("walk", ["walkers"])])
def test_blocking_blocks_forms_with_a_doubled_consonant_or_two_endings(word, forms):
    eng = Engine.load()
    eng.memory.block(word)
    assert all(eng.memory.is_blocked(f) for f in forms)


@pytest.mark.parametrize("word", ["spices", "spiced", "cocked", "pricking", "class", "butter"])
def test_the_shipped_list_does_not_block_ordinary_words_that_share_a_stem(word):
    assert not Engine.load().memory.is_blocked(word)


@pytest.mark.parametrize("typed, capital", [("No. Th", True), ("Do you want it? No. Th", True), ("see No. 5 an", False)])
def test_no_with_a_period_is_an_answer_before_a_capital_and_an_abbreviation_before_a_number(eng, typed, capital):
    ctx = eng.context(typed)
    assert ctx.sentence_start is capital or all(w[:1].isupper() == capital for w in strip(eng, typed))


@pytest.mark.parametrize("typed, after", [(["'s"], "James's"), (["'", "s"], "James's"), (["'", "l", "l"], "James'll")])
def test_an_apostrophe_ending_after_an_accepted_word_joins_it(eng, typed, after):
    sess = eng.session("I like Jam")
    sess.accept("James")
    for chars in typed:
        sess.type(chars)
    assert sess.text == "I like " + after


def test_a_session_learns_while_typing_without_asking_for_suggestions():
    eng = Engine.load()
    sess = eng.session(learn=True)
    for ch in "we met Vashti there and Vashti left ":
        sess.type(ch)
    assert eng.memory.words["vashti"][0] > 1.99  # twice (decayed a little by the words after it)
