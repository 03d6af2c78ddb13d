"""nextkey runtime: word suggestions from a model bundle (numpy, sentencepiece, LiteRT)."""

from .engine import Engine
from .errors import BundleError, EngineError
from .pipeline import Kind, Suggestion
from .session import Session

__all__ = ["Engine", "Session", "Suggestion", "Kind", "EngineError", "BundleError"]
