"""`nextkey eval` and the simulated-typing rules every engine is measured by.

The rules are checked with fake predictors whose keystroke counts are worked
out by hand; run_eval runs the real engine on the tiny bundles, and its
batched perplexity is checked against the figure training computed in Keras
for the same split.
"""

from __future__ import annotations

import json
import math

import pytest

from nextkey.engine import Engine
from nextkey.evaluate.run import EvalConfig, EvalError, perplexity, read_sentences, run_eval
from nextkey.evaluate.typing_sim import simulate

# ------------------------------------------------------------------ typing_sim rules


def oracle(sentence: str, words: list[str], after: int = 0, slot: int = 0, form=str):
    """A predictor that knows the sentence: once ``after`` letters of a word are
    typed it offers that word (through ``form``) in position ``slot``, behind
    filler words; more words than asked for, so the simulator must cut at n."""
    spans, pos = [], 0
    for w in words:  # spans found by hand, not with the simulator's own word pattern
        start = sentence.index(w, pos)
        spans.append((start, start + len(w), w))
        pos = start + len(w)
    calls = []

    def predict(text: str, n: int) -> list[str]:
        assert sentence.startswith(text), (text, sentence)
        calls.append(text)
        for start, end, w in spans:
            if start <= len(text) < end and len(text) - start >= after:
                return [f"zz{i}" for i in range(slot)] + [form(w), "zzlast"]
        return ["zzz", "zzzz", "zzzzz"]

    predict.calls = calls
    return predict


def never(text: str, n: int) -> list[str]:
    return []


I_LIKE_TEA = ("I like tea.", ["I", "like", "tea"])

# (sentence, its words, oracle options or None for `never`, n, ignore_case)
#   -> (characters, keystrokes, next-word events, top-1 hits, top-n hits)
CASES = [
    # Each selection is one keystroke and covers the space after it; "." is typed.
    pytest.param(*I_LIKE_TEA, {}, 1, False, (11, 4, 3, 3, 3), id="always-right"),
    pytest.param(*I_LIKE_TEA, None, 3, False, (11, 11, 3, 0, 0), id="never-right"),
    # Offered after two letters: h, e, select | w, o, select.
    pytest.param("hello world", ["hello", "world"], {"after": 2}, 3, False, (11, 6, 2, 0, 0), id="after-two-letters"),
    # "5" is a word that can be selected but has no letter: not a next-word event.
    pytest.param("Call me at 5 pm", ["Call", "me", "at", "5", "pm"], {}, 3, False, (15, 5, 4, 4, 4), id="digits"),
    # Second in the list: out of reach with 1 suggestion, a top-3 hit with 3.
    pytest.param(*I_LIKE_TEA, {"slot": 1}, 1, False, (11, 11, 3, 0, 0), id="second-slot-n1"),
    pytest.param(*I_LIKE_TEA, {"slot": 1}, 3, False, (11, 4, 3, 0, 3), id="second-slot-n3"),
    pytest.param(*I_LIKE_TEA, {"slot": 3}, 3, False, (11, 11, 3, 0, 0), id="beyond-n-is-not-offered"),
    # Exact case: "the" does not type "The" (T, h, e, space typed; "cat" selected).
    pytest.param("The cat", ["The", "cat"], {"form": str.lower}, 3, False, (7, 5, 2, 1, 1), id="case-exact"),
    pytest.param("The cat", ["The", "cat"], {"form": str.lower}, 3, True, (7, 2, 2, 2, 2), id="case-ignored"),
    # Inner apostrophes and hyphens stay inside one word; "," and " " after "well-known" are typed.
    pytest.param("I don't know.", ["I", "don't", "know"], {}, 3, False, (13, 4, 3, 3, 3), id="apostrophe"),
    pytest.param("well-known, isn't it", ["well-known", "isn't", "it"], {}, 3, False, (20, 5, 3, 3, 3),
                 id="hyphen-comma"),
]


@pytest.mark.parametrize("sentence, words, options, n, ignore_case, expected", CASES)
def test_typing_rules(sentence, words, options, n, ignore_case, expected):
    predict = never if options is None else oracle(sentence, words, **options)
    r = simulate(predict, [sentence], n, ignore_case=ignore_case)
    chars, keys, events, top1, topk = expected
    assert (r.characters, r.keystrokes, r.next_word_total, r.next_word_top1, r.next_word_topk) == expected
    assert r.words == len(words)
    assert r.ksr == pytest.approx(1 - keys / chars)
    s = r.summary()
    assert s["ksr"] == pytest.approx(1 - keys / chars)
    assert s[f"next_word_top{n}"] == pytest.approx(topk / events)
    if options is not None:
        assert len(predict.calls) == len(r.latencies_ms) == s["predict_calls"]


