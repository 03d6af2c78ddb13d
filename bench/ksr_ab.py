"""KSR of one engine on a sentence file, for a before/after across commits: the engine
is imported from ``--engine-module`` (another checkout's engine/ linked under another
name, as for evaluate/kinds.py), the typing rules are this checkout's (evaluate/typing_sim.py,
3 suggestions, a selection types the space too: what ``nextkey eval`` counts).

    python bench/ksr_ab.py --text data/corpus/test.txt --max-sentences 300 --out after.json
    PYTHONPATH=/tmp/bp python bench/ksr_ab.py --engine-module nkold_engine ... --out before.json
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text", type=Path, required=True)
    ap.add_argument("--max-sentences", type=int, default=300)
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--engine-module", default="nextkey.engine")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    engine = importlib.import_module(args.engine_module).Engine.load()
    result = simulate(engine_predictor(engine), read_sentences(args.text, args.max_sentences), args.n)
    rec = {"engine": args.engine_module, "text": str(args.text), "sentences": args.max_sentences, **result.summary()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rec, indent=1))
    print(json.dumps({k: rec[k] for k in rec if k in ("engine", "text", "ksr", "next_word_top3", "next_word_topk")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
