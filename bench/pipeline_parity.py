"""Suggestions for every keystroke, recorded and compared: does a refactoring change what users see?

    python bench/pipeline_parity.py --out /tmp/before.json                 # record (the bundled model)
    python bench/pipeline_parity.py --out /tmp/after.json --against /tmp/before.json

Records the strip (word, score, kind, corrected) after every keystroke of the
first ``--sentences`` test sentences, each typed into a fresh session, and of a
``--long-chars`` text (test sentences from line 1,000 on, joined) typed into
one field, 3 suggestions each. ``--against`` lists every keystroke whose strip
differs (words, kinds, or a score by more than ``--tol``) with before/after,
and writes them beside ``--out`` as ``*.diff.json``. Exit 1 when any differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from nextkey.engine import Engine
from nextkey.evaluate.stats import read_sentences


def record(eng: Engine, texts: list[str], n: int, one_field: bool) -> list[dict]:
    out = []
    sess = eng.session()
    for text in tqdm(texts, desc="one field" if one_field else "sentences", file=sys.stderr, mininterval=2):
        if not one_field:
            sess = eng.session()
        for i in range(1, len(text) + 1):
            sess.set_text(text[:i] if not one_field else sess.text + text[i - 1])
            strip = sess.suggest(n)
            out.append({"text": sess.text[-80:], "strip": [[s.word, round(s.score, 6), str(getattr(s.kind, "value", s.kind)),
                                                           s.corrected] for s in strip]})
    return out


def differs(a: dict, b: dict, tol: float) -> bool:
    if [s[0] for s in a["strip"]] != [s[0] for s in b["strip"]]:
        return True
    return any(x[2:] != y[2:] or abs(x[1] - y[1]) > tol for x, y in zip(a["strip"], b["strip"]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--text", default="data/corpus/test.txt")
    p.add_argument("--sentences", type=int, default=100)
    p.add_argument("--long-chars", type=int, default=10_000)
    p.add_argument("--bundle")
    p.add_argument("--out", required=True)
    p.add_argument("--against")
    p.add_argument("--tol", type=float, default=1e-5)
    args = p.parse_args()
    lines = read_sentences(Path(args.text))
    long_text, k = "", 1000
    while len(long_text) < args.long_chars:
        long_text += lines[k] + " "
        k += 1
    eng = Engine.load(args.bundle)
    rec = {"sentences": record(eng, lines[: args.sentences], 3, one_field=False),
           "long": record(eng, [long_text[: args.long_chars]], 3, one_field=True)}
    Path(args.out).write_text(json.dumps(rec) + "\n")
    total = sum(len(v) for v in rec.values())
    print(f"recorded {total:,} keystrokes to {args.out}")
    if args.against:
        before = json.loads(Path(args.against).read_text())
        diffs = []
        for part in rec:
            for i, (a, b) in enumerate(zip(before[part], rec[part])):
                if a["text"] != b["text"]:
                    raise SystemExit(f"{part} keystroke {i}: the texts differ; not the same input")
                if differs(a, b, args.tol):
                    diffs.append({"part": part, "keystroke": i, "text": a["text"],
                                  "before": a["strip"], "after": b["strip"]})
        Path(args.out).with_suffix(".diff.json").write_text(json.dumps(diffs, indent=1, ensure_ascii=False) + "\n")
        print(f"{len(diffs)} of {total:,} keystrokes differ (tolerance {args.tol} on scores)")
        for d in diffs[:20]:
            print(f"  {d['part']} #{d['keystroke']} {d['text'][-40:]!r}: {[s[0] for s in d['before']]} -> "
                  f"{[s[0] for s in d['after']]}")
        sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
