import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nextkey.train.distribute import local_tf_configs
from nextkey.train.model import ModelConfig, build_model
from nextkey.train.tokenizer import EOS_ID, load_tokenizer
from nextkey.cli.main import main
from nextkey.train.run_dir import TrainError, latest_checkpoint, load_trained_model, valid_lines
from nextkey.train.train import PRESETS, Strategy, TrainConfig, train

from conftest import make_sentences, write_corpus


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
    first = train(tiny_corpus, out, _quick_preset(epochs=0.4, checkpoint_every=40, eval_every=20))
    ck = latest_checkpoint(out)
    with np.load(ck) as z:
        saved_step, saved_minutes = int(z["step"]), float(z["minutes"])
    assert saved_step == first.step
    assert saved_minutes == pytest.approx(first.report["train_minutes"])
    # a longer plan resumed from the checkpoint starts exactly there
    cfg_file = out / "train_config.json"
    cfg = json.loads(cfg_file.read_text())
    cfg["epochs"] = 0.8
    cfg_file.write_text(json.dumps(cfg))
    second = train(tiny_corpus, out, _quick_preset(), resume=True)
    assert second.step > saved_step
    assert second.step == int(0.8 * (first.report["step"] / first.report["epochs"]))
    # the history and the minutes carry on from the checkpoint
    n = len(first.report["history"])
    assert n >= 1 and second.report["history"][:n] == first.report["history"]
    steps = [h["step"] for h in second.report["history"]]
    assert len(steps) > n and steps == sorted(set(steps))
    assert second.report["train_minutes"] == pytest.approx(saved_minutes + second.report["train_minutes_this_run"])


def test_time_budget_counts_minutes_of_earlier_runs(tmp_path, tiny_corpus):
    out = tmp_path / "run"
    first = train(tiny_corpus, out, _quick_preset(epochs=0.2, eval_every=1000))
    ck = latest_checkpoint(out)
    # pretend the first run used 10 of 10 budget minutes: a resumed longer plan must not train on
    with np.load(ck) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["minutes"] = np.float64(10.0)
    np.savez(ck, **arrays)
    cfg = json.loads((out / "train_config.json").read_text())
    cfg.update(epochs=5.0, max_minutes=10.0)
    (out / "train_config.json").write_text(json.dumps(cfg))
    second = train(tiny_corpus, out, _quick_preset(), resume=True)
    assert second.step == first.step
    assert second.report["train_minutes"] >= 10.0


def test_checkpoint_without_minutes_still_resumes(tmp_path, tiny_corpus):
    """Checkpoints written before the budget was cumulative have no ``minutes``."""
    out = tmp_path / "run"
    first = train(tiny_corpus, out, _quick_preset(epochs=0.2, eval_every=1000))
    ck = latest_checkpoint(out)
    with np.load(ck) as z:
        arrays = {k: z[k] for k in z.files if k != "minutes"}
    np.savez(ck, **arrays)
    cfg = json.loads((out / "train_config.json").read_text())
    cfg["epochs"] = 0.4
    (out / "train_config.json").write_text(json.dumps(cfg))
    second = train(tiny_corpus, out, _quick_preset(), resume=True)
    assert second.step > first.step
    assert second.report["train_minutes"] == pytest.approx(second.report["train_minutes_this_run"])


def test_strategy_is_an_enum_validated_once(tmp_path):
    assert TrainConfig(strategy="mirrored").strategy is Strategy.MIRRORED
    assert TrainConfig().to_dict()["strategy"] == "default"
    assert TrainConfig(**json.loads(json.dumps(TrainConfig(strategy="multiworker").to_dict()))) == \
        TrainConfig(strategy=Strategy.MULTIWORKER)
    with pytest.raises(ValueError, match="unknown strategy 'horovod'"):
        TrainConfig(strategy="horovod")


