import json
import os

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
