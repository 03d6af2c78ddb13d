"""How training spreads over devices and machines (tf.distribute).

``default`` trains on one device. ``mirrored`` uses the devices of one machine.
``multiworker`` is TensorFlow's MultiWorkerMirroredStrategy across processes or
machines, configured by the ``TF_CONFIG`` environment variable as TensorFlow
documents it; every worker runs the same ``nextkey train`` command.

With several workers:

- each worker reads its own shard of the windows: every worker cuts and
  shuffles the same window stream with the same seed and keeps the windows
  whose index modulo the worker count is its input-pipeline id, in batches of
  ``batch_size / workers`` (so the global batch and the steps per epoch are
  those of one worker with ``batch_size``);
- the chief (the ``chief`` task, or worker 0 when there is none) trains the
  tokenizer and hands its bytes to the others through a collective, and is
  the only one that writes to the run folder (configs, tokenizer,
  checkpoints, ``best.npz``, ``report.json``);
- every step the workers agree on stopping (the time budget, early stopping,
  Ctrl-C on any of them), so they all stop after the same step;
- when a worker is lost, the collective the others wait in fails (``PEER_LOST``)
  and ``lost_peer`` names the worker; TensorFlow needs every process restarted
  after that, so training stops and continues with ``--resume``.
"""

from __future__ import annotations

import re
import json
import socket
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np
import tensorflow as tf

from .data import shuffled_windows, window_dataset


class Strategy(str, Enum):
    """How training is distributed (tf.distribute)."""

    DEFAULT = "default"  # one device
    MIRRORED = "mirrored"  # several devices of one machine
    MULTIWORKER = "multiworker"  # several processes or machines, configured by TF_CONFIG

    @classmethod
    def parse(cls, value: "str | Strategy") -> "Strategy":
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown strategy {value!r}: choose one of {[s.value for s in cls]}") from None


def make_strategy(strategy: Strategy) -> tf.distribute.Strategy:
    """The tf.distribute strategy; a multi-worker one must be made before any other TensorFlow op."""
    match strategy:
        case Strategy.DEFAULT:
            return tf.distribute.get_strategy()
        case Strategy.MIRRORED:
            return tf.distribute.MirroredStrategy()
        case Strategy.MULTIWORKER:
            return tf.distribute.MultiWorkerMirroredStrategy()
        case _:
            raise ValueError(f"unknown strategy {strategy!r}")


@dataclass(frozen=True)
class Worker:
    """This process's place among the training workers."""

    index: int = 0  # 0 is the chief
    count: int = 1

    @property
    def chief(self) -> bool:
        return self.index == 0


def _jobs(strategy: tf.distribute.Strategy) -> dict[str, list[str]]:
    """The cluster's addresses by job (TF_CONFIG's ``cluster``); empty without one."""
    resolver = getattr(strategy, "cluster_resolver", None)
    return resolver.cluster_spec().as_dict() if resolver is not None else {}


def _index(jobs: dict[str, list[str]], job: str, task: int) -> int:
    """A task's worker index: the chief task first, then the workers in order."""
    return 0 if job == "chief" else task + (1 if "chief" in jobs else 0)


def worker_of(strategy: tf.distribute.Strategy) -> Worker:
    jobs = _jobs(strategy)
    if not jobs:
        return Worker()
    count = sum(len(jobs.get(j, ())) for j in ("chief", "worker"))
    resolver = strategy.cluster_resolver
    return Worker(_index(jobs, resolver.task_type, resolver.task_id), count)


# What a collective raises in TF 2.21 when another worker is gone: Unavailable when the connection to it
# breaks (its process died) or when the coordination service, which the chief runs, misses its heartbeats
# (its machine hangs or drops off the network; 10 s by default), and DeadlineExceeded on a worker whose own
# heartbeats to the chief go unanswered. Every process must be restarted after either.
PEER_LOST = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError)
_TASK_NAME = re.compile(r"/job:(chief|worker)/(?:replica:\d+/)?task:(\d+)")  # as TensorFlow's errors name a task


