"""``nextkey bench BUNDLE``: what a keystroke costs, from the installed package.

A typist that accepts a shown word (``evaluate/typist.py``: the selection rule
of ``nextkey eval``) types the first ``max_sentences`` sentences of a text, one
session each; every ``suggest()`` is timed (wall clock, milliseconds, one
thread) and grouped by keystroke kind: the next word, a word's first letter,
its later letters, other keys. Load time is the median over fresh processes
(each imports the engine and loads the bundle, nothing else), peak RSS that of
such a process after it typed ``rss_sentences`` sentences, so the figures are
the engine's own. presage's stock engine (Debian's presage 0.9, when
installed) is timed on the very texts the typist produced, beside it.

Writes ``bench.json`` and ``latency.png`` into ``out_dir``.

    nextkey bench bundles/mine-int8 --text data/mine/test.txt --out reports/bench
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .stats import EvalError, peak_rss_mb, percentiles, read_sentences, vm_rss_mb
from .typist import KINDS, type_accepting

REPORT = "bench.json"
PLOT = "latency.png"


@dataclass(frozen=True)
class BenchConfig:
    bundle: Path | None  # None: the bundled default model
    text: Path  # held-out text, one sentence a line
    out_dir: Path
    max_sentences: int = 150
    suggestions: int = 3
    loads: int = 3  # fresh processes for load time and RSS
    rss_sentences: int = 20  # sentences each of them types before its RSS is read
    presage: bool = True  # time presage's stock engine beside it, when installed

    def __post_init__(self):
        for name in ("max_sentences", "suggestions", "loads", "rss_sentences"):
            if int(getattr(self, name)) < 1:
                raise EvalError(f"{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")


def time_typing(engine, sentences: list[str], n: int, presage=None) -> tuple[dict, dict[str, dict[str, list]]]:
    """Type ``sentences`` with the accepting typist; per-kind percentiles (ms) for nextkey and,
    given a ``presage(text, n)`` predictor, for presage on the same texts.

    Returns (the record, the raw times: engine -> kind -> ms list).
    """
    times: dict[str, dict[str, list[float]]] = {"nextkey": {k: [] for k in KINDS}}
    if presage is not None:
        times["presage"] = {k: [] for k in KINDS}
    texts: list[str] = []
    keys = 0
    for s in sentences:
        def timed(kind: str, ms: float) -> None:
            times["nextkey"][kind].append(ms)
            if presage is not None:
                t0 = time.perf_counter()
                presage(texts[-1], n)
                times["presage"][kind].append((time.perf_counter() - t0) * 1e3)
        keys += type_accepting(engine.session(), s, n, timed, before=texts.append)
    record: dict = {"keystrokes": keys, "sentences": len(sentences)}
    for name, by_kind in times.items():
        record[name] = {k: percentiles(v) for k, v in by_kind.items() if v}
        record[name]["all"] = percentiles([x for v in by_kind.values() for x in v])
    if presage is not None:
        record["p50_over_presage"] = record["nextkey"]["all"]["p50"] / max(record["presage"]["all"]["p50"], 1e-9)
    return record, times


def stock_presage(n: int):
    """presage's stock engine as a ``(text, n) -> words`` predictor, or (None, why not)."""
    try:
        from .presage import PresageError, PresagePredictor

        p = PresagePredictor(suggestions=n)
        p("Warm", n)
        return p, None
    except (ImportError, OSError, PresageError) as e:
        return None, f"presage not measured: {e}"


def child(bundle: str, text: str, sentences: int, n: int) -> dict:
    """In a fresh process (the engine already imported by this module): load the bundle, type;
    the figures as a dict."""
    from nextkey.engine import Engine

    t0 = time.perf_counter()
    engine = Engine.load(bundle or None, num_threads=1)
    load_s = time.perf_counter() - t0
    rss_load = vm_rss_mb()
    for s in read_sentences(Path(text), sentences):
        type_accepting(engine.session(), s, n)
    return {"load_s": load_s, "rss_after_load_mb": rss_load,
            "rss_after_typing_mb": vm_rss_mb(), "peak_rss_mb": peak_rss_mb()}


