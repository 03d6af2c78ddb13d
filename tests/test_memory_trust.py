"""A user memory people can trust (issue 22): no secrets learned, the user's own
capitals, no typos learned on two slips, and a personal dictionary that moves in
and out. Each kind through the API, through a learning Session, with the
persistent store and after a reload."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nextkey.engine import Engine
from nextkey.engine.memory import MemoryConfig, UserMemory, read_dictionary
from nextkey.engine.text import learnable


def offered(eng, text, n=5):
    return [s.word for s in eng.suggest(text, n)]


def typed_in_session(eng, text):
    sess = eng.session(learn=True)
    for ch in text:
        sess.type(ch)
        sess.suggest(3)
    return sess


def stored_text(path) -> str:
    """Every string the store's tables hold (what a reload or another process would read)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = [r for t in ("words", "pairs", "blocked") for r in conn.execute(f"SELECT * FROM {t}")]
    return "\n".join(str(r) for r in rows)


# ---------------------------------------------------------------- 1. secrets

SECRETS = ["hunter2xk9", "a8f3c9e1b2", "ZX81QW7", "tok3nValue", "Passw0rd", "4111111111111111", "0151234567",
           "x9y8z7", "abc123def456", "G7kq2Lm9Rt"]
ORDINARY = ["2nd", "21st", "1990s", "Zorblax", "kubectl", "hello"]


@pytest.mark.parametrize("token", SECRETS)
def test_secret_like_tokens_are_never_stored_nor_offered(tmp_path, token):
    path = tmp_path / "memory.db"
    eng = Engine.load(memory=MemoryConfig(path=path))
    text = f"my code is {token} ok"
    eng.learn_text("\n".join([text] * 3))
    typed_in_session(eng, (text + " ") * 3)
    eng.memory.save()
    assert token.lower() not in eng.memory.words
    assert token not in offered(eng, "the " + token[:3])
    eng.close()
    assert token.lower() not in stored_text(path).lower()
    with Engine.load(memory=MemoryConfig(path=path)) as again:  # after a reload
        assert token not in offered(again, "my " + token[:4])


@pytest.mark.parametrize("token", ORDINARY)
def test_ordinary_words_with_numbers_and_new_words_are_learned(token):
    eng = Engine.load()
    eng.learn_text(f"see the {token} here\n" * 2)
    assert eng.memory.words.get(token.lower()) is not None


@pytest.mark.parametrize("word, ok", [("mp3", True), ("4G", True), ("PS4", True), ("5pm", True), ("CO2", True),
                                      ("mp3x9", False), ("hunter2", False), ("4Gx", False), ("2nd", True)])
def test_letter_digit_words_are_learned_only_when_common(word, ok):
    """Common: in the language pack's list made from wordfreq (export/alnum.py)."""
    mem = UserMemory(MemoryConfig(path=None))
    mem.learn_text(f"my {word} is here\n" * 2)
    assert (word.lower() in mem.words) is ok
    assert learnable(word, None) is (word == "2nd")  # with no list, only ordinals and decades


def test_a_secret_is_not_stored_as_the_previous_word_of_a_pair():
    mem = UserMemory(MemoryConfig(path=None))
    mem.learn_text("code hunter2xk9 then\n" * 3)
    assert not any("hunter2xk9" in pk for pk in mem.pairs)


def test_a_secret_in_an_old_store_is_not_offered(tmp_path):
    path = tmp_path / "memory.db"
    with UserMemory(MemoryConfig(path=path)) as mem:
        mem.learn_text("alpha beta\n")
    with sqlite3.connect(path) as conn:  # a row written before the rule (or by another program)
        conn.execute("INSERT INTO words VALUES ('hunter2xk9', 9.0, 1, 'hunter2xk9', 1)")
    with UserMemory(MemoryConfig(path=path)) as mem:
        assert "hunter2xk9" in mem.words and mem.candidates("hun") == []


# ---------------------------------------------------------------- 2. a sentence-start capital says nothing

