"""Check a bundle's ``step`` against the Keras model on real valid-split text.

Every sentence is fed one token at a time through the bundle (exactly as the
engine does) and compared with the Keras model run over the whole sequence:
largest log-prob difference, top-1 and top-3 next-token agreement, and the
per-token cross-entropy of each. Also times one step at B=1 and B=8 with one
thread. Export runs this and refuses a float32 bundle that disagrees.

    nextkey verify BUNDLE [--run RUN_DIR] [--text valid.txt]
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from nextkey.engine.bundle import Quantization
from nextkey.engine.runner import StepRunner
from nextkey.train.tokenizer import EOS_ID


class VerificationError(RuntimeError):
    """The bundle disagrees with the model it was exported from beyond tolerance."""


@dataclass(frozen=True)
class VerificationConfig:
    max_abs_logprob_diff: float | None  # None: reported, not enforced
    min_top1_agreement: float
    min_top3_agreement: float
    max_tokens_per_sentence: int = 64

    @classmethod
    def for_quantization(cls, q: str) -> "VerificationConfig":
        match Quantization.parse(q):
            case Quantization.FLOAT32:
                return cls(1e-3, 0.999, 0.999)
            case Quantization.FLOAT16:
                return cls(None, 0.97, 0.95)
            case Quantization.INT8 | Quantization.INT8_FULL:
                return cls(None, 0.85, 0.80)


def bundle_logprobs(runner: StepRunner, ids: list[int]) -> np.ndarray:
    """(T, V) log-probs of each next token, feeding ``ids`` one at a time."""
    state = np.zeros((1, runner.state_size), np.float32)
    rows = []
    for t in ids:
        lp, state = runner.step(np.array([t], np.int32), state)
        rows.append(lp[0])
    return np.stack(rows)


def _topk_agreement(a: np.ndarray, b: np.ndarray, k: int) -> float:
    ta = np.argpartition(-a, k, axis=-1)[:, :k]
    tb = np.argpartition(-b, k, axis=-1)[:, :k]
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(ta, tb)]))


def step_latency_ms(runner: StepRunner, batch: int, repeats: int = 200) -> float:
    tokens = np.full(batch, 5, np.int32)
    state = np.zeros((batch, runner.state_size), np.float32)
    for _ in range(10):
        runner.step(tokens, state)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        runner.step(tokens, state)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e3)


def compare(runner: StepRunner, reference, sp, lines: list[str], cfg: VerificationConfig) -> dict:
    """``reference(ids) -> (T, V) log-probs`` is the model being checked against (Keras)."""
    diffs, top1, top3, ce_b, ce_r, n = [], [], [], 0.0, 0.0, 0
    for line in tqdm(lines, desc="verify", unit=" sentence", mininterval=1.0, leave=False):
        ids = ([EOS_ID] + sp.encode(line) + [EOS_ID])[: cfg.max_tokens_per_sentence + 1]
        if len(ids) < 2:
            continue
        ours = bundle_logprobs(runner, ids[:-1])
        ref = reference(ids[:-1])
        diffs.append(float(np.abs(ours - ref).max()))
        top1.append(float(np.mean(ours.argmax(-1) == ref.argmax(-1))))
        top3.append(_topk_agreement(ours, ref, 3))
        tgt = np.array(ids[1:])
        ce_b -= float(ours[np.arange(len(tgt)), tgt].sum())
        ce_r -= float(ref[np.arange(len(tgt)), tgt].sum())
        n += len(tgt)
    return {
        "sentences": len(diffs),
        "tokens": n,
        "max_abs_logprob_diff": max(diffs) if diffs else None,
        "top1_agreement": float(np.mean(top1)) if top1 else None,
        "top3_agreement": float(np.mean(top3)) if top3 else None,
        "cross_entropy_per_token": ce_b / max(n, 1),
        "reference_cross_entropy_per_token": ce_r / max(n, 1),
    }


def check(result: dict, cfg: VerificationConfig, what: str) -> None:
    problems = []
    if cfg.max_abs_logprob_diff is not None and result["max_abs_logprob_diff"] > cfg.max_abs_logprob_diff:
        problems.append(f"max |logprob diff| {result['max_abs_logprob_diff']:.2e} > {cfg.max_abs_logprob_diff:.0e}")
    if result["top1_agreement"] < cfg.min_top1_agreement:
        problems.append(f"top-1 agreement {result['top1_agreement']:.4f} < {cfg.min_top1_agreement}")
    if result["top3_agreement"] < cfg.min_top3_agreement:
        problems.append(f"top-3 agreement {result['top3_agreement']:.4f} < {cfg.min_top3_agreement}")
    if problems:
        raise VerificationError(f"{what} disagrees with the Keras model: " + "; ".join(problems))


def keras_reference(model):
    def run(ids: list[int]) -> np.ndarray:
        import tensorflow as tf

        logits = model(np.asarray([ids], np.int32), training=False)
        return tf.nn.log_softmax(logits, axis=-1).numpy()[0]
    return run


def verify_against_keras(model_file: Path, model, sp, lines: list[str], cfg: VerificationConfig) -> dict:
    """Compare, time, and raise VerificationError beyond the mode's tolerance."""
    runner = StepRunner(model_file, model.config.vocab_size, model.config.state_size, num_threads=1)
    result = compare(runner, keras_reference(model), sp, lines, cfg)
    result["step_latency_ms"] = {"B1": step_latency_ms(runner, 1), "B8": step_latency_ms(runner, 8)}
    result["thresholds"] = {"max_abs_logprob_diff": cfg.max_abs_logprob_diff,
                            "min_top1_agreement": cfg.min_top1_agreement,
                            "min_top3_agreement": cfg.min_top3_agreement}
    check(result, cfg, f"bundle model {model_file.name}")
    return result
