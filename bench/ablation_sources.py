"""What each part is worth (issue 23): the GRU alone, with the phrase source, a larger model,
both; KSR in-domain and on held-out e-mail, bundle MB and the selecting typist's latency.

    python bench/ablation_sources.py \
        --row "GRU alone=shipped" --row "+ phrase source=shipped+data/corpus" \
        --row "larger model=RUN/bundle-int8" --row "both=RUN/bundle-int8+data/corpus-v3" \
        --text in-domain=data/corpus/test.txt --text e-mail=data/heldout-email/heldout.txt \
        --sentences 150 --out reports/ablation_sources

A row is ``NAME=BUNDLE[+CORPUS]``: the bundle (``shipped``: the packaged default) loaded into
this engine, and with ``+CORPUS`` the phrase source mixed in: the Kneser-Ney trigram
(train/ngram.py) built from that corpus's train split over the bundle's lexicon, pruned at
``--prune`` (minimum bigram, trigram counts), mixed as the validation split chose
(docs/model-selection.md: linear, only where the trigram context was kept, weight ``--weight``).
Built trigrams are kept under ``--work``, named by the corpus and lexicon they came from.

Each row types the first ``--sentences`` sentences of each text with 3 suggestions through
``evaluate.typing_sim`` (the selecting typist: a shown word is taken with its space, as
``nextkey eval`` counts), and every ``suggest()`` call of it is timed (wall ms, one thread;
p50/p99/max per text). MB: the bundle's files, plus the trigram's file for a row with one.
Writes ``OUT.json`` and ``OUT.md``; prints each row as it ends. Latency is only comparable
between rows on a quiet machine: the load average before and after is recorded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import sys
import time
from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.sources.ngram import NgramModel, NgramSource
from nextkey.evaluate.stats import percentiles, read_sentences
from nextkey.evaluate.typing_sim import simulate
from nextkey.train.ngram import build, lexicon_words, write


def parse_row(value: str) -> tuple[str, str, Path | None]:
    """``NAME=BUNDLE[+CORPUS]`` -> (name, bundle, corpus or None)."""
    name, sep, rest = value.partition("=")
    if not sep or not name or not rest:
        raise argparse.ArgumentTypeError(f"a row is NAME=BUNDLE[+CORPUS], got {value!r}")
    bundle, _, corpus = rest.partition("+")
    return name, bundle, (Path(corpus) if corpus else None)


def parse_text(value: str) -> tuple[str, Path]:
    name, sep, path = value.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"a text is NAME=PATH, got {value!r}")
    return name, Path(path)


def trigram(engine: Engine, corpus: Path, prune: tuple[int, int], work: Path) -> Path:
    """The trigram of corpus/train.txt over the engine's lexicon, built once and kept in work."""
    train = corpus / "train.txt"
    if not train.exists():
        raise SystemExit(f"{train} is missing: build it with `nextkey corpus --out {corpus}`")
    lexicon = Path(engine.manifest.lexicon_path)
    key = hashlib.blake2b(f"{train.resolve()}:{train.stat().st_size}:{lexicon.read_bytes().hex()}".encode(),
                          digest_size=8).hexdigest()
    path = work / f"ngram-{prune[0]}-{prune[1]}-{key}.npz"
    if not path.exists():
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.time()
        with open(train, encoding="utf-8") as f:
            write(build(f, lexicon_words(lexicon, engine.pack), *prune, pack=engine.pack), path)
        print(f"built {path} ({path.stat().st_size / 1e6:.2f} MB) in {time.time() - t0:.0f} s", flush=True)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--row", action="append", type=parse_row, required=True, help="NAME=BUNDLE[+CORPUS]")
    ap.add_argument("--text", action="append", type=parse_text, required=True, help="NAME=PATH, one sentence a line")
    ap.add_argument("--sentences", type=int, default=150)
    ap.add_argument("--prune", default="2,3", help="the trigram's minimum bigram,trigram counts")
    ap.add_argument("--weight", type=float, default=0.15, help="the phrase source's weight (linear mixing)")
    ap.add_argument("--work", type=Path, default=Path.home() / ".cache" / "nextkey" / "ngram")
    ap.add_argument("--out", type=Path, default=Path("reports/ablation_sources"))
    args = ap.parse_args(argv)
    prune = tuple(int(x) for x in args.prune.split(","))
    texts = {name: read_sentences(path, args.sentences) for name, path in args.text}
    setup = {"sentences": args.sentences, "texts": {n: str(p) for n, p in args.text}, "prune": prune,
             "weight": args.weight, "mixing": "linear, only where the trigram context was kept", "suggestions": 3,
             "loadavg_before": [round(x, 2) for x in os.getloadavg()]}
    rows = []
    for name, bundle, corpus in args.row:
        engine = Engine.load(None if bundle == "shipped" else Path(bundle), num_threads=1)
        mb = sum(f.stat().st_size for f in engine.manifest.path.rglob("*") if f.is_file()) / 1e6
        row = {"name": name, "bundle": bundle, "corpus": str(corpus) if corpus else None,
               "model_config": engine.manifest.data.get("model_config")}
        if corpus is not None:
            path = trigram(engine, corpus, prune, args.work)
            engine.add_source(NgramSource(NgramModel(path, engine.pack.fold), 3, evidence_only=True), args.weight)
            row["phrase_mb"] = round(path.stat().st_size / 1e6, 2)
            mb += path.stat().st_size / 1e6
        row["mb"] = round(mb, 2)
        times: list[float] = []

        def predict(text: str, n: int) -> list[str]:
            t0 = time.perf_counter()
            words = [s.word for s in engine.suggest(text, n=n)]
            times.append((time.perf_counter() - t0) * 1e3)
            return words

        engine.suggest("", 3)  # the interpreter's first call makes its buffers: not a keystroke
        for tname, sentences in texts.items():
            times.clear()
            r = simulate(predict, sentences, 3, pack=engine.pack).summary()
            ms = percentiles(times)
            row[tname] = {"ksr": round(r["ksr"], 4), "next_word_top3": round(r["next_word_top3"], 4),
                          "non_word_share": r["non_word_share"], "keystrokes": len(times),
                          "ms": {k: round(v, 3) for k, v in ms.items() if k != "count"}}
        rows.append(row)
        print(json.dumps(row), flush=True)
    setup["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps({"setup": setup, "rows": rows}, indent=1) + "\n")
    names = list(texts)
    head = "| row | MB | " + " | ".join(f"KSR {t} | top-3 {t} | p50 / p99 ms {t}" for t in names) + " |"
    lines = [f"# Ablation (issue 23): {args.sentences} sentences per text, 3 suggestions, selecting typist", "",
             head, "|---|---:|" + "---:|---:|---:|" * len(names)]
    for r in rows:
        cells = " | ".join(f"{r[t]['ksr']:.4f} | {r[t]['next_word_top3']:.4f} | {r[t]['ms']['p50']:.2f} / "
                           f"{r[t]['ms']['p99']:.2f}" for t in names)
        lines.append(f"| {r['name']} | {r['mb']:.2f} | {cells} |")
    lines += ["", f"Load average {setup['loadavg_before']} -> {setup['loadavg_after']}. Command: "
                  f"`python bench/ablation_sources.py {shlex.join(sys.argv[1:] if argv is None else argv)}`"]
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