@pytest.mark.parametrize("text, word, shown", [
    ("Yeet it. Yeet that. Yeet again. Yeet more.", "yeet", "yeet"),  # (one slip from "yet": four uses)
    ("I use kubectl daily.\n" * 4 + "Kubectl is great.", "kubectl", "kubectl"),
    ("Zorp went home. Then Zorp left. We saw Zorp there.", "zorp", "Zorp"),  # mid-sentence votes win
    ("NASA called. NASA again.", "nasa", "NASA"),  # a capital inside is the user's spelling anywhere
])
def test_only_mid_sentence_uses_decide_a_words_case(text, word, shown):
    for how in ("api", "session"):
        eng = Engine.load()
        if how == "api":
            eng.learn_text(text)
        else:
            typed_in_session(eng, text + " ")
        assert eng.memory.words[word][2] == shown, how
        assert eng.memory.candidates(word[:2]) == [shown], how
        wrong = shown.capitalize() if shown.islower() else shown.lower()
        assert wrong not in offered(eng, "I like " + word[:2], 10), how


def test_the_case_votes_survive_a_reload_and_another_process(tmp_path):
    path = tmp_path / "memory.db"
    with UserMemory(MemoryConfig(path=path)) as mem:
        mem.learn_text("I use GitHub daily\nI use GitHub daily\nGithub is nice.")
    with UserMemory(MemoryConfig(path=path)) as mem:
        assert mem.words["github"][2] == "GitHub" and mem.spelling("github") == "GitHub"
        mem.learn_text("I use github daily")  # one lowercase use: GitHub still leads 2 to 1
        assert mem.words["github"][2] == "GitHub"


# ---------------------------------------------------------------- 3. the user's own capitals win

@pytest.mark.parametrize("spelling, typed", [("GitHub", "I use git"), ("iPhone", "my new iph"), ("McDonald", "at mcdon"),
                                             ("LaTeX", "write it in lat")])
def test_the_users_spelling_is_offered_over_the_lexicons(spelling, typed):
    eng = Engine.load()
    eng.learn_text(f"I really like {spelling} today\n" * 3)
    words = offered(eng, typed)
    assert spelling in words and not any(w.lower() == spelling.lower() and w != spelling for w in words), words


@pytest.mark.parametrize("typed, word", [("I use GitHub", "GitHub"), ("see you on monday", "monday"),
                                         ("I use LaTeX", "LaTeX"), ("the iPhone", "iPhone")])
def test_a_word_typed_in_full_is_never_recased(typed, word):
    eng = Engine.load()
    sess = eng.session(typed)
    strip = sess.suggest(3)
    assert strip and strip[0].word == word
    sess.accept(strip[0])
    assert sess.text == typed + " "


# ---------------------------------------------------------------- 4. typos need more evidence

@pytest.mark.parametrize("slip", ["teh", "becuase", "recieve", "thier", "wierd"])
def test_a_frequent_slip_typed_twice_is_not_offered(slip):
    eng = Engine.load()
    eng.learn_text(f"I said {slip} here\n" * 2)
    assert slip not in eng.memory.candidates(slip[:2])
    eng.learn_text(f"I said {slip} here\n" * 2)  # four uses: the user means it
    assert slip in eng.memory.candidates(slip[:2])


@pytest.mark.parametrize("new", ["Zorblax", "kubectl", "Anneliese", "grpc"])
def test_a_new_word_is_still_offered_after_two_uses(new):
    eng = Engine.load()
    typed_in_session(eng, f"we met {new} there. and {new} again ")
    assert new in offered(eng, "then " + new[:3])


# ---------------------------------------------------------------- 5. import and export

def test_export_then_import_moves_the_personal_dictionary(tmp_path):
    a = Engine.load(memory=MemoryConfig(path=tmp_path / "a.db"))
    a.learn_text("I use GitHub and Zorblax daily\n" * 3)
    a.memory.block("darn")
    out = tmp_path / "export.json"
    out.write_text(json.dumps(a.memory.export()))
    a.close()
    with Engine.load(memory=MemoryConfig(path=tmp_path / "b.db")) as b:
        b.learn_text("hello there\n")
        done = b.memory.import_words(read_dictionary(out))
        assert done["words"] >= 6 and done["blocked"] == 1 and done["pairs"] >= 5
        assert "GitHub" in offered(b, "I use gi") and "Zorblax" in offered(b, "and zo")
        assert b.memory.is_blocked("darn") and "hello" in b.memory.words  # merged, not replaced
    with UserMemory(MemoryConfig(path=tmp_path / "b.db")) as again:  # after a reload
        assert again.words["github"][2] == "GitHub" and "darn" in again.blocked


