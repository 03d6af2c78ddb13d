"""What the model alone is worth: several bundles typed through the same engine.

    python bench/model_ablation.py --bundle v0.1=PATH --bundle 60min=PATH --bundle shipped \
        --text in-domain=data/corpus/test.txt --text e-mail=data/heldout-email/heldout.txt --sentences 150

Each ``--bundle NAME=PATH`` (``shipped``: the packaged default) is loaded into
this version of the engine (the same decoder, lexicon rules, typo tolerance)
and types the first ``--sentences`` lines of each ``--text NAME=PATH`` through
``evaluate.typing_sim`` with 3 suggestions. Prints KSR and next-word top-3 per
bundle and text and writes ``reports/model_ablation.json`` and ``.md``: the
rows differ only in the bundle (its model, tokenizer and lexicon).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nextkey.engine import Engine
from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate


def named(value: str) -> tuple[str, str | None]:
    name, _, path = value.partition("=")
    return name, (path or None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", action="append", type=named, required=True, help="NAME=PATH, or 'shipped'")
    ap.add_argument("--text", action="append", type=named, required=True, help="NAME=PATH, one sentence a line")
    ap.add_argument("--sentences", type=int, default=150)
    ap.add_argument("--out", default="reports/model_ablation.json")
    args = ap.parse_args(argv)
    texts = {name: read_sentences(Path(path), args.sentences) for name, path in args.text}
    rows = []
    for name, path in args.bundle:
        eng = Engine.load(path, num_threads=1)
        row = {"bundle": name, "path": path or "shipped", "size_mb": eng.info["size_bytes"] / 1e6}
        for text_name, sentences in texts.items():
            r = simulate(engine_predictor(eng), sentences, 3, known=eng.knows)
            row[text_name] = {"ksr": r.ksr, "next_word_top3": r.summary()["next_word_top3"]}
            print(f"{name:>12} {text_name:>10}: KSR@3 {r.ksr:.4f}  next-word top-3 "
                  f"{r.summary()['next_word_top3']:.4f}", flush=True)
        rows.append(row)
        eng.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"sentences": args.sentences, "texts": dict(args.text), "rows": rows}, indent=2) + "\n")
    lines = ["| bundle | " + " | ".join(f"KSR {t} | top-3 {t}" for t in texts) + " |",
             "|---|" + "---:|" * (2 * len(texts))]
    for row in rows:
        lines.append(f"| {row['bundle']} | " + " | ".join(f"{row[t]['ksr']:.4f} | {row[t]['next_word_top3']:.4f}"
                                                        for t in texts) + " |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
