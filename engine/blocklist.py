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
                 base_forms: Callable[[str], list[str]] | None = None, shipped_endings: tuple[str, ...] = ("s",),
                 compound_head: int = 0):
        """``base_forms(folded)``: the word and the base forms its endings lead back to (the
        language pack's): a word is blocked when any of them is, so blocking "jerk" blocks
        "jerks", "jerk's" and "jerked". None: only the word itself."""
        self.shipped, self.fold, self.shipped_endings = shipped, fold, shipped_endings
        # A language that writes compounds as one word (German): a shipped word of at least this
        # many letters also blocks every word that begins with it ("Arschfick"); 0: off.
        self.compound_head = compound_head
        self.is_word: Callable[[str], bool] = lambda word: False  # the rest of a compound: a word? (set by the engine)
        self.links: tuple[str, ...] = ()  # the language's linking elements ("Hund" + "e" + "halter")
        self.base_forms = base_forms or (lambda w: [w])
        self.user: set[str] = set()
        self._forms: dict[str, tuple[str, ...]] = {}  # folded word -> its base forms (bounded memo)
        # Other languages' shipped lists (add_language): (shipped, fold, base_forms, endings) each
        self.others: list[tuple[frozenset[str], Callable[[str], str], Callable[[str], list[str]], tuple[str, ...]]] = []

    def add_language(self, other: "Blocklist") -> None:
        """Block ``other``'s shipped words too (its language's fold and endings), and let the
        user's entries cover the forms ``other``'s language leads back to (an engine typing in
        two languages, or a German engine over a memory made with English's rules)."""
        self.others.append((other.shipped, other.fold, other.base_forms, other.shipped_endings,
                            (other.compound_head, other.is_word, other.links)))
        self._forms = {}

    @classmethod
    def shipped_with(cls, path: Path, fold: Callable[[str], str],
                     base_forms: Callable[[str], list[str]] | None = None,
                     shipped_endings: tuple[str, ...] = ("s",), compound_head: int = 0) -> "Blocklist":
        """The list in ``path`` (one word a line, ``#`` comments). Raises EngineError when the
        file cannot be read: a missing shipped list would silently offer offensive words."""
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise EngineError(f"cannot read the shipped blocklist {path}: {type(e).__name__}") from None
        return cls(frozenset(fold(ln.strip()) for ln in lines if ln.strip() and not ln.startswith("#")), fold,
                   base_forms, shipped_endings, compound_head)

    def is_blocked(self, word: str) -> bool:
        """Whether ``word`` is blocked: the user's entries block every form that leads back to
        them (``base_forms``: "stabbed", "cities", "walkers"); the shipped list blocks its
        words, their possessives and the endings the pack names for it (``_shipped``)."""
        user, shipped, key = self.user, self.shipped, self.fold(word)
        forms = self._forms.get(key)
        if forms is None:
            if len(self._forms) >= 1 << 15:
                self._forms = {}
            forms = self.base_forms(key)
            for _, _, other_forms, _, _ in self.others:
                forms = [*forms, *(f for f in other_forms(key) if f not in forms)]
            forms = self._forms[key] = tuple(forms)
        if self._shipped(key, shipped, self.shipped_endings, (self.compound_head, self.is_word, self.links)) or (
                (possessive := self._possessive(key)) is not None and self._shipped(possessive, shipped,
                                                                                   self.shipped_endings)):
            return True
        for other, fold, _, endings, compounds in self.others:
            k = fold(word)
            if self._shipped(k, other, endings, compounds) or ((p := self._possessive(k)) is not None
                                                               and self._shipped(p, other, endings)):
                return True
            # the user's "Hund" blocks "Hundehalter", "Schule" blocks "Schulbildung" (a noun in -e loses it
            # before another): a language of closed compounds
            if compounds[0] and user and _compound_of(key, lambda h: h in user or h + "e" in user, USER_COMPOUND_HEAD,
                                                      compounds[1], compounds[2]):
                return True
        return any(k in user for k in forms)  # the user's own entries block every form

    @staticmethod
    def _shipped(key: str, shipped: frozenset[str], endings: tuple[str, ...],
                 compounds: tuple[int, Callable[[str], bool]] = (0, None)) -> bool:
        """A shipped list blocks its words and the word + one of ``endings`` (the pack's:
        English "-s" only, since its words' other endings make ordinary words: "spices",
        "cocked"), and with ``compounds`` (k, is_word) the compounds made of one of its
        words of k letters or more and a word of 4 letters or more ("arsch" + "fick"; not
        "mongo" + "lei", "Mongolei")."""
        if key in shipped or any(key.endswith(e) and key[: -len(e)] in shipped for e in endings):
            return True
        k, is_word, links = (*compounds, ())[:3]
        return k > 0 and _compound_of(key, shipped.__contains__, k, is_word, links)

    def _possessive(self, key: str) -> str | None:
        for end in ("'s", "'"):
            if key.endswith(end) and len(key) > len(end) + 1:
                return key[: -len(end)]
        return None


USER_COMPOUND_HEAD = 4  # letters of a user's entry that blocks the compounds it begins


def _compound_of(key: str, is_head: Callable[[str], bool], min_head: int, is_word: Callable[[str], bool],
                 links: tuple[str, ...]) -> bool:
    """Whether ``key`` is a head (``is_head``, ``min_head`` letters or more), maybe a linking
    element, and a word of 4 letters or more (``is_word``): "arsch" + "fick", "hund" + "e" +
    "halter"; not "mongo" + "lei" nor "hund" + "ert"."""
    for i in range(min_head, len(key) - 3):
        if is_head(key[:i]):
            rest = key[i:]
            if is_word(rest) or any(rest.startswith(e) and len(rest) - len(e) >= 4 and is_word(rest[len(e):])
                                    for e in links):
                return True
    return False
