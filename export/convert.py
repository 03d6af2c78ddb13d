"""Training run folder -> model bundle (model.tflite + tokenizer.model + manifest.json).

The Keras model's ``step`` (one token per row, packed GRU state) is written
as a SavedModel with ``keras.export.ExportArchive`` and converted from there:
converting a Keras 3 model through concrete functions silently dropped the
weights on this stack, the SavedModel route keeps them and gives a named
signature with a dynamic batch dimension.

The bundle is assembled in a temporary folder beside the destination and
renamed into place only after verification passed, so no half-written bundle
is ever left behind.

    nextkey export runs/default --quantize int8 --out bundles/default-int8
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
import keras
from tqdm import tqdm

from nextkey.engine.bundle import (LEXICON_FILE, MANIFEST, MODEL_FILE, STEP_SIGNATURE, TOKENIZER_FILE, Bundle, Manifest,
                                   Quantization)
from nextkey.engine.errors import BundleError
from nextkey.engine.lang import bundle_pack, get_pack
from nextkey.engine.settings import EngineSettings, bundle_settings
from nextkey.train.tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, load_tokenizer
from nextkey.train.run_dir import TrainError, corpus_of, load_trained_model, read_report, valid_lines

from .lexicon import LexiconConfig, build_lexicon, write_lexicon
from .tie import share_tied_embedding
from .verify import VerificationConfig, verify_against_keras

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportConfig:
    run_dir: Path
    out_dir: Path
    quantization: Quantization = Quantization.INT8
    force: bool = False
    name: str | None = None
    verify_sentences: int = 200
    calibration_sentences: int = 200
    lexicon: LexiconConfig | None = LexiconConfig()  # None: a bundle without a lexicon
    settings: EngineSettings = EngineSettings()  # how the engine runs this bundle (the manifest's "settings")
    language: str = "en"  # the language pack of the engine's text rules (engine/lang/)

    def __post_init__(self):
        if self.lexicon is not None and self.lexicon.language != self.language:
            raise ValueError(f"the lexicon's language {self.lexicon.language!r} is not the bundle's "
                             f"{self.language!r}: give LexiconConfig(language={self.language!r})")


def corpus_language(run_dir: Path) -> str:
    """The language of the corpus a run was trained on (its corpus.json ``language``, written by
    ``nextkey corpus --lang``); "en" when the corpus does not record one. Raises BundleError
    naming the file when it is unreadable."""
    meta = corpus_of(run_dir) / "corpus.json"
    if not meta.is_file():
        return "en"
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("language", "en")
    except (OSError, ValueError) as e:
        raise BundleError(f"cannot read the corpus's language from {meta}: {e}") from None


def _write_saved_model(model, state_size: int, path: Path) -> None:
    archive = keras.export.ExportArchive()
    archive.track(model)

    def step(tokens, state):
        logprobs, new_state = model.step(tokens, state)
        return {"logprobs": logprobs, "state": new_state}

    archive.add_endpoint(
        name=STEP_SIGNATURE,
        fn=step,
        input_signature=[
            tf.TensorSpec([None], tf.int32, name="tokens"),
            tf.TensorSpec([None, state_size], tf.float32, name="state"),
        ],
    )
    archive.write_out(str(path), verbose=False)


def _calibration_data(sp, lines: list[str], model, state_size: int):
    """Real (tokens, state) pairs along valid sentences, for full-integer calibration."""
    def gen():
        for line in lines:
            ids = [EOS_ID] + sp.encode(line)
            state = np.zeros((1, state_size), np.float32)
            for t in ids[:48]:
                tok = np.array([t], np.int32)
                yield {"tokens": tok, "state": state}
                _, state = model.step(tok, state)
                state = np.asarray(state)
    return gen


def convert_saved_model(saved_model: Path, q: Quantization, calibration=None) -> bytes:
    conv = tf.lite.TFLiteConverter.from_saved_model(str(saved_model), signature_keys=[STEP_SIGNATURE])
    match q:
        case Quantization.FLOAT32:
            pass
        case Quantization.FLOAT16:
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
            conv.target_spec.supported_types = [tf.float16]
        case Quantization.INT8:
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
        case Quantization.INT8_FULL:
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
            conv.representative_dataset = calibration
            conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        case _:
            raise ValueError(f"unknown quantization {q!r}")
    return conv.convert()


def check_output_folder(out_dir: Path, force: bool) -> None:
    """Refuse, before any work, an output that is a file, an existing folder without
    ``force``, or (even with ``force``) a folder that is neither empty nor a bundle:
    --force replaces a bundle, never a folder of the user's. Raises BundleError."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise BundleError(f"output {out_dir} is a file, not a folder: nothing was written")
    if out_dir.is_dir():
        if not force:
            raise BundleError(f"output {out_dir} exists: pass --force to replace it")
        if any(out_dir.iterdir()) and not (out_dir / MANIFEST).is_file():
            raise BundleError(f"output {out_dir} is a folder that holds no bundle (no {MANIFEST}): --force replaces "
                              f"a bundle, never other files; choose another --out")


