"""ModelConfig -> a Keras GRU language model over subword ids.

embedding (V, E) -> GRU layers (H) -> dense projection (H -> E) -> logits
through the transposed embedding (tied input/output embeddings, as on-device
keyboard LMs do) plus a bias. Tying makes the vocabulary cost V*E once instead
of twice, which is what keeps the default model at 1.7M parameters.

The model has two entry points over the same weights: ``call`` runs whole
sequences (training), ``step`` runs one token for a batch with the packed state
(export: the runtime's ``step`` signature).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
from keras import layers, ops


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int
    embed_dim: int = 128
    hidden_dim: int = 384
    num_layers: int = 1
    dropout: float = 0.1

    def __post_init__(self):
        for name in ("vocab_size", "embed_dim", "hidden_dim", "num_layers"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"ModelConfig.{name} must be >= 1, got {getattr(self, name)}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"ModelConfig.dropout must be in [0, 1), got {self.dropout}")

    @property
    def state_size(self) -> int:
        """Width of the packed state: every layer's hidden state side by side."""
        return self.num_layers * self.hidden_dim

    def num_params(self) -> int:
        v, e, h = self.vocab_size, self.embed_dim, self.hidden_dim
        gru = sum(3 * ((e if i == 0 else h) * h + h * h + 2 * h) for i in range(self.num_layers))
        return v * e + gru + h * e + v

    @classmethod
    def tiny(cls, vocab_size: int = 512) -> "ModelConfig":
        return cls(vocab_size=vocab_size, embed_dim=16, hidden_dim=32, num_layers=1, dropout=0.0)

    def to_json(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def from_json(cls, path: Path) -> "ModelConfig":
        data = json.loads(Path(path).read_text())
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: unknown ModelConfig fields {sorted(unknown)}")
        return cls(**data)


class GRULanguageModel(keras.Model):
    def __init__(self, config: ModelConfig, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        c = config
        self.embedding = layers.Embedding(c.vocab_size, c.embed_dim, name="embedding")
        self.grus = [
            layers.GRU(c.hidden_dim, return_sequences=True, return_state=True, name=f"gru_{i}")
            for i in range(c.num_layers)
        ]
        self.drop = layers.Dropout(c.dropout)
        self.projection = layers.Dense(c.embed_dim, use_bias=False, name="projection")
        self.out_bias = self.add_weight(shape=(c.vocab_size,), initializer="zeros", name="out_bias")

    def build_all(self) -> "GRULanguageModel":
        """Create every weight (a one-token forward pass) so checkpoints can restore."""
        self(ops.zeros((1, 1), dtype="int32"))
        return self

    def _logits(self, h):
        # (..., H) -> (..., E) -> (..., V) through the shared embedding matrix.
        return ops.matmul(self.projection(h), ops.transpose(self.embedding.embeddings)) + self.out_bias

    def call(self, tokens, initial_state=None, training=False, return_state=False):
        """tokens (B, T) int -> logits (B, T, V) [, packed state (B, S)]."""
        x = self.drop(self.embedding(tokens), training=training)
        states = self.split_state(initial_state) if initial_state is not None else [None] * len(self.grus)
        finals = []
        for gru, s in zip(self.grus, states):
            x, h = gru(x, initial_state=s, training=training)
            finals.append(h)
            x = self.drop(x, training=training)
        logits = self._logits(x)
        if return_state:
            return logits, ops.concatenate(finals, axis=-1)
        return logits

    def split_state(self, state):
        h = self.config.hidden_dim
        return [state[:, i * h:(i + 1) * h] for i in range(self.config.num_layers)]

    def step(self, tokens, state):
        """One token per row: tokens (B,) int32, state (B, S) -> (logprobs (B, V), state (B, S))."""
        x = self.embedding(tokens)
        new = []
        for gru, s in zip(self.grus, self.split_state(state)):
            x, _ = gru.cell(x, [s], training=False)
            new.append(x)
        logprobs = ops.log_softmax(self._logits(x), axis=-1)
        return logprobs, ops.concatenate(new, axis=-1)


def build_model(config: ModelConfig) -> GRULanguageModel:
    return GRULanguageModel(config).build_all()
