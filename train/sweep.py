"""The model sweep: several sizes and shapes, each trained for the same budget,
exported int8 and measured as the engine uses it. The project's model-size /
latency evaluation, and how the default recipe is chosen.

Fair on a shared machine: a wall-clock budget is not trusted while other work
may share the two cores. Each candidate's training throughput is measured in
a short probe first (timed windows of 20 steps, each started when the other
processes are quiet and kept only if they stayed under 0.25 cores, measured
from /proc/stat), and each then trains for the number of steps it would do
in the budget alone:

    steps = floor(budget minutes x 60 x probe tokens/s / tokens per step)

with its own tokenizer, a warm-up then cosine schedule over exactly those
steps, and nothing else of the recipe changed. Training runs one at a time.

Each int8 bundle is then measured on the first 150 in-domain test sentences
and the first 150 held-out sentences (a source the corpus kept out of
training, ``nextkey corpus --holdout moby-dick``): perplexity per word through
the bundle, KSR and next-word top-1/top-3 with 3 suggestions (the shared
typing simulation, ``Engine.suggest``), bundle MB, and the per-keystroke
latency of ``suggest`` (p50/p99 over every call of the in-domain simulation).

    nextkey sweep --corpus data/corpus-nomoby --out reports/sweep   # ~1 hour
    nextkey sweep --out reports/sweep --report-only                 # redraw from sweep.json

Runs go to ``~/.cache/nextkey/runs/sweep-NAME``; results to
``OUT/sweep.{json,md,png}`` (default OUT: the user's report folder,
``nextkey.evaluate.stats.default_report_dir``). Run again with the same settings, it
reuses the probes and the measured candidates in sweep.json, and a trained run
whose report.json has the planned steps, so an interrupted sweep continues.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from nextkey.evaluate.stats import EvalError, default_report_dir  # noqa: E402

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    name: str
    vocab_size: int
    embed_dim: int
    hidden_dim: int
    num_layers: int


# Around one base (V8k-E128-H384-L1) one axis at a time: width, depth,
# vocabulary; plus the smallest useful model. ~0.8 to ~3 MB as int8 bundles.
CANDIDATES = (
    Candidate("V4k-E96-H256-L1", 4000, 96, 256, 1),
    Candidate("V8k-E128-H384-L1", 8000, 128, 384, 1),
    Candidate("V8k-E160-H512-L1", 8000, 160, 512, 1),
    Candidate("V8k-E128-H384-L2", 8000, 128, 384, 2),
    Candidate("V16k-E128-H384-L1", 16000, 128, 384, 1),
)


@dataclass(frozen=True)
class SweepConfig:
    corpus: Path = Path("data/corpus-nomoby")
    runs: Path = field(default_factory=lambda: Path.home() / ".cache" / "nextkey" / "runs")
    out: Path = field(default_factory=lambda: default_report_dir("sweep"))
    budget_minutes: float = 7.0
    probe_warmup_steps: int = 8
    probe_steps: int = 20  # per timed window
    probe_tries: int = 5  # timed windows at most
    probe_clean_windows: int = 2  # stop after this many undisturbed windows
    probe_quiet_cores: float = 0.25  # "undisturbed": other processes used less than this
    probe_max_wait_s: float = 40.0  # waiting for quiet before a window
    eval_sentences: int = 150  # per set: in-domain test, held-out
    suggestions: int = 3
    candidates: tuple[Candidate, ...] = CANDIDATES

    @classmethod
    def tiny(cls, corpus: Path, runs: Path, out: Path) -> "SweepConfig":
        return cls(corpus=corpus, runs=runs, out=out, budget_minutes=0.05, probe_warmup_steps=2, probe_steps=3,
                   probe_tries=2, probe_max_wait_s=3.0, eval_sentences=5,
                   candidates=(Candidate("tiny-a", 300, 8, 16, 1), Candidate("tiny-b", 300, 16, 32, 1)))


def steps_for_budget(minutes: float, tokens_per_second: float, tokens_per_step: int) -> int:
    """The fairness rule: the steps a candidate would train in ``minutes`` alone on this machine."""
    return max(1, math.floor(minutes * 60 * tokens_per_second / tokens_per_step))


def preset_for(c: Candidate, max_steps: int | None = None):
    from nextkey.train.model import ModelConfig
    from nextkey.train.tokenizer import TokenizerConfig
    from nextkey.train.train import Preset, TrainConfig

    steps = max_steps or 1
    return Preset(TokenizerConfig(vocab_size=c.vocab_size),
                  ModelConfig(c.vocab_size, c.embed_dim, c.hidden_dim, c.num_layers, dropout=0.1),
                  TrainConfig(epochs=100.0, max_steps=max_steps, max_minutes=None,
                              warmup_steps=min(100, max(1, steps // 10)), warmup_fraction=0.1,
                              eval_every=max(1, steps // 4), eval_sentences=300,
                              checkpoint_every=max(1, steps // 2), report_sentences=1000))


def loadavg() -> float:
    return os.getloadavg()[0]


# ----------------------------------------------------------------- probe


def tokenizer_for(cfg: SweepConfig, vocab_size: int) -> Path:
    from nextkey.train.tokenizer import TokenizerConfig, train_tokenizer

    path = cfg.runs / "sweep-tokenizers" / f"V{vocab_size}.model"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        train_tokenizer(cfg.corpus / "train.txt", TokenizerConfig(vocab_size=vocab_size), path)
    return path


class CpuMeter:
    """CPU used by other processes while we time something, in cores (from /proc/stat and /proc/self/stat)."""

    def __init__(self):
        self.start()

    @staticmethod
    def _read() -> tuple[float, float, float]:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy = sum(v) - v[3] - v[4]  # all but idle and iowait, in clock ticks
        with open("/proc/self/stat") as f:
            mine = f.read().rsplit(")", 1)[1].split()
        return busy, int(mine[11]) + int(mine[12]), time.monotonic()  # utime + stime of all our threads

    def start(self) -> None:
        self._t0 = self._read()

    def others(self) -> float:
        busy, mine, now = self._read()
        b0, m0, t0 = self._t0
        hz = os.sysconf("SC_CLK_TCK")
        return max(0.0, ((busy - b0) - (mine - m0)) / hz / max(now - t0, 1e-6))


def wait_for_quiet(limit_cores: float, max_wait_s: float) -> float:
    """Wait (up to ``max_wait_s``) until other processes use under ``limit_cores`` over 3 s; returns their use."""
    deadline = time.monotonic() + max_wait_s
    while True:
        meter = CpuMeter()
        time.sleep(3)
        used = meter.others()
        if used < limit_cores or time.monotonic() > deadline:
            return used


def probe(cfg: SweepConfig, c: Candidate) -> dict:
    """Training tokens/s of candidate ``c``: the real data pipeline and train step, timed after a warm-up.

    Timed in windows of ``probe_steps`` steps, each started when the rest of the
    machine is quiet and kept only if it stayed quiet (other processes under
    ``probe_quiet_cores``), up to ``probe_tries`` windows; the best clean window
    counts (the least disturbed one if none was clean).
    """
    import tensorflow as tf

    from nextkey.train.data import window_dataset
    from nextkey.train.tokenizer import load_tokenizer
    from nextkey.train.distribute import make_strategy
    from nextkey.train.train import build_for_training, make_train_step

    preset = preset_for(c)
    sp = load_tokenizer(tokenizer_for(cfg, c.vocab_size))
    t = preset.train
    strategy = make_strategy(t.strategy)
    model, optimizer = build_for_training(replace(preset.model, vocab_size=sp.vocab_size()), t, strategy)
    step = make_train_step(model, optimizer, strategy, t.clipnorm)
    ds = window_dataset(cfg.corpus / "train.txt", sp, t.seq_len, t.batch_size, t.shuffle_buffer, t.seed)
    lr = tf.constant(t.learning_rate / 10, tf.float32)
    it = iter(ds.repeat())
    for _ in range(cfg.probe_warmup_steps):  # tracing, the shuffle buffer filling
        x, y = next(it)
        float(step(x, y, lr))
    windows = []
    for _ in range(cfg.probe_tries):
        before = wait_for_quiet(cfg.probe_quiet_cores, cfg.probe_max_wait_s)
        meter = CpuMeter()
        t0 = time.perf_counter()
        for _ in range(cfg.probe_steps):
            x, y = next(it)
            float(step(x, y, lr))
        tps = cfg.probe_steps * t.tokens_per_step / (time.perf_counter() - t0)
        windows.append({"tokens_per_second": tps, "others_cores": meter.others(), "others_cores_before": before})
        log.info("probe %s: %.0f tokens/s, other processes %.2f cores", c.name, tps, windows[-1]["others_cores"])
        clean = [w for w in windows if w["others_cores"] < cfg.probe_quiet_cores]
        if len(clean) >= cfg.probe_clean_windows:
            break
    clean = [w for w in windows if w["others_cores"] < cfg.probe_quiet_cores]
    best = max(clean, key=lambda w: w["tokens_per_second"]) if clean else min(windows, key=lambda w: w["others_cores"])
    return {"tokens_per_second": best["tokens_per_second"], "clean": bool(clean), "windows": windows}


def probe_all(cfg: SweepConfig) -> dict[str, dict]:
    for v in sorted({c.vocab_size for c in cfg.candidates}):
        tokenizer_for(cfg, v)
    return {c.name: probe(cfg, c) for c in cfg.candidates}


# --------------------------------------------------------------- measure


def first_lines(path: Path, n: int) -> list[str]:
    from nextkey.train.corpus import read_lines

    return read_lines(path, n)


def measure(bundle: Path, sets: dict[str, list[str]], n: int) -> dict:
    import numpy as np

    from nextkey.engine import Engine
    from nextkey.evaluate.run import perplexity
    from nextkey.evaluate.typing_sim import simulate

    engine = Engine.load(bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    sizes = manifest["size_bytes"]
    out = {"bundle_bytes": sum(sizes.values()), "size_bytes": sizes,
           # the model's own part: the network and its tokenizer (the lexicon is the same for every candidate)
           "model_bytes": sizes[manifest["files"]["model"]] + sizes[manifest["files"]["tokenizer"]]}
    for name, sentences in sets.items():
        typed = simulate(lambda text, k: [s.word for s in engine.suggest(text, k)], sentences, n)
        ppl = perplexity(engine, sentences)
        lat = np.asarray(typed.latencies_ms)
        out[name] = {
            "sentences": len(sentences),
            "perplexity_per_word": ppl["perplexity_per_word"],
            "ksr": typed.ksr,
            "next_word_top1": typed.next_word_top1 / max(typed.next_word_total, 1),
            f"next_word_top{n}": typed.next_word_topk / max(typed.next_word_total, 1),
            "suggest_calls": int(lat.size),
            "latency_ms": {"p50": float(np.percentile(lat, 50)), "p99": float(np.percentile(lat, 99))},
        }
    return out


# -------------------------------------------------------------------- run


def run_candidate(cfg: SweepConfig, c: Candidate, probed: dict, sets: dict[str, list[str]]) -> dict:
    from nextkey.export.convert import ExportConfig, Quantization, export_bundle
    from nextkey.train.train import train

    tokens_per_second = probed["tokens_per_second"]
    tokens_per_step = preset_for(c).train.tokens_per_step
    steps = steps_for_budget(cfg.budget_minutes, tokens_per_second, tokens_per_step)
    run = cfg.runs / f"sweep-{c.name}"
    report_file = run / "report.json"
    t0 = time.time()
    done = json.loads(report_file.read_text()) if report_file.exists() else None
    shape = {"vocab_size": c.vocab_size, "embed_dim": c.embed_dim, "hidden_dim": c.hidden_dim,
             "num_layers": c.num_layers}
    if done is None or done["step"] != steps or {k: done["model_config"][k] for k in shape} != shape:
        # A candidate cut short (a session that ended mid-run) continues from its last checkpoint
        # when it was started with this shape and these steps; anything else starts over.
        resume = done is None and _same_run(run, shape, steps)
        log.info("%s: %s %d steps (%.0f tokens/s x %.1f min / %d tokens per step)", c.name,
                 "resuming, to" if resume else "training", steps, tokens_per_second, cfg.budget_minutes,
                 tokens_per_step)
        done = train(cfg.corpus, run, preset_for(c, steps), resume=resume, force=not resume).report
    train_wall = (time.time() - t0) / 60
    bundle = run / "bundle-int8"
    export_bundle(ExportConfig(run_dir=run, out_dir=bundle, quantization=Quantization.INT8, force=True,
                               name=f"sweep-{c.name}-int8", verify_sentences=100))
    rec = {
        **asdict(c),
        "params": done["num_params"],
        "probe_tokens_per_second": tokens_per_second,
        "probe_clean": probed["clean"],
        "steps": steps,
        "train_tokens": steps * tokens_per_step,
        "train_wall_minutes": train_wall,
        "valid_keras": done["valid"],
        "history": done["history"],
        **measure(bundle, sets, cfg.suggestions),
    }
    return rec


def _same_run(run: Path, shape: dict, steps: int) -> bool:
    """Whether ``run`` holds a checkpoint of a run of ``shape`` planned for ``steps`` steps."""
    try:
        model = json.loads((run / "model_config.json").read_text())
        train_cfg = json.loads((run / "train_config.json").read_text())
    except (OSError, ValueError):
        return False
    return any(run.glob("ckpt-*.npz")) and all(model.get(k) == v for k, v in shape.items()) \
        and train_cfg.get("max_steps") == steps


def sweep(cfg: SweepConfig) -> dict:
    cfg.out.mkdir(parents=True, exist_ok=True)
    out_json = cfg.out / "sweep.json"
    heldout = cfg.corpus / "heldout.txt"
    if not heldout.exists():
        raise EvalError(f"{heldout} is missing: build the corpus with a held-out source, e.g. "
                         f"nextkey corpus --out {cfg.corpus} --holdout moby-dick")
    sets = {"in_domain": first_lines(cfg.corpus / "test.txt", cfg.eval_sentences),
            "held_out": first_lines(heldout, cfg.eval_sentences)}
    config = json.loads(json.dumps({**asdict(cfg), "candidates": [asdict(c) for c in cfg.candidates]}, default=str))
    results = {"config": config,
               "rule": "steps = floor(budget_minutes * 60 * probe_tokens_per_second / tokens_per_step)",
               "corpus": json.loads((cfg.corpus / "corpus.json").read_text()),
               "candidates": {}}
    earlier = json.loads(out_json.read_text()) if out_json.exists() else {}
    same = {k: v for k, v in earlier.get("config", {}).items() if k != "candidates"} == \
        {k: v for k, v in results["config"].items() if k != "candidates"}
    names = {c.name for c in cfg.candidates}
    # A sweep spans sessions (--only one candidate at a time): the probes and finished candidates
    # of an earlier run with the same settings are kept, whichever candidates it ran.
    results["probe"] = {k: v for k, v in earlier.get("probe", {}).items()} if same else {}
    results["candidates"] = {k: v for k, v in earlier.get("candidates", {}).items()} if same else {}
    if same and results["probe"]:
        log.info("reusing the probes and finished candidates of %s (same settings): %s", out_json,
                 sorted(results["candidates"]) or "none finished")
    missing = [c for c in cfg.candidates if c.name not in results["probe"]]
    if missing:
        log.info("probing throughput (load average %.2f)", loadavg())
        for v in sorted({c.vocab_size for c in missing}):
            tokenizer_for(cfg, v)
        results["probe"].update({c.name: probe(cfg, c) for c in missing})
    out_json.write_text(json.dumps(results, indent=2, default=str))
    for c in cfg.candidates:
        if c.name in results["candidates"] or c.name not in names:
            continue
        results["candidates"][c.name] = run_candidate(cfg, c, results["probe"][c.name], sets)
        out_json.write_text(json.dumps(results, indent=2, default=str))
        r = results["candidates"][c.name]
        log.info("%s: %.2f MB, KSR %.3f / %.3f, ppl %.0f / %.0f, p50 %.2f ms", c.name, r["bundle_bytes"] / 1e6,
                 r["in_domain"]["ksr"], r["held_out"]["ksr"], r["in_domain"]["perplexity_per_word"],
                 r["held_out"]["perplexity_per_word"], r["in_domain"]["latency_ms"]["p50"])
    write_report(results, cfg.out)
    return results


# ----------------------------------------------------------------- report


def write_report(results: dict, out: Path) -> None:
    rows = list(results["candidates"].items())
    c = results["config"]
    n = c["suggestions"]
    lines = [
        "# Model sweep: size and shape against quality and latency",
        "",
        f"Made by `nextkey sweep --corpus {c['corpus']}` ({len(rows)} candidates, "
        f"{c['budget_minutes']:g} minutes of training budget each).",
        "",
        "**Fairness rule.** Each candidate's training throughput was measured in a short probe "
        f"(the real data pipeline and train step; after {c['probe_warmup_steps']} warm-up steps, timed windows of "
        f"{c['probe_steps']} steps, each started when other processes were quiet and kept only if they used under "
        f"{c['probe_quiet_cores']} cores meanwhile, read from /proc/stat; the best clean window counts), and each "
        "then trained for the steps it would do in the budget alone: "
        "`steps = floor(budget minutes x 60 x probe tokens/s / tokens per step)` (4,096 tokens per step). "
        "Wall-clock time during the sweep is not used, because other work shared the 2 cores.",
        "",
        f"Measured on int8 bundles with {n} suggestions: the first {c['eval_sentences']} sentences of the "
        "in-domain test split and of the held-out source (never trained on). PPL is perplexity per word through "
        "the bundle; KSR and next-word top-3 come from the typing simulation; latency is per `suggest()` call "
        "(one per keystroke) over the in-domain simulation, on this shared 2-core machine.",
        "",
        f"| candidate | params | model MB | bundle MB | probe tok/s | steps | PPL in / held | KSR in / held | "
        f"top-3 in / held | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        i, h = r["in_domain"], r["held_out"]
        lines.append(
            f"| {name} | {r['params']:,} | {r['model_bytes'] / 1e6:.2f} | {r['bundle_bytes'] / 1e6:.2f} | "
            f"{r['probe_tokens_per_second']:,.0f}{'' if r['probe_clean'] else '*'} | "
            f"{r['steps']} | {i['perplexity_per_word']:.0f} / {h['perplexity_per_word']:.0f} | "
            f"{i['ksr']:.3f} / {h['ksr']:.3f} | {i[f'next_word_top{n}']:.3f} / {h[f'next_word_top{n}']:.3f} | "
            f"{i['latency_ms']['p50']:.2f} | {i['latency_ms']['p99']:.2f} |")
    lines += ["", "Model MB: model.tflite + tokenizer.model; bundle MB adds the lexicon (the same for every "
              "candidate). A probe marked * found no undisturbed window; its least disturbed one counts.", "",
              "![KSR, perplexity and top-3 against bundle MB and latency](sweep.png)", ""]
    (out / "sweep.md").write_text("\n".join(lines))
    _plot(rows, n, out / "sweep.png")


def _plot(rows, n: int, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measures = [("ksr", f"KSR ({n} suggestions)"), ("perplexity_per_word", "perplexity per word"),
                (f"next_word_top{n}", f"next-word top-{n}")]
    xs = [("bundle MB", lambda r: r["bundle_bytes"] / 1e6), ("suggest() p50 ms", lambda r: r["in_domain"]["latency_ms"]["p50"])]
    fig, axes = plt.subplots(2, 3, figsize=(14, 8))
    for row, (xlabel, xf) in enumerate(xs):
        for col, (key, ylabel) in enumerate(measures):
            ax = axes[row][col]
            for setname, marker in (("in_domain", "o"), ("held_out", "s")):
                pts = [(xf(r), r[setname][key], name) for name, r in rows]
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker,
                           label="in-domain test" if setname == "in_domain" else "held-out (Moby Dick)")
                for x, y, name in pts:
                    ax.annotate(name, (x, y), fontsize=6, xytext=(3, 3), textcoords="offset points")
            if key == "perplexity_per_word":
                ax.set_yscale("log")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Model sweep: equal training budget per candidate (int8 bundles)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """The sweep's flags (``nextkey sweep`` and ``python bench/sweep.py``)."""
    ap.add_argument("--corpus", default="data/corpus-nomoby", help="a corpus folder with heldout.txt "
                    "(nextkey corpus --holdout SOURCE)")
    ap.add_argument("--runs", default=str(Path.home() / ".cache" / "nextkey" / "runs"),
                    help="where the candidates' training runs go")
    ap.add_argument("--out", default=None, help="folder for sweep.json, sweep.md and sweep.png "
                    f"(default: {default_report_dir('sweep')})")
    ap.add_argument("--minutes", type=float, default=SweepConfig.budget_minutes, help="training budget per candidate")
    ap.add_argument("--only", nargs="*", help="candidate names to run (default: all)")
    ap.add_argument("--tiny", action="store_true", help="two tiny candidates, seconds each (a smoke run)")
    ap.add_argument("--report-only", action="store_true", help="rewrite sweep.md and sweep.png from sweep.json")


def run_from_args(args) -> Path:
    """Run the sweep (or redraw its report) as the flags say; returns the report folder."""
    out = Path(args.out) if args.out else default_report_dir("sweep")
    if args.report_only:
        if not (out / "sweep.json").is_file():
            raise EvalError(f"--report-only: {out / 'sweep.json'} does not exist (run the sweep first)")
        write_report(json.loads((out / "sweep.json").read_text()), out)
        return out
    args.out = str(out)
    if args.tiny:
        cfg = SweepConfig.tiny(Path(args.corpus), Path(args.runs), Path(args.out))
    else:
        cfg = SweepConfig(corpus=Path(args.corpus), runs=Path(args.runs), out=Path(args.out),
                          budget_minutes=args.minutes)
    if args.only:
        unknown = sorted(set(args.only) - {c.name for c in cfg.candidates})
        if unknown:
            raise EvalError(f"--only {unknown}: not candidates; they are {[c.name for c in cfg.candidates]}")
        cfg = replace(cfg, candidates=tuple(c for c in cfg.candidates if c.name in args.only))
    sweep(cfg)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(ap)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_from_args(args)
    return 0


if __name__ == "__main__":
    main()
