"""What each part of the decoder is worth: KSR, next-word accuracy and the
non-word share, with the lexicon off, on as a filter only, with its prior
interpolated at several weights, and with typo tolerance on top, on in-domain
and held-out-genre text (clean typing: typo tolerance must cost little here).

    python bench/ablation.py --in-domain data/corpus/test.txt \
        --held-out data/corpus-nomoby/heldout.txt --sentences 200

Each variant types the same sentences with 3 suggestions under
evaluate.typing_sim's rules. The non-word share counts offered words outside
the bundle's lexicon (the same reference for every variant, the lexicon-less
one included). Writes reports/ablation.json and reports/ablation.md.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import json
import sys
from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.settings import EngineSettings
from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate


def variants(weights: list[float]) -> dict[str, tuple[bool, EngineSettings]]:
    base = EngineSettings()
    no_slips = replace(base, slips=replace(base.slips, enabled=False))
    out = {"no lexicon (this decoder, 12 expansions)": (False, no_slips),
           "lexicon as a filter": (True, no_slips.with_weights(prior=0.0))}
    for w in weights:
        out[f"lexicon + prior w={w:g}"] = (True, no_slips.with_weights(prior=w))
    out["default: lexicon + prior + typo tolerance"] = (True, base)
    return out


def run_variant(base: Engine, lexicon: bool, settings: EngineSettings, sentences: list[str], n: int) -> dict:
    bundle = base.bundle if lexicon else replace(base.bundle, lexicon=None)
    eng = Engine(bundle, settings)
    ref = base.bundle.lexicon
    r = simulate(engine_predictor(eng), sentences, n, known=lambda w: w in ref).summary()
    return {k: r[k] for k in ("ksr", "next_word_top1", f"next_word_top{n}", "non_word_share", "repeated_strips",
                              "offered", "characters")} | {"p50_ms": r["latency_ms"]["p50"]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", help="bundle folder (default: the shipped one); it must have a lexicon")
    p.add_argument("--in-domain", default="data/corpus/test.txt")
    p.add_argument("--held-out", default="data/corpus-nomoby/heldout.txt")
    p.add_argument("--sentences", type=int, default=200)
    p.add_argument("--weights", type=float, nargs="*", default=[0.02, 0.05, 0.2])
    p.add_argument("--out", default="reports/ablation")
    args = p.parse_args(argv)
    base = Engine.load(args.bundle)
    if base.bundle.lexicon is None:
        raise SystemExit(f"bundle {base.manifest.path} has no lexicon")
    texts = {"in-domain": read_sentences(Path(args.in_domain), args.sentences),
             "held-out genre": read_sentences(Path(args.held_out), args.sentences)}
    rows = []
    for name, (lexicon, settings) in variants(args.weights).items():
        row = {"variant": name, "prior_weight": settings.weights["prior"] if lexicon else None,
               "typo_tolerance": settings.slips.enabled}
        for tname, sentences in texts.items():
            row[tname] = run_variant(base, lexicon, settings, sentences, 3)
            print(f"{name:<28} {tname:<15} KSR {row[tname]['ksr']:.4f}  top-3 {row[tname]['next_word_top3']:.4f}  "
                  f"non-words {row[tname]['non_word_share']:.4f}  repeats {row[tname]['repeated_strips']}", flush=True)
        rows.append(row)
    report = {"bundle": base.info, "texts": {"in-domain": args.in_domain, "held-out genre": args.held_out},
              "sentences": args.sentences, "suggestions": 3, "rows": rows}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"# Decoder ablation: {base.info['name']}, {args.sentences} sentences per text, 3 suggestions", "",
             "| variant | KSR in-domain | KSR held-out | top-3 in-domain | top-3 held-out | non-words in / out | strips with a repeat in / out |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        a, b = r["in-domain"], r["held-out genre"]
        lines.append(f"| {r['variant']} | {a['ksr']:.4f} | {b['ksr']:.4f} | {a['next_word_top3']:.4f} | "
                     f"{b['next_word_top3']:.4f} | {a['non_word_share']:.2%} / {b['non_word_share']:.2%} | "
                     f"{a['repeated_strips']} / {b['repeated_strips']} |")
    lines += ["", f"Texts: in-domain {args.in_domain}, held-out genre {args.held_out}. "
              "Command: `python bench/ablation.py " + " ".join(argv if argv is not None else sys.argv[1:]) + "`"]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
