"""Engine benchmark: is a keystroke cheap enough, at any context length?

    python bench/engine_bench.py --bundle bundles/default-int8

Measures one bundle on one thread and checks the issue's targets:

(a) suggest() latency p50/p95/p99/max per keystroke kind (letter, space,
    punctuation, backspace, paste) while the held-out test split (``--text``,
    first ``--max-sentences`` lines) is typed into one field, with presage's
    stock engine timed on the same keystrokes in the same run (the p50 ratio;
    ``--no-presage`` skips it). Quality figures such as KSR are ``nextkey
    eval``'s, not this benchmark's;
(b) per-keystroke suggest() latency while typing the same 200 characters
    after a 5-word and after a 500-word context (both fed once, untimed,
    before the keystrokes), over several samples cut from different parts of
    the text, alternating which context goes first;
(c) Engine.load time (median over fresh processes) and the peak RSS of a
    process that only imports the engine, loads the bundle and types, so the
    figure is the engine's own and not this script's;
(d) a 1 MB paste: the first suggest() after it and the keystrokes after that;
(e) a typist that accepts a shown word as users do (bench/typist.py: the
    selection rule of ``nextkey eval``), one session per sentence of the same
    test sentences: suggestions() p50/p99/max per keystroke kind (next word,
    first letter, later letters, other). The typist of (a) never accepts, so
    it never reaches the keystrokes right after an accepted word.

Prints the figures and PASS/MISS per target, writes ``engine_bench.json`` and
``engine_latency.png`` into the user's report folder
(``~/.local/share/nextkey/reports/engine_bench``; ``--out`` and ``--plot``
name others, e.g. this repository's reports/). ``nextkey bench`` is the
installed package's quick version of (e). Timings are wall clock on a shared machine:
the JSON records the load average before and after, so a busy run can be told
apart. Needs the dev extras (tqdm, matplotlib): ``pip install 'nextkey[dev]'``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# nextkey is imported inside the functions: the load/RSS child must time and
# measure the engine's own import.

# The runtime's targets, on a 2-core machine, one thread.
TARGETS = {
    "p99_ms": 3.0,  # per keystroke, every kind, typing the test sentences into one field
    "accepting_p99_ms": 3.0,  # the same bar for the typist that accepts shown words (e)
    "max_ms": 10.0,
    "p50_over_presage": 0.4,  # p50 over presage's stock engine on the same keystrokes
    "long_over_short": 1.1,  # p50 at a 500-word context over p50 at a 5-word context
    "paste_ms": 20.0,  # the first suggest() after a 1 MB paste
    "load_s": 0.5,
    "peak_rss_mb": 100.0,
}


@dataclass(frozen=True)
class BenchConfig:
    bundle: Path | None
    text: Path = Path("data/corpus/test.txt")
    max_sentences: int = 300
    suggestions: int = 3
    short_words: int = 5
    long_words: int = 500
    continuation_chars: int = 200
    context_rounds: int = 10
    loads: int = 5
    rss_sentences: int = 30
    paste_chars: int = 1 << 20  # 1 MiB of mostly ASCII text
    paste_trials: int = 3
    presage: bool = True  # measure presage's stock engine on the same keystrokes
    after_paste_keys: int = 20
    out_json: Path = field(default_factory=lambda: _report_dir() / "engine_bench.json")
    out_png: Path = field(default_factory=lambda: _report_dir() / "engine_latency.png")


def _report_dir() -> Path:
    from nextkey.evaluate.stats import default_report_dir

    return default_report_dir("engine_bench")


def read_lines(path: Path) -> list[str]:
    from nextkey.evaluate.stats import EvalError, read_sentences

    try:
        return read_sentences(path)
    except EvalError as e:
        raise SystemExit(str(e)) from None


def pct(values: list[float]) -> dict:
    from nextkey.evaluate.stats import percentiles

    return percentiles(values)


def ms_since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1e3


# ---------------------------------------------------------------- (a) typing


KINDS = ("letter", "space", "punctuation", "backspace", "paste")


def keystroke_trace(sentences: list[str], seed: int = 0) -> list[tuple[str, str]]:
    """(text before the cursor, kind of the key that made it) for typing the
    sentences one after another into one field, as a user does: every
    character typed, now and then a slip taken back with backspace (about one
    word in eight) and, every 25 sentences, a sentence pasted whole."""
    rng = random.Random(seed)
    trace: list[tuple[str, str]] = []
    text = ""
    for i, sentence in enumerate(sentences):
        if i % 25 == 24:
            text += sentence + " "
            trace.append((text, "paste"))
            continue
        for ch in sentence + " ":
            if ch == " " and rng.random() < 0.125 and text and not text[-1].isspace():
                trace.append((text + "x", "letter"))
                trace.append((text, "backspace"))
            text += ch
            kind = "letter" if ch.isalnum() else "space" if ch.isspace() else "punctuation"
            trace.append((text, kind))
    return trace


def bench_keystrokes(engine, trace: list[tuple[str, str]], n: int, presage=None) -> tuple[dict, dict]:
    """suggest() per keystroke kind; with ``presage`` (a predictor), its stock
    engine on the same keystrokes, interleaved sentence by sentence."""
    from tqdm import tqdm

    times: dict[str, dict[str, list[float]]] = {"nextkey": {k: [] for k in KINDS}}
    if presage is not None:
        times["presage"] = {k: [] for k in KINDS}
    for text, kind in tqdm(trace, desc="keystrokes", unit="key", file=sys.stderr, mininterval=2):
        t0 = time.perf_counter()
        engine.suggest(text, n)
        times["nextkey"][kind].append(ms_since(t0))
        if presage is not None:
            t0 = time.perf_counter()
            presage(text, n)
            times["presage"][kind].append(ms_since(t0))
    out = {}
    for name, by_kind in times.items():
        out[name] = {k: pct(v) for k, v in by_kind.items() if v}
        out[name]["all"] = pct([x for v in by_kind.values() for x in v])
    if presage is not None:
        out["ratio_p50"] = out["nextkey"]["all"]["p50"] / out["presage"]["all"]["p50"]
    out["keystrokes"] = len(trace)
    return out, times


def stock_presage(n: int):
    """presage's stock engine (Debian's presage 0.9), or None with the reason logged."""
    try:
        from nextkey.evaluate.presage import PresageError, PresagePredictor

        p = PresagePredictor(suggestions=n)
        p("Warm", n)
        return p
    except (ImportError, OSError, PresageError) as e:
        print(f"presage not measured ({e}); install it with: apt-get install -y presage libpresage-dev",
              file=sys.stderr)
        return None


# ---------------------------------------------------------------- (b) context length


def context_texts(lines: list[str], cfg: BenchConfig, sample: int = 0) -> tuple[str, str, str]:
    """(5-word context, 500-word context, continuation): both contexts end with the same 5 words.

    Each sample is cut from another part of the text, so that the words the
    model happens to offer after one continuation do not decide the ratio.
    """
    pool = lines[cfg.max_sentences:] or lines  # text not typed in (a), where there is some
    need = cfg.long_words + cfg.continuation_chars
    words: list[str] = []
    while len(words) < (sample + 1) * need:  # wraps around a short file
        for ln in pool:
            words.extend(ln.split())
    words = words[sample * need:]
    long_ctx = " ".join(words[:cfg.long_words]) + " "
    short_ctx = " ".join(words[cfg.long_words - cfg.short_words:cfg.long_words]) + " "
    continuation = " ".join(words[cfg.long_words:])[:cfg.continuation_chars]
    return short_ctx, long_ctx, continuation


def bench_context(engine, cfg: BenchConfig, lines: list[str]) -> tuple[dict, dict[str, list[list[float]]]]:
    per_key: dict[str, list[list[float]]] = {"short": [], "long": []}  # samples x keystrokes, ms
    steps = {"short": 0, "long": 0}
    for r in range(cfg.context_rounds):
        short_ctx, long_ctx, cont = context_texts(lines, cfg, r)
        contexts = {"short": short_ctx, "long": long_ctx}
        for name in (("short", "long") if r % 2 == 0 else ("long", "short")):  # alternate against drift
            ctx = contexts[name]
            engine.suggest(ctx, cfg.suggestions)  # the context is fed once, untimed
            times = []
            for i in range(1, len(cont) + 1):
                t0 = time.perf_counter()
                engine.suggest(ctx + cont[:i], cfg.suggestions)
                times.append(ms_since(t0))
            per_key[name].append(times)

        # Context steps fed while typing, counted on a separate session fed the same texts.
        for name, ctx in contexts.items():
            s = engine.session()
            s.set_text(ctx)
            s.suggest(cfg.suggestions)
            before = s.stack.steps_run
            for i in range(1, len(cont) + 1):
                s.set_text(ctx + cont[:i])
                s.suggest(cfg.suggestions)
            steps[name] += s.stack.steps_run - before

    out = {"short_words": cfg.short_words, "long_words": cfg.long_words, "long_context_chars": len(long_ctx),
           "continuation_chars": len(cont), "rounds": cfg.context_rounds}
    for name in per_key:
        out[name] = pct([t for rnd in per_key[name] for t in rnd])
        out[name]["context_steps_while_typing"] = steps[name]
    out["ratio_p50"] = out["long"]["p50"] / out["short"]["p50"]
    out["ratio_p99"] = out["long"]["p99"] / out["short"]["p99"]
    out["ratio_mean"] = out["long"]["mean"] / out["short"]["mean"]
    out["ratio_p50_by_sample"] = [statistics.median(lo) / statistics.median(sh)
                                  for lo, sh in zip(per_key["long"], per_key["short"])]
    return out, per_key


# ---------------------------------------------------------------- (c) load and RSS, in a child


def vm_rss_mb() -> float | None:
    """(evaluate/stats.py has the same; the child here measures before importing nextkey, so it
    cannot import that module first.)"""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def child(bundle: str | None, text: str, sentences: int, n: int) -> int:
    """Run in a fresh process: import, load, type; print one JSON line."""
    rss_start = vm_rss_mb()
    t0 = time.perf_counter()
    from nextkey.engine import Engine
    from nextkey.evaluate.stats import peak_rss_mb

    import_s = time.perf_counter() - t0
    rss_import = vm_rss_mb()
    t0 = time.perf_counter()
    engine = Engine.load(bundle, num_threads=1)
    load_s = time.perf_counter() - t0
    rss_load = vm_rss_mb()
    with open(text, encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip()][:sentences]
    for s in lines:
        for j in range(len(s) + 1):
            engine.suggest(s[:j], n)
    print(json.dumps({"import_s": import_s, "load_s": load_s, "engine_load_seconds": engine.load_seconds,
                      "rss_start_mb": rss_start, "rss_after_import_mb": rss_import,
                      "rss_after_load_mb": rss_load, "rss_after_typing_mb": vm_rss_mb(),
                      "peak_rss_mb": peak_rss_mb(), "typed_sentences": len(lines)}))
    return 0


def bench_load(cfg: BenchConfig) -> dict:
    runs = []
    for _ in range(cfg.loads):
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--text", str(cfg.text),
               "--rss-sentences", str(cfg.rss_sentences), "--suggestions", str(cfg.suggestions)]
        if cfg.bundle is not None:
            cmd += ["--bundle", str(cfg.bundle)]
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if done.returncode != 0:
            raise SystemExit(f"the load/RSS child failed ({done.returncode}):\n{done.stderr[-2000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"runs": runs, "load_s_median": statistics.median(r["load_s"] for r in runs),
            "import_s_median": statistics.median(r["import_s"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "rss_after_import_mb": statistics.median(r["rss_after_import_mb"] or 0 for r in runs),
            "typed_sentences": runs[0]["typed_sentences"]}


# ---------------------------------------------------------------- (d) a huge paste


def bench_paste(engine, cfg: BenchConfig, lines: list[str]) -> dict:
    """The first suggest() after a paste, then the keystrokes that follow it.

    The first keystroke after the paste is reported on its own and with the
    next ``after_paste_keys`` ones: past 480 characters the engine's context
    window moves every 160 typed characters and that keystroke refeeds the
    window, so a single keystroke can land on a move by chance.
    """
    big = " ".join(lines)
    trials = []
    for k in range(cfg.paste_trials):
        # Start each trial elsewhere in the text, so no state is shared with the last.
        start = (k * len(big) // max(cfg.paste_trials, 1)) % len(big)
        text = (big[start:] + " " + big) * (cfg.paste_chars // max(len(big), 1) + 2)
        paste = text[:cfg.paste_chars]
        paste = paste[:paste.rstrip().rfind(" ") + 1]  # ends after a space: the next keystroke starts a word
        typed = text[len(paste):len(paste) + cfg.after_paste_keys]
        engine.suggest("Hello there, ", cfg.suggestions)  # a short text was there before the paste
        t0 = time.perf_counter()
        engine.suggest(paste, cfg.suggestions)
        first = ms_since(t0)
        after = []
        for i in range(1, len(typed) + 1):
            t0 = time.perf_counter()
            engine.suggest(paste + typed[:i], cfg.suggestions)
            after.append(ms_since(t0))
        trials.append({"chars": len(paste), "bytes_utf8": len(paste.encode()), "first_suggest_ms": first,
                       "next_keystroke_ms": after[0], "following_keystrokes": len(after),
                       "following_p50_ms": statistics.median(after), "following_max_ms": max(after)})
    return {"trials": trials,
            "first_suggest_ms_median": statistics.median(t["first_suggest_ms"] for t in trials),
            "next_keystroke_ms_median": statistics.median(t["next_keystroke_ms"] for t in trials),
            "following_p50_ms_median": statistics.median(t["following_p50_ms"] for t in trials),
            "following_max_ms": max(t["following_max_ms"] for t in trials)}


# ---------------------------------------------------------------- (e) a typist that accepts


def bench_accepting(engine, sentences: list[str], n: int) -> dict:
    """suggestions() per keystroke kind for the accepting typist (bench/typist.py)."""
    from tqdm import tqdm

    from nextkey.evaluate.typist import KINDS as TYPIST_KINDS, type_accepting

    times: dict[str, list[float]] = {k: [] for k in TYPIST_KINDS}
    keys = 0
    for s in tqdm(sentences, desc="accepting typist", unit="sentence", file=sys.stderr, mininterval=2):
        keys += type_accepting(engine.session(), s, n, lambda kind, ms: times[kind].append(ms))
    out = {k: pct(v) for k, v in times.items() if v}
    out["all"] = pct([x for v in times.values() for x in v])
    out["keystrokes"] = keys
    return out


# ---------------------------------------------------------------- report


def verdicts(report: dict) -> list[dict]:
    lat = report["typing"]["nextkey"]["all"]
    got = {"p99_ms": lat["p99"], "accepting_p99_ms": report["accepting"]["all"]["p99"], "max_ms": lat["max"], "p50_over_presage": report["typing"].get("ratio_p50"),
           "long_over_short": report["context"]["ratio_p50"], "paste_ms": report["paste"]["first_suggest_ms_median"],
           "load_s": report["load"]["load_s_median"], "peak_rss_mb": report["load"]["peak_rss_mb"]}
    labels = {"p99_ms": "suggest() p99 over all keystrokes, ms",
              "accepting_p99_ms": "accepting typist p99, ms", "max_ms": "suggest() max, ms",
              "p50_over_presage": "p50 / presage stock p50", "long_over_short": "p50 at 500 words / at 5 words",
              "paste_ms": "first suggest() after a 1 MB paste, ms", "load_s": "Engine.load, s (median)",
              "peak_rss_mb": "peak RSS, MB (engine process)"}
    return [{"target": k, "label": labels[k], "value": got[k], "limit": TARGETS[k],
             "pass": None if got[k] is None else got[k] <= TARGETS[k]} for k in TARGETS]


def print_report(report: dict) -> None:
    t, c, ld, p = report["typing"], report["context"], report["load"], report["paste"]
    b, n = report["bundle"], report["setup"]["suggestions"]
    print(f"bundle {b['name']} ({b['quantization']}, {b['size_bytes'] / 1e6:.2f} MB), one thread; "
          f"load average {report['setup']['loadavg_before'][0]:.2f} -> {report['setup']['loadavg_after'][0]:.2f}")
    print(f"(a) {t['keystrokes']} keystrokes, n={n}: suggest() ms by kind (p50 / p95 / p99 / max, count)")
    for engine_name in [k for k in ("nextkey", "presage") if k in t]:
        for kind, v in t[engine_name].items():
            print(f"    {engine_name:<8}{kind:<12} {v['p50']:7.3f} {v['p95']:7.3f} {v['p99']:7.3f} {v['max']:8.2f}  {v['count']}")
    if "ratio_p50" in t:
        print(f"    nextkey p50 / presage stock p50 = {t['ratio_p50']:.2f}")
    print(f"(b) typing {c['continuation_chars']} chars x {c['rounds']} samples: "
          f"5-word p50 {c['short']['p50']:.3f} p99 {c['short']['p99']:.3f} ms; "
          f"500-word p50 {c['long']['p50']:.3f} p99 {c['long']['p99']:.3f} ms; "
          f"ratio p50 {c['ratio_p50']:.2f} p99 {c['ratio_p99']:.2f}; context steps while typing "
          f"{c['short']['context_steps_while_typing']} vs {c['long']['context_steps_while_typing']}")
    print(f"(c) Engine.load median {ld['load_s_median'] * 1e3:.1f} ms (import {ld['import_s_median'] * 1e3:.0f} ms); "
          f"peak RSS {ld['peak_rss_mb']:.1f} MB after typing {ld['typed_sentences']} sentences "
          f"({ld['rss_after_import_mb']:.1f} MB after import)")
    print(f"(d) {p['trials'][0]['chars']:,}-char paste ({len(p['trials'])} trials, medians): first suggest() "
          f"{p['first_suggest_ms_median']:.2f} ms, next keystroke {p['next_keystroke_ms_median']:.2f} ms, "
          f"the next {p['trials'][0]['following_keystrokes']} keystrokes p50 {p['following_p50_ms_median']:.2f} ms "
          f"(max {p['following_max_ms']:.2f} ms)")
    a = report["accepting"]
    print(f"(e) accepting typist, {a['keystrokes']} keystrokes: suggestions() ms by kind (p50 / p99 / max, count)")
    for kind, v in a.items():
        if isinstance(v, dict):
            print(f"    {kind:<14} {v['p50']:7.3f} {v['p99']:7.3f} {v['max']:8.2f}  {v['count']}")
    print("targets:")
    for v in report["targets"]:
        verdict = "----" if v["pass"] is None else "PASS" if v["pass"] else "MISS"
        value = "not measured" if v["value"] is None else f"{v['value']:.3f}"
        print(f"  {verdict}  {v['label']:<40} {value}  (target <= {v['limit']})")


def plot(report: dict, times: dict, per_key: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    b = report["bundle"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    from nextkey.evaluate.latency import plot_cdf

    plot_cdf(ax1, times)
    ax1.axvline(TARGETS["p99_ms"], color="tab:red", linestyle="--", linewidth=1, label="p99 target 3 ms")
    ax1.axhline(0.99, color="grey", linewidth=0.5)
    ax1.set(xlabel="suggest() per keystroke, ms (log scale)", ylabel="share of keystrokes at or below",
            title=f"(a) {report['typing']['keystrokes']} keystrokes by kind")
    ax1.legend(fontsize=7)
    for name, label in (("short", f"{report['context']['short_words']}-word context"),
                        ("long", f"{report['context']['long_words']}-word context")):
        med = np.median(np.asarray([k[:min(map(len, per_key[name]))] for k in per_key[name]]), axis=0)
        ax2.plot(np.arange(1, len(med) + 1), med, label=f"{label} (p50 {report['context'][name]['p50']:.2f} ms)",
                 linewidth=1)
    ax2.set_yscale("log")
    ax2.set(xlabel="keystroke of the typed continuation", ylabel="suggest() ms, median over samples (log)",
            title="(b) the same characters typed after each context")
    ax2.legend(fontsize=8)
    fig.suptitle(f"{b['name']} ({b['quantization']}, {b['size_bytes'] / 1e6:.2f} MB), one thread", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent).stdout.strip() or None
    except OSError:
        return None


def run(cfg: BenchConfig) -> dict:
    for m in ("tqdm", "matplotlib"):
        try:
            __import__(m)
        except ImportError:
            raise SystemExit(f"{m} is missing: pip install 'nextkey[dev]'") from None
    lines = read_lines(cfg.text)
    setup = {"bundle": str(cfg.bundle) if cfg.bundle else "(default bundle)", "text": str(cfg.text),
             "suggestions": cfg.suggestions, "threads": 1, "python": platform.python_version(),
             "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
             "processor": platform.processor() or None, "git": git_commit(),
             "loadavg_before": list(os.getloadavg())}

    load = bench_load(cfg)  # before this process holds an engine: the children run alone

    from nextkey.engine import Engine

    engine = Engine.load(cfg.bundle, num_threads=1)
    engine.suggest("", cfg.suggestions)  # allocates the batched interpreters once
    gc.freeze()  # as the README advises embedders: a full collection then skips what loading made
    presage = stock_presage(cfg.suggestions) if cfg.presage else None
    typing_rec, times = bench_keystrokes(engine, keystroke_trace(lines[:cfg.max_sentences]), cfg.suggestions, presage)
    context_rec, per_key = bench_context(engine, cfg, lines)
    paste_rec = bench_paste(engine, cfg, lines)
    accepting_rec = bench_accepting(engine, lines[:cfg.max_sentences], cfg.suggestions)
    setup["loadavg_after"] = list(os.getloadavg())

    report = {"setup": setup, "bundle": engine.info, "typing": typing_rec, "context": context_rec,
              "load": load, "paste": paste_rec, "accepting": accepting_rec}
    report["targets"] = verdicts(report)
    cfg.out_json.parent.mkdir(parents=True, exist_ok=True)
    cfg.out_json.write_text(json.dumps(report, indent=2) + "\n")
    plot(report, times, per_key, cfg.out_png)
    print_report(report)
    print(f"wrote {cfg.out_json} and {cfg.out_png}")
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", help="bundle folder (default: the bundle shipped in the package)")
    p.add_argument("--text", default="data/corpus/test.txt", help="held-out text, one sentence a line")
    p.add_argument("--max-sentences", type=int, default=300)
    p.add_argument("--suggestions", type=int, default=3)
    p.add_argument("--rounds", type=int, default=10, help="text samples for the 5- vs 500-word test")
    p.add_argument("--loads", type=int, default=5, help="fresh processes for load time and RSS")
    p.add_argument("--rss-sentences", type=int, default=30, help="sentences each child types before its RSS is read")
    p.add_argument("--out", default=str(_report_dir() / "engine_bench.json"))
    p.add_argument("--plot", default=str(_report_dir() / "engine_latency.png"))
    p.add_argument("--no-presage", action="store_true", help="skip presage's stock engine (the p50 ratio)")
    p.add_argument("--only-accepting", action="store_true",
                   help="run (e) alone and print it (a quick before/after comparison; writes no report)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args.bundle, args.text, args.rss_sentences, args.suggestions)
    for name in ("max_sentences", "suggestions", "rounds", "loads"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.only_accepting:
        from nextkey.engine import Engine

        engine = Engine.load(args.bundle)
        engine.suggest("", args.suggestions)
        gc.freeze()
        rec = bench_accepting(engine, read_lines(Path(args.text))[:args.max_sentences], args.suggestions)
        print(json.dumps(rec, indent=1))
        return 0
    cfg = BenchConfig(bundle=Path(args.bundle) if args.bundle else None, text=Path(args.text),
                      max_sentences=args.max_sentences, suggestions=args.suggestions,
                      context_rounds=args.rounds, loads=args.loads, rss_sentences=args.rss_sentences,
                      out_json=Path(args.out), out_png=Path(args.plot), presage=not args.no_presage)
    run(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
