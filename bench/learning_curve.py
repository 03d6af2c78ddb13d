"""A long training run's progress (issue 23): valid loss against training minutes, and KSR at
points along the way, kept across sessions and plotted.

    python bench/learning_curve.py RUN                       # the loss curve from RUN's checkpoint
    python bench/learning_curve.py RUN --ksr                 # + export RUN's best weights now, type
                                                             #   the valid split, add the point
    python bench/learning_curve.py RUN --ref "45-min sweep=SWEEP_RUN"   # a finished run beside it

The loss curve is the run's own evaluation history (``history`` in its newest ``ckpt-*.npz``:
valid cross-entropy per token, the mean over ``eval_sentences`` valid sentences, every
``eval_every`` steps; train/train.py ``validate``), so it costs nothing. A ``--ref`` run's
history comes from its ``report.json`` (or checkpoint); it is comparable only when both runs
share a tokenizer (checked: the files' bytes).

``--ksr`` snapshots the run's ``best.npz`` and configs into a temporary folder (the run goes on
writing its own), exports it as an int8 bundle (``export.convert.export_bundle``, the lexicon
included: about 2 minutes here), and types the first ``--sentences`` lines of ``--text`` with
``--n`` suggestions through ``evaluate.typing_sim`` (the selecting typist that ``nextkey eval``
counts: a shown word is taken with its space). The point is stored by the step of the weights
(the history's lowest valid loss when the snapshot was taken) in ``OUT.json``, which later
sessions extend; ``OUT.png`` plots both curves against training tokens. A mid-run point is measured at the learning rate
the run had then (its cosine over the whole budget is not yet annealed), so it understates what
those steps will give once annealed.

Writes ``OUT.json`` and ``OUT.png`` (default OUT: reports/long_run/learning_curve).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nextkey.train import run_dir as rd

SNAPSHOT = (rd.MODEL_CONFIG, rd.TRAIN_CONFIG, "tokenizer.model", rd.CORPUS_POINTER, rd.BEST)


def history(run: Path) -> tuple[list[dict], float]:
    """The run's evaluations [{step, train_loss, valid_ce, minutes}] and its training minutes.

    Raises SystemExit when ``run`` has neither a checkpoint nor a report."""
    ckpt = rd.latest_checkpoint(run)
    if ckpt is not None:
        with np.load(ckpt) as z:
            return json.loads(str(z["history"])), float(z["minutes"]) if "minutes" in z.files else 0.0
    report = run / rd.REPORT
    if report.exists():
        r = json.loads(report.read_text())
        return r["history"], float(r.get("train_minutes", r["history"][-1]["minutes"]))
    raise SystemExit(f"{run} has no ckpt-*.npz and no {rd.REPORT}: is it a training run (nextkey train --out)?")


def ksr_point(run: Path, text: Path, sentences: int, n: int, lexicon=None) -> dict:
    """Export a snapshot of ``run``'s best weights and type ``text`` with it (see the module doc).

    ``lexicon``: the export's LexiconConfig (None: the default one for the corpus's language).
    Raises SystemExit when the run has no best weights or configs yet."""
    from nextkey.engine import Engine
    from nextkey.evaluate.stats import read_sentences
    from nextkey.evaluate.typing_sim import simulate
    from nextkey.export.convert import ExportConfig, Quantization, corpus_language, export_bundle
    from nextkey.export.lexicon import LexiconConfig

    with tempfile.TemporaryDirectory(prefix="nextkey-curve-") as tmp:
        snap = Path(tmp) / run.name
        snap.mkdir()
        for name in SNAPSHOT:
            if not (run / name).exists():
                raise SystemExit(f"{run / name} is missing: the run has not finished an evaluation yet")
            shutil.copy2(run / name, snap / name)
        hist, minutes = history(run)
        best = min(hist, key=lambda h: h["valid_ce"])
        t0 = time.time()
        lang = corpus_language(snap)
        export_bundle(ExportConfig(run_dir=snap, out_dir=Path(tmp) / "bundle", quantization=Quantization.INT8,
                                   language=lang, lexicon=lexicon or LexiconConfig(language=lang)))
        export_s = time.time() - t0
        engine = Engine.load(Path(tmp) / "bundle", num_threads=1)
        lines = read_sentences(text, sentences)
        r = simulate(lambda t, k: [s.word for s in engine.suggest(t, n=k)], lines, n, pack=engine.pack).summary()
    return {"step": best["step"], "minutes": round(best["minutes"], 1), "valid_ce": round(best["valid_ce"], 4),
            "run_minutes_at_snapshot": round(minutes, 1), "text": str(text), "sentences": len(lines), "n": n,
            "ksr": round(r["ksr"], 4), "next_word_top3": round(r["next_word_top3"], 4),
            "export_s": round(export_s, 1), "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def plot(data: dict, path: Path) -> None:
    """Valid loss and KSR against training tokens (steps x tokens per step: the runs' minutes
    were wall minutes on a shared machine, so tokens compare them, minutes do not)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, run in data["runs"].items():
        h, per = run["history"], run.get("tokens_per_step", 4096) / 1e6
        label = f"{name} ({run['minutes']:.0f} min)"
        a.plot([e["step"] * per for e in h], [e["valid_ce"] for e in h], marker="." if len(h) < 40 else None,
               label=label)
        pts = sorted(run.get("ksr", {}).values(), key=lambda p: p["step"])
        if pts:
            b.plot([p["step"] * per for p in pts], [p["ksr"] for p in pts], marker="o", label=label)
    for ax in (a, b):
        ax.set_xlabel("training tokens (millions)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    a.set_ylabel("valid cross-entropy per token (nats)")
    a.set_title("valid loss")
    b.set_ylabel(f"KSR ({data.get('ksr_setup', '')})")
    b.set_title("keystrokes saved, selecting typist")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path, help="the training run folder (nextkey train --out)")
    ap.add_argument("--ksr", action="store_true", help="export the run's best weights now and add a KSR point")
    ap.add_argument("--ref", action="append", default=[], metavar="NAME=RUN",
                    help="another run to draw beside it (its history; with --ksr also its KSR, once)")
    ap.add_argument("--text", type=Path, default=Path("data/corpus-v3/valid.txt"))
    ap.add_argument("--sentences", type=int, default=150)
    ap.add_argument("--n", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("reports/long_run/learning_curve"))
    args = ap.parse_args(argv)
    run = args.run.expanduser()
    if not run.is_dir():
        raise SystemExit(f"{run} is not a folder")
    out_json = args.out.with_suffix(".json")
    data = json.loads(out_json.read_text()) if out_json.exists() else {"runs": {}}
    data["ksr_setup"] = f"first {args.sentences} of {args.text.name}, {args.n} suggestions"
    runs = [(run.name, run)]
    for ref in args.ref:
        name, sep, path = ref.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"--ref is NAME=RUN, got {ref!r}")
        ref_run = Path(path).expanduser()
        tok = "tokenizer.model"
        if (ref_run / tok).read_bytes() != (run / tok).read_bytes():
            raise SystemExit(f"{ref_run} has another tokenizer than {run}: their losses per token do not compare")
        runs.append((name, ref_run))
    for name, path in runs:
        hist, minutes = history(path)
        cfg = json.loads((path / rd.TRAIN_CONFIG).read_text())
        entry = data["runs"].setdefault(name, {})
        entry.update(path=str(path), history=hist, minutes=round(minutes, 1), budget_minutes=cfg.get("max_minutes"),
                     tokens_per_step=cfg["seq_len"] * cfg["batch_size"])
        print(f"{name}: {len(hist)} evaluations, {minutes:.1f} training minutes, "
              f"valid CE/token {hist[-1]['valid_ce']:.4f} at step {hist[-1]['step']}", flush=True)
        if args.ksr and (path == run or not entry.get("ksr")):
            p = ksr_point(path, args.text, args.sentences, args.n)
            entry.setdefault("ksr", {})[str(p["step"])] = p
            print(f"{name}: step {p['step']} ({p['minutes']} min): KSR {p['ksr']:.4f}, "
                  f"top-3 {p['next_word_top3']:.4f} (export {p['export_s']:.0f} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(data, indent=1) + "\n")
    try:
        plot(data, args.out.with_suffix(".png"))
        print(f"wrote {out_json} and {args.out.with_suffix('.png')}")
    except ImportError:
        print(f"wrote {out_json} (no plot: pip install matplotlib)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
