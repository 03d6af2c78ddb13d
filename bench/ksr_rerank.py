"""Would ranking the strip by expected keystrokes saved beat ranking by probability? (issue 23)

    python bench/ksr_rerank.py --text data/corpus/valid.txt --sentences 150 0,1 0,2 0.5,2 1,2

Each ALPHA,K asks the pipeline for K x n words (Pipeline.predict with a wider query) and keeps the
n with the highest ``log p(word) + ALPHA * log(1 + letters the word still needs)``: a word that
saves more keystrokes when taken climbs (the expected-savings ranking of word prediction for AAC;
ALPHA 0, K 1 is the engine as it is). Types the first ``--sentences`` lines of ``--text`` with 3
suggestions through evaluate.typing_sim (the selecting typist) and prints KSR and next-word top-3
per setting. Choose on the validation split only. Measured 2026-11-30 (docs/model-selection.md):
0,1 KSR 0.5336; 0,2 0.5339; 0.5,2 0.5352; 1,2 0.5345.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.pipeline import Pipeline
from nextkey.evaluate.stats import read_sentences
from nextkey.evaluate.typing_sim import simulate


def reranking(alpha: float, k: int):
    """Pipeline.predict ranked by expected savings (see the module doc)."""
    plain = Pipeline.predict

    def predict(self, q, pos):
        if k == 1 and alpha == 0:
            return plain(self, q, pos)
        out = plain(self, replace(q, n=q.n * k), pos)
        typed = len(q.typed)
        out.sort(key=lambda s: -(s.score + alpha * math.log(max(len(s.word) - len(q.stem) - typed, 0) + 1)))
        return out[: q.n]

    return predict


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("settings", nargs="+", help="ALPHA,K pairs")
    ap.add_argument("--text", type=Path, default=Path("data/corpus/valid.txt"))
    ap.add_argument("--sentences", type=int, default=150)
    ap.add_argument("--bundle", default=None, help="bundle folder (default: the packaged one)")
    args = ap.parse_args(argv)
    lines = read_sentences(args.text, args.sentences)
    plain = Pipeline.predict
    try:
        for spec in args.settings:
            alpha, k = float(spec.split(",")[0]), int(spec.split(",")[1])
            Pipeline.predict = reranking(alpha, k)
            eng = Engine.load(args.bundle, num_threads=1)
            t0 = time.time()
            r = simulate(lambda s, m: [x.word for x in eng.suggest(s, n=m)], lines, 3, pack=eng.pack).summary()
            print(f"alpha {alpha:g} k {k}: KSR {r['ksr']:.4f}, next-word top-3 {r['next_word_top3']:.4f} "
                  f"({time.time() - t0:.0f} s)", flush=True)
    finally:
        Pipeline.predict = plain
    return 0


if __name__ == "__main__":
    sys.exit(main())
