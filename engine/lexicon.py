"""The words the engine may offer, with their prior frequencies (the bundle's lexicon.tsv).

The decoder walks only piece paths that spell a prefix of a lexicon word and
finishes only lexicon words, so no suggestion is a fragment ("wouldn",
"Zorbed"); words the user taught the engine count as well (the user memory).
The prior lets a rare real word the model spells poorly ("photosynthesis")
still be offered, interpolated with the model's score (sources/prior.py, combiner.py).

Words are looked up folded by the bundle's language pack: lowercase, with ’
as ' (one spelling per word; the apostrophe the user types decides how it is
shown), and the pack's letter folds (German "schön" has the key "schoen", so
what is typed as "schoen" or "schön" finds it; the form shown is the
lexicon's). A word may have more
than one cased form ("us" and "US"); the first listed is the most frequent.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Callable

import numpy as np

from .errors import BundleError
from .lang import DEFAULT

_MAX_MEMO = 1 << 16
# Counts are occurrences per billion words; 18 digits always fit in int64 (numpy would accept
# "1_000", " 5" or "+5", and overflow on a longer number).
_MAX_COUNT_DIGITS = 18


fold = DEFAULT.fold  # the English pack's, for code not yet told the bundle's language


class Lexicon:
    def __init__(self, forms: list[str], counts: np.ndarray, fold: Callable[[str], str] = fold):
        """``forms`` most frequent first, ``counts`` their prior counts (>= 1); ``fold``: the
        bundle's language pack's (its keys; the English pack's by default)."""
        self.forms, self.fold = forms, fold
        self.logprior = np.log(counts / counts.sum())
        # Plain lists, not numpy string arrays: their sort's temporaries left the
        # process about 15 MB larger for good (bench/engine_bench.py's peak RSS).
        folded = fold("\n".join(forms)).split("\n")  # fold() of every form at once (the pack's: per character)
        self.keys: list[str] = []  # folded words, sorted, for prefix ranges
        rank: list[int] = []  # per key: the index of its most frequent form
        for i in sorted(range(len(folded)), key=folded.__getitem__):  # stable: the most frequent form first
            if not self.keys or folded[i] != self.keys[-1]:
                self.keys.append(folded[i])
                rank.append(i)
        self._rank = np.array(rank, np.int64)
        self._key_pos = dict(zip(self.keys, range(len(self.keys))))
        self._exact = dict(zip(forms, range(len(forms))))
        self._prefix_memo: dict[str, bool] = {}
        self._completion_memo: dict[tuple[str, int], tuple[int, ...]] = {}

    @classmethod
    def read(cls, path: Path, entries: int | None = None, fold: Callable[[str], str] = fold) -> "Lexicon":
        """Parse a lexicon.tsv. ``entries``: the line count the manifest declares, checked before the
        lines are split, so a wrong count is refused without parsing. The caller bounds the file's size
        (bundle.MAX_FILE_BYTES). Raises BundleError naming the file and the line, never quoting it."""
        try:
            raw = Path(path).read_bytes()
        except OSError as e:
            raise BundleError(f"cannot read lexicon {path}: {e.strerror}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            raise BundleError(f"lexicon {path} is not UTF-8 text (line {line}, byte {e.start})") from None
        del raw
        text = text.replace("\r\n", "\n").rstrip("\n")
        if not text:
            raise BundleError(f"lexicon {path} is empty")
        n_lines = text.count("\n") + 1
        if entries is not None and n_lines != entries:
            raise BundleError(f"{path}: lexicon has {n_lines} entries but manifest lexicon.entries is {entries}")
        parts = text.replace("\n", "\t").split("\t")  # form, count, form, count, ...
        forms, counts = parts[0::2], parts[1::2]
        del parts
        values = None
        if len(forms) == len(counts) == n_lines and all(forms) and _plain_counts(counts):
            values = np.array(counts, np.int64)
        if values is None or values.min() < 1:
            lines = text.split("\n")
            n, fault = next(((i, f) for i, ln in enumerate(lines, 1) if (f := _line_fault(ln))), (1, "unreadable"))
            raise BundleError(f"lexicon {path} line {n} is not 'word<TAB>count' with count >= 1: {fault}")
        return cls(forms, values.astype(np.float64), fold)

    def __len__(self) -> int:
        return len(self.forms)

    def __contains__(self, word: str) -> bool:
        return self.fold(word) in self._key_pos

    def has_prefix(self, folded: str) -> bool:
        """Whether some lexicon word starts with ``folded`` (already folded)."""
        found = self._prefix_memo.get(folded)
        if found is None:
            i = bisect.bisect_left(self.keys, folded)
            found = i < len(self.keys) and self.keys[i].startswith(folded)
            if len(self._prefix_memo) >= _MAX_MEMO:
                self._prefix_memo.clear()
            self._prefix_memo[folded] = found
        return found

    def has_form(self, word: str) -> bool:
        """Whether ``word`` is one of the lexicon's own spellings, case included ("Great", "great")."""
        return DEFAULT.plain_apostrophes(word) in self._exact

    def index(self, word: str) -> int | None:
        """The entry for ``word``: its own cased form if listed, else its key's most frequent form."""
        i = self._exact.get(DEFAULT.plain_apostrophes(word))
        if i is not None:
            return i
        return self.commonest(word)

    def commonest(self, word: str) -> int | None:
        """The entry of ``word``'s key's most frequent form, whatever the case typed ("system"
        -> the entry "System" when that form is commoner), or None when the key is not listed."""
        pos = self._key_pos.get(self.fold(word))
        return None if pos is None else int(self._rank[pos])

    def completions(self, folded_prefix: str, k: int) -> tuple[int, ...]:
        """Entry indices of the ``k`` most frequent words starting with the prefix, best first.
        (Tuples: the memo holds tens of thousands, and tuples of ints are not tracked by
        the garbage collector, whose full passes would otherwise stall a keystroke.)"""
        key = (folded_prefix, k)
        found = self._completion_memo.get(key)
        if found is None:
            lo = bisect.bisect_left(self.keys, folded_prefix)
            hi = bisect.bisect_left(self.keys, folded_prefix + "\U0010ffff")
            ranks = self._rank[lo:hi]
            if len(ranks) > k:
                ranks = ranks[np.argpartition(ranks, k - 1)[:k]]
            found = tuple(sorted(ranks.tolist()))
            if len(self._completion_memo) >= _MAX_MEMO:
                self._completion_memo.clear()
            self._completion_memo[key] = found
        return found


def _plain_counts(counts: list[str]) -> bool:
    """Whether every count is 1 to _MAX_COUNT_DIGITS ASCII digits (string methods: no loop in Python)."""
    joined = "".join(counts)
    return joined.isascii() and joined.isdecimal() and all(counts) and max(map(len, counts)) <= _MAX_COUNT_DIGITS


def _line_fault(line: str) -> str | None:
    """What is wrong with one lexicon line, in words that do not quote it; None if nothing."""
    parts = line.split("\t")
    if len(parts) != 2:
        return "it has no tab" if len(parts) == 1 else f"it has {len(parts) - 1} tabs"
    if not parts[0]:
        return "the word is empty"
    if not _plain_counts([parts[1]]):
        return f"the count is not a whole number of 1 to {_MAX_COUNT_DIGITS} digits"
    if int(parts[1]) < 1:
        return "the count is below 1"
    return None
