import json
import shutil

import numpy as np
import pytest

from nextkey.engine import Engine
from nextkey.engine.bundle import read_manifest
from nextkey.engine.errors import BundleError
from nextkey.engine.runner import StepRunner, interpreter_class
from nextkey.export.convert import ExportConfig, Quantization, export_bundle
from nextkey.export.verify import bundle_logprobs, keras_reference
from nextkey.train.train import load_trained_model
from nextkey.train.tokenizer import EOS_ID, load_tokenizer

TOP_K_THRESHOLD = 0.85  # quantized vs float32 next-token agreement, stated in docs/bundle-format.md


def test_every_mode_loads_with_the_step_signature(tiny_bundles):
    for q, path in tiny_bundles.items():
        m = read_manifest(path)
        assert m.quantization == q
        interp = interpreter_class()(model_path=str(m.model_path))
        sig = interp.get_signature_list()["step"]
        assert sorted(sig["inputs"]) == ["state", "tokens"]
        assert sorted(sig["outputs"]) == ["logprobs", "state"]
        runner = StepRunner(m.model_path, m.vocab_size, m.state_size)
        for b in (1, 3, 8):  # dynamic batch
            lp, st = runner.step(np.arange(b, dtype=np.int32), np.zeros((b, m.state_size), np.float32))
            assert lp.shape == (b, m.vocab_size) and st.shape == (b, m.state_size)
            np.testing.assert_allclose(np.exp(lp).sum(-1), 1.0, atol=1e-3)  # log-softmax


def test_quantized_bundles_are_smaller_and_agree(tiny_bundles):
    sizes = {q: read_manifest(p).data["size_bytes"]["model.tflite"] for q, p in tiny_bundles.items()}
    # (at this tiny size int8 vs float16 is a toss-up: the converter leaves tensors
    # under 1024 elements in float; the default model's sizes are in docs/)
    assert sizes["int8"] < sizes["float32"] and sizes["float16"] < sizes["float32"]
    for q in ("float16", "int8"):
        ev = read_manifest(tiny_bundles[q]).data["evaluation"]
        assert ev["top1_agreement"] >= TOP_K_THRESHOLD, (q, ev)
        assert ev["top3_agreement"] >= TOP_K_THRESHOLD, (q, ev)


def test_float32_matches_keras_token_by_token(tiny_run, tiny_bundle):
    model, cfg = load_trained_model(tiny_run)
    sp = load_tokenizer(tiny_run / "tokenizer.model")
    m = read_manifest(tiny_bundle)
    runner = StepRunner(m.model_path, m.vocab_size, m.state_size)
    ids = [EOS_ID] + sp.encode("I would like to see you on Monday.")
    ours = bundle_logprobs(runner, ids)
    ref = keras_reference(model)(ids)  # the whole sequence at once
    np.testing.assert_allclose(ours, ref, atol=1e-4)
    ev = m.data["evaluation"]
    assert ev["max_abs_logprob_diff"] < 1e-3 and ev["top1_agreement"] == 1.0


def test_manifest_records_what_an_app_needs(tiny_bundle):
    data = json.loads((tiny_bundle / "manifest.json").read_text())
    assert data["format"] == "nextkey-bundle" and data["format_version"] == 1
    assert data["signatures"]["step"]["inputs"]["state"]["shape"] == [-1, data["state"]["size"]]
    assert data["special_tokens"]["start_of_text"] == EOS_ID
    assert set(data["sha256"]) == {"model.tflite", "tokenizer.model"}
    assert data["training"]["valid"]["perplexity_per_word"] > 1
    assert data["evaluation"]["step_latency_ms"]["B8"] > 0


def _copy(bundle, tmp_path):
    dst = tmp_path / "b"
    shutil.copytree(bundle, dst)
    return dst


def test_truncated_model_is_rejected(tiny_bundle, tmp_path):
    b = _copy(tiny_bundle, tmp_path)
    data = (b / "model.tflite").read_bytes()
    (b / "model.tflite").write_bytes(data[: len(data) // 2])
    with pytest.raises(BundleError, match="sha256"):
        Engine.load(b)


def test_corrupt_manifest_is_rejected(tiny_bundle, tmp_path):
    b = _copy(tiny_bundle, tmp_path)
    (b / "manifest.json").write_text("{not json")
    with pytest.raises(BundleError, match="not valid JSON"):
        Engine.load(b)


def test_mismatched_vocab_is_rejected_with_both_values(tiny_bundle, tmp_path):
    b = _copy(tiny_bundle, tmp_path)
    data = json.loads((b / "manifest.json").read_text())
    data["vocab_size"] += 5
    (b / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(BundleError, match=r"pieces but manifest vocab_size"):
        Engine.load(b)


def test_mismatched_state_size_is_rejected(tiny_bundle, tmp_path):
    b = _copy(tiny_bundle, tmp_path)
    data = json.loads((b / "manifest.json").read_text())
    data["state"]["size"] = 7
    (b / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(BundleError, match="state width"):
        Engine.load(b)


def test_missing_files_and_folders(tiny_bundle, tmp_path):
    with pytest.raises(BundleError, match="does not exist"):
        Engine.load(tmp_path / "nowhere")
    b = _copy(tiny_bundle, tmp_path)
    (b / "tokenizer.model").unlink()
    with pytest.raises(BundleError, match="tokenizer file tokenizer.model is missing"):
        Engine.load(b)


def test_swapped_model_from_another_bundle_is_rejected(tiny_bundles, tmp_path):
    b = _copy(tiny_bundles["float32"], tmp_path)
    shutil.copyfile(tiny_bundles["int8"] / "model.tflite", b / "model.tflite")
    with pytest.raises(BundleError, match="corrupt or was replaced"):
        Engine.load(b)


def test_export_refuses_existing_output_and_bad_mode(tiny_run, tiny_bundle):
    with pytest.raises(BundleError, match="--force"):
        export_bundle(ExportConfig(run_dir=tiny_run, out_dir=tiny_bundle, quantization=Quantization.FLOAT32))
    assert read_manifest(tiny_bundle)  # untouched
    with pytest.raises(ValueError, match="unknown quantization 'int4'"):
        Quantization.parse("int4")


def test_export_needs_the_tokenizer(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "tokenizer.model").unlink()
    with pytest.raises(BundleError, match="no tokenizer.model"):
        export_bundle(ExportConfig(run_dir=run, out_dir=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_checkpoint_of_another_config_is_rejected(tiny_run, tmp_path):
    from nextkey.train.train import TrainError

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    cfg = json.loads((run / "model_config.json").read_text())
    cfg["hidden_dim"] *= 2
    (run / "model_config.json").write_text(json.dumps(cfg))
    with pytest.raises(TrainError, match="does not fit this model config"):
        export_bundle(ExportConfig(run_dir=run, out_dir=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_crash_mid_export_leaves_nothing(tiny_run, tmp_path, monkeypatch):
    import nextkey.export.convert as convert

    def boom(*a, **k):
        raise RuntimeError("simulated crash during verification")

    monkeypatch.setattr(convert, "verify_against_keras", boom)
    with pytest.raises(RuntimeError, match="simulated crash"):
        export_bundle(ExportConfig(run_dir=tiny_run, out_dir=tmp_path / "out"))
    assert list(tmp_path.iterdir()) == []
