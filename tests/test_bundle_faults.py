"""Bundles that lie (issue 19, points 5 to 7): each fault is refused with a BundleError that names
the file, never a raw error, and never quotes the content of a file.

Every case starts from a copy of the shipped bundle (or the tiny test bundle). Where the fault is
"the checksums match but the content is wrong", the damaged file's sha256 and size are written back
into the manifest, so only the checks behind the checksum can catch it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import sentencepiece as spm

import nextkey.engine.bundle as bundle_mod
from nextkey.engine import Engine
from nextkey.engine.bundle import MAX_FILE_BYTES, MAX_LEXICON_ENTRIES, MAX_MANIFEST_BYTES, Bundle, pieces_fingerprint
from nextkey.engine.errors import BundleError
from nextkey.engine.lexicon import Lexicon
from nextkey.engine.runner import interpreter_class

DEFAULT = Path(bundle_mod.__file__).parent / "default_bundle"
SECRET = "PRIVATE-LINE-7f3a"  # text in a damaged or foreign file that no error may show


# ---------------------------------------------------------------- helpers


def copy_bundle(tmp_path: Path, src: Path = DEFAULT) -> Path:
    dst = tmp_path / "bundle"
    shutil.copytree(src, dst)
    return dst


def manifest(b: Path) -> dict:
    return json.loads((b / "manifest.json").read_text())


def write_manifest(b: Path, data: dict) -> None:
    (b / "manifest.json").write_text(json.dumps(data, indent=2))


def rewrite(b: Path, name: str, data: bytes, *, size: bool = True, **fields) -> None:
    """Replace a file and write its sha256 (and, unless ``size`` is false, its size) back into the
    manifest: the checksums match, the content is wrong. ``fields``: "a.b" (as a__b) -> value."""
    (b / name).write_bytes(data)
    m = manifest(b)
    m["sha256"][name] = hashlib.sha256(data).hexdigest()
    if size:
        m["size_bytes"][name] = len(data)
    for dotted, value in fields.items():
        *path, last = dotted.split("__")
        node = m
        for part in path:
            node = node[part]
        node[last] = value
    write_manifest(b, m)


def refused(b: Path, *words: str, load=Bundle.open) -> str:
    """``load(b)`` raises a BundleError holding every one of ``words`` and never SECRET."""
    with pytest.raises(BundleError) as e:
        load(b)
    msg = str(e.value)
    assert SECRET not in msg, msg
    for w in words:
        assert w in msg, (w, msg)
    return msg


def forbid(monkeypatch, owner, name: str) -> None:
    """Make ``owner.name`` fail the test if called: what a refusal must come before."""
    def called(*a, **k):
        raise AssertionError(f"{name} was called: the fault should be refused before it")
    monkeypatch.setattr(owner, name, called)


def test_the_shipped_bundle_loads():
    """The control for every case below: the copy source is a good bundle (language and settings
    included, which the checks must not take for unknown fields)."""
    m = Bundle.open(DEFAULT).manifest
    assert m.data["language"] == "en" and isinstance(m.data["settings"], dict)


# ---------------------------------------------------------------- 5. content behind a matching checksum


# Found by flipping bytes of the shipped int8 model's flatbuffer tail (the tensor tables) and keeping
# those LiteRT's constructor accepts: the guards below fail, with this comment's reason, if the
# shipped model changes.
MODEL_FAILS_AT_ALLOCATION = (1737084, b"\x40")  # a FULLY_CONNECTED filter's rank becomes 0
MODEL_GIVES_NAN = (1738160, b"\xff\xff\x7f\x7f")  # a quantization scale becomes float32's largest


def _damaged_model(at: tuple[int, bytes]) -> bytes:
    pos, new = at
    data = bytearray((DEFAULT / "model.tflite").read_bytes())
    data[pos:pos + len(new)] = new
    return bytes(data)


def test_model_that_fails_at_allocation(tmp_path):
    data = _damaged_model(MODEL_FAILS_AT_ALLOCATION)
    interpreter_class()(model_content=data)  # guard: the constructor accepts it (the old code wrapped only that)
    b = copy_bundle(tmp_path)
    rewrite(b, "model.tflite", data)
    refused(b, "model.tflite", "not a loadable TFLite model", load=Engine.load)


def test_model_that_gives_nan(tmp_path):
    data = _damaged_model(MODEL_GIVES_NAN)
    interp = interpreter_class()(model_content=data)  # guard: LiteRT builds and runs it without a word
    runner = interp.get_signature_runner("step")
    out = runner(tokens=np.zeros(1, np.int32), state=np.zeros((1, 384), np.float32))
    assert np.isnan(out["logprobs"]).any()
    b = copy_bundle(tmp_path)
    rewrite(b, "model.tflite", data)
    refused(b, "model.tflite", "NaN", load=Engine.load)


def test_model_error_does_not_quote_its_bytes(tmp_path):
    data = bytearray((DEFAULT / "model.tflite").read_bytes())
    data[4:8] = b"Q#Z!"  # LiteRT's own message quotes the identifier it finds
    b = copy_bundle(tmp_path)
    rewrite(b, "model.tflite", bytes(data))
    msg = refused(b, "model.tflite", "TFL3", load=Engine.load)
    assert "Q#Z!" not in msg


def test_tokenizer_with_a_piece_that_is_not_utf8(tmp_path):
    data = bytearray((DEFAULT / "tokenizer.model").read_bytes())
    at = data.index("▁the".encode()) + 3  # the "t" of the piece "▁the"
    data[at] = 0xFF
    b = copy_bundle(tmp_path)
    rewrite(b, "tokenizer.model", bytes(data))
    refused(b, "tokenizer.model", "not UTF-8")


def _deep(n: int) -> str:
    return "[" * n + "]" * n


@pytest.mark.parametrize("payload, words", [
    (_deep(5000), "nests more than"),  # deeper than the parser's recursion limit
    (_deep(40), "nests more than"),  # within it, and still no figure the format has
    ("1" + "0" * 5000, "a number of 5001 characters"),  # past int()'s digit limit
    ("1" + "0" * 40, "a number of 41 characters"),
    ("1e999", "overflows a float64"),
    ("NaN", "NaN, which is not JSON"),
    ("-Infinity", "-Infinity, which is not JSON"),
], ids=["deep-5000", "deep-40", "digits-5000", "digits-40", "float-overflow", "nan", "infinity"])
def test_manifest_json_the_format_never_holds(tmp_path, payload, words):
    b = copy_bundle(tmp_path)
    text = (b / "manifest.json").read_text()
    (b / "manifest.json").write_text(text.replace('"training": {', f'"training": {{"x": {payload}, ', 1))
    refused(b, "manifest.json", words)


def test_manifest_with_a_key_twice(tmp_path):
    """JSON readers differ on which of two values wins: a port would see another bundle."""
    b = copy_bundle(tmp_path)
    text = (b / "manifest.json").read_text()
    (b / "manifest.json").write_text(text.replace('"name": "default-int8"', '"name": "a", "name": "b"', 1))
    refused(b, "manifest.json", "'name' twice")


def test_manifest_that_is_not_utf8(tmp_path):
    b = copy_bundle(tmp_path)
    raw = (b / "manifest.json").read_bytes()
    (b / "manifest.json").write_bytes(raw.replace(b'"default-int8"', b'"default-\xff\xfe"', 1))
    refused(b, "manifest.json", "not UTF-8")


def test_eval_out_an_existing_file(tmp_path, capsys):
    from nextkey.cli.main import main

    text = tmp_path / "text.txt"
    text.write_text("Hello there.\n")
    out = tmp_path / "notes.txt"
    out.write_text(SECRET)
    assert main(["eval", "--text", str(text), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "notes.txt is a file, not a folder" in err and "Traceback" not in err
    assert out.read_text() == SECRET


# ---------------------------------------------------------------- 6. size limits, before reading


def test_manifest_over_the_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    b = copy_bundle(tmp_path)
    text = (b / "manifest.json").read_text()
    (b / "manifest.json").write_text(text + " " * (MAX_MANIFEST_BYTES + 1 - len(text)))  # still valid JSON
    forbid(monkeypatch, bundle_mod, "parse_manifest")
    refused(b, "manifest.json", f"a manifest is at most {MAX_MANIFEST_BYTES}")


def _lexicon(n: int) -> bytes:
    return "".join(f"w{i}\t1\n" for i in range(n)).encode()


def test_lexicon_over_the_size_limit_is_refused_before_any_file_is_read(tmp_path, monkeypatch):
    data = _lexicon(900_000)  # entries under MAX_LEXICON_ENTRIES, bytes over the lexicon limit
    assert len(data) > MAX_FILE_BYTES["lexicon"] and 900_000 < MAX_LEXICON_ENTRIES
    b = copy_bundle(tmp_path)
    rewrite(b, "lexicon.tsv", data, lexicon__entries=900_000)
    forbid(monkeypatch, bundle_mod, "sha256_file")
    refused(b, "manifest.json", "size_bytes", "lexicon limit")


def test_file_whose_size_is_not_the_declared_one_is_refused_before_hashing(tmp_path, monkeypatch):
    b = copy_bundle(tmp_path)
    data = (b / "lexicon.tsv").read_bytes() + b"zzzz\t1\n"  # a good lexicon, one entry longer
    rewrite(b, "lexicon.tsv", data, size=False, lexicon__entries=manifest(b)["lexicon"]["entries"] + 1)
    forbid(monkeypatch, bundle_mod, "sha256_file")
    refused(b, "lexicon.tsv", f"it is {len(data)} bytes but manifest size_bytes is {len(data) - 7}")


def test_lexicon_with_a_wrong_entry_count_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    b = copy_bundle(tmp_path)
    m = manifest(b)
    n = m["lexicon"]["entries"]
    m["lexicon"]["entries"] = n + 1
    write_manifest(b, m)
    forbid(monkeypatch, Lexicon, "__init__")
    refused(b, "lexicon.tsv", f"lexicon has {n} entries but manifest lexicon.entries is {n + 1}")


# ---------------------------------------------------------------- 7. every documented field


def _set(data: dict, dotted: str, value) -> None:
    *path, last = dotted.split("|")
    for part in path:
        data = data[part]
    if value is DELETE:
        del data[last]
    else:
        data[last] = value


DELETE = object()
STEP = "signatures|step"

# (field, a wrong value, words the error must hold[, the file it names: else manifest.json]);
# each but the bos id out of range, the unknown role and the manifest as lexicon passed the old checks.
FIELD_CASES = [
    ("special_tokens|start_of_text", 2, "'special_tokens.start_of_text' is 2; expected the eos id 3"),
    ("special_tokens|pad", 5, "tokenizer pad id 0 != manifest special_tokens.pad 5 (", "tokenizer.model"),
    ("special_tokens|unk", 0, "tokenizer unk id 1 != manifest special_tokens.unk 0 (", "tokenizer.model"),
    ("special_tokens|bos", 8000, "'special_tokens.bos' is 8000; expected a token id in [0, 8000)"),
    ("state|initial", "random", "'state.initial' is 'random'"),
    ("state|dtype", "float16", "'state.dtype' is 'float16'"),
    ("state|layout", [{"layer": 0, "offset": 1, "size": 384}], "'state.layout.0'"),
    ("state|layout", [{"layer": 0, "offset": 0, "size": 300}], "'state.layout' covers 300 values"),
    ("state|layout", DELETE, "'state.layout' is missing"),
    (f"{STEP}|inputs|tokens|dtype", "int64", "'signatures.step.inputs.tokens.dtype' is 'int64'"),
    (f"{STEP}|inputs|state|shape", [-1, 383], "'signatures.step.inputs.state.shape' is [-1, 383]"),
    (f"{STEP}|outputs|logprobs|shape", [8000], "'signatures.step.outputs.logprobs.shape' is [8000]"),
    (f"{STEP}|outputs|state", DELETE, "'signatures.step.outputs' has keys ['logprobs']"),
    (f"{STEP}|outputs|extra", {"dtype": "float32", "shape": [-1]}, "'signatures.step.outputs' has keys"),
    ("tokenizer|type", "bpe", "'tokenizer.type' is 'bpe'"),
    ("tokenizer|byte_fallback", False, "'tokenizer.byte_fallback' is False"),
    ("tokenizer|split_digits", False, "'tokenizer.split_digits' is False"),
    ("tokenizer|word_boundary", "_", "'tokenizer.word_boundary' is '_'"),
    ("tokenizer|normalization", "NFKC", "'tokenizer.normalization' is 'NFKC'"),
    ("size_bytes|model.tflite", 1740057, "model.tflite is corrupt or was replaced: it is 1740056 bytes but "
     "manifest size_bytes is 1740057", "model.tflite"),
    ("size_bytes|lexicon.tsv", DELETE, "'size_bytes.lexicon.tsv' is missing"),
    ("size_bytes|model.tflite", MAX_FILE_BYTES["model"] + 1, "the model limit"),
    ("size_bytes|other.bin", 5, "'size_bytes' has keys"),
    ("files|extra", "extra.bin", "file role 'extra'"),
    ("files|lexicon", "manifest.json", "'files.lexicon' is 'manifest.json'"),
    ("lexicon|entries", MAX_LEXICON_ENTRIES + 1, f"an integer in [1, {MAX_LEXICON_ENTRIES}]"),
    ("created", "yesterday", "'created' is 'yesterday'"),
    ("name", "two\nlines", "'name' is 'two\\nlines'"),
    ("name", "x" * 5000, "... (5002 characters)"),  # a long value is cut short in the message
    ("language", 5, "'language' is 5"),
    ("settings", [1], "'settings' is [1]"),
    ("model_config|num_layers", 2, "'model_config.num_layers' is 2"),
]


@pytest.mark.parametrize("case", FIELD_CASES,
                         ids=[f"{c[0].replace('|', '.')}={'deleted' if c[1] is DELETE else str(c[1])[:20]}"
                              for c in FIELD_CASES])
def test_every_documented_field_is_checked(tmp_path, case):
    field, value, words, *named = case
    b = copy_bundle(tmp_path)
    m = manifest(b)
    _set(m, field, value)
    write_manifest(b, m)
    refused(b, words, *(named or ["manifest.json"]))


def test_fields_the_format_does_not_document_are_ignored(tmp_path):
    b = copy_bundle(tmp_path)
    m = manifest(b)
    m["vendor"] = {"note": "added by an app"}
    write_manifest(b, m)
    assert Bundle.open(b).manifest.data["vendor"]["note"] == "added by an app"


# ---------------------------------------------------------------- 7. links and file content


@pytest.mark.parametrize("name", ["model.tflite", "tokenizer.model", "lexicon.tsv", "manifest.json"])
def test_link_out_of_the_bundle_is_refused(tmp_path, name):
    b = copy_bundle(tmp_path)
    outside = tmp_path / f"outside-{name}"
    shutil.copyfile(b / name, outside)  # the same bytes: only the link's target is wrong
    (b / name).unlink()
    (b / name).symlink_to(outside)
    refused(b, name, "outside the bundle folder")


def test_lexicon_linked_to_a_system_file_is_not_quoted(tmp_path):
    """A lexicon pointing at a file of the user's (its checksum, size and count written to match):
    refused for the link, and its first line never shown."""
    b = copy_bundle(tmp_path)
    private = tmp_path / "private.txt"
    private.write_text(f"{SECRET}\n")
    (b / "lexicon.tsv").unlink()
    (b / "lexicon.tsv").symlink_to(private)
    data = private.read_bytes()
    m = manifest(b)
    m["sha256"]["lexicon.tsv"] = hashlib.sha256(data).hexdigest()
    m["size_bytes"]["lexicon.tsv"] = len(data)
    m["lexicon"]["entries"] = 1
    write_manifest(b, m)
    refused(b, "lexicon.tsv", "outside the bundle folder")


def test_link_inside_the_bundle_is_followed(tmp_path):
    b = copy_bundle(tmp_path)
    (b / "data").mkdir()
    os.replace(b / "lexicon.tsv", b / "data" / "lexicon.tsv")
    (b / "lexicon.tsv").symlink_to(Path("data") / "lexicon.tsv")
    assert len(Bundle.open(b).lexicon) == manifest(b)["lexicon"]["entries"]


def test_bad_lexicon_line_is_named_not_quoted(tmp_path):
    b = copy_bundle(tmp_path)
    lines = (b / "lexicon.tsv").read_text().split("\n")
    lines[2] = SECRET  # no tab
    rewrite(b, "lexicon.tsv", "\n".join(lines).encode())
    refused(b, "lexicon.tsv", "line 3", "it has no tab")


def test_non_regular_file_is_refused(tmp_path):
    b = copy_bundle(tmp_path)
    (b / "lexicon.tsv").unlink()
    (b / "lexicon.tsv").mkdir()
    refused(b, "lexicon.tsv", "not a regular file")


# ---------------------------------------------------------------- the tokenizer's digit splitting


def _train(split_digits: bool) -> bytes:
    """A small tokenizer, as train/tokenizer.py trains one, on text full of numbers."""
    lines = [f"call {i * 7919 % 100000} at {i % 24}:{i % 60:02d} on the {i % 28 + 1}th of {1900 + i % 125}"
             for i in range(3000)]
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buf, model_type="unigram", vocab_size=400,
        byte_fallback=True, split_digits=split_digits, normalization_rule_name="identity", hard_vocab_limit=False,
        pad_id=0, unk_id=1, bos_id=2, eos_id=3, minloglevel=2)
    return buf.getvalue()


def _bundle_with_tokenizer(tmp_path: Path, data: bytes) -> Path:
    """The shipped bundle with another tokenizer, its manifest made to agree in every field."""
    sp = spm.SentencePieceProcessor()
    sp.LoadFromSerializedProto(data)
    v = sp.get_piece_size()
    b = copy_bundle(tmp_path)
    rewrite(b, "tokenizer.model", data, vocab_size=v, tokenizer__pieces_sha256=pieces_fingerprint(sp),
            model_config__vocab_size=v)
    m = manifest(b)
    m["signatures"]["step"]["outputs"]["logprobs"]["shape"] = [-1, v]
    write_manifest(b, m)
    return b


def test_tokenizer_trained_without_digit_splitting_is_refused(tmp_path):
    ok = _bundle_with_tokenizer(tmp_path / "split", _train(split_digits=True))
    assert Bundle.open(ok).sp.encode("2024", out_type=str)[1:] == ["2", "0", "2", "4"]
    bad = _bundle_with_tokenizer(tmp_path / "whole", _train(split_digits=False))
    refused(bad, "tokenizer.model", "more than one digit", "tokenizer.split_digits")


def test_tiny_bundle_spells_digits_in_byte_pieces_and_loads(tiny_bundle):
    """Its corpus has no digits, so digits encode as byte pieces ("<0x32>"): split, whatever the
    piece's name spells."""
    b = Bundle.open(tiny_bundle)
    ids = b.sp.encode("2024")[1:]
    assert len(ids) == 4 and all(b.sp.is_byte(i) for i in ids)
