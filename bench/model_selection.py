"""Choose the default recipe by measurement: valid perplexity per word after the
same wall-clock training budget, for several vocabulary/width/depth choices.

Perplexity per word (not per token) is compared because the vocabularies
differ. Writes reports/model_selection.json, docs/model-selection.md and
reports/model_selection.png.

    python bench/model_selection.py --corpus data/corpus --minutes 3.5
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from nextkey.train.model import ModelConfig  # noqa: E402
from nextkey.train.tokenizer import TokenizerConfig  # noqa: E402
from nextkey.train.train import Preset, TrainConfig, train  # noqa: E402

CANDIDATES = {
    "V8k-E160-H512-L1": (8000, dict(embed_dim=160, hidden_dim=512, num_layers=1)),
    "V8k-E128-H384-L2": (8000, dict(embed_dim=128, hidden_dim=384, num_layers=2)),
    "V4k-E128-H512-L1": (4000, dict(embed_dim=128, hidden_dim=512, num_layers=1)),
    "V16k-E128-H384-L1": (16000, dict(embed_dim=128, hidden_dim=384, num_layers=1)),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--work", default="runs/selection")
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--steps", type=int, default=None, help="the same number of steps for every candidate")
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO)
    results = {}
    out_json = Path("reports/model_selection.json")
    out_json.parent.mkdir(exist_ok=True)
    if out_json.exists():
        results = json.loads(out_json.read_text())
    for name, (vocab, model_kw) in CANDIDATES.items():
        if args.only and name not in args.only:
            continue
        preset = Preset(TokenizerConfig(vocab_size=vocab), ModelConfig(vocab, dropout=0.1, **model_kw),
                        TrainConfig(epochs=1.0, max_minutes=args.minutes, max_steps=args.steps, warmup_steps=100, eval_every=100,
                                    eval_sentences=300, checkpoint_every=10**9,
                                    report_sentences=1000))
        t0 = time.time()
        res = train(Path(args.corpus), Path(args.work) / name, preset, force=True)
        r = res.report
        results[name] = {
            "vocab_size": vocab, **model_kw, "params": r["num_params"], "steps": r["step"],
            "tokens_per_second": r["tokens_per_second"], "wall_minutes": (time.time() - t0) / 60,
            "valid_ce_per_token": r["valid"]["cross_entropy_per_token"],
            "valid_ppl_per_word": r["valid"]["perplexity_per_word"],
            "tokens_per_word": r["valid"]["tokens_per_word"],
            "history": r["history"],
        }
        out_json.write_text(json.dumps(results, indent=2))
        print(name, json.dumps({k: v for k, v in results[name].items() if k != "history"}))
    write_doc(results, args.minutes)


def write_doc(results: dict, minutes: float) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(results.items(), key=lambda kv: kv[1]["valid_ppl_per_word"])
    lines = [
        "# Model selection: valid perplexity per word after the same training time",
        "",
        "Each candidate trained for the same number of steps (batch 64x64 tokens, Adam 3e-3 with "
        "100 warm-up steps and cosine decay, dropout 0.1; its own tokenizer trained on the train split), "
        "then scored on the first 1000 valid sentences; tokens/s is its training throughput on this "
        "2-core machine, so valid loss per training minute follows from both columns. "
        "Made by `python bench/model_selection.py --steps N`.",
        "",
        "| candidate | params | tokens/s | steps | tokens/word | valid CE/token | valid PPL/word |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(f"| {name} | {r['params']:,} | {r['tokens_per_second']:,.0f} | {r['steps']} | "
                     f"{r['tokens_per_word']:.2f} | {r['valid_ce_per_token']:.3f} | {r['valid_ppl_per_word']:.1f} |")
    lines += ["", "![valid loss against training minutes](../reports/model_selection.png)", ""]
    Path("docs").mkdir(exist_ok=True)
    Path("docs/model-selection.md").write_text("\n".join(lines))
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, r in rows:
        h = r["history"]
        # per-word perplexity from per-token CE, using the candidate's tokens/word
        ax.plot([e["minutes"] for e in h], [e["valid_ce"] * r["tokens_per_word"] for e in h], marker="o", label=name)
    ax.set_xlabel("training minutes")
    ax.set_ylabel("valid nats per word (300 sentences)")
    ax.set_title("Valid loss per word against training time")
    ax.legend()
    fig.tight_layout()
    fig.savefig("reports/model_selection.png", dpi=110)


if __name__ == "__main__":
    main()