def export_bundle(cfg: ExportConfig) -> dict:
    """Write a verified bundle to ``cfg.out_dir``; returns its manifest."""
    run_dir, out_dir = Path(cfg.run_dir), Path(cfg.out_dir)
    q = Quantization.parse(cfg.quantization) if isinstance(cfg.quantization, str) else cfg.quantization
    check_output_folder(out_dir, cfg.force)
    tok_path = run_dir / TOKENIZER_FILE
    if not tok_path.is_file():
        raise BundleError(f"training run {run_dir} has no {TOKENIZER_FILE}; export needs the tokenizer the model was trained with")
    model, model_cfg = load_trained_model(run_dir)
    sp = load_tokenizer(tok_path)
    if sp.vocab_size() != model_cfg.vocab_size:
        raise BundleError(f"tokenizer {tok_path} has {sp.vocab_size()} pieces but the model config says vocab_size {model_cfg.vocab_size}")
    if sp.eos_id() != EOS_ID:
        raise BundleError(f"tokenizer {tok_path}: eos id {sp.eos_id()} != {EOS_ID}")

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    stages = tqdm(total=4, desc="export: SavedModel", unit=" stage", leave=False,
                  bar_format="{desc} [{n}/{total}, {elapsed}]")
    try:
        sm_dir = tmp / "_savedmodel"
        t0 = time.time()
        _write_saved_model(model, model_cfg.state_size, sm_dir)
        stages.update(1)
        stages.set_description(f"export: converting to {q.value}")
        valid_lines = _valid_lines(run_dir, cfg.verify_sentences)
        calibration = _calibration_data(sp, valid_lines[: cfg.calibration_sentences], model, model_cfg.state_size) \
            if q == Quantization.INT8_FULL else None
        try:
            tflite = convert_saved_model(sm_dir, q, calibration)
        except Exception as e:  # the converter raises many types; name the mode and keep its words
            raise BundleError(f"TFLite conversion failed for quantization {q.value}: {type(e).__name__}: {str(e)[:2000]}") from e
        shutil.rmtree(sm_dir)
        stages.update(1)
        stages.set_description("export: the lexicon")
        if q == Quantization.INT8:
            tflite = share_tied_embedding(tflite, np.asarray(model.embedding.embeddings))
        (tmp / MODEL_FILE).write_bytes(tflite)
        shutil.copyfile(tok_path, tmp / TOKENIZER_FILE)
        lexicon_entries = _write_lexicon(run_dir, cfg.lexicon, tmp / LEXICON_FILE) if cfg.lexicon else None
        log.info("converted %s in %.1fs: %d bytes", q.value, time.time() - t0, len(tflite))
        stages.update(1)
        stages.set_description(f"export: verifying against Keras on {len(valid_lines)} sentences")

        verification = verify_against_keras(tmp / MODEL_FILE, model, sp, valid_lines,
                                            VerificationConfig.for_quantization(q.value))
        # Manifest.build runs the engine's own checks, before the bundle is in place: what export
        # writes is what the runtime accepts (a bad name fails here, not at the user's first load).
        manifest = build_manifest(cfg, q, model_cfg, run_dir, tmp, verification, lexicon_entries)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
        opened = Bundle.open(tmp)
        bundle_settings(opened.manifest)
        write_pack_files(bundle_pack(opened.manifest), tmp)
        os.chmod(tmp, 0o755)  # (mkdtemp makes it 0700: a bundle is read by other users' apps too)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        stages.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def write_pack_files(pack, bundle_dir: Path) -> list[Path]:
    """Copy the language pack's data files (its shipped blocklist, its common letter-digit
    words) into ``bundle_dir/lang/``, so that a port (native/: an app's assets) finds them
    beside the model; the Python engine reads its package's copies (engine/lang/). Returns
    the files written. Raises BundleError when the pack names a file the package lacks."""
    from nextkey.engine import lang as lang_pkg

    src, dst = Path(lang_pkg.__file__).parent, Path(bundle_dir) / "lang"
    dst.mkdir(exist_ok=True)
    written = []
    for name in (pack.blocklist, pack.alnum_words):
        if not name:
            continue
        if not (src / name).is_file():
            raise BundleError(f"the language pack {pack.code!r} names {name}, which {src} lacks")
        shutil.copyfile(src / name, dst / name)
        written.append(dst / name)
    return written


