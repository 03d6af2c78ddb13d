"""The lexicon export's typo check (export/lexicon.py likely_typos): a word only the corpus
brings, one edit from a far more frequent word, must be a Hunspell word to enter."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from nextkey.engine.lang import DEFAULT
from nextkey.export.lexicon import LexiconConfig, _edits1, build_lexicon, hunspell_dictionary, likely_typos

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
