"""Train split -> ``tokenizer.model``, a SentencePiece unigram model.

Choices a keyboard needs: byte fallback (any input encodes, emoji included),
no normalization beyond our own NFC (case and punctuation preserved, so the
model can offer "I", "Monday" and "don't"), digits split (numbers do not eat
the vocabulary), and one special token the language model uses: ``</s>``
ends a sentence and also starts the context (the engine's empty text).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import sentencepiece as spm

log = logging.getLogger(__name__)

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3


class TokenizerError(RuntimeError):
    """The tokenizer could not be trained on the given text."""


@dataclass(frozen=True)
class TokenizerConfig:
    vocab_size: int = 8000
    character_coverage: float = 0.9995
    input_sentence_size: int = 2_000_000
    max_sentence_length: int = 8192

    @classmethod
    def tiny(cls, vocab_size: int = 512) -> "TokenizerConfig":
        return cls(vocab_size=vocab_size)


def train_tokenizer(train_file: Path, cfg: TokenizerConfig, model_file: Path | None = None) -> bytes:
    """Train on ``train_file``; returns the serialized model (also written to ``model_file``)."""
    train_file = Path(train_file)
    if not train_file.exists() or train_file.stat().st_size == 0:
        raise TokenizerError(f"training text {train_file} is missing or empty")
    buf = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            input=str(train_file),
            model_writer=buf,
            model_type="unigram",
            vocab_size=cfg.vocab_size,
            character_coverage=cfg.character_coverage,
            byte_fallback=True,
            split_digits=True,
            normalization_rule_name="identity",
            remove_extra_whitespaces=False,
            add_dummy_prefix=True,
            allow_whitespace_only_pieces=False,
            input_sentence_size=cfg.input_sentence_size,
            shuffle_input_sentence=True,
            max_sentence_length=cfg.max_sentence_length,
            pad_id=PAD_ID,
            unk_id=UNK_ID,
            bos_id=BOS_ID,
            eos_id=EOS_ID,
            num_threads=2,
            minloglevel=2,
        )
    except RuntimeError as e:
        msg = str(e)
        if "smaller than required_chars" in msg:
            raise TokenizerError(
                f"a vocabulary of {cfg.vocab_size} cannot hold the 256 byte pieces plus every character "
                f"of {train_file} ({msg.strip().split('required_chars.')[-1].split('.')[0].strip()}): "
                "use a larger --vocab-size"
            ) from None
        if "Vocabulary size is too high" in msg:
            raise TokenizerError(
                f"corpus {train_file} is too small for a vocabulary of {cfg.vocab_size}: {msg.strip()}. "
                "Use a smaller --vocab-size or more text."
            ) from None
        raise TokenizerError(f"SentencePiece failed on {train_file}: {msg.strip()}") from None
    data = buf.getvalue()
    if model_file is not None:
        Path(model_file).write_bytes(data)
    return data


def load_tokenizer(model: Path | bytes) -> spm.SentencePieceProcessor:
    sp = spm.SentencePieceProcessor()
    if isinstance(model, (bytes, bytearray)):
        sp.LoadFromSerializedProto(bytes(model))
    else:
        sp.Load(str(model))
    return sp
