"""`nextkey eval`: how well one bundle saves keystrokes on held-out text.

    nextkey eval bundles/default-int8 --text data/corpus/test.txt --out my-reports/eval \
        --compare bundles/default-float16 bundles/default-float32

Types the first ``max_sentences`` lines keystroke by keystroke through
``evaluate.typing_sim`` (the rules every engine is measured by) with 1, 3 and
5 suggestions, and scores the bundle's perplexity per word on the same lines.
Writes ``OUT/eval.json`` and plots:

    ksr_vs_suggestions.png   KSR against the number of suggestions
    accuracy_vs_size.png     with --compare: top-3 accuracy and KSR@3 against
                             bundle size, one point per quantization

This measures quality only. Speed and cost (latency per keystroke, load time,
memory) are ``nextkey bench``'s (evaluate/latency.py), so each figure has one source.

matplotlib and tqdm are not runtime dependencies: ``pip install 'nextkey[dev]'``.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import sys
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nextkey.engine import Engine

from .noisy import NoiseConfig, simulate_noisy, slip_probe
from .stats import EvalError, engine_predictor, read_sentences
from .typing_sim import TypingResult, simulate

log = logging.getLogger(__name__)

KSR_PLOT = "ksr_vs_suggestions.png"
COMPARE_PLOT = "accuracy_vs_size.png"
HEADLINE = 3  # the suggestion count of the headline figures
PPL_BATCH = 32  # sentences scored together; the runner's largest bucket


@dataclass(frozen=True)
class EvalConfig:
    bundle: Path | None  # None: the bundle shipped in the package
    text: Path
    out_dir: Path
    max_sentences: int = 300
    compare: tuple[Path, ...] = ()  # other quantizations of the same model
    suggestions: tuple[int, ...] = (1, 3, 5)
    noise: float = 0.05  # share of slipped keystrokes in the noisy-typing pass; 0: no such pass
    kinds: bool = False  # also the real-typing kinds (evaluate/kinds.py) on the same sentences
    progress: bool = True


def _require_extras() -> None:
    missing = [m for m in ("matplotlib", "tqdm") if importlib.util.find_spec(m) is None]
    if missing:
        raise EvalError(f"nextkey eval needs {' and '.join(missing)}, which the runtime install leaves out: "
                        "pip install 'nextkey[dev]'")


def _check(cfg: EvalConfig) -> None:
    if cfg.max_sentences < 1:
        raise EvalError(f"max_sentences must be at least 1, got {cfg.max_sentences}")
    if not cfg.suggestions or any(n < 1 for n in cfg.suggestions):
        raise EvalError(f"suggestions must be positive counts, got {cfg.suggestions}")
    if HEADLINE not in cfg.suggestions:
        raise EvalError(f"suggestions must include {HEADLINE} (the headline figures), got {cfg.suggestions}")
    if not 0 <= cfg.noise < 1:
        raise EvalError(f"noise must be a share of keystrokes in [0, 1), got {cfg.noise}")
    _check_out_dir(Path(cfg.out_dir))


def _check_out_dir(out: Path) -> None:
    """--out is a folder eval writes into: refuse a file there, or on the way there, before any work."""
    for p in (out, *out.parents):
        if p.exists() or p.is_symlink():
            if not p.is_dir():
                what = "is" if p == out else f"is inside {p}, which is"
                raise EvalError(f"--out {out} {what} a file, not a folder (eval writes eval.json and its "
                                "plots into a folder): choose another --out")
            return


# ------------------------------------------------------------------ measures


def perplexity(engine: Engine, sentences: list[str], batch_size: int = PPL_BATCH) -> dict:
    """Perplexity per word of the bundle's model, each sentence from a fresh state.

    The sequence is start_of_text, the sentence's pieces, eos; every token
    after the first is scored, eos included. Words are whitespace words plus
    one per sentence for the eos, as train.evaluate_text counts them, so the
    figure is comparable with the manifest's ``training.test``.
    """
    m = engine.manifest
    runner = engine.new_runner()
    seqs = [[m.start_id] + engine.encode(unicodedata.normalize("NFC", s)) + [m.eos_id] for s in sentences]
    order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))  # longest first: rows only ever drop off the end
    nll, ntok = 0.0, 0
    for c in range(0, len(order), batch_size):
        chunk = [seqs[i] for i in order[c:c + batch_size]]
        lengths = np.array([len(s) for s in chunk])
        arr = np.zeros((len(chunk), lengths[0]), np.int32)  # (batch, time), zero-padded
        for r, s in enumerate(chunk):
            arr[r, :len(s)] = s
        state = np.zeros((len(chunk), m.state_size), np.float32)  # (batch, state)
        for t in range(lengths[0] - 1):
            live = int((lengths > t + 1).sum())  # rows that still have a target at t+1
            logprobs, state = runner.step(arr[:live, t], state[:live])
            nll -= float(logprobs[np.arange(live), arr[:live, t + 1]].sum())
            ntok += live
    words = sum(len(s.split()) for s in sentences) + len(sentences)
    return {"sentences": len(sentences), "tokens": ntok, "words": words,
            "cross_entropy_per_token": nll / ntok, "perplexity_per_word": math.exp(nll / words),
            "tokens_per_word": ntok / words}


def typing(engine: Engine, sentences: list[str], n: int, bar, known=None) -> TypingResult:
    bar.set_description(f"{engine.info['quantization']} n={n}")
    return simulate(engine_predictor(engine), sentences, n, progress=bar.update, known=known, pack=engine.pack)


def noisy(engine: Engine, sentences: list[str], rate: float, bar) -> dict:
    """The noisy typist and the one-slip probe, with typo tolerance on and off (same engine, same seed)."""
    out = {}
    for name, eng in (("typo_tolerance_on", engine), ("typo_tolerance_off", Engine(engine.bundle, replace(
            engine.settings, slips=replace(engine.settings.slips, enabled=False))))):
        bar.set_description(f"noisy typing ({name})")
        predict = engine_predictor(eng)
        out[name] = simulate_noisy(predict, sentences, HEADLINE, NoiseConfig(rate=rate), progress=bar.update,
                                   known=eng.knows).summary()
        out[name]["one_slip_probe"] = slip_probe(predict, sentences, HEADLINE)
    return out


def _bundle_record(engine: Engine) -> dict:
    m = engine.manifest.data
    return {**engine.info, "model_config": m.get("model_config"),
            "manifest_test": (m.get("training") or {}).get("test"),
            "manifest_evaluation": {k: v for k, v in (m.get("evaluation") or {}).items()
                                    if k in ("cross_entropy_per_token", "top1_agreement", "top3_agreement",
                                             "step_latency_ms")}}


def _typing_record(result: TypingResult) -> dict:
    s = result.summary()
    s["words"] = result.words
    del s["latency_ms"], s["predict_calls"]  # speed is bench/engine_bench.py's
    return s


def evaluate_bundle(engine: Engine, sentences: list[str], counts: tuple[int, ...],
                    bar) -> tuple[dict, dict[int, TypingResult]]:
    results = {n: typing(engine, sentences, n, bar, known=engine.knows) for n in counts}
    rec = _bundle_record(engine)
    rec["typing"] = {str(n): _typing_record(r) for n, r in results.items()}
    return rec, results


def _headline(rec: dict) -> dict:
    t3 = rec["typing"][str(HEADLINE)]
    return {"ksr": {n: t["ksr"] for n, t in rec["typing"].items()},
            "next_word_top1": t3["next_word_top1"], "next_word_top3": t3["next_word_top3"]}


# ------------------------------------------------------------------ the run


def run_eval(cfg: EvalConfig) -> dict:
    """Measure ``cfg.bundle``; write OUT/eval.json and the plots; print a summary table; return the report."""
    _require_extras()
    _check(cfg)
    sentences = read_sentences(cfg.text, cfg.max_sentences)
    for b in cfg.compare:
        if not (Path(b) / "manifest.json").is_file():
            raise EvalError(f"compare bundle {b} has no manifest.json")
    try:
        cfg.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EvalError(f"cannot make the --out folder {cfg.out_dir}: {e.strerror}") from None

    from tqdm import tqdm

    engine = Engine.load(cfg.bundle)
    runs = len(cfg.suggestions) + len(cfg.compare) + (2 if cfg.noise > 0 else 0)
    with tqdm(total=runs * len(sentences), unit="sent", disable=not cfg.progress, file=sys.stderr) as bar:
        main, results = evaluate_bundle(engine, sentences, tuple(cfg.suggestions), bar)
        bar.set_description("perplexity")
        main["perplexity"] = perplexity(engine, sentences)
        if cfg.noise > 0:
            main["noisy"] = noisy(engine, sentences, cfg.noise, bar)
        del engine

        compared = []
        for b in cfg.compare:
            other = Engine.load(b)
            if other.manifest.data.get("model_config") != main["model_config"]:
                log.warning("compare bundle %s is another model (model_config %s, not %s); its point is "
                            "not a quantization of the same weights", b, other.manifest.data.get("model_config"),
                            main["model_config"])
            compared.append(evaluate_bundle(other, sentences, (HEADLINE,), bar)[0])
            del other

    report = {
        "config": {"bundle": str(cfg.bundle) if cfg.bundle else None, "text": str(cfg.text),
                   "out_dir": str(cfg.out_dir), "max_sentences": cfg.max_sentences,
                   "compare": [str(b) for b in cfg.compare], "suggestions": list(cfg.suggestions)},
        "text": {"path": str(cfg.text), "sentences": len(sentences),
                 "characters": results[HEADLINE].characters, "words": results[HEADLINE].words},
        "bundle": main,
        "summary": {**_headline(main), "perplexity_per_word": main["perplexity"]["perplexity_per_word"],
                    "size_bytes": main["size_bytes"],
                    "non_word_share": main["typing"][str(HEADLINE)]["non_word_share"],
                    "repeated_strips": main["typing"][str(HEADLINE)]["repeated_strips"]},
        "compare": compared,
        "plots": [],
    }
    if cfg.kinds:
        from .kinds import run_kinds, table
        report["kinds"] = run_kinds(Engine.load(cfg.bundle), sentences)
    report["plots"] = write_plots(report, cfg.out_dir)
    (cfg.out_dir / "eval.json").write_text(json.dumps(report, indent=2) + "\n")
    print(summary_table(report))
    if cfg.kinds:
        print("\nreal typing, by kind (evaluate/kinds.py; rate: share of cases where the wanted form was offered)")
        print(table(report["kinds"]))
    return report


# ------------------------------------------------------------------ output


def summary_table(report: dict) -> str:
    s, b = report["summary"], report["bundle"]
    ksr = "  ".join(f"@{n} {v:.3f}" for n, v in s["ksr"].items())
    lines = [
        f"{b['name']} ({b['quantization']}, {b['size_bytes'] / 1e6:.2f} MB) on {report['text']['path']}: "
        f"{report['text']['sentences']} sentences, {report['text']['characters']} characters",
        f"  KSR              {ksr}",
        f"  next word        top-1 {s['next_word_top1']:.3f}  top-3 {s['next_word_top3']:.3f}",
        f"  perplexity/word  {s['perplexity_per_word']:.1f}",
        f"  offered words    {s['non_word_share']:.2%} outside the lexicon and the user's words, "
        f"{s['repeated_strips']} strips with a word twice",
    ]
    for name, r in (b.get("noisy") or {}).items():
        probe = r["one_slip_probe"]
        lines.append(f"  noisy ({name.replace('_', ' ')}): KSR {r['ksr']:.3f}, slipped words rescued "
                     f"{r['slipped_rescued_share']:.1%}, clean words displaced {r['clean_displaced_share']:.2%}; "
                     f"one slip: offered {probe['slipped_offered']:.1%} vs clean {probe['clean_offered']:.1%} "
                     f"(ratio {probe['ratio']:.2f})")
    if report["compare"]:
        rows = [b] + report["compare"]
        labels = row_labels(rows)
        width = max(len("bundle"), *map(len, labels)) + 2
        lines.append(f"  {'bundle':<{width}}{'quantization':<13}{'size MB':>9}{'KSR@3':>8}{'top-1':>8}{'top-3':>8}")
        for r, label in zip(rows, labels):
            t = r["typing"][str(HEADLINE)]
            lines.append(f"  {label:<{width}}{r['quantization']:<13}{r['size_bytes'] / 1e6:>9.2f}{t['ksr']:>8.3f}"
                         f"{t['next_word_top1']:>8.3f}{t['next_word_top3']:>8.3f}")
    return "\n".join(lines)


def row_labels(rows: list[dict]) -> list[str]:
    """A label per compared bundle: its manifest name, or its folder's name where names repeat."""
    names = [r["name"] for r in rows]
    if len(set(names)) == len(names):
        return names
    folders = [Path(r["path"]).name for r in rows]
    return folders if len(set(folders)) == len(folders) else [r["path"] for r in rows]


