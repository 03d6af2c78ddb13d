"""What learning costs on the keystroke path, and what a commit costs off it.

Measures, on a store in a temporary folder: ``UserMemory.observe`` with a
store (the in-RAM update plus queueing for the writer thread) and without one;
``Store.commit`` of one word (the transaction the writer runs per word while
the user types); and ``learn_text`` of a longer text (queued, committed in
batches). Prints a table and writes reports/memory_store.json.

    python bench/memory_store.py [--words 5000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from nextkey.engine.memory import MemoryConfig, UserMemory
from nextkey.engine.store import Store


def vocabulary(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(n)]


def stream(vocab: list[str], n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(len(vocab))]  # Zipf-like, as typed text
    return rng.choices(vocab, weights, k=n)


def percentiles(seconds: list[float]) -> dict:
    us = np.array(seconds) * 1e6
    return {"p50_us": round(float(np.percentile(us, 50)), 1), "p99_us": round(float(np.percentile(us, 99)), 1),
            "max_us": round(float(us.max()), 1)}


def time_observe(cfg: MemoryConfig, typed: list[str]) -> dict:
    mem = UserMemory(cfg)
    out = []
    prev = None
    for w in typed:
        t = time.perf_counter()
        mem.observe(w, prev)
        out.append(time.perf_counter() - t)
        prev = w
        if len(out) % 50 == 0:
            time.sleep(0.002)  # typing has pauses; the writer commits in them
    mem.close()
    return percentiles(out)


def time_commit(path: Path, typed: list[str]) -> dict:
    store = Store(path, 5000.0, 20_000, 50_000)
    out = []
    prev = None
    for w in typed:
        t = time.perf_counter()
        store.commit([("word", w, w, prev)])
        out.append(time.perf_counter() - t)
        prev = w
    store.close()
    return percentiles(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--out", default="reports/memory_store.json")
    args = ap.parse_args()
    vocab = vocabulary(3000)
    typed = stream(vocab, args.words)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        rows = {
            "observe, with store": time_observe(MemoryConfig(path=d / "a.db"), typed),
            "observe, RAM only": time_observe(MemoryConfig(path=None), typed),
            "Store.commit, one word": time_commit(d / "b.db", typed),
        }
        mem = UserMemory(MemoryConfig(path=d / "c.db"))
        t = time.perf_counter()
        mem.learn_text(" ".join(typed))
        learn_s = time.perf_counter() - t
        mem.close()
    print(f"{'':24} {'p50 us':>8} {'p99 us':>8} {'max us':>8}")
    for name, r in rows.items():
        print(f"{name:24} {r['p50_us']:8.1f} {r['p99_us']:8.1f} {r['max_us']:8.1f}")
    print(f"learn_text of {len(typed)} words, committed: {learn_s * 1000:.0f} ms")
    report = {"words": len(typed), **rows, "learn_text_ms": round(learn_s * 1000, 1)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
