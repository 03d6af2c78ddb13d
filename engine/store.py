"""Where the user memory lives on disk, and how words get there off the keystroke path.

The store is one SQLite file (standard library ``sqlite3``, WAL mode) in the
user's data directory. Counts are decayed by a clock of committed words, as in
memory.py: a row holds ``count`` as of ``last`` and is worth
``count * 0.5 ** ((clock - last) / half_life)`` at ``clock``.

Writing: ``StoreWriter`` is the one thread that writes. ``UserMemory.observe``
updates the in-RAM view and puts the word on the writer's queue; the writer
commits whatever is queued as one transaction (one word while typing, up to
``MAX_BATCH`` words for a pasted text) of count increments: the clock, the word
row, the pair row. Increments, not rewrites, so two processes and many threads
learn into one store and nothing is lost. A kill loses only the words still on
the queue, that is those observed in the last moment before it (a one-word
commit takes 54-56 us p50, 318-408 us p99, up to 4.4 ms at a WAL checkpoint
on this machine's ext4: bench/memory_store.py). ``synchronous=NORMAL``:
a committed word survives a killed process; a power cut may roll back the
last commits. There are no temporary files: SQLite's ``-wal``/``-shm`` are
part of the store and go away when the last connection closes.

Reading other processes' writes: after each commit, and every
``refresh_seconds`` when idle, the writer asks SQLite whether another
connection has written (``PRAGMA data_version``, and whether the file was
deleted or replaced, e.g. wiped); if so it reads the rows changed since the
view's last read (each transaction stamps the rows it touches with a sequence
number) and hands them to the view, or all rows when something was deleted
(a forget, an eviction: the ``generation`` counter). The view takes them only
when all its own words are committed, so a refresh never undoes a word. A
process whose own commit deleted rows re-reads all of them too, so its view
matches the store. A process that has the store open when another wipes it
sees the file gone at its next look, drops what it held, and starts a new
file with its next word (a word it commits in between goes with the old one).

Opening: a file that is not a store of this format is set aside as
``NAME.corrupt-TIME`` with a warning and a new store starts empty. A file another
process holds locked (two processes creating the store at once) is waited for up to
``BUSY_TIMEOUT_MS`` and never taken for a bad one; past that, the words stay in RAM
and the writer tries again (``COMMIT_ATTEMPTS``). The JSON
store of earlier versions (``memory.json`` in the store's folder) is imported
once (its sha256 is recorded, so a crash between import and rename cannot
import it twice) and renamed ``memory.json.migrated``. ``remove_files`` (wipe)
deletes every trace: the store, its -wal/-shm/-journal, set-aside copies, the
old JSON store, its migrated and corrupt copies, and its old ``.memory-*``
temporary files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import queue
import random
import sqlite3
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # PRAGMA user_version; 1 was the JSON store
MAX_BATCH = 500  # words per transaction when a whole text is learned
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000  # how long a writer waits for another process's transaction
COMMIT_ATTEMPTS = 12  # while another process holds the lock (each waits BUSY_TIMEOUT_MS); 3 for other errors

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL);
CREATE TABLE words(key TEXT PRIMARY KEY, count REAL NOT NULL, last INTEGER NOT NULL,
                   spelling TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX words_seq ON words(seq);
CREATE TABLE pairs(prev TEXT NOT NULL, word TEXT NOT NULL, count REAL NOT NULL, last INTEGER NOT NULL,
                   seq INTEGER NOT NULL, PRIMARY KEY(prev, word));
CREATE INDEX pairs_seq ON pairs(seq);
CREATE INDEX pairs_word ON pairs(word);
CREATE TABLE blocked(word TEXT PRIMARY KEY);
CREATE TABLE migrated(sha256 TEXT PRIMARY KEY);
INSERT INTO meta VALUES ('id', :id), ('clock', 0), ('seq', 0), ('generation', 0), ('n_words', 0), ('n_pairs', 0);
"""
TABLES = {"meta", "words", "pairs", "blocked", "migrated"}

# Merge a (count, last) into a row: both decayed to the later clock, then added.
_MERGE_WORD = """INSERT INTO words(key, count, last, spelling, seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(key) DO UPDATE SET
      count = decay(count, last, max(last, excluded.last))
              + decay(excluded.count, excluded.last, max(last, excluded.last)),
      last = max(last, excluded.last), spelling = excluded.spelling, seq = excluded.seq"""
_MERGE_PAIR = """INSERT INTO pairs(prev, word, count, last, seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(prev, word) DO UPDATE SET
      count = decay(count, last, max(last, excluded.last))
              + decay(excluded.count, excluded.last, max(last, excluded.last)),
      last = max(last, excluded.last), seq = excluded.seq"""


