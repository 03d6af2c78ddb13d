"""A model bundle on disk: the one artifact an app ships, opened and checked.

    BUNDLE/
      manifest.json    format version, shapes, special ids, checksums, figures
      model.tflite     signature `step`: tokens int32 [B], state float32 [B, S]
                       -> logprobs float32 [B, V], state float32 [B, S]
      tokenizer.model  the SentencePiece model the LM was trained with
      lexicon.tsv      the words the engine may offer, with prior counts (optional)

docs/bundle-format.md documents every field for app developers, and says
exactly what is checked. This module only reads and checks; export/ writes
bundles. ``Bundle.open`` checks, in this order, so that a bad bundle is
refused before anything large is read:

1. the manifest file: inside the bundle folder, a regular file of at most
   MAX_MANIFEST_BYTES (refused on its size before it is read), UTF-8 JSON no
   deeper than MAX_MANIFEST_DEPTH, numbers of at most MAX_NUMBER_CHARS
   characters that fit a float64, no NaN or Infinity, no key twice;
2. every documented field by type, range or fixed value (``validate``);
3. each file: inside the bundle folder (a link may not leave it), a regular
   file, its size equal to ``size_bytes`` (itself at most the role's
   MAX_FILE_BYTES); only when every size is right, each file's sha256;
4. the tokenizer against the manifest (``load_tokenizer``): piece count,
   special ids, pieces that are UTF-8, a fingerprint of its pieces (so a
   tokenizer with the same pieces in another order is refused), byte pieces
   and digit splitting;
5. the fields that must agree with each other (``check_agreement``): the step
   signature's widths, the state layout, the model config;
6. the lexicon: its line count against ``lexicon.entries`` before any line is
   parsed, then each line.

The runner checks the model itself (its identifier, its signature, and one
step from the zero state) when it loads it. Every refusal is a BundleError
naming the file; errors quote manifest fields (cut to 80 characters) but never
the content of the other files.
"""

from __future__ import annotations

import hashlib
from enum import Enum
import json
import math
import os
import re
import time
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import sentencepiece as spm

from .errors import BundleError
from .lang import bundle_pack
from .lexicon import Lexicon

FORMAT = "nextkey-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MODEL_FILE = "model.tflite"
TOKENIZER_FILE = "tokenizer.model"
LEXICON_FILE = "lexicon.tsv"
STEP_SIGNATURE = "step"
MAX_VOCAB = 1 << 20
MAX_STATE = 1 << 16

# Limits checked before a byte of the file is read, so a hostile or broken
# bundle is refused in milliseconds instead of filling memory.
# The shipped manifest is 4.5 KB; 1 MiB is 230 times that and parses in milliseconds.
MAX_MANIFEST_BYTES = 1 << 20
# The format's deepest value (signatures.step.inputs.tokens.shape[0]) is 6 levels down;
# 16 leaves room in the free-form figures and stays far below Python's recursion limit.
MAX_MANIFEST_DEPTH = 16
# json.dumps writes any float64 in at most 24 characters and the format's counts in under 20;
# a longer number is no figure (a 5,000-digit integer costs quadratic time to convert).
MAX_NUMBER_CHARS = 32
# The name is printed on terminals: one short line.
MAX_NAME_CHARS = 128
# Per file role, checked against size_bytes before the file is opened. model: 256 MiB is 150
# times the shipped int8 model (1.7 MB) and holds a float32 model of 60 million weights; each
# interpreter holds its own copy. tokenizer: MAX_VOCAB pieces at the shipped tokenizer's 18 bytes
# per piece are 19 MB; 32 MiB leaves room for longer pieces. lexicon: about 8 times export's
# default cut (LexiconConfig.max_bytes, 1 MB); the engine holds about 20 bytes of Python objects
# per byte of lexicon (18 MB for the shipped 0.9 MB), so 8 MiB costs some 170 MB.
MAX_FILE_BYTES = {"model": 256 << 20, "tokenizer": 32 << 20, "lexicon": 8 << 20}
# About 15 times the shipped lexicon's 68,000 entries; the 8 MiB above holds some 650,000.
MAX_LEXICON_ENTRIES = 1 << 20
ROLES = tuple(MAX_FILE_BYTES)  # the file roles this engine knows
REQUIRED_ROLES = ("model", "tokenizer")
BYTE_PIECES = 256  # SentencePiece's byte fallback adds one piece per byte value

