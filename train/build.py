"""Your text -> a bundle in one command: corpus, training, export and evaluation.

``nextkey build my_texts/ --out ~/nextkey-mine`` runs, in one process:

    OUT/corpus   nextkey corpus --source TEXT...      (train/valid/test splits of your sentences)
    OUT/run      nextkey train --preset small         (until the time budget is spent)
    OUT/bundle   nextkey export --quantize int8       (the bundle to use: demo, suggest, an app)
    OUT/eval     nextkey eval --text OUT/corpus/test.txt   (KSR on your own held-out sentences)

The budget is the whole command's: training gets ``minutes`` less what the
other stages take here (``reserve_minutes``; about 40 s for 400 KB of text on
a 2-core machine).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from nextkey.export.lexicon import LexiconConfig

from .corpus import CorpusConfig, CorpusError, build_corpus
from .run_dir import TrainError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildConfig:
    sources: tuple[str, ...]  # text files or folders (train/corpus.py: the accepted formats)
    out_dir: Path
    minutes: float = 10.0  # for the whole command
    reserve_minutes: float = 1.5  # what corpus, export and evaluation take; the rest trains
    preset: str = "small"
    force: bool = False  # replace what an earlier build left in out_dir
    eval_sentences: int = 300
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)

    def __post_init__(self):
        if not self.sources:
            raise ValueError("name at least one text file or folder to train on")
        if not self.minutes > self.reserve_minutes:
            raise ValueError(f"--minutes {self.minutes:g} leaves no time to train: the corpus, export and "
                             f"evaluation take about {self.reserve_minutes:g} minutes; give more")

    @property
    def train_minutes(self) -> float:
        return self.minutes - self.reserve_minutes


MIN_HELD_OUT = 10  # sentences each of the valid and test splits needs for a figure worth printing


def build(cfg: BuildConfig) -> dict:
    """Run the four stages into ``cfg.out_dir``; returns the folders and the headline figures.

    Raises TrainError when ``out_dir`` holds an earlier build (unless ``force``),
    CorpusError / TokenizerError / TrainError / BundleError from the stages.
    """
    out = Path(cfg.out_dir)
    folders = {name: out / name for name in ("corpus", "run", "bundle", "eval")}
    taken = [str(p) for p in folders.values() if p.exists()]
    if taken and not cfg.force:  # before any work
        raise TrainError(f"{out} holds an earlier build ({', '.join(taken)}): pass --force to replace it, "
                         f"or choose another --out")
    t0 = time.time()
    stats = build_corpus(CorpusConfig(out_dir=folders["corpus"], sources=tuple(cfg.sources)))
    log.info("corpus: %s sentences", stats.sentences)
    short = {split: stats.sentences.get(split, 0) for split in ("valid", "test")
             if stats.sentences.get(split, 0) < MIN_HELD_OUT}
    if short:  # before any training: a model nobody can evaluate is no model to ship
        total = sum(stats.sentences.get(k, 0) for k in ("train", "valid", "test"))
        raise CorpusError(f"your text gives {total} sentences, too few to hold out {MIN_HELD_OUT} each for "
                          f"validation and testing ({', '.join(f'{k} {v}' for k, v in short.items())}; each is 2% "
                          f"of the sentences): nextkey build needs about {MIN_HELD_OUT * 50} sentences (about "
                          f"75 KB of prose) or more; nothing was trained")

    from nextkey.export.convert import ExportConfig, Quantization, export_bundle
    from nextkey.evaluate.run import EvalConfig, run_eval

    from .train import PRESETS, train

    preset = PRESETS[cfg.preset]
    spent = (time.time() - t0) / 60
    preset = replace(preset, train=replace(preset.train, max_minutes=max(cfg.train_minutes - spent, 0.1)))
    result = train(folders["corpus"], folders["run"], preset, force=cfg.force)
    if result.interrupted:
        raise KeyboardInterrupt
    manifest = export_bundle(ExportConfig(run_dir=folders["run"], out_dir=folders["bundle"],
                                          quantization=Quantization.INT8, force=cfg.force,
                                          name=f"{out.name}-int8", lexicon=cfg.lexicon))
    report = run_eval(EvalConfig(bundle=folders["bundle"], text=folders["corpus"] / "test.txt",
                                 out_dir=folders["eval"], max_sentences=cfg.eval_sentences, noise=0.0))
    summary = report["summary"]
    return {
        "folders": {k: str(v) for k, v in folders.items()},
        "sentences": stats.sentences,
        "train_minutes": result.report["train_minutes"],
        "steps": result.step,
        "valid_perplexity_per_word": result.report["valid"]["perplexity_per_word"],
        "warning": result.report.get("warning"),
        "bundle_bytes": sum(manifest["size_bytes"].values()),
        "ksr": summary["ksr"],
        "test_perplexity_per_word": summary["perplexity_per_word"],
        "minutes": (time.time() - t0) / 60,
    }
