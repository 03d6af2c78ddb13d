"""Corpus splits + tokenizer -> a trained GRU LM run folder.

``train()`` wires the stages: the tokenizer and configs (fresh, or read back
from the folder to resume), the plan (steps per epoch, total steps), ``fit``
(the loop: steps, periodic validation with early stopping, checkpoints, the
time budget, Ctrl-C), then ``report`` (valid and test cross-entropy per token
and perplexity per word in ``report.json``). What the folder holds and how it
is read back lives in ``run_dir.py``; the token windows in ``data.py``.

Several workers (``--strategy multiworker``, TensorFlow's
MultiWorkerMirroredStrategy configured by ``TF_CONFIG``) each read their own
shard of the windows and only the chief writes: ``distribute.py``.

The time budget (``max_minutes``) counts training minutes over every run of a
folder: the checkpoint records the minutes spent, so a run that is
interrupted and resumed trains for the budget in total.

Run it as ``nextkey train --corpus data/corpus --out runs/default --preset default``.
"""

from __future__ import annotations

import json
import logging
import math
import signal
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import tensorflow as tf
import keras
from tqdm import tqdm

from . import run_dir
from .corpus import read_lines
from .data import count_tokens
from .distribute import (PEER_LOST, Strategy, Worker, agree, epoch_batches, from_chief, lost_peer, make_strategy,
                         worker_of)
from .model import GRULanguageModel, ModelConfig, build_model
from .run_dir import CorpusSplits, PeerLostError, Progress, TrainError
from .tokenizer import EOS_ID, TokenizerConfig, load_tokenizer, train_tokenizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    seq_len: int = 64
    batch_size: int = 64
    learning_rate: float = 3e-3
    min_lr_fraction: float = 0.05
    warmup_steps: int = 200  # at most: the warm-up is also at most warmup_fraction of the plan
    warmup_fraction: float = 0.05  # of the planned steps or of the time budget, whichever ends first
    clipnorm: float = 1.0
    epochs: float | None = 4.0  # None: train until the time budget (or max_steps) ends the run
    max_minutes: float | None = None  # training minutes over all resumes of a run
    eval_every: int = 500
    eval_sentences: int = 1500
    checkpoint_every: int = 500
    keep_checkpoints: int = 2
    patience: int = 4
    shuffle_buffer: int = 20_000
    seed: int = 0
    strategy: Strategy = Strategy.DEFAULT
    report_sentences: int | None = None  # valid/test sentences scored in report.json (None: all)
    max_steps: int | None = None  # stop here even if the epochs are not done (comparisons)

    def __post_init__(self):
        object.__setattr__(self, "strategy", Strategy.parse(self.strategy))
        if self.epochs is None and self.max_minutes is None and self.max_steps is None:
            raise ValueError("TrainConfig: with epochs=None (train until the time is up) set max_minutes or max_steps")
        for name in ("epochs", "max_minutes"):
            v = getattr(self, name)
            if v is not None and not v > 0:
                raise ValueError(f"TrainConfig.{name} must be > 0, got {v}")
        if not 0 < self.warmup_fraction < 1:
            raise ValueError(f"TrainConfig.warmup_fraction must be in (0, 1), got {self.warmup_fraction}")

    @property
    def tokens_per_step(self) -> int:
        return self.batch_size * self.seq_len

    def to_dict(self) -> dict:
        return {**asdict(self), "strategy": self.strategy.value}

    @classmethod
    def tiny(cls) -> "TrainConfig":
        return cls(seq_len=16, batch_size=8, learning_rate=1e-2, warmup_steps=5, epochs=30,
                   eval_every=50, eval_sentences=50, checkpoint_every=50, shuffle_buffer=256)


@dataclass(frozen=True)
class Preset:
    tokenizer: TokenizerConfig
    model: ModelConfig  # its vocab_size is replaced by the trained tokenizer's
    train: TrainConfig


