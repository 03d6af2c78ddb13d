"""Sentence-scoped context against the sliding window it replaced: does
starting each sentence afresh cost keystrokes when sentences follow each other?

    python bench/context_scope.py --text data/corpus-nomoby/heldout.txt --paragraphs 60 --per 4

Joins ``--per`` consecutive lines of ``--text`` into one paragraph and types
each paragraph into an empty field (so later sentences have earlier ones
before them), with the context scoped to the current sentence (the engine's
rule) and with the old 480-character window that carried earlier sentences.
Prints KSR, next-word top-3 and context steps per keystroke for both and
writes reports/context_scope.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from nextkey.engine import Engine
from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle")
    p.add_argument("--text", default="data/corpus/test.txt")
    p.add_argument("--paragraphs", type=int, default=60)
    p.add_argument("--per", type=int, default=4)
    p.add_argument("--out", default="reports/context_scope.json")
    args = p.parse_args(argv)
    lines = read_sentences(Path(args.text), args.paragraphs * args.per)
    paragraphs = [" ".join(lines[i:i + args.per]) for i in range(0, len(lines), args.per)]
    rows = {}
    for name, scope in (("sentence-scoped (engine)", True), ("480-char window across sentences", False)):
        eng = Engine.load(args.bundle)
        eng = Engine(eng.bundle, replace(eng.settings, window=replace(eng.settings.window, sentence_scope=scope)))
        r = simulate(engine_predictor(eng), paragraphs, 3).summary()
        steps = eng._session.stack.steps_run
        rows[name] = {"ksr": r["ksr"], "next_word_top3": r["next_word_top3"], "keystrokes": r["predict_calls"],
                      "context_steps_per_keystroke": steps / max(r["predict_calls"], 1)}
        print(f"{name:<34} KSR {r['ksr']:.4f}  top-3 {r['next_word_top3']:.4f}  "
              f"context steps/keystroke {rows[name]['context_steps_per_keystroke']:.2f}", flush=True)
    report = {"text": args.text, "paragraphs": len(paragraphs), "lines_per_paragraph": args.per, "rows": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
