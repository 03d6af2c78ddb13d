from dataclasses import replace
import math
import random
import subprocess
import sys
import threading

import numpy as np
import pytest

from nextkey.engine import Engine, Suggestion
from nextkey.engine.tracker import parse
from nextkey.engine.text import clean, partial_word
from nextkey.engine.decoder import DecoderConfig
from nextkey.engine.settings import EngineSettings

from conftest import TINY_DECODER


def load(bundle):
    return Engine.load(bundle, settings=TINY_SETTINGS)


TINY_SETTINGS = EngineSettings(decoder=DecoderConfig(**TINY_DECODER))


@pytest.fixture(scope="module")
def engine(tiny_bundle):
    return load(tiny_bundle)


def words(eng, text, n=3):
    return [s.word for s in eng.suggest(text, n=n)]


# The tiny model is trained on "SUBJECT would like to ACTION TIME." and a few fixed lines.
@pytest.mark.parametrize("typed, intended, offered", [
    ("Thank you very ", "much", True),
    ("Thank you very m", "much", True),
    ("I would like to ", "go", True),
    ("I would like to s", "see", True),
    ("I would like to se", "see", True),
    ("I would like to see you on ", "Monday", True),
    ("I would like to see you on Mon", "Monday", True),
    ("I would like to see you on MON", "MONDAY", True),
    ("I would like to see you on mon", "Monday", True),   # the model's capital stays: no "monday" spelling
    ("I would like to see you on Fri", "Monday", False),  # the prefix rules it out
    ("I would like to x", "see", False),
    ("Hello there, my ", "friend", True),
    ("Good morning, ", "everyone", True),
])
def test_keystroke_table(engine, typed, intended, offered):
    got = words(engine, typed, n=5)
    assert (intended in got) == offered, (typed, got)


@pytest.mark.parametrize("text", ["", "The cat sat on the mat. ", "Good morning! ", "How are you doing today? "])
def test_sentence_starts_are_capitalized(engine, text):
    got = words(engine, text, n=5)
    assert len(got) == 5 and all(w[0].isupper() for w in got), got
    assert set(got) & {"I", "You", "We", "They", "She", "He", "Thank", "The", "Good", "Hello", "How", "Please", "Don't"}


def test_suggestions_are_whole_distinct_clean_words(engine):
    for text in ["", "I would like to ", "I would like to se", "Don't ", "Hello there, my fr"]:
        got = engine.suggest(text, n=5)
        ws = [s.word for s in got]
        assert len(ws) == len(set(ws))
        assert all(isinstance(s, Suggestion) and s.word.strip() == s.word and s.word for s in got)
        assert all(any(ch.isalpha() for ch in w) for w in ws)
        assert [s.score for s in got] == sorted((s.score for s in got), reverse=True)
        assert all(s.score <= 0 for s in got)


def test_kinds(engine):
    assert {s.kind for s in engine.suggest("I would like to ", 3)} == {"next"}
    assert {s.kind for s in engine.suggest("I would like to se", 3)} == {"completion"}
    assert all(s.word.lower().startswith("se") for s in engine.suggest("I would like to se", 3))


@pytest.mark.parametrize("filler", ['"', "(", "-", "x.", "…", "🙂"])
@pytest.mark.parametrize("length", [300, 479, 480, 481, 641, 5_000, 100_000])
def test_a_chunk_longer_than_the_window_keeps_the_word_typed_after_it(engine, filler, length):
    """A run with no space (a pasted rule of dashes, a hash, quotes held down) before the word
    being typed: the window began at the chunk's end and the typed "wo" was lost (next words
    were offered); it now begins no later than the word."""
    text = (filler * length)[:length] + "(wo"  # (the word after "(": "x." cut after its x would make "xwo")
    assert parse(text).partial == "wo"
    got = engine.suggest(text, 3)
    assert got and all(s.kind == "completion" and s.word.lower().startswith("wo") for s in got), got


