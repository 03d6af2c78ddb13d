"""Shared fixtures: a tiny corpus, a tiny trained run and tiny exported bundles.

The session-scoped run trains the ``tiny`` preset for a few seconds on a
synthetic corpus with a few strong patterns ("I would like to see you",
"on Monday"), so tests can assert real predictions.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SUBJECTS = ["I", "You", "We", "They", "She", "He"]
VERBS = ["would like to", "want to", "need to", "will"]
ACTIONS = ["see you", "go home", "read the book", "call my mother", "meet the team", "send the letter"]
TIMES = ["on Monday", "on Friday", "tomorrow", "today", "this evening", "next week"]
EXTRA = [
    "Thank you very much.",
    "How are you doing today?",
    "The weather is lovely this morning.",
    "Don't worry about the meeting.",
    "Please let me know when you are free.",
    "The cat sat on the mat.",
    "Good morning, everyone!",
    "Hello there, my friend.",
]


def make_sentences(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.25:
            out.append(rng.choice(EXTRA))
        else:
            out.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(ACTIONS)} {rng.choice(TIMES)}.")
    return out


def write_corpus(folder: Path, n_train: int = 1500, seed: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.txt").write_text("\n".join(make_sentences(n_train, seed)) + "\n")
    (folder / "valid.txt").write_text("\n".join(make_sentences(60, seed + 1)) + "\n")
    (folder / "test.txt").write_text("\n".join(make_sentences(60, seed + 2)) + "\n")
    return folder


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory, tiny_corpus) -> Path:
    from dataclasses import replace

    from nextkey.train.train import PRESETS, train

    preset = PRESETS["tiny"]
    preset = replace(preset, tokenizer=replace(preset.tokenizer, vocab_size=340),
                     # no time budget: the schedule, so the weights, must not depend on the machine's speed
                     train=replace(preset.train, epochs=12, eval_every=200, checkpoint_every=200, max_minutes=None))
    out = tmp_path_factory.mktemp("runs") / "tiny"
    result = train(tiny_corpus, out, preset)
    assert not result.interrupted
    return out


def _export(tmp_path_factory, run: Path, q: str) -> Path:
    from nextkey.export.convert import ExportConfig, export_bundle
    from nextkey.export.lexicon import LexiconConfig

    out = tmp_path_factory.mktemp("bundles") / f"tiny-{q}"
    export_bundle(ExportConfig(run_dir=run, out_dir=out, quantization=q, verify_sentences=30,
                               lexicon=LexiconConfig.tiny()))
    return out


# The tiny vocabulary is nearly all bytes and letters, so its words run to
# more pieces than a real model's: let the word search go deeper.
TINY_DECODER = dict(max_pieces=10)


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory, tiny_run) -> Path:
    """float32: exact, so engine tests are deterministic."""
    return _export(tmp_path_factory, tiny_run, "float32")


@pytest.fixture(scope="session")
def tiny_bundles(tmp_path_factory, tiny_run, tiny_bundle) -> dict[str, Path]:
    out = {"float32": tiny_bundle}
    for q in ("float16", "int8"):
        out[q] = _export(tmp_path_factory, tiny_run, q)
    return out


@pytest.fixture(autouse=True)
def _private_data_home(tmp_path, monkeypatch):
    """Tests never read or write the real user's learned words."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