def test_run_folder_reads_back_without_the_training_loop(tmp_path, tiny_run, tiny_corpus):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "best.npz").unlink()  # falls back to the latest checkpoint
    model, cfg = load_trained_model(run)
    assert cfg.vocab_size == 340 and model.count_params() == cfg.num_params()
    assert valid_lines(run, 5) == (tiny_corpus / "valid.txt").read_text().splitlines()[:5]
    (run / "corpus_dir.txt").unlink()
    with pytest.raises(TrainError, match="corpus_dir.txt"):
        valid_lines(run, 5)


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
    # Wait for the first checkpoint; the deadline only guards against a hang, it times nothing.
    deadline = time.time() + 600
    while latest_checkpoint(out) is None and proc.poll() is None and time.time() < deadline:
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


def test_cli_corpus_and_train_through_main(tmp_path, capsys):
    src = tmp_path / "text.txt"
    src.write_text("\n".join(make_sentences(1500, seed=3)) + "\n")
    corpus, run = tmp_path / "corpus", tmp_path / "run"
    assert main(["corpus", "--out", str(corpus), "--source", str(src), "--cache-dir", str(tmp_path / "c")]) == 0
    assert "wrote" in capsys.readouterr().out
    meta = json.loads((corpus / "corpus.json").read_text())
    assert meta["per_source"] == {str(src): sum(meta["sentences"].values())}
    assert main(["train", "--corpus", str(corpus), "--out", str(run), "--preset", "tiny",
                 "--vocab-size", "300", "--epochs", "0.3"]) == 0
    out = capsys.readouterr().out
    report = json.loads((run / "report.json").read_text())
    assert f"step {report['step']}," in out and report["step"] > 0
    assert report["model_config"]["vocab_size"] == 300
    # the same folder again without --resume/--force is a one-line error, not a traceback
    assert main(["train", "--corpus", str(corpus), "--out", str(run), "--preset", "tiny"]) == 2
    assert "--resume" in capsys.readouterr().err
    # a missing corpus names the command that makes one
    assert main(["train", "--corpus", str(tmp_path / "none"), "--out", str(tmp_path / "r2"), "--preset", "tiny"]) == 2
    assert "nextkey corpus" in capsys.readouterr().err


@pytest.mark.parametrize("max_minutes, step, minutes, fraction", [
    (None, 0, 0.0, 1 / 10),  # warm-up: (step + 1) / warmup_steps
    (None, 10, 99.0, 1.0),  # end of warm-up; minutes ignored without a budget
    (None, 110, 0.0, 0.05 + 0.95 * 0.5),  # halfway through the steps
    (None, 210, 0.0, 0.05),  # the plan's last step
    (20.0, 11, 10.0, 0.05 + 0.95 * 0.5),  # halfway through the budget decides
    (20.0, 110, 1.0, 0.05 + 0.95 * 0.5),  # halfway through the steps decides
    (20.0, 11, 25.0, 0.05),  # budget spent: fully annealed
])
def test_learning_rate_anneals_by_steps_or_budget(max_minutes, step, minutes, fraction):
    from nextkey.train.train import LRSchedule

    cfg = TrainConfig(learning_rate=1.0, warmup_steps=10, min_lr_fraction=0.05, max_minutes=max_minutes)
    assert LRSchedule(cfg, total_steps=210)(step, minutes) == pytest.approx(fraction)


# --------------------------------------------------- two workers on 127.0.0.1

_WORKER = r"""
import hashlib, json, sys
from dataclasses import replace
from pathlib import Path
from pathlib import Path

import numpy as np
import nextkey.train.train as T

corpus, out, record, strategy, batch = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], int(sys.argv[5])
seen = []
real_step = T.make_train_step


def recording_step(model, optimizer, strat, *rest):  # the test's own record of the windows each worker trains on
    step = real_step(model, optimizer, strat, *rest)

    def wrapped(x, y, lr):
        for part in strat.experimental_local_results(x):
            seen.extend(hashlib.blake2b(np.asarray(r).tobytes(), digest_size=8).hexdigest() for r in part)
        return step(x, y, lr)
    return wrapped


T.make_train_step = recording_step
p = T.PRESETS["tiny"]
preset = replace(p, tokenizer=replace(p.tokenizer, vocab_size=300),
                 train=replace(p.train, strategy=strategy, batch_size=batch, epochs=5, max_steps=12,
                               eval_every=6, checkpoint_every=6))
result = T.train(corpus, out, preset)
record.write_text(json.dumps({"step": result.step, "windows": seen}))
"""