@pytest.mark.parametrize("text, units, partial, needs_space, sentence_start", [
    ("", (), "", True, True),
    ("I would like to se", ("I", "would", "like", "to"), "se", True, False),
    ("I would like to ", ("I", "would", "like", "to"), "", True, False),
    ("Hello, wor", ("Hello,",), "wor", True, False),
    ("Hello,", ("Hello,",), "", True, False),
    ("Stop. Go", (), "Go", True, True),  # each sentence starts afresh
    ("Stop. Go on", ("Go",), "on", True, False),
    ("Stop.", ("Stop.",), "", True, True),  # until text follows, the sentence end is being typed
    ("One\nTwo thr", ("Two",), "thr", True, False),  # a line break closes a sentence too
    ("(wor", ("(",), "wor", False, False),
    ("don'", (), "don'", True, True),
    ("a\x00b\x07c ", ("abc",), "", True, False),
])
def test_context_parsing(text, units, partial, needs_space, sentence_start):
    ctx = parse(text)
    assert (ctx.units, ctx.partial, ctx.needs_space, ctx.sentence_start) == (units, partial, needs_space, sentence_start)
    assert partial_word(text) == partial


def test_incremental_equals_fresh_on_random_edits(tiny_bundle):
    inc = load(tiny_bundle)
    rng = random.Random(7)
    source = "I would like to see you on Monday. Thank you very much. Hello there, my friend. "
    text = ""
    for _ in range(160):
        r = rng.random()
        if r < 0.7:
            text += source[len(text) % len(source)]
        elif r < 0.85:
            text = text[: max(0, len(text) - rng.randint(1, 6))]
        elif r < 0.95 and text:
            cut = rng.randint(0, len(text))  # an edit far back: retype from there
            text = text[:cut]
        else:
            text += rng.choice([" ", ", ", ". "])
        fresh = load(tiny_bundle)
        assert words(inc, text, 3) == words(fresh, text, 3), repr(text)


def test_typing_inside_a_word_runs_no_context_steps(tiny_bundle):
    eng = load(tiny_bundle)
    sess = eng.session()
    sess.type("I would like to ")
    sess.suggest(3)
    before = sess.stack.steps_run
    for ch in "see":
        sess.type(ch)
        sess.suggest(3)
    assert sess.stack.steps_run == before  # keystrokes inside a word feed nothing
    sess.type(" ")
    sess.suggest(3)
    fed = sess.stack.steps_run - before
    # The word search had already walked the pieces of "see": the boundary reuses
    # its nodes and feeds nothing, and the state is exactly the one feeding gives.
    assert fed == 0
    fresh = eng.session("I would like to see ")
    fresh.suggest(3)
    assert fresh.stack.steps_run == len(eng.encode("I would like to see"))
    assert np.array_equal(fresh.stack.top.node.state, sess.stack.top.node.state)
    assert np.array_equal(fresh.stack.top.node.logprobs, sess.stack.top.node.logprobs)
    sess.backspace(4)  # back into "see": the snapshot before it is restored
    sess.suggest(3)
    assert sess.stack.steps_run == before + fed


def test_long_text_cost_is_bounded(tiny_bundle):
    eng = load(tiny_bundle)
    sess = eng.session()
    long_text = "I would like to see you on Monday. " * 3000  # about 100 KB
    sess.set_text(long_text)
    sess.suggest(3)
    before = sess.stack.steps_run
    sess.type("I would ")
    sess.suggest(3)
    assert sess.stack.steps_run - before < 200  # never refeeds the whole text
    assert len(sess.stack.units) < 120


def test_a_moving_window_was_fed_ahead_and_answers_as_a_fresh_engine(tiny_bundle):
    """Issue 12: inside a sentence longer than the window, each move re-fed the whole
    window (about 100 steps in one keystroke). Now no keystroke feeds more than the
    units it commits plus settings.ahead_steps, and the answers are a fresh engine's."""
    from nextkey.engine.tracker import WindowConfig, window_start

    eng = load(tiny_bundle)
    sess = eng.session()
    words_ = "she will read the book next week and we need to call my mother this evening".split()
    sentence = " ".join(words_[i % len(words_)] for i in range(400))  # about 2,000 characters, no sentence end
    typed, moves, worst = "", set(), 0
    longest = max(len(eng.encode(w)) for w in words_)
    for i, ch in enumerate(sentence):
        typed += ch
        before = sess.stack.steps_run
        sess.set_text(typed)
        got = sess.suggest(3)
        committed = 1 if ch == " " else 0
        worst = max(worst, sess.stack.steps_run - before)
        # the committed word, and the look-ahead's budget (it feeds whole units: one may overrun it)
        assert sess.stack.steps_run - before <= committed * longest + eng.settings.ahead_steps - 1 + longest, (i, typed[-40:])
        moves.add(window_start(typed, WindowConfig()))
        if i % 151 == 0 or ch == " " and len(moves) > 1 and i % 7 == 0:
            assert [s.word for s in eng.session(typed).suggest(3)] == [s.word for s in got], i
    assert len(moves) >= 8  # the window did move, many times
    assert worst > 0


