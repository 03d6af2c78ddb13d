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


def test_orders_are_reported_and_scale_the_weight(model):
    """logprob_order names the order a word was found at, and order_weights turn it into the
    combiner's evidence: a word only the unigram knows gets the unigram's scale."""
    u, v = model.ids(("see", "you"))
    assert model.logprob_order(u, v, model.index["soon"])[1] == 3
    assert model.logprob_order(u, v, model.index["anna"])[1] < 3
    src = NgramSource(model, evidence_only=False, order_weights=(0.0, 0.5, 1.0))
    q = Query("", "", "you", True, False, 3, context=("See", "you"))
    assert src.evidence("soon", q) == 1.0
    assert src.evidence("anna", q) in (0.0, 0.5)
    assert src.evidence("not-a-word", q) == 0.0
    assert not hasattr(NgramSource(model), "evidence")  # no scales: the combiner's flat weight
    with pytest.raises(ValueError, match="order_weights"):
        NgramSource(model, order_weights=(0.0, 2.0, 1.0))
    with pytest.raises(ValueError, match="mixing"):
        NgramSource(model, mixing="geometric")


class _Fixed:
    """A source with fixed log-probabilities (for the combiner's arithmetic)."""
    name, active = "fixed", True

    def __init__(self, lps, mixing="linear", evidence=None):
        self.lps, self.mixing = lps, mixing
        if evidence is not None:
            self.evidence = lambda word, query, pos=None: evidence[word]

    def logprob(self, word, query, pos=None):
        return self.lps.get(word)

    def propose(self, query, pos=None):
        return []


def test_the_combiner_mixes_linearly_log_linearly_and_by_evidence():
    from nextkey.engine.combiner import Combiner, log_mix

    q = Query("", "", None, True, True, 3)
    base = {"a": math.log(0.5), "b": math.log(0.1), "c": math.log(0.05)}
    lps = {"a": math.log(0.01), "b": math.log(0.6), "c": -math.inf}
    lin = dict(Combiner([_Fixed(lps)], {"fixed": 0.4}).merge(base, q))
    assert lin["b"] == pytest.approx(math.log(0.6 * 0.1 + 0.4 * 0.6))
    assert lin["c"] == pytest.approx(math.log(0.6 * 0.05))
    loglin = dict(Combiner([_Fixed(lps, "loglinear")], {"fixed": 0.4}).merge(base, q))
    assert loglin["a"] == pytest.approx(0.6 * math.log(0.5) + 0.4 * math.log(0.01))
    assert loglin["c"] == pytest.approx(math.log(0.05) + math.log(0.6))  # a zero is a penalty, not -inf
    ev = dict(Combiner([_Fixed(lps, evidence={"a": 0.0, "b": 0.5, "c": 1.0})], {"fixed": 0.4}).merge(base, q))
    assert ev["a"] == base["a"]  # no evidence: the score as it was
    assert ev["b"] == pytest.approx(log_mix(base["b"], lps["b"], 0.2))
    assert [w for w, _ in Combiner([_Fixed(lps)], {"fixed": 0.4}).merge(base, q)][0] == "a"
    assert [w for w, _ in Combiner([_Fixed(lps, "loglinear")], {"fixed": 0.9}).merge(base, q)][0] == "b"