_HEX64 = re.compile(r"[0-9a-f]{64}")
_FILE_NAME = re.compile(r"(?!\.+$)[A-Za-z0-9_.\-]+")  # one plain name; not "." or ".."
_CREATED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_LANGUAGE = re.compile(r"[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*")  # a pack code: "en", "pt-BR"
_TWO_DIGITS = re.compile(r"[0-9][^\n]*[0-9]")  # two ASCII digits in one line (one piece)

# The values the format fixes (docs/bundle-format.md): the engine supports these only.
STATE_DTYPE, STATE_INITIAL = "float32", "zeros"
TOKENIZER_FIXED = {"type": "sentencepiece-unigram", "byte_fallback": True, "split_digits": True,
                   "normalization": "NFC, applied by the caller", "word_boundary": "\u2581"}
# name -> dtype of each tensor of the step signature; its shape is [-1] or [-1, width]
STEP_INPUTS = {"tokens": "int32", "state": "float32"}
STEP_OUTPUTS = {"logprobs": "float32", "state": "float32"}


class Quantization(str, Enum):
    """How model.tflite's weights are stored (the manifest's ``quantization``); export/convert.py
    makes each."""

    FLOAT32 = "float32"
    FLOAT16 = "float16"
    INT8 = "int8"  # dynamic range: int8 weights, float activations
    INT8_FULL = "int8-full"  # full integer, calibrated on the valid split

    @classmethod
    def parse(cls, value: str) -> "Quantization":
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown quantization {value!r}: choose one of {[q.value for q in cls]}") from None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pieces_fingerprint(sp: spm.SentencePieceProcessor) -> str:
    """sha256 of the pieces in id order: the same for the same vocabulary, whatever the file bytes.
    Raises UnicodeDecodeError for a piece that is not UTF-8 (a damaged model)."""
    return _fingerprint([sp.id_to_piece(i) for i in range(sp.get_piece_size())])


def _fingerprint_file(path: Path) -> str:
    sp = spm.SentencePieceProcessor()
    sp.Load(str(path))
    return pieces_fingerprint(sp)


def _fingerprint(pieces: list[str]) -> str:
    h = hashlib.sha256()
    for piece in pieces:
        h.update(piece.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class Manifest:
    """The manifest of a bundle, validated: every accessor returns a checked value."""

    path: Path  # the bundle folder
    data: dict

    @property
    def vocab_size(self) -> int:
        return self.data["vocab_size"]

    @property
    def state_size(self) -> int:
        return self.data["state"]["size"]

    @property
    def eos_id(self) -> int:
        return self.data["special_tokens"]["eos"]

    @property
    def start_id(self) -> int:
        """The token fed first: the engine's empty context, as in training."""
        return self.data["special_tokens"]["start_of_text"]

    @property
    def quantization(self) -> str:
        return self.data["quantization"]

    @property
    def name(self) -> str:
        return self.data.get("name") or self.path.name

    @property
    def model_path(self) -> Path:
        return self.path / self.data["files"]["model"]

    @property
    def tokenizer_path(self) -> Path:
        return self.path / self.data["files"]["tokenizer"]

    @property
    def lexicon_path(self) -> Path | None:
        name = self.data["files"].get("lexicon")
        return self.path / name if name else None

    @property
    def pieces_sha256(self) -> str:
        return self.data["tokenizer"]["pieces_sha256"]

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())

    @classmethod
    def build(cls, bundle: Path, *, name: str, quantization: "Quantization", vocab_size: int,
              layers: list[int], special_ids: dict[str, int], language: str, settings: dict,
              lexicon: dict | None, provenance: dict) -> "Manifest":
        """The manifest of the files in ``bundle`` (the one writer of the format, beside its
        checker): checksums and sizes read from the files, the fixed fields from this
        module's constants (TOKENIZER_FIXED, STEP_INPUTS/OUTPUTS, STATE_DTYPE/INITIAL).
        ``layers``: each recurrent layer's state width (the state is their concatenation);
        ``special_ids``: pad, unk, bos, eos, start_of_text; ``lexicon``: its manifest entry
        (None: no lexicon file); ``provenance``: model_config, training and evaluation.
        Raises BundleError (validate's) when the result is not a manifest the engine accepts."""
        files = {"model": MODEL_FILE, "tokenizer": TOKENIZER_FILE}
        if lexicon is not None:
            files["lexicon"] = LEXICON_FILE
        s = sum(layers)
        offsets = [sum(layers[:i]) for i in range(len(layers))]
        tensor = {"tokens": [-1], "state": [-1, s], "logprobs": [-1, vocab_size]}
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": name,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": files,
            "sha256": {f: sha256_file(bundle / f) for f in files.values()},
            "size_bytes": {f: (bundle / f).stat().st_size for f in files.values()},
            "quantization": Quantization(quantization).value,
            "vocab_size": vocab_size,
            "state": {"size": s, "dtype": STATE_DTYPE, "initial": STATE_INITIAL,
                      "layout": [{"layer": i, "offset": o, "size": w} for i, (o, w) in enumerate(zip(offsets, layers))]},
            "signatures": {STEP_SIGNATURE: {
                "inputs": {k: {"dtype": d, "shape": tensor[k]} for k, d in STEP_INPUTS.items()},
                "outputs": {k: {"dtype": d, "shape": tensor[k]} for k, d in STEP_OUTPUTS.items()}}},
            "language": language,
            "settings": settings,
            "special_tokens": dict(special_ids),
            "tokenizer": {**TOKENIZER_FIXED, "pieces_sha256": _fingerprint_file(bundle / TOKENIZER_FILE)},
            **({"lexicon": lexicon} if lexicon is not None else {}),
            **provenance,
        }
        data = json.loads(json.dumps(data))  # as it will be read back
        validate(bundle / MANIFEST, data)
        return cls(bundle, data)