def test_a_long_time_users_export_imports_back(tmp_path):
    """A word typed once 84,000 words ago decays below what 4 decimals show: export leaves it
    out (it wrote 0 before, and import then refused the whole file), and a file with such a 0,
    as old exports wrote, imports with that word skipped."""
    mem = UserMemory(MemoryConfig(path=None))
    mem.learn_text("Zorblax met Quillby")
    mem.learn_text(" ".join(["the cat sat on the mat"] * 14_000))
    data = mem.export()
    assert "Zorblax" not in data["words"] and all(c > 0 for c in [*data["words"].values(), *data["pairs"].values()])
    out = tmp_path / "export.json"
    out.write_text(json.dumps(data))
    fresh = UserMemory(MemoryConfig(path=None))
    done = fresh.import_words(read_dictionary(out))
    assert done["words"] == len(data["words"]) == 5 and done["skipped"] == 0
    old = tmp_path / "old-export.json"
    old.write_text(json.dumps({**data, "words": {**data["words"], "Zorblax": 0.0},
                               "pairs": {**data["pairs"], "zorblax\tmet": 0}}))
    fresh = UserMemory(MemoryConfig(path=None))
    done = fresh.import_words(read_dictionary(old))
    assert done == {"words": 5, "pairs": len(data["pairs"]), "blocked": 0, "skipped": 1, "no_room": 0}
    assert "zorblax" not in fresh.words and "zorblax\tmet" not in fresh.pairs


def test_a_word_list_is_imported_with_its_case_and_counts(tmp_path):
    f = tmp_path / "words.txt"
    f.write_text("# my words\nGitHub 5\niPhone\n\nZorblax 1.5\nhunter2xk9 4\n", encoding="utf-8")
    mem = UserMemory(MemoryConfig(path=None))
    done = mem.import_words(read_dictionary(f))
    assert done == {"words": 3, "pairs": 0, "blocked": 0, "skipped": 1, "no_room": 0}
    assert mem.candidates("g") == ["GitHub"] and mem.candidates("i") == ["iPhone"]
    assert mem.words["zorblax"][0] == 1.5 and "hunter2xk9" not in mem.words


@pytest.mark.parametrize("content, line", [
    ("good 3\nbad line here\n", "line 2"), ("fine\nword -1\n", "line 2"), ("fine\nword many\n", "line 2"),
    ("ok\n\nhello, world\n", "line 3"), ('{"format_version": 2, "words": {"ok": 2, "bad": "x"}}', "words['bad']"),
    ('{"words": {"ok": 2}', "line 1"), ('{"format_version": 9}', "format_version"), ('{"format_version": 2, "blocked": [3]}', "blocked"),
])
def test_a_malformed_dictionary_is_refused_naming_the_line_and_nothing_is_imported(tmp_path, content, line):
    f = tmp_path / "dict.txt"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="nothing was imported") as e:
        read_dictionary(f)
    assert line in str(e.value)