# What each is for, with its time and size here: cli/main.py's --help and docs/training.md.
PRESETS: dict[str, Preset] = {
    # Chosen by the sweep (reports/sweep/sweep.md, docs/model-selection.md): the best perplexity at an
    # equal training budget within 3 MB and 1 ms. The 150-minute budget binds, not the epochs.
    "default": Preset(TokenizerConfig(vocab_size=8000),
                      ModelConfig(8000, embed_dim=128, hidden_dim=384, num_layers=1, dropout=0.1),
                      TrainConfig(epochs=20.0, max_minutes=150.0)),
    # Your own text: trains until the 10 minutes are up (small text is seen many times over; early
    # stopping on the valid split keeps the best weights), evaluating often enough for small splits.
    "small": Preset(TokenizerConfig(vocab_size=4000),
                    ModelConfig(4000, embed_dim=96, hidden_dim=256, num_layers=1, dropout=0.1),
                    TrainConfig(epochs=None, max_minutes=10.0, eval_every=100, checkpoint_every=200, patience=6)),
    "tiny": Preset(TokenizerConfig.tiny(), ModelConfig.tiny(TokenizerConfig.tiny().vocab_size),
                   replace(TrainConfig.tiny(), max_minutes=2.0)),
}


def with_overrides(preset: Preset, **train_overrides) -> Preset:
    """The preset with some TrainConfig fields replaced (CLI flags)."""
    given = {k: v for k, v in train_overrides.items() if v is not None}
    return replace(preset, train=replace(preset.train, **given))


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


# -------------------------------------------------------------- training


class LRSchedule:
    """Linear warm-up, then cosine decay to ``min_lr_fraction`` at the end of the plan.

    The plan ends after ``total_steps`` (None: no step limit) or, with a time
    budget, at the budget's last minute, whichever comes first; the decay
    follows ``max(step fraction, minutes / max_minutes)``, so a run that the
    budget stops has still annealed its learning rate. The warm-up is scaled
    to the plan too: it lasts ``warmup_steps`` at most, and never more than
    ``warmup_fraction`` of the planned steps or of the budget's minutes (a
    36-step plan warms up for 1 step, not 200). Returns the learning rate.

    ``cool_down`` ends the plan early: from that step the rate falls along a
    cosine to the floor over the steps given (early stopping calls it when the
    valid loss stalls while the rate is still high, so the run ends annealed).
    """

    def __init__(self, cfg: TrainConfig, total_steps: int | None):
        self.cfg = cfg
        self.cooling: tuple[int, int, float] | None = None  # (first step, steps, rate then)
        self.total = total_steps
        self.warmup = cfg.warmup_steps if total_steps is None else \
            max(1, min(cfg.warmup_steps, int(cfg.warmup_fraction * total_steps)))
        if total_steps is not None:
            self.total = max(total_steps, self.warmup + 1)

    def __call__(self, step: int, minutes: float = 0.0) -> float:
        c = self.cfg
        warm = (step + 1) / self.warmup
        if c.max_minutes:
            warm = max(warm, minutes / (c.warmup_fraction * c.max_minutes))
        if warm < 1.0:
            return c.learning_rate * warm
        t = 0.0 if self.total is None else (step - self.warmup) / (self.total - self.warmup)
        if c.max_minutes:
            t = max(t, minutes / c.max_minutes)
        t = min(1.0, max(0.0, t))
        rate = c.learning_rate * (c.min_lr_fraction + (1 - c.min_lr_fraction) * 0.5 * (1 + math.cos(math.pi * t)))
        if self.cooling is not None:
            first, steps, start = self.cooling
            floor = c.learning_rate * c.min_lr_fraction
            f = min(1.0, max(0.0, (step - first) / steps))
            rate = min(rate, floor + (start - floor) * 0.5 * (1 + math.cos(math.pi * f)))
        return rate

    def can_cool_down(self, step: int, minutes: float) -> bool:
        """Whether the rate is still well above its floor (cooling down would change the weights)."""
        return self.cooling is None and self(step, minutes) > 2 * self.cfg.learning_rate * self.cfg.min_lr_fraction

    def cool_down(self, step: int, minutes: float, steps: int) -> None:
        self.cooling = (step, max(1, steps), self(step, minutes))

    def cooled_down(self, step: int) -> bool:
        return self.cooling is not None and step >= self.cooling[0] + self.cooling[1]


