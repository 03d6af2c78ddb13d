"""Native engine against Python engine: the same keystrokes, in one run, one thread.

    make native
    .venv/bin/python bench/native_bench.py [--bundle engine/default_bundle] [--sentences 150]

The accepting typist (bench/typist.py: inside a word, a shown word is taken at once, with its
space) types the first ``--sentences`` sentences of ``--text`` (data/corpus/test.txt; build it with
``nextkey corpus --out data/corpus``), one session per sentence, into the Python engine. Every
operation it makes (new session, type a character, accept a word, ask for suggestions) is written
to a script that native/build/typist_bench replays through the C API (libnextkey.so, what an app
links) in its own process. So both engines type exactly the same keystrokes, and each strip the
native engine shows is compared with the one Python showed at that keystroke.

Per keystroke, for each engine: the suggestions() call's wall time (p50/p99/max; what the typist
of engine_bench.py times; the targets are checked on it), the edit plus suggestions (type/accept,
then suggestions), and the suggestions() call's thread CPU time (on a busy machine the wall
time's tail is mostly waiting for a core; the CPU time shows what the keystroke itself cost); for
the native engine, the model calls and rows (tokens stepped) each suggestions() call ran. Load
time; RSS from /proc after load (the native figure is typist_bench's own process, nothing else
in it; Python's is a child that only imports the engine and loads the bundle). Strips that
differ: in words (and their order), in kind or corrected flag, and the largest score difference.

With ``--prefetch K`` the script is replayed a second time as an app runs the engine: the strip is
shown after every keystroke (the typist types a word's last letter and the space or punctuation
after it without looking in between: there the replay makes an untimed suggestions call), and the
idle time after each strip goes to ``nk_session_prefetch``, one guess at a time, K at most
(typist_bench's PREFETCH and ASK_ALL). The timed keystrokes are the same; the idle work is
reported beside them.

Prints a table with PASS/MISS against the issue's targets and writes ``--out``
(reports/native_bench.json). Timings are wall clock on a possibly shared machine: the load
average before and after is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Issue 25's targets, in the same run, one thread.
TARGETS = {"native_p99_ms": 1.0, "native_p99_over_python": 1 / 3, "native_max_ms": 3.0, "native_rss_mb": 40.0}


@dataclass(frozen=True)
class BenchConfig:
    bundle: Path = ROOT / "engine" / "default_bundle"
    text: Path = ROOT / "data" / "corpus" / "test.txt"
    sentences: int = 150
    suggestions: int = 3
    driver: Path = ROOT / "native" / "build" / "typist_bench"
    out_json: Path = ROOT / "reports" / "native_bench.json"
    sweep: tuple[int, ...] = ()  # decoder batch caps for native/build/batch_sweep (none: no sweep)
    script_out: Path | None = None  # where to keep the typist's script (for perf: typist_bench BUNDLE SCRIPT)
    prefetch: int = 0  # also replay with nk_session_prefetch given up to this many guesses after each keystroke


class Recorder:
    """A Python session that writes each operation the typist makes to the script, and keeps
    the strips it shows and what its edits cost."""

    def __init__(self, session, script: list[str], log: list[dict]):
        self.session, self.script, self.log, self.edit_ms = session, script, log, 0.0
        script.append("N")

    def _op(self, code: str, arg: str) -> None:
        assert "\n" not in arg and "\r" not in arg, arg  # one operation a line
        self.script.append(code + arg)

    def type(self, chars: str) -> None:
        self._op("T", chars)
        t0 = time.perf_counter()
        self.session.type(chars)
        self.edit_ms += (time.perf_counter() - t0) * 1e3

    def accept(self, pick) -> None:
        self._op("A", pick.word)
        t0 = time.perf_counter()
        self.session.accept(pick.word)  # as the C API accepts: the word
        self.edit_ms += (time.perf_counter() - t0) * 1e3

    def suggest(self, n: int):
        cpu0 = time.thread_time()
        strip = self.session.suggest(n)
        cpu_ms = (time.thread_time() - cpu0) * 1e3
        self._op("Q", str(n))
        self.log.append({"edit_ms": self.edit_ms, "cpu_ms": cpu_ms, "strip": [(s.word, float(s.score), s.kind, bool(s.corrected))
                                                             for s in strip]})
        self.edit_ms = 0.0
        return strip


def percentiles(ms: list[float]) -> dict:
    s = sorted(ms)
    return {"count": len(s), "p50": round(statistics.median(s), 4), "p99": round(s[min(len(s) - 1, int(len(s) * 0.99))], 4),
            "max": round(s[-1], 4), "mean": round(statistics.fmean(s), 4)}


def counts(values: list[int]) -> dict:
    """A per-keystroke count's distribution (model calls, rows stepped)."""
    s = sorted(values)
    return {"total": sum(s), "mean": round(statistics.fmean(s), 3), "p50": s[len(s) // 2],
            "p99": s[min(len(s) - 1, int(len(s) * 0.99))], "max": s[-1]}


def model_work(native: dict) -> dict:
    """What the model ran per suggestions() call (nk_session_model_steps): calls, rows, and both
    for the slowest 1% of calls by thread CPU time."""
    calls, rows = native["calls"], native["rows"]
    slow = sorted(range(len(calls)), key=lambda i: -native["cpu_ms"][i])[:max(1, len(calls) // 100)]
    return {"calls": counts(calls), "rows": counts(rows),
            "slowest_1pct": {"calls": counts([calls[i] for i in slow]), "rows": counts([rows[i] for i in slow])}}


def python_load(bundle: Path) -> dict:
    """Engine.load's time and the RSS of a process that only imports the engine and loads the bundle."""
    code = (
        "import json, time, sys\n"
        "def rss(f):\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith(f + ':'))\n"
        "t0 = time.perf_counter()\n"
        "from nextkey.engine import Engine\n"
        "t1 = time.perf_counter()\n"
        "e = Engine.load(sys.argv[1], num_threads=1)\n"
        "t2 = time.perf_counter()\n"
        "after = rss('VmRSS')\n"
        "e.suggest('', 3)\n"
        "print(json.dumps({'import_ms': (t1 - t0) * 1e3, 'load_ms': (t2 - t1) * 1e3, 'rss_after_load_mb': after / 1024,\n"
        "                  'rss_after_first_suggestions_mb': rss('VmRSS') / 1024}))\n")
    done = subprocess.run([sys.executable, "-c", code, str(bundle)], capture_output=True, text=True, check=True)
    return {k: round(v, 1) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def run_sweep(cfg: BenchConfig, script: list[str]) -> list[dict]:
    """native/build/batch_sweep over the same script: per decoder batch cap, the model calls,
    rows and thread CPU time per suggestions() call, and the strips that differ from the first
    cap's (bit for bit)."""
    sweeper = cfg.driver.parent / "batch_sweep"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write("\n".join(script) + "\n")
    try:
        done = subprocess.run([str(sweeper), str(cfg.bundle), f.name, *map(str, cfg.sweep)], capture_output=True,
                              text=True)
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        raise SystemExit(f"{sweeper} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def run_native(cfg: BenchConfig, script: list[str], prefetch: int = 0, ask_all: bool = False) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write("\n".join(script) + "\n")
    try:
        done = subprocess.run([str(cfg.driver), str(cfg.bundle), f.name, str(prefetch), str(int(ask_all))],
                              capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        raise SystemExit(f"{cfg.driver} failed ({done.returncode}): {done.stderr[-2000:]}")
    out: dict = {"strips": [], "suggest_ms": [], "cpu_ms": [], "edit_ms": [], "calls": [], "rows": [], "rss_kb": {},
                 "prefetch": []}
    for line in done.stdout.splitlines():
        f = line.split("\t")
        match f[0]:
            case "load_ms":
                out["load_ms"] = float(f[1])
            case "rss_kb":
                out["rss_kb"][f[1]] = int(f[2])
            case "hwm_kb":
                out["hwm_kb"] = int(f[1])
            case "threads":
                out["threads"] = int(f[1])
            case "P":  # the guesses prefetched after a keystroke: how many, wall ms, model calls, rows
                out["prefetch"].append((int(f[1]), float(f[2]), int(f[3]), int(f[4])))
            case "Q":
                out["edit_ms"].append(float(f[1]))
                out["suggest_ms"].append(float(f[2]))
                out["cpu_ms"].append(float(f[3]))
                out["calls"].append(int(f[4]))
                out["rows"].append(int(f[5]))
                rest = f[6:]
                out["strips"].append([(rest[i], float(rest[i + 1]), ("next", "completion", "learned")[int(rest[i + 2])],
                                       rest[i + 3] == "1") for i in range(0, len(rest), 4)])
    return out


def compare(python: list[list[tuple]], native: list[list[tuple]]) -> dict:
    assert len(python) == len(native), (len(python), len(native))
    words = flags = 0
    score = 0.0
    examples = []
    for i, (a, b) in enumerate(zip(python, native)):
        if [s[0] for s in a] != [s[0] for s in b]:
            words += 1
            if len(examples) < 10:
                examples.append({"keystroke": i, "python": [s[0] for s in a], "native": [s[0] for s in b]})
            continue
        flags += any(x[2:] != y[2:] for x, y in zip(a, b))
        score = max([score] + [abs(x[1] - y[1]) for x, y in zip(a, b)])
    return {"keystrokes": len(python), "words_differ": words, "kind_or_corrected_differ": flags,
            "max_score_diff": round(score, 6), "examples": examples}


def git_commit() -> str | None:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return done.stdout.strip() or None


def run(cfg: BenchConfig) -> dict:
    if not cfg.text.exists():
        raise SystemExit(f"{cfg.text} is missing: build the corpus with `nextkey corpus --out data/corpus`")
    if not cfg.driver.exists():
        raise SystemExit(f"{cfg.driver} is missing: build it with `make native`")
    from nextkey.evaluate.stats import read_sentences
    from typist import type_accepting

    sentences = read_sentences(cfg.text)[:cfg.sentences]
    setup = {"bundle": str(cfg.bundle), "text": str(cfg.text), "sentences": len(sentences),
             "suggestions": cfg.suggestions, "threads": 1, "git": git_commit(), "python": platform.python_version(),
             "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
             "loadavg_before": [round(x, 2) for x in os.getloadavg()]}

    py_load = python_load(cfg.bundle)  # before this process holds an engine

    from nextkey.engine import Engine

    t0 = time.perf_counter()
    engine = Engine.load(cfg.bundle, num_threads=1)
    load_ms = (time.perf_counter() - t0) * 1e3
    engine.suggest("", cfg.suggestions)  # makes the interpreters once (typist_bench does the same)
    script: list[str] = []
    log: list[dict] = []
    kinds: list[str] = []
    suggest_ms: list[float] = []

    def timed(kind: str, ms: float) -> None:
        kinds.append(kind)
        suggest_ms.append(ms)

    keys = sum(type_accepting(Recorder(engine.session(), script, log), s, cfg.suggestions, timed) for s in sentences)
    del engine
    if cfg.script_out:
        cfg.script_out.write_text("\n".join(script) + "\n", encoding="utf-8")

    native = run_native(cfg, script)
    prefetched = run_native(cfg, script, cfg.prefetch, ask_all=True) if cfg.prefetch else None
    sweep = run_sweep(cfg, script) if cfg.sweep else None
    setup["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]

    py_total = [e["edit_ms"] + ms for e, ms in zip(log, suggest_ms)]
    nat_total = [e + ms for e, ms in zip(native["edit_ms"], native["suggest_ms"])]

    def by_kind(ms: list[float]) -> dict:
        return {k: percentiles([m for m, kk in zip(ms, kinds) if kk == k]) for k in sorted(set(kinds))}

    def native_figures(nat: dict) -> dict:
        total = [e + ms for e, ms in zip(nat["edit_ms"], nat["suggest_ms"])]
        return {"load_ms": round(nat["load_ms"], 1), "threads": nat.get("threads"),
                "rss_after_load_mb": round(nat["rss_kb"]["after_load"] / 1024, 1),
                "rss_after_first_suggestions_mb": round(nat["rss_kb"]["after_first_suggestions"] / 1024, 1),
                "rss_end_mb": round(nat["rss_kb"]["end"] / 1024, 1),
                "peak_rss_mb": round(nat["hwm_kb"] / 1024, 1),
                "suggestions_ms": percentiles(nat["suggest_ms"]),
                "edit_and_suggestions_ms": percentiles(total),
                "suggestions_thread_cpu_ms": percentiles(nat["cpu_ms"]), "by_kind": by_kind(nat["suggest_ms"]),
                "model_per_keystroke": model_work(nat)}

    report = {
        "setup": setup,
        "keystrokes": keys,
        "suggestions_calls": len(suggest_ms),
        "python": {"load_ms": round(load_ms, 1), "child": py_load,
                   "suggestions_ms": percentiles(suggest_ms), "edit_and_suggestions_ms": percentiles(py_total),
                   "suggestions_thread_cpu_ms": percentiles([e["cpu_ms"] for e in log]),
                   "by_kind": by_kind(suggest_ms)},
        "native": native_figures(native),
        "strips": compare([e["strip"] for e in log], native["strips"]),
    }
    if sweep is not None:
        report["batch_sweep"] = sweep
    if prefetched is not None:
        p = prefetched["prefetch"]
        report["native_prefetch"] = native_figures(prefetched) | {
            "max_guesses": cfg.prefetch,
            "keystrokes_without_model_call": round(sum(c == 0 for c in prefetched["calls"]) / len(prefetched["calls"]), 4),
            "idle_work_per_keystroke": {"guesses": percentiles([g for g, _, _, _ in p]),
                                        "ms": percentiles([ms for _, ms, _, _ in p]),
                                        "model_calls": percentiles([c for _, _, c, _ in p])},
            "strips": compare([e["strip"] for e in log], prefetched["strips"])}
    n, p = report["native"], report["python"]
    got = {"native_p99_ms": n["suggestions_ms"]["p99"],
           "native_p99_over_python": n["suggestions_ms"]["p99"] / p["suggestions_ms"]["p99"],
           "native_max_ms": n["suggestions_ms"]["max"], "native_rss_mb": n["rss_after_load_mb"]}
    if prefetched is not None:
        q = report["native_prefetch"]
        got |= {"prefetch_native_p99_ms": q["suggestions_ms"]["p99"],
                "prefetch_native_p99_over_python": q["suggestions_ms"]["p99"] / p["suggestions_ms"]["p99"],
                "prefetch_native_max_ms": q["suggestions_ms"]["max"], "prefetch_native_rss_mb": q["rss_after_load_mb"]}
    report["targets"] = {k: {"target": round(TARGETS[k.removeprefix("prefetch_")], 3), "got": round(v, 3),
                             "pass": v <= TARGETS[k.removeprefix("prefetch_")]} for k, v in got.items()}
    return report


def print_report(r: dict) -> None:
    s = r["setup"]
    print(f"{s['sentences']} sentences of {s['text']}, accepting typist, {r['keystrokes']} keystrokes, "
          f"{r['suggestions_calls']} suggestions() calls, one thread; load average {s['loadavg_before']} -> "
          f"{s['loadavg_after']}")
    print(f"{'':8} {'load ms':>8} {'RSS MB':>7} | suggestions() ms: {'p50':>7} {'p99':>7} {'max':>7} | "
          f"edit+suggestions ms: {'p50':>7} {'p99':>7} {'max':>7} | thread CPU ms: {'p50':>6} {'p99':>6} {'max':>6}")
    for name in ("native", "native_prefetch", "python"):
        if name not in r:
            continue
        e = r[name]
        rss = e["rss_after_load_mb"] if name != "python" else e["child"]["rss_after_load_mb"]
        a, b, c = e["suggestions_ms"], e["edit_and_suggestions_ms"], e["suggestions_thread_cpu_ms"]
        print(f"{name[:8] if name != 'native_prefetch' else 'prefetch':8} {e['load_ms']:8.1f} {rss:7.1f} | {'':17} {a['p50']:7.3f} {a['p99']:7.3f} {a['max']:7.3f} | "
              f"{'':20} {b['p50']:7.3f} {b['p99']:7.3f} {b['max']:7.3f} | {'':14} {c['p50']:6.3f} {c['p99']:6.3f} "
              f"{c['max']:6.3f}")
    m = r["native"]["model_per_keystroke"]
    for what in ("calls", "rows"):
        a, b = m[what], m["slowest_1pct"][what]
        print(f"native model {what} per suggestions(): total {a['total']}, mean {a['mean']:.2f}, p50 {a['p50']}, "
              f"p99 {a['p99']}, max {a['max']}; in the slowest 1% (thread CPU): mean {b['mean']:.2f}, max {b['max']}")
    c = r["strips"]
    print(f"strips that differ: {c['words_differ']} of {c['keystrokes']} in words, {c['kind_or_corrected_differ']} in "
          f"kind/corrected; largest score difference {c['max_score_diff']:g}")
    if "native_prefetch" in r:
        q = r["native_prefetch"]
        w = q["idle_work_per_keystroke"]
        print(f"prefetch (an app's replay: a strip after every keystroke, then up to {q['max_guesses']} guesses): keystrokes answered without a model "
              f"call {q['keystrokes_without_model_call']:.1%}; idle work per keystroke: guesses p50 {w['guesses']['p50']:g}, "
              f"ms p50 {w['ms']['p50']:.2f} p99 {w['ms']['p99']:.2f} max {w['ms']['max']:.2f}, model calls p50 "
              f"{w['model_calls']['p50']:g}; RSS end {q['rss_end_mb']} MB (without: {r['native']['rss_end_mb']}); strips "
              f"that differ from Python's: {q['strips']['words_differ']} in words, largest score difference "
              f"{q['strips']['max_score_diff']:g}")
    if "batch_sweep" in r:
        print("decoder batch cap sweep (batch_sweep, one process, the caps interleaved by sentence):")
        for c in r["batch_sweep"]:
            a, b, t = c["calls"], c["rows"], c["thread_cpu_ms"]
            print(f"  batch {c['batch']:2}: calls p50 {a['p50']} p99 {a['p99']} max {a['max']} total {a['total']:.0f}; "
                  f"rows total {b['total']:.0f}; thread CPU ms p50 {t['p50']:.3f} p99 {t['p99']:.3f} "
                  f"max {t['max']:.3f}; strips differing from batch {r['batch_sweep'][0]['batch']}: "
                  f"{c['strips_differ_from_first']}")
    for k, t in r["targets"].items():
        print(f"  {'PASS' if t['pass'] else 'MISS'} {k}: {t['got']:g} (target <= {t['target']:g})")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", type=Path, default=BenchConfig.bundle)
    p.add_argument("--text", type=Path, default=BenchConfig.text)
    p.add_argument("--sentences", type=int, default=BenchConfig.sentences)
    p.add_argument("--driver", type=Path, default=BenchConfig.driver)
    p.add_argument("--out", type=Path, default=BenchConfig.out_json)
    p.add_argument("--sweep", type=lambda v: tuple(int(x) for x in v.split(",")), default=(),
                   help="decoder batch caps to replay the script with, e.g. 1,2,4,8,16 (native/build/batch_sweep)")
    p.add_argument("--script-out", type=Path, default=None,
                   help="also write the typist's script here (replay it with native/build/typist_bench BUNDLE SCRIPT, "
                        "e.g. under perf)")
    p.add_argument("--prefetch", type=int, default=0,
                   help="also replay with nk_session_prefetch: up to this many guesses after each keystroke (e.g. 60)")
    a = p.parse_args(argv)
    report = run(BenchConfig(bundle=a.bundle, text=a.text, sentences=a.sentences, driver=a.driver, out_json=a.out,
                             sweep=a.sweep, script_out=a.script_out, prefetch=a.prefetch))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1) + "\n")
    print_report(report)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