class StoreCorrupt(Exception):
    """The file is not a user store of this format (raised and handled inside this module)."""


@dataclass
class Snapshot:
    """Rows read from the store: all of them (``full``) or those changed since a sequence number."""

    store_id: int | None = None  # which file (a wiped and re-created store is another one)
    clock: int = 0
    seq: int = 0
    generation: int = 0
    words: dict[str, list] = field(default_factory=dict)  # key -> [count, last, spelling]
    pairs: dict[str, list] = field(default_factory=dict)  # "prev\tword" -> [count, last]
    blocked: set[str] = field(default_factory=set)
    full: bool = True


def store_files(path: Path) -> list[Path]:
    """Every file that holds or held this store's words, as they exist now."""
    d, name = path.parent, path.name
    legacy = legacy_path(path)
    found = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"),
             legacy, legacy.with_name(legacy.name + ".migrated")]
    if d.is_dir():
        found += d.glob(f"{name}.corrupt-*")
        found += d.glob(f"{legacy.name}.corrupt-*")
        found += d.glob(".memory-*")  # temporary files of the JSON store's writes
    return sorted({p for p in found if p.exists() or p.is_symlink()})


def legacy_path(path: Path) -> Path:
    """The JSON store earlier versions kept in the same folder (always named memory.json:
    never another name, so no unrelated .json file is imported, set aside or wiped)."""
    return path.with_name("memory.json")


