"""The phrase source (issue 23, in progress): the Kneser-Ney trigram train/ngram.py builds
and engine/sources/ngram.py reads."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nextkey.engine import Engine
from nextkey.engine.errors import BundleError
from nextkey.engine.lang import DEFAULT
from nextkey.engine.sources import Query
from nextkey.engine.sources.ngram import NgramModel, NgramSource
from nextkey.train.ngram import build, write

TEXT = ["Best regards, Anna.", "Best regards from Berlin.", "Kind regards, Tom.", "See you soon.",
        "See you tomorrow.", "See you soon, Anna.", "Thanks for your help.", "Thanks for your help today."] * 3
VOCAB = sorted({w.lower() for s in TEXT for w in DEFAULT.word_re.findall(s)}) + ["unseen"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("ngram") / "ngram.npz"
    write(build(TEXT, VOCAB, 1, 1), path)
    return NgramModel(path, DEFAULT.fold)


def test_every_context_is_a_distribution(model):
    ids = range(model.V)  # every word, </s> and <unk> (<s> never follows: its share is the uniform floor)
    for ctx in [(), ("best",), ("see", "you"), ("for", "your"), ("unseen", "words")]:
        u, v = model.ids(ctx)
        total = sum(math.exp(model.logprob(u, v, w)) for w in ids)
        assert total == pytest.approx(1.0, abs=0.02), ctx  # (float16 storage)


def test_phrases_are_remembered(model):
    q = Query("", "", "best", True, False, 3, context=("Best",))
    src = NgramSource(model, proposals=3, evidence_only=False)
    assert src.propose(q)[0] == "regards"
    q2 = Query("", "", "you", True, False, 3, context=("See", "you"))
    assert set(src.propose(q2)) >= {"soon", "tomorrow"}
    assert src.logprob("soon", q2) > src.logprob("help", q2)


def test_no_opinion_without_evidence_and_for_unknown_words(model):
    src = NgramSource(model, evidence_only=True)
    assert src.logprob("regards", Query("", "", "zebra", True, False, 3, context=("purple", "zebra"))) is None
    assert src.logprob("xylophone", Query("", "", "you", True, False, 3, context=("see", "you"))) is None


def test_a_damaged_file_is_refused(tmp_path, model):
    bad = tmp_path / "bad.npz"
    np.savez(bad, words=np.frombuffer(b"a\nb", np.uint8))
    with pytest.raises(BundleError, match="phrase model"):
        NgramModel(bad, DEFAULT.fold)
    (tmp_path / "junk.npz").write_bytes(b"not an archive")
    with pytest.raises(BundleError):
        NgramModel(tmp_path / "junk.npz", DEFAULT.fold)


def test_the_source_mixes_into_an_engine(tmp_path):
    path = tmp_path / "ngram.npz"
    eng = Engine.load()
    write(build(TEXT * 10, VOCAB, 1, 1), path)
    eng.add_source(NgramSource(NgramModel(path, eng.pack.fold), evidence_only=False), 0.3)
    assert "regards" in [s.word for s in eng.suggest("Best reg", 3)]
