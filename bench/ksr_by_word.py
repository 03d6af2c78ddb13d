"""Where the keystrokes go: nextkey and presage (trained on the same text) typing the same
sentences by the same rules (evaluate/typing_sim.py), compared word by word and grouped by
the kind of word, so that a loss to the n-gram peer shows its kind (capitals, numbers, long
rare words, words after punctuation, ...).

Each word is counted with the space after it: its characters, the keystrokes each engine
spent on it (a selection types the space too; otherwise the space is one more keystroke),
and the keystrokes it saved. Groups: the word's shape (lowercase, Capitalized at a sentence
start or inside, ALLCAPS, with a digit, with an apostrophe or hyphen), its length, and its
rank in the bundle's lexicon. Prints the table and writes a JSON report with the words each
engine saved most on over the other.

    python bench/ksr_by_word.py --text data/corpus/test.txt --sentences 150 --out reports/ksr_by_word.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nextkey.engine import Engine  # noqa: E402
from nextkey.evaluate.stats import engine_predictor, read_sentences  # noqa: E402
from nextkey.evaluate.typing_sim import TypingResult, type_sentence  # noqa: E402


def shape(word: str, sentence_start: bool) -> str:
    if any(ch.isdigit() for ch in word):
        return "has a digit"
    if "'" in word or "’" in word or "-" in word:
        return "apostrophe or hyphen"
    if word.isupper() and len(word) > 1:
        return "ALLCAPS"
    if word[:1].isupper():
        return "Capitalized, sentence start" if sentence_start else "Capitalized, inside"
    return "lowercase"


def length_group(word: str) -> str:
    n = len(word)
    return "1-2" if n <= 2 else "3-4" if n <= 4 else "5-7" if n <= 7 else "8+"


def rank_group(rank: int | None) -> str:
    if rank is None:
        return "not in the lexicon"
    return "top 100" if rank < 100 else "100-1k" if rank < 1000 else "1k-10k" if rank < 10000 else "10k+"


def costs(predict, sentences: list[str], n: int) -> list[list[tuple[str, int, int, int]]]:
    """Per sentence, per word: (word, start, keystrokes with the space after it, characters with it)."""
    out = []
    for s in sentences:
        words: list[tuple[str, int, int, int]] = []

        def on_word(word: str, start: int, keys: int, covered: int, s=s, words=words) -> None:
            space = int(start + len(word) < len(s) and s[start + len(word)] == " ")
            selected_space = covered > len(word)
            words.append((word, start, keys + (space and not selected_space), len(word) + space))

        type_sentence(predict, s, n, TypingResult(n=n), on_word=on_word)
        out.append(words)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text", type=Path, default=Path("data/corpus/test.txt"))
    ap.add_argument("--sentences", type=int, default=150)
    ap.add_argument("--suggestions", type=int, default=3)
    ap.add_argument("--bundle", default=None)
    ap.add_argument("--presage-db", type=Path, default=Path("runs/presage/database_train.db"))
    ap.add_argument("--out", type=Path, default=Path("reports/ksr_by_word.json"))
    args = ap.parse_args(argv)
    from presage_ctypes import PresagePredictor

    sentences = read_sentences(args.text, args.sentences)
    eng = Engine.load(args.bundle)
    ranks = {}
    lex = eng.manifest.lexicon_path
    if lex:
        with open(lex, encoding="utf-8") as f:
            for i, line in enumerate(x for x in f if not x.startswith("#")):
                ranks.setdefault(eng.pack.fold(line.split("\t")[0]), i)
    if not args.presage_db.is_file():
        raise SystemExit(f"{args.presage_db} is missing: python bench/compare_presage.py --engines presage-trained builds it")
    ours = costs(engine_predictor(eng), sentences, args.suggestions)
    peer = PresagePredictor(db_path=args.presage_db, suggestions=args.suggestions, lowercase=False)
    theirs = costs(peer, sentences, args.suggestions)
    peer.close()

    groups: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    wins: Counter = Counter()
    losses: Counter = Counter()
    for s, a_words, b_words in zip(sentences, ours, theirs):
        for (word, start, ka, chars), (_, _, kb, _) in zip(a_words, b_words):
            at_start = not s[:start].strip() or s[:start].rstrip()[-1:] in ".!?"
            for axis, g in (("shape", shape(word, at_start)), ("length", length_group(word)),
                            ("lexicon rank", rank_group(ranks.get(eng.pack.fold(word))))):
                c = groups[axis][g]
                c["words"] += 1
                c["chars"] += chars
                c["nextkey_keys"] += ka
                c["presage_keys"] += kb
            if ka < kb:
                wins[word] += kb - ka
            elif kb < ka:
                losses[word] += ka - kb
    report = {"text": str(args.text), "sentences": len(sentences), "suggestions": args.suggestions,
              "groups": {}, "nextkey_saves_more_on": wins.most_common(40), "presage_saves_more_on": losses.most_common(40)}
    print(f"{len(sentences)} sentences of {args.text}, {args.suggestions} suggestions; saved = 1 - keys/chars "
          "(a word with the space after it)")
    print(f"{'group':34} {'words':>6} {'chars':>7} {'nextkey saved':>14} {'presage saved':>14} {'diff keys':>10}")
    for axis, gs in groups.items():
        report["groups"][axis] = {}
        for g, c in sorted(gs.items(), key=lambda kv: -kv[1]["chars"]):
            row = {"words": c["words"], "chars": c["chars"], "nextkey_saved": 1 - c["nextkey_keys"] / c["chars"],
                   "presage_saved": 1 - c["presage_keys"] / c["chars"],
                   "keys_nextkey_minus_presage": c["nextkey_keys"] - c["presage_keys"]}
            report["groups"][axis][g] = row
            print(f"{axis + ': ' + g:34} {row['words']:6d} {row['chars']:7d} {row['nextkey_saved']:14.3f} "
                  f"{row['presage_saved']:14.3f} {row['keys_nextkey_minus_presage']:10d}")
    print("presage saves more on:", ", ".join(f"{w} ({k})" for w, k in losses.most_common(25)))
    print("nextkey saves more on:", ", ".join(f"{w} ({k})" for w, k in wins.most_common(25)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