# ---------------------------------------------------------------- the schema


def _show(value: Any) -> str:
    """A field's value for an error message: its repr, cut short (a field may be megabytes)."""
    r = repr(value)
    return r if len(r) <= 80 else r[:60] + f"... ({len(r)} characters)"


class _Schema:
    """Reads fields of one manifest by dotted name; a bad field is a BundleError naming it."""

    def __init__(self, mpath: Path, data: dict):
        self.mpath, self.data = mpath, data

    def fail(self, name: str, value: Any, expect: str) -> BundleError:
        return BundleError(f"{self.mpath}: field {name!r} is {_show(value)}; expected {expect}")

    def get(self, name: str | tuple[str, ...], kind: type | tuple, expect: str,
            ok: Callable[[Any], bool] = lambda v: True, required: bool = True) -> Any:
        """``name``: "a.b" or a tuple of keys (for keys with dots, like file names)."""
        parts = tuple(name.split(".")) if isinstance(name, str) else name
        name = ".".join(parts)
        value: Any = self.data
        for part in parts:
            if not isinstance(value, dict) or part not in value:
                if not required:
                    return None
                raise BundleError(f"{self.mpath}: field {name!r} is missing; expected {expect}")
            value = value[part]
        bad_type = isinstance(value, bool) and kind is not bool or not isinstance(value, kind)
        if bad_type or not ok(value):
            raise self.fail(name, value, expect)
        return value

    def fixed(self, name: str, want: Any) -> None:
        """A field the format fixes to one value."""
        self.get(name, type(want), repr(want), lambda v: v == want)

    def keys(self, name: str, value: dict, want: list[str], what: str) -> None:
        """An object whose keys must be exactly ``want``."""
        if sorted(value) != sorted(want):
            raise BundleError(f"{self.mpath}: field {name!r} has keys {_show(sorted(value))}; expected "
                              f"exactly {sorted(want)} ({what})")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def validate(mpath: Path, data: Any) -> None:
    """Check every field the format documents, each on its own: presence, type, range or fixed value.
    Fields that must agree with each other or with the files are checked later (``check_agreement``,
    ``load_tokenizer``). Fields the format does not document are ignored.
    Raises BundleError naming the field, its value (cut short) and what was expected."""
    if not isinstance(data, dict):
        raise BundleError(f"{mpath} must hold a JSON object, got {type(data).__name__}")
    s = _Schema(mpath, data)
    s.get("format", str, f"{FORMAT!r}", lambda v: v == FORMAT)
    s.get("format_version", int, f"{FORMAT_VERSION} (the version this engine reads)", lambda v: v == FORMAT_VERSION)
    s.get("name", str, f"a line of 1 to {MAX_NAME_CHARS} printable characters",
          lambda v: 0 < len(v) <= MAX_NAME_CHARS and v.isprintable(), required=False)
    s.get("created", str, "a UTC time like '2026-11-29T08:53:19Z'", lambda v: bool(_CREATED.fullmatch(v)),
          required=False)
    # which language pack the engine uses, and the engine settings: the engine checks both when it
    # loads them (the pack by its code; engine/settings.py's bundle_settings); here only their shape
    s.get("language", str, "a language pack code like 'en'", lambda v: len(v) <= 16 and bool(_LANGUAGE.fullmatch(v)),
          required=False)
    s.get("settings", dict, "an object of engine settings", required=False)

    # files, and per file its checksum and size
    plain = "a plain file name inside the bundle"
    files = s.get("files", dict, "an object naming the model and tokenizer files")
    for role in REQUIRED_ROLES:
        s.get(f"files.{role}", str, plain, lambda v: bool(_FILE_NAME.fullmatch(v)))
    for role in files:
        if role not in ROLES:
            raise BundleError(f"{mpath}: field 'files' names a file role {_show(role)} this engine does not "
                              f"know; expected roles {list(ROLES)}")
        s.get(f"files.{role}", str, plain, lambda v: bool(_FILE_NAME.fullmatch(v)) and v != MANIFEST)
    names = list(files.values())
    if len(set(names)) != len(names):
        raise BundleError(f"{mpath}: field 'files' is {_show(files)}; expected a different file for each role")
    sha = s.get("sha256", dict, "an object of file name -> sha256 hex")
    for f in names:
        s.get(("sha256", f), str, "64 lowercase hex digits", lambda v: bool(_HEX64.fullmatch(v)))
    s.keys("sha256", sha, names, "one checksum per file in 'files'")
    sizes = s.get("size_bytes", dict, "an object of file name -> size in bytes")
    for role, f in files.items():
        limit = MAX_FILE_BYTES[role]
        s.get(("size_bytes", f), int, f"the size of {f} in bytes, an integer in [1, {limit}] (the {role} limit)",
              lambda v: 1 <= v <= limit)
    s.keys("size_bytes", sizes, names, "one size per file in 'files'")

    s.get("quantization", str, f"one of {[q.value for q in Quantization]}",
          lambda v: v in Quantization._value2member_map_)
    vocab = s.get("vocab_size", int, f"an integer in [2, {MAX_VOCAB}]", lambda v: 2 <= v <= MAX_VOCAB)

    # the state: its width, and where each layer's state sits in it
    size = s.get("state.size", int, f"an integer in [1, {MAX_STATE}]", lambda v: 1 <= v <= MAX_STATE)
    s.fixed("state.dtype", STATE_DTYPE)
    s.fixed("state.initial", STATE_INITIAL)
    layout = s.get("state.layout", list, "a list of {layer, offset, size}, one per layer",
                   lambda v: 1 <= len(v) <= size)
    end = 0
    for i, part in enumerate(layout):
        want = {"layer": i, "offset": end, "size": part.get("size") if isinstance(part, dict) else None}
        if not (isinstance(part, dict) and sorted(part) == sorted(want) and all(map(_is_int, part.values()))
                and part == want and part["size"] >= 1):
            raise s.fail(f"state.layout.{i}", part, f"{{'layer': {i}, 'offset': {end}, 'size': >= 1}} "
                         "(layers in order, each right after the one before)")
        end += part["size"]

    # the step signature: names, dtypes, and shapes [-1] or [-1, width]; widths are checked in check_agreement
    for side, tensors in (("inputs", STEP_INPUTS), ("outputs", STEP_OUTPUTS)):
        where = f"signatures.{STEP_SIGNATURE}.{side}"
        got = s.get(where, dict, f"an object describing {sorted(tensors)}")
        s.keys(where, got, list(tensors), f"the {side} of the step signature")
        for t, dtype in tensors.items():
            s.get(f"{where}.{t}", dict, "an object of dtype and shape")
            s.keys(f"{where}.{t}", got[t], ["dtype", "shape"], "a tensor's description")
            s.fixed(f"{where}.{t}.dtype", dtype)
            rank = 1 if t == "tokens" else 2
            s.get(f"{where}.{t}.shape", list, f"a list of {rank} integers, the first -1 (the dynamic batch)",
                  lambda v: len(v) == rank and all(map(_is_int, v)) and v[0] == -1)

    # special tokens: ids in the vocabulary; the text starts with </s>, as every training sequence did
    in_vocab = f"a token id in [0, {vocab})"
    eos = s.get("special_tokens.eos", int, in_vocab, lambda v: 0 <= v < vocab)
    s.get("special_tokens.start_of_text", int, in_vocab, lambda v: 0 <= v < vocab)
    s.get("special_tokens.start_of_text", int, f"the eos id {eos} (training opens every sentence with </s>)",
          lambda v: v == eos)
    for tok in ("pad", "unk", "bos"):
        s.get(f"special_tokens.{tok}", int, in_vocab, lambda v: 0 <= v < vocab)

    # the tokenizer: how it was trained, which the engine relies on, and its fingerprint
    for field, want in TOKENIZER_FIXED.items():
        s.fixed(f"tokenizer.{field}", want)
    s.get("tokenizer.pieces_sha256", str, "64 lowercase hex digits (bundle.pieces_fingerprint of the tokenizer)",
          lambda v: bool(_HEX64.fullmatch(v)))

    # the lexicon's description: present exactly when there is a lexicon file
    if "lexicon" in files:
        s.get("lexicon.entries", int, f"the lexicon's line count, an integer in [1, {MAX_LEXICON_ENTRIES}]",
              lambda v: 1 <= v <= MAX_LEXICON_ENTRIES)
        s.get("lexicon.format", str, "a string", required=False)
        s.get("lexicon.apostrophe", str, "a string", required=False)
        s.get("lexicon.sources", list, "a list of strings", lambda v: all(isinstance(x, str) for x in v),
              required=False)
        s.get("lexicon.config", dict, "an object", required=False)
    elif "lexicon" in data:
        raise BundleError(f"{mpath}: field 'lexicon' describes a lexicon but 'files' lists none; "
                          "expected both or neither")

    # what the model came from: free-form figures, checked for shape only
    for field in ("model_config", "training", "evaluation"):
        s.get(field, dict, "an object", required=False)