_QUIET = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}


def _start_two_workers(command_of, logs: Path) -> list[subprocess.Popen]:
    """Workers 0 (the chief) and 1 on 127.0.0.1, each with its TF_CONFIG; ``command_of(i)`` is worker i's command.

    Their output goes to ``logs/worker-I.log`` (a file: a pipe nobody reads could block a worker).
    """
    logs.mkdir(parents=True, exist_ok=True)
    procs = []
    for i, tf_config in enumerate(local_tf_configs(2)):
        with open(logs / f"worker-{i}.log", "w") as log:
            procs.append(subprocess.Popen(command_of(i), env={**_QUIET, "TF_CONFIG": tf_config},
                                          stdout=log, stderr=subprocess.STDOUT, text=True))
    return procs


def _wait_all(procs: list[subprocess.Popen], logs: Path) -> list[str]:
    """Each worker's output once all have exited; the deadline only guards against a hang, it times nothing."""
    try:
        for p in procs:
            p.wait(timeout=600)
    finally:
        for p in procs:
            p.kill()
    return [(logs / f"worker-{i}.log").read_text() for i in range(len(procs))]


def test_two_workers_share_the_windows_and_only_the_chief_writes(tmp_path, tiny_corpus):
    procs = _start_two_workers(lambda i: [sys.executable, "-c", _WORKER, str(tiny_corpus), str(tmp_path / f"out{i}"),
                                          str(tmp_path / f"seen{i}.json"), "multiworker", "16"], tmp_path / "logs")
    outputs = _wait_all(procs, tmp_path / "logs")
    for p, o in zip(procs, outputs):
        assert p.returncode == 0, o[-3000:]
    single = subprocess.run([sys.executable, "-c", _WORKER, str(tiny_corpus), str(tmp_path / "single"),
                             str(tmp_path / "seen-single.json"), "default", "16"],
                            env=_QUIET, capture_output=True, text=True, timeout=600)
    assert single.returncode == 0, single.stdout[-2000:] + single.stderr[-2000:]

    seen = [json.loads((tmp_path / f"seen{i}.json").read_text()) for i in range(2)]
    alone = json.loads((tmp_path / "seen-single.json").read_text())
    assert seen[0]["step"] == seen[1]["step"] == alone["step"] == 12
    w0, w1 = Counter(seen[0]["windows"]), Counter(seen[1]["windows"])
    assert sum(w0.values()) == sum(w1.values()) == 12 * 8  # half the global batch each
    # each worker trained on its own shard: together exactly the windows one worker sees with the same global batch
    assert w0 + w1 == Counter(alone["windows"])
    assert not (tmp_path / "out1").exists()  # only the chief wrote
    chief = tmp_path / "out0"
    assert {"tokenizer.model", "model_config.json", "best.npz", "report.json", "ckpt-12.npz"} <= {f.name for f in chief.iterdir()}
    # the same updates as one worker, up to the order of floating-point sums (TF's threaded reductions:
    # the weights agree within 1e-3 below; the loss over the valid split, a sum of their effects, within 3e-3:
    # a 1.2e-3 difference was seen on a loaded machine)
    mw, one = (json.loads((d / "report.json").read_text()) for d in (chief, tmp_path / "single"))
    assert mw["valid"]["cross_entropy_per_token"] == pytest.approx(one["valid"]["cross_entropy_per_token"], abs=3e-3)
    with np.load(chief / "ckpt-12.npz") as a, np.load(tmp_path / "single" / "ckpt-12.npz") as b:
        for k in (k for k in a.files if k.startswith("w")):
            np.testing.assert_allclose(a[k], b[k], atol=1e-3)


