"""Would a compact word bigram, interpolated with the GRU the way the user
memory is, save keystrokes? (issue: "mix in what the n-gram peer remembers, if it pays")

    python bench/ngram_mix.py --train data/corpus/train.txt --text data/corpus/test.txt \
        --pairs 200000 --weights 0.1 0.25 --sentences 150

Counts the corpus's word pairs (folded), keeps the ``--pairs`` most frequent
(about 12 bytes a pair in a packed table: 200,000 pairs ~ 2.4 MB), and types
the test sentences with p = (1 - w) p_model + w c(prev, word) / c(prev), adding
the bigram's best continuations of the previous word that fit the prefix, as
the user memory adds learned words. Prints KSR and next-word top-3 beside the
engine without it and writes reports/ngram_mix.json. Measurement only: the
engine ships no n-gram unless this shows a gain worth its megabytes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.lexicon import fold
from nextkey.engine.text import WORD
from nextkey.evaluate.stats import engine_predictor, read_sentences
from nextkey.evaluate.typing_sim import simulate


class BigramMix:
    """Stands in for the user memory: interpolates a corpus bigram, delegates the rest."""

    def __init__(self, memory, lexicon, unigrams: Counter, pairs: dict, weight: float):
        self.memory, self.lexicon, self.unigrams, self.pairs, self.weight = memory, lexicon, unigrams, pairs, weight
        self.after: dict[str, list[tuple[int, str]]] = {}
        for (a, b), c in pairs.items():
            self.after.setdefault(a, []).append((c, b))
        for a in self.after:
            self.after[a].sort(reverse=True)

    active = True

    def __getattr__(self, name):
        return getattr(self.memory, name)

    def combine(self, scored, typed, prev):
        p = fold(prev) if prev else None
        cp = self.unigrams.get(p, 0) if p else 0
        w, out = self.weight, {}
        for word, logp in scored:
            pb = self.pairs.get((p, fold(word)), 0) / cp if cp else 0.0
            out[word] = math.log((1 - w) * math.exp(logp) + w * pb)
        low, added = fold(typed), 0
        for c, b in self.after.get(p, []) if p else []:
            if b.startswith(low) and (i := self.lexicon.index(b)) is not None:
                out.setdefault(self.lexicon.forms[i], math.log(w * c / cp))
                added += 1
                if added == 3:
                    break
        return sorted(out.items(), key=lambda kv: -kv[1])


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
    base = Engine.load(args.bundle, slips=None)
    rows = [{"weight": 0.0, **_measure(base, sentences)}]
    print(f"without bigram: KSR {rows[0]['ksr']:.4f} top-3 {rows[0]['next_word_top3']:.4f}", flush=True)
    for w in args.weights:
        eng = Engine(base.bundle, slips=None)
        eng.memory = BigramMix(eng.memory, base.bundle.lexicon, unigrams, pairs, w)
        eng._session = eng.session()
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