@dataclass(frozen=True)
class Plan:
    train_tokens: int
    steps_per_epoch: int
    total_steps: int | None  # None: no step limit, the time budget ends the run
    eval_every: int  # steps between validations: the config's, or once an epoch when an epoch is shorter


def plan_steps(train_file: Path, sp, cfg: TrainConfig) -> Plan:
    """Count the train split's tokens and plan the steps (raises TrainError when it is shorter than one batch)."""
    train_tokens = count_tokens(train_file, sp)
    steps_per_epoch = train_tokens // ((cfg.seq_len + 1) * cfg.batch_size)
    if steps_per_epoch < 1:
        raise TrainError(
            f"train split has {train_tokens} tokens, fewer than one batch of "
            f"{cfg.batch_size}x{cfg.seq_len + 1}: add text or use a smaller preset"
        )
    total_steps = None if cfg.epochs is None else int(steps_per_epoch * cfg.epochs)
    if cfg.max_steps is not None:
        total_steps = cfg.max_steps if total_steps is None else min(total_steps, cfg.max_steps)
    # a time-bound run on a small text sees it many times: validate at least once an epoch,
    # so early stopping catches the best weights before the model learns the text by heart
    eval_every = cfg.eval_every if cfg.epochs is not None else min(cfg.eval_every, max(10, steps_per_epoch))
    return Plan(train_tokens, steps_per_epoch, total_steps, eval_every)


@dataclass
class TrainResult:
    out_dir: Path
    step: int
    interrupted: bool
    report: dict = field(default_factory=dict)
    chief: bool = True  # False on the other workers, which write nothing


# What a resumed run may change: how long it trains and how often it validates and saves. The other
# fields shaped the checkpoint (the optimizer's state, the windows, the schedule's peak) and stay.
RESUMABLE = ("epochs", "max_minutes", "max_steps", "patience", "eval_every", "checkpoint_every")


def resumed_config(saved: TrainConfig, changes: dict) -> tuple[TrainConfig, list[str], list[str]]:
    """The saved config with the ``changes`` a resumed run may apply.

    ``changes`` maps TrainConfig fields to the values asked for (None: not
    asked). Returns the config, one line per field changed, and one line per
    field asked for that a resumed run keeps (with the reason). Raises
    ValueError for a value TrainConfig refuses (``--epochs 0``).
    """
    applied, ignored, new = [], [], {}
    for name, value in changes.items():
        old = getattr(saved, name)
        if value is None or value == old:
            continue
        flag = "--" + name.replace("_", "-")
        if name in RESUMABLE:
            new[name] = value
            applied.append(f"{flag} {value:g} (was {old:g})" if isinstance(value, float) and isinstance(old, (int, float))
                           else f"{flag} {value} (was {old})")
        else:
            ignored.append(f"{flag} {value} ignored: a resumed run keeps the {name.replace('_', ' ')} it was started "
                           f"with ({old}), which its checkpoint's optimizer state and windows were made with; "
                           f"start over with --force to change it")
    return replace(saved, **new), applied, ignored


