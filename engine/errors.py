"""Named errors of the runtime. Each message carries the values that disagree."""


class EngineError(RuntimeError):
    """Base class of every error the engine raises on purpose."""


class BundleError(EngineError):
    """A model bundle is missing, corrupt, truncated or inconsistent."""
