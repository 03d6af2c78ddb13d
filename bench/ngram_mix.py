"""Would a compact word bigram, interpolated with the GRU the way the user
memory is, save keystrokes? (issue: "mix in what the n-gram peer remembers, if it pays")

    python bench/ngram_mix.py --train data/corpus/train.txt --text data/corpus/test.txt \
        --pairs 200000 --weights 0.1 0.25 --sentences 150

Counts the corpus's word pairs (folded), keeps the ``--pairs`` most frequent
(about 12 bytes a pair in a packed table: 200,000 pairs ~ 2.4 MB), and types
the test sentences with the bigram as one more candidate source (BigramSource, on
engine/sources' protocol, added with ``Engine.add_source``): p = (1 - w) p + w
c(prev, word) / c(prev) after the prior and the memory (combiner.py), adding the
bigram's best continuations of the previous word that fit the prefix. Prints KSR and next-word top-3 beside the
engine without it and writes reports/ngram_mix.json. Measurement only: the
engine ships no n-gram unless this shows a gain worth its megabytes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from collections import Counter
from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.lexicon import fold
from nextkey.engine.text import WORD
from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate


class BigramSource:
    """A corpus word bigram as a candidate source (engine/sources/__init__.py's Source):
    p(word | prev) = c(prev, word) / c(prev), and the best continuations of the previous
    word that fit the prefix and are lexicon words. Added with ``Engine.add_source``."""

    name = "ngram"
    active = True

    def __init__(self, lexicon, unigrams: Counter, pairs: dict, proposals: int = 3):
        self.lexicon, self.unigrams, self.pairs, self.proposals = lexicon, unigrams, pairs, proposals
        self.after: dict[str, list[tuple[int, str]]] = {}
        for (a, b), c in pairs.items():
            self.after.setdefault(a, []).append((c, b))
        for a in self.after:
            self.after[a].sort(reverse=True)

    def logprob(self, word: str, query, pos=None) -> float:
        p = fold(query.prev) if query.prev else None
        cp = self.unigrams.get(p, 0) if p else 0
        c = self.pairs.get((p, fold(word)), 0) if cp else 0
        return math.log(c / cp) if c else -math.inf

    def propose(self, query, pos=None) -> list[str]:
        p = fold(query.prev) if query.prev else None
        out = []
        for _, b in self.after.get(p, []) if p else []:
            if b.startswith(query.folded) and (i := self.lexicon.index(b)) is not None:
                out.append(self.lexicon.forms[i])
                if len(out) == self.proposals:
                    break
        return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle")
    p.add_argument("--train", default="data/corpus/train.txt")
    p.add_argument("--text", default="data/corpus/test.txt")
    p.add_argument("--pairs", type=int, default=200_000)
    p.add_argument("--weights", type=float, nargs="*", default=[0.1, 0.25])
    p.add_argument("--sentences", type=int, default=150)
    p.add_argument("--out", default="reports/ngram_mix.json")
    args = p.parse_args(argv)
    t0 = time.time()
    unigrams, bigrams = Counter(), Counter()
    with open(args.train, encoding="utf-8") as f:
        for line in f:
            ws = [fold(w) for w in WORD.findall(line)]
            unigrams.update(ws)
            bigrams.update(zip(ws, ws[1:]))
    pairs = dict(bigrams.most_common(args.pairs))
    print(f"{len(pairs):,} pairs of {len(bigrams):,} counted in {time.time() - t0:.0f} s", flush=True)
    sentences = read_sentences(Path(args.text), args.sentences)
    base = Engine.load(args.bundle)
    settings = replace(base.settings, slips=replace(base.settings.slips, enabled=False))
    base = Engine(base.bundle, settings)
    rows = [{"weight": 0.0, **_measure(base, sentences)}]
    print(f"without bigram: KSR {rows[0]['ksr']:.4f} top-3 {rows[0]['next_word_top3']:.4f}", flush=True)
    for w in args.weights:
        eng = Engine(base.bundle, settings)
        eng.add_source(BigramSource(base.bundle.lexicon, unigrams, pairs), w)
        rows.append({"weight": w, **_measure(eng, sentences)})
        print(f"bigram w={w:g}: KSR {rows[-1]['ksr']:.4f} top-3 {rows[-1]['next_word_top3']:.4f}", flush=True)
    report = {"pairs": len(pairs), "packed_mb_estimate": len(pairs) * 12 / 1e6, "train": args.train,
              "text": args.text, "sentences": len(sentences), "rows": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _measure(engine: Engine, sentences: list[str]) -> dict:
    s = simulate(engine_predictor(engine), sentences, 3).summary()
    return {"ksr": s["ksr"], "next_word_top3": s["next_word_top3"]}


if __name__ == "__main__":
    sys.exit(main())
