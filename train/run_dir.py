"""The training run folder: everything written to it and read back from it.

A run folder holds ``model_config.json``, ``train_config.json``,
``tokenizer.model``, ``corpus_dir.txt`` (where the corpus splits are),
``ckpt-STEP.npz`` (weights ``w0..``, optimizer state ``o0..``, and the
progress: ``step``, ``best``, ``bad_evals``, ``history`` as JSON and
``minutes`` of training so far; the last few kept, written atomically),
``best.npz`` (the weights with the best valid loss) and ``report.json``.

Export and verification import this module, never the training loop.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .corpus import SPLITS, read_lines
from .model import GRULanguageModel, ModelConfig, build_model

MODEL_CONFIG = "model_config.json"
TRAIN_CONFIG = "train_config.json"
TOKENIZER = "tokenizer.model"
CORPUS_POINTER = "corpus_dir.txt"
BEST = "best.npz"
REPORT = "report.json"


class TrainError(RuntimeError):
    """Training cannot start or go on, or a run folder cannot be read; the message says why and what to do."""


class PeerLostError(TrainError):
    """A worker of a multi-worker run stopped answering; the message says which and how to resume.

    TensorFlow's collective runtime is left half torn down: its thread pools and channels can print
    tracebacks or block while the interpreter exits, so the CLI leaves with ``os._exit`` after it
    prints this message (the chief's checkpoints are already on disk).
    """


# ------------------------------------------------------------------ corpus


@dataclass(frozen=True)
class CorpusSplits:
    folder: Path
    train: Path
    valid: Path
    test: Path


def check_corpus(corpus_dir: Path) -> CorpusSplits:
    """The corpus folder's split files, checked to exist and (train, valid) to hold text."""
    corpus_dir = Path(corpus_dir)
    files = [corpus_dir / f"{s}.txt" for s in SPLITS]
    for f in files:
        if not f.exists():
            raise TrainError(f"corpus split {f} is missing: run `nextkey corpus --out {corpus_dir}` first")
    if files[0].stat().st_size == 0 or files[1].stat().st_size == 0:
        raise TrainError(f"corpus {corpus_dir} has an empty train or valid split")
    return CorpusSplits(corpus_dir, *files)


def corpus_of(run_dir: Path) -> Path:
    """The corpus folder a run was trained on (recorded in ``corpus_dir.txt``)."""
    pointer = Path(run_dir) / CORPUS_POINTER
    if not pointer.exists():
        raise TrainError(f"{run_dir} does not record its corpus: {CORPUS_POINTER} is missing")
    return Path(pointer.read_text().strip())


def valid_lines(run_dir: Path, n: int | None) -> list[str]:
    """The first ``n`` sentences of the valid split the run was trained with."""
    corpus = corpus_of(run_dir)
    if not (corpus / "valid.txt").is_file():
        raise TrainError(f"the valid split of {run_dir} is gone: {corpus / 'valid.txt'} does not exist")
    return read_lines(corpus / "valid.txt", n)


# ----------------------------------------------------------- the folder


def prepare(out_dir: Path, resume: bool, force: bool) -> None:
    """Create ``out_dir``; refuse to overwrite a run unless ``force``, and to resume what is not there."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TrainError(f"cannot create output directory {out_dir}: {e.strerror}") from None
    if not os.access(out_dir, os.W_OK):
        raise TrainError(f"output directory {out_dir} is not writable")
    has_run = (out_dir / MODEL_CONFIG).exists()
    if resume and not has_run:
        raise TrainError(f"--resume: {out_dir} holds no training run to resume")
    if has_run and not resume and not force:
        raise TrainError(f"{out_dir} already holds a training run: pass --resume to continue it or --force to start over")
    if has_run and force and not resume:
        for p in [*out_dir.glob("ckpt-*.npz"), out_dir / BEST, out_dir / REPORT]:
            p.unlink(missing_ok=True)


def write_configs(out_dir: Path, model_cfg: ModelConfig, train_cfg: dict, corpus_dir: Path) -> None:
    model_cfg.to_json(out_dir / MODEL_CONFIG)
    (out_dir / TRAIN_CONFIG).write_text(json.dumps(train_cfg, indent=2))
    (out_dir / CORPUS_POINTER).write_text(str(Path(corpus_dir).resolve()))


def write_train_config(out_dir: Path, train_cfg: dict) -> None:
    """Replace ``train_config.json`` (a resumed run that changed its length)."""
    tmp = out_dir / f".{TRAIN_CONFIG}.tmp"
    tmp.write_text(json.dumps(train_cfg, indent=2))
    os.replace(tmp, out_dir / TRAIN_CONFIG)


def read_train_config(out_dir: Path) -> dict:
    return json.loads((out_dir / TRAIN_CONFIG).read_text())


def write_report(out_dir: Path, report: dict) -> None:
    tmp = out_dir / f".{REPORT}.tmp"
    tmp.write_text(json.dumps(report, indent=2))
    os.replace(tmp, out_dir / REPORT)


def read_report(run_dir: Path) -> dict:
    """``report.json``, or an empty dict for a run that has not finished."""
    path = Path(run_dir) / REPORT
    return json.loads(path.read_text()) if path.exists() else {}


# ------------------------------------------------------------- weights


def save_npz_atomic(path: Path, **arrays) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_weights(path: Path, model) -> None:
    save_npz_atomic(path, **{f"w{i}": w for i, w in enumerate(model.get_weights())})


def _numbered(z, prefix: str) -> list[np.ndarray]:
    n = len([k for k in z.files if k.startswith(prefix) and k[1:].isdigit()])
    return [z[f"{prefix}{i}"] for i in range(n)]


def load_weights(path: Path, model) -> None:
    """Weights saved by ``save_weights`` or a training checkpoint, checked for shape."""
    with np.load(path) as z:
        weights = _numbered(z, "w")
    expected = [tuple(w.shape) for w in model.weights]
    got = [tuple(w.shape) for w in weights]
    if expected != got:
        raise TrainError(f"checkpoint {path} does not fit this model config: weight shapes {got} != {expected}")
    model.set_weights(weights)


# --------------------------------------------------------- checkpoints


@dataclass
class Progress:
    """What a checkpoint carries besides the weights and the optimizer state."""

    step: int = 0
    best: float = math.inf  # best valid cross-entropy per token so far
    bad_evals: int = 0  # evaluations since the best one (early stopping)
    history: list[dict] = field(default_factory=list)
    minutes: float = 0.0  # training minutes over every run of this folder (the time budget counts these)


def checkpoint_step(path: Path) -> int:
    return int(path.stem.split("-")[1])


def latest_checkpoint(out_dir: Path) -> Path | None:
    ckpts = sorted(Path(out_dir).glob("ckpt-*.npz"), key=checkpoint_step)
    return ckpts[-1] if ckpts else None


def save_checkpoint(out_dir: Path, model, optimizer, progress: Progress, keep: int) -> Path:
    """``ckpt-STEP.npz`` written atomically; all but the newest ``keep`` removed."""
    arrays = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    arrays.update({f"o{i}": v.numpy() for i, v in enumerate(optimizer.variables)})
    path = out_dir / f"ckpt-{progress.step}.npz"
    save_npz_atomic(path, step=progress.step, best=progress.best, bad_evals=progress.bad_evals,
                    history=json.dumps(progress.history), minutes=progress.minutes, **arrays)
    for old in sorted(out_dir.glob("ckpt-*.npz"), key=checkpoint_step)[:-keep]:
        old.unlink(missing_ok=True)
    return path


def load_checkpoint(path: Path, model, optimizer) -> Progress:
    """Restore weights and optimizer state from ``path``; returns the progress it recorded.

    Checkpoints written before ``minutes`` was recorded resume with 0 minutes spent.
    """
    load_weights(path, model)
    with np.load(path) as z:
        opt_vars = _numbered(z, "o")
        if len(opt_vars) != len(optimizer.variables):
            raise TrainError(f"{path}: optimizer state does not match ({len(opt_vars)} vs {len(optimizer.variables)})")
        for v, a in zip(optimizer.variables, opt_vars):
            v.assign(a)
        return Progress(step=int(z["step"]), best=float(z["best"]), bad_evals=int(z["bad_evals"]),
                        history=json.loads(str(z["history"])),
                        minutes=float(z["minutes"]) if "minutes" in z.files else 0.0)


# ------------------------------------------------------------ the model


def load_trained_model(run_dir: Path) -> tuple[GRULanguageModel, ModelConfig]:
    """A run folder's best weights (or latest checkpoint) in a fresh model."""
    run_dir = Path(run_dir)
    cfg_path = run_dir / MODEL_CONFIG
    if not cfg_path.exists():
        raise TrainError(f"{run_dir} is not a training run: {MODEL_CONFIG} is missing")
    model_cfg = ModelConfig.from_json(cfg_path)
    weights = run_dir / BEST
    if not weights.exists():
        weights = latest_checkpoint(run_dir)
        if weights is None:
            raise TrainError(f"{run_dir} has no {BEST} or ckpt-*.npz weights")
    model = build_model(model_cfg)
    load_weights(weights, model)
    return model, model_cfg
