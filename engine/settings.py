"""The engine's settings: one dataclass, written into the bundle's manifest by export and
read back by the engine, so a bundle carries how it is meant to be run.

    settings = EngineSettings.from_dict(manifest["settings"])   # validated; BundleError names the field
    Engine.load(path, settings=replace(settings, weights={"prior": 0.1, "memory": 0.25}))

Every field has the value the shipped engine was tuned with (the source of each
figure is in the comment of its config class); a manifest without ``settings``
(bundles of v0.2) gets these defaults. ``to_dict`` / ``from_dict`` round-trip:
``EngineSettings.from_dict(s.to_dict()) == s``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, Mapping

from .tracker import WindowConfig
from .decoder import DecoderConfig
from .errors import BundleError
from .keyboard import LAYOUTS, SlipConfig

# Sources mixed into the model's words, in this order (combiner.py), and their weights:
# the prior's from bench/ablation.py (0.05), the memory's from bench/adaptation.py (0.25).
DEFAULT_WEIGHTS = MappingProxyType({"prior": 0.05, "memory": 0.25})


@dataclass(frozen=True)
class EngineSettings:
    decoder: DecoderConfig = DecoderConfig()
    window: WindowConfig = WindowConfig()
    slips: SlipConfig = SlipConfig()  # typo tolerance; ``slips.enabled=False`` turns it off
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))  # source -> weight in [0, 1)
    prior_words: int = 3  # the lexicon's most frequent words of the prefix proposed (final pass)
    memory_words: int = 8  # learned words of the prefix proposed
    memory_pair_share: float = 0.7  # p_memory = share * p(word | prev) + (1 - share) * p(word)
    max_partial: int = 40  # longer "words" (a pasted hash, a URL) get no completions, in characters
    ahead_steps: int = 2  # model steps per keystroke spent feeding what a moving window will hold
    # A part after a hyphen ("end-" + "user") that makes no compound the lexicon or the user
    # has is offered only when both parts are among the lexicon's ``compound_rank`` most
    # frequent words and it is likely there: a log-prob of at least ``compound_logprob``
    # (natural log; once letters of it are typed, its log share of the parts that agree
    # with them); chosen on the validation split (bench/compound_rule.py).
    compound_rank: int = 20000
    compound_logprob: float = -2.0

    def __post_init__(self):
        object.__setattr__(self, "weights", dict(self.weights))
        for name, w in self.weights.items():
            if not (isinstance(w, (int, float)) and not isinstance(w, bool) and 0.0 <= w < 1.0):
                raise ValueError(f"settings.weights.{name} must be a number in [0, 1), got {w!r}")
        for name, hi in (("prior_words", 10_000), ("memory_words", 10_000), ("max_partial", 10_000),
                         ("ahead_steps", 10_000), ("compound_rank", 10_000_000)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= hi:
                raise ValueError(f"settings.{name} must be an int in [0, {hi}], got {v!r}")
        v = self.compound_logprob
        if isinstance(v, bool) or not (isinstance(v, (int, float)) and math.isfinite(v) and v <= 0):
            raise ValueError(f"settings.compound_logprob must be a log-probability <= 0, got {v!r}")
        if not 0.0 <= self.memory_pair_share <= 1.0:
            raise ValueError(f"settings.memory_pair_share must be in [0, 1], got {self.memory_pair_share!r}")
        d, w, s = self.decoder, self.window, self.slips
        _check_ints("decoder", d, {"children": (1, 1000), "max_pieces": (1, 64), "max_expansions": (1, 10_000)})
        _check_ints("window", w, {"window_chars": (16, 1 << 20), "block_chars": (1, 1 << 20)})
        if w.block_chars >= w.window_chars:
            raise ValueError(f"settings.window.block_chars ({w.block_chars}) must be < window_chars ({w.window_chars})")
        _check_ints("slips", s, {"min_typed": (1, 100), "max_candidates": (0, 1000)})
        if s.layout not in LAYOUTS:
            raise ValueError(f"settings.slips.layout must be one of {sorted(LAYOUTS)}, got {s.layout!r}")
        for name in ("adjacent", "swapped", "missing", "extra"):
            v = getattr(s, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v <= 0):
                raise ValueError(f"settings.slips.{name} must be a log-likelihood <= 0, got {v!r}")
        if not (isinstance(s.reach, (int, float)) and 0 < s.reach < 10):
            raise ValueError(f"settings.slips.reach must be in (0, 10) key widths, got {s.reach!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "EngineSettings":
        """Raises ValueError naming the field for an unknown key or a bad value (the bundle
        turns it into a BundleError)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"settings must be an object, got {type(data).__name__}")
        nested = {"decoder": DecoderConfig, "window": WindowConfig, "slips": SlipConfig}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"settings has unknown fields {unknown}; known: {sorted(known)}")
        kw: dict[str, Any] = {}
        for key, value in data.items():
            if key in nested:
                kw[key] = _nested(key, nested[key], value)
            elif key == "weights":
                if not isinstance(value, Mapping):
                    raise ValueError(f"settings.weights must be an object, got {type(value).__name__}")
                kw[key] = dict(value)
            else:
                kw[key] = value
        return cls(**kw)

    def with_weights(self, **weights: float) -> "EngineSettings":
        """These settings with some sources' weights changed or added (a new source: its name)."""
        return replace(self, weights={**self.weights, **weights})


def _nested(name: str, cls, value) -> Any:
    if not isinstance(value, Mapping):
        raise ValueError(f"settings.{name} must be an object, got {type(value).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ValueError(f"settings.{name} has unknown fields {unknown}; known: {sorted(known)}")
    defaults = cls()
    for key, v in value.items():
        want = type(getattr(defaults, key))
        ok = isinstance(v, want) if want is not float else isinstance(v, (int, float))
        if not ok or (want is not bool and isinstance(v, bool)):
            raise ValueError(f"settings.{name}.{key} must be {want.__name__}, got {v!r}")
    return cls(**value)


def _check_ints(name: str, cfg, ranges: dict[str, tuple[int, int]]) -> None:
    for key, (lo, hi) in ranges.items():
        v = getattr(cfg, key)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"settings.{name}.{key} must be an int in [{lo}, {hi}], got {v!r}")


def bundle_settings(manifest) -> EngineSettings:
    """The settings a bundle's manifest carries (``settings``; absent: the defaults).
    Raises BundleError naming the manifest and the field."""
    data = manifest.data.get("settings")
    if data is None:
        return EngineSettings()
    try:
        return EngineSettings.from_dict(data)
    except (ValueError, TypeError) as e:
        raise BundleError(f"bundle {manifest.path}: manifest.json {e}") from None
