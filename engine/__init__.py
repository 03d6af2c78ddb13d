"""nextkey runtime: word suggestions from a model bundle (numpy, sentencepiece, LiteRT)."""

from .engine import Engine
from .errors import BundleError, EngineError
from .session import Session, Suggestion

__all__ = ["Engine", "Session", "Suggestion", "EngineError", "BundleError"]
