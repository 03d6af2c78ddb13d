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
import re
from dataclasses import dataclass, replace
from pathlib import Path

import sentencepiece as spm

log = logging.getLogger(__name__)

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3


class TokenizerError(RuntimeError):
    """The tokenizer could not be trained on the given text."""


@dataclass(frozen=True)
class TokenizerConfig:
    vocab_size: int = 8000
    # a text too small for vocab_size gets the largest vocabulary it allows (logged); False: an error
    # naming --vocab-size (the user asked for this size)
    fit_to_text: bool = True
    character_coverage: float = 0.9995
    input_sentence_size: int = 2_000_000
    max_sentence_length: int = 8192

    @classmethod
    def tiny(cls, vocab_size: int = 512) -> "TokenizerConfig":
        return cls(vocab_size=vocab_size)


_TOO_HIGH = re.compile(r"Vocabulary size (?:is )?too high \((\d+)\)\. Please set it to a value <= (\d+)")


def train_tokenizer(train_file: Path, cfg: TokenizerConfig, model_file: Path | None = None) -> bytes:
    """Train on ``train_file``; returns the serialized model (also written to ``model_file``).

    A text too small for ``cfg.vocab_size`` pieces gets the largest size it
    allows when ``cfg.fit_to_text`` (a warning says so), else raises
    TokenizerError naming ``--vocab-size`` and that size. Raises TokenizerError
    for a missing or empty file and for a vocabulary too small for its characters.
    """
    try:
        return _train(train_file, cfg, model_file)
    except _VocabTooHigh as e:
        if not cfg.fit_to_text:
            raise TokenizerError(
                f"--vocab-size {cfg.vocab_size} is too large for the text in {train_file}: it holds at most "
                f"{e.limit} pieces. Pass --vocab-size {e.limit} or less, or add text") from None
        log.warning("the text in %s is too small for a vocabulary of %d pieces: using %d, the most it allows "
                    "(--vocab-size sets it)", train_file, cfg.vocab_size, e.limit)
        return _train(train_file, replace(cfg, vocab_size=e.limit), model_file)


class _VocabTooHigh(Exception):
    def __init__(self, limit: int):
        self.limit = limit


def _train(train_file: Path, cfg: TokenizerConfig, model_file: Path | None) -> bytes:
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
        too_high = _TOO_HIGH.search(msg)
        if too_high:
            raise _VocabTooHigh(int(too_high.group(2))) from None
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