def test_typing_sums_over_sentences_and_reports_progress():
    seen = []
    by_sentence = (oracle(*I_LIKE_TEA), oracle("hello world", ["hello", "world"], after=2))
    r = simulate(lambda t, n: by_sentence[len(seen)](t, n), ["I like tea.", "hello world"], 3,
                 progress=seen.append)
    assert (r.characters, r.keystrokes) == (22, 10)
    assert r.ksr == pytest.approx(1 - 10 / 22)
    assert seen == [1, 1]


def test_a_never_right_predictor_saves_nothing():
    r = simulate(never, ["A longer sentence, with punctuation; and 42 digits!", "Short."], 5)
    assert r.keystrokes == r.characters
    assert r.ksr == 0.0
    assert r.next_word_top1 == r.next_word_topk == 0


# ------------------------------------------------------------------ run_eval on the tiny bundles

SENTENCES = [
    "I would like to see you on Monday.",
    "They want to go home tomorrow.",
    "Thank you very much.",
    "",  # blank lines are skipped, not counted
    "We need to call my mother this evening.",
    "The cat sat on the mat.",
    "She will read the book next week.",  # beyond max_sentences
]


@pytest.fixture
def text(tmp_path):
    p = tmp_path / "held_out.txt"
    p.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    return p


def test_run_eval_writes_the_report_and_plots(tiny_bundle, tiny_bundles, text, tmp_path, capsys):
    out = tmp_path / "eval"
    cfg = EvalConfig(bundle=tiny_bundle, text=text, out_dir=out, max_sentences=5,
                     compare=(tiny_bundles["int8"],), progress=False)
    report = run_eval(cfg)
    on_disk = json.loads((out / "eval.json").read_text())
    assert on_disk == json.loads(json.dumps(report))

    assert report["text"]["sentences"] == 5
    s = report["summary"]
    assert set(s["ksr"]) == {"1", "3", "5"}
    # The report's figures are the simulation's, recomputed here from the engine itself.
    eng = Engine.load(tiny_bundle)
    direct = simulate(lambda t, n: [x.word for x in eng.suggest(t, n)], SENTENCES[:3] + SENTENCES[4:6], 3)
    t3 = report["bundle"]["typing"]["3"]
    assert (t3["characters"], t3["keystrokes"]) == (direct.characters, direct.keystrokes)
    assert s["ksr"]["3"] == pytest.approx(direct.ksr)
    # These sentences are the tiny model's own patterns: it must save keystrokes on them.
    assert s["ksr"]["3"] > 0.3 and s["next_word_top3"] > 0.3
    assert s["perplexity_per_word"] == pytest.approx(perplexity(eng, SENTENCES[:3] + SENTENCES[4:6])["perplexity_per_word"])
    assert s["size_bytes"] == sum(f.stat().st_size for f in tiny_bundle.iterdir() if f.is_file())
    assert "latency_ms" not in s  # speed is the engine benchmark's, not eval's

    (other,) = report["compare"]
    assert other["quantization"] == "int8" and other["size_bytes"] < s["size_bytes"]
    assert set(other["typing"]) == {"3"}

    for name in ("ksr_vs_suggestions.png", "accuracy_vs_size.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    printed = capsys.readouterr().out
    assert "KSR" in printed and "int8" in printed


def test_without_compare_there_is_no_size_plot(tiny_bundle, text, tmp_path):
    out = tmp_path / "eval"
    report = run_eval(EvalConfig(bundle=tiny_bundle, text=text, out_dir=out, max_sentences=2,
                                 suggestions=(3,), progress=False))
    assert report["compare"] == [] and not (out / "accuracy_vs_size.png").exists()
    assert (out / "ksr_vs_suggestions.png").exists()


@pytest.mark.parametrize("batch_size", [1, 5, 32])
def test_perplexity_matches_what_training_measured(tiny_bundle, tiny_corpus, batch_size):
    """The engine's runner, batched and padded, against Keras on the run's own test split."""
    manifest = json.loads((tiny_bundle / "manifest.json").read_text())
    want = manifest["training"]["test"]
    got = perplexity(Engine.load(tiny_bundle), read_sentences(tiny_corpus / "test.txt", 10**6), batch_size)
    assert (got["sentences"], got["tokens"], got["words"]) == (want["sentences"], want["tokens"], want["words"])
    assert got["cross_entropy_per_token"] == pytest.approx(want["cross_entropy_per_token"], rel=1e-4)


@pytest.mark.parametrize("change, message", [
    ({"text": "missing.txt"}, "missing.txt does not exist"),
    ({"text": "blank.txt"}, "holds no sentences"),
    ({"max_sentences": 0}, "max_sentences must be at least 1, got 0"),
    ({"suggestions": (1, 5)}, "must include 3"),
])
def test_bad_input_is_named(tmp_path, text, change, message):
    (tmp_path / "blank.txt").write_text("\n  \n")
    kw = {"bundle": None, "text": text, "out_dir": tmp_path / "out", "progress": False, **change}
    if isinstance(kw["text"], str):
        kw["text"] = tmp_path / kw["text"]
    with pytest.raises(EvalError, match=message):
        run_eval(EvalConfig(**kw))


def test_missing_plot_extras_name_the_install(monkeypatch, tmp_path, text):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    with pytest.raises(EvalError, match=r"matplotlib.*pip install 'nextkey\[dev\]'"):
        run_eval(EvalConfig(bundle=None, text=text, out_dir=tmp_path / "out", progress=False))


def test_cli_eval_and_suggest_through_main(tiny_bundle, text, tmp_path, capsys):
    from nextkey.cli.main import main

    assert main(["suggest", "I would like to se", "--bundle", str(tiny_bundle), "-n", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t")[0] == "see" and out[0].split("\t")[2] == "completion"
    assert main(["eval", str(tiny_bundle), "--text", str(text), "--out", str(tmp_path / "ev"),
                 "--max-sentences", "2"]) == 0
    report = json.loads((tmp_path / "ev" / "eval.json").read_text())
    assert report["text"]["sentences"] == 2 and "KSR" in capsys.readouterr().out
    assert main(["eval", str(tiny_bundle), "--text", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt does not exist" in capsys.readouterr().err


# ------------------------------------------------------------------ noisy typing


def test_noisy_typist_is_seeded_and_counts_slips():
    from nextkey.evaluate.noisy import NoiseConfig, simulate_noisy

    never = lambda text, n: []  # noqa: E731
    a = simulate_noisy(never, SENTENCES[:3], 3, NoiseConfig(rate=0.3, seed=1))
    b = simulate_noisy(never, SENTENCES[:3], 3, NoiseConfig(rate=0.3, seed=1))
    assert a.summary() == b.summary()
    assert a.slipped_words > 0 and a.rescued == 0  # nothing offered: no slip is repaired
    assert a.misspelled == a.slipped_words  # it fixes nothing itself
    clean = simulate_noisy(never, SENTENCES[:3], 3, NoiseConfig(rate=0.0))
    assert clean.slipped_words == 0 and clean.keystrokes == clean.characters


def test_an_oracle_rescues_every_slipped_word():
    from nextkey.evaluate.noisy import NoiseConfig, simulate_noisy

    sentence = "They want to go home tomorrow."
    words_ = ["They", "want", "to", "go", "home", "tomorrow"]
    r = simulate_noisy(lambda text, n: words_, [sentence], 6, NoiseConfig(rate=0.5, seed=3))
    assert r.keystrokes == len(words_) + 1  # one selection per word (with its space) and the final "."
    assert r.misspelled == 0 and r.rescued == r.slipped_words


def test_typo_tolerance_rescues_a_slip_on_the_tiny_model(tiny_bundle):
    from nextkey.evaluate.noisy import slip_probe

    sentences = ["I would like to see you on Monday.", "Thank you very much.", "Hello there, my friend."] * 3
    on = slip_probe(engine_predictor_of(Engine.load(tiny_bundle)), sentences, 3)
    off = slip_probe(engine_predictor_of(Engine.load(tiny_bundle, settings=no_slips(Engine.load(tiny_bundle).settings))), sentences, 3)
    assert on["words"] == off["words"] > 0 and on["clean_offered"] > 0.5
    assert off["slipped_offered"] < on["slipped_offered"]
    assert on["ratio"] >= 0.6, on


def engine_predictor_of(engine):
    from nextkey.evaluate.stats import engine_predictor

    return engine_predictor(engine)


def no_slips(settings):
    from dataclasses import replace

    return replace(settings, slips=replace(settings.slips, enabled=False))