class Store:
    """One connection to the store file, safe to share between threads (it has its own lock).

    The file is created on the first write, so a store that was never written
    (or was wiped) leaves nothing on disk."""

    def __init__(self, path: Path, half_life: float, max_words: int, max_pairs: int):
        assert path.suffix != ".json", path
        self.path, self.half_life = path, half_life
        self.max_words, self.max_pairs = max_words, max_pairs
        self._conn: sqlite3.Connection | None = None
        self._ino: int | None = None  # the file the connection has open (a wipe elsewhere replaces it)
        self._id: int | None = None  # the random id of that store, set when it was created
        self._lock = threading.RLock()

    # -- opening ------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """All rows (an empty snapshot when there is no store yet)."""
        with self._lock:
            if self._conn is None and not self._connect(create=legacy_path(self.path).exists()):
                return Snapshot()
            return self._read_all()

    def _connect(self, create: bool) -> bool:
        """Open the file (setting a bad one aside), importing an old JSON store; False if there is no file."""
        if not create and not self.path.exists():
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open_when_free()
        except (StoreCorrupt, sqlite3.DatabaseError) as e:
            self._close_conn()
            if isinstance(e, sqlite3.OperationalError):
                raise  # busy past the timeout, read-only, disk full...: the file itself is fine
            self._set_aside(self.path, e)
            self._conn = self._open_when_free()
        self._ino = os.stat(self.path).st_ino
        self._data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        self._migrate_json()
        self._id = self._meta(self._conn, "id")
        return True

    def _open_when_free(self) -> sqlite3.Connection:
        """``_open``, waiting while another process holds the file. SQLite answers some
        opening steps (the WAL switch, reading the WAL index while another connection
        recovers it) with "database is locked" at once, without its busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        delay = 0.001
        while True:
            try:
                return self._open()
            except sqlite3.OperationalError as e:
                self._close_conn()
                if not is_busy(e) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def _open(self) -> sqlite3.Connection:
        with contextlib.suppress(FileNotFoundError), open(self.path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
            if head and head != SQLITE_MAGIC:  # SQLite would take a short file for an empty one and overwrite it
                raise StoreCorrupt(f"not a SQLite file (starts with {head[:8]!r})")
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)  # our lock serializes the threads
        self._conn = conn
        hl = self.half_life
        conn.create_function("decay", 3, lambda c, last, now: c * 0.5 ** ((now - last) / hl), deterministic=True)
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreCorrupt("quick_check failed")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("BEGIN IMMEDIATE")  # two processes creating the schema at once: one does it
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version == 0 and not tables:
                conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
                for statement in SCHEMA.split(";"):  # not executescript: it would commit first
                    if statement.strip():
                        conn.execute(statement, {"id": random.getrandbits(62)} if ":id" in statement else ())
            elif version != FORMAT_VERSION or not TABLES <= tables:
                raise StoreCorrupt(f"format {version} with tables {sorted(tables)}, expected format "
                                   f"{FORMAT_VERSION} with {sorted(TABLES)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return conn

    def _set_aside(self, path: Path, why: Exception) -> None:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        try:
            path.replace(aside)
            for suffix in ("-wal", "-shm", "-journal"):
                if Path(f"{path}{suffix}").exists():
                    Path(f"{path}{suffix}").replace(f"{aside}{suffix}")
        except OSError:
            aside = None
        log.warning("user memory %s is unreadable (%s); set aside as %s, starting empty", path, why, aside)

    def _migrate_json(self) -> None:
        """Import the JSON store of earlier versions once, then rename it ``.migrated``."""
        old = legacy_path(self.path)
        try:
            raw = old.read_bytes()
        except FileNotFoundError:
            return
        except OSError as e:
            log.warning("cannot read the old user memory %s: %s", old, e)
            return
        sha = hashlib.sha256(raw).hexdigest()
        try:
            data = _parse_json_store(raw)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
            self._set_aside(old, e)
            return
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM migrated WHERE sha256 = ?", (sha,)).fetchone() is None:
                clock, seq = self._meta(conn, "clock"), self._meta(conn, "seq") + 1
                if clock == 0:
                    clock = data["clock"]
                shift = clock - data["clock"]  # keeps each row's age on this store's clock
                conn.executemany(_MERGE_WORD, [(k, c, last + shift, sp, seq)
                                               for k, (c, last, sp) in data["words"].items()])
                conn.executemany(_MERGE_PAIR, [(*k.split("\t", 1), c, last + shift, seq)
                                               for k, (c, last) in data["pairs"].items()])
                conn.executemany("INSERT OR IGNORE INTO blocked VALUES (?)", [(w,) for w in data["blocked"]])
                conn.execute("INSERT INTO migrated VALUES (?)", (sha,))
                self._set_meta(conn, clock=clock, seq=seq, **self._counts(conn))
                log.info("imported the old user memory %s (%d words)", old, len(data["words"]))
        try:
            old.replace(old.with_name(old.name + ".migrated"))
        except OSError as e:
            log.warning("imported %s but cannot rename it: %s", old, e)

    # -- writing ------------------------------------------------------------------
    def commit(self, batch: list[tuple]) -> bool:
        """Apply operations in one transaction, in order; True if rows were deleted.

        ``("word", key, spelling, previous key or None)`` learns a word (the clock
        moves by one), ``("block", key)``, ``("unblock", key)``, ``("forget", key)``."""
        create = any(op[0] in ("word", "block") for op in batch)
        with self._transaction(create=create) as conn:
            if conn is None:
                return False  # nothing to forget or unblock in a store that does not exist
            clock, seq = self._meta(conn, "clock"), self._meta(conn, "seq") + 1
            n_words, n_pairs = self._meta(conn, "n_words"), self._meta(conn, "n_pairs")
            deleted = False
            for op in batch:
                match op:
                    case ("word", key, spelling, prev):
                        clock += 1
                        n_words += conn.execute("SELECT 1 FROM words WHERE key = ?", (key,)).fetchone() is None
                        conn.execute(_MERGE_WORD, (key, 1.0, clock, spelling, seq))
                        if prev is not None:
                            n_pairs += conn.execute("SELECT 1 FROM pairs WHERE prev = ? AND word = ?",
                                                    (prev, key)).fetchone() is None
                            conn.execute(_MERGE_PAIR, (prev, key, 1.0, clock, seq))
                    case ("block", key):
                        conn.execute("INSERT OR IGNORE INTO blocked VALUES (?)", (key,))
                    case ("unblock", key):
                        conn.execute("DELETE FROM blocked WHERE word = ?", (key,))
                    case ("forget", key):
                        conn.execute("DELETE FROM words WHERE key = ?", (key,))
                        conn.execute("DELETE FROM pairs WHERE prev = ? OR word = ?", (key, key))
                        deleted = True
                        n_words, n_pairs = self._counts(conn).values()
                    case _:
                        raise AssertionError(f"unknown store operation {op!r}")
                # the weakest go first, down to 90% of the bound, at the same word as in the view
                if n_words > self.max_words:
                    n_words = self._evict(conn, "words", self.max_words, clock)
                    deleted = True
                if n_pairs > self.max_pairs:
                    n_pairs = self._evict(conn, "pairs", self.max_pairs, clock)
                    deleted = True
            meta = dict(clock=clock, seq=seq, n_words=n_words, n_pairs=n_pairs)
            if deleted:
                meta["generation"] = self._meta(conn, "generation") + 1
            self._set_meta(conn, **meta)
            return deleted

    # -- reading ------------------------------------------------------------------
    def changes(self, store_id: int | None, since_seq: int, generation: int, force: bool = False) -> Snapshot | None:
        """What other connections wrote since the view read ``since_seq`` of store ``store_id``
        (None: no file); None if nothing."""
        with self._lock:
            replaced = False
            if self._conn is not None:
                try:
                    replaced = os.stat(self.path).st_ino != self._ino
                except FileNotFoundError:
                    replaced = True
                if replaced:  # wiped (or replaced) by another process: follow the file
                    self._close_conn()
            if self._conn is None and not self._connect(create=False):
                return Snapshot() if store_id is not None else None  # the file the view holds is gone
            if self._id != store_id:  # a file the view has not read (created, or replaced, since)
                return self._read_all()
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version and not force:
                return None
            self._data_version = version
            conn = self._conn
            conn.execute("BEGIN")  # one consistent read
            try:
                if self._meta(conn, "generation") != generation:
                    return self._read_all()
                snap = self._read_meta(conn, full=False)
                snap.words = {k: [c, last, sp] for k, c, last, sp in conn.execute(
                    "SELECT key, count, last, spelling FROM words WHERE seq > ?", (since_seq,))}
                snap.pairs = {f"{p}\t{w}": [c, last] for p, w, c, last in conn.execute(
                    "SELECT prev, word, count, last FROM pairs WHERE seq > ?", (since_seq,))}
                return snap
            finally:
                conn.execute("COMMIT")

    def _read_all(self) -> Snapshot:
        conn = self._conn
        assert conn is not None
        in_txn = conn.in_transaction
        if not in_txn:
            conn.execute("BEGIN")
        try:
            snap = self._read_meta(conn, full=True)
            snap.words = {k: [c, last, sp] for k, c, last, sp in conn.execute(
                "SELECT key, count, last, spelling FROM words")}
            snap.pairs = {f"{p}\t{w}": [c, last] for p, w, c, last in conn.execute(
                "SELECT prev, word, count, last FROM pairs")}
            return snap
        finally:
            if not in_txn:
                conn.execute("COMMIT")

    def _read_meta(self, conn: sqlite3.Connection, full: bool) -> Snapshot:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        blocked = {w for (w,) in conn.execute("SELECT word FROM blocked")}
        return Snapshot(store_id=int(meta["id"]), clock=int(meta["clock"]), seq=int(meta["seq"]),
                        generation=int(meta["generation"]), blocked=blocked, full=full)

    # -- plumbing -----------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self, create: bool = False) -> Iterator[sqlite3.Connection | None]:
        """A write transaction (None when there is no store file and ``create`` is False)."""
        with self._lock:
            if self._conn is None and not self._connect(create=create):
                yield None
                return
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")  # takes the write lock now, waiting up to BUSY_TIMEOUT_MS
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @staticmethod
    def _evict(conn: sqlite3.Connection, table: str, limit: int, clock: int) -> int:
        conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} "
                     f"ORDER BY decay(count, last, ?) DESC LIMIT -1 OFFSET ?)", (clock, int(limit * 0.9)))
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    @staticmethod
    def _meta(conn: sqlite3.Connection, key: str) -> int:
        return int(conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    @staticmethod
    def _set_meta(conn: sqlite3.Connection, **values: int) -> None:
        conn.executemany("UPDATE meta SET value = ? WHERE key = ?", [(v, k) for k, v in values.items()])

    @staticmethod
    def _counts(conn: sqlite3.Connection) -> dict[str, int]:
        return {"n_words": conn.execute("SELECT count(*) FROM words").fetchone()[0],
                "n_pairs": conn.execute("SELECT count(*) FROM pairs").fetchone()[0]}

    def _close_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()  # the last connection checkpoints and removes -wal and -shm
            except sqlite3.Error as e:
                log.warning("closing user memory %s: %s", self.path, e)
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self._close_conn()

    def remove_files(self) -> list[Path]:
        """Close, then delete every trace of the store; returns what was removed."""
        with self._lock:
            self._close_conn()
            removed = []
            for p in store_files(self.path):
                try:
                    p.unlink()
                    removed.append(p)
                except FileNotFoundError:
                    pass
            return removed


def is_busy(e: sqlite3.Error) -> bool:
    """Another connection holds a lock (SQLITE_BUSY or SQLITE_LOCKED): try again later."""
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(e) or "busy" in str(e)


def _parse_json_store(raw: bytes) -> dict:
    """The JSON store of format 1: {"format_version": 1, "clock", "words": {key: [count, last,
    spelling]}, "pairs": {"prev\\tword": [count, last]}, "blocked": [...]}."""
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or data.get("format_version") != 1:
        raise ValueError(f"format_version {data.get('format_version') if isinstance(data, dict) else data!r}")
    words = {str(k): (float(v[0]), int(v[1]), str(v[2])) for k, v in data["words"].items()}
    pairs = {str(k): (float(v[0]), int(v[1])) for k, v in data["pairs"].items() if "\t" in str(k)}
    if not all(math.isfinite(c) for c, *_ in [*words.values(), *pairs.values()]):
        raise ValueError("a count is not finite")
    return {"clock": int(data["clock"]), "words": words, "pairs": pairs,
            "blocked": [str(w) for w in data.get("blocked", [])]}


_STOP = object()


class StoreWriter:
    """The thread that writes a store: it commits queued words, then picks up other
    processes' writes and hands them to ``apply`` (the view), which may refuse a
    snapshot while its own words are still queued (they would be undone)."""

    def __init__(self, store: Store, apply: Callable[[Snapshot], bool], held: Snapshot, refresh_seconds: float):
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.enqueued = 0  # words put; the view changes it under its own lock
        self.committed = 0  # words committed (or dropped after an error)
        self._held = (held.store_id, held.seq, held.generation)  # what the view holds
        self._apply = weakref.WeakMethod(apply)  # a dropped view lets the thread finish
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._done = threading.Condition()
        self._discard = False
        self._thread = threading.Thread(target=self._run, name=f"nextkey-store-{store.path.name}", daemon=True)
        self._thread.start()

    def put(self, item: tuple) -> None:
        """Queue one operation (see ``Store.commit``); the caller holds the view's lock
        (``enqueued`` is read under it)."""
        self.enqueued += 1
        self._queue.put(item)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every word queued so far is committed; False on timeout."""
        target = self.enqueued
        with self._done:
            self._done.wait_for(lambda: self.committed >= target or not self._thread.is_alive(), timeout)
            return self.committed >= target

    def close(self, discard: bool = False) -> None:
        """Commit what is queued (or drop it: a wipe), stop the thread and close the store."""
        self._discard = discard
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self.store.close()

    def _run(self) -> None:
        stale = False  # read again even if no other connection wrote: the view refused a snapshot,
        # or our own commit deleted rows (forget, eviction) and the view must match the store
        while True:
            try:
                item = self._queue.get(timeout=self.refresh_seconds)
            except queue.Empty:
                item = None
            stop = item is _STOP
            batch = [item] if item is not None and not stop else []
            while len(batch) < MAX_BATCH and not stop:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                stop = item is _STOP
                if not stop:
                    batch.append(item)
            if batch:
                stale |= self._commit(batch)
            view = self._apply()
            if stop or (view is None and self._queue.empty()):
                break
            if view is not None and self.enqueued == self.committed:  # else the view would refuse
                stale = self._refresh(view, stale)
            del view
        self.store.close()
        with self._done:
            self._done.notify_all()

    def _commit(self, batch: list) -> bool:
        deleted = False
        if not self._discard:
            for attempt in range(1, COMMIT_ATTEMPTS + 1):
                try:
                    deleted = self.store.commit(batch)
                    break
                except sqlite3.OperationalError as e:  # locked past the busy timeout, disk full...
                    last = attempt == COMMIT_ATTEMPTS or (attempt >= 3 and not is_busy(e))
                    log.warning("user memory %s: cannot commit %d words (attempt %d%s): %s",
                                self.store.path, len(batch), attempt,
                                "; they stay in RAM until the engine closes" if last else ", will retry", e)
                    if last:
                        break
                    time.sleep(min(0.1 * attempt, 1.0))
                except (sqlite3.DatabaseError, OSError, StoreCorrupt) as e:
                    log.warning("user memory %s: cannot save %d words (they stay in RAM until the "
                                "engine closes): %s", self.store.path, len(batch), e)
                    break
        with self._done:
            self.committed += len(batch)
            self._done.notify_all()
        return deleted

    def _refresh(self, apply: Callable[[Snapshot], bool], stale: bool) -> bool:
        """Hand other connections' writes to the view; True if it must be tried again."""
        try:
            snap = self.store.changes(*self._held, force=stale)
        except (sqlite3.Error, OSError, StoreCorrupt) as e:
            log.warning("user memory %s: cannot read other processes' words: %s", self.store.path, e)
            return False
        if snap is None:
            return False
        if not apply(snap):
            return True
        self._held = (snap.store_id, snap.seq, snap.generation)
        return False
