"""``nextkey verify BUNDLE``: a bundle checked on its own and against its Keras model.

Checks the manifest, both checksums and the ``step`` signature's shapes, then
compares the bundle with the training run's Keras model on valid text (the
run recorded in the manifest, or ``--run``). Raises BundleError or
VerificationError naming what disagrees.
"""

from __future__ import annotations

from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.errors import BundleError
from nextkey.train.tokenizer import load_tokenizer
from nextkey.train.corpus import read_lines
from nextkey.train.run_dir import load_trained_model

from .verify import VerificationConfig, check, compare, keras_reference


def verify_bundle(bundle: Path, run_dir: Path | None = None, text: Path | None = None, sentences: int = 200) -> dict:
    engine = Engine.load(bundle)  # manifest, checksums, tokenizer and signature checks
    m = engine.manifest
    run_dir = run_dir or Path(m.data.get("training", {}).get("run_dir") or "")
    if not (run_dir / "model_config.json").exists():
        raise BundleError(f"cannot compare {bundle} with its Keras model: training run {run_dir} not found "
                          "(pass --run RUN_DIR)")
    if text is None:
        pointer = run_dir / "corpus_dir.txt"
        text = Path(pointer.read_text().strip()) / "valid.txt" if pointer.exists() else None
    if text is None or not text.is_file():
        raise BundleError(f"no text to verify on: {text} (pass --text FILE)")
    model, cfg = load_trained_model(run_dir)
    if (cfg.vocab_size, cfg.state_size) != (m.vocab_size, m.state_size):
        raise BundleError(f"training run {run_dir} (vocab {cfg.vocab_size}, state {cfg.state_size}) is not the one "
                          f"bundle {bundle} came from (vocab {m.vocab_size}, state {m.state_size})")
    vcfg = VerificationConfig.for_quantization(m.quantization)
    sp = load_tokenizer(m.tokenizer_path)
    result = compare(engine.new_runner(), keras_reference(model), sp, read_lines(text, sentences), vcfg)
    check(result, vcfg, f"bundle {bundle}")
    return {"bundle": str(bundle), "quantization": m.quantization, "run_dir": str(run_dir), "text": str(text),
            **result, "verdict": "ok"}