def check_agreement(m: Manifest) -> None:
    """The fields that must agree with each other: the step signature's widths with vocab_size and
    state.size, the state layout with state.size, and the model config with both.
    Raises BundleError naming the field and both values."""
    s, d = _Schema(m.path / MANIFEST, m.data), m.data
    sig = d["signatures"][STEP_SIGNATURE]
    widths = {"state": ("state width", m.state_size, "state.size"), "logprobs": ("vocabulary width", m.vocab_size,
                                                                                   "vocab_size")}
    for side in ("inputs", "outputs"):
        for t, shape in ((t, v["shape"]) for t, v in sig[side].items() if t in widths):
            what, want, field = widths[t]
            if shape[1] != want:
                raise s.fail(f"signatures.{STEP_SIGNATURE}.{side}.{t}.shape", shape,
                             f"[-1, {want}]: its {what} {shape[1]} != {field} {want}")
    covered = sum(p["size"] for p in d["state"]["layout"])
    if covered != m.state_size:
        raise BundleError(f"{s.mpath}: field 'state.layout' covers {covered} values but state.size is {m.state_size}")
    mc = d.get("model_config")
    if mc is not None:
        if "vocab_size" in mc and mc["vocab_size"] != m.vocab_size:
            raise s.fail("model_config.vocab_size", mc["vocab_size"], f"vocab_size {m.vocab_size}")
        if "num_layers" in mc and mc["num_layers"] != len(d["state"]["layout"]):
            raise s.fail("model_config.num_layers", mc["num_layers"],
                         f"{len(d['state']['layout'])}, the layers in state.layout")


