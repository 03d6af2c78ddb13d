"""nextkey runtime: word suggestions from a model bundle (numpy, sentencepiece, LiteRT)."""

from .engine import Engine
from .errors import BundleError, EngineError
from .keyboard import SlipConfig
from .multi import MultiEngine, MultiSession, MultiSettings
from .pipeline import Kind, Suggestion
from .session import Session
from .settings import EngineSettings

__all__ = ["Engine", "Session", "Suggestion", "Kind", "EngineError", "BundleError", "EngineSettings", "SlipConfig",
           "MultiEngine", "MultiSession", "MultiSettings"]
