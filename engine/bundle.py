"""A model bundle on disk: the one artifact an app ships, opened and checked.

    BUNDLE/
      manifest.json    format version, shapes, special ids, checksums, figures
      model.tflite     signature `step`: tokens int32 [B], state float32 [B, S]
                       -> logprobs float32 [B, V], state float32 [B, S]
      tokenizer.model  the SentencePiece model the LM was trained with
      lexicon.tsv      the words the engine may offer, with prior counts (optional)

docs/bundle-format.md documents every field for app developers. This module
only reads and checks; export/ writes bundles. ``Bundle.open`` checks
everything that can be checked without running the model: the manifest
against its schema (types and ranges), the files against their checksums, and
the tokenizer against the manifest (piece count, special ids, and a
fingerprint of its pieces, so a tokenizer with the same pieces in another
order is refused). The runner checks the model's signature when it loads it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import sentencepiece as spm

from .errors import BundleError
from .lexicon import Lexicon

FORMAT = "nextkey-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MODEL_FILE = "model.tflite"
TOKENIZER_FILE = "tokenizer.model"
LEXICON_FILE = "lexicon.tsv"
STEP_SIGNATURE = "step"
QUANTIZATIONS = ("float32", "float16", "int8", "int8-full")
MAX_VOCAB = 1 << 20
MAX_STATE = 1 << 16

_HEX64 = re.compile(r"[0-9a-f]{64}")
_FILE_NAME = re.compile(r"[A-Za-z0-9_.\-]+")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pieces_fingerprint(sp: spm.SentencePieceProcessor) -> str:
    """sha256 of the pieces in id order: the same for the same vocabulary, whatever the file bytes."""
    h = hashlib.sha256()
    for i in range(sp.get_piece_size()):
        h.update(sp.id_to_piece(i).encode("utf-8"))
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


# ---------------------------------------------------------------- the schema


class _Schema:
    """Reads fields of one manifest by dotted name; a bad field is a BundleError naming it."""

    def __init__(self, mpath: Path, data: dict):
        self.mpath, self.data = mpath, data

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
            raise BundleError(f"{self.mpath}: field {name!r} is {value!r}; expected {expect}")
        return value


def validate(mpath: Path, data: Any) -> None:
    """Check the manifest's fields: presence, types and ranges."""
    if not isinstance(data, dict):
        raise BundleError(f"{mpath} must hold a JSON object, got {type(data).__name__}")
    s = _Schema(mpath, data)
    s.get("format", str, f"{FORMAT!r}", lambda v: v == FORMAT)
    s.get("format_version", int, f"{FORMAT_VERSION} (the version this engine reads)", lambda v: v == FORMAT_VERSION)
    s.get("name", str, "a string", required=False)
    files = s.get("files", dict, "an object naming the model and tokenizer files")
    for role in ("model", "tokenizer"):
        s.get(f"files.{role}", str, "a plain file name inside the bundle", lambda v: bool(_FILE_NAME.fullmatch(v)))
    for role in files:
        s.get(f"files.{role}", str, "a plain file name inside the bundle", lambda v: bool(_FILE_NAME.fullmatch(v)))
    s.get("sha256", dict, "an object of file name -> sha256 hex")
    for f in files.values():
        s.get(("sha256", f), str, "64 lowercase hex digits", lambda v: bool(_HEX64.fullmatch(v)))
    vocab = s.get("vocab_size", int, f"an integer in [2, {MAX_VOCAB}]", lambda v: 2 <= v <= MAX_VOCAB)
    s.get("state.size", int, f"an integer in [1, {MAX_STATE}]", lambda v: 1 <= v <= MAX_STATE)
    s.get("quantization", str, f"one of {list(QUANTIZATIONS)}", lambda v: v in QUANTIZATIONS)
    s.get(f"signatures.{STEP_SIGNATURE}", dict, "the step signature's description")
    for tok in ("eos", "start_of_text"):
        s.get(f"special_tokens.{tok}", int, f"a token id in [0, {vocab})", lambda v: 0 <= v < vocab)
    if "lexicon" in files:
        s.get("lexicon.entries", int, "the lexicon's line count, an integer >= 1", lambda v: v >= 1)
    s.get("tokenizer.pieces_sha256", str, "64 lowercase hex digits (bundle.pieces_fingerprint of the tokenizer)",
          lambda v: bool(_HEX64.fullmatch(v)))


def read_manifest(bundle: str | Path) -> Manifest:
    """Read a bundle's manifest, validate it and check its files' checksums."""
    bundle = Path(bundle)
    if not bundle.exists():
        raise BundleError(f"bundle {bundle} does not exist")
    if not bundle.is_dir():
        raise BundleError(f"bundle {bundle} is not a folder (expected {MANIFEST}, {MODEL_FILE}, {TOKENIZER_FILE})")
    mpath = bundle / MANIFEST
    if not mpath.is_file():
        raise BundleError(f"bundle {bundle} has no {MANIFEST}")
    try:
        data = json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BundleError(f"{mpath} is not valid JSON: {e}") from None
    except OSError as e:
        raise BundleError(f"cannot read {mpath}: {e.strerror}") from None
    validate(mpath, data)
    m = Manifest(bundle, data)
    for role, name in data["files"].items():
        p = bundle / name
        if not p.is_file():
            raise BundleError(f"bundle {bundle}: {role} file {name} is missing")
        want, got = data["sha256"][name], sha256_file(p)
        if want != got:
            raise BundleError(f"bundle {bundle}: {name} is corrupt or was replaced: sha256 {got} != manifest {want}")
    return m


def load_tokenizer(m: Manifest) -> spm.SentencePieceProcessor:
    """The bundle's tokenizer, checked against the manifest."""
    sp = spm.SentencePieceProcessor()
    try:
        sp.LoadFromSerializedProto(m.tokenizer_path.read_bytes())
    except (RuntimeError, OSError) as e:
        raise BundleError(f"{m.tokenizer_path} is not a SentencePiece model: {e}") from None
    if sp.get_piece_size() != m.vocab_size:
        raise BundleError(f"bundle {m.path}: tokenizer has {sp.get_piece_size()} pieces but manifest "
                          f"vocab_size is {m.vocab_size}")
    if sp.eos_id() != m.eos_id:
        raise BundleError(f"bundle {m.path}: tokenizer eos id {sp.eos_id()} != manifest special_tokens.eos {m.eos_id}")
    got = pieces_fingerprint(sp)
    if got != m.pieces_sha256:
        raise BundleError(f"bundle {m.path}: the tokenizer is not the one the model was trained with: pieces "
                          f"fingerprint {got} != manifest tokenizer.pieces_sha256 {m.pieces_sha256}")
    return sp


@dataclass(frozen=True)
class Bundle:
    """A bundle whose manifest, files and tokenizer have all been checked."""

    manifest: Manifest
    sp: spm.SentencePieceProcessor
    lexicon: Lexicon | None  # None: a bundle without one (any word the model spells may be offered)

    @classmethod
    def open(cls, path: str | Path) -> "Bundle":
        m = read_manifest(path)
        sp = load_tokenizer(m)
        lexicon = None
        if m.lexicon_path is not None:
            lexicon = Lexicon.read(m.lexicon_path)
            want = m.data["lexicon"]["entries"]
            if len(lexicon) != want:
                raise BundleError(f"bundle {m.path}: lexicon has {len(lexicon)} entries but manifest "
                                  f"lexicon.entries is {want}")
        return cls(m, sp, lexicon)
