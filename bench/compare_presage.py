"""Peer comparison: nextkey against Debian's presage, by the same simulated typing.

Every engine types the same held-out sentences through the one set of
selection rules in ``nextkey.evaluate.typing_sim`` and is reported by KSR,
next-word top-1/top-n accuracy, latency percentiles and size on disk:

    presage-stock    presage with its stock English database (lowercase n-grams
                     of one novel, /usr/share/presage/database_en.db)
    presage-trained  presage with a 1-2-3-gram database that its text2ngram
                     builds from our training split (case kept), cached in
                     runs/presage/
    nextkey          the nextkey engine with a bundle (default: the packaged one)

    python bench/compare_presage.py                                  # all three
    python bench/compare_presage.py --engines presage-stock presage-trained
    python bench/compare_presage.py --engines nextkey --bundle runs/default/bundle

Writes reports/compare_presage.json and reports/compare_presage.md. Results of
engines not run this time are kept from the previous report when the test text,
sentence count and number of suggestions are the same. See
docs/presage-comparison.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from presage_ctypes import (  # noqa: E402
    INSTALL_COMMAND, STOCK_CONFIG, STOCK_DATABASE, PresageNotInstalled, PresagePredictor, database_info,
    find_library,
)

from nextkey.engine.lang import get_pack
from nextkey.evaluate.stats import EvalError, engine_predictor, read_sentences
from nextkey.evaluate.noisy import NoiseConfig, simulate_noisy, slip_probe  # noqa: E402
from nextkey.evaluate.typing_sim import simulate  # noqa: E402

log = logging.getLogger("compare_presage")

NGRAM_ORDERS = (1, 2, 3)


class EngineName(str, Enum):
    PRESAGE_STOCK = "presage-stock"
    PRESAGE_TRAINED = "presage-trained"
    NEXTKEY = "nextkey"


@dataclass(frozen=True)
class Setup:
    """What makes two runs comparable; a report only merges runs with equal setups."""
    text: str
    text_sha256: str
    sentences: int
    suggestions: int
    noise: float = 0.0


@dataclass
class Engine:
    name: EngineName
    predict: Callable[[str, int], list[str]]
    size_bytes: int
    size_of: str
    description: str
    load_s: float
    close: Callable[[], None] = lambda: None


# -- presage -----------------------------------------------------------------

def ensure_presage(install: bool) -> None:
    """Make sure libpresage, text2ngram and the stock data are there, installing them as root."""
    def missing() -> list[str]:
        out = []
        try:
            find_library()
        except PresageNotInstalled:
            out.append("libpresage")
        for path in (STOCK_CONFIG, STOCK_DATABASE):
            if not path.is_file():
                out.append(str(path))
        if shutil.which("text2ngram") is None:
            out.append("text2ngram")
        return out

    lacking = missing()
    if not lacking:
        return
    can_install = install and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    if not can_install:
        sudo = "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "
        raise SystemExit(f"presage is not installed ({', '.join(lacking)} missing). Install it with:\n"
                         f"    {sudo}sh -c '{INSTALL_COMMAND}'")
    log.info("installing presage (%s missing): %s", ", ".join(lacking), INSTALL_COMMAND)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "presage", "libpresage-dev"], check=True, env=env)
    if lacking := missing():
        raise SystemExit(f"presage still incomplete after apt-get install: {', '.join(lacking)} missing")


def _text_id(path: Path) -> tuple[str, int | None]:
    """A training text as the database records it: its resolved path and its size in bytes."""
    return str(path.resolve()), (path.stat().st_size if path.is_file() else None)


def built_from(db_dir: Path) -> tuple[str, int | None] | None:
    """The text ``db_dir``'s database was built from (``_text_id``), None when unrecorded."""
    try:
        info = json.loads((db_dir / "database_train.json").read_text())
        return str(Path(info["built_from"]).resolve()), info.get("built_from_bytes")
    except (OSError, ValueError, KeyError):
        return None


