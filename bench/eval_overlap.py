"""Do the evaluation texts share text with the training text? (issue 23)

    python bench/eval_overlap.py --corpus data-conv/corpus --out reports/eval_overlap.json \
        [--eval NAME=PATH ...]

For each evaluation text (default: the shipped model's test split
``data/corpus/test.txt``, the held-out e-mail ``data/heldout-email/heldout.txt``,
and the new corpus's own test split and conversational held-out slice
``CORPUS/test.txt``, ``CORPUS/heldout.txt``) against each training text (the
sentences of the new train split ``CORPUS/train.txt`` that come from the new
conversational sources ``chitchat`` and ``chatterbot``; and the whole split): how many evaluation sentences are training sentences,
and how many word 8-grams (``--n``) they share (evaluate/overlap.py). Prints
a table and writes the counts, with a few example sentences, as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from nextkey.evaluate.overlap import overlap
from nextkey.train.corpus import CorpusConfig, iter_sentences, read_lines, source_lines
from nextkey.train.sources_chat import SOURCES as CHAT_SOURCES


def named(value: str) -> tuple[str, str]:
    name, sep, path = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {value!r}")
    return name, path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default="data-conv/corpus", help="the corpus built with the new sources")
    ap.add_argument("--eval", action="append", type=named, help="NAME=PATH, one sentence a line (repeatable)")
    ap.add_argument("--n", type=int, default=8, help="word n-gram length")
    ap.add_argument("--out", default="reports/eval_overlap.json")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    evals = dict(args.eval or [("in-domain test (shipped)", "data/corpus/test.txt"),
                               ("e-mail held out", "data/heldout-email/heldout.txt"),
                               ("in-domain test (new corpus)", str(corpus / "test.txt")),
                               ("conversational held out", str(corpus / "heldout.txt"))])
    texts = {name: read_lines(Path(path)) for name, path in evals.items()}
    cfg = CorpusConfig(out_dir=corpus, sources=tuple(CHAT_SOURCES))
    chat = {s for src in CHAT_SOURCES for s in iter_sentences(source_lines(src, cfg.cache_dir), cfg)}
    train = read_lines(corpus / "train.txt")
    trainings = {"new sources' train sentences": [s for s in train if s in chat], "whole train split": train}
    rows = []
    for train_name, train in trainings.items():
        for eval_name, sentences in texts.items():
            t = time.perf_counter()
            o = overlap(sentences, train, n=args.n)
            rows.append({"training": train_name, "evaluation": eval_name, "path": evals[eval_name],
                         "training_sentences": len(train), **o.as_dict()})
            print(f"{train_name:>30} | {eval_name:>28}: {o.sentences:>6} sentences, shared {o.shared_sentences}; "
                  f"{o.ngrams:>7} {args.n}-grams, shared {o.shared_ngrams} (in {o.sentences_with_shared_ngram} "
                  f"sentences) [{time.perf_counter() - t:.0f} s]", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"n": args.n, "corpus": str(corpus), "rows": rows}, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
