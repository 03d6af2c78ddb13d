"""The lexicon export's typo check (export/lexicon.py likely_typos): a word only the corpus
brings, one edit from a far more frequent word, must be a Hunspell word to enter."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from nextkey.engine.lang import DEFAULT, get_pack
from nextkey.export.lexicon import (LexiconConfig, _edits1, build_lexicon, dictionary_spelling, hunspell_dictionary,
                                    likely_typos, unmarked_typos)

HUNSPELL = Path(LexiconConfig.hunspell_dir)
needs_en = pytest.mark.skipif(not (HUNSPELL / "en_US.dic").is_file(),
                              reason="Debian's hunspell-en-us is not installed (.ci/run installs it)")


def test_one_edit_covers_the_four_slips():
    e = _edits1("just", "abcdefghijklmnopqrstuvwxyz")
    assert {"jsut", "jst", "juust", "jast"} <= e and "just" not in e


@needs_en
def test_typos_go_and_rare_words_stay():
    counts = Counter({"just": 5000, "jsut": 40, "definitely": 900, "definitly": 30, "noble": 800, "nobler": 20,
                      "skrimshander": 5, "gaily": 12, "daily": 2000})
    listed = {"just", "definitely", "noble", "daily"}
    forms = {k: Counter({k: c}) for k, c in counts.items()}
    typos = likely_typos(set(counts) - listed, listed, counts, forms, LexiconConfig(), DEFAULT)
    assert typos == {"jsut", "definitly"}  # "nobler", "gaily": Hunspell words; "skrimshander": no frequent neighbour
    assert likely_typos(set(counts) - listed, listed, counts, forms, LexiconConfig(typo_ratio=0), DEFAULT) == set()
    # a neighbour not frequent enough: "definitly" at 30 against 900 is 30x; at ratio 40 it is not asked about
    assert "definitly" not in likely_typos({"definitly"}, listed, counts, forms, LexiconConfig(typo_ratio=40), DEFAULT)


@needs_en
def test_the_built_lexicon_leaves_chat_typos_out(tmp_path):
    text = ["I just want to know.", "It is just fine.", "We just left.", "Just go."] * 30 + ["I jsut want it."] * 4
    text += ["The skrimshander was old."] * 4
    (tmp_path / "train.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    words = {w for w, _ in build_lexicon(tmp_path / "train.txt", LexiconConfig(wordfreq_top=2000, min_corpus_count=3))}
    assert "just" in words and "skrimshander" in words and "jsut" not in words


def test_a_missing_dictionary_is_named_with_its_package(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install hunspell-en-us"):
        hunspell_dictionary(DEFAULT, str(tmp_path))
    assert hunspell_dictionary(dataclasses.replace(DEFAULT, hunspell=""), str(tmp_path)) is None  # a pack without one


@needs_en
def test_names_are_not_taken_for_typos():
    counts = Counter({"note": 3000, "nolte": 12})
    forms = {"note": Counter({"note": 3000}), "nolte": Counter({"Nolte": 12})}
    assert likely_typos({"nolte"}, {"note"}, counts, forms, LexiconConfig(), DEFAULT) == set()


# ------------------------------------------------------------------- German (a pack with folded letters)

needs_de = pytest.mark.skipif(not (HUNSPELL / "de_DE.dic").is_file(),
                              reason="Debian's hunspell-de-de is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def de_dictionary():
    return hunspell_dictionary(get_pack("de"), str(HUNSPELL))


@needs_de
@pytest.mark.parametrize("listed, shown", [
    ("haus", "Haus"), ("peter", "Peter"), ("abend", "Abend"),        # nouns and names: capitalized
    ("spass", "Spaß"), ("draussen", "draußen"), ("grüsse", "grüße"),  # wordfreq's ss for ß
    ("fussball", "Fußball"), ("heiss", "heiß"),
    ("gut", "gut"), ("schon", "schon"), ("xyzzyq", "xyzzyq"),          # known, or unknown: kept
])
def test_a_word_the_corpus_never_showed_is_spelled_as_the_dictionary_has_it(de_dictionary, listed, shown):
    assert dictionary_spelling(listed, de_dictionary, get_pack("de")) == shown


@needs_de
def test_words_spelled_without_their_umlauts_go_when_the_marked_word_is_far_commoner(de_dictionary):
    de = get_pack("de")
    spelled = {"fuer": "für", "fur": "fur", "maedchen": "mädchen", "madchen": "madchen", "schon": "schon",
               "schoen": "schön", "mutter": "mutter", "muetter": "mütter", "konnen": "konnen", "koennen": "können"}
    freq = {"fuer": 7e-3, "fur": 2e-5, "maedchen": 1.6e-4, "madchen": 1.3e-6, "schon": 1e-3, "schoen": 3e-4,
            "mutter": 2e-4, "muetter": 1e-5, "konnen": 1e-6, "koennen": 2e-3}
    out = unmarked_typos(set(spelled), spelled, freq, de_dictionary, LexiconConfig(language="de"), de)
    assert out == {"fur", "madchen", "konnen"}  # "schon", "Mutter": words, and commoner than the marked one


@needs_de
def test_the_german_export_keeps_umlaut_words_at_their_frequency(tmp_path):
    """wordfreq was asked for the folded key ("schoen"), so "schön" got 1/100 of its frequency and
    half the common umlaut words fell out; a stem with a listed 's form ("gefällt's") fell out too."""
    (tmp_path / "train.txt").write_text("Das Paket wird installiert.\nDie Datei ist hier.\n" * 5, encoding="utf-8")
    cfg = LexiconConfig(language="de", wordfreq_top=5000, min_corpus_count=3)
    got = dict(build_lexicon(tmp_path / "train.txt", cfg))
    import wordfreq

    for w in ("schön", "würde", "hätte", "für"):
        assert got[w] >= 0.4 * wordfreq.word_frequency(w, "de") * 1e9, (w, got.get(w))  # half of wordfreq's, at least
    assert "gefällt" in got and "Mädchen" in got and "Spaß" in got and "Haus" in got
    assert not {"madchen", "spass", "haus", "the", "fur"} & set(got)


@needs_de
def test_a_german_word_that_is_also_english_stays(de_dictionary):
    """"Not" ("zur Not") is English "not" to wordfreq: the German dictionary knows it."""
    from nextkey.export.lexicon import foreign_words

    de = get_pack("de")
    assert foreign_words(["Not", "not", "must", "Password"], de) == {"Not", "not", "must", "Password"}
    # ("Password" is in the German dictionary too: a loanword, kept with it)
    assert foreign_words(["Not", "not", "must", "Password"], de, dictionary=de_dictionary) == {"not", "must"}


@needs_en
def test_a_name_written_small_in_chat_is_kept_capitalized_only(tmp_path):
    """Chat text writes "monday" and "london": at a 5% share they became forms, and "mon" typed
    small offered "monday". Hunspell knows them only capitalized; "constitution" it knows small."""
    text = ["See you on Monday in London.", "We met the Constitution group on Monday."] * 14
    text += ["see you on monday in london.", "the constitution is old, we said on Monday."] * 6
    (tmp_path / "train.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    got = {w for w, _ in build_lexicon(tmp_path / "train.txt", LexiconConfig(wordfreq_top=2000, min_corpus_count=3))}
    assert {"Monday", "London", "Constitution", "constitution"} <= got
    assert not {"monday", "london"} & got
    plain = {w for w, _ in build_lexicon(tmp_path / "train.txt",
                                         LexiconConfig(wordfreq_top=2000, min_corpus_count=3, hunspell=False))}
    assert {"monday", "london"} <= plain  # (what the rule removes)
