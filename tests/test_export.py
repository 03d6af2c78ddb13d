import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nextkey.engine import Engine
from nextkey.engine.bundle import pieces_fingerprint, read_manifest
from nextkey.engine.errors import BundleError
from nextkey.engine.runner import StepRunner, interpreter_class
from nextkey.export.convert import ExportConfig, Quantization, export_bundle
from nextkey.export.verify import bundle_logprobs, keras_reference
from nextkey.train.run_dir import load_trained_model
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
    assert set(data["sha256"]) == {"model.tflite", "tokenizer.model", "lexicon.tsv"}
    assert data["lexicon"]["entries"] == len((tiny_bundle / "lexicon.tsv").read_text().splitlines())
    sp = load_tokenizer(tiny_bundle / "tokenizer.model")
    assert data["tokenizer"]["pieces_sha256"] == pieces_fingerprint(sp)
    assert data["training"]["valid"] == json.loads((Path(data["training"]["run_dir"]) / "report.json").read_text())["valid"]
    # the pack's files travel with the bundle (a port reads them from lang/), equal to the package's
    lang_src = Path(__file__).resolve().parent.parent / "engine" / "lang"
    for name in ("en_blocklist.txt", "en_alnum.txt"):
        assert (tiny_bundle / "lang" / name).read_bytes() == (lang_src / name).read_bytes()


def test_quantized_agreement_computed_here(tiny_run, tiny_bundle, tmp_path):
    """int8 and int8-full built here, their next-token top-3 agreement with float32
    computed by this test on sentences the model was not trained on."""
    sp = load_tokenizer(tiny_run / "tokenizer.model")
    sentences = ["She will meet the team next week.", "How are you doing today?", "We want to go home on Friday."]
    seqs = [[EOS_ID] + sp.encode(t) for t in sentences]
    ref_m = read_manifest(tiny_bundle)
    ref = StepRunner(ref_m.model_path, ref_m.vocab_size, ref_m.state_size)
    for q in ("int8", "int8-full"):
        out = tmp_path / q
        export_bundle(ExportConfig(run_dir=tiny_run, out_dir=out, quantization=q, verify_sentences=20,
                                   calibration_sentences=20, lexicon=None))
        m = read_manifest(out)
        runner = StepRunner(m.model_path, m.vocab_size, m.state_size)
        agree = total = 0
        for ids in seqs:
            a, b = bundle_logprobs(ref, ids), bundle_logprobs(runner, ids)  # (T, V)
            top_a = np.argsort(-a, axis=1)[:, :3]
            top_b = np.argsort(-b, axis=1)[:, :3]
            agree += sum(len(set(x) & set(y)) for x, y in zip(top_a.tolist(), top_b.tolist()))
            total += 3 * len(ids)
        assert agree / total >= TOP_K_THRESHOLD, (q, agree / total)
        assert "lexicon" not in m.data["files"]  # lexicon=None builds none


def test_tie_shares_one_embedding_copy(tiny_run, tmp_path):
    """export/tie.py alone: the int8 flatbuffer keeps one copy of the tied embedding, same outputs."""
    from nextkey.export.convert import _write_saved_model, convert_saved_model
    from nextkey.export.tie import share_tied_embedding

    model, cfg = load_trained_model(tiny_run)
    _write_saved_model(model, cfg.state_size, tmp_path / "sm")
    plain = convert_saved_model(tmp_path / "sm", Quantization.INT8)
    tied = share_tied_embedding(plain, np.asarray(model.embedding.embeddings))
    assert len(tied) < len(plain)
    outs = []
    for name, blob in (("plain", plain), ("tied", tied)):
        f = tmp_path / f"{name}.tflite"
        f.write_bytes(blob)
        r = StepRunner(f, cfg.vocab_size, cfg.state_size)
        outs.append(r.step(np.array([3, 5], np.int32), np.zeros((2, cfg.state_size), np.float32))[0])
    # One per-tensor quantization instead of per-row scales moves the far tail a
    # little (max 0.26 nats at log-prob -23 here); what decides suggestions must not move.
    assert np.argsort(-outs[0], axis=1)[:, :3].tolist() == np.argsort(-outs[1], axis=1)[:, :3].tolist()
    assert float(np.abs(np.exp(outs[0]) - np.exp(outs[1])).sum(axis=1).max()) < 0.05  # L1 distance of the distributions


