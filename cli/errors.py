"""Which exceptions the CLI reports as one clear line instead of a traceback."""

from __future__ import annotations

import sys

# Named errors of each stage. Looked up in sys.modules only, so that checking
# an error never imports a stage (and TensorFlow with it).
_NAMED = [
    ("nextkey.train.corpus", "CorpusError"),
    ("nextkey.train.tokenizer", "TokenizerError"),
    ("nextkey.train.train", "TrainError"),
    ("nextkey.export.bundle", "BundleError"),
    ("nextkey.export.verify", "VerificationError"),
    ("nextkey.engine.errors", "EngineError"),
]
_PLAIN = (ValueError, FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


def is_user_error(e: BaseException) -> bool:
    if isinstance(e, _PLAIN):
        return True
    for mod, name in _NAMED:
        cls = getattr(sys.modules.get(mod), name, None)
        if cls is not None and isinstance(e, cls):
            return True
    return False
