"""Words the strip never offers unless the user typed them in full: the language
pack's shipped list (offensive words; engine/lang/) and the user's own "never
suggest" entries (kept in the user store with the learned words, so they follow
the user across processes; memory.py changes them)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .errors import EngineError


class Blocklist:
    """``shipped``: folded words from the pack's file; ``user``: folded never-suggest entries.
    ``fold``: the pack's fold (lowercase, one apostrophe)."""

    def __init__(self, shipped: frozenset[str], fold: Callable[[str], str]):
        self.shipped, self.fold = shipped, fold
        self.user: set[str] = set()

    @classmethod
    def shipped_with(cls, path: Path, fold: Callable[[str], str]) -> "Blocklist":
        """The list in ``path`` (one word a line, ``#`` comments). Raises EngineError when the
        file cannot be read: a missing shipped list would silently offer offensive words."""
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise EngineError(f"cannot read the shipped blocklist {path}: {type(e).__name__}") from None
        return cls(frozenset(fold(ln.strip()) for ln in lines if ln.strip() and not ln.startswith("#")), fold)

    def is_blocked(self, word: str) -> bool:
        key = self.fold(word)
        return key in self.user or key in self.shipped
