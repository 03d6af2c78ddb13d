"""Choosing the hyphen-compound rule (EngineSettings.compound_rank / compound_logprob) on
the validation split: for each setting, the share of offered words that are outside
the lexicon (compounds built part by part no one writes) and KSR on sentences that
hold a hyphenated word (what part-by-part completion is for) and on all sentences.

    python bench/compound_rule.py --text data/corpus/valid.txt --out reports/compound_rule.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from nextkey.engine import Engine
from nextkey.evaluate.kinds import compounds
from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate

GRID = [(None, None), (1_000_000, -50.0), (5000, -2.0), (1_000_000, -2.0), (20000, -3.0)]  # the shipped rule (20000, -2.0), no rule, others tried


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text", type=Path, default=Path("data/corpus/valid.txt"))
    ap.add_argument("--sentences", type=int, default=150, help="sentences typed for the offered-word share")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    sentences = read_sentences(args.text)
    hyphenated = [s for s in sentences if "-" in s][: args.sentences]
    base = Engine.load()
    rows = []
    for rank, logp in GRID:
        settings = base.settings if rank is None else replace(base.settings, compound_rank=rank, compound_logprob=logp)
        eng = Engine.load(settings=settings)
        lex = eng.bundle.lexicon
        share = compounds(eng.session(), sentences[: args.sentences], 3, lambda w: w in lex, eng.pack)
        ksr_h = simulate(engine_predictor(eng), hyphenated, 3).ksr
        ksr_all = simulate(engine_predictor(eng), sentences[: args.sentences], 3).ksr
        row = {"compound_rank": settings.compound_rank, "compound_logprob": settings.compound_logprob,
               "outside_share": share["outside_share"], "outside_hyphenated": share["outside_hyphenated"],
               "offered": share["cases"], "ksr_hyphenated_sentences": round(ksr_h, 4), "ksr": round(ksr_all, 4)}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"text": str(args.text), "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
