"""What each subword piece means to a word-level keyboard.

Classes over the vocabulary (id arrays and sorted keys for prefix lookup):
- start: pieces that open a word ("▁the", "▁Mon", or a bare "▁").
- cont: pieces that continue a word ("day", "'", "s"); letters, digits and the
  language's apostrophes and hyphens.
- boundary: what may follow a finished word: a word start, punctuation, </s>.
Byte-fallback and control pieces belong to no word, so they are never offered.
Prefix lookup is case-insensitive; the form step restores the typed case.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from .lang import DEFAULT, LanguagePack

SPACE = "\u2581"
WORD_PUNCT = DEFAULT.apostrophes + DEFAULT.hyphens  # the English pack's


def is_word_text(s: str, pack: LanguagePack = DEFAULT) -> bool:
    inner = pack.apostrophes + pack.hyphens
    return all(ch.isalnum() or ch in inner for ch in s)


@dataclass
class _Index:
    """Sorted lowercase keys of one piece class, for 'keys starting with r'."""
    keys: list[str]
    ids: np.ndarray
    by_key: dict[str, tuple[int, ...]]  # tuples: not tracked by the garbage collector

    @classmethod
    def build(cls, pairs: list[tuple[str, int]]) -> "_Index":
        pairs.sort()
        by_key: dict[str, tuple[int, ...]] = {}
        for k, i in pairs:
            by_key[k] = by_key.get(k, ()) + (i,)
        return cls([k for k, _ in pairs], np.array([i for _, i in pairs], np.int64), by_key)

    def consistent(self, rest: str) -> np.ndarray:
        """Ids whose key starts with ``rest`` or is a prefix of it (possibly empty)."""
        lo = bisect.bisect_left(self.keys, rest)
        hi = bisect.bisect_left(self.keys, rest + "\U0010ffff")
        found = [self.ids[lo:hi]]
        for k in range(0, len(rest)):
            ids = self.by_key.get(rest[:k])
            if ids:
                found.append(np.asarray(ids, np.int64))
        if len(found) == 1:
            return found[0]
        ids = np.sort(np.concatenate(found))  # not np.unique: its first call imports numpy.ma (10 ms mid-typing)
        return ids[np.concatenate(([True], ids[1:] != ids[:-1]))]


class Vocab:
    def __init__(self, sp, eos_id: int, pack: LanguagePack = DEFAULT):
        fold = pack.fold
        n = sp.get_piece_size()
        self.text = []  # piece text without the leading ▁, original case
        start = np.zeros(n, bool)
        cont = np.zeros(n, bool)
        boundary = np.zeros(n, bool)
        start_pairs, cont_pairs = [], []
        for i in range(n):
            piece = sp.id_to_piece(i)
            special = sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i)
            body = piece[1:] if piece.startswith(SPACE) else piece
            self.text.append("" if special else body)
            if special:
                boundary[i] = i == eos_id
                continue
            if piece.startswith(SPACE):
                boundary[i] = True
                if is_word_text(body, pack):
                    start[i] = True
                    start_pairs.append((fold(body), i))
            elif is_word_text(piece, pack):
                cont[i] = True
                cont_pairs.append((fold(piece), i))
            else:
                boundary[i] = not piece[0].isalnum()  # punctuation closes a word
        self.start_ids = np.flatnonzero(start)
        self.cont_ids = np.flatnonzero(cont)
        self.boundary_f = boundary.astype(np.float32)
        self._memo: dict[tuple[bool, str], np.ndarray] = {}
        self._start = _Index.build(start_pairs)
        self._cont = _Index.build(cont_pairs)

    def candidates(self, first: bool, rest: str) -> np.ndarray:
        """Ids that may come next in a word: opening it (``first``) or continuing it,
        consistent with the still untyped-over part ``rest`` of the prefix (folded: lowercase, ' for ’)."""
        if not rest:
            return self.start_ids if first else self.cont_ids
        key = (first, rest)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > 4096:  # typed prefixes repeat; keep the memo bounded
                self._memo.clear()
            found = self._memo[key] = (self._start if first else self._cont).consistent(rest)
        return found