def test_the_cli_imports_and_shows_words_as_offered(tmp_path, capsys):
    from nextkey.cli.main import main

    store, f = tmp_path / "m.db", tmp_path / "words.txt"
    f.write_text("GitHub 3\niPhone 2\n")
    assert main(["memory", "import", "--file", str(f), "--store", str(store)]) == 0
    assert main(["memory", "block", "darn", "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["memory", "show", "--store", str(store)]) == 0
    shown = capsys.readouterr().out
    assert "GitHub\t3.00" in shown and "iPhone\t2.00" in shown and "never suggest: darn" in shown
    f.write_text("GitHub 3\nnot one word\n")
    assert main(["memory", "import", "--file", str(f), "--store", str(store)]) == 2
    assert "line 2" in capsys.readouterr().err
    with UserMemory(MemoryConfig(path=store)) as mem:
        assert mem.words["github"][0] == 3.0  # nothing of the bad file was imported


def test_a_slip_typed_twice_in_a_session_is_not_offered_after_a_reload(tmp_path):
    path = tmp_path / "memory.db"
    with Engine.load(memory=MemoryConfig(path=path)) as eng:
        typed_in_session(eng, "I said teh word and teh other one and Zorblax and Zorblax ")
    with Engine.load(memory=MemoryConfig(path=path)) as again:
        assert "teh" in again.memory.words  # stored (it may be meant: more uses will show it)
        assert "teh" not in again.memory.candidates("te") and "Zorblax" in again.memory.candidates("zo")


def test_the_users_capitals_survive_a_reload_through_a_session(tmp_path):
    path = tmp_path / "memory.db"
    with Engine.load(memory=MemoryConfig(path=path)) as eng:
        typed_in_session(eng, "I use GitHub daily. I use GitHub again. Github is fine. ")
    with Engine.load(memory=MemoryConfig(path=path)) as again:
        assert "GitHub" in offered(again, "I use gi") and "Github" not in offered(again, "I use gi")


def test_a_slip_the_lexicon_lists_still_needs_more_uses():
    eng = Engine.load()
    assert "becuase" in eng.bundle.lexicon  # wordfreq lists common slips
    eng.learn_text("I said becuase here\n" * 2)
    assert "becuase" not in eng.memory.candidates("becu")


def test_import_skips_addresses_and_reads_a_bom_and_maps_bare_contractions(tmp_path):
    f = tmp_path / "words.txt"
    f.write_text("\ufeffGitHub 3\nfoo@bar.com\nexample.org\ndont 2\n", encoding="utf-8")
    mem = UserMemory(MemoryConfig(path=None))
    done = mem.import_words(read_dictionary(f))
    assert done["words"] == 2 and done["skipped"] == 2
    assert "don't" in mem.words and "dont" not in mem.words and mem.words["github"][2] == "GitHub"


@pytest.mark.parametrize("content, why", [('{"words": {"ok": 2}}', "format_version"),
                                          ("GitHub 1e308\n", "at most"), ("GitHub 0\n", "above 0")])
def test_import_refuses_what_the_format_does_not_allow(tmp_path, content, why):
    f = tmp_path / "d.txt"
    f.write_text(content)
    with pytest.raises(ValueError, match=why):
        read_dictionary(f)


@pytest.mark.parametrize("word", ["two words", "hunter2", "4111111111111111", ""])
def test_blocking_refuses_what_is_no_word_or_a_secret(word):
    mem = UserMemory(MemoryConfig(path=None))
    with pytest.raises(ValueError):
        mem.block(word)
    assert not mem.blocked


# ---------------------------------------------------------------- any file a user may import

_JSON = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=10),
                     lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                     max_leaves=10)
_FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def _import_or_refuse(path: Path) -> None:
    """read_dictionary either refuses the file with ValueError or its result imports and exports."""
    try:
        data = read_dictionary(path)
    except ValueError:
        return
    mem = UserMemory(MemoryConfig(path=None))
    mem.import_words(data)
    json.dumps(mem.export())


@_FUZZ
@given(st.binary(max_size=200))
def test_any_bytes_are_refused_clearly_or_imported(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "dict.txt"
    path.write_bytes(content)
    _import_or_refuse(path)


@_FUZZ
@given(st.dictionaries(st.sampled_from(["format_version", "words", "pairs", "blocked", "other"]), _JSON, max_size=5),
       st.sampled_from([2, 2.0, 1, None, "2"]))
def test_any_json_is_refused_clearly_or_imported(tmp_path_factory, obj, version):
    path = tmp_path_factory.mktemp("fuzz") / "dict.json"
    path.write_text(json.dumps({**obj, **({} if version is None else {"format_version": version})}))
    _import_or_refuse(path)