def _tokenizer_and_configs(splits: CorpusSplits, out_dir: Path, preset: Preset, resume: bool,
                           strategy: tf.distribute.Strategy, worker: Worker,
                           changes: dict | None = None) -> tuple[object, ModelConfig, TrainConfig]:
    """A fresh run trains the tokenizer and writes the configs; a resumed one reads them back
    and applies the ``changes`` a resumed run may take (``resumed_config``).

    With several workers only the chief trains the tokenizer and writes; the
    others receive its bytes. To resume, every worker reads the run folder
    (shared, or copied from the chief).
    """
    tok_path = out_dir / run_dir.TOKENIZER
    if resume:
        if not tok_path.exists():
            raise TrainError(f"--resume: {tok_path} is missing" +
                             ("" if worker.chief else f" on worker {worker.index}: share or copy the chief's run folder"))
        model_cfg = ModelConfig.from_json(out_dir / run_dir.MODEL_CONFIG)
        cfg, applied, ignored = resumed_config(TrainConfig(**run_dir.read_train_config(out_dir)), changes or {})
        if worker.chief:
            for line in ignored:
                log.warning("--resume: %s", line)
            if applied:
                tqdm.write("--resume: " + ", ".join(applied))
                run_dir.write_train_config(out_dir, cfg.to_dict())
        return load_tokenizer(tok_path), model_cfg, cfg
    data = None
    if worker.chief:
        log.info("training the tokenizer (vocab %d)", preset.tokenizer.vocab_size)
        data = train_tokenizer(splits.train, preset.tokenizer, tok_path)
    if worker.count > 1:
        try:
            data = from_chief(strategy, worker, data)
        except PEER_LOST as e:
            raise PeerLostError(f"lost {lost_peer(strategy, worker, e)} before training started: "
                                f"start every worker again") from None
    sp = load_tokenizer(data)
    model_cfg = replace(preset.model, vocab_size=sp.vocab_size())
    if worker.chief:
        run_dir.write_configs(out_dir, model_cfg, preset.train.to_dict(), splits.folder)
    return sp, model_cfg, preset.train


class _SigintFlag:
    """Ctrl-C becomes a flag so the step in flight finishes and is saved; a second Ctrl-C stops at once."""

    def __init__(self):
        self.raised = False
        self._old = None

    def __enter__(self):
        def on_sigint(signum, frame):
            if self.raised:
                raise KeyboardInterrupt
            self.raised = True
        try:
            self._old = signal.signal(signal.SIGINT, on_sigint)
        except ValueError:  # not the main thread (tests, embedding apps)
            self._old = None
        return self

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False


def validate(model, sp, valid_lines: list[str], progress: Progress, train_loss: float,
             cfg: TrainConfig, out_dir: Path, write: bool = True) -> bool:
    """Score the valid sentences, keep the best weights (if ``write``); True when early stopping says stop
    (``fit`` first anneals the learning rate if it is still high)."""
    ev = evaluate_text(model, sp, valid_lines)
    ce = ev["cross_entropy_per_token"]
    progress.history.append({"step": progress.step, "train_loss": train_loss, "valid_ce": ce,
                             "minutes": progress.minutes})
    tqdm.write(f"step {progress.step}: valid ce/token {ce:.4f}, ppl/word {ev['perplexity_per_word']:.1f}, "
               f"{progress.minutes:.1f} min")
    if ce < progress.best - 1e-4:
        progress.best, progress.bad_evals = ce, 0
        if write:
            run_dir.save_weights(out_dir / run_dir.BEST, model)
        return False
    progress.bad_evals += 1
    if progress.bad_evals >= cfg.patience:
        tqdm.write(f"early stop: no valid improvement in {cfg.patience} evaluations")
        return True
    return False


def build_for_training(model_cfg: ModelConfig, cfg: TrainConfig, strategy: tf.distribute.Strategy):
    """The model and its optimizer (state created), under ``strategy``.

    With several replicas the train step clips the summed gradient itself
    (``make_train_step``), so the optimizer does not clip.
    """
    clip = cfg.clipnorm if strategy.num_replicas_in_sync == 1 else None
    with strategy.scope():
        model = build_model(model_cfg)
        optimizer = keras.optimizers.Adam(learning_rate=cfg.learning_rate, global_clipnorm=clip)
        optimizer.build(model.trainable_variables)
    return model, optimizer


