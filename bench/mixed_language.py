"""Typing in two languages at once (issue 24): KSR on a text that alternates English and
German sentence by sentence, with both bundles loaded (engine/multi.py) against each
bundle alone, on the same keystrokes.

The text: sentences taken in turn from the English and the German split (``--split
test``, or ``valid`` to choose the settings: ``--grid``), typed one after another as one
document, each with the sentences before it as context (a chat in two languages), by the
simulator of evaluate/typing_sim.py (each sentence's words by its own language's rules).

    python bench/mixed_language.py --en data/corpus --de ~/.cache/nextkey/de/corpus \\
        --de-bundle engine/bundles/de --sentences 100
    python bench/mixed_language.py ... --split valid --grid     # choose switch and mix_share

Prints a table and writes reports/mixed_language.json (``--out``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

from nextkey.engine import Engine, MultiEngine, MultiSettings
from nextkey.engine.lang import get_pack
from nextkey.evaluate.stats import percentiles, read_sentences
from nextkey.evaluate.typing_sim import TypingResult, type_sentence

CONTEXT_CHARS = 600  # the document before a sentence given as context (the tracker's window is shorter)


def alternating(en: list[str], de: list[str], k: int) -> list[tuple[str, str]]:
    """(language, sentence), English and German in turn, k of each."""
    out = []
    for a, b in zip(en[:k], de[:k]):
        out += [("en", a), ("de", b)]
    return out


def type_document(engine, doc: list[tuple[str, str]], n: int, desc: str) -> dict:
    """Type ``doc`` into ``engine``; KSR over all, per language, and the keystroke latency."""
    results = {"all": TypingResult(n=n), "en": TypingResult(n=n), "de": TypingResult(n=n)}
    packs = {"en": get_pack("en"), "de": get_pack("de")}
    before = ""
    for lang, sentence in tqdm(doc, desc=desc, unit="sentence", leave=False):
        context = before[-CONTEXT_CHARS:] + " " if before else ""
        one = TypingResult(n=n)

        def predict(text: str, k: int) -> list[str]:
            return [s.word for s in engine.suggest(context + text, n=k)]

        type_sentence(predict, sentence, n, one, pack=packs[lang])
        for key in ("all", lang):
            r = results[key]
            r.characters += one.characters
            r.keystrokes += one.keystrokes
            r.words += one.words
            r.next_word_topk += one.next_word_topk
            r.next_word_total += one.next_word_total
            r.latencies_ms += one.latencies_ms
        before = f"{before} {sentence}" if before else sentence
    return {key: {"ksr": round(r.ksr, 4), "characters": r.characters,
                  "next_word_top_n": round(r.next_word_topk / max(r.next_word_total, 1), 4),
                  "latency_ms": {k: round(v, 3) for k, v in percentiles(r.latencies_ms).items()}}
            for key, r in results.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--en", type=Path, default=Path("data/corpus"), help="the English corpus folder")
    ap.add_argument("--de", type=Path, default=Path.home() / ".cache/nextkey/de/corpus", help="the German corpus folder")
    ap.add_argument("--en-bundle", type=Path, default=None, help="default: the shipped English bundle")
    ap.add_argument("--de-bundle", type=Path, default=None, help="default: Engine.load(lang='de')'s")
    ap.add_argument("--split", default="test", choices=["test", "valid"])
    ap.add_argument("--sentences", type=int, default=100, help="of each language")
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--grid", action="store_true", help="try switch x mix_share (on the valid split)")
    ap.add_argument("--out", type=Path, default=Path("reports/mixed_language.json"))
    args = ap.parse_args(argv)
    if args.grid and args.split == "test":
        ap.error("--grid chooses settings: run it on --split valid")
    en = read_sentences(args.en / f"{args.split}.txt", args.sentences)
    de = read_sentences(args.de / f"{args.split}.txt", args.sentences)
    doc = alternating(en, de, args.sentences)
    report = {"setup": {"split": args.split, "sentences_each": len(doc) // 2, "n": args.n,
                        "en_bundle": str(args.en_bundle or "shipped"), "de_bundle": str(args.de_bundle or "lang=de")},
              "runs": {}}
    rows = []
    t0 = time.perf_counter()
    en_engine = Engine.load(args.en_bundle, lang="en")
    de_engine = Engine.load(args.de_bundle, lang="de")
    if not args.grid:
        for name, eng in (("en alone", en_engine), ("de alone", de_engine)):
            report["runs"][name] = type_document(eng, doc, args.n, name)
            rows.append(name)
    settings = [MultiSettings()] if not args.grid else \
        [MultiSettings(switch=s, mix_share=m) for s in (0.03, 0.1) for m in (0.02, 0.06)]
    for ms in settings:
        name = f"en+de (switch {ms.switch}, mix_share {ms.mix_share})"
        multi = MultiEngine.load(["en", "de"], [args.en_bundle, args.de_bundle], multi=ms)
        report["runs"][name] = type_document(multi, doc, args.n, name)
        rows.append(name)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    print(f"{'engine':44} {'KSR all':>8} {'en':>7} {'de':>7} {'top-n':>6} {'p50 ms':>7} {'p99 ms':>7}")
    for name in rows:
        r = report["runs"][name]
        print(f"{name:44} {r['all']['ksr']:8.4f} {r['en']['ksr']:7.4f} {r['de']['ksr']:7.4f} "
              f"{r['all']['next_word_top_n']:6.3f} {r['all']['latency_ms']['p50']:7.2f} {r['all']['latency_ms']['p99']:7.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
