"""What the engine learns from its user, kept on the user's machine only.

A small decayed cache of the words and word pairs the user committed (space,
punctuation or an accepted suggestion). As a source (sources/memory.py) it is
mixed with the model by interpolation (combiner.py): p = (1 - w) * p + w *
p_memory, where p_memory mixes the pair and single-word estimates. A word the
model can spell but rarely offers (a name, jargon) reaches the suggestions once
the user has typed it twice.
Counts decay with a half-life counted in committed words; the cache is
bounded, the weakest entries (decayed counts) are evicted first.

Without a store (``MemoryConfig(path=None)``) the memory learns in RAM for the
life of the engine. With one (the default: ``memory.db`` in the XDG data
dir; store.py says how it is written, shared and wiped), ``observe`` updates
this in-RAM view and queues the word for the store's writer thread, which
commits it at once as its own small transaction: no disk access and no lock
of another process sits on the keystroke path (bench/memory_store.py measures
both sides). A kill loses only the words still queued.
Another process's words show up here within ``refresh_seconds``, once this
process's own words are committed. ``save()`` waits until every queued word
is committed; ``close()`` does that and closes the store (done at interpreter
exit for memories not closed). ``version`` changes on every change of what
the memory would suggest or block (learning, blocking, forgetting, wiping,
another process's words), so results memoized on it never outlive a block or
a forget.

The user's "never suggest" entries are kept here and in the store with the
learned words; the blocklist itself (those and the language pack's shipped
list) is blocklist.py's.
"""

from __future__ import annotations

import atexit
import bisect
import heapq
import logging
import math
import os
import sqlite3
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from .lang import DEFAULT
from .blocklist import Blocklist
from .store import VOTE, NotAStoreError, StoreRows, Store, StoreCorrupt, StoreWriter, store_files
from .text import ADDRESS, is_word, learnable, learnable_words, learned_form, sentence_breaks

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # of export()
MAX_IMPORT_COUNT = 1e6  # a count an imported word may bring (a word typed a million times)
TOP_K = 32  # strongest learned words kept per first letter: next-word and one-letter lookups read only these
# In a language that writes compounds as one word, a shipped word of this many letters or more
# blocks the compounds it begins ("Arschfick", "Wichsvorlage"); shorter ones would block
# ordinary words ("Sau" -> "sauber").
BLOCKED_COMPOUND_HEAD = 5
SHIPPED_BLOCKLIST = DEFAULT.blocklist_path  # the English pack's (engine/lang/en_blocklist.txt)


def default_store_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "nextkey" / "memory.db"


@dataclass(frozen=True)
class MemoryConfig:
    path: Path | None = field(default_factory=default_store_path)  # None: kept in RAM for the engine's life
    half_life: float = 5000.0  # in committed words: older habits fade (math.inf: never)
    max_words: int = 20_000
    max_pairs: int = 50_000
    min_count: float = 1.5  # a word must be typed about twice before it is offered
    # A word one slip away from a frequent lexicon word ("teh", "becuase") must be typed about
    # four times (bench/adaptation.py measures how many slips a noisy typist gets learned).
    slip_min_count: float = 3.5
    refresh_seconds: float = 0.5  # how often the writer looks for other processes' words when idle
    read_only: bool = False  # read the store, never write, create, rename or remove anything there

    def __post_init__(self):
        if self.path is not None:
            object.__setattr__(self, "path", Path(self.path))
        if not self.half_life > 0:
            raise ValueError(f"half_life must be > 0 committed words, got {self.half_life!r}")
        if self.max_words < 1 or self.max_pairs < 1:
            raise ValueError(f"max_words and max_pairs must be >= 1, got {self.max_words}, {self.max_pairs}")
        if not self.refresh_seconds > 0:
            raise ValueError(f"refresh_seconds must be > 0, got {self.refresh_seconds!r}")


# How the user spells a word is counted as "pairs" whose previous word is VOTE + the word's
# key: stored, merged across processes, decayed, evicted and wiped exactly like pairs. No
# word holds this control character, so a vote is never read as a pair.


def _cased_by_position(word: str) -> bool:
    """Whether a word typed at a sentence start may owe its case to the position alone:
    a capital first letter and nothing else upper-case ("Yeet"; not "GitHub", "NASA")."""
    return word[:1].isupper() and not any(ch.isupper() for ch in word[1:])