def build_trained_database(train_text: Path, db_dir: Path, rebuild: bool) -> Path:
    """presage's own recipe (resources/Makefile.am): one text2ngram run per order
    into the same sqlite file, each adding its ``_N_gram`` table; without ``-l``,
    so case is kept. Built under a temporary name, so a killed build is not reused; a database
    built from another text (or one whose record is lost) is rebuilt, never reused."""
    db = db_dir / "database_train.db"
    if db.is_file() and not rebuild:
        tables = database_info(db)["ngram_rows"]
        made_from = built_from(db_dir)
        if made_from != _text_id(train_text):
            log.warning("%s was built from %s, not %s; rebuilding (--db-dir keeps one database per text)",
                        db, made_from, _text_id(train_text))
        elif all(f"_{k}_gram" in tables for k in NGRAM_ORDERS):
            log.info("reusing %s (%s)", db, tables)
            return db
        else:
            log.warning("%s lacks some of the %s-gram tables (%s); rebuilding", db, NGRAM_ORDERS, tables)
    if not train_text.is_file():
        raise SystemExit(f"training text {train_text} does not exist (build the corpus with `nextkey corpus`)")
    db_dir.mkdir(parents=True, exist_ok=True)
    partial = db.with_name(db.name + ".partial")
    partial.unlink(missing_ok=True)
    commands = [["text2ngram", "-n", str(k), "-f", "sqlite", "-o", str(partial), str(train_text)]
                for k in NGRAM_ORDERS]
    t0 = time.perf_counter()
    with open(db_dir / "text2ngram.log", "w") as out:
        for cmd in commands:
            log.info("running %s", shlex.join(cmd))
            subprocess.run(cmd, check=True, stdout=out, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - t0
    os.replace(partial, db)
    info = {"built_from": str(train_text), "built_from_bytes": train_text.stat().st_size,
            "commands": [shlex.join(c).replace(str(partial), str(db)) for c in commands],
            "wall_s": round(wall, 1), **database_info(db)}
    (db_dir / "database_train.json").write_text(json.dumps(info, indent=2) + "\n")
    log.info("built %s in %.0f s: %s", db, wall, info["ngram_rows"])
    return db


def presage_engine(name: EngineName, db: Path, lowercase: bool, n: int, description: str) -> Engine:
    t0 = time.perf_counter()
    p = PresagePredictor(db_path=db, suggestions=n, lowercase=lowercase)
    p("Warm", n)  # opens the database; a different context from the first sentence's
    return Engine(name, p, db.stat().st_size, str(db), description, time.perf_counter() - t0, p.close)


# -- nextkey -----------------------------------------------------------------

def nextkey_engine(bundle: str | None, n: int) -> Engine:
    import nextkey.engine
    from nextkey.engine import Engine as NextkeyEngine

    t0 = time.perf_counter()
    eng = NextkeyEngine.load(bundle)
    folder = Path(bundle) if bundle else Path(nextkey.engine.__file__).resolve().parent / "default_bundle"
    if not folder.is_dir():
        raise SystemExit(f"nextkey bundle folder {folder} does not exist")

    predict = engine_predictor(eng)
    predict("Warm", n)
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return Engine(EngineName.NEXTKEY, predict, size, str(folder),
                  f"nextkey GRU LM bundle {folder}", time.perf_counter() - t0)


def make_engine(name: EngineName, args, n: int) -> Engine:
    match name:
        case EngineName.PRESAGE_STOCK:
            return presage_engine(name, STOCK_DATABASE, lowercase=True, n=n, description=(
                "presage 0.9, stock predictors less the learning one, stock English database "
                "(lowercase 1-3-grams of one novel), LOWERCASE_MODE=yes"))
        case EngineName.PRESAGE_TRAINED:
            db = build_trained_database(Path(args.train), Path(args.db_dir), args.rebuild_db)
            return presage_engine(name, db, lowercase=False, n=n, description=(
                f"presage 0.9, stock predictors less the learning one, text2ngram 1-3-grams of "
                f"{args.train} (case kept), LOWERCASE_MODE=no"))
        case EngineName.NEXTKEY:
            return nextkey_engine(args.bundle, n)
    raise ValueError(f"unknown engine {name!r}")


# -- running and reporting ---------------------------------------------------

def load_sentences(path: Path, limit: int) -> list[str]:
    try:
        return read_sentences(path, limit)
    except EvalError as e:
        raise SystemExit(str(e)) from None


def run_engine(engine: Engine, sentences: list[str], n: int, ignore_case_column: bool, noise: float = 0.0,
               pack=None) -> dict:
    """``pack``: the text's language pack (its word rules for the simulator; None: English)."""
    try:
        from tqdm import tqdm
    except ImportError:
        raise SystemExit("tqdm is missing: pip install tqdm (or pip install -e '.[dev]')") from None

    kw = {} if pack is None else {"pack": pack}
    record = {"description": engine.description, "size_bytes": engine.size_bytes, "size_of": engine.size_of,
              "load_s": round(engine.load_s, 3)}
    with tqdm(total=len(sentences), desc=engine.name.value, unit="sent") as bar:
        record["exact"] = simulate(engine.predict, sentences, n, progress=bar.update, **kw).summary()
    if ignore_case_column:
        with tqdm(total=len(sentences), desc=f"{engine.name.value} (ignore case)", unit="sent") as bar:
            summary = simulate(engine.predict, sentences, n, progress=bar.update, ignore_case=True, **kw).summary()
        record["ignore_case"] = {k: summary[k] for k in ("ksr", "next_word_top1", f"next_word_top{n}")}
    if noise > 0:  # the same seeded typist for every engine: slips it never fixes itself
        with tqdm(total=len(sentences), desc=f"{engine.name.value} (noisy typing)", unit="sent") as bar:
            record["noisy"] = simulate_noisy(engine.predict, sentences, n, NoiseConfig(rate=noise),
                                             progress=bar.update).summary()
            record["noisy"]["one_slip_probe"] = slip_probe(engine.predict, sentences, n)
    return record


def load_previous(path: Path, setup: Setup) -> dict:
    if not path.is_file():
        return {}
    previous = json.loads(path.read_text())
    if previous.get("setup") != asdict(setup):
        log.info("previous report %s has another setup; not merging", path)
        return {}
    return previous.get("engines", {})


def table(engines: dict, n: int) -> list[str]:
    rows = ["| engine | KSR | top-1 | top-%d | p50 ms | p95 ms | p99 ms | size MB | KSR (case-insens.) | top-%d (case-insens.) "
            "| KSR, noisy typist | slipped words rescued | one-slip words offered |" % (n, n),
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    order = [e.value for e in EngineName] + sorted(set(engines) - {e.value for e in EngineName})
    for name in order:
        if name not in engines:
            continue
        r = engines[name]
        s, lat, ic = r["exact"], r["exact"]["latency_ms"], r.get("ignore_case")
        rows.append(f"| {name} | {s['ksr']:.3f} | {s['next_word_top1']:.3f} | {s[f'next_word_top{n}']:.3f} | "
                    f"{lat['p50']:.2f} | {lat['p95']:.2f} | {lat['p99']:.2f} | {r['size_bytes'] / 1e6:.2f} | "
                    + (f"{ic['ksr']:.3f} | {ic[f'next_word_top{n}']:.3f} |" if ic else "– | – |")
                    + (f" {nz['ksr']:.3f} | {nz['slipped_rescued_share']:.1%} | {nz['one_slip_probe']['slipped_offered']:.1%} |"
                       if (nz := r.get("noisy")) else " – | – | – |"))
    return rows


def ratios(engines: dict, n: int) -> list[str]:
    """nextkey against presage trained on the same text: the issue's targets."""
    if "nextkey" not in engines or "presage-trained" not in engines:
        return []
    a, b = engines["nextkey"]["exact"], engines["presage-trained"]["exact"]
    key = f"next_word_top{n}"
    out = ["", f"nextkey / presage-trained: KSR x{a['ksr'] / max(b['ksr'], 1e-9):.2f} (target x1.10), "
               f"top-{n} x{a[key] / max(b[key], 1e-9):.2f}, "
               f"size x{engines['nextkey']['size_bytes'] / engines['presage-trained']['size_bytes']:.3f}."]
    if "noisy" in engines["nextkey"] and "noisy" in engines["presage-trained"]:
        na, nb = engines["nextkey"]["noisy"], engines["presage-trained"]["noisy"]
        out.append(f"noisy typist: KSR x{na['ksr'] / max(nb['ksr'], 1e-9):.2f} (target x1.5).")
    return out


def write_markdown(path: Path, report: dict) -> None:
    setup, n = report["setup"], report["setup"]["suggestions"]
    lines = [
        "# nextkey vs presage: simulated typing",
        "",
        f"{setup['sentences']} sentences of `{setup['text']}` (sha256 {setup['text_sha256'][:12]}), "
        f"{n} suggestions, exact (case-sensitive) word match; the case-insensitive columns are a diagnostic.",
        "Latency is one `predict` call as seen from Python, on this machine "
        f"({report['machine']}). Size: presage's sqlite database, nextkey's bundle folder.",
        "",
        *table(report["engines"], n),
        *ratios(report["engines"], n),
        "",
        "Engines:",
        "",
        *[f"- `{k}` ({v['run_at']}, `{v['command']}`): {v['description']}; size of `{v['size_of']}`."
          for k, v in report["engines"].items()],
        "",
        "Made by `bench/compare_presage.py`; how it works: docs/presage-comparison.md.",
    ]
    path.write_text("\n".join(lines) + "\n")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", nargs="+", choices=[e.value for e in EngineName],
                    default=[e.value for e in EngineName])
    ap.add_argument("--text", default="data/corpus/test.txt", help="held-out text, one sentence per line")
    ap.add_argument("--train", default="data/corpus/train.txt", help="text for presage-trained's text2ngram")
    ap.add_argument("--max-sentences", type=int, default=300, help="type the first N non-empty lines")
    ap.add_argument("--n", type=int, default=3, help="suggestions offered per keystroke")
    ap.add_argument("--bundle", default=None, help="nextkey bundle folder (default: the packaged one)")
    ap.add_argument("--db-dir", default="runs/presage", help="where presage-trained's database is cached")
    ap.add_argument("--rebuild-db", action="store_true", help="rebuild presage-trained's database")
    ap.add_argument("--ignore-case-column", action=argparse.BooleanOptionalAction, default=True,
                    help="also type the text with case-insensitive matching (a second pass per engine)")
    ap.add_argument("--no-install", action="store_true", help="never apt-get install presage; say how instead")
    ap.add_argument("--noise", type=float, default=0.05,
                    help="also type with a seeded typist that slips on this share of keystrokes (0: skip)")
    ap.add_argument("--lang", default="en", help="the text's language pack (its word rules for the simulator)")
    ap.add_argument("--out", default="reports/compare_presage.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.max_sentences < 1 or args.n < 1:
        ap.error(f"--max-sentences and --n must be positive, got {args.max_sentences} and {args.n}")

    names = [EngineName(e) for e in dict.fromkeys(args.engines)]
    if any(e is not EngineName.NEXTKEY for e in names):
        ensure_presage(install=not args.no_install)

    text = Path(args.text)
    sentences = load_sentences(text, args.max_sentences)
    setup = Setup(str(text), hashlib.sha256(text.read_bytes()).hexdigest(), len(sentences), args.n, args.noise)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    engines = load_previous(out, setup)
    command = shlex.join(["python", "bench/compare_presage.py", *sys.argv[1:]])

    for name in names:
        engine = make_engine(name, args, args.n)
        try:
            record = run_engine(engine, sentences, args.n, args.ignore_case_column, args.noise, get_pack(args.lang))
        finally:
            engine.close()
        record.update(run_at=time.strftime("%Y-%m-%d %H:%M"), command=command)
        engines[name.value] = record

    report = {"setup": asdict(setup), "machine": machine(), "engines": engines}
    out.write_text(json.dumps(report, indent=2) + "\n")
    md = out.with_suffix(".md")
    write_markdown(md, report)
    print("\n".join(table(engines, args.n) + ratios(engines, args.n)))
    print(f"\nwrote {out} and {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
