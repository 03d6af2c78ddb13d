"""Does a keystroke get slower as the user memory grows, or a long session fatter?

    python bench/memory_scaling.py                     # data/corpus/test.txt, the bundled model
    python bench/memory_scaling.py --sizes 0 1000 --keystrokes 20000   # a quick look

(a) Next-word latency at 0, 1,000, 10,000 and 50,000 learned words: a typist
    that accepts a shown word (as ``nextkey eval`` counts: the word is taken
    as soon as it is in the strip) types the first ``--sentences`` test
    sentences into a session over a memory that learned N distinct words
    (each two or three times, with pairs) beforehand; the sizes take turns, chunk
    by chunk, so a busy moment falls on all of them. suggest() is timed
    per keystroke kind (bench/typist.py): "next" (nothing of the word typed
    yet, right after a space or an accepted word), "letter" (inside a word),
    "other". The same
    keystrokes are typed for every N; reported: p50/p99 per kind, and the
    next-word p50 over the p50 with no learned words (target: within 1.2x).
(b) RSS over a long session: the same typist, learning what it types
    (``learn=True``, the default memory bounds), types the test text over and
    over for ``--keystrokes`` keystrokes; the process's VmRSS is read every
    ``--every`` keystrokes. Reported: RSS after warm-up (the first 10%) and at
    the end, and the slope in MB per 100,000 keystrokes after warm-up.

Writes reports/memory_scaling.json and reports/memory_scaling.png. Wall-clock
times on a shared machine: run it when nothing else runs (the JSON records the
load average before and after).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from pathlib import Path

from tqdm import tqdm
from typist import KINDS, type_accepting

from nextkey.engine import Engine
from nextkey.engine.memory import MemoryConfig
from nextkey.evaluate.stats import percentiles, read_sentences


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pseudo_words(n: int, seed: int) -> list[str]:
    """``n`` distinct made-up words (names, jargon: what a user teaches a keyboard)."""
    rng = random.Random(seed)
    syllables = ["ka", "zor", "bli", "qu", "ex", "mon", "tri", "vel", "osh", "ran", "dex", "ul", "pim", "ger", "sto"]
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(out)


def bench_sizes(sentences: list[str], sizes: list[int], n: int, rounds: int = 5) -> dict:
    """Every size's engine is built first; then the sentences are typed in ``rounds``
    chunks, each chunk by every engine in a rotated order, so that drift on a shared
    machine falls on all sizes alike."""
    engines = {}
    for size in sizes:
        eng = Engine.load(memory=MemoryConfig(path=None, max_words=max(20_000, 2 * size),
                                              max_pairs=max(50_000, 4 * size)))
        words = pseudo_words(size, seed=size)
        rng = random.Random(1)
        prev = None
        for w in words * 2 + rng.sample(words, size // 2):
            eng.memory.observe(w, prev)
            prev = w
        engines[size] = eng
    gc.collect()
    gc.freeze()  # as the demo does after loading (README: the collector's pauses)
    times = {size: {k: [] for k in KINDS} for size in sizes}
    chunks = [sentences[r::rounds] for r in range(rounds)]
    bar = tqdm(total=len(sentences) * len(sizes), desc="learned-word sizes", file=sys.stderr, mininterval=2)
    for r, chunk in enumerate(chunks):
        for size in sizes[r % len(sizes):] + sizes[:r % len(sizes)]:
            for s in chunk:
                type_accepting(engines[size].session(), s, n, lambda kind, ms, t=times[size]: t[kind].append(ms))
                bar.update(1)
    bar.close()
    out = {}
    for size in sizes:
        t = times[size]
        t["letter"] = t["first_letter"] + t["later_letter"]
        out[str(size)] = {"learned_words": len(engines[size].memory.words),
                          "proposing": len(engines[size].memory.candidates("", 8)),
                          **{k: percentiles(v) for k, v in t.items()}}
        engines[size].close()
        print(f"{size:>6,} learned: next p50 {out[str(size)]['next']['p50']:.3f} ms "
              f"p99 {out[str(size)]['next']['p99']:.3f}; letter p50 {out[str(size)]['letter']['p50']:.3f} "
              f"p99 {out[str(size)]['letter']['p99']:.3f}")
    gc.unfreeze()
    base = out[str(sizes[0])]["next"]["p50"]
    for size in sizes:
        out[str(size)]["next_p50_over_none"] = out[str(size)]["next"]["p50"] / base
    return out


def bench_rss(sentences: list[str], keystrokes: int, every: int, n: int) -> dict:
    eng = Engine.load(memory=MemoryConfig(path=None))
    gc.collect()
    gc.freeze()
    sess = eng.session(learn=True)
    points: list[tuple[int, float]] = [(0, rss_mb())]
    done, k, next_mark = 0, 0, every
    bar = tqdm(total=keystrokes, desc="long session", unit="key", file=sys.stderr, mininterval=2)
    while done < keystrokes:
        s = sentences[k % len(sentences)]
        k += 1
        spent = type_accepting(sess, s + " ", n, None)
        done += spent
        bar.update(spent)
        if len(sess.text) > 20_000:
            sess.set_text(sess.text[-2000:])  # a long field, kept to a few pages
        if done >= next_mark:
            points.append((done, rss_mb()))
            next_mark += every
    bar.close()
    eng.close()
    warm = [p for p in points if p[0] >= keystrokes * 0.1]
    slope = (warm[-1][1] - warm[0][1]) / max(warm[-1][0] - warm[0][0], 1) * 100_000
    return {"points": points, "rss_after_warmup_mb": warm[0][1], "rss_end_mb": warm[-1][1],
            "mb_per_100k_keys_after_warmup": slope, "learned_words": len(eng.memory.words)}


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    sizes = [int(s) for s in result["sizes"]]
    for kind in ("next", "letter"):
        for q, style in (("p50", "-o"), ("p99", "--o")):
            a.plot([max(s, 1) for s in sizes], [result["sizes"][str(s)][kind][q] for s in sizes], style,
                   label=f"{kind} {q}")
    a.set_xscale("log")
    a.set_xlabel("learned words (0 drawn at 1)")
    a.set_ylabel("suggestions() ms")
    a.set_title("keystroke latency vs learned words")
    a.legend()
    pts = result["rss"]["points"]
    b.plot([p[0] for p in pts], [p[1] for p in pts])
    b.set_xlabel("keystrokes (accepting typist, learning)")
    b.set_ylabel("VmRSS MB")
    b.set_ylim(0, max(p[1] for p in pts) * 1.15)  # from 0: a flat line reads as flat
    b.set_title("RSS over a long session")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--text", default="data/corpus/test.txt")
    p.add_argument("--sentences", type=int, default=150)
    p.add_argument("--sizes", type=int, nargs="+", default=[0, 1000, 10_000, 50_000])
    p.add_argument("--keystrokes", type=int, default=200_000)
    p.add_argument("--every", type=int, default=5_000)
    p.add_argument("-n", type=int, default=3)
    p.add_argument("--out", default="reports/memory_scaling.json")
    args = p.parse_args()
    sentences = read_sentences(Path(args.text))
    load_before = os.getloadavg()
    result = {"text": args.text, "sentences": args.sentences, "n": args.n, "load_before": load_before}
    result["sizes"] = bench_sizes(sentences[: args.sentences], args.sizes, args.n)
    result["rss"] = bench_rss(sentences, args.keystrokes, args.every, args.n)
    result["load_after"] = os.getloadavg()
    r = result["rss"]
    print(f"RSS: {r['rss_after_warmup_mb']:.1f} MB after warm-up, {r['rss_end_mb']:.1f} MB after "
          f"{args.keystrokes:,} keystrokes ({r['mb_per_100k_keys_after_warmup']:+.2f} MB per 100k keys)")
    worst = max(v["next_p50_over_none"] for v in result["sizes"].values())
    print(f"next-word p50 over none, worst: x{worst:.2f} ({'PASS' if worst <= 1.2 else 'MISS'} <= 1.2)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    plot(result, out.with_suffix(".png"))
    print(f"wrote {out} and {out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
