"""Corpus split + tokenizer -> the token windows training reads.

Training reads fixed windows of ``seq_len`` tokens cut from the stream of
sentences (each ending in ``</s>``) and starts every window from a zero state.
Windows can be shuffled across the whole corpus (nlp-corpus sentences are
unrelated to each other, so carried state would buy little context), and the
runtime feeds a bounded window of recent words from a fresh state too, so
training matches how the model is used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .tokenizer import EOS_ID


def encode_lines(sp, lines: list[str]) -> np.ndarray:
    """Sentences -> one flat int32 stream, each sentence followed by </s>."""
    out: list[int] = []
    for ids in sp.encode(lines):
        out.extend(ids)
        out.append(EOS_ID)
    return np.asarray(out, dtype=np.int32)


def token_stream(path: Path, sp) -> tf.data.Dataset:
    """The split file streamed as tokens (1-D int32), encoded 512 lines at a time."""

    def encode(batch):
        return encode_lines(sp, [b.decode("utf-8") for b in batch.numpy()])

    lines = tf.data.TextLineDataset(str(path)).batch(512)
    flat = lines.map(lambda b: tf.py_function(encode, [b], tf.int32), num_parallel_calls=1)
    return flat.unbatch()


def shuffled_windows(path: Path, sp, seq_len: int, shuffle_buffer: int, seed: int) -> tf.data.Dataset:
    """(inputs, targets) windows of ``seq_len`` tokens, shuffled with ``seed`` (the same order for the same seed)."""
    win = token_stream(path, sp).batch(seq_len + 1, drop_remainder=True)
    win = win.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=False)
    return win.map(lambda w: (w[:-1], w[1:]))


def window_dataset(path: Path, sp, seq_len: int, batch_size: int, shuffle_buffer: int, seed: int) -> tf.data.Dataset:
    """(inputs, targets) batches of (batch, seq_len) windows, shuffled with ``seed``."""
    win = shuffled_windows(path, sp, seq_len, shuffle_buffer, seed)
    return win.batch(batch_size, drop_remainder=True).prefetch(4)


def count_tokens(path: Path, sp) -> int:
    total = 0
    with open(path, encoding="utf-8") as f:
        batch: list[str] = []
        for line in f:
            batch.append(line.rstrip("\n"))
            if len(batch) == 4096:
                total += len(encode_lines(sp, batch))
                batch = []
        if batch:
            total += len(encode_lines(sp, batch))
    return total