def _multiworker_train(corpus, out, *flags, verbose=False) -> list[str]:
    """``nextkey train`` of the tiny preset for one of two workers (a global batch of 16: 8 windows each)."""
    return [sys.executable, "-m", "nextkey.cli.main", *(["-v"] if verbose else []), "train", "--corpus", str(corpus),
            "--out", str(out), "--preset", "tiny", "--vocab-size", "300", "--batch-size", "16",
            "--strategy", "multiworker", *flags]


def _start_long_run(tmp_path, corpus) -> tuple[list[subprocess.Popen], list[Path]]:
    """Two workers on a plan of thousands of steps, once the chief has written its first checkpoint (step 50)."""
    outs = [tmp_path / f"out{i}" for i in range(2)]
    procs = _start_two_workers(lambda i: _multiworker_train(corpus, outs[i], "--epochs", "50"), tmp_path / "logs")
    deadline = time.time() + 600  # guards against a hang only
    while latest_checkpoint(outs[0]) is None and all(p.poll() is None for p in procs) and time.time() < deadline:
        time.sleep(0.2)
    if latest_checkpoint(outs[0]) is None:
        for p in procs:
            p.kill()
        pytest.fail(f"no checkpoint: {_wait_all(procs, tmp_path / 'logs')[0][-2000:]}")
    return procs, outs


def _resume_on_two_fresh_workers(tmp_path, corpus, chief_dir, step: int) -> None:
    """Both workers resume from copies of the chief's folder (as on two hosts) and finish 10 steps later."""
    cfg = json.loads((chief_dir / "train_config.json").read_text())
    cfg["max_steps"] = step + 10  # the interrupted plan had thousands of steps left
    (chief_dir / "train_config.json").write_text(json.dumps(cfg))
    with np.load(chief_dir / f"ckpt-{step}.npz") as z:
        history = json.loads(str(z["history"]))
    runs = [tmp_path / f"resumed{i}" for i in range(2)]
    for run in runs:
        shutil.copytree(chief_dir, run)
    logs = tmp_path / "resume-logs"
    procs = _start_two_workers(lambda i: _multiworker_train(corpus, runs[i], "--resume", verbose=True), logs)
    outputs = _wait_all(procs, logs)
    for p, o in zip(procs, outputs):
        assert p.returncode == 0, o[-3000:]
        assert f"resumed from ckpt-{step}.npz at step {step} " in o
    report = json.loads((runs[0] / "report.json").read_text())
    assert report["step"] == step + 10  # continued: 10 steps from the checkpoint, not a run from step 0
    assert history and report["history"][:len(history)] == history  # the interrupted run's evaluations carry on
    assert report["train_minutes"] > report["train_minutes_this_run"]
    assert not (runs[1] / "report.json").exists()  # still only the chief writes


def test_ctrl_c_on_one_worker_stops_both_at_a_checkpoint_that_resume_continues(tmp_path, tiny_corpus):
    procs, outs = _start_long_run(tmp_path, tiny_corpus)
    procs[1].send_signal(signal.SIGINT)  # on the worker that is not the chief
    logs = _wait_all(procs, tmp_path / "logs")
    assert [p.returncode for p in procs] == [130, 130], logs[0][-2000:] + logs[1][-2000:]
    steps = [int(re.search(r"interrupted at step (\d+);", log)[1]) for log in logs]
    assert steps[0] == steps[1] >= 50  # both stopped after the same step
    assert "checkpoint kept in" in logs[0] and "the chief keeps the checkpoint" in logs[1]
    ck = latest_checkpoint(outs[0])
    assert ck.name == f"ckpt-{steps[0]}.npz"  # the chief saved the step they stopped at
    with np.load(ck) as z:
        assert int(z["step"]) == steps[0]
    assert not outs[1].exists()
    _resume_on_two_fresh_workers(tmp_path, tiny_corpus, outs[0], steps[0])