def test_session_editing_api(tiny_bundle):
    sess = load(tiny_bundle).session()
    sess.type("Thank you very m")
    best = sess.suggest(3)[0]
    assert best.word == "much"
    sess.accept(best)
    assert sess.text == "Thank you very much "
    sess.backspace(5)
    assert sess.text == "Thank you very "
    sess.set_text("I would like to se")
    assert "see" in [s.word for s in sess.suggest(3)]


@pytest.mark.parametrize("text", [
    "",
    " ",
    "   \n\n\t ",
    "I would like to  ",
    "Ends with punctuation!!!",
    "😀😀😀 ",
    "😀",
    "Привет мир",
    "你好世界 ",
    "\x00\x01\x02\x1b[31m",
    "a" * 5000,
    "word " * 200_000,  # 1 MB
    "é" * 10,
    "\ud800 lone surrogate ",
])
def test_bad_or_odd_input_gives_a_sensible_answer(engine, text):
    got = engine.suggest(text, n=3)
    assert len({s.word for s in got}) == len(got), got  # never one word twice
    typed = partial_word(clean(text))
    for s in got:
        assert s.word and not any(ch.isspace() or not ch.isprintable() for ch in s.word)
        assert s.kind == ("completion" if typed else "next")
        assert s.word.lower().startswith(typed.lower()), (text, typed, s.word)


def test_type_errors_are_clear(engine):
    with pytest.raises(TypeError, match="text must be str, got NoneType"):
        engine.suggest(None)
    with pytest.raises(TypeError, match="decode bytes first"):
        engine.suggest(b"hello")
    with pytest.raises(ValueError, match="n must be between 0 and 100, got -1"):
        engine.suggest("hi", n=-1)
    with pytest.raises(ValueError, match="n must be between 0 and 100, got 2147483648"):
        engine.suggest("hi", n=2**31)
    with pytest.raises(TypeError, match="n must be an int, got NoneType"):
        engine.suggest("hi", n=None)
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        engine.suggest("hi", n=True)
    assert engine.suggest("hi", n=0) == []


def test_sessions_in_separate_threads(tiny_bundle):
    eng = load(tiny_bundle)
    expected = words(eng, "I would like to ", 3)
    results, errors = [], []

    def worker():
        try:
            sess = eng.session()
            for _ in range(20):
                sess.set_text("I would like to ")
                results.append([s.word for s in sess.suggest(3)])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(r == expected for r in results)


