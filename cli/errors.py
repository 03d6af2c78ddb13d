"""Which exceptions the CLI reports as one clear line instead of a traceback."""

from __future__ import annotations

import sys

# Named errors of each stage. Looked up in sys.modules only, so that checking
# an error never imports a stage (and TensorFlow with it).
_NAMED = [
    ("nextkey.train.corpus", "CorpusError"),
    ("nextkey.train.tokenizer", "TokenizerError"),
    ("nextkey.train.run_dir", "TrainError"),
    ("nextkey.train.train", "TrainError"),
    ("nextkey.export.verify", "VerificationError"),
    ("nextkey.evaluate.stats", "EvalError"),
    ("nextkey.engine.errors", "EngineError"),
]
# Errors about a path the user named: their message names it ("[Errno 17] File exists: 'out'").
_PLAIN = (ValueError, FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError)
# Modules that only an extra installs, and the extra that brings each.
_EXTRAS = {"tensorflow": "train", "keras": "train", "tqdm": "dev", "matplotlib": "dev", "wordfreq": "train"}


def is_user_error(e: BaseException) -> bool:
    if isinstance(e, _PLAIN):
        return True
    for mod, name in _NAMED:
        cls = getattr(sys.modules.get(mod), name, None)
        if cls is not None and isinstance(e, cls):
            return True
    return False


def missing_extra(e: BaseException) -> str | None:
    """One line for a subcommand that needs an extra the install left out, else None."""
    if not isinstance(e, ModuleNotFoundError) or not e.name:
        return None
    extra = _EXTRAS.get(e.name.split(".")[0])
    if extra is None:
        return None
    return f"this command needs {e.name.split('.')[0]}, which the runtime install leaves out: pip install 'nextkey[{extra}]'"
