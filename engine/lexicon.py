"""The words the engine may offer, with their prior frequencies (the bundle's lexicon.tsv).

The decoder walks only piece paths that spell a prefix of a lexicon word and
finishes only lexicon words, so no suggestion is a fragment ("wouldn",
"Zorbed"); words the user taught the engine count as well (the user memory).
The prior lets a rare real word the model spells poorly ("photosynthesis")
still be offered, interpolated with the model's score.

Words are looked up folded: lowercase, with ’ as ' (one spelling per word;
the apostrophe the user types decides how it is shown). A word may have more
than one cased form ("us" and "US"); the first listed is the most frequent.
"""

from __future__ import annotations

import bisect
import math
from pathlib import Path

import numpy as np

from .errors import BundleError

_MAX_MEMO = 1 << 16


def fold(word: str) -> str:
    return word.lower().replace("’", "'")


class Lexicon:
    def __init__(self, entries: list[tuple[str, int]]):
        total = float(sum(c for _, c in entries)) or 1.0
        self.forms = [w for w, _ in entries]  # most frequent first
        self.logprior = np.array([math.log(c / total) for _, c in entries], np.float64)
        by_key: dict[str, list[int]] = {}
        for i, w in enumerate(self.forms):
            by_key.setdefault(fold(w), []).append(i)
        self.keys = sorted(by_key)  # folded words, for prefix ranges
        self._forms_of = by_key  # folded word -> form indices, most frequent first
        self._exact = {w: i for i, w in enumerate(self.forms)}
        self._rank = np.array([by_key[k][0] for k in self.keys], np.int64)  # per sorted key: its best form's index
        self._prefix_memo: dict[str, bool] = {}
        self._completion_memo: dict[tuple[str, int], list[int]] = {}

    @classmethod
    def read(cls, path: Path) -> "Lexicon":
        entries = []
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise BundleError(f"cannot read lexicon {path}: {e}") from None
        for n, line in enumerate(text.splitlines(), 1):
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0] or not parts[1].isdigit() or int(parts[1]) < 1:
                raise BundleError(f"lexicon {path} line {n}: {line[:80]!r} is not 'word<TAB>count' with count >= 1")
            entries.append((parts[0], int(parts[1])))
        if not entries:
            raise BundleError(f"lexicon {path} is empty")
        return cls(entries)

    def __len__(self) -> int:
        return len(self.forms)

    def __contains__(self, word: str) -> bool:
        return fold(word) in self._forms_of

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

    def index(self, word: str) -> int | None:
        """The entry for ``word``: its own cased form if listed, else its key's most frequent form."""
        i = self._exact.get(word.replace("’", "'"))
        if i is not None:
            return i
        forms = self._forms_of.get(fold(word))
        return forms[0] if forms else None

    def completions(self, folded_prefix: str, k: int) -> list[int]:
        """Entry indices of the ``k`` most frequent words starting with the prefix, best first."""
        key = (folded_prefix, k)
        found = self._completion_memo.get(key)
        if found is None:
            lo = bisect.bisect_left(self.keys, folded_prefix)
            hi = bisect.bisect_left(self.keys, folded_prefix + "\U0010ffff")
            ranks = self._rank[lo:hi]
            if len(ranks) > k:
                ranks = ranks[np.argpartition(ranks, k - 1)[:k]]
            found = sorted(ranks.tolist())
            if len(self._completion_memo) >= _MAX_MEMO:
                self._completion_memo.clear()
            self._completion_memo[key] = found
        return found

    def combine(self, scored: list[tuple[str, float]], folded_prefix: str, weight: float,
                extra: int) -> list[tuple[str, float]]:
        """Interpolate the model's word log-probs with the prior,
        p = (1 - weight) * p_model + weight * p_prior, and add the ``extra`` most
        frequent words of the prefix that the model did not reach (p_model = 0)."""
        if weight <= 0:
            return scored
        out: dict[str, float] = {}
        keep = math.log1p(-weight)
        for word, logp in scored:
            i = self.index(word)
            out[word] = logp if i is None else float(np.logaddexp(keep + logp, math.log(weight) + self.logprior[i]))
        for i in self.completions(folded_prefix, extra):
            w = self.forms[i]
            if w not in out:
                out[w] = math.log(weight) + float(self.logprior[i])
        return sorted(out.items(), key=lambda kv: -kv[1])