def measure_load(cfg: BenchConfig) -> dict:
    """Load time and RSS over ``cfg.loads`` fresh processes (medians; the peak RSS is the largest)."""
    runs = []
    for _ in range(cfg.loads):
        cmd = [sys.executable, "-m", "nextkey.evaluate.latency", str(cfg.bundle or ""), str(cfg.text),
               str(cfg.rss_sentences), str(cfg.suggestions)]
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if done.returncode != 0:
            raise EvalError(f"the load/RSS process failed ({done.returncode}): {done.stderr.strip()[-1500:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"runs": runs, "load_s_median": statistics.median(r["load_s"] for r in runs),
            "rss_after_load_mb_median": statistics.median(r["rss_after_load_mb"] or 0 for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "typed_sentences": cfg.rss_sentences}


def run_bench(cfg: BenchConfig) -> dict:
    """Measure, write ``bench.json`` and ``latency.png`` into ``cfg.out_dir``; returns the report.

    Raises EvalError for a missing text, no sentences or an unwritable ``out_dir``
    (checked before the measuring starts), BundleError for a bad bundle.
    """
    from nextkey.engine import Engine

    sentences = read_sentences(cfg.text, cfg.max_sentences)
    try:
        cfg.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EvalError(f"cannot make the --out folder {cfg.out_dir}: {e.strerror}") from None
    setup = {**{k: str(v) for k, v in asdict(cfg).items()}, "threads": 1, "python": platform.python_version(),
             "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
             "loadavg_before": list(os.getloadavg())}
    engine = Engine.load(cfg.bundle, num_threads=1)  # a bad bundle fails here, before the child processes
    load = measure_load(cfg)
    engine.suggest("", cfg.suggestions)  # allocates the batched interpreters once
    gc.freeze()  # as the README advises embedders
    presage, why_not = stock_presage(cfg.suggestions) if cfg.presage else (None, "presage skipped (--no-presage)")
    typing_rec, times = time_typing(engine, sentences, cfg.suggestions, presage)
    setup["loadavg_after"] = list(os.getloadavg())
    info = engine.info
    report = {"setup": setup, "bundle": {"name": info["name"], "quantization": info["quantization"],
                                         "size_mb": info["size_bytes"] / 1e6},
              "typing": typing_rec, "load": load, "presage": why_not or "measured"}
    report["plot"] = _plot(times, report, cfg.out_dir / PLOT)
    (cfg.out_dir / REPORT).write_text(json.dumps(report, indent=2) + "\n")
    return report


def summary(report: dict) -> str:
    """The report as lines for a terminal."""
    t, ld, b = report["typing"], report["load"], report["bundle"]
    out = [f"bundle {b['name']} ({b['quantization']}, {b['size_mb']:.2f} MB), one thread, "
           f"{t['keystrokes']:,} keystrokes of an accepting typist over {t['sentences']} sentences",
           "  suggest() ms by kind     p50     p95     p99     max   count"]
    for name in ("nextkey", "presage"):
        for kind, v in t.get(name, {}).items():
            out.append(f"  {name:8s} {kind:14s} {v['p50']:7.3f} {v['p95']:7.3f} {v['p99']:7.3f} {v['max']:7.2f} "
                       f"{v['count']:7d}")
    if "p50_over_presage" in t:
        out.append(f"  nextkey p50 / presage p50 = {t['p50_over_presage']:.2f}")
    else:
        out.append(f"  {report['presage']}")
    out.append(f"  Engine.load {ld['load_s_median'] * 1e3:.0f} ms (median of {len(ld['runs'])} fresh processes); "
               f"RSS {ld['rss_after_load_mb_median']:.0f} MB after loading, peak {ld['peak_rss_mb']:.0f} MB after "
               f"typing {ld['typed_sentences']} sentences")
    return "\n".join(out)


def plot_cdf(ax, times: dict[str, dict[str, list[float]]]) -> None:
    """One cumulative curve per engine and keystroke kind (``times``: engine -> kind -> ms),
    on a log x axis; nextkey solid, others dotted."""
    import numpy as np

    for name, by_kind in times.items():
        for kind in KINDS:
            v = by_kind.get(kind) or []
            if v:
                x = np.sort(v)
                ax.plot(x, np.arange(1, len(x) + 1) / len(x), label=f"{name} {kind} (n={len(x)})",
                        linestyle="-" if name == "nextkey" else ":")
    ax.set_xscale("log")


def _plot(times: dict, report: dict, path: Path) -> str | None:
    """Per-kind distributions of the per-keystroke times; None without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    plot_cdf(ax, times)
    ax.axhline(0.99, color="grey", linewidth=0.5)
    b = report["bundle"]
    ax.set(xlabel="suggest() per keystroke, ms (log scale)", ylabel="share of keystrokes at or below",
           title=f"{b['name']} ({b['quantization']}, {b['size_mb']:.2f} MB): accepting typist, one thread")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return str(path)


if __name__ == "__main__":  # the load/RSS child: BUNDLE TEXT SENTENCES N
    bundle_arg, text_arg, sentences_arg, n_arg = sys.argv[1:5]
    print(json.dumps(child(bundle_arg, text_arg, int(sentences_arg), int(n_arg))))