def make_train_step(model, optimizer, strategy: tf.distribute.Strategy, clipnorm: float):
    """``train_step(x, y, lr) -> mean loss``: one optimizer step on a (batch, seq_len) window batch."""
    replicas = strategy.num_replicas_in_sync

    @tf.function
    def train_step(x, y, lr):
        optimizer.learning_rate.assign(lr)

        def replica_step(x, y):
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
                scaled = loss / replicas
            grads = tape.gradient(scaled, model.trainable_variables)
            if replicas > 1:
                # Keras would clip each replica's share before summing them; clip the sum instead, so
                # N replicas make the update one replica makes with the same global batch. Keras then
                # sums the N identical shares back.
                grads = [tf.convert_to_tensor(g) for g in grads]  # (IndexedSlices from a lookup, if any)
                grads = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, grads)
                grads, _ = tf.clip_by_global_norm(grads, clipnorm)
                grads = [g / replicas for g in grads]
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        per_replica = strategy.run(replica_step, args=(x, y))
        return strategy.reduce(tf.distribute.ReduceOp.MEAN, per_replica, axis=None)

    return train_step


def fit(model, optimizer, strategy: tf.distribute.Strategy, sp, train_file: Path, valid_lines: list[str],
        cfg: TrainConfig, plan: Plan, progress: Progress, out_dir: Path, worker: Worker = Worker()) -> bool:
    """Train until the plan, the time budget, early stopping or Ctrl-C ends it; True if interrupted.

    ``progress`` is updated in place (step, best, minutes, history); the caller saves the last checkpoint.
    Only the chief ``worker`` writes; with several, they agree after every step whether to stop.
    """
    train_step = make_train_step(model, optimizer, strategy, cfg.clipnorm)
    schedule = LRSchedule(cfg, plan.total_steps)
    minutes_before, t_start = progress.minutes, time.time()

    def out_of_time() -> bool:
        return cfg.max_minutes is not None and progress.minutes >= cfg.max_minutes

    def planned_steps_done() -> bool:
        return plan.total_steps is not None and progress.step >= plan.total_steps

    if out_of_time():
        log.warning("nothing to train: the time budget of %s minutes counts every run of this folder and %.1f "
                    "were spent; pass a larger --max-minutes with --resume to train on", cfg.max_minutes,
                    progress.minutes)
        return False
    if planned_steps_done():
        log.warning("nothing to train: the %d planned steps (%s epochs) are done; pass more --epochs with --resume "
                    "to train on", plan.total_steps, cfg.epochs)
        return False
    stop = False
    ema_loss = None
    bar = tqdm(total=plan.total_steps, initial=progress.step, desc="train", unit="step", mininterval=1.0,
               disable=not worker.chief)

    try:
        with _SigintFlag() as sigint:
            while not planned_steps_done() and not stop:
                epoch, skip = divmod(progress.step, plan.steps_per_epoch)
                ds = epoch_batches(strategy, cfg.strategy, train_file, sp, cfg.seq_len, cfg.batch_size,
                                   cfg.shuffle_buffer, cfg.seed + epoch, skip, plan.steps_per_epoch)
                interrupted = False
                t_last, last_step = time.time(), progress.step
                for x, y in ds:
                    loss = float(train_step(x, y, tf.constant(schedule(progress.step, progress.minutes), tf.float32)))
                    if not math.isfinite(loss):
                        raise TrainError(f"loss became {loss} at step {progress.step}: lower the learning rate")
                    progress.step += 1
                    progress.minutes = minutes_before + (time.time() - t_start) / 60
                    ema_loss = loss if ema_loss is None else 0.98 * ema_loss + 0.02 * loss
                    bar.update(1)
                    now = time.time()
                    if now - t_last >= 2.0:
                        tok_s = (progress.step - last_step) * cfg.tokens_per_step / (now - t_last)
                        bar.set_postfix(loss=f"{ema_loss:.3f}", tok_s=f"{tok_s:,.0f}",
                                        lr=f"{schedule(progress.step, progress.minutes):.2e}",
                                        epoch=f"{progress.step / plan.steps_per_epoch:.2f}",
                                        min=f"{progress.minutes:.1f}")
                        t_last, last_step = now, progress.step
                    if progress.step % plan.eval_every == 0:
                        stop = validate(model, sp, valid_lines, progress, ema_loss, cfg, out_dir, worker.chief)
                        if stop and schedule.can_cool_down(progress.step, progress.minutes):
                            # stalled at a high rate: anneal for a while (the best weights often come then)
                            steps = max(3 * plan.eval_every, progress.step // 10)
                            schedule.cool_down(progress.step, progress.minutes, steps)
                            progress.bad_evals, stop = 0, False
                            if worker.chief:
                                tqdm.write(f"the valid loss stalled at a high learning rate: annealing it over "
                                           f"{steps} more steps, then stopping")
                    if schedule.cooled_down(progress.step):
                        stop = True
                    if progress.step % cfg.checkpoint_every == 0 and worker.chief:
                        run_dir.save_checkpoint(out_dir, model, optimizer, progress, cfg.keep_checkpoints)
                    if out_of_time():
                        if worker.chief:
                            tqdm.write(f"time budget of {cfg.max_minutes:.1f} minutes reached at step {progress.step}")
                        stop = True
                    interrupted = sigint.raised
                    if worker.count > 1:
                        stop, interrupted = agree(strategy, stop, interrupted)
                    if interrupted or stop or planned_steps_done():
                        break
                if interrupted:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        return True
    finally:
        bar.close()
    return False


def report(model, sp, splits: CorpusSplits, cfg: TrainConfig, model_cfg: ModelConfig,
           plan: Plan, progress: Progress, run_steps: int, run_minutes: float) -> dict:
    """Score the best weights on valid and test; ``report.json`` is written by the caller."""
    return {
        "step": progress.step,
        "epochs": progress.step / plan.steps_per_epoch,
        "train_minutes": progress.minutes,
        "train_minutes_this_run": run_minutes,
        "train_tokens_per_epoch": plan.train_tokens,
        # this run's steps over this run's minutes (evaluations included)
        "tokens_per_second": run_steps * cfg.tokens_per_step / max(run_minutes * 60, 1e-9),
        "model_config": asdict(model_cfg),
        "num_params": model_cfg.num_params(),
        "train_config": cfg.to_dict(),
        "valid": evaluate_text(model, sp, read_lines(splits.valid, cfg.report_sentences)),
        "test": evaluate_text(model, sp, read_lines(splits.test, cfg.report_sentences))
        if splits.test.stat().st_size else None,
        "history": progress.history,
        "corpus": _corpus_meta(splits.folder),
    }


def _corpus_meta(folder: Path) -> dict | None:
    meta = folder / "corpus.json"
    return json.loads(meta.read_text()) if meta.exists() else None


def _strategy_of(out_dir: Path, preset: Preset, resume: bool) -> Strategy:
    """The run's strategy: the preset's, or the one a resumed run was started with."""
    if resume and (out_dir / run_dir.TRAIN_CONFIG).exists():
        return TrainConfig(**run_dir.read_train_config(out_dir)).strategy
    return preset.train.strategy


# A run whose valid loss ends above this share of ln(vocab) (a uniform guess) has learned little.
NEAR_UNIFORM = 0.8


def uniform_warning(valid_ce: float, vocab_size: int) -> str | None:
    """A line for a model that ended near the loss of a uniform guess (None when it did not)."""
    uniform = math.log(vocab_size)
    if valid_ce <= NEAR_UNIFORM * uniform:
        return None
    return (f"the model learned little: its valid cross-entropy {valid_ce:.2f} nats/token is near the "
            f"{uniform:.2f} of a uniform guess over {vocab_size} pieces, so it will offer the commonest words "
            f"everywhere. Train longer (--max-minutes, or --resume --max-minutes N) or on more text")


def train(corpus_dir: Path, out_dir: Path, preset: Preset, resume: bool = False, force: bool = False,
          changes: dict | None = None) -> TrainResult:
    """Train ``preset`` on the corpus folder's splits into ``out_dir`` (or continue it, ``resume``).

    ``changes``: the TrainConfig fields the caller set (CLI flags, None for
    unset); a resumed run applies those in ``RESUMABLE`` and logs the others
    as ignored (a fresh run takes them from ``preset``). Raises TrainError
    (corpus, folder, run state), TokenizerError (the text and vocabulary).
    """
    out_dir = Path(out_dir)
    splits = run_dir.check_corpus(Path(corpus_dir))
    # the first TensorFlow op: MultiWorkerMirroredStrategy must come before any other
    strategy = make_strategy(_strategy_of(out_dir, preset, resume))
    worker = worker_of(strategy)
    if worker.chief:
        run_dir.prepare(out_dir, resume, force)
    sp, model_cfg, cfg = _tokenizer_and_configs(splits, out_dir, preset, resume, strategy, worker, changes)
    keras.utils.set_random_seed(cfg.seed)
    plan = plan_steps(splits.train, sp, cfg)
    log.info("%d train tokens, %d steps/epoch, %s steps planned; model %s (%d params); worker %d of %d",
             plan.train_tokens, plan.steps_per_epoch, plan.total_steps, model_cfg, model_cfg.num_params(),
             worker.index, worker.count)
    model, optimizer = build_for_training(model_cfg, cfg, strategy)

    progress = Progress()
    if resume:
        ck = run_dir.latest_checkpoint(out_dir)
        if ck is None:
            raise TrainError(f"--resume: no ckpt-*.npz in {out_dir}")
        progress = run_dir.load_checkpoint(ck, model, optimizer)
        log.info("resumed from %s at step %d (%.1f training minutes so far)", ck.name, progress.step, progress.minutes)
        if worker.chief and not log.isEnabledFor(logging.INFO):  # said once, whatever the log level
            budget = f" of {cfg.max_minutes:g}" if cfg.max_minutes else ""
            tqdm.write(f"resumed from {ck.name} at step {progress.step} ({progress.minutes:.1f}{budget} "
                       f"training minutes spent)")

    valid_lines = read_lines(splits.valid, cfg.eval_sentences)
    start_step, start_minutes = progress.step, progress.minutes
    try:
        interrupted = fit(model, optimizer, strategy, sp, splits.train, valid_lines, cfg, plan, progress, out_dir, worker)
    except PEER_LOST as e:
        if worker.count == 1:
            raise
        # TensorFlow can fail the step in flight after it changed the weights (the optimizer had counted
        # the step when we measured it), so nothing is saved now: --resume continues from the chief's
        # last periodic checkpoint.
        lost = f"lost {lost_peer(strategy, worker, e)} at step {progress.step}"
        if not worker.chief:
            raise PeerLostError(f"{lost}: start every worker again with --resume, from the chief's run folder") from None
        ck = run_dir.latest_checkpoint(out_dir)
        if ck is None:
            raise PeerLostError(f"{lost}, before the first checkpoint: start every worker again with --force") from None
        raise PeerLostError(f"{lost}: start every worker again with --resume to continue from step "
                         f"{run_dir.checkpoint_step(ck)} ({ck})") from None
    if not worker.chief:
        return TrainResult(out_dir, progress.step, interrupted, chief=False)
    run_dir.save_checkpoint(out_dir, model, optimizer, progress, cfg.keep_checkpoints)
    if interrupted:
        log.warning("interrupted: checkpoint saved at step %d; continue with --resume", progress.step)
        return TrainResult(out_dir, progress.step, True)

    best_path = out_dir / run_dir.BEST
    final = evaluate_text(model, sp, valid_lines)
    if final["cross_entropy_per_token"] < progress.best or not best_path.exists():
        run_dir.save_weights(best_path, model)
    run_dir.load_weights(best_path, model)
    rep = report(model, sp, splits, cfg, model_cfg, plan, progress,
                 progress.step - start_step, progress.minutes - start_minutes)
    warning = uniform_warning(rep["valid"]["cross_entropy_per_token"], model_cfg.vocab_size)
    if warning:
        rep["warning"] = warning
        log.warning(warning)
    run_dir.write_report(out_dir, rep)
    return TrainResult(out_dir, progress.step, False, rep)
