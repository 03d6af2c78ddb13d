"""Learning from the user: KSR with the user memory on and off, and what it costs.

The text is a user's message history: held-out test sentences interleaved
with the user's own recurring names and phrases (deterministic, seed 0). The
engine learns the first half (``Engine.learn``), then the second half is typed
with the shared simulator, once with a fresh engine (no memory) and once per
memory weight with a learning session. Prints a table and writes
reports/adaptation.json.

    python bench/adaptation.py [--bundle PATH] [--sentences 300]
    PYTHONPATH=/tmp/bp python bench/adaptation.py --engine-module nkold_engine --out before.json
                       (another checkout's engine, linked under another name: a before/after)
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np

import importlib

Engine = MemoryConfig = None  # imported in main() from --engine-module
from nextkey.evaluate.typing_sim import simulate

NAMES = ["Anneliese", "Okonkwo", "Tamsin", "Ruairi", "Priyanka"]
PLACES = ["Brightwater", "Kilnsey", "the climbing gym", "Aldwych"]
PHRASES = [
    "Are we still on for {place} tomorrow?",
    "{name} says the Brightwater project is late again.",
    "Can you ask {name} about the Kubernetes migration?",
    "See you at {place} at seven.",
    "I told {name} we would meet at {place}.",
    "The Kubernetes cluster in {place} is down again.",
    "Thanks {name}, the quarterly retrospective went well.",
    "Lunch with {name} at {place}?",
]


def history(test_file: Path, n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    real = [ln.strip() for ln in test_file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    out = []
    for i in range(n):
        if rng.random() < 0.4:
            out.append(rng.choice(PHRASES).format(name=rng.choice(NAMES), place=rng.choice(PLACES)))
        else:
            out.append(real[i % len(real)])
    return out


def run(bundle, lines_learn, lines_type, weight: float | None) -> dict:
    if weight is None:
        eng = Engine.load(bundle)
        session = eng.session()
    else:
        store = Path(tempfile.mkdtemp()) / "memory.db"
        eng = Engine.load(bundle, memory=MemoryConfig(path=store))
        eng = Engine(eng.bundle, eng.settings.with_weights(memory=weight), eng.memory)
        eng.learn_text("\n".join(lines_learn))
        session = eng.session(learn=True)

    def predict(text, n):
        session.set_text(text)
        return [s.word for s in session.suggest(n)]

    with eng:  # close() commits what was learned and closes the store
        r = simulate(predict, lines_type, 3).summary()
    if weight is not None:
        shutil.rmtree(store.parent)
    return {"weight": weight, **r}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle")
    ap.add_argument("--text", default="data/corpus/test.txt")
    ap.add_argument("--sentences", type=int, default=300)
    ap.add_argument("--weights", type=float, nargs="*", default=[0.1, 0.25, 0.5])
    ap.add_argument("--engine-module", default="nextkey.engine")
    ap.add_argument("--out", default="reports/adaptation.json")
    args = ap.parse_args()
    global Engine, MemoryConfig
    Engine = importlib.import_module(args.engine_module).Engine
    MemoryConfig = importlib.import_module(args.engine_module + ".memory").MemoryConfig
    lines = history(Path(args.text), args.sentences)
    half = len(lines) // 2
    rows = [run(args.bundle, lines[:half], lines[half:], None)]
    for w in args.weights:
        rows.append(run(args.bundle, lines[:half], lines[half:], w))
    print(f"{'memory weight':>14} {'KSR@3':>7} {'top-1':>7} {'top-3':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for r in rows:
        label = "off" if r["weight"] is None else f"{r['weight']:.2f}"
        print(f"{label:>14} {r['ksr']:7.4f} {r['next_word_top1']:7.4f} {r['next_word_top3']:7.4f} "
              f"{r['latency_ms']['p50']:7.3f} {r['latency_ms']['p99']:7.3f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out = {"engine": args.engine_module, "bundle": args.bundle or "default", "sentences_learned": half, "sentences_typed": len(lines) - half,
           "text": "test split interleaved 60/40 with recurring personal names and phrases (seed 0)", "runs": rows}
    Path(args.out).write_text(json.dumps(out, indent=2))
    best = max(rows[1:], key=lambda r: r["ksr"])
    print(f"best weight {best['weight']}: KSR {rows[0]['ksr']:.4f} -> {best['ksr']:.4f} "
          f"({(best['ksr'] / max(rows[0]['ksr'], 1e-9) - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
