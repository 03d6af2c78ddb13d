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

    def __init__(self, shipped: frozenset[str], fold: Callable[[str], str],
                 base_forms: Callable[[str], list[str]] | None = None):
        """``base_forms(folded)``: the word and the base forms its endings lead back to (the
        language pack's): a word is blocked when any of them is, so blocking "jerk" blocks
        "jerks", "jerk's" and "jerked". None: only the word itself."""
        self.shipped, self.fold = shipped, fold
        self.base_forms = base_forms or (lambda w: [w])
        self.user: set[str] = set()
        self._forms: dict[str, tuple[str, ...]] = {}  # folded word -> its base forms (bounded memo)

    @classmethod
    def shipped_with(cls, path: Path, fold: Callable[[str], str],
                     base_forms: Callable[[str], list[str]] | None = None) -> "Blocklist":
        """The list in ``path`` (one word a line, ``#`` comments). Raises EngineError when the
        file cannot be read: a missing shipped list would silently offer offensive words."""
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise EngineError(f"cannot read the shipped blocklist {path}: {type(e).__name__}") from None
        return cls(frozenset(fold(ln.strip()) for ln in lines if ln.strip() and not ln.startswith("#")), fold,
                   base_forms)

    def is_blocked(self, word: str) -> bool:
        """Whether ``word``, or a base form it is an inflected or possessive form of, is blocked."""
        user, shipped, key = self.user, self.shipped, self.fold(word)
        forms = self._forms.get(key)
        if forms is None:
            if len(self._forms) >= 1 << 15:
                self._forms = {}
            forms = self._forms[key] = tuple(self.base_forms(key))
        for key in forms:
            if key in user or key in shipped:
                return True
        return False