def test_a_killed_worker_stops_the_chief_with_one_line_and_a_checkpoint_to_resume(tmp_path, tiny_corpus):
    procs, outs = _start_long_run(tmp_path, tiny_corpus)
    procs[1].kill()  # SIGKILL: no goodbye; TensorFlow notices the broken connection or the missing heartbeats
    chief_log = _wait_all(procs, tmp_path / "logs")[0]
    assert procs[0].returncode == 2, chief_log[-3000:]
    assert "Traceback" not in chief_log
    m = re.search(r"^nextkey train: error: lost worker 1 \(127\.0\.0\.1:\d+\) at step (\d+): start every worker "
                  r"again with --resume to continue from step (\d+) \((\S+)\)$", chief_log, re.MULTILINE)
    assert m, chief_log[-2000:]
    lost_at, step = int(m[1]), int(m[2])
    assert 50 <= step <= lost_at  # the last periodic checkpoint (every 50 steps)
    assert latest_checkpoint(outs[0]) == Path(m[3]) == outs[0] / f"ckpt-{step}.npz"
    _resume_on_two_fresh_workers(tmp_path, tiny_corpus, outs[0], step)


# --- presets that train: the schedule follows the plan, time-bound runs, resume flags -------

def test_a_short_plan_leaves_its_warm_up():
    """36 steps with the 200-step warm-up of the recipe: the old schedule never passed 18% of the rate."""
    from nextkey.train.train import LRSchedule

    cfg = TrainConfig(learning_rate=1.0, warmup_steps=200)
    lr = LRSchedule(cfg, total_steps=36)
    rates = [lr(s) for s in range(36)]
    assert max(rates) > 0.9  # warmed up (within 5% of the plan), then annealed
    assert rates[-1] < 0.1
    assert rates.index(max(rates)) <= 2


def test_a_time_bound_plan_warms_up_over_a_share_of_the_minutes():
    from nextkey.train.train import LRSchedule

    cfg = TrainConfig(learning_rate=1.0, warmup_steps=200, epochs=None, max_minutes=10.0)
    lr = LRSchedule(cfg, total_steps=None)
    assert lr(0, 0.0) < 0.01
    assert lr(20, 0.5) == pytest.approx(1.0, abs=0.01)  # 5% of the budget: warm, not 200 steps
    assert lr(20, 5.0) == pytest.approx(0.05 + 0.95 * 0.5)  # half the budget: half annealed
    assert lr(20, 10.0) == pytest.approx(0.05)


def test_train_config_needs_an_end():
    with pytest.raises(ValueError, match="max_minutes or max_steps"):
        TrainConfig(epochs=None)
    with pytest.raises(ValueError, match="epochs must be > 0"):
        TrainConfig(epochs=0)


def test_the_small_preset_trains_until_its_time():
    t = PRESETS["small"].train
    assert t.epochs is None and t.max_minutes is not None


