"""Training speed: two local workers (MultiWorkerMirroredStrategy) against one.

    python bench/multiworker_speed.py --corpus data/corpus --minutes 2

Trains the default preset's model (its shape, batch and schedule) from scratch
for the same time budget twice on a cut of the corpus (``--sentences`` training
sentences, so the tokenizer trains in seconds): once as one process with the
default strategy, and once as two worker processes on 127.0.0.1, each with
its TF_CONFIG, ``--strategy multiworker`` and the same global batch. Reads the
training throughput from each run's report.json (the chief's: global batch
tokens per second of training), prints the speed-up and writes
``reports/multiworker_speed.json``. Run it with the machine to itself: on one
machine the two workers share its cores, so this measures the cost of the
collectives more than a gain.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nextkey.train.distribute import local_tf_configs

SPLITS = ("train.txt", "valid.txt", "test.txt")


def cut_corpus(src: Path, dst: Path, sentences: int) -> None:
    """The first ``sentences`` training lines and a tenth as many valid and test lines."""
    dst.mkdir(parents=True)
    for name in SPLITS:
        keep = sentences if name == "train.txt" else max(sentences // 10, 200)
        with open(src / name, encoding="utf-8") as f, open(dst / name, "w", encoding="utf-8") as out:
            for i, line in enumerate(f):
                if i >= keep:
                    break
                out.write(line)


def train_cmd(corpus: Path, out: Path, minutes: float, strategy: str) -> list[str]:
    return [sys.executable, "-m", "nextkey.cli.main", "train", "--corpus", str(corpus), "--out", str(out),
            "--preset", "default", "--max-minutes", str(minutes), "--strategy", strategy]


def run(workers: int, corpus: Path, out: Path, minutes: float) -> dict:
    """Train with ``workers`` processes; the chief's report and the wall time."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    t0 = time.perf_counter()
    if workers == 1:
        procs = [subprocess.Popen(train_cmd(corpus, out, minutes, "default"), env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)]
    else:
        procs = [subprocess.Popen(train_cmd(corpus, out if i == 0 else out.with_name(f"{out.name}-w{i}"), minutes,
                                            "multiworker"),
                                  env={**env, "TF_CONFIG": tf_config}, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
                 for i, tf_config in enumerate(local_tf_configs(workers))]
    outputs = [p.communicate()[0] for p in procs]
    for p, o in zip(procs, outputs):
        if p.returncode != 0:
            raise SystemExit(f"a worker failed (exit {p.returncode}):\n{o[-3000:]}")
    report = json.loads((out / "report.json").read_text())
    return {"workers": workers, "tokens_per_second": report["tokens_per_second"], "steps": report["step"],
            "train_minutes": report["train_minutes"], "wall_seconds": time.perf_counter() - t0,
            "valid_cross_entropy": report["valid"]["cross_entropy_per_token"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default="data/corpus", help="a corpus folder (nextkey corpus --out)")
    ap.add_argument("--sentences", type=int, default=30000, help="training sentences in the cut")
    ap.add_argument("--minutes", type=float, default=2.0, help="training budget of each run")
    ap.add_argument("--out", default="reports/multiworker_speed.json")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nextkey-mw-") as tmp:
        corpus = Path(tmp) / "corpus"
        cut_corpus(Path(args.corpus), corpus, args.sentences)
        results = []
        for workers in (1, 2):
            print(f"training {args.minutes} min with {workers} worker(s)...", flush=True)
            results.append(run(workers, corpus, Path(tmp) / f"run-{workers}", args.minutes))
            print(f"  {results[-1]['tokens_per_second']:,.0f} tokens/s, {results[-1]['steps']} steps", flush=True)
    speedup = results[1]["tokens_per_second"] / results[0]["tokens_per_second"]
    report = {"speedup_2_over_1": speedup, "runs": results, "cpus": os.cpu_count(),
              "machine": platform.platform(), "load_average": os.getloadavg(), "args": vars(args)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(f"two local workers / one: x{speedup:.2f} in training tokens per second (wrote {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
