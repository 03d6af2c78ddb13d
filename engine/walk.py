"""The pieces a word may continue with, given the typed prefix and the lexicon.

A path of pieces that spells the (folded) text ``T`` may take a next piece
``p`` only if ``T + p`` begins some lexicon word and agrees with what is typed
beyond ``T``. The decoder asks this on every expansion, so it is answered by
walking a character trie of the pieces alongside the lexicon's sorted keys
(a branch ends as soon as ``T + s`` begins no word, so the walk visits only
pieces that can be right) and memoized: typing repeats the same word
beginnings, so almost every expansion costs one dictionary lookup.
"""

from __future__ import annotations

import bisect
import itertools

import numpy as np

from .lexicon import Lexicon, fold
from .vocab import Vocab

_MAX_MEMO = 1 << 14
_END = "\U0010ffff"


class _Trie:
    """A character trie of folded piece texts; ``ids`` are the pieces that end at a node."""

    __slots__ = ("children", "ids")

    def __init__(self):
        self.children: dict[str, _Trie] = {}
        self.ids: tuple[int, ...] = ()  # a tuple: not tracked by the garbage collector

    @classmethod
    def build(cls, vocab: Vocab, ids: np.ndarray, fold=fold) -> "_Trie":
        """``fold``: the lexicon's (per character, so a piece "ö" spells "oe" under German's)."""
        root = cls()
        for i in ids.tolist():
            node = root
            for ch in fold(vocab.text[i]):
                node = node.children.get(ch) or node.children.setdefault(ch, cls())
            node.ids += (i,)
        return root



class LexiconWalk:
    """Shared by every session of an engine (its memo holds answers that never change)."""

    def __init__(self, vocab: Vocab, lexicon: Lexicon):
        self.vocab, self.lexicon = vocab, lexicon
        self._keys = lexicon.keys
        self._cont = _Trie.build(vocab, vocab.cont_ids, lexicon.fold)
        self._memo: dict[tuple[bool, str, str], np.ndarray] = {}
        # The word openers that begin some lexicon word: the widest choice (a next
        # word, nothing typed), found once and kept apart from the memo.
        self.starts = np.array(sorted(self._walk(_Trie.build(vocab, vocab.start_ids, lexicon.fold), "", "")), np.int64)
        for ch in sorted({k[0] for k in self._keys if k}):  # the widest walks, done now rather than mid-typing
            self.pieces(False, ch, "")

    def pieces(self, first: bool, text: str, rest: str) -> np.ndarray:
        """Sorted ids of the pieces that may follow a path spelling ``text``: opening the
        word (``first``, then ``text`` is '') or continuing it, such that ``text + piece``
        begins a lexicon word and agrees with ``rest``, the typed part not yet spelled
        (all folded: lowercase, ' for ’)."""
        if first and not rest:
            return self.starts
        key = (first, text, rest)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= _MAX_MEMO:  # the oldest quarter goes: common beginnings come back first
                for old in list(itertools.islice(self._memo, _MAX_MEMO // 4)):
                    del self._memo[old]
            if first:  # the openers that agree with what is typed
                found = np.intersect1d(self.starts, self.vocab.candidates(True, rest), assume_unique=True)
            else:
                found = np.array(sorted(self._walk(self._cont, text, rest)), np.int64)
            self._memo[key] = found
        return found

    def _walk(self, root: _Trie, text: str, rest: str) -> list[int]:
        keys = self._keys
        lo = bisect.bisect_left(keys, text)
        hi = bisect.bisect_left(keys, text + _END, lo)
        if lo == hi or not keys[lo].startswith(text):
            return []
        out: list[int] = list(root.ids)  # a bare '▁' opens any word
        # (node, the text it spells, the lexicon range of keys that begin with it)
        stack = [(root, text, lo, hi)]
        while stack:
            node, spelled, lo, hi = stack.pop()
            depth = len(spelled) - len(text)
            forced = rest[depth] if depth < len(rest) else None  # still inside the typed part
            for ch, child in node.children.items() if forced is None else _only(node, forced):
                grown = spelled + ch
                a = bisect.bisect_left(keys, grown, lo, hi)
                if a == hi or not keys[a].startswith(grown):
                    continue  # no word begins with it: nor with anything longer
                out.extend(child.ids)
                if child.children:
                    stack.append((child, grown, a, bisect.bisect_left(keys, grown + _END, a, hi)))
        return out


def _only(node: _Trie, ch: str) -> list[tuple[str, _Trie]]:
    child = node.children.get(ch)
    return [] if child is None else [(ch, child)]