def test_a_time_bound_run_ignores_epochs_and_validates_each_epoch(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", n_train=250)  # a small text: an epoch of a few dozen steps
    preset = _quick_preset(epochs=None, max_minutes=10.0, max_steps=200, eval_every=1000, patience=100)
    result = train(corpus, tmp_path / "run", preset)
    rep = result.report
    assert result.step == 200 and rep["epochs"] > 2  # several passes: no epoch count stopped it
    steps_per_epoch = round(rep["step"] / rep["epochs"])
    assert [h["step"] for h in rep["history"]][:2] == [steps_per_epoch, 2 * steps_per_epoch]


def test_a_run_that_ends_near_the_uniform_loss_says_so(tmp_path, tiny_corpus, caplog):
    from nextkey.train.train import uniform_warning

    assert uniform_warning(0.95 * math.log(4000), 4000) is not None
    assert uniform_warning(0.5 * math.log(4000), 4000) is None
    with caplog.at_level("WARNING"):
        result = train(tiny_corpus, tmp_path / "run", _quick_preset(max_steps=2, learning_rate=1e-5))
    assert "uniform guess" in result.report["warning"]
    assert any("uniform guess" in r.message for r in caplog.records)


def test_resume_applies_new_epochs_and_minutes_and_names_what_it_ignores(tmp_path, tiny_corpus, caplog):
    out = tmp_path / "run"
    first = train(tiny_corpus, out, _quick_preset(epochs=0.2, eval_every=1000))
    changes = {"epochs": 0.4, "max_minutes": 8.0, "batch_size": 4, "learning_rate": 0.5}
    with caplog.at_level("WARNING"):
        second = train(tiny_corpus, out, _quick_preset(), resume=True, changes=changes)
    assert second.step == pytest.approx(2 * first.step, abs=1)  # the new epochs were applied
    saved = json.loads((out / "train_config.json").read_text())
    assert saved["epochs"] == 0.4 and saved["max_minutes"] == 8.0
    assert saved["batch_size"] == 8 and saved["learning_rate"] == pytest.approx(1e-2)  # kept
    ignored = " ".join(r.message for r in caplog.records)
    assert "--batch-size 4 ignored" in ignored and "--learning-rate 0.5 ignored" in ignored
    assert "--force" in ignored


def test_resume_through_the_cli_says_what_it_ignores(tmp_path, tiny_corpus, capsys):
    out = tmp_path / "run"
    assert main(["train", "--corpus", str(tiny_corpus), "--out", str(out), "--preset", "tiny",
                 "--vocab-size", "300", "--epochs", "0.2"]) == 0
    capsys.readouterr()
    assert main(["train", "--corpus", str(tiny_corpus), "--out", str(out), "--resume", "--preset", "small",
                 "--epochs", "0.4"]) == 0
    err = capsys.readouterr().err
    assert "--preset small ignored" in err
    assert json.loads((out / "train_config.json").read_text())["epochs"] == 0.4


def test_a_vocabulary_too_large_for_the_text_is_fitted_or_named(tmp_path):
    from nextkey.train.tokenizer import TokenizerConfig, TokenizerError, train_tokenizer

    text = tmp_path / "small.txt"
    text.write_text("\n".join(make_sentences(300, seed=5)) + "\n")
    with pytest.raises(TokenizerError, match=r"--vocab-size 4000 is too large .* Pass --vocab-size \d+ or less"):
        train_tokenizer(text, TokenizerConfig(vocab_size=4000, fit_to_text=False))
    sp = load_tokenizer(train_tokenizer(text, TokenizerConfig(vocab_size=4000)))
    assert 256 < sp.vocab_size() < 4000


def test_train_help_describes_every_preset(capsys):
    from nextkey.cli.main import _PRESET_ABOUT

    assert set(_PRESET_ABOUT) == set(PRESETS)
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    for name, about in _PRESET_ABOUT.items():
        assert about in " ".join(out.split())
        assert "minutes" in about and "MB" in about


def test_a_stalled_run_anneals_before_it_stops():
    from nextkey.train.train import LRSchedule

    cfg = TrainConfig(learning_rate=1.0, warmup_steps=10, epochs=None, max_minutes=30.0)
    lr = LRSchedule(cfg, total_steps=None)
    assert lr.can_cool_down(500, 10.0)  # a third of the budget: the rate is still high
    lr.cool_down(500, 10.0, 100)
    assert lr(550, 11.0) < lr(500, 10.0) and lr(600, 12.0) == pytest.approx(0.05)
    assert lr.cooled_down(600) and not lr.cooled_down(599)
    assert not lr.can_cool_down(600, 12.0)  # once