def test_runtime_never_imports_tensorflow(tiny_bundle):
    code = (
        "import sys\n"
        "from nextkey.engine import Engine\n"
        f"e = Engine.load({str(tiny_bundle)!r})\n"
        "e.suggest('I would like to se', 3)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]


# ------------------------------------------------------------------ the lexicon

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from nextkey.engine.lexicon import fold  # noqa: E402

_TYPED = st.text(alphabet=st.sampled_from(list("I would like to see you on Monday. Thank ’'-,!?😀é\n\x00")), max_size=80)


@given(text=st.one_of(st.text(max_size=300), _TYPED))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_gives_only_known_distinct_words(engine, text):
    got = engine.suggest(text, n=5)
    shown = [s.word for s in got]
    assert all(engine.knows(w) for w in shown), (text, shown)
    assert len({fold(w) for w in shown}) == len(shown), (text, shown)


@pytest.mark.parametrize("typed, absent", [
    ("I would like to se", "se"),     # a fragment is never finished
    ("Thank you very m", "m"),
])
def test_fragments_are_not_offered(engine, typed, absent):
    assert absent not in [w.lower() for w in words(engine, typed, 5)]


def test_typed_apostrophe_decides_the_shown_one(engine):
    straight = words(engine, "Don'", 3)
    curly = words(engine, "Don’", 3)
    assert straight and all("’" not in w for w in straight)
    assert curly == [w.replace("'", "’") for w in straight]


@pytest.mark.parametrize("before, word, after", [
    ("Great 😀", "Avenue", "Great 😀 Avenue "),  # never glued onto an emoji
    ("Great 😀 ", "Avenue", "Great 😀 Avenue "),
    ("hello,", "world", "hello, world "),
    ("(", "word", "(word "),
    ("I would like to se", "see", "I would like to see "),
    ("", "Hello", "Hello "),
    ("Hello\n", "World", "Hello\nWorld "),  # a line break ends the word: it was replaced ("HWorld ")
])
def test_session_accept_follows_the_text_rules(engine, before, word, after):
    sess = engine.session(before)
    sess.accept(word)
    assert sess.text == after


def test_a_hyphenated_word_is_completed_part_by_part_and_shown_whole(engine, tiny_bundle):
    """Issue 11 (completions the n-gram peer won): "role-pl" had no completion unless the
    lexicon held "role-playing" itself. The part after the last hyphen is completed after
    the parts before it, and the strip shows the whole word. (Which parts may be offered
    is issue 20's rule, tests/test_real_typing.py: here it admits any.)"""
    ctx = engine.context("I like the-wo")
    assert (ctx.stem, ctx.partial, ctx.units[-1], ctx.needs_space) == ("the-", "wo", "the-", False)
    engine = Engine.load(tiny_bundle, settings=replace(engine.settings, compound_rank=10**6, compound_logprob=-50.0))
    got = engine.suggest("I like the-wo", 3)
    assert got and all(s.word.lower().startswith("the-wo") and engine.knows(s.word) for s in got)
    sess = engine.session("I like the-wo")
    sess.accept(got[0])
    assert sess.text == f"I like {got[0].word} "
    # kept whole: a part before the hyphen that is no word, or a known word that begins with it
    assert engine.context("I like xqzv-wo").stem == ""
    assert not engine.knows("xqzv-word") and engine.knows("the-word") == engine.knows("word")
    taught = load(tiny_bundle)  # learning changes the engine: not the module's shared one
    taught.learn_text("Zorb-blade is here. The zorb-blade again.")
    assert taught.context("a zorb-bl").stem == ""
    assert "zorb-blade" in [s.word for s in taught.suggest("a zorb-bl", 3)]


def test_shouting_needs_two_capital_letters(engine):
    assert all(not w.isupper() for w in words(engine, "I'", 3) if len(w) > 2)


@pytest.mark.parametrize("word, typed, shown", [
    ("E-Mail", "E-M", "E-Mail"), ("USB-Stick", "USB-S", "USB-Stick"), ("NASA", "NA", "NASA"),  # its own capitals
    ("USB-Stick", "USB-ST", "USB-STICK"), ("hello", "HE", "HELLO"), ("E-Mail", "E-MA", "E-MAIL"),  # caps lock
])
def test_capitals_a_word_has_are_not_caps_lock(word, typed, shown):
    """Typing the capitals a word is spelled with ("E-M" of "E-Mail") showed it in capitals."""
    from nextkey.engine.form import shape

    assert shape(word, typed, False) == shown


@given(text=st.one_of(st.text(max_size=200), _TYPED))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_feeding_unit_by_unit_equals_encoding_the_whole_window(engine, text):
    """SentencePiece segments each whitespace chunk on its own, so the state stack
    may feed units one at a time: the same ids as encoding the context at once."""
    units = parse(text).units
    assert [t for u in units for t in engine.encode(u)] == engine.encode(" ".join(units))


# A long-lived engine against a fresh one, over random edit sequences with the
# user memory changing underneath (issue: memoized results must never outlive
# a change to the text, the state, the memory or the blocklist).
_SOURCE = ("I would like to see you on Monday. Thank you very much! Hello there, my friend.\n"
           "She will read the book next week and we need to call my mother this evening "
           "because they want to go home tomorrow and meet the team on Friday ")  # a long sentence: window moves
_OPS = st.lists(st.one_of(
    st.tuples(st.just("type"), st.integers(1, 40)),
    st.tuples(st.just("backspace"), st.integers(1, 12)),
    st.tuples(st.just("accept"), st.integers(0, 2)),
    st.tuples(st.just("block"), st.integers(0, 2)),
    st.tuples(st.just("unblock"), st.integers(0, 2)),
    st.tuples(st.just("forget"), st.integers(0, 2)),
    st.tuples(st.just("learn"), st.sampled_from(["Zorbladine Zorbladine", "my friend Zorb", "see you soon"])),
    st.tuples(st.just("jump"), st.integers(0, 400)),
), min_size=5, max_size=60)


@given(ops=_OPS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_long_lived_session_equals_a_fresh_engine(tiny_bundle, ops):
    from nextkey.engine.memory import MemoryConfig, UserMemory

    memory = UserMemory(MemoryConfig(path=None))
    live = Engine(Engine.load(tiny_bundle).bundle, TINY_SETTINGS, memory=memory)
    sess = live.session(learn=True)
    text, pos = "", 0
    for op, arg in ops:
        shown = sess.suggest(3)
        if op == "type":
            chunk = (_SOURCE * 3)[pos: pos + arg]
            pos += arg
            sess.type(chunk)
        elif op == "backspace":
            sess.backspace(arg)
        elif op == "accept" and len(shown) > arg:
            sess.accept(shown[arg])
        elif op in ("block", "unblock", "forget") and len(shown) > arg:
            getattr(memory, op)(shown[arg].word)
        elif op == "learn":
            live.learn_text(arg)
        elif op == "jump":
            pos = arg
            sess.set_text((_SOURCE * 3)[:arg])
        text = sess.text
        fresh = Engine(live.bundle, TINY_SETTINGS, memory=memory)
        assert sess.suggest(3) == fresh.suggest(text, 3), (op, arg, text[-80:])
    memory.close()


def test_a_full_node_cache_is_trimmed_between_searches_only(tiny_bundle):
    """A search whose queued paths outlive a cache clear would lose their parents."""
    from nextkey.engine.decoder import NodeCache

    eng = load(tiny_bundle)
    sess = eng.session("I would like to ")
    sess.suggest(3)
    root = sess.stack.top.node
    cache = NodeCache(root, limit=2)
    for prefix in ["", "s", "se", "m", "t", "th", "y"]:
        found = sess.pipeline.model.decoder.search(cache, prefix, True, 5)
        assert all(w.lower().startswith(prefix) for w, _ in found)
    assert len(cache.nodes) <= 2 + eng.settings.decoder.max_expansions


def test_a_real_word_typed_in_full_stays_offered_beside_corrections(tiny_bundle):
    """Every word of the lexicon typed in full after a context: if the strip holds a
    correction, it also holds the word typed (a correction never replaces it)."""
    eng = load(tiny_bundle)
    lexicon = eng.bundle.lexicon
    checked = 0
    for word in lexicon.forms[:300]:
        if len(word) < 3 or not word.isalpha():
            continue
        for context in ("I would like to ", "Thank you very "):
            got = eng.suggest(context + word, 3)
            if any(s.corrected for s in got):
                checked += 1
                assert any(fold(s.word) == fold(word) for s in got), (context + word, got)
    assert checked > 0  # the tiny model does offer corrections for some full words


class _Contacts:
    """A tiny source on the protocol: a contact name, proposed for its prefix."""

    name = "contacts"
    active = True

    def logprob(self, word, query, pos):
        return math.log(0.5) if word == "Zanzibar" else -math.inf

    def propose(self, query, pos):
        return ["Zanzibar"] if "zanzibar".startswith(query.folded) else []


def test_a_source_added_with_a_weight_reaches_the_strip_and_bad_ones_are_refused(tiny_bundle):
    eng = load(tiny_bundle)
    assert "Zanzibar" not in [s.word for s in eng.suggest("I met Zan", 3)]
    eng.add_source(_Contacts(), 0.3)
    assert eng.suggest("I met Zan", 3)[0].word == "Zanzibar"
    assert eng.settings.weights["contacts"] == 0.3
    dup = _Contacts()
    dup.name = "prior"
    with pytest.raises(ValueError, match="already mixed in"):
        eng.add_source(dup, 0.3)
    with pytest.raises(TypeError, match="is not a Source"):
        eng.add_source(object(), 0.3)
    with pytest.raises(TypeError, match="EngineSettings"):
        Engine.load(tiny_bundle, settings={"slips": {"enabled": False}})