def test_nextkey_verify_passes_and_names_a_mismatch(tiny_run, tiny_bundle, tmp_path, capsys):
    from nextkey.cli.main import main

    assert main(["verify", str(tiny_bundle), "--sentences", "10"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "ok" and out["quantization"] == "float32"
    b = _copy(tiny_bundle, tmp_path)
    (b / "lexicon.tsv").write_text("word\t5\n")
    assert main(["verify", str(b)]) == 2
    assert "lexicon.tsv is corrupt or was replaced" in capsys.readouterr().err


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
    from nextkey.train.run_dir import TrainError

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


# -------------------------------------------------------------- the manifest schema


def _with_manifest(bundle, tmp_path, change):
    b = _copy(bundle, tmp_path)
    data = json.loads((b / "manifest.json").read_text())
    change(data)
    (b / "manifest.json").write_text(json.dumps(data))
    return b


def _set(path, value):
    def change(data):
        d = data
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return change


@pytest.mark.parametrize("path, value, message", [
    (("sha256",), ["x"], r"field 'sha256' is \['x'\]; expected an object"),
    (("sha256", "model.tflite"), "abc", r"field 'sha256.model.tflite' is 'abc'; expected 64 lowercase hex"),
    (("special_tokens", "start_of_text"), 99999, r"field 'special_tokens.start_of_text' is 99999; expected a token id in \[0, "),
    (("special_tokens", "start_of_text"), -5, r"field 'special_tokens.start_of_text' is -5"),
    (("special_tokens", "eos"), True, r"field 'special_tokens.eos' is True"),
    (("vocab_size",), "8000", r"field 'vocab_size' is '8000'; expected an integer"),
    (("state", "size"), 0, r"field 'state.size' is 0"),
    (("quantization",), "int4", r"field 'quantization' is 'int4'; expected one of"),
    (("files", "model"), "../model.tflite", r"field 'files.model' is '../model.tflite'; expected a plain file name"),
    (("format_version",), 2, r"field 'format_version' is 2"),
    (("tokenizer", "pieces_sha256"), None, r"field 'tokenizer.pieces_sha256' is None"),
    (("lexicon", "entries"), 0, r"field 'lexicon.entries' is 0"),
])
def test_malformed_manifest_fields_are_named(tiny_bundle, tmp_path, path, value, message):
    b = _with_manifest(tiny_bundle, tmp_path, _set(path, value))
    with pytest.raises(BundleError, match=message):
        Engine.load(b)


def test_missing_field_is_named(tiny_bundle, tmp_path):
    b = _with_manifest(tiny_bundle, tmp_path, lambda d: d.pop("special_tokens"))
    with pytest.raises(BundleError, match="field 'special_tokens.eos' is missing"):
        Engine.load(b)


def test_tokenizer_with_shuffled_pieces_is_refused(tiny_bundle, tmp_path):
    """Same pieces, another order, checksum updated: only the fingerprint can tell."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    from nextkey.engine.bundle import sha256_file

    b = _copy(tiny_bundle, tmp_path)
    proto = pb.ModelProto()
    proto.ParseFromString((b / "tokenizer.model").read_bytes())
    normal = [i for i, p in enumerate(proto.pieces) if p.type == pb.ModelProto.SentencePiece.NORMAL]
    i, j = normal[10], normal[20]
    a, c = proto.pieces[i].piece, proto.pieces[j].piece
    proto.pieces[i].piece, proto.pieces[j].piece = c, a
    (b / "tokenizer.model").write_bytes(proto.SerializeToString())
    _set(("sha256", "tokenizer.model"), sha256_file(b / "tokenizer.model"))(data := json.loads((b / "manifest.json").read_text()))
    (b / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(BundleError, match="not the one the model was trained with: pieces fingerprint"):
        Engine.load(b)


def test_lexicon_with_a_bad_line_or_count_is_refused(tiny_bundle, tmp_path):
    from nextkey.engine.bundle import sha256_file

    # checksum and size written back: only the content is wrong (the line is named, never quoted)
    for text, entries, message in (("word\tx\n", 1, "line 1 is not 'word<TAB>count' with count >= 1: the count"),
                                   ("a\t3\nb\t2\n", None, "lexicon has 2 entries but manifest lexicon.entries is")):
        b = _copy(tiny_bundle, tmp_path / str(len(text)))
        (b / "lexicon.tsv").write_text(text)
        data = json.loads((b / "manifest.json").read_text())
        data["sha256"]["lexicon.tsv"] = sha256_file(b / "lexicon.tsv")
        data["size_bytes"]["lexicon.tsv"] = len(text)
        if entries is not None:
            data["lexicon"]["entries"] = entries
        (b / "manifest.json").write_text(json.dumps(data))
        with pytest.raises(BundleError, match=message):
            Engine.load(b)


def test_cli_names_the_missing_extra(tiny_bundle, monkeypatch, capsys):
    """After `make demo` (runtime only) `nextkey verify` needs TensorFlow: one line says which extra."""
    import builtins

    from nextkey.cli.main import main

    real_import = builtins.__import__

    def no_tensorflow(name, *args, **kw):
        if name.split(".")[0] in ("tensorflow", "keras"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kw)

    for mod in [m for m in list(__import__("sys").modules) if m.startswith("nextkey.export") or m.startswith("nextkey.train")]:
        monkeypatch.delitem(__import__("sys").modules, mod)
    monkeypatch.setattr(builtins, "__import__", no_tensorflow)
    assert main(["verify", str(tiny_bundle)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'nextkey[train]'" in err, err


def test_export_refuses_what_the_engine_would_refuse_before_writing(tiny_run, tmp_path):
    """A bundle name the engine refuses (a line break) fails at export, and nothing is left at --out."""
    out = tmp_path / "out"
    with pytest.raises(BundleError, match="name"):
        export_bundle(ExportConfig(run_dir=tiny_run, out_dir=out, quantization=Quantization.FLOAT32,
                                   verify_sentences=20, name="two\nlines"))
    assert not out.exists()