def write_plots(report: dict, out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    b = report["bundle"]
    title = f"{b['name']} ({b['quantization']}), {report['text']['sentences']} sentences"
    written = []

    counts = sorted(int(n) for n in b["typing"])
    fig, ax = plt.subplots(figsize=(5, 3.6))
    ax.plot(counts, [b["typing"][str(n)]["ksr"] for n in counts], "o-")
    for n in counts:
        ax.annotate(f"{b['typing'][str(n)]['ksr']:.3f}", (n, b["typing"][str(n)]["ksr"]),
                    textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    ax.set(xlabel="suggestions shown", ylabel="keystroke savings rate", xticks=counts, title=title)
    ax.grid(alpha=0.3)
    ax.margins(x=0.1, y=0.15)
    written.append(_save(fig, out_dir / KSR_PLOT))

    if report["compare"]:
        # One panel per measure: the differences between quantizations are small
        # beside the gap between the two measures.
        rows = sorted([b] + report["compare"], key=lambda r: r["size_bytes"])
        labels = row_labels(rows)
        x = [r["size_bytes"] for r in rows]
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharex=True)
        for ax, key, label, marker in zip(axes, ("next_word_top3", "ksr"),
                                          ("next-word top-3 accuracy", f"KSR@{HEADLINE}"), ("o", "s")):
            y = [r["typing"][str(HEADLINE)][key] for r in rows]
            ax.plot(x, y, marker, linestyle="none")
            for r, label, xi, yi in zip(rows, labels, x, y):
                ax.annotate(f"{label}\n{r['quantization']} {yi:.4f}", (xi, yi), textcoords="offset points",
                            xytext=(0, 7), ha="center", fontsize=8)
            ax.set_xscale("log")
            ax.margins(x=0.15, y=0.3)
            ax.set(xlabel="bundle size, bytes (log scale)", ylabel=label, title=label)
            ax.grid(alpha=0.3)
        fig.suptitle(f"{len(rows)} bundles: {report['text']['sentences']} sentences, "
                     f"{HEADLINE} suggestions", fontsize=10)
        written.append(_save(fig, out_dir / COMPARE_PLOT))
    return written


def _save(fig, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return str(path)