def lost_peer(strategy: tf.distribute.Strategy, worker: Worker, error: Exception) -> str:
    """The worker a ``PEER_LOST`` error names, as 'worker 1 (host:port)'."""
    jobs = _jobs(strategy)
    addresses = [*jobs.get("chief", ()), *jobs.get("worker", ())]
    named = {_index(jobs, job, int(task)) for job, task in _TASK_NAME.findall(str(error))}
    others = sorted(named - {worker.index})
    if not others and worker.count == 2:  # the error names no task (a heartbeat went unanswered): the other one
        others = [1 - worker.index]
    if not others:
        return "another worker"
    return ", ".join(f"worker {i} ({addresses[i]})" for i in others)


def local_tf_configs(workers: int) -> list[str]:
    """The TF_CONFIG of each of ``workers`` workers on this machine (127.0.0.1, free ports),
    worker 0 the chief: for tests and benchmarks of the multi-worker path."""
    socks = [socket.socket() for _ in range(workers)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    cluster = {"worker": [f"127.0.0.1:{s.getsockname()[1]}" for s in socks]}
    for s in socks:
        s.close()
    return [json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}) for i in range(workers)]


def all_sum(strategy: tf.distribute.Strategy, array: np.ndarray) -> np.ndarray:
    """The sum of ``array`` over every replica of every worker (each worker passes its own)."""
    value = strategy.run(lambda: tf.constant(array))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None).numpy()


def from_chief(strategy: tf.distribute.Strategy, worker: Worker, data: bytes | None) -> bytes:
    """The chief's ``data`` on every worker (the others pass None): a sum where they add zeros."""
    assert strategy.num_replicas_in_sync == worker.count, "one replica per worker"
    size = int(all_sum(strategy, np.array([len(data) if worker.chief else 0], np.int64))[0])
    buf = np.zeros(size, np.int32)
    if worker.chief:
        buf[:] = np.frombuffer(data, np.uint8)
    return all_sum(strategy, buf).astype(np.uint8).tobytes()


def agree(strategy: tf.distribute.Strategy, stop: bool, interrupted: bool) -> tuple[bool, bool]:
    """(stop, interrupted) as any worker wants them."""
    total = all_sum(strategy, np.array([float(stop), float(interrupted)], np.float32))
    return bool(total[0] > 0), bool(total[1] > 0)


def epoch_batches(strategy: tf.distribute.Strategy, kind: Strategy, path: Path, sp, seq_len: int,
                  batch_size: int, shuffle_buffer: int, seed: int, skip: int, steps: int):
    """The (inputs, targets) batches of one epoch, from batch ``skip`` to batch ``steps``.

    One device: the windows of ``data.window_dataset``. Distributed: each input
    pipeline keeps its shard of the same shuffled windows, batched per replica.
    """
    if kind == Strategy.DEFAULT:
        ds = window_dataset(path, sp, seq_len, batch_size, shuffle_buffer, seed)
        return ds.skip(skip) if skip else ds
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise ValueError(f"batch_size {batch_size} is not a multiple of the {replicas} replicas")

    def dataset_fn(ctx: tf.distribute.InputContext) -> tf.data.Dataset:
        ds = shuffled_windows(path, sp, seq_len, shuffle_buffer, seed)
        ds = ds.shard(ctx.num_input_pipelines, ctx.input_pipeline_id)
        ds = ds.batch(ctx.get_per_replica_batch_size(batch_size), drop_remainder=True)
        # every pipeline yields exactly the plan's batches (one per local replica and step),
        # so the workers step together
        per_step = ctx.num_replicas_in_sync // ctx.num_input_pipelines
        return ds.skip(skip * per_step).take((steps - skip) * per_step).prefetch(4)

    return strategy.distribute_datasets_from_function(dataset_fn)
