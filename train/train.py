"""Corpus splits + tokenizer -> a trained GRU LM checkpoint folder.

The folder holds everything export needs: ``model_config.json``,
``train_config.json``, ``tokenizer.model``, ``ckpt-STEP.npz`` (weights,
optimizer state and data position; the last few kept, written atomically),
``best.npz`` (the weights with the best valid loss) and, at the end,
``report.json`` (valid and test cross-entropy per token and perplexity per
word).

Windows, not carried state: training reads fixed windows of ``seq_len``
tokens cut from the stream of sentences (each ending in ``</s>``) and starts
every window from a zero state. Windows can be shuffled across the whole
corpus (nlp-corpus sentences are unrelated to each other, so carried state
would buy little context), and the runtime feeds a bounded window of recent
words from a fresh state too, so training matches how the model is used.

Run it as ``nextkey train --corpus data/corpus --out runs/default --preset default``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import tensorflow as tf
import keras
from tqdm import tqdm

from .model import GRULanguageModel, ModelConfig, build_model
from .tokenizer import EOS_ID, TokenizerConfig, load_tokenizer, train_tokenizer

log = logging.getLogger(__name__)


class TrainError(RuntimeError):
    """Training cannot start or go on; the message says why and what to do."""


@dataclass(frozen=True)
class TrainConfig:
    seq_len: int = 64
    batch_size: int = 64
    learning_rate: float = 3e-3
    min_lr_fraction: float = 0.05
    warmup_steps: int = 200
    clipnorm: float = 1.0
    epochs: float = 4.0
    max_minutes: float | None = None
    eval_every: int = 500
    eval_sentences: int = 1500
    checkpoint_every: int = 500
    keep_checkpoints: int = 2
    patience: int = 4
    shuffle_buffer: int = 20_000
    seed: int = 0
    strategy: str = "default"
    report_sentences: int | None = None  # valid/test sentences scored in report.json (None: all)
    max_steps: int | None = None  # stop here even if the epochs are not done (comparisons)

    @classmethod
    def tiny(cls) -> "TrainConfig":
        return cls(seq_len=16, batch_size=8, learning_rate=1e-2, warmup_steps=5, epochs=30,
                   eval_every=50, eval_sentences=50, checkpoint_every=50, shuffle_buffer=256)


@dataclass(frozen=True)
class Preset:
    tokenizer: TokenizerConfig
    model: dict  # ModelConfig fields except vocab_size, which the tokenizer decides
    train: TrainConfig


PRESETS: dict[str, Preset] = {
    # Chosen by measured valid loss per training minute: docs/model-selection.md.
    "default": Preset(TokenizerConfig(vocab_size=8000),
                      dict(embed_dim=160, hidden_dim=512, num_layers=1, dropout=0.1),
                      TrainConfig(epochs=3.0, max_minutes=55.0)),
    "small": Preset(TokenizerConfig(vocab_size=4000),
                    dict(embed_dim=96, hidden_dim=256, num_layers=1, dropout=0.1),
                    TrainConfig(epochs=2.0, max_minutes=10.0)),
    "tiny": Preset(TokenizerConfig.tiny(), dict(embed_dim=16, hidden_dim=32, num_layers=1, dropout=0.0),
                   TrainConfig.tiny()),
}


# ------------------------------------------------------------------ data


def _encode_lines(sp, lines: list[str]) -> np.ndarray:
    """Sentences -> one flat int32 stream, each sentence followed by </s>."""
    out: list[int] = []
    for ids in sp.encode(lines):
        out.extend(ids)
        out.append(EOS_ID)
    return np.asarray(out, dtype=np.int32)


def token_stream(path: Path, sp) -> tf.data.Dataset:
    """The split file streamed as tokens (1-D int32), encoded 512 lines at a time."""

    def encode(batch):
        return _encode_lines(sp, [b.decode("utf-8") for b in batch.numpy()])

    lines = tf.data.TextLineDataset(str(path)).batch(512)
    flat = lines.map(lambda b: tf.py_function(encode, [b], tf.int32), num_parallel_calls=1)
    return flat.unbatch()


def window_dataset(path: Path, sp, cfg: TrainConfig, epoch: int) -> tf.data.Dataset:
    """(inputs, targets) batches of (batch, seq_len) windows, shuffled per epoch."""
    win = token_stream(path, sp).batch(cfg.seq_len + 1, drop_remainder=True)
    win = win.shuffle(cfg.shuffle_buffer, seed=cfg.seed + epoch, reshuffle_each_iteration=False)
    win = win.map(lambda w: (w[:-1], w[1:]))
    return win.batch(cfg.batch_size, drop_remainder=True).prefetch(4)


def count_tokens(path: Path, sp) -> int:
    total = 0
    with open(path, encoding="utf-8") as f:
        batch: list[str] = []
        for line in f:
            batch.append(line.rstrip("\n"))
            if len(batch) == 4096:
                total += len(_encode_lines(sp, batch))
                batch = []
        if batch:
            total += len(_encode_lines(sp, batch))
    return total


def read_lines(path: Path, limit: int | None = None) -> list[str]:
    with open(path, encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip()]
    return lines[:limit] if limit else lines


# ------------------------------------------------------------ evaluation


def evaluate_text(model: GRULanguageModel, sp, lines: list[str], batch_size: int = 64) -> dict:
    """Each sentence scored from a fresh state after </s>, as the engine starts.

    Returns cross-entropy per token (nats) and perplexity per word, where a
    word's log-probability is the sum of its subword log-probabilities and the
    closing </s> counts as one more word per sentence (as in word-level LM
    benchmarks).
    """
    seqs = [[EOS_ID] + ids + [EOS_ID] for ids in sp.encode(lines)]
    order = np.argsort([len(s) for s in seqs])
    nll, ntok = 0.0, 0
    for i in range(0, len(order), batch_size):
        chunk = [seqs[j] for j in order[i:i + batch_size]]
        width = max(len(s) for s in chunk)
        arr = np.zeros((len(chunk), width), np.int32)
        mask = np.zeros((len(chunk), width - 1), np.float32)
        for r, s in enumerate(chunk):
            arr[r, :len(s)] = s
            mask[r, :len(s) - 1] = 1.0
        nll += float(_masked_nll(model, arr, mask))
        ntok += int(mask.sum())
    words = sum(len(ln.split()) for ln in lines) + len(lines)
    return {
        "sentences": len(lines),
        "tokens": ntok,
        "words": words,
        "cross_entropy_per_token": nll / max(ntok, 1),
        "perplexity_per_word": math.exp(nll / max(words, 1)),
        "tokens_per_word": ntok / max(words, 1),
    }


def _masked_nll(model, arr, mask):
    logits = model(arr[:, :-1], training=False)
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=arr[:, 1:], logits=logits)
    return tf.reduce_sum(losses * mask)


# ---------------------------------------------------------- checkpoints


def save_npz_atomic(path: Path, **arrays) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_weights(path: Path, model: keras.Model) -> None:
    save_npz_atomic(path, **{f"w{i}": w for i, w in enumerate(model.get_weights())})


def load_weights(path: Path, model: keras.Model) -> None:
    """Weights saved by ``save_weights`` or a training checkpoint, checked for shape."""
    with np.load(path) as z:
        n = len([k for k in z.files if k.startswith("w")])
        weights = [z[f"w{i}"] for i in range(n)]
    expected = [tuple(w.shape) for w in model.weights]
    got = [tuple(w.shape) for w in weights]
    if expected != got:
        raise TrainError(f"checkpoint {path} does not fit this model config: weight shapes {got} != {expected}")
    model.set_weights(weights)


def latest_checkpoint(out_dir: Path) -> Path | None:
    ckpts = sorted(out_dir.glob("ckpt-*.npz"), key=lambda p: int(p.stem.split("-")[1]))
    return ckpts[-1] if ckpts else None


# -------------------------------------------------------------- training


def make_strategy(name: str) -> tf.distribute.Strategy:
    match name:
        case "default":
            return tf.distribute.get_strategy()
        case "mirrored":
            return tf.distribute.MirroredStrategy()
        case "multiworker":
            return tf.distribute.MultiWorkerMirroredStrategy()
        case _:
            raise ValueError(f"unknown strategy {name!r}: choose default, mirrored or multiworker")


class LRSchedule:
    """Linear warm-up, then cosine decay to ``min_lr_fraction`` at ``total`` steps."""

    def __init__(self, cfg: TrainConfig, total_steps: int):
        self.cfg, self.total = cfg, max(total_steps, cfg.warmup_steps + 1)

    def __call__(self, step: int) -> float:
        c = self.cfg
        if step < c.warmup_steps:
            return c.learning_rate * (step + 1) / c.warmup_steps
        t = min(1.0, (step - c.warmup_steps) / (self.total - c.warmup_steps))
        return c.learning_rate * (c.min_lr_fraction + (1 - c.min_lr_fraction) * 0.5 * (1 + math.cos(math.pi * t)))


@dataclass
class TrainResult:
    out_dir: Path
    step: int
    interrupted: bool
    report: dict = field(default_factory=dict)


def _prepare_out_dir(out_dir: Path, resume: bool, force: bool) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TrainError(f"cannot create output directory {out_dir}: {e.strerror}") from None
    if not os.access(out_dir, os.W_OK):
        raise TrainError(f"output directory {out_dir} is not writable")
    has_run = (out_dir / "model_config.json").exists()
    if resume and not has_run:
        raise TrainError(f"--resume: {out_dir} holds no training run to resume")
    if has_run and not resume and not force:
        raise TrainError(f"{out_dir} already holds a training run: pass --resume to continue it or --force to start over")
    if has_run and force and not resume:
        for p in [*out_dir.glob("ckpt-*.npz"), out_dir / "best.npz", out_dir / "report.json"]:
            p.unlink(missing_ok=True)


def _check_corpus(corpus_dir: Path) -> tuple[Path, Path, Path]:
    files = tuple(Path(corpus_dir) / f"{s}.txt" for s in ("train", "valid", "test"))
    for f in files:
        if not f.exists():
            raise TrainError(f"corpus split {f} is missing: run `nextkey corpus --out {corpus_dir}` first")
    if files[0].stat().st_size == 0 or files[1].stat().st_size == 0:
        raise TrainError(f"corpus {corpus_dir} has an empty train or valid split")
    return files


def train(corpus_dir: Path, out_dir: Path, preset: Preset, resume: bool = False, force: bool = False) -> TrainResult:
    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    train_file, valid_file, test_file = _check_corpus(corpus_dir)
    _prepare_out_dir(out_dir, resume, force)
    cfg = preset.train
    keras.utils.set_random_seed(cfg.seed)

    tok_path = out_dir / "tokenizer.model"
    if resume:
        if not tok_path.exists():
            raise TrainError(f"--resume: {tok_path} is missing")
        model_cfg = ModelConfig.from_json(out_dir / "model_config.json")
        cfg = TrainConfig(**json.loads((out_dir / "train_config.json").read_text()))
    else:
        log.info("training the tokenizer (vocab %d)", preset.tokenizer.vocab_size)
        train_tokenizer(train_file, preset.tokenizer, tok_path)
    sp = load_tokenizer(tok_path)
    if not resume:
        model_cfg = ModelConfig(vocab_size=sp.vocab_size(), **preset.model)
        model_cfg.to_json(out_dir / "model_config.json")
        (out_dir / "train_config.json").write_text(json.dumps(asdict(cfg), indent=2))
        (out_dir / "corpus_dir.txt").write_text(str(corpus_dir.resolve()))

    train_tokens = count_tokens(train_file, sp)
    steps_per_epoch = train_tokens // ((cfg.seq_len + 1) * cfg.batch_size)
    if steps_per_epoch < 1:
        raise TrainError(
            f"train split has {train_tokens} tokens, fewer than one batch of "
            f"{cfg.batch_size}x{cfg.seq_len + 1}: add text or use a smaller preset"
        )
    total_steps = int(steps_per_epoch * cfg.epochs)
    if cfg.max_steps is not None:
        total_steps = min(total_steps, cfg.max_steps)
    log.info("%d train tokens, %d steps/epoch, %d steps planned; model %s (%d params)",
             train_tokens, steps_per_epoch, total_steps, model_cfg, model_cfg.num_params())

    strategy = make_strategy(cfg.strategy)
    with strategy.scope():
        model = build_model(model_cfg)
        optimizer = keras.optimizers.Adam(learning_rate=cfg.learning_rate, global_clipnorm=cfg.clipnorm)
        optimizer.build(model.trainable_variables)

    step, best, bad_evals, history = 0, float("inf"), 0, []
    if resume:
        ck = latest_checkpoint(out_dir)
        if ck is None:
            raise TrainError(f"--resume: no ckpt-*.npz in {out_dir}")
        with np.load(ck) as z:
            load_weights(ck, model)
            opt_vars = [z[f"o{i}"] for i in range(len([k for k in z.files if k.startswith("o")]))]
            if len(opt_vars) != len(optimizer.variables):
                raise TrainError(f"{ck}: optimizer state does not match ({len(opt_vars)} vs {len(optimizer.variables)})")
            for v, a in zip(optimizer.variables, opt_vars):
                v.assign(a)
            step = int(z["step"])
            best = float(z["best"])
            bad_evals = int(z["bad_evals"])
            history = json.loads(str(z["history"]))
        log.info("resumed from %s at step %d", ck.name, step)

    def save_checkpoint():
        arrays = {f"w{i}": w for i, w in enumerate(model.get_weights())}
        arrays.update({f"o{i}": v.numpy() for i, v in enumerate(optimizer.variables)})
        save_npz_atomic(out_dir / f"ckpt-{step}.npz", step=step, best=best, bad_evals=bad_evals,
                        history=json.dumps(history), **arrays)
        ckpts = sorted(out_dir.glob("ckpt-*.npz"), key=lambda p: int(p.stem.split("-")[1]))
        for old in ckpts[:-cfg.keep_checkpoints]:
            old.unlink(missing_ok=True)

    @tf.function
    def train_step(x, y, lr):
        optimizer.learning_rate.assign(lr)

        def replica_step(x, y):
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
                scaled = loss / strategy.num_replicas_in_sync
            grads = tape.gradient(scaled, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        per_replica = strategy.run(replica_step, args=(x, y))
        return strategy.reduce(tf.distribute.ReduceOp.MEAN, per_replica, axis=None)

    valid_lines = read_lines(valid_file, cfg.eval_sentences)
    schedule = LRSchedule(cfg, total_steps)
    tokens_per_step = cfg.batch_size * cfg.seq_len
    start_time = time.time()
    interrupted = stopped_early = False
    # Ctrl-C is turned into a flag so the step in flight finishes and is saved.
    stop_flag = {"sigint": False}
    old_handler = signal.getsignal(signal.SIGINT)

    def on_sigint(signum, frame):
        if stop_flag["sigint"]:
            raise KeyboardInterrupt
        stop_flag["sigint"] = True

    in_main_thread = True
    try:
        signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread (tests, embedding apps)
        in_main_thread = False

    bar = tqdm(total=total_steps, initial=step, desc="train", unit="step", mininterval=1.0)
    ema_loss = None
    try:
        while step < total_steps and not stopped_early:
            epoch, skip = divmod(step, steps_per_epoch)
            ds = window_dataset(train_file, sp, cfg, epoch)
            if skip:
                ds = ds.skip(skip)
            ds = strategy.experimental_distribute_dataset(ds) if cfg.strategy != "default" else ds
            t_last, last_step = time.time(), step
            for x, y in ds:
                loss = float(train_step(x, y, tf.constant(schedule(step), tf.float32)))
                if not math.isfinite(loss):
                    raise TrainError(f"loss became {loss} at step {step}: lower the learning rate")
                step += 1
                ema_loss = loss if ema_loss is None else 0.98 * ema_loss + 0.02 * loss
                bar.update(1)
                now = time.time()
                if now - t_last >= 2.0:
                    bar.set_postfix(loss=f"{ema_loss:.3f}", tok_s=f"{(step - last_step) * tokens_per_step / (now - t_last):,.0f}",
                                    lr=f"{schedule(step):.2e}", epoch=f"{step / steps_per_epoch:.2f}")
                    t_last, last_step = now, step
                if step % cfg.eval_every == 0:
                    ev = evaluate_text(model, sp, valid_lines)
                    history.append({"step": step, "train_loss": ema_loss, "valid_ce": ev["cross_entropy_per_token"],
                                    "minutes": (time.time() - start_time) / 60})
                    tqdm.write(f"step {step}: valid ce/token {ev['cross_entropy_per_token']:.4f}, "
                               f"ppl/word {ev['perplexity_per_word']:.1f}")
                    if ev["cross_entropy_per_token"] < best - 1e-4:
                        best, bad_evals = ev["cross_entropy_per_token"], 0
                        save_weights(out_dir / "best.npz", model)
                    else:
                        bad_evals += 1
                        if bad_evals >= cfg.patience:
                            tqdm.write(f"early stop: no valid improvement in {cfg.patience} evaluations")
                            stopped_early = True
                if step % cfg.checkpoint_every == 0:
                    save_checkpoint()
                out_of_time = cfg.max_minutes is not None and (time.time() - start_time) / 60 >= cfg.max_minutes
                if stop_flag["sigint"] or out_of_time or step >= total_steps or stopped_early:
                    if out_of_time:
                        tqdm.write(f"time budget of {cfg.max_minutes} minutes reached at step {step}")
                        stopped_early = True
                    break
            if stop_flag["sigint"]:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        if in_main_thread:
            signal.signal(signal.SIGINT, old_handler)

    save_checkpoint()
    if interrupted:
        log.warning("interrupted: checkpoint saved at step %d; continue with --resume", step)
        return TrainResult(out_dir, step, True)

    ev_best = evaluate_text(model, sp, valid_lines)
    if ev_best["cross_entropy_per_token"] < best or not (out_dir / "best.npz").exists():
        save_weights(out_dir / "best.npz", model)
    load_weights(out_dir / "best.npz", model)
    minutes = (time.time() - start_time) / 60
    report = {
        "step": step,
        "epochs": step / steps_per_epoch,
        "train_minutes_this_run": minutes,
        "train_tokens_per_epoch": train_tokens,
        "tokens_per_second": (step * tokens_per_step) / max(minutes * 60, 1e-9) if not resume else None,
        "model_config": asdict(model_cfg),
        "num_params": model_cfg.num_params(),
        "train_config": asdict(cfg),
        "valid": evaluate_text(model, sp, read_lines(valid_file, cfg.report_sentences)),
        "test": evaluate_text(model, sp, read_lines(test_file, cfg.report_sentences)) if test_file.stat().st_size else None,
        "history": history,
        "corpus": json.loads((corpus_dir / "corpus.json").read_text()) if (corpus_dir / "corpus.json").exists() else None,
    }
    tmp = out_dir / ".report.json.tmp"
    tmp.write_text(json.dumps(report, indent=2))
    os.replace(tmp, out_dir / "report.json")
    return TrainResult(out_dir, step, False, report)


def load_trained_model(run_dir: Path) -> tuple[GRULanguageModel, ModelConfig]:
    """A run folder's best weights (or latest checkpoint) in a fresh model."""
    run_dir = Path(run_dir)
    cfg_path = run_dir / "model_config.json"
    if not cfg_path.exists():
        raise TrainError(f"{run_dir} is not a training run: model_config.json is missing")
    model_cfg = ModelConfig.from_json(cfg_path)
    weights = run_dir / "best.npz"
    if not weights.exists():
        weights = latest_checkpoint(run_dir)
        if weights is None:
            raise TrainError(f"{run_dir} has no best.npz or ckpt-*.npz weights")
    model = build_model(model_cfg)
    load_weights(weights, model)
    return model, model_cfg


def with_overrides(preset: Preset, **train_overrides) -> Preset:
    """The preset with some TrainConfig fields replaced (CLI flags)."""
    given = {k: v for k, v in train_overrides.items() if v is not None}
    return replace(preset, train=replace(preset.train, **given))
