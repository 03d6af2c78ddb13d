"""The facade: a bundle loaded once, sessions that predict from it.

    from nextkey.engine import Engine
    eng = Engine.load()                       # the default bundle shipped in the package
    eng.suggest("I would like to ", n=3)      # next words
    eng.suggest("I would like to se", n=3)    # completions of the word being typed

The bundle is rebuilt from its manifest alone; the manifest, the tokenizer and
the model are checked against each other and any disagreement is a
BundleError carrying both values.
"""

from __future__ import annotations

import time
from pathlib import Path

import sentencepiece as spm

from .bundle import Manifest, read_manifest
from .decoder import DecoderConfig
from .errors import BundleError
from .memory import MemoryConfig, UserMemory
from .session import Session, Suggestion, check_n, check_text
from .vocab import Vocab

DEFAULT_BUNDLE = Path(__file__).resolve().parent / "default_bundle"


class Engine:
    def __init__(self, manifest: Manifest, sp: spm.SentencePieceProcessor, num_threads: int = 1,
                 decoder_config: DecoderConfig = DecoderConfig(), memory: UserMemory | None = None):
        self.manifest, self.sp, self.num_threads = manifest, sp, num_threads
        self.decoder_config = decoder_config
        # Without a user store the blocklist still applies, and nothing is learned or saved.
        self.memory = memory or UserMemory(MemoryConfig(path=None, weight=0.0))
        self.vocab = Vocab(sp, manifest.eos_id)
        self._session: Session | None = None
        self.load_seconds = 0.0

    @classmethod
    def load(cls, path: str | Path | None = None, num_threads: int = 1,
             decoder_config: DecoderConfig = DecoderConfig(), memory: MemoryConfig | bool = False,
             learn: bool = False) -> "Engine":
        """``memory``: True for the user's store (XDG data dir), a MemoryConfig for
        another, False for none. ``learn``: whether ``suggest`` learns commits."""
        t0 = time.perf_counter()
        if path is None:
            path = DEFAULT_BUNDLE
            if not (path / "manifest.json").exists():
                raise BundleError(f"no default bundle is installed at {path}; pass a bundle path "
                                  "(nextkey export writes one)")
        manifest = read_manifest(Path(path))
        sp = spm.SentencePieceProcessor()
        try:
            sp.LoadFromSerializedProto(manifest.tokenizer_path.read_bytes())
        except (RuntimeError, OSError) as e:
            raise BundleError(f"{manifest.tokenizer_path} is not a SentencePiece model: {e}") from None
        if sp.get_piece_size() != manifest.vocab_size:
            raise BundleError(f"bundle {path}: tokenizer has {sp.get_piece_size()} pieces but manifest "
                              f"vocab_size is {manifest.vocab_size}")
        if sp.eos_id() != manifest.eos_id:
            raise BundleError(f"bundle {path}: tokenizer eos id {sp.eos_id()} != manifest eos {manifest.eos_id}")
        store = UserMemory(MemoryConfig() if memory is True else memory) if memory else None
        engine = cls(manifest, sp, num_threads, decoder_config, store)
        engine._session = engine.session(learn=learn and store is not None)  # checks the model against the manifest now, not on first use
        engine.load_seconds = time.perf_counter() - t0
        return engine

    def encode(self, text: str) -> list[int]:
        return self.sp.encode(text)

    def session(self, text: str = "", learn: bool = False) -> Session:
        """A new typing session with its own interpreter (one per thread)."""
        return Session(self, text, learn=learn)

    def learn(self, text: str) -> int:
        """Learn a whole text at once (e.g. the user's past messages); returns the word count."""
        return self.memory.learn_text(check_text(text))

    def suggest(self, text_before_cursor: str, n: int = 3) -> list[Suggestion]:
        """Word suggestions for the text before the cursor, best first.

        Incremental: a call whose text extends or edits the previous call's
        reuses the state of their shared words. Not thread-safe; use one
        ``session()`` per thread.
        """
        text = check_text(text_before_cursor)
        n = check_n(n)
        self._session.set_text(text)
        return self._session.suggestions(n)

    @property
    def info(self) -> dict:
        m = self.manifest
        return {"name": m.name, "path": str(m.path), "size_bytes": m.size_bytes(),
                "quantization": m.quantization, "vocab_size": m.vocab_size}
