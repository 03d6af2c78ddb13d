"""What the engine learns from its user, kept on the user's machine only.

A small decayed cache of the words and word pairs the user committed (space,
punctuation or an accepted suggestion), combined with the neural scores by
interpolation: p = (1 - w) * p_model + w * p_memory, where p_memory mixes the
pair and single-word estimates. A word the model can spell but rarely offers
(a name, jargon) reaches the suggestions once the user has typed it twice.

The store is a JSON file in the user's data directory (XDG), never in the
bundle; writes go to a temporary file that is renamed into place, so a crash
mid-write leaves the previous store; a corrupt store is set aside with a
warning and the engine starts empty. The store is bounded: the weakest
entries (decayed counts) are evicted first.

Also here: the blocklist (a shipped list of offensive words plus the user's
"never suggest" entries). A blocked word is never offered unless the user
typed it in full.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
SHIPPED_BLOCKLIST = Path(__file__).resolve().parent / "data" / "blocklist.txt"
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def default_store_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "nextkey" / "memory.json"


@dataclass(frozen=True)
class MemoryConfig:
    path: Path | None = field(default_factory=default_store_path)  # None: kept in RAM only
    weight: float = 0.25  # interpolation weight of the memory (bench/adaptation.py measured it)
    half_life: float = 5000.0  # in committed words: older habits fade
    max_words: int = 20_000
    max_pairs: int = 50_000
    min_count: float = 1.5  # a word must be typed about twice before it is offered
    save_every: int = 20  # committed words between saves (and at close)


def _norm(word: str) -> str:
    return word.lower()


class UserMemory:
    """Decayed counts of committed words and word pairs, with a blocklist."""

    def __init__(self, cfg: MemoryConfig = MemoryConfig()):
        self.cfg = cfg
        self.clock = 0  # committed words so far
        self.words: dict[str, list] = {}  # key -> [count, last_clock, spelling]
        self.pairs: dict[str, list] = {}  # "prev\tword" -> [count, last_clock]
        self.blocked: set[str] = set()  # the user's "never suggest" entries
        self.shipped_blocklist = _read_blocklist(SHIPPED_BLOCKLIST)
        self.mass = 0.0  # the decayed counts of all words, kept up to date
        self._sorted: list[str] | None = None  # word keys, sorted for prefix lookup
        self._sorted_clock = (-1, -1)
        self._dirty = 0
        self._version = 0
        self._lock = threading.Lock()  # sessions in several threads may share one memory
        self._load()
        self._recount()

    @property
    def version(self) -> int:
        """Changes on every mutation (learning, blocking, forgetting, wiping): memoized results key on it."""
        return self._version

    def close(self) -> None:
        self.save()

    def _recount(self) -> None:
        self.mass = sum(self._decayed(e) for e in self.words.values())

    # -- learning ------------------------------------------------------------
    def observe(self, word: str, prev: str | None = None) -> None:
        """Learn one committed word (and the pair it makes with the previous one)."""
        if not _WORD.fullmatch(word or ""):
            return
        with self._lock:
            self.clock += 1
            self.mass = self.mass * 0.5 ** (1 / self.cfg.half_life) + 1.0
            key = _norm(word)
            entry = self.words.get(key)
            self.words[key] = [self._decayed(entry) + 1.0, self.clock, word]
            if prev and _WORD.fullmatch(prev):
                pk = f"{_norm(prev)}\t{key}"
                self.pairs[pk] = [self._decayed(self.pairs.get(pk)) + 1.0, self.clock]
            self._dirty += 1
            self._version += 1
            self._evict()
        if self._dirty >= self.cfg.save_every:
            self.save()

    def learn_text(self, text: str) -> int:
        """Learn every word of a text (a user's past messages); returns how many."""
        n = 0
        for line in text.splitlines():
            prev = None
            for m in _WORD.finditer(line):
                self.observe(m.group(0), prev)
                prev = m.group(0)
                n += 1
        self.save()
        return n

    def _decayed(self, entry) -> float:
        if not entry:
            return 0.0
        return entry[0] * 0.5 ** ((self.clock - entry[1]) / self.cfg.half_life)

    def _evict(self) -> None:
        for table, limit in ((self.words, self.cfg.max_words), (self.pairs, self.cfg.max_pairs)):
            if len(table) > limit:
                keep = sorted(table, key=lambda k: self._decayed(table[k]), reverse=True)[: int(limit * 0.9)]
                kept = {k: table[k] for k in keep}
                table.clear()
                table.update(kept)
                self._recount()

    # -- predicting ----------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether anything learned can change a suggestion."""
        return bool(self.words) and self.cfg.weight > 0

    def prob(self, word: str, prev: str | None) -> float:
        """p_memory(word | prev): pair estimate mixed with the single-word one."""
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
                return 0.7 * min(1.0, c_pair / c_prev) + 0.3 * p_word
        return 0.3 * p_word

    def candidates(self, prefix: str, limit: int = 8) -> list[str]:
        """Learned spellings starting with ``prefix`` (case-insensitive), strongest first,
        among words typed about twice or more."""
        low = prefix.lower()
        if self._sorted is None or self._sorted_clock != (self.clock, len(self.words)):
            self._sorted = sorted(self.words)  # rebuilt after learning, not per keystroke
            self._sorted_clock = (self.clock, len(self.words))
        lo = bisect.bisect_left(self._sorted, low)
        hi = bisect.bisect_left(self._sorted, low + "\U0010ffff")
        found = []
        for k in self._sorted[lo:hi]:
            e = self.words.get(k)
            if e is not None and self._decayed(e) >= self.cfg.min_count:
                found.append((self._decayed(e), e[2]))
        return [w for _, w in sorted(found, reverse=True)[:limit]]

    def combine(self, scored: list[tuple[str, float]], prefix: str, prev: str | None) -> list[tuple[str, float]]:
        """Interpolate model log-probs with the memory and add learned words for the prefix."""
        w = self.cfg.weight
        out: dict[str, float] = {}
        for word, logp in scored:
            out[word] = math.log((1 - w) * math.exp(logp) + w * self.prob(word, prev))
        for word in self.candidates(prefix):
            if word not in out:
                p = w * self.prob(word, prev)
                if p > 0:
                    out[word] = math.log(p)
        return sorted(out.items(), key=lambda kv: -kv[1])

    # -- the blocklist ---------------------------------------------------------
    def is_blocked(self, word: str) -> bool:
        key = _norm(word)
        return key in self.blocked or key in self.shipped_blocklist

    def block(self, word: str) -> None:
        with self._lock:
            self.blocked.add(_norm(word))
            self._dirty += 1
            self._version += 1
        self.save()

    def unblock(self, word: str) -> None:
        with self._lock:
            self.blocked.discard(_norm(word))
            self._dirty += 1
            self._version += 1
        self.save()

    # -- privacy ---------------------------------------------------------------
    def forget(self, word: str) -> bool:
        key = _norm(word)
        with self._lock:
            found = self.words.pop(key, None) is not None
            self._recount()
            for pk in [p for p in self.pairs if key in p.split("\t")]:
                del self.pairs[pk]
                found = True
            self._dirty += 1
            self._version += 1
        self.save()
        return found

    def wipe(self) -> None:
        with self._lock:
            self.words.clear()
            self.pairs.clear()
            self.blocked.clear()
            self.clock = 0
            self.mass = 0.0
            self._dirty += 1
            self._version += 1
        self.save()

    def export(self) -> dict:
        with self._lock:
            return {
                "format_version": FORMAT_VERSION,
                "clock": self.clock,
                "words": {e[2]: round(self._decayed(e), 4) for e in self.words.values()},
                "pairs": {k: round(self._decayed(v), 4) for k, v in self.pairs.items()},
                "blocked": sorted(self.blocked),
            }

    # -- storage ---------------------------------------------------------------
    def _load(self) -> None:
        path = self.cfg.path
        if path is None or not path.exists():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"format_version {data.get('format_version')!r}")
            self.clock = int(data["clock"])
            self.words = {str(k): [float(v[0]), int(v[1]), str(v[2])] for k, v in data["words"].items()}
            self.pairs = {str(k): [float(v[0]), int(v[1])] for k, v in data["pairs"].items()}
            self.blocked = {str(w) for w in data.get("blocked", [])}
        except (OSError, ValueError, KeyError, TypeError, IndexError, json.JSONDecodeError) as e:
            aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            try:
                path.replace(aside)
            except OSError:
                aside = None
            log.warning("user memory %s is unreadable (%s); set aside as %s, starting empty", path, e, aside)
            self.clock, self.words, self.pairs, self.blocked = 0, {}, {}, set()

    def save(self) -> None:
        """Atomic: the new store replaces the old one whole, or not at all."""
        with self._lock:
            if not self._dirty:
                return
            data = {"format_version": FORMAT_VERSION, "clock": self.clock, "words": self.words,
                    "pairs": self.pairs, "blocked": sorted(self.blocked)}
            self._dirty = 0
        path = self.cfg.path
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".memory-", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            log.warning("could not save user memory to %s: %s", path, e)


def _read_blocklist(path: Path) -> frozenset[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#"))
