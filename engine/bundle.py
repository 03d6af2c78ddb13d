"""A model bundle on disk: the one artifact an app ships.

    BUNDLE/
      manifest.json    format version, shapes, special ids, checksums, figures
      model.tflite     signature `step`: tokens int32 [B], state float32 [B, S]
                       -> logprobs float32 [B, V], state float32 [B, S]
      tokenizer.model  the SentencePiece model the LM was trained with

docs/bundle-format.md documents every field for app developers. This module
only reads and checks; export/ writes bundles.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import BundleError

FORMAT = "nextkey-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MODEL_FILE = "model.tflite"
TOKENIZER_FILE = "tokenizer.model"
STEP_SIGNATURE = "step"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class Manifest:
    path: Path  # the bundle folder
    data: dict

    @property
    def vocab_size(self) -> int:
        return int(self.data["vocab_size"])

    @property
    def state_size(self) -> int:
        return int(self.data["state"]["size"])

    @property
    def eos_id(self) -> int:
        return int(self.data["special_tokens"]["eos"])

    @property
    def start_id(self) -> int:
        """The token fed first: the engine's empty context, as in training."""
        return int(self.data["special_tokens"]["start_of_text"])

    @property
    def quantization(self) -> str:
        return str(self.data["quantization"])

    @property
    def name(self) -> str:
        return str(self.data.get("name", self.path.name))

    @property
    def model_path(self) -> Path:
        return self.path / self.data["files"]["model"]

    @property
    def tokenizer_path(self) -> Path:
        return self.path / self.data["files"]["tokenizer"]

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())


_REQUIRED = ("format", "format_version", "files", "sha256", "vocab_size", "state", "signatures",
             "quantization", "special_tokens")


def read_manifest(bundle: Path, check_hashes: bool = True) -> Manifest:
    """Read and check a bundle's manifest and files; raises BundleError naming what is wrong."""
    bundle = Path(bundle)
    if not bundle.exists():
        raise BundleError(f"bundle {bundle} does not exist")
    if not bundle.is_dir():
        raise BundleError(f"bundle {bundle} is not a folder (expected {MANIFEST}, {MODEL_FILE}, {TOKENIZER_FILE})")
    mpath = bundle / MANIFEST
    if not mpath.exists():
        raise BundleError(f"bundle {bundle} has no {MANIFEST}")
    try:
        data = json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BundleError(f"{mpath} is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise BundleError(f"{mpath} must hold a JSON object, got {type(data).__name__}")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise BundleError(f"{mpath} lacks fields {missing}")
    if data["format"] != FORMAT:
        raise BundleError(f"{mpath}: format {data['format']!r} is not {FORMAT!r}")
    if data["format_version"] != FORMAT_VERSION:
        raise BundleError(f"{mpath}: format_version {data['format_version']} is not supported (this engine reads {FORMAT_VERSION})")
    m = Manifest(bundle, data)
    try:
        _ = (m.vocab_size, m.state_size, m.eos_id, m.start_id, m.model_path, m.tokenizer_path)
    except (KeyError, TypeError, ValueError) as e:
        raise BundleError(f"{mpath}: malformed field ({e!r})") from None
    for role, p in (("model", m.model_path), ("tokenizer", m.tokenizer_path)):
        if not p.is_file():
            raise BundleError(f"bundle {bundle}: {role} file {p.name} is missing")
        if check_hashes:
            want = data["sha256"].get(p.name)
            got = sha256_file(p)
            if want != got:
                raise BundleError(f"bundle {bundle}: {p.name} is corrupt or was replaced: sha256 {got} != manifest {want}")
    return m
