"""The phrase source (issue 23): does a pruned Kneser-Ney trigram mixed with the GRU save
keystrokes, and what does each megabyte buy?

For each pruning setting (the minimum count of a kept bigram and trigram) it builds the
trigram from the training split (train/ngram.py; the vocabulary is the bundle's lexicon),
then types the validation sentences (3 suggestions, as nextkey eval counts) with the
phrase source added (Engine.add_source) at each weight, mixed everywhere (linear
interpolation) or only where the trigram context was kept (``evidence_only``), linearly or
log-linearly (``--mixings``), with the weight scaled by the order the word was found at
(``--order-weights``: unigram,bigram,trigram scales; combiner.py's ``evidence``). Chosen on
the validation split only; writes a JSON report and a plot of KSR against MB.

    python bench/ngram_source.py --out reports/ngram_source.json --sentences 150
    python bench/ngram_source.py --out reports/ngram_mixing.json --prune 2,3 --evidence-only 1 \
        --mixings linear loglinear --order-weights 1,1,1 0,0.5,1 0,0,1 --weights 0.1 0.2 0.4
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.sources.ngram import NgramModel, NgramSource
from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate
from nextkey.train.ngram import build, lexicon_words, write


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    ap.add_argument("--sentences", type=int, default=150)
    ap.add_argument("--prune", nargs="*", default=["2,2", "2,3", "3,5"], help="min bigram,trigram counts")
    ap.add_argument("--weights", type=float, nargs="*", default=[0.15, 0.3])
    ap.add_argument("--evidence-only", type=int, nargs="*", default=[0, 1], help="0: mix everywhere, 1: only in kept contexts")
    ap.add_argument("--mixings", nargs="*", default=["linear"], choices=["linear", "loglinear"])
    ap.add_argument("--order-weights", nargs="*", default=["1,1,1"], help="unigram,bigram,trigram weight scales")
    ap.add_argument("--work", type=Path, default=Path.home() / ".cache" / "nextkey" / "ngram")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    sentences = read_sentences(args.corpus / "valid.txt", args.sentences)
    base = Engine.load()
    vocab = lexicon_words(base.manifest.lexicon_path)
    r0 = simulate(engine_predictor(base), sentences, 3).summary()
    rows = [{"prune": None, "mb": 0.0, "weight": 0.0, "evidence_only": None, "ksr": r0["ksr"],
             "next_word_top3": r0["next_word_top3"]}]
    print(json.dumps(rows[-1]), flush=True)
    args.work.mkdir(parents=True, exist_ok=True)
    for prune in args.prune:
        c2, c3 = (int(x) for x in prune.split(","))
        path = args.work / f"ngram-{c2}-{c3}.npz"
        t0 = time.time()
        with open(args.corpus / "train.txt", encoding="utf-8") as f:
            mb = write(build(f, vocab, c2, c3), path) / 1e6
        built = time.time() - t0
        grid = [(bool(e), m, o, w) for e in args.evidence_only for m in args.mixings for o in args.order_weights
                for w in args.weights]
        for evidence, mixing, orders, w in grid:
            eng = Engine.load()
            scales = tuple(float(x) for x in orders.split(","))
            eng.add_source(NgramSource(NgramModel(path, eng.pack.fold), 3, evidence_only=evidence, mixing=mixing,
                                       order_weights=None if scales == (1.0, 1.0, 1.0) else scales), w)
            r = simulate(engine_predictor(eng), sentences, 3).summary()
            rows.append({"prune": prune, "mb": round(mb, 2), "build_seconds": round(built), "weight": w,
                         "evidence_only": evidence, "mixing": mixing, "order_weights": orders, "ksr": r["ksr"],
                         "next_word_top3": r["next_word_top3"], "non_word_share": r["non_word_share"]})
            print(json.dumps(rows[-1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"sentences": len(sentences), "split": "valid", "rows": rows}, indent=1))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 4))
        for evidence in (False, True):
            pts = sorted((r["mb"], r["ksr"]) for r in rows[1:] if r["evidence_only"] is evidence
                         and r["weight"] == max(args.weights) and r["mixing"] == args.mixings[0]
                         and r["order_weights"] == args.order_weights[0])
            if not pts:
                continue
            ax.plot(*zip(*pts), "o-", label=("evidence only" if evidence else "everywhere") + f", w={max(args.weights)}")
        ax.axhline(r0["ksr"], color="grey", ls="--", label="GRU alone")
        ax.set_xlabel("phrase model (MB)")
        ax.set_ylabel("KSR (3 suggestions, valid)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.out.with_suffix(".png"), dpi=120)
    except ImportError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