# ---------------------------------------------------------------- the files


def _inside(bundle: Path, name: str, what: str) -> tuple[Path, os.stat_result]:
    """``bundle/name`` checked to lie inside the bundle folder (a link may not leave it) and to be a
    regular file; returns the path and its stat. Raises BundleError."""
    p = bundle / name
    try:
        real = p.resolve(strict=True)
        st = real.stat()
    except FileNotFoundError:
        raise BundleError(f"bundle {bundle}: {what} {name} is missing") from None
    except (OSError, RuntimeError) as e:  # RuntimeError: a loop of links
        raise BundleError(f"bundle {bundle}: {what} {name} cannot be opened: {getattr(e, 'strerror', None) or e}") from None
    root = bundle.resolve()
    if real == root or not real.is_relative_to(root):
        raise BundleError(f"bundle {bundle}: {what} {name} is a link to {real}, outside the bundle folder; "
                          "a bundle's files must lie inside it")
    if not stat.S_ISREG(st.st_mode):
        raise BundleError(f"bundle {bundle}: {what} {name} is not a regular file")
    return p, st


class _Refuse(Exception):
    """A manifest JSON value refused while parsing."""


def _refuse_number(s: str) -> None:
    if len(s) > MAX_NUMBER_CHARS:
        raise _Refuse(f"holds a number of {len(s)} characters (at most {MAX_NUMBER_CHARS})")