def _write_lexicon(run_dir: Path, cfg: LexiconConfig, path: Path) -> int:
    """The lexicon from the run's own train split and wordfreq; returns its entry count."""
    try:
        train_text = corpus_of(run_dir) / "train.txt"
    except TrainError as e:
        raise BundleError(f"cannot build the lexicon of {run_dir}: {e}") from None
    if not train_text.is_file():
        raise BundleError(f"cannot build the lexicon of {run_dir}: its train split {train_text} is missing")
    entries = build_lexicon(train_text, cfg)
    write_lexicon(entries, path)
    return len(entries)


def _valid_lines(run_dir: Path, n: int) -> list[str]:
    """The first ``n`` sentences of the valid split the run was trained with."""
    try:
        return valid_lines(run_dir, n)
    except TrainError as e:
        raise BundleError(f"cannot find the valid split of {run_dir} ({e}); export verifies the bundle on it") from None


def build_manifest(cfg: ExportConfig, q: Quantization, model_cfg, run_dir: Path, bundle: Path, verification: dict,
                   lexicon_entries: int | None = None) -> dict:
    """This export's manifest, through the format's one writer (engine/bundle.py Manifest.build)."""
    report = read_report(run_dir)
    corpus = report.get("corpus") or {}
    lexicon = None
    if lexicon_entries is not None:
        lexicon = {"entries": lexicon_entries, "format": "form<TAB>count per billion words, most frequent first",
                   "sources": ["the training corpus's word counts (train split)",
                               f"wordfreq {cfg.lexicon.language!r} top {cfg.lexicon.wordfreq_top:,}"]
                   + ([f"Hunspell {get_pack(cfg.lexicon.language).hunspell} (spylls): corpus-only words one edit "
                       f"from a {cfg.lexicon.typo_ratio:g}x more frequent word kept only if it knows them"]
                      if cfg.lexicon.typo_ratio > 0 and get_pack(cfg.lexicon.language).hunspell else []),
                   "apostrophe": "folded to '; the engine shows the one the user types",
                   "config": asdict(cfg.lexicon)}
    provenance = {
        "model_config": asdict(model_cfg),
        "training": {
            "run_dir": str(run_dir.resolve()),
            "sources": corpus.get("sources"),
            "sentences": corpus.get("sentences"),
            "words": corpus.get("words"),
            "steps": report.get("step"),
            "epochs": report.get("epochs"),
            "valid": report.get("valid"),
            "test": report.get("test"),
        },
        "evaluation": verification,
    }
    return Manifest.build(
        bundle, name=cfg.name or f"{run_dir.name}-{q.value}", quantization=q, vocab_size=model_cfg.vocab_size,
        layers=[model_cfg.hidden_dim] * model_cfg.num_layers,
        special_ids={"pad": PAD_ID, "unk": UNK_ID, "bos": BOS_ID, "eos": EOS_ID, "start_of_text": EOS_ID},
        language=cfg.language, settings=_language_settings(cfg.settings, cfg.language).to_dict(), lexicon=lexicon,
        provenance=provenance).data


def _language_settings(settings: EngineSettings, language: str | None) -> EngineSettings:
    """``settings`` with the slip model on the language's own keyboard (its pack's first
    layout: QWERTZ for German) when they name the default QWERTY, which the language's
    keyboards may not use."""
    from dataclasses import replace

    from nextkey.engine.lang import get_pack

    pack = get_pack(language or "en")
    first = pack.layouts[0][0]
    if settings.slips.layout == EngineSettings().slips.layout and first != settings.slips.layout:
        settings = replace(settings, slips=replace(settings.slips, layout=first))
    return settings
