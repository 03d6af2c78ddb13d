"""The recency source (engine/sources/recency.py): what a cache of the field's own words
saves, by weight, decay and the letters typed before it proposes. Types the validation
sentences (3 suggestions, as nextkey eval counts) with the source added (Engine.add_source),
chosen on the validation split only; ``--text`` more files to report (not to choose on).
Each sentence is typed from an empty field (the simulator's rule), so the cache holds the
sentence's earlier words only: a lower bound of what a longer message gets.

    python bench/recency.py --out reports/recency.json --sentences 150
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.sources.recency import RecencySource
from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate


def run(sentences, weight: float | None, **kw) -> dict:
    eng = Engine.load()
    if weight:
        lex = eng.bundle.lexicon
        eng.add_source(RecencySource(eng.pack, rank=lex.index if lex is not None else None, **kw), weight)
    known = eng.knows
    r = simulate(engine_predictor(eng), sentences, 3, known=known).summary()
    return {"weight": weight or 0.0, **kw, "ksr": r["ksr"], "next_word_top3": r["next_word_top3"],
            "non_word_share": r["non_word_share"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--valid", type=Path, default=Path("data/corpus/valid.txt"))
    ap.add_argument("--sentences", type=int, default=150)
    ap.add_argument("--weights", type=float, nargs="*", default=[0.02, 0.05, 0.1, 0.2])
    ap.add_argument("--decays", type=float, nargs="*", default=[0.99])
    ap.add_argument("--min-prefix", type=int, nargs="*", default=[1])
    ap.add_argument("--min-ranks", type=int, nargs="*", default=[1000, 10000], help="lexicon ranks left out of the cache")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    sentences = read_sentences(args.valid, args.sentences)
    rows = [run(sentences, None)]
    print(json.dumps(rows[-1]), flush=True)
    for w, d, m, r in itertools.product(args.weights, args.decays, args.min_prefix, args.min_ranks):
        rows.append(run(sentences, w, decay=d, min_prefix=m, min_rank=r))
        print(json.dumps(rows[-1]), flush=True)
    best = max(rows, key=lambda r: r["ksr"])  # the GRU alone (weight 0) included: a source must earn its place
    report = {"split": str(args.valid), "sentences": len(sentences), "rows": rows, "chosen": best}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print("chosen on the validation split:", json.dumps(best))
    return 0


if __name__ == "__main__":
    sys.exit(main())
