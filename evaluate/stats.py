"""Helpers every measurement shares: sentence files, the engine as a predictor,
percentiles, peak RSS and the latency histogram. ``evaluate/`` measures quality
with them and ``bench/`` measures speed and cost with them, so a figure is
computed one way wherever it is reported.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path
from typing import Callable

import numpy as np

Predictor = Callable[[str, int], list[str]]


def default_report_dir(command: str) -> Path:
    """Where ``nextkey eval``, ``bench`` and ``sweep`` write without ``--out``: the user's data
    folder (``$XDG_DATA_HOME/nextkey/reports/COMMAND``, ``~/.local/share/...`` by default),
    never the package or a checkout of the repository."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "nextkey" / "reports" / command


class EvalError(ValueError):
    """Bad measurement input (a missing text, no sentences, a missing extra); the message carries the values."""


def read_sentences(path: Path, limit: int | None = None) -> list[str]:
    """The first ``limit`` non-blank lines of ``path`` (all with None)."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"text {path} does not exist (nextkey corpus writes data/corpus/test.txt)")
    out: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(line.rstrip("\n"))
                if limit is not None and len(out) == limit:
                    break
    if not out:
        raise EvalError(f"text {path} holds no sentences")
    return out


def engine_predictor(engine) -> Predictor:
    """``predict(text_before_cursor, n) -> words`` over ``Engine.suggest``."""

    def predict(text: str, n: int) -> list[str]:
        return [s.word for s in engine.suggest(text, n=n)]

    return predict


def percentiles(values_ms) -> dict:
    a = np.asarray(values_ms, dtype=float)
    if a.size == 0:
        a = np.zeros(1)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "p99": float(np.percentile(a, 99)), "mean": float(a.mean()), "max": float(a.max()),
            "count": int(np.asarray(values_ms).size)}


def vm_rss_mb() -> float | None:
    """This process's resident set now, in MB (Linux /proc; None elsewhere)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """This process's peak resident memory. ru_maxrss is KiB on Linux, bytes on macOS."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1 << 20) if sys.platform == "darwin" else rss / 1024


def latency_histogram(ax, latencies_ms, marks: dict[str, float], limits: dict[str, float] | None = None,
                      label: str | None = None) -> None:
    """A log-scale histogram of per-keystroke times with vertical lines at ``marks`` (e.g. p50, p99)
    and, dotted red, at ``limits`` (targets)."""
    lat = np.asarray([x for x in latencies_ms if x > 0])
    if lat.size == 0:
        return
    bins = np.logspace(np.log10(max(lat.min(), 1e-3)), np.log10(lat.max() * 1.01), 60)
    ax.hist(lat, bins=bins, alpha=0.6 if label else 1.0, label=label)
    ax.set_xscale("log")
    for (name, v), style in zip(marks.items(), ("-", "--", ":", "-.")):
        ax.axvline(v, color="k", linestyle=style, linewidth=1, label=f"{name} {v:.2f} ms")
    for name, v in (limits or {}).items():
        ax.axvline(v, color="tab:red", linestyle=":", linewidth=1, label=f"{name} {v:g} ms")