def _parse_int(s: str) -> int:
    _refuse_number(s)
    return int(s)


def _parse_float(s: str) -> float:
    _refuse_number(s)
    v = float(s)
    if not math.isfinite(v):  # "1e999": json.dumps never writes a finite float this way
        raise _Refuse(f"holds a number of {len(s)} characters that overflows a float64")
    return v


def _parse_constant(s: str):
    raise _Refuse(f"holds {s}, which is not JSON")


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _Refuse(f"has the key {_show(dup)} twice in one object")
    return d


def _too_deep(value: Any) -> bool:
    """Whether parsed JSON nests more than MAX_MANIFEST_DEPTH levels (a loop, not recursion)."""
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (dict, list)):
            if depth > MAX_MANIFEST_DEPTH:
                return True
            stack.extend((c, depth + 1) for c in (v.values() if isinstance(v, dict) else v))
    return False


def parse_manifest(mpath: Path, raw: bytes) -> Any:
    """The manifest's JSON, refusing what the format never holds: text that is not UTF-8, nesting deeper
    than MAX_MANIFEST_DEPTH, numbers longer than MAX_NUMBER_CHARS, NaN or Infinity, a key twice.
    Raises BundleError naming the file and where, never quoting it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BundleError(f"{mpath} is not UTF-8 text (byte {e.start})") from None
    too_deep = BundleError(f"{mpath} nests more than {MAX_MANIFEST_DEPTH} levels deep; the format needs 6")
    try:
        data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant,
                          object_pairs_hook=_pairs)
    except json.JSONDecodeError as e:
        raise BundleError(f"{mpath} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except _Refuse as e:
        raise BundleError(f"{mpath} {e}") from None
    except RecursionError:  # deeper than the parser's own limit (about 1,000)
        raise too_deep from None
    if _too_deep(data):
        raise too_deep
    return data


def read_manifest(bundle: str | Path) -> Manifest:
    """Read a bundle's manifest, validate it and check its files: inside the folder, regular files,
    their sizes, then their checksums. No file but the manifest is read before every size has been
    checked. Raises BundleError naming the file."""
    bundle = Path(bundle)
    if not bundle.exists():
        raise BundleError(f"bundle {bundle} does not exist")
    if not bundle.is_dir():
        raise BundleError(f"bundle {bundle} is not a folder (expected {MANIFEST}, {MODEL_FILE}, {TOKENIZER_FILE})")
    if not (bundle / MANIFEST).exists():
        raise BundleError(f"bundle {bundle} has no {MANIFEST}")
    mpath, st = _inside(bundle, MANIFEST, "the manifest")
    if st.st_size > MAX_MANIFEST_BYTES:
        raise BundleError(f"{mpath} is {st.st_size} bytes; a manifest is at most {MAX_MANIFEST_BYTES}")
    try:
        with open(mpath, "rb") as f:
            raw = f.read(MAX_MANIFEST_BYTES + 1)  # the file may grow after the stat
    except OSError as e:
        raise BundleError(f"cannot read {mpath}: {e.strerror}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise BundleError(f"{mpath} is over {MAX_MANIFEST_BYTES} bytes; a manifest is at most that")
    data = parse_manifest(mpath, raw)
    validate(mpath, data)
    m = Manifest(bundle, data)
    checked = []
    for role, name in data["files"].items():  # every size first: no file is hashed if any is the wrong size
        p, st = _inside(bundle, name, f"{role} file")
        want = data["size_bytes"][name]
        if st.st_size != want:
            raise BundleError(f"bundle {bundle}: {name} is corrupt or was replaced: it is {st.st_size} bytes but "
                              f"manifest size_bytes is {want}, so its sha256 cannot match")
        checked.append((p, name))
    for p, name in checked:
        try:
            want, got = data["sha256"][name], sha256_file(p)
        except OSError as e:
            raise BundleError(f"cannot read {p}: {e.strerror}") from None
        if want != got:
            raise BundleError(f"bundle {bundle}: {name} is corrupt or was replaced: sha256 {got} != manifest {want}")
    return m


def load_tokenizer(m: Manifest) -> spm.SentencePieceProcessor:
    """The bundle's tokenizer, checked against the manifest: piece count, special ids, byte pieces,
    digit splitting and the pieces' fingerprint. Raises BundleError naming the file."""
    path = m.tokenizer_path
    sp = spm.SentencePieceProcessor()
    try:
        sp.LoadFromSerializedProto(path.read_bytes())
    except OSError as e:
        raise BundleError(f"cannot read {path}: {e.strerror}") from None
    except (RuntimeError, UnicodeDecodeError):  # SentencePiece's message quotes the file's pieces: not shown
        raise BundleError(f"{path} is not a SentencePiece model that loads (a damaged or foreign file)") from None
    n = sp.get_piece_size()
    if n != m.vocab_size:
        raise BundleError(f"bundle {m.path}: tokenizer has {n} pieces but manifest vocab_size is {m.vocab_size}")
    special = m.data["special_tokens"]
    for tok, got in (("eos", sp.eos_id()), ("pad", sp.pad_id()), ("unk", sp.unk_id()), ("bos", sp.bos_id())):
        if got != special[tok]:
            raise BundleError(f"bundle {m.path}: tokenizer {tok} id {got} != manifest special_tokens.{tok} "
                              f"{special[tok]} ({path})")
    try:
        pieces = [sp.id_to_piece(i) for i in range(n)]
    except UnicodeDecodeError:
        bad = next(i for i in range(n) if not _is_utf8_piece(sp, i))
        raise BundleError(f"{path} is damaged: piece {bad} is not UTF-8") from None
    got = _fingerprint(pieces)
    if got != m.pieces_sha256:
        raise BundleError(f"bundle {m.path}: the tokenizer is not the one the model was trained with: pieces "
                          f"fingerprint {got} != manifest tokenizer.pieces_sha256 {m.pieces_sha256}")
    is_byte = [sp.is_byte(i) for i in range(n)]
    n_bytes = sum(is_byte)
    if n_bytes != BYTE_PIECES:  # manifest tokenizer.byte_fallback is true
        raise BundleError(f"{path} has {n_bytes} byte pieces, not {BYTE_PIECES}: it was not trained with the "
                          "byte fallback that manifest tokenizer.byte_fallback says")
    # manifest tokenizer.split_digits is true: no piece holds two ASCII digits. Byte pieces are left
    # out: their names spell the byte in hex ("<0x31>" is the digit 1 of a corpus without digits).
    text = "\n".join(p if not b else "" for p, b in zip(pieces, is_byte))
    found = _TWO_DIGITS.search(text)
    if found:
        bad = text.count("\n", 0, found.start())
        raise BundleError(f"{path}: piece {bad} holds more than one digit: the tokenizer was not trained with "
                          "the digit splitting that manifest tokenizer.split_digits says")
    return sp


def _is_utf8_piece(sp: spm.SentencePieceProcessor, i: int) -> bool:
    try:
        sp.id_to_piece(i)
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class Bundle:
    """A bundle whose manifest, files and tokenizer have all been checked."""

    manifest: Manifest
    sp: spm.SentencePieceProcessor
    lexicon: Lexicon | None  # None: a bundle without one (any word the model spells may be offered)

    @classmethod
    def open(cls, path: str | Path) -> "Bundle":
        """Open and check a bundle (the module docstring lists the checks). Raises BundleError."""
        m = read_manifest(path)
        sp = load_tokenizer(m)
        check_agreement(m)
        lexicon = None
        if m.lexicon_path is not None:
            lexicon = Lexicon.read(m.lexicon_path, entries=m.data["lexicon"]["entries"], fold=bundle_pack(m).fold)
        return cls(m, sp, lexicon)