def words_with_starts(text: str, pack=DEFAULT) -> list[tuple[int, str, bool]]:
    """(start, word, whether it begins a sentence) for the learnable words of a finished
    ``text`` (text.learnable_words; sentences by the pack's rule, text.sentence_breaks)."""
    starts = [0] + [b for _, b in sentence_breaks(text, pack, typing=False)]
    out, k = [], 0
    for at, w in learnable_words(text, pack):
        first = False
        while k < len(starts) and starts[k] <= at:
            first, k = True, k + 1
        out.append((at, w, first))
    return out


def _norm(word: str) -> str:
    return DEFAULT.fold(word)  # the language pack's fold (lowercase, one apostrophe), as the lexicon's


def _shown(word, limit: int = 40) -> str:
    """``word`` for an error message: repr, cut to ``limit`` characters (a 100k-character paste)."""
    text = repr(word)
    return text if len(text) <= limit else text[:limit] + f"... ({len(word):,} characters)"


def _check_dictionary(data) -> None:
    """Raise TypeError unless ``data`` has read_dictionary's shape: {"words": {str: number},
    "pairs": {"prev\tword": number}, "blocked": [str]} (each key optional)."""
    def number(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if not isinstance(data, dict):
        raise TypeError(f"a dictionary must be a dict (read_dictionary's result), got {type(data).__name__}")
    for name in ("words", "pairs"):
        table = data.get(name, {})
        if not isinstance(table, dict) or not all(isinstance(k, str) and number(v) for k, v in table.items()):
            raise TypeError(f"dictionary[{name!r}] must map strings to counts (numbers)")
        if name == "pairs" and any(k.count("\t") != 1 for k in table):
            raise TypeError("dictionary['pairs'] keys must be 'previous<TAB>word'")
    blocked = data.get("blocked", [])
    if not isinstance(blocked, (list, tuple, set)) or not all(isinstance(w, str) for w in blocked):
        raise TypeError("dictionary['blocked'] must be a list of strings")


def memory_config(memory) -> MemoryConfig | None:
    """Engine.load's ``memory`` argument as a MemoryConfig: True, the user's store (XDG data
    dir); a path (str or Path), the store there; a MemoryConfig as it is; False or None,
    none. Raises TypeError for anything else."""
    if memory is True:
        return MemoryConfig()
    if memory is False or memory is None:
        return None
    if isinstance(memory, MemoryConfig):
        return memory
    if isinstance(memory, (str, os.PathLike)):
        if not str(memory):
            raise ValueError("memory must name a store file, got an empty path")
        return MemoryConfig(path=Path(memory))
    raise TypeError(f"memory must be True, False, a path or a MemoryConfig, got {type(memory).__name__}")


class UserMemory:
    """Decayed counts of committed words and word pairs, with a blocklist.

    Thread-safe: any number of threads may observe, predict, block or export at
    once. The view below is read without the lock by ``prob``/``candidates``
    (single dict lookups); everything that iterates or mutates holds it."""

    def __init__(self, cfg: MemoryConfig = MemoryConfig()):
        """Raises NotAStoreError when ``cfg.path`` names something that is not a nextkey
        store (a user's file, a folder): it is never touched."""
        self.cfg = cfg
        self.clock = 0  # committed words so far (all processes sharing the store)
        self.words: dict[str, list] = {}  # key -> [count, last_clock, spelling]
        self.pairs: dict[str, list] = {}  # "prev\tword" -> [count, last_clock]
        self.blocklist = Blocklist.shipped_with(SHIPPED_BLOCKLIST, _norm, DEFAULT.base_forms, DEFAULT.blocklist_endings)
        # Set by the engine from its lexicon (None without one): ``is_common(word)``, whether a
        # letter-digit word is common enough to learn (text.learnable); ``near_slip(word)``,
        # whether a word the lexicon lacks is one slip from a frequent lexicon word.
        self.is_common = DEFAULT.is_common_alnum
        self.near_slip = None
        self.languages = [DEFAULT.code]  # whose shipped blocklists apply (add_language)
        self.mass = 0.0  # the decayed counts of all words, kept up to date
        self._version = 0
        # The index, so that no lookup walks every learned word: the keys sorted (prefix
        # ranges), and per first letter ("" for all) the TOP_K strongest words by rank.
        self._keys: list[str] = []
        self._top: dict[str, dict[str, float]] = {}  # bucket -> {key: rank}
        # How the user spells each word: "key\tspelling" -> [count, last] (decayed like pairs),
        # kept in the store as pairs whose previous word is VOTE + key; indexed by key.
        self.votes: dict[str, list] = {}
        self._votes: dict[str, set[str]] = {}
        self._candidates_memo: tuple[int, dict] = (-1, {})  # (version, (prefix, limit) -> words)
        self._lock = threading.RLock()
        self._writer: StoreWriter | None = None
        self._closed = False
        self._open_error: str | None = None  # why the store could not be opened
        if cfg.path is not None:
            self._open_store()
        _LIVE.add(self)

    def _new_store(self) -> Store:
        c = self.cfg
        return Store(c.path, c.half_life, c.max_words, c.max_pairs, read_only=c.read_only)

    def _open_store(self) -> None:
        store = self._new_store()
        try:
            snap = store.snapshot()
        except (sqlite3.Error, OSError, StoreCorrupt) as e:
            store.close()
            self._open_error = f"cannot open {self.cfg.path}: {e}"
            log.warning("cannot open user memory %s (%s); learning in RAM only", self.cfg.path, e)
            return
        except NotAStoreError:
            store.close()
            raise
        with self._lock:
            self._take(snap)
            self._writer = StoreWriter(store, self._on_snapshot, snap, self.cfg.refresh_seconds)

    def add_language(self, pack, is_word=None) -> None:
        """Apply language ``pack``'s rules too (an engine of that language uses this memory):
        its shipped blocklist, and its endings for the user's blocks. Keys stay as they are
        (lowercase, one apostrophe: the same in every language), so one store serves every
        language; a pack's letter folding (German "schoen" for "schön") is matched by the
        memory source (sources/memory.py). ``is_word(word)``: whether a word is one of the
        language (its lexicon), for the compounds its shipped words block (a language that
        writes them as one word). Raises EngineError when the list cannot be read."""
        if pack.code in self.languages:
            return
        other = Blocklist.shipped_with(pack.blocklist_path, pack.fold, pack.base_forms, pack.blocklist_endings,
                                       BLOCKED_COMPOUND_HEAD if pack.closed_compounds and is_word else 0)
        if is_word is not None:
            other.is_word, other.links = is_word, pack.linking_elements
        with self._lock:
            self.blocklist.add_language(other)
            self.languages.append(pack.code)
            self._version += 1

    @property
    def version(self) -> int:
        """Changes on every mutation (learning, blocking, forgetting, wiping, another
        process's words picked up): memoized results key on it."""
        return self._version

    # -- learning ------------------------------------------------------------
    def observe(self, word: str, prev: str | None = None, sentence_start: bool = False) -> None:
        """Learn one committed word (and the pair it makes with the previous one).

        Nothing is stored for a word the secrets rule refuses (text.learnable: numbers,
        letter-digit mixes that are not common words, very long strings). ``sentence_start``:
        the word began a sentence, so a capital first letter says nothing about its case:
        only uses elsewhere (and any spelling with a capital inside, "GitHub") vote on the
        spelling offered, and a word seen only at sentence starts is offered in lowercase."""
        if not is_word(word) or not learnable(word, self.is_common):
            return
        key = _norm(word)
        prev_key = _norm(prev) if prev and is_word(prev) and learnable(prev, self.is_common) else None
        vote = None if sentence_start and _cased_by_position(word) else word
        with self._lock:
            self.clock += 1
            self.mass = self.mass * 0.5 ** (1 / self.cfg.half_life) + 1.0
            entry = self.words.get(key)
            if entry is None:
                bisect.insort(self._keys, key)
            if vote is not None:
                vk = f"{key}\t{vote}"
                self.votes[vk] = [self._decayed(self.votes.get(vk)) + 1.0, self.clock]
                self._votes.setdefault(key, set()).add(vk)
            spelling = self._spelling(key, word, entry)
            self.words[key] = [self._decayed(entry) + 1.0, self.clock, spelling]
            self._rank_up(key)
            if prev_key is not None:
                pk = f"{prev_key}\t{key}"
                self.pairs[pk] = [self._decayed(self.pairs.get(pk)) + 1.0, self.clock]
            self._evict()
            self._version += 1
            if self._writer is not None:
                self._writer.put(("word", key, spelling, prev_key, vote))

    def _spelling(self, key: str, typed: str, entry) -> str:
        """The spelling offered for ``key``: the one voted most (decayed counts; a tie, as two
        spellings imported with one count make, goes to the first in code-point order, as in the
        native engine: the votes are a set, whose order changes with the hash seed); with no
        vote, the one known so far, else ``typed`` with its first letter lowered."""
        head, best, best_count = f"{key}\t", None, 0.0
        for pk, e in sorted(self._votes_of(key)):
            c = self._decayed(e)
            if c > best_count:
                best, best_count = pk[len(head):], c
        if best is not None:
            return best
        if entry is not None:
            return entry[2]
        return typed[:1].lower() + typed[1:] if _cased_by_position(typed) else typed

    def _votes_of(self, key: str) -> list[tuple[str, list]]:
        """The spelling votes of ``key``: ("key\tspelling", [count, last]) (the ``_votes`` index)."""
        votes = self.votes
        return [(vk, votes[vk]) for vk in self._votes.get(key, ()) if vk in votes]

    def _split_votes(self, pairs: dict[str, list]) -> dict[str, list]:
        """Move the spelling votes among rows read from the store (pairs whose previous word
        is VOTE + key) into ``votes``; returns the real pairs."""
        real = {}
        for pk, e in pairs.items():
            if pk.startswith(VOTE):
                vk = pk[1:]
                self.votes[vk] = e
                self._votes.setdefault(vk[: vk.index("\t")], set()).add(vk)
            else:
                real[pk] = e
        return real

    def learn_text(self, text: str) -> int:
        """Learn every word of a text (a user's past messages); returns how many were
        offered to the memory (the secrets rule may still refuse some). Returns once they
        are committed to the store. Each line is a text of its own; a word that begins
        a sentence (the language pack's sentence rule) does not vote on its case."""
        n = 0
        for line in text.splitlines():
            prev = None
            for at, w, first in words_with_starts(line):  # addresses and their parts are never learned
                w = learned_form(w)
                self.observe(w, prev, sentence_start=first)
                prev = w
                n += 1
        self.save()
        return n

    def _decayed(self, entry) -> float:
        if not entry:
            return 0.0
        return entry[0] * 0.5 ** ((self.clock - entry[1]) / self.cfg.half_life)

    def _recount(self) -> None:
        self.mass = sum(self._decayed(e) for e in self.words.values())

    def _evict(self) -> None:
        for table, limit in ((self.words, self.cfg.max_words), (self.pairs, self.cfg.max_pairs),
                             (self.votes, self.cfg.max_pairs)):
            if len(table) > limit:
                keep = sorted(table, key=lambda k: self._decayed(table[k]), reverse=True)[: int(limit * 0.9)]
                kept = {k: table[k] for k in keep}
                table.clear()
                table.update(kept)
                self._recount()
                self._index_all()

    # -- the store -------------------------------------------------------------
    def _on_snapshot(self, snap: StoreRows) -> bool:
        """Take rows read by the writer thread, unless own operations are still queued
        (the snapshot does not hold them yet and would undo them)."""
        with self._lock:
            writer = self._writer
            if writer is None or writer.enqueued != writer.committed:
                return False
            self._take(snap)
            return True

    def _take(self, snap: StoreRows) -> None:
        if snap.full:
            self.votes = {}
            self.words, self.pairs, self.clock = snap.words, self._split_votes(snap.pairs), snap.clock
            self._recount()
            self._index_all()
        else:
            self.mass *= 0.5 ** ((snap.clock - self.clock) / self.cfg.half_life)
            self.clock = snap.clock
            lowered = False
            for k, e in snap.words.items():
                old = self.words.get(k)
                if old is None:
                    bisect.insort(self._keys, k)
                self.mass += self._decayed(e) - self._decayed(old)
                self.words[k] = e
                if old is not None and self._rank(e) < self._rank(old):
                    lowered = True
                else:
                    self._rank_up(k)
            if lowered:  # rare: another process's row is weaker than ours was
                self._index_all()
            self.pairs.update(self._split_votes(snap.pairs))
        self.blocklist.user = snap.blocked
        self._evict()
        self._version += 1

    def save(self) -> bool:
        """Wait until everything learned so far is committed to the store (there is
        nothing else to save: each word is committed as it comes). False when some of
        it could not be saved (``save_error`` says why); True without a store."""
        writer = self._writer
        if writer is not None and not writer.flush():
            if writer.committed < writer.enqueued:
                log.warning("user memory %s: words are still waiting to be committed", self.cfg.path)
            return False
        return self.save_error is None

    @property
    def open_error(self) -> str | None:
        """Why the store could not be read when this memory opened it (a damaged file, a
        folder that cannot be read); None when it was read, or there is no store. The memory
        then holds nothing of the store: an export would be empty, not the user's words."""
        return self._open_error

    @property
    def save_error(self) -> str | None:
        """Why something learned, blocked or forgotten was not saved to the store; None
        when all of it was (or there is no store: ``cfg.path`` is None)."""
        if self.cfg.path is None:
            return None
        writer = self._writer
        if writer is None:
            return None if self._closed else (self._open_error or "the store is not open")
        if writer.failed:
            return f"{writer.failed} changes not saved to {self.cfg.path}: {writer.last_error}"
        if writer.store.read_only and writer.enqueued:
            return f"{self.cfg.path} can only be read here"
        return None

    def close(self) -> None:
        """Commit what is queued and close the store; later words are learned in RAM only. Idempotent."""
        with self._lock:
            writer, self._writer, self._closed = self._writer, None, True
        if writer is not None:
            writer.close()

    def __enter__(self) -> "UserMemory":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- predicting ----------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether anything learned can change a suggestion."""
        return bool(self.words)

    def prob(self, word: str, prev: str | None, pair_share: float = 0.7) -> float:
        """p_memory(word | prev): ``pair_share`` of the pair estimate c(prev, word) / c(prev)
        (when the pair was seen) plus the rest of the single-word one c(word) / mass."""
        key = _norm(word)
        c = self._decayed(self.words.get(key))
        if c <= 0:
            return 0.0
        p_word = c / max(self.mass, 1e-9)
        if prev:
            pk = f"{_norm(prev)}\t{key}"
            c_pair = self._decayed(self.pairs.get(pk))
            c_prev = self._decayed(self.words.get(_norm(prev)))
            if c_pair > 0 and c_prev > 0:
                return pair_share * min(1.0, c_pair / c_prev) + (1 - pair_share) * p_word
        return (1 - pair_share) * p_word

    def spelling(self, word: str) -> str | None:
        """The user's own spelling of ``word`` when they typed it elsewhere than at a
        sentence start (or with a capital inside) more than any other: it is shown in
        place of the lexicon's ("GitHub" for "github"); None otherwise."""
        key = _norm(word)
        if key not in self._votes:
            return None
        e = self.words.get(key)
        if e is None or (len(e[2]) > 1 and e[2].isupper()):
            return None  # ALL CAPS (a heading, shouting) is no spelling to impose elsewhere
        return e[2]

    def candidates(self, prefix: str, limit: int = 8) -> list[str]:
        """Learned spellings starting with ``prefix`` (case-insensitive), strongest first,
        among words typed about twice or more. The cost does not grow with the number of
        learned words for a prefix of 0 or 1 letters (the kept top ``TOP_K`` of its
        bucket; ranks keep their order as counts decay, so the top stays exact) and grows
        with the words of the prefix, not all words, for longer ones."""
        low = _norm(prefix)
        version, memo = self._candidates_memo
        if version != self._version:  # anything learned, forgotten or read changes the answer
            version, memo = self._candidates_memo = (self._version, {})
        found_before = memo.get((low, limit))
        if found_before is not None:
            return list(found_before)
        if len(low) <= 1 and limit <= TOP_K:
            with self._lock:  # the top dicts change as words are learned
                keys = list(self._top.get(low, ()))
        else:
            keys = self._keys
            keys = keys[bisect.bisect_left(keys, low):bisect.bisect_left(keys, low + "\U0010ffff")]
        found = []
        common, near_slip = self.is_common, self.near_slip
        for k in keys:
            e = self.words.get(k)
            if e is None or not k.startswith(low):
                continue
            c = self._decayed(e)
            if c >= self.cfg.min_count and learnable(e[2], common) \
                    and (c >= self.cfg.slip_min_count or near_slip is None or not near_slip(e[2])):
                found.append((c, e[2]))
        best = tuple(w for _, w in sorted(found, reverse=True)[:limit])
        if len(memo) < 256:  # the prefixes of the words typed since the last change
            memo[(low, limit)] = best
        return list(best)

    # -- the index ---------------------------------------------------------------
    def _rank(self, entry: list) -> float:
        """log2 of the decayed count plus the clock/half-life: the same order as the
        decayed counts at any clock, and it changes only when the word is learned."""
        return math.log2(entry[0]) + entry[1] / self.cfg.half_life if entry[0] > 0 else -math.inf

    def _rank_up(self, key: str) -> None:
        """The word's rank went up (it was learned): keep each bucket's top exact."""
        rank = self._rank(self.words[key])
        for bucket in ("", key[:1]):
            top = self._top.setdefault(bucket, {})
            if key in top or len(top) < TOP_K:
                top[key] = rank
            else:
                weakest = min(top, key=top.__getitem__)
                if rank > top[weakest]:
                    del top[weakest]
                    top[key] = rank

    def _index_all(self) -> None:
        """Rebuild the index (after a forget, an eviction, a store read in full)."""
        self._keys = sorted(self.words)
        self._votes = {}
        for vk in self.votes:
            self._votes.setdefault(vk[: vk.index("\t")], set()).add(vk)
        by_bucket: dict[str, list[tuple[float, str]]] = {"": []}
        for k, e in self.words.items():
            ranked = (self._rank(e), k)
            by_bucket[""].append(ranked)
            by_bucket.setdefault(k[:1], []).append(ranked)
        self._top = {b: {k: r for r, k in heapq.nlargest(TOP_K, items)} for b, items in by_bucket.items()}

    # -- the blocklist ---------------------------------------------------------
    @property
    def blocked(self) -> set[str]:
        """The user's "never suggest" entries (folded)."""
        return self.blocklist.user

    def is_blocked(self, word: str) -> bool:
        return self.blocklist.is_blocked(word)

    def block(self, word: str) -> None:
        """Never suggest ``word`` (nor its forms: blocklist.py) unless it is typed in full.
        Raises ValueError for what is not one word, and for what the secrets rule already
        keeps out (text.learnable): a blocked entry is stored, and a secret must not be."""
        if not isinstance(word, str) or not is_word(word):
            raise ValueError(f"cannot block {_shown(word)}: not one word")
        if not learnable(word, self.is_common):
            raise ValueError(f"{_shown(word)} is never stored nor offered (numbers, codes and secret-like strings "
                             "are not learned): there is nothing to block, and blocking would store it")
        self._change("block", _norm(word), lambda key: self.blocked.add(key))

    def unblock(self, word: str) -> bool:
        """Offer ``word`` again; True if it was blocked (False: nothing changes for it)."""
        def drop(key: str) -> bool:
            found = key in self.blocked
            self.blocked.discard(key)
            return found

        return self._change("unblock", _norm(word), drop)

    # -- privacy ---------------------------------------------------------------
    def forget(self, word: str) -> bool:
        """Drop a learned word and every pair it is in; True if there was any. Raises
        ValueError for what is not one word."""
        if not isinstance(word, str) or not is_word(word):
            raise ValueError(f"cannot forget {_shown(word)}: not one word")

        def drop(key: str) -> bool:
            found = self.words.pop(key, None) is not None
            for pk in [p for p in self.pairs if key in p.split("\t")]:
                del self.pairs[pk]
                found = True
            for vk in [v for v in self.votes if v.startswith(f"{key}\t")]:
                del self.votes[vk]
            self._recount()
            self._index_all()
            return found

        return self._change("forget", _norm(word), drop)

    def _change(self, op: str, key: str, apply):
        """Change the view and queue the change for the store, then wait for its commit."""
        with self._lock:
            result = apply(key)
            self._version += 1
            if self._writer is not None:
                self._writer.put((op, key))
        self.save()
        return result

    def wipe(self) -> list[Path]:
        """Forget everything learned and blocked, and delete the store's own files (see
        store.store_files; other processes sharing it see the wipe at their next commit);
        returns the paths removed. Raises NotAStoreError when the path is not a store
        (nothing touched), sqlite3.Error or OSError when the folder cannot be written."""
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.close(discard=True)  # queued words are wiped too
        removed: list[Path] = []
        try:
            if self.cfg.path is not None:
                removed = (writer.store if writer is not None else self._new_store()).wipe_files()
        finally:
            with self._lock:
                self._take(StoreRows())
            if self.cfg.path is not None and not self._closed:
                self._open_store()  # empty; the file comes back with the next word learned
        return removed

    def export(self) -> dict:
        """What is learned, readable: decayed counts by spelling (rounded to 4 decimals), pairs,
        never-suggest entries. An entry decayed below 0.00005 (a word typed once some 70,000
        words ago) rounds to 0 and is left out: it is worth nothing, and a 0 would be no count."""
        self.save()
        with self._lock:
            words = ((e[2], round(self._decayed(e), 4)) for e in self.words.values())
            pairs = ((k, round(self._decayed(v), 4)) for k, v in self.pairs.items())
            return {
                "format_version": FORMAT_VERSION,
                "store": str(self.cfg.path) if self.cfg.path else None,
                "clock": self.clock,
                "words": {w: c for w, c in words if c > 0},
                "pairs": {k: c for k, c in pairs if c > 0},
                "blocked": sorted(self.blocked),
            }

    def import_words(self, data: dict) -> dict:
        """Merge a personal dictionary (``read_dictionary``'s result) into this memory:
        each word's count is added to what is there and its spelling counts as the user's
        (it is offered in that case); pairs are added; blocked words are blocked. Words the
        secrets rule refuses (text.learnable) are skipped and counted.

        An import never pushes out what is there (docs/personal-dictionary.md): a word new to
        the memory needs a free place under ``cfg.max_words`` and one under ``cfg.max_pairs``
        for its spelling (a vote, kept with the pairs in the store), a new pair or spelling
        one under ``cfg.max_pairs``; the dictionary's strongest words take the free places
        first (ties: the first in code-point order) and the rest are left out and counted as "no_room".
        Counts add up to at most MAX_IMPORT_COUNT an entry, so an export imports again.
        Returns {"words", "pairs", "blocked", "skipped", "no_room"}: how many of each were
        merged, skipped or left out. Waits for the store."""
        _check_dictionary(data)
        done = {"words": 0, "pairs": 0, "blocked": 0, "skipped": 0, "no_room": 0}
        with self._lock:
            room_words = self.cfg.max_words - len(self.words)
            room_pairs = self.cfg.max_pairs - len(self.pairs) - len(self.votes)
            words = sorted(data.get("words", {}).items(), key=lambda wc: (-wc[1], wc[0]))  # ties: code-point order
            for spelling, count in words:
                if not is_word(spelling) or not learnable(spelling, self.is_common) or not count > 0:
                    done["skipped"] += 1
                    continue
                spelling = learned_form(spelling)  # "dont" is learned as "don't"
                key = _norm(spelling)
                entry = self.words.get(key)
                vk = f"{key}\t{spelling}"
                new_vote = vk not in self.votes
                if (entry is None and room_words <= 0) or (new_vote and room_pairs <= 0):
                    done["no_room"] += 1
                    continue
                room_words -= entry is None
                room_pairs -= new_vote
                if entry is None:
                    bisect.insort(self._keys, key)
                count = max(0.0, min(count, MAX_IMPORT_COUNT - self._decayed(entry)))  # at most MAX_IMPORT_COUNT a word
                self.votes[vk] = [self._decayed(self.votes.get(vk)) + count, self.clock]
                self._votes.setdefault(key, set()).add(vk)
                self.words[key] = [self._decayed(entry) + count, self.clock, self._spelling(key, spelling, entry)]
                self.mass += count
                self._rank_up(key)
                if self._writer is not None:
                    self._writer.put(("import", key, self.words[key][2], count, spelling))
                done["words"] += 1
            for pk, count in sorted(data.get("pairs", {}).items(), key=lambda pc: (-pc[1], pc[0])):
                prev, word = pk.split("\t")
                if not (learnable(prev, self.is_common) and learnable(word, self.is_common)) or not count > 0:
                    continue
                key = f"{_norm(prev)}\t{_norm(word)}"
                before = self.pairs.get(key)
                if before is None and room_pairs <= 0:
                    done["no_room"] += 1
                    continue
                room_pairs -= before is None
                count = max(0.0, min(count, MAX_IMPORT_COUNT - self._decayed(before)))
                self.pairs[key] = [self._decayed(before) + count, self.clock]
                if self._writer is not None:
                    self._writer.put(("import_pair", _norm(prev), _norm(word), count))
                done["pairs"] += 1
            self._evict()
            self._version += 1
        for word in data.get("blocked", ()):
            if not learnable(word, self.is_common):
                done["skipped"] += 1
                continue
            self.block(word)
            done["blocked"] += 1
        self.save()
        return done

    def files(self) -> list[Path]:
        """The files on disk that hold this memory now (what wipe would remove)."""
        return store_files(self.cfg.path) if self.cfg.path is not None else []


def read_dictionary(path: str | Path) -> dict:
    """Read a personal dictionary: what ``nextkey memory export`` writes (JSON: "words"
    {spelling: count}, "pairs" {"prev\tword": count}, "blocked" [words]) or a plain word
    list (UTF-8, one word a line, optionally followed by whitespace and a count > 0;
    blank lines and lines starting with # are skipped; a word without a count counts 2,
    enough to be offered). Returns {"words", "pairs", "blocked"}. Raises ValueError
    naming the file and the line (or the JSON field) at the first fault: nothing of a
    malformed file is imported. docs/personal-dictionary.md describes both formats."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not UTF-8 text (byte {e.start}): nothing was imported") from None
    except OSError as e:
        raise ValueError(f"cannot read {path}: {e.strerror}") from None
    text = text.removeprefix("\ufeff")  # a byte-order mark (Windows Notepad writes one)
    if text.lstrip().startswith("{"):
        return _read_json_dictionary(path, text)
    words: dict[str, float] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) <= 2 and ADDRESS.fullmatch(parts[0]):
            words[parts[0]] = words.get(parts[0], 0.0)  # an address: never stored (skipped on import)
            continue
        if len(parts) > 2 or not is_word(parts[0]):
            raise ValueError(f"{path} line {n}: expected one word, optionally followed by a count; "
                             "nothing was imported")
        count = 2.0
        if len(parts) == 2:
            try:
                count = float(parts[1])
            except ValueError:
                count = -1.0
            if not (0 < count <= MAX_IMPORT_COUNT):  # (False for NaN too)
                raise ValueError(f"{path} line {n}: the count is not a number above 0 and at most "
                                 f"{MAX_IMPORT_COUNT:,.0f}; nothing was imported")
        words[parts[0]] = words.get(parts[0], 0.0) + count
    return {"words": words, "pairs": {}, "blocked": []}


def _read_json_dictionary(path: Path, text: str) -> dict:
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} line {e.lineno}: not valid JSON ({e.msg}); nothing was imported") from None
    except RecursionError:  # brackets nested thousands deep: no dictionary
        raise ValueError(f"{path}: JSON nested too deeply; nothing was imported") from None

    def bad(field: str, why: str) -> ValueError:
        return ValueError(f"{path}: {field} {why}; nothing was imported (the format: nextkey memory export)")

    if not isinstance(data, dict):
        raise bad("the top level", "is not an object")
    if data.get("format_version") != FORMAT_VERSION:
        raise bad("format_version", f"is {data['format_version']!r}, not {FORMAT_VERSION}" if "format_version" in data
                  else f"is missing, not {FORMAT_VERSION}")
    out = {"words": {}, "pairs": {}, "blocked": []}
    for field_name in ("words", "pairs"):
        table = data.get(field_name, {})
        if not isinstance(table, dict):
            raise bad(field_name, "is not an object")
        for k, v in table.items():
            # 0: what exports before 2026-11-30 wrote for an entry decayed to nothing (skipped on import)
            ok_count = isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= MAX_IMPORT_COUNT
            ok_key = is_word(k) if field_name == "words" else (k.count("\t") == 1 and all(map(is_word, k.split("\t"))))
            if not (ok_count and ok_key):
                raise bad(f"{field_name}[{k!r}]", f"is not a word with a count from 0 to {MAX_IMPORT_COUNT:,.0f}"
                          if field_name == "words"
                          else f"is not 'previous<TAB>word' with a count from 0 to {MAX_IMPORT_COUNT:,.0f}")
            out[field_name][k] = float(v)
    blocked = data.get("blocked", [])
    if not isinstance(blocked, list) or not all(isinstance(w, str) and is_word(w) for w in blocked):
        raise bad("blocked", "is not a list of words")
    out["blocked"] = blocked
    return out


# Memories not closed by their owner are closed at exit, so their queued words are committed.
_LIVE: weakref.WeakSet[UserMemory] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for mem in list(_LIVE):
        mem.close()
