"""A word trigram with interpolated modified Kneser-Ney smoothing, pruned, in a compact
file the runtime reads with numpy alone (engine/sources/ngram.py): the phrase source.

Smoothing (Chen and Goodman, "An Empirical Study of Smoothing Techniques for Language
Modeling", 1998, section 3.5; the same as KenLM's lmplz): three discounts per order
from the count-of-counts, D_c = c - (c + 1) Y n_{c+1} / n_c with Y = n_1 / (n_1 + 2 n_2);
the highest order uses counts, the lower orders continuation counts (how many distinct
words precede the n-gram); each order is interpolated with the one below, and the
result is written in backoff form (like an ARPA file): p(w | u v) for every kept
trigram, the backoff weight of every kept context, so a query is at most three lookups.

Words are the language pack's (engine/text.py), folded (lowercase, one apostrophe);
a sentence is "<s> w1 ... wn </s>". Words outside ``vocab`` (the bundle's lexicon) are
one unknown word. Pruning keeps the trigrams seen at least ``min_count3`` times and the
bigrams seen at least ``min_count2`` times (count pruning, as SRILM's -gtNmin); the
backoff weights are then renormalised over what is kept, so every context still sums to 1.

File (``ngram.npz``, numpy's uncompressed archive, loaded with mmap):
  words        uint8[...]   the vocabulary, UTF-8, one word a line; id 0 is <unk>, 1 <s>, 2 </s>
  uni          float16[V]   log p(w), natural log
  bow1         float16[V]   log backoff weight of the context (v)
  bi_key       int64[B]     v * V + w, sorted
  bi_logp      float16[B]   log p(w | v)
  ctx2_key     int64[C]     u * V + v of the contexts (u, v) with kept trigrams, sorted
  ctx2_bow     float16[C]   their log backoff weights
  tri_key      int64[T]     (u * V + v) * V + w, sorted
  tri_logp     float16[T]   log p(w | u v)

    python -m nextkey.train.ngram --corpus data/corpus --lexicon BUNDLE/lexicon.tsv --out ngram.npz
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from nextkey.engine.lang import DEFAULT, LanguagePack

log = logging.getLogger(__name__)

UNK, BOS, EOS = 0, 1, 2


def sentence_ids(lines, index: dict[str, int], pack: LanguagePack = DEFAULT):
    fold = pack.fold
    for line in lines:
        words = pack.word_re.findall(line)
        if words:
            yield [BOS] + [index.get(fold(w), UNK) for w in words] + [EOS]


def discounts(count_of_counts: Counter) -> tuple[float, float, float]:
    """D1, D2, D3+ (Chen and Goodman's estimates; a fallback where a count-of-count is 0)."""
    n1, n2, n3, n4 = (count_of_counts.get(k, 0) for k in (1, 2, 3, 4))
    if min(n1, n2, n3, n4) == 0:
        return 0.5, 1.0, 1.5
    y = n1 / (n1 + 2 * n2)
    return (max(0.05, 1 - 2 * y * n2 / n1), max(0.05, 2 - 3 * y * n3 / n2), max(0.05, 3 - 4 * y * n4 / n3))


def _d(c: int, d: tuple[float, float, float]) -> float:
    return 0.0 if c == 0 else d[min(c, 3) - 1]


def build(lines, vocab: list[str], min_count2: int = 2, min_count3: int = 2, pack: LanguagePack = DEFAULT,
          progress=None) -> dict[str, np.ndarray]:
    """The pruned interpolated modified-KN trigram of ``lines`` (sentences) over ``vocab``
    (folded words), as the arrays of the file format above."""
    words = ["<unk>", "<s>", "</s>"] + [w for w in dict.fromkeys(vocab) if w not in ("<unk>", "<s>", "</s>")]
    index = {w: i for i, w in enumerate(words)}
    V = len(words)
    c3: Counter = Counter()
    for n, ids in enumerate(sentence_ids(lines, index, pack)):
        c3.update(zip(ids, ids[1:], ids[2:]))
        c3[(BOS, BOS, ids[1])] += 1  # the first word after <s> <s>: its trigram context is the sentence start
        if progress is not None and n % 100_000 == 0:
            progress(n)
    # Continuation counts for the lower orders; bigram counts for pruning
    cc2: Counter = Counter()  # N1+(. v w)
    c2: Counter = Counter()  # c(v w)
    for (u, v, w), c in c3.items():
        cc2[(v, w)] += 1
        c2[(v, w)] += c
    cc1: Counter = Counter()  # N1+(. w) over bigram types
    for (v, w) in cc2:
        cc1[w] += 1
    D3 = discounts(Counter(c3.values()))
    D2 = discounts(Counter(cc2.values()))
    # unigram: continuation probability, interpolated with uniform
    total1 = sum(cc1.values())
    uni = np.full(V, 1.0 / V, np.float64)
    for w, c in cc1.items():
        uni[w] += c / total1
    uni /= uni.sum()
    # bigram level (continuation counts): p(w|v) = max(cc - D, 0)/S(v) + gamma(v) p(w)
    s2, n2 = defaultdict(float), defaultdict(lambda: [0, 0, 0])
    for (v, w), c in cc2.items():
        s2[v] += c
        n2[v][min(c, 3) - 1] += 1
    gamma2 = {v: (D2[0] * k[0] + D2[1] * k[1] + D2[2] * k[2]) / s2[v] for v, k in n2.items()}
    keep2 = {vw for vw, c in c2.items() if c >= min_count2}
    p2 = {(v, w): max(cc2[(v, w)] - _d(cc2[(v, w)], D2), 0) / s2[v] + gamma2[v] * uni[w] for (v, w) in keep2}
    # trigram level (counts): p(w|uv) = max(c - D, 0)/c(uv.) + gamma(uv) p(w|v)
    s3, n3 = defaultdict(float), defaultdict(lambda: [0, 0, 0])
    for (u, v, w), c in c3.items():
        s3[(u, v)] += c
        n3[(u, v)][min(c, 3) - 1] += 1

    def p_bi(v: int, w: int) -> float:
        got = p2.get((v, w))
        if got is not None:
            return got
        return gamma2.get(v, 1.0) * uni[w] if v in gamma2 else uni[w]

    keep3 = [(k, c) for k, c in c3.items() if c >= min_count3]
    p3 = {}
    for (u, v, w), c in keep3:
        g = (D3[0] * n3[(u, v)][0] + D3[1] * n3[(u, v)][1] + D3[2] * n3[(u, v)][2]) / s3[(u, v)]
        p3[(u, v, w)] = max(c - _d(c, D3), 0) / s3[(u, v)] + g * p_bi(v, w)
    # Backoff weights renormalised over what is kept: bow(ctx) = (1 - sum kept p) / (1 - sum lower p of them)
    def bows(table: dict, ctx_of, lower) -> dict:
        kept_p, kept_lower = defaultdict(float), defaultdict(float)
        for key, p in table.items():
            ctx = ctx_of(key)
            kept_p[ctx] += p
            kept_lower[ctx] += lower(key)
        return {ctx: max(1e-12, 1 - kept_p[ctx]) / max(1e-12, 1 - kept_lower[ctx]) for ctx in kept_p}

    bow2 = bows(p2, lambda k: k[0], lambda k: uni[k[1]])
    bow3 = bows(p3, lambda k: (k[0], k[1]), lambda k: p_bi(k[1], k[2]))
    bow1 = np.zeros(V, np.float64)
    for v, b in bow2.items():
        bow1[v] = math.log(b)
    bi_key = np.array(sorted(v * V + w for v, w in p2), np.int64)
    bi_logp = np.array([math.log(p2[(int(k) // V, int(k) % V)]) for k in bi_key], np.float32)
    ctx2_key = np.array(sorted(u * V + v for u, v in bow3), np.int64)
    ctx2_bow = np.array([math.log(bow3[(int(k) // V, int(k) % V)]) for k in ctx2_key], np.float32)
    tri_key = np.array(sorted((u * V + v) * V + w for u, v, w in p3), np.int64)
    tri_logp = np.array([math.log(p3[(int(k) // (V * V), int(k) // V % V, int(k) % V)]) for k in tri_key],
                        np.float32)
    log.info("ngram: %d words, %d bigrams, %d trigrams kept (of %d, %d); discounts 3: %s 2: %s", V, len(bi_key),
             len(tri_key), len(c2), len(c3), [round(x, 3) for x in D3], [round(x, 3) for x in D2])
    return {"words": np.frombuffer("\n".join(words).encode("utf-8"), np.uint8), "uni": np.log(uni).astype(np.float16), "bow1": bow1.astype(np.float16),
            "bi_key": bi_key, "bi_logp": bi_logp.astype(np.float16), "ctx2_key": ctx2_key,
            "ctx2_bow": ctx2_bow.astype(np.float16), "tri_key": tri_key, "tri_logp": tri_logp.astype(np.float16)}


def write(arrays: dict[str, np.ndarray], path: Path) -> int:
    """Write the arrays as an uncompressed npz (the runtime maps it); returns its size in bytes."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)
    return path.stat().st_size


def lexicon_words(lexicon_tsv: Path, pack: LanguagePack = DEFAULT) -> list[str]:
    """The folded words of a bundle's lexicon.tsv, most frequent first."""
    lines = Path(lexicon_tsv).read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(pack.fold(ln.split("\t", 1)[0]) for ln in lines if ln))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="folder with train.txt (nextkey corpus)")
    ap.add_argument("--lexicon", type=Path, required=True, help="the bundle's lexicon.tsv (the vocabulary)")
    ap.add_argument("--min-count2", type=int, default=2)
    ap.add_argument("--min-count3", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    t0 = time.time()
    with open(args.corpus / "train.txt", encoding="utf-8") as f:
        arrays = build(f, lexicon_words(args.lexicon), args.min_count2, args.min_count3,
                       progress=lambda n: log.info("ngram: %d sentences counted", n))
    size = write(arrays, args.out)
    print(f"{args.out}: {size / 1e6:.2f} MB, {len(arrays['bi_key']):,} bigrams, {len(arrays['tri_key']):,} trigrams "
          f"({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
