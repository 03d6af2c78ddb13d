import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from nextkey.train.model import ModelConfig, build_model
from nextkey.train.tokenizer import EOS_ID, load_tokenizer
from nextkey.train.train import PRESETS, TrainError, latest_checkpoint, train

from conftest import write_corpus


def test_model_config_validation_and_param_count():
    cfg = ModelConfig(vocab_size=8000)
    assert cfg.num_params() < 3_000_000  # fits a phone keyboard
    assert build_model(ModelConfig.tiny(300)).count_params() == ModelConfig.tiny(300).num_params()
    with pytest.raises(ValueError, match="hidden_dim"):
        ModelConfig(vocab_size=100, hidden_dim=0)


def test_step_matches_whole_sequence():
    cfg = ModelConfig(vocab_size=64, embed_dim=8, hidden_dim=16, num_layers=2, dropout=0.0)
    m = build_model(cfg)
    x = np.random.default_rng(0).integers(0, 64, (3, 7)).astype("int32")
    import tensorflow as tf
    full = tf.nn.log_softmax(m(x)).numpy()
    state = np.zeros((3, cfg.state_size), "float32")
    for t in range(7):
        lp, state = m.step(x[:, t], state)
        np.testing.assert_allclose(lp.numpy(), full[:, t], atol=1e-5)


def test_tiny_model_learns_far_below_unigram_entropy(tiny_run, tiny_corpus):
    report = json.loads((tiny_run / "report.json").read_text())
    sp = load_tokenizer(tiny_run / "tokenizer.model")
    counts = Counter()
    for line in (tiny_corpus / "train.txt").read_text().splitlines():
        counts.update(sp.encode(line) + [EOS_ID])
    total = sum(counts.values())
    unigram = -sum(c / total * math.log(c / total) for c in counts.values())
    ce = report["valid"]["cross_entropy_per_token"]
    assert ce < 0.5 * unigram, (ce, unigram)
    assert report["test"]["perplexity_per_word"] > 1.0
    for f in ("model_config.json", "tokenizer.model", "best.npz", "train_config.json"):
        assert (tiny_run / f).exists()


def _quick_preset(**train_kw):
    p = PRESETS["tiny"]
    return replace(p, tokenizer=replace(p.tokenizer, vocab_size=300), train=replace(p.train, **train_kw))


def test_resume_continues_at_the_same_step(tmp_path, tiny_corpus):
    out = tmp_path / "run"
    first = train(tiny_corpus, out, _quick_preset(epochs=0.4, checkpoint_every=40, eval_every=1000))
    ck = latest_checkpoint(out)
    with np.load(ck) as z:
        saved_step = int(z["step"])
    assert saved_step == first.step
    # a longer plan resumed from the checkpoint starts exactly there
    cfg_file = out / "train_config.json"
    cfg = json.loads(cfg_file.read_text())
    cfg["epochs"] = 0.8
    cfg_file.write_text(json.dumps(cfg))
    second = train(tiny_corpus, out, _quick_preset(), resume=True)
    assert second.report["history"] is not None
    assert second.step > saved_step
    assert second.step == int(0.8 * (first.report["step"] / first.report["epochs"]))


def test_existing_run_needs_resume_or_force(tmp_path, tiny_corpus):
    out = tmp_path / "run"
    train(tiny_corpus, out, _quick_preset(epochs=0.1, eval_every=1000))
    with pytest.raises(TrainError, match="--resume"):
        train(tiny_corpus, out, _quick_preset(epochs=0.1))


def test_resume_without_a_run_is_an_error(tmp_path, tiny_corpus):
    with pytest.raises(TrainError, match="no training run"):
        train(tiny_corpus, tmp_path / "none", _quick_preset(), resume=True)


def test_missing_or_empty_corpus(tmp_path):
    with pytest.raises(TrainError, match="missing"):
        train(tmp_path / "nocorpus", tmp_path / "o", _quick_preset())
    c = write_corpus(tmp_path / "c")
    (c / "train.txt").write_text("")
    with pytest.raises(TrainError, match="empty"):
        train(c, tmp_path / "o", _quick_preset())


def test_corpus_too_small_for_one_batch(tmp_path):
    c = write_corpus(tmp_path / "c", n_train=400)
    p = _quick_preset(batch_size=4096)
    with pytest.raises(TrainError, match="fewer than one batch"):
        train(c, tmp_path / "o", p)


def test_unwritable_output_dir(tmp_path, tiny_corpus):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(TrainError, match="cannot create output directory"):
        train(tiny_corpus, blocker / "run", _quick_preset())


def test_ctrl_c_keeps_a_resumable_checkpoint(tmp_path, tiny_corpus):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "nextkey.cli.main", "train", "--corpus", str(tiny_corpus), "--out", str(out),
           "--preset", "tiny", "--vocab-size", "300", "--epochs", "50"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    deadline = time.time() + 120
    while time.time() < deadline and latest_checkpoint(out) is None:
        time.sleep(0.5)
    assert latest_checkpoint(out) is not None, proc.communicate(timeout=5)[0][-2000:]
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output[-2000:]
    assert "--resume" in output
    ck = latest_checkpoint(out)
    with np.load(ck) as z:
        assert int(z["step"]) > 0
    assert not list(out.glob(".tmp-*"))  # nothing half-written left behind
